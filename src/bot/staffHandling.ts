/**
 * While staff handle a conversation the bot stays in the background, but never silent: it passes
 * every message to the tandem's inbox, acknowledges once per quiet period (who reads it, and when
 * an answer can be expected in office-hours terms), and answers itself what needs no person
 * (wijk news, dialoogtafels, privacy, wijkberichten) without taking the conversation from staff.
 */
import type { FlowState } from "../conversation/engine.ts";
import { INTENT_CONFIDENCE } from "../conversation/engine.ts";
import type { FlowSet } from "../conversation/loadFlows.ts";
import type { Language } from "../conversation/flowSchema.ts";
import { normalise } from "../conversation/answers.ts";
import { asksWhoIsThere } from "../conversation/asksWhoIsThere.ts";
import { messageText } from "../conversation/messageText.ts";
import type { TriageResult } from "../conversation/triage.ts";
import { changeStatus } from "../db/conversation.repo.ts";
import { findLastStaffReplyAt } from "../db/staffHandling.repo.ts";
import type { Intent, OtherLanguage } from "../domain/vocabulary.ts";
import { addWorkingHours, describeDeadline } from "../routing/officeHours.ts";
import { acknowledgeActivity, activityFromOutput } from "./activity.ts";
import { conversationOtherLanguage, handoverText, isBareThanks, stillThereText } from "./otherLanguages.ts";
import type { Turn } from "./turn.ts";

/** Within this time after an acknowledgement the bot does not acknowledge again, unless staff replied in between. */
export const QUIET_PERIOD_MS = 2 * 3600 * 1000;

/** The flow variable that holds when the bot last acknowledged (a keep_ variable survives the flows run in between). */
export const ACKNOWLEDGED_AT_VAR = "keep_staffAcknowledgedAt";

/**
 * The flow variable with the name of the wijk the last handover went to ("" for the general team): a resident with no
 * wijk on record yet (a wijk found at "Klopt dat?", src/bot/actions.ts) still hears whose gebiedsregisseur has it.
 */
export const HANDED_TO_WIJK_VAR = "keep_staffWijkName";

/** Intents the bot answers itself while staff handle the conversation: none of them needs a person. */
const ANSWERED_BESIDE_STAFF: readonly Intent[] = ["wijknieuws", "dialoogtafel", "privacy", "abonneren"];

/** True when the resident's text clearly asks for something the bot can answer itself beside staff. */
export function answersBesideStaff(triage: TriageResult): boolean {
  return ANSWERED_BESIDE_STAFF.includes(triage.intent) && triage.confidence.intent >= INTENT_CONFIDENCE;
}

/**
 * True when the text names one of the privacy flow's requests by its words ("can you delete all my data please", "wat
 * doen jullie met mijn gegevens"): the bot answers those itself, also beside staff and right after a staff reply.
 */
export function namesPrivacyRequest(flows: FlowSet, text: string): boolean {
  const said = ` ${normalise(text)} `;
  return [...flows.flows.values()].some(
    (flow) => flow.intents.includes("privacy") && flow.entries.some((entry) => !entry.firstMessage && entry.words.some((word) => said.includes(` ${normalise(word)} `))),
  );
}

/** True when the resident's text clearly asks for a person (who already has the conversation). */
export function asksForPerson(triage: TriageResult): boolean {
  return triage.intent === "contact" && triage.confidence.intent >= INTENT_CONFIDENCE;
}

/** True when the text only asks whether anyone is there or reads along ("is daar iemand?", "hallo??"): answered in words each time. */
export function asksWhetherAnyoneReads(text: string): boolean {
  return asksWhoIsThere(text) || /^(?:hallo+|hello|hoi|hey|hi)\s*\?+$/i.test(text.trim());
}

/** Asking when an answer comes ("wanneer hoor ik wat?", "hoe lang duurt het?"): answered with the expected response time, every time. */
const ASKS_WHEN =
  /\b(?:wanneer\s+(?:hoor|krijg|weet)\s+ik|wanneer\s+(?:komt|krijg\s+ik)\s+(?:er\s+)?(?:een\s+)?(?:antwoord|reactie)|wanneer\s+(?:reageren|antwoorden|bellen)\s+(?:jullie|ze|zij)|hoe\s+lang\s+(?:duurt|moet\s+ik\s+wachten)|when\s+will\s+i\s+(?:hear|get)|how\s+long\s+(?:will|does)\s+it\s+take)\b/i;

/** True when the text asks when the person the conversation was handed to will answer. */
export function asksWhenAnswered(text: string): boolean {
  return ASKS_WHEN.test(text);
}

/** True when staff replied in this conversation within the quiet period: the resident is talking with a person. */
export async function staffRepliedRecently(turn: Turn): Promise<boolean> {
  const at = await findLastStaffReplyAt(turn.tx, turn.conversationId);
  return at !== null && turn.now.getTime() - at.getTime() < QUIET_PERIOD_MS;
}

