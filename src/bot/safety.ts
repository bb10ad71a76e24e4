/**
 * Safety interrupts everything. After a 112 or 113 message the form that was running stops (what
 * the resident had filled in goes to staff as a note), and the next messages get a gentle
 * follow-up instead of the form's next question: is help on its way, would you like a person.
 * For 113 the bot stays available and offers a person on every message until the resident
 * chooses; a global command (menu, stop…) always ends the follow-up. A resident who writes in
 * another language (Turkish, Arabic…) gets the follow-up in that language, without the question.
 */
import { z } from "zod";
import { matchChoice, normalise, type Choice } from "../conversation/answers.ts";
import { handleEvent, stopForSafety } from "../conversation/engine.ts";
import { messageText, type MessageKey } from "../conversation/messageText.ts";
import { addNote, changeStatus } from "../db/conversation.repo.ts";
import { asksWasteCalendarInClauses } from "../conversation/questionForm.ts";
import { findLastStaffReplyAt } from "../db/staffHandling.repo.ts";
import { localDate } from "../domain/time.ts";
import { isWithStaff, parseOtherLanguage } from "../domain/vocabulary.ts";
import { summarise } from "./actions.ts";
import { activityFromOutput, readActivity } from "./activity.ts";
import { sendInOtherLanguage } from "./otherLanguages.ts";
import { staffRepliedRecently } from "./staffHandling.ts";
import type { Middleware, Turn } from "./turn.ts";

/** A 112 or 113 signal. */
export type Emergency = "112" | "113";

/**
 * Ends whatever form was running because of a 112 or 113 message: the answers so far become a
 * note for staff (only with consent: without it nothing the resident wrote is kept), and the
 * flow state becomes the safety follow-up.
 */
export async function stopFormForSafety(turn: Turn, emergency: Emergency): Promise<void> {
  const flow = turn.state.flow ? turn.flows.flows.get(turn.state.flow) : undefined;
  if (flow && turn.residentFacts.consent === true) {
    const answers = summarise(turn.state.vars, turn);
    if (answers.length > 0) {
      const step = turn.state.step ? flow.steps[turn.state.step] : undefined;
      const where = step?.type === "ask" && turn.state.waiting === "ask" ? `, bij de vraag "${step.text.nl}"` : "";
      const heading = `Noodsignaal (${emergency}): "${flow.title.nl}" is gestopt${where}.`;
      await addNote(turn.tx, { conversationId: turn.conversationId, channel: turn.conversation.channel, text: [heading, ...answers].join("\n"), authorKind: "bot", now: turn.now });
    }
  }
  turn.state = stopForSafety(turn.state, emergency);
  turn.state.vars[SAFETY_SINCE_VAR] = turn.now.toISOString();
  if (emergency === "113") turn.state.vars[HAD_113_VAR] = true;
}

/** When the safety follow-up began: a staff reply after it means the resident talks with a person (followUpSafety). */
const SAFETY_SINCE_VAR = "safetySince";

/** True when a staff member replied in this conversation after the 112/113 message, within the quiet period. */
async function staffRepliedSinceEmergency(turn: Turn): Promise<boolean> {
  const since = turn.state.vars[SAFETY_SINCE_VAR];
  const at = await findLastStaffReplyAt(turn.tx, turn.conversationId);
  return typeof since === "string" && at !== null && at.getTime() >= new Date(since).getTime() && (await staffRepliedRecently(turn));
}

/** The question asked when 112 or 113 is possible but not sure, kept in the flow state until answered. */
const SafetyCheckSchema = z.object({ emergency: z.enum(["112", "113"]), text: z.string() });
/** A pending safety question: which number, and the resident's text, to go on with after "no". */
export type SafetyCheck = z.infer<typeof SafetyCheckSchema>;

/**
 * Asks at once, with buttons, when the triage finds 112 or 113 possible but not sure: "Is er nu
 * gevaar? Bel 112." / "Denk je aan zelfdoding? Bel 113 of 0800-0113." The number is in the
 * question itself; the resident's text waits in the flow state for the answer.
 */
export async function askSafetyCheck(turn: Turn, emergency: Emergency, text: string): Promise<void> {
  const { globals } = turn.flows;
  const language = turn.state.language;
  const buttons = [
    { label: globals.messages[emergency === "113" ? "safetyCheckYes113" : "safetyCheckYes112"][language], value: "yes" },
    { label: globals.messages.safetyCheckNo[language], value: "no" },
  ];
  await turn.context.sendActivity(activityFromOutput({ text: messageText(globals, emergency === "113" ? "safetyCheck113" : "safetyCheck112", language), buttons }));
  turn.state.vars.safetyCheck = { emergency, text };
  // Beside staff, they hear about it as about any message.
  if (isWithStaff(turn.conversation.status)) turn.events.push({ conversationId: turn.conversationId, tandemId: turn.conversation.tandemId, kind: "message" });
}

