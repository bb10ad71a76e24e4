/**
 * Residents who write in a language the bot recognises but does not converse in (Turkish, Arabic,
 * Polish, Ukrainian, German: OTHER_LANGUAGES in domain/vocabulary.ts). Emergencies get their 112
 * or 113 text in that language at once (src/bot/turn.ts, answerEmergencies, and the follow-up in
 * src/bot/safety.ts); any other message gets one short answer in that language — I am a chatbot,
 * a person of the gemeente will answer here — and the conversation goes to the tandem, with the
 * language shown in the inbox. Global commands (menu, english, nederlands…) still work, so a
 * resident can go on with the bot in Dutch or English. The texts are in flows/globals.yaml
 * (`otherLanguages`).
 */
import { normalise } from "../conversation/answers.ts";
import { handleEvent, type FlowState } from "../conversation/engine.ts";
import type { OtherLanguageTextsSchema } from "../conversation/flowSchema.ts";
import type { FlowSet } from "../conversation/loadFlows.ts";
import { addWorkingHours, roundDeadline } from "../routing/officeHours.ts";
import type { ResidentTriage } from "../conversation/residentTriage.ts";
import { changeStatus, routeConversation } from "../db/conversation.repo.ts";
import { recordConversationTopic } from "../db/turn.repo.ts";
import { findWijkByPostcode, findWijkRefById, findWijkRefBySlug } from "../db/wijk.repo.ts";
import { localDate } from "../domain/time.ts";
import type { WijkRef } from "../domain/wijk.ts";
import { isWithStaff, OtherLanguageSchema, type OtherLanguage } from "../domain/vocabulary.ts";
import { parsePostcode } from "../routing/postcode.ts";
import { routeResident } from "../routing/routeResident.ts";
import { activityFromOutput, readActivity } from "./activity.ts";
import { ACKNOWLEDGED_AT_VAR } from "./staffHandling.ts";
import type { Middleware, Turn } from "./turn.ts";
import type { z } from "zod";

/** The name of one set text in another language (the texts that need no filling in). */
export type OtherLanguageTextKey = Exclude<keyof z.infer<typeof OtherLanguageTextsSchema>, "handoverNoConsent" | "stillThere" | "thanks">;

/** Sends one of the set texts in another language (the handover worded for the resident's consent). */
export async function sendInOtherLanguage(turn: Turn, language: OtherLanguage, key: OtherLanguageTextKey): Promise<void> {
  const text = key === "handover" ? handoverText(turn.flows, language, turn.now, turn.deps.gemeente.timeZone, turn.residentFacts.consent === true) : turn.flows.globals.otherLanguages[language][key];
  await turn.context.sendActivity(activityFromOutput({ text, buttons: [] }));
}

/** The locale a deadline is written in, per other language. */
const LOCALES: Record<OtherLanguage, string> = { tr: "tr-TR", ar: "ar", pl: "pl-PL", uk: "uk-UA", de: "de-DE" };

/**
 * The handover in another language, with by when a person answers: the same response target (in
 * working hours) as the Dutch handover, as a day and a whole hour in that language ("piątek, 27 listopada, 17:00").
 * Only a resident who agreed (`consented`) hears that the bot keeps the message; the others are not told what is not so.
 */
export function handoverText(flows: FlowSet, language: OtherLanguage, now: Date, timeZone: string, consented: boolean): string {
  const texts = flows.globals.otherLanguages[language];
  return withDeadline(consented ? texts.handover : texts.handoverNoConsent, language, flows, now, timeZone);
}

/** A further message in the quiet period after the handover, in that language: it arrived, and by when a person answers. */
export function stillThereText(flows: FlowSet, language: OtherLanguage, now: Date, timeZone: string): string {
  return withDeadline(flows.globals.otherLanguages[language].stillThere, language, flows, now, timeZone);
}

/** True when the text is only thanks or ok in that language ("teşekkürler"): a 👍 answers it. */
export function isBareThanks(flows: FlowSet, language: OtherLanguage, text: string): boolean {
  const said = normalise(text);
  const { thanks } = flows.globals.otherLanguages[language];
  return thanks.includes(text.trim()) || (said.length > 0 && thanks.some((words) => normalise(words) === said));
}