/**
 * Whether the bot acknowledges in words now: when neither the bot acknowledged nor staff replied
 * within the quiet period. Right after a staff reply the resident is talking with a person, and a
 * bot text in between would only interrupt (a reaction shows the message arrived); once it has
 * been quiet for a while, the resident hears again who reads it and when.
 */
export function needsAcknowledgement(vars: FlowState["vars"], lastStaffReplyAt: Date | null, now: Date): boolean {
  const stored = vars[ACKNOWLEDGED_AT_VAR];
  const acknowledgedAt = typeof stored === "string" && !Number.isNaN(new Date(stored).getTime()) ? new Date(stored) : null;
  const latest = Math.max(acknowledgedAt?.getTime() ?? 0, lastStaffReplyAt?.getTime() ?? 0);
  return latest === 0 || now.getTime() - latest >= QUIET_PERIOD_MS;
}

/** The acknowledgement in words: who reads it (the wijk's gebiedsregisseur) and when an answer can be expected. */
export function describeStaffHandling(flows: FlowSet, input: { now: Date; timeZone: string; language: Language; wijkName: string | null; again?: boolean; askedWhen?: boolean }): string {
  const { globals, settings } = flows;
  const deadline = addWorkingHours(input.now, settings.responseTargetWorkingHours, settings, input.timeZone);
  const expectedResponse = describeDeadline(deadline, input.now, input.language, input.timeZone, {
    today: globals.messages.deadlineToday[input.language],
    tomorrow: globals.messages.deadlineTomorrow[input.language],
    later: globals.messages.deadlineLater[input.language],
  });
  // "Wanneer hoor ik wat?": the time is the answer, first, every time (not "Ja, ik ben er").
  const when = input.askedWhen ? (input.wijkName ? globals.messages.staffWhenAnswered : globals.messages.staffWhenAnsweredNoWijk) : undefined;
  if (when) return fillIn(when[input.language], { wijkName: input.wijkName ?? "", expectedResponse });
  if (!input.wijkName) return messageText(globals, input.again ? "staffStillThereNoWijk" : "staffHandlingNoWijk", input.language, { expectedResponse });
  return messageText(globals, input.again ? "staffStillThere" : "staffHandling", input.language, { wijkName: input.wijkName, expectedResponse });
}

/** When the bot last said in another language that a message arrived (stillThere): said once, not after every message. */
export const OTHER_LANGUAGE_LINE_AT_VAR = "keep_otherLanguageLineAt";

/** How a further message in another language (Turkish, Polish…) is acknowledged: the handover text, the short line that it arrived, or a 👍. */
export type OtherLanguageAcknowledgement = "handover" | "line" | "reaction";

function storedTime(value: unknown): number {
  const at = typeof value === "string" ? new Date(value).getTime() : Number.NaN;
  return Number.isNaN(at) ? 0 : at;
}

/**
 * The acknowledgement of a further message in another language while staff handle the conversation. The bot
 * cannot converse in it, so it never answers the message itself, and never with the same text every time:
 * - nothing said yet: the handover text (I am a chatbot, a person answers here by …);
 * - right after a staff reply the resident is talking with that person: a 👍 shows it was added;
 * - right after the bot's words: the short line once (an "evet" after the handover must not look unread), a
 *   question ("ne zaman?") gets it again as it says by when; after that, and for thanks, a 👍;
 * - after a quiet period: the handover text again, as in Dutch; once staff replied, only the short line
 *   (the resident knows a person reads along).
 */
export function acknowledgeOtherLanguage(vars: FlowState["vars"], lastStaffReplyAt: Date | null, now: Date, message: { thanks: boolean; question: boolean }): OtherLanguageAcknowledgement {
  const acknowledgedAt = storedTime(vars[ACKNOWLEDGED_AT_VAR]);
  const staffAt = lastStaffReplyAt?.getTime() ?? 0;
  if (acknowledgedAt === 0 && staffAt === 0) return "handover";
  const quiet = now.getTime() - Math.max(acknowledgedAt, staffAt) >= QUIET_PERIOD_MS;
  if (message.thanks) return "reaction";
  if (staffAt > acknowledgedAt) return quiet ? "line" : "reaction";
  if (quiet) return "handover";
  if (message.question) return "line";
  return storedTime(vars[OTHER_LANGUAGE_LINE_AT_VAR]) >= acknowledgedAt ? "reaction" : "line";
}

/** Acknowledges a message in another language as acknowledgeOtherLanguage decides; the message is with staff already. */
async function acknowledgeInOtherLanguage(turn: Turn, language: OtherLanguage, lastStaffReplyAt: Date | null): Promise<void> {
  const said = turn.context.activity.text ?? "";
  const kind = acknowledgeOtherLanguage(turn.state.vars, lastStaffReplyAt, turn.now, { thanks: isBareThanks(turn.flows, language, said), question: /[?؟]/.test(said) });
  if (kind === "reaction") {
    await turn.context.sendActivity(acknowledgeActivity(turn.context.activity));
    return;
  }
  const { timeZone } = turn.deps.gemeente;
  const text = kind === "handover" ? handoverText(turn.flows, language, turn.now, timeZone, turn.residentFacts.consent === true) : stillThereText(turn.flows, language, turn.now, timeZone);
  await turn.context.sendActivity(activityFromOutput({ text, buttons: [] }));
  turn.state.vars[ACKNOWLEDGED_AT_VAR] = turn.now.toISOString();
  if (kind === "line") turn.state.vars[OTHER_LANGUAGE_LINE_AT_VAR] = turn.now.toISOString();
}