/**
 * The answer to a pending safety question, if one is pending: `yes` (it is an emergency),
 * `no` (go on with the kept text), `unsure` ("weet ik niet", "misschien": to be treated as a call
 * to be safe) or `other` (the resident wrote something else). The question is answered either way
 * and no longer pending.
 */
export function takeSafetyCheckAnswer(turn: Turn): { check: SafetyCheck; answer: "yes" | "no" | "unsure" | "other" } | null {
  const parsed = SafetyCheckSchema.safeParse(turn.state.vars.safetyCheck);
  if (!parsed.success) return null;
  delete turn.state.vars.safetyCheck;
  const read = readActivity(turn.context.activity);
  const said = read.value ?? read.text ?? "";
  if (!read.value && saysUnsure(said)) return { check: parsed.data, answer: "unsure" };
  const answer = yesOrNo(turn, said, parsed.data.emergency);
  return { check: parsed.data, answer: answer ?? "other" };
}

/** Words of a resident who does not know whether there is danger: at "Is er nu gevaar?" that is no "no". */
const UNSURE = [
  "weet ik niet",
  "weet niet",
  "ik weet het niet",
  "weet het niet",
  "geen idee",
  "misschien",
  "twijfel",
  "niet zeker",
  "geen flauw idee",
  "don t know",
  "dont know",
  "not sure",
  "maybe",
  "no idea",
].map(normalise);

/** True when the text says the resident is not sure ("weet ik niet of het gevaar is", "misschien"). */
function saysUnsure(text: string): boolean {
  const said = ` ${normalise(text)} `;
  return UNSURE.some((words) => said.includes(` ${words} `));
}

/**
 * A worry about someone (a possible 112) where the resident said there is no danger now: kept in
 * the flow state for a day, so "wat moet ik nou doen?" gets what to do rather than "begrijp ik niet".
 * A keep_ variable: it survives the flows that run in between (the welcome), and a declined consent wipes it.
 */
const WELFARE_VAR = "keep_welfareWorry";
/** The person offered with that advice, waiting for a yes or no. */
const WELFARE_OFFER_VAR = "welfareOffer";
/** How long after "no danger" a "wat moet ik doen?" is still about that worry. */
const WELFARE_WINDOW_MS = 24 * 3600 * 1000;
/** A 113 moment happened in this conversation: stopping still says 113 is there (survives the follow-up and the flows). */
const HAD_113_VAR = "keep_had113";

const WelfareWorrySchema = z.object({ at: z.string(), text: z.string() });

/** Remembers a worry about someone that the resident said is no danger now (the "no" at "Is er nu gevaar?"). */
export function rememberNoDanger(turn: Turn, check: SafetyCheck): void {
  if (check.emergency === "112") turn.state.vars[WELFARE_VAR] = { at: turn.now.toISOString(), text: check.text };
}

/** True when the text asks what to do now ("wat moet ik nou doen met mijn buurvrouw??", "wie kan ik dan bellen?"). */
export function asksWhatToDo(text: string): boolean {
  return /\b(?:wat\s+(?:moet|kan|zal)\s+ik\b|wat\s+nu\b|wat\s+(?:moet|kan)\s+je\s+(?:dan\s+|nu\s+|nou\s+)?doen|wie\s+(?:moet|kan|zal)\s+ik\s+(?:dan\s+|nu\s+|nou\s+)?bellen|wie\s+bel\s+ik|who\s+(?:should|can|do)\s+i\s+call|what\s+(?:should|can|do)\s+i\s+do|what\s+now)/i.test(
    text,
  );
}

/** True when the resident asks whether to call 112 ("moet ik nou 112 bellen of niet?", "should I call 112"). */
function asksWhether112(text: string): boolean {
  return /\b(?:moet|zal|kan)\s+ik\b[^.!]*\b112\b|\b112\s+bellen\s*\?|\bshould\s+i\s+call\s+112\b/i.test(text);
}

/**
 * A worry about someone without danger now, and the resident asks what to do: the police can go
 * and check (0900-8844), 112 when in doubt, and a person of the gemeente offered (yes hands over).
 */
export async function adviseOnWelfareWorry(turn: Turn): Promise<void> {
  await sendText(turn, "safetyWelfareAdvice", true);
  turn.state.vars[WELFARE_OFFER_VAR] = true;
}