function withDeadline(text: string, language: OtherLanguage, flows: FlowSet, now: Date, timeZone: string): string {
  const deadline = roundDeadline(addWorkingHours(now, flows.settings.responseTargetWorkingHours, flows.settings, timeZone));
  const when = new Intl.DateTimeFormat(LOCALES[language], { timeZone, weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(deadline);
  return text.replace(/\{\{\s*when\s*\}\}/g, when);
}

/** The triage of the turn's text (once per turn: the emergency check and this part share it). */
export function triageTurn(turn: Turn): ResidentTriage | null {
  const text = turn.context.activity.text;
  // A tapped button carries the bot's own label ("Ik help zelf mee"), not the resident's words.
  if (!text || readActivity(turn.context.activity).value) return null;
  turn.triage ??= turn.deps.classify(text);
  return turn.triage;
}

/** How many words a message needs to be handed over as another language while the bot waits for an answer. */
const MIN_WORDS_AT_QUESTION = 3;

/** The state after a handover: whatever form ran is over (the resident gets no more questions in Dutch). */
function stopForm(state: FlowState): FlowState {
  return { ...state, flow: null, step: null, waiting: null, tries: 0, resume: null };
}

/**
 * The middleware part: a message in another language, while the bot holds the conversation and it
 * is no global command, is answered in that language and handed to the tandem of the resident's
 * wijk (or, without a wijk, to the gemeente's list of conversations without a tandem).
 */
export const answerOtherLanguages: Middleware = async (turn, next) => {
  const triage = triageTurn(turn);
  const language = triage?.languageConfident ? triage.answerLanguage : null;
  if (isWithStaff(turn.conversation.status) && conversationOtherLanguage(turn) && !turn.conversation.tandemId) await routeByPostcodeInText(turn);
  if (!language || isWithStaff(turn.conversation.status)) return next();
  // An answer to the bot's question ("5662 AB", "Heuvel 3") is easily misread: there it takes a sentence.
  if (turn.state.waiting === "ask" && (turn.context.activity.text ?? "").trim().split(/\s+/).length < MIN_WORDS_AT_QUESTION) return next();
  const probe = handleEvent(turn.state, { type: "message", ...readActivity(turn.context.activity) }, probeContext(turn));
  if (probe.command) return next();

  await sendInOtherLanguage(turn, language, "handover");
  turn.conversationUpdate.language = language;
  turn.state = stopForm(turn.state);
  // The handover text is the acknowledgement in the resident's language: the next messages of this quiet period get a 👍, not Dutch text.
  turn.state.vars[ACKNOWLEDGED_AT_VAR] = turn.now.toISOString();
  const wijk = turn.resident.wijkId ? await findWijkRefById(turn.tx, turn.resident.wijkId) : await wijkOfPostcodeInText(turn);
  const route = wijk ? await routeResident({ wijk }) : null;
  const routed = route?.wijk && route.reason !== "inactive" ? route : null;
  const tandemId = routed?.tandem?.id ?? turn.conversation.tandemId;
  const ordinary = triage && triage.intent !== "groet" && triage.intent !== "onbekend" ? triage.intent : "contact";
  await recordConversationTopic(turn.tx, turn.conversationId, {
    wijkId: routed?.wijk?.id ?? turn.resident.wijkId,
    tandemId: tandemId ?? null,
    intent: ordinary,
    // No emergency was found: a theme guessed from words the triage does not know is no safety matter (staff choose the theme).
    theme: !triage || triage.theme === "veiligheid" ? "overig" : triage.theme,
    now: turn.now,
  });
  await changeStatus(turn.tx, turn.conversationId, "open", { now: turn.now });
  turn.events.push({ conversationId: turn.conversationId, tandemId: tandemId ?? null, kind: "handover" });
};

/** The wijk of a full postcode ("5731 CA") in the turn's text, or null (none, four digits alone, or outside the gemeente). */
async function wijkOfPostcodeInText(turn: Turn): Promise<WijkRef | null> {
  const postcode = parsePostcode(turn.context.activity.text ?? "");
  if (!postcode?.letters) return null;
  const found = (await findWijkByPostcode(turn.tx, turn.deps.gemeente.id, postcode.formatted)).wijk;
  return found ? findWijkRefBySlug(turn.tx, turn.deps.gemeente.id, found.slug) : null;
}

/**
 * A postcode in a later message of a conversation in another language that has no tandem yet (the Polish
 * resident who types "5731 CA" after the handover): the conversation goes to that wijk's tandem, so staff
 * see its wijk in one inbox rather than "Onbekend" in every one. Only the conversation is routed; the
 * resident gave no consent to keep a wijk.
 */
async function routeByPostcodeInText(turn: Turn): Promise<void> {
  const wijk = await wijkOfPostcodeInText(turn);
  const route = wijk ? await routeResident({ wijk }) : null;
  if (!route?.wijk || route.reason === "inactive") return;
  const tandemId = route.tandem?.id ?? null;
  await routeConversation(turn.tx, turn.conversationId, { wijkId: route.wijk.id, tandemId });
  turn.conversation.tandemId = tandemId;
  turn.events.push({ conversationId: turn.conversationId, tandemId, kind: "handover" });
}

function probeContext(turn: Turn) {
  return { flows: turn.flows, resident: turn.residentFacts, classify: turn.deps.classify, today: localDate(turn.now, turn.deps.gemeente.timeZone) };
}

/** The other language the conversation is in (as recognised earlier), or null for Dutch, English or unknown. */
export function conversationOtherLanguage(turn: Turn): OtherLanguage | null {
  const parsed = OtherLanguageSchema.safeParse(turn.conversationUpdate.language ?? turn.conversation.language);
  return parsed.success ? parsed.data : null;
}