/** A text with its {{variables}} filled in (as messageText, for the optional texts). */
function fillIn(template: string, vars: Record<string, string>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => vars[name] ?? "");
}

/**
 * Passes the resident's message to the tandem's inbox (the conversation back to open, a "message"
 * event for staff) and acknowledges it when the quiet period asks for it, or always when `force`
 * (the resident asked for a person: say they already have one).
 */
export async function passToStaff(turn: Turn, options: { acknowledge: boolean; force?: boolean; askedWhoIsThere?: boolean; askedWhen?: boolean }): Promise<void> {
  if (turn.conversation.status !== "open") await changeStatus(turn.tx, turn.conversationId, "open", { now: turn.now });
  turn.events.push({ conversationId: turn.conversationId, tandemId: turn.conversation.tandemId, kind: "message" });
  if (!options.acknowledge) return;
  const lastStaffReplyAt = await findLastStaffReplyAt(turn.tx, turn.conversationId);
  const other = conversationOtherLanguage(turn);
  if (other) return acknowledgeInOtherLanguage(turn, other, lastStaffReplyAt);
  const acknowledged = !options.force && !needsAcknowledgement(turn.state.vars, lastStaffReplyAt, turn.now);
  // Acknowledged in words already in this quiet period: a 👍 on the message, so the resident still sees it arrived.
  if (acknowledged) {
    await turn.context.sendActivity(acknowledgeActivity(turn.context.activity));
    return;
  }
  const handedTo = turn.state.vars[HANDED_TO_WIJK_VAR];
  const wijkName = typeof turn.residentFacts.wijkName === "string" ? turn.residentFacts.wijkName : typeof handedTo === "string" && handedTo ? handedTo : null;
  // Asked again ("hallo?") within the quiet period of the words: that it arrived, rather than the same text once more.
  const again = options.askedWhoIsThere === true && !needsAcknowledgement(turn.state.vars, lastStaffReplyAt, turn.now);
  const text = describeStaffHandling(turn.flows, { now: turn.now, timeZone: turn.deps.gemeente.timeZone, language: turn.state.language, wijkName, again, askedWhen: options.askedWhen === true });
  // Before the resident chose anything (e.g. a 112 message came first), typing 'menu' starts the welcome: no button that skips it.
  const menu = turn.flows.flows.get(turn.flows.globals.menu);
  const buttons = menu && turn.residentFacts.consentAsked ? [{ label: menu.title[turn.state.language] ?? menu.title.nl, value: "menu" }] : [];
  await turn.context.sendActivity(activityFromOutput({ text, buttons }));
  turn.state.vars[ACKNOWLEDGED_AT_VAR] = turn.now.toISOString();
}

/**
 * True when free text does not fit the question the bot asked beside staff: then it is a message
 * for staff, not a wrong answer. A short reply that may be a try at the answer ("jao", "hmm weet niet zo goed")
 * gets the question once more first, with its buttons: "Weet je het zeker?" before an erasure must
 * not vanish on a word the bot did not read.
 */
export function isTextForStaff(before: FlowState, after: FlowState, read: { text?: string; value?: string; location?: unknown; media?: unknown }, flows: FlowSet): boolean {
  if (!read.text || read.value || read.location || read.media) return false;
  // In a form the resident started beside staff (a new idea after 'nieuw onderwerp'), an unfitting answer is asked again, as anywhere.
  if (!before.flow || !answersBesideStaffFlow(flows, before.flow)) return false;
  return after.waiting === "ask" && after.flow === before.flow && after.step === before.step && after.tries > before.tries && (before.tries >= 1 || !mayBeAnAnswer(read.text));
}

/** A reply of at most six words and no question: perhaps an answer the bot did not read ("hmm weet niet zo goed"). */
function mayBeAnAnswer(text: string): boolean {
  return !text.includes("?") && text.trim().split(/\s+/).length <= 6;
}

/** True for the flows of what the bot answers itself beside staff (wijk news, dialoogtafels, privacy, wijkberichten). */
function answersBesideStaffFlow(flows: FlowSet, flowId: string): boolean {
  const flow = flows.flows.get(flowId);
  return flow?.intents.some((intent) => ANSWERED_BESIDE_STAFF.some((answered) => answered === intent)) ?? false;
}

/** The state with no question open, keeping the language and the variables that carry over. */
export function withoutOpenQuestion(state: FlowState): FlowState {
  return { ...state, flow: null, step: null, waiting: null, tries: 0, resume: null };
}