/** Extra words for yes and no at the follow-up question (besides the Ja/Nee buttons and their labels). */
const YES = ["ja", "ja graag", "graag", "ok", "oke", "okay", "prima", "goed", "is goed", "yes", "yes please", "please", "sure", "👍"];
/** At "Is er nu gevaar?" an "ok" or 👍 says the text was read, not that there is danger now: no answer, so asked no further. */
const ACKNOWLEDGEMENTS = new Set(["ok", "oke", "okay", "prima", "goed", "is goed", "sure", "👍"]);
const NO = ["nee", "nee dank je", "nee hoor", "hoeft niet", "nee hoeft niet", "nee niet nodig", "nee bedankt", "nee dank je wel", "niet nodig", "liever niet", "no", "no thanks", "not now", "👎"];

/** The first clause of a message says no ("nee hoeft niet, ik ga zelf even aanbellen", "nee. ik wil gewoon weten…"). */
function firstClauseSaysNo(turn: Turn, text: string): boolean {
  const [first = ""] = text.split(/[.!?;,]+/);
  return first.trim() !== text.trim() && yesOrNo(turn, first) === "no";
}

/** Words that only thank or say goodbye ("ok dank je. doei", "thanks, bye"). */
const CLOSING_WORDS = new Set([
  "ok",
  "oke",
  "okay",
  "oki",
  "dank",
  "je",
  "jullie",
  "u",
  "wel",
  "bedankt",
  "thanks",
  "thank",
  "you",
  "doei",
  "doeg",
  "dag",
  "daag",
  "tot",
  "ziens",
  "later",
  "bye",
  "top",
  "fijn",
  "prima",
  "super",
  "cheers",
  "groetjes",
]);
const THANKS_OR_BYE = new Set(["dank", "bedankt", "thanks", "thank", "doei", "doeg", "dag", "daag", "ziens", "bye", "cheers", "groetjes"]);

/** True when the text only thanks or says goodbye: closed warmly, with no question. */
function saysThanksOrBye(text: string): boolean {
  const words = normalise(text).split(" ").filter(Boolean);
  return words.length > 0 && words.every((word) => CLOSING_WORDS.has(word)) && words.some((word) => THANKS_OR_BYE.has(word));
}

/** After the warm close of a 112 follow-up: a "nee hoeft niet" right after it is respected (answerAfterSafety). */
const SAFETY_CLOSED_VAR = "keep_safetyClosed";
/** The 113 reminder with another question's answer was given (once in a conversation). */
const OTHER_QUESTION_113_VAR = "keep_otherQuestion113";

/** When the afvalkalender was last answered this way, and whether with the short text for a question asked again. */
const WASTE_ANSWER_VAR = "keep_wasteAnswer";
const WasteAnswerSchema = z.object({ at: z.string(), again: z.boolean() });
/** Within this time the same question counts as asked again. */
const WASTE_AGAIN_MS = 30 * 60 * 1000;

/**
 * A question the bot can answer itself after a 112/113 moment or beside staff (when afval is collected): the answer
 * starts instead of the message as such, and staff still see the message. Before consent the answer alone, without the menu.
 */
export function startWasteCalendarAnswer(turn: Turn, text: string | undefined): boolean {
  const cues = turn.flows.globals.wasteCalendar;
  if (!cues || !text || !asksWasteCalendarInClauses(turn.flows.globals, text)) return false;
  const first = turn.residentFacts.consentAsked === true && turn.state.safety === null ? cues.target : (cues.duringWelcome ?? cues.target);
  // Asked again soon after the answer: the short text, and then the answer again (never the same text twice in a row).
  const last = WasteAnswerSchema.safeParse(turn.state.vars[WASTE_ANSWER_VAR]);
  const again = cues.again && last.success && !last.data.again && turn.now.getTime() - new Date(last.data.at).getTime() < WASTE_AGAIN_MS;
  turn.startWith = { type: "start", target: again && cues.again ? cues.again : first };
  turn.state.vars[WASTE_ANSWER_VAR] = { at: turn.now.toISOString(), again: again === true };
  turn.answerBesideStaff = true;
  return true;
}

/**
 * The middleware part for a conversation in safety follow-up (state.safety set) and a message
 * that is no new emergency: answers it itself, or ends the follow-up and lets the chain go on.
 */
export const followUpSafety: Middleware = async (turn, next) => {
  const emergency = turn.state.safety;
  if (!emergency) return answerAfterSafety(turn, next);
  // A person of the gemeente has replied since: the resident talks with them now, and the bot does not answer over them.
  if (await staffRepliedSinceEmergency(turn)) {
    endFollowUp(turn);
    return next();
  }
  const read = readActivity(turn.context.activity);
  const probe = handleEvent(turn.state, { type: "message", ...read }, probeContext(turn));
  const asked = turn.state.vars.safetyAsked === true;
  // "laat maar" or "stop" after "Wil je dat een medewerker contact met je opneemt?" is a no to that, not a new start (the welcome).
  // After 113 that holds at once too: stopping gets 113 once more, warmly, not a bare "ik ben gestopt".
  const declined = (asked || emergency === "113") && (probe.command === "stop" || probe.command === "doei");
  const answer = declined ? "no" : asked ? yesOrNo(turn, read.value ?? read.text ?? "") : null;
  if (probe.command === "human" || answer === "yes") {
    await sendText(turn, emergency === "113" ? "safetyPerson113" : "safetyPerson112");
    await addNote(turn.tx, {
      conversationId: turn.conversationId,
      channel: turn.conversation.channel,
      text: `Na het ${emergency}-bericht wil de bewoner graag dat een medewerker contact opneemt.`,
      authorKind: "bot",
      now: turn.now,
    });
    endFollowUp(turn);
    await keepWithStaff(turn, "note");
    return;
  }
  if (probe.command && !declined) {
    // The resident chose something else (menu, stop, privacy…): that goes first.
    endFollowUp(turn);
    return next();
  }
  const other = parseOtherLanguage(turn.conversationUpdate.language ?? turn.conversation.language);
  if (other) {
    // In another language there is no yes/no to ask: staff take over, the numbers stay in sight.
    await sendInOtherLanguage(turn, other, emergency === "113" ? "followUp113" : "followUp112");
    if (emergency === "112") endFollowUp(turn);
    await keepWithStaff(turn, "message");
    return;
  }
  const said = read.text && !read.value ? read.text : undefined;
  const saidNo = answer === "no" || (asked && answer === null && said !== undefined && firstClauseSaysNo(turn, said));
  if (emergency === "113" && said && !declined && startWasteCalendarAnswer(turn, said)) {
    // Another question after 113 ("wanneer wordt het oud papier opgehaald?"): answered, with 113 once, short; a no to the person is respected.
    if (saidNo) {
      await sendText(turn, "safetyNoPersonShort113");
      endFollowUp(turn);
      await keepWithStaff(turn, "message");
      return next();
    }
    await keepWithStaff(turn, "message");
    await next();
    if (turn.state.vars[OTHER_QUESTION_113_VAR] !== true) {
      await sendText(turn, "safetyOtherQuestion113", true);
      turn.state.vars[OTHER_QUESTION_113_VAR] = true;
      turn.state.vars.safetyAsked = true;
    }
    return;
  }
  if (said && !declined && saysThanksOrBye(said)) {
    // "Ok dank je. doei": one warm line, no question; the conversation stays with staff.
    await sendText(turn, emergency === "113" ? "safetyNoPersonShort113" : "safetyBye112");
    endFollowUp(turn);
    turn.state.vars[SAFETY_CLOSED_VAR] = emergency;
    await keepWithStaff(turn, "message");
    return;
  }
  if (saidNo) {
    await sendText(turn, emergency === "113" ? (turn.state.vars[OTHER_QUESTION_113_VAR] === true ? "safetyNoPersonShort113" : "safetyNoPerson113") : "safetyNoPerson112");
    endFollowUp(turn);
    await keepWithStaff(turn, "message");
    return;
  }
  // After a worry the resident was unsure about: "wat moet ik nu doen dan", "moet ik nou 112 bellen of niet?" gets what to do again.
  if (emergency === "112" && turn.state.vars.safetyWorry === true && read.text && !read.value && (asksWhatToDo(read.text) || asksWhether112(read.text))) {
    await sendText(turn, asksWhether112(read.text) ? "safetyUnsure112" : "safetyWelfareAdvice", true);
    turn.state.vars.safetyAsked = true;
    await keepWithStaff(turn, "message");
    return;
  }
  if (asked && emergency === "112") {
    // Asked once: what the resident writes now is for staff, as any message while they handle it.
    endFollowUp(turn);
    return next();
  }
  // Every further message gets an answer, but never the same text twice in a row: the stay-available text and the 113 reminder take turns.
  const repeat = asked && turn.state.vars.safetyStayShown === true;
  await sendText(turn, repeat ? "safetyReminder113" : asked ? "safetyStayAvailable113" : emergency === "113" ? "safetyAsk113" : "safetyAsk112", !repeat);
  turn.state.vars.safetyStayShown = asked && !repeat;
  turn.state.vars.safetyAsked = true;
  await keepWithStaff(turn, "message");
};

/**
 * Outside the follow-up: a "wat moet ik doen?" after a worry about someone with no danger now gets
 * what to do (the police can go and check, 112 when in doubt) and a person offered; the answer to
 * that offer hands over (the 'mens' flow, with the worry as the question). Stopping after a 113
 * moment says that 113 is there any time, after whatever the stop says.
 */
async function answerAfterSafety(turn: Turn, next: () => Promise<void>): Promise<void> {
  const read = readActivity(turn.context.activity);
  const said = read.value ?? read.text ?? "";
  const worry = WelfareWorrySchema.safeParse(turn.state.vars[WELFARE_VAR]);
  const closed = turn.state.vars[SAFETY_CLOSED_VAR];
  delete turn.state.vars[SAFETY_CLOSED_VAR];
  // "Nee hoeft niet" right after the warm close: respected, not "a member of staff answers you".
  if (closed !== undefined && read.text && !read.value && (yesOrNo(turn, said) === "no" || firstClauseSaysNo(turn, said))) {
    await sendText(turn, closed === "113" ? "safetyNoPersonShort113" : "safetyNoThanks112");
    await keepWithStaff(turn, "message");
    return;
  }
  if (turn.state.vars[WELFARE_OFFER_VAR] === true) {
    delete turn.state.vars[WELFARE_OFFER_VAR];
    const answer = yesOrNo(turn, said) ?? (firstClauseSaysNo(turn, said) ? "no" : null);
    if (answer === "no") return sendText(turn, "safetyNoPerson112");
    if (answer === "yes") {
      delete turn.state.vars[WELFARE_VAR];
      const target = turn.flows.globals.commands.human?.target;
      if (target) turn.startWith = { type: "start", target, vars: worry.success ? { carriedQuestion: worry.data.text } : {} };
      return next();
    }
  }
  const recent = worry.success && turn.now.getTime() - new Date(worry.data.at).getTime() < WELFARE_WINDOW_MS;
  if (recent && read.text && !read.value && asksWhatToDo(read.text)) return adviseOnWelfareWorry(turn);
  if (turn.state.vars[HAD_113_VAR] !== true) return next();
  const probe = handleEvent(turn.state, { type: "message", ...read }, probeContext(turn));
  await next();
  if (probe.command === "stop" || probe.command === "doei") await sendText(turn, "safetyReminder113");
}

async function sendText(turn: Turn, key: MessageKey, offerPerson = false): Promise<void> {
  const { globals } = turn.flows;
  const language = turn.state.language;
  const buttons = offerPerson
    ? [
        { label: globals.messages.yes[language], value: "yes" },
        { label: globals.messages.no[language], value: "no" },
      ]
    : [];
  await turn.context.sendActivity(activityFromOutput({ text: messageText(globals, key, language), buttons }));
}

function yesOrNo(turn: Turn, text: string, check?: Emergency): "yes" | "no" | null {
  const { yes, no, safetyCheckNo } = turn.flows.globals.messages;
  const checkYes = check ? turn.flows.globals.messages[check === "113" ? "safetyCheckYes113" : "safetyCheckYes112"] : null;
  const choices: Choice[] = [
    { value: "yes", labels: [yes.nl, yes.en, ...(check ? YES.filter((word) => !ACKNOWLEDGEMENTS.has(word)) : YES), ...(checkYes ? [checkYes.nl, checkYes.en] : [])] },
    { value: "no", labels: [no.nl, no.en, ...NO, ...(check ? [safetyCheckNo.nl, safetyCheckNo.en] : [])] },
  ];
  const choice = matchChoice(text, choices, { inSentence: false });
  return choice?.value === "yes" ? "yes" : choice?.value === "no" ? "no" : null;
}

function endFollowUp(turn: Turn): void {
  turn.state.safety = null;
  delete turn.state.vars.safetyAsked;
  delete turn.state.vars.safetyWorry;
  delete turn.state.vars.safetyStayShown;
  delete turn.state.vars[SAFETY_SINCE_VAR];
}

/** The conversation stays (or is again) with staff, and staff hear about the message. */
async function keepWithStaff(turn: Turn, kind: "message" | "note"): Promise<void> {
  if (turn.conversation.status !== "open" && (isWithStaff(turn.conversation.status) || turn.conversation.status === "resolved")) {
    await changeStatus(turn.tx, turn.conversationId, "open", { now: turn.now });
  }
  turn.events.push({ conversationId: turn.conversationId, tandemId: turn.conversation.tandemId, kind });
}

function probeContext(turn: Turn) {
  return { flows: turn.flows, resident: turn.residentFacts, classify: turn.deps.classify, today: localDate(turn.now, turn.deps.gemeente.timeZone) };
}
