/**
 * One turn: the bot handles one stored inbound message of a conversation, inside one database
 * transaction. The message becomes an Activity on a TurnContext; a chain of middleware (as
 * grammY's Composer) loads the session, answers emergencies first, stays quiet while staff
 * handle the conversation, and runs the flow engine with its actions. What the bot sends is
 * written to the outbox in the same transaction that marks the message handled, so every
 * message is answered exactly once.
 */
import {
  handleEvent,
  FlowStateSchema,
  tappedMenuOption,
  firstMessageEntry,
  intentOfOverrulingEntry,
  namesKnownRequest,
  describesMatter,
  INTENT_CONFIDENCE,
  type EngineContext,
  type EngineEvent,
  type FlowState,
} from "../conversation/engine.ts";
import type { Target } from "../conversation/flowSchema.ts";
import type { FlowSet } from "../conversation/loadFlows.ts";
import { emergency112Text } from "../conversation/emergencyKinds.ts";
import { messageText, type MessageKey } from "../conversation/messageText.ts";
import { findPlaceInText, namesStreet } from "../conversation/placeInText.ts";
import { asksWasteCalendar, routeQuestion } from "../conversation/questionForm.ts";
import type { ResidentTriage } from "../conversation/residentTriage.ts";
import type { Tx } from "../db/client.ts";
import { addNote, changeStatus, LAST_SEEN_GRANULARITY_MS, routeConversation } from "../db/conversation.repo.ts";
import { forgetInboundContent } from "../db/inbound.repo.ts";
import { findLastThingWasWijkbericht } from "../db/wijkbericht.repo.ts";
import { saveFlowState, saveTurnOutcome, touchConversation, type TurnInput, type TurnLookups } from "../db/turn.repo.ts";
import { findWijkByPostcode, findWijkRefById, findWijkRefBySlug, listWijken, listWijkenForPostcode4, listWijkenWithKern } from "../db/wijk.repo.ts";
import { matchWijkName } from "../routing/matchWijkName.ts";
import { localDate } from "../domain/time.ts";
import type { WijkRef } from "../domain/wijk.ts";
import type { InboxEvent } from "../domain/events.ts";
import { normalisePostcode, parsePostcode } from "../routing/postcode.ts";
import { routeResident } from "../routing/routeResident.ts";
import { deleteWebchatPhotos } from "../channels/webchat/webchatPhotos.ts";
import { DEFAULT_RETENTION, type RetentionSettings } from "../privacy/retentionSettings.ts";
import { runAction, type ActionContext } from "./actions.ts";
import { activityFromMessage, activityFromOutput, CollectingAdapter, payloadFromActivity, readActivity, type StoredInbound, type TurnContext } from "./activity.ts";
import { mergeBubbles } from "../domain/messages.ts";
import { isWithStaff } from "../domain/vocabulary.ts";
import { answerOtherLanguages, sendInOtherLanguage, triageTurn } from "./otherLanguages.ts";
import { INBOUND_LIMIT, limitFloods } from "./floodLimit.ts";
import { answerClosingWords, answerFeedback } from "../trust/answerFeedback.ts";
import { answerTrustPulse } from "../trust/answerTrustPulse.ts";
import { adviseOnWelfareWorry, askSafetyCheck, asksWhatToDo, followUpSafety, rememberNoDanger, startWasteCalendarAnswer, stopFormForSafety, takeSafetyCheckAnswer } from "./safety.ts";
import { offerToRemoveSensitiveData } from "./minimiseData.ts";
import {
  ACKNOWLEDGED_AT_VAR,
  answersBesideStaff,
  asksForPerson,
  asksWhenAnswered,
  asksWhetherAnyoneReads,
  isTextForStaff,
  namesPrivacyRequest,
  passToStaff,
  staffRepliedRecently,
  withoutOpenQuestion,
} from "./staffHandling.ts";
import { asksToCloseCase } from "../routing/caseFollowUp.ts";

/** What every turn needs from the running service. */
export interface BotDeps {
  flows: () => FlowSet;
  classify: (text: string) => ResidentTriage;
  gemeente: { id: string; name: string; timeZone: string };
  publicUrl: string;
  secret: string;
  /** Where web chat photos are kept (DATA_DIR/media); forgetting a resident's messages deletes their files. */
  mediaDir?: string;
  /** The retention periods in force: how long the bot says messages are kept (default src/privacy/retentionSettings.ts). */
  retention?: RetentionSettings;
  now?: () => Date;
}

/** The turn's shared state, passed along the middleware chain. */
export interface Turn {
  tx: Tx;
  context: TurnContext;
  deps: BotDeps;
  flows: FlowSet;
  now: Date;
  message: StoredInbound;
  /** Another message of the conversation waits behind this one (read with it). */
  moreWaiting: boolean;
  /** What the middleware would otherwise ask in statements of their own, read with the message (findNextTurnInput). */
  lookups: TurnInput["lookups"];
  conversation: TurnInput["conversation"];
  resident: TurnInput["resident"];
  state: FlowState;
  /** Facts about the resident for flow conditions and texts. */
  residentFacts: Record<string, unknown>;
  /** The conversation to write state and replies to (an action may switch it). */
  conversationId: string;
  erased: boolean;
  /** Extra conversation fields to write at the end. */
  conversationUpdate: { emergency?: string; language?: string };
  /** The triage of the message's text, once computed (src/bot/otherLanguages.ts, triageTurn). */
  triage?: ResidentTriage | null;
  /** What staff should hear about once the turn is committed. */
  events: InboxEvent[];
  /** A flow to start instead of handling the message as such (the person offered after a worry, src/bot/safety.ts). */
  startWith?: EngineEvent;
  /** The bot answers this message itself also while staff handle the conversation (startWith: the afvalkalender, src/bot/safety.ts). */
  answerBesideStaff?: boolean;
}

/** A step in the chain: do something, then (perhaps) call next(). */
export type Middleware = (turn: Turn, next: () => Promise<void>) => Promise<void>;

/** Sends a bot output on the turn's TurnContext. */
async function send(turn: Turn, output: Parameters<typeof activityFromOutput>[0]): Promise<void> {
  await turn.context.sendActivity(activityFromOutput(output));
}

function turnText(turn: Turn, key: MessageKey): string {
  return messageText(turn.flows.globals, key, turn.state.language);
}

/**
 * Emergencies first: 112 or 113 at once, the conversation flagged for staff, the form stopped. No
 * flow can swallow it, and the next messages get the safety follow-up (src/bot/safety.ts). In
 * another language (Turkish, Arabic…) the answer comes in that language first, then in the
 * conversation language, so a misread language never costs the resident the numbers.
 */
export const answerEmergencies: Middleware = async (turn, next) => {
  const pending = takeSafetyCheckAnswer(turn);
  if (pending?.answer === "yes") return answerEmergency(turn, pending.check.emergency, null);
  // Not sure whether there is danger: call to be safe (112 decides with you), and a person offered; never on to the next question as if nothing was said.
  if (pending?.answer === "unsure") return answerEmergency(turn, pending.check.emergency, null, { unsure: true });
  // "Nee hij ligt niet op de grond, wie kan ik dan bellen?": an answer and the question in the same breath gets what to do.
  const said = turn.context.activity.text;
  if (
    (pending?.answer === "no" || pending?.answer === "other") &&
    pending.check.emergency === "112" &&
    said &&
    !turn.context.activity.value &&
    asksWhatToDo(said) &&
    !turn.deps.classify(said).emergency
  ) {
    rememberNoDanger(turn, pending.check);
    return adviseOnWelfareWorry(turn);
  }
  if (pending?.answer === "no") {
    rememberNoDanger(turn, pending.check);
    // No danger: the turn goes on where the resident was, with the text they wrote before the question.
    turn.context.activity.text = pending.check.text;
    turn.context.activity.value = undefined;
    const kept = turn.deps.classify(pending.check.text);
    turn.triage = { ...kept, emergency: null, possibleEmergency: null };
    return followUpSafety(turn, next);
  }
  const result = triageTurn(turn);
  // Staff see the language the resident writes in (the inbox label).
  if (result?.languageConfident) turn.conversationUpdate.language = result.detectedLanguage;
  // Already in the follow-up of this very number: the follow-up answers (it keeps the number in sight and offers a person).
  if (result?.emergency && result.emergency !== turn.state.safety) return answerEmergency(turn, result.emergency, result);
  const text = turn.context.activity.text;
  // Possible but not sure: ask at once, with the number in the question (not during the follow-up of a 112/113 already answered).
  // A request the flows know by its words ("I want to delete my data") is no possible emergency.
  if (result?.possibleEmergency && text && !turn.state.safety && !namesKnownRequest(turn.flows, text)) return askSafetyCheck(turn, result.possibleEmergency, text);
  return followUpSafety(turn, next);
};

/** Answers a 112 or 113 message (or a "yes" to the safety question): the number, staff, the form stopped. */
async function answerEmergency(turn: Turn, emergency: "112" | "113", result: ResidentTriage | null, options: { unsure?: boolean } = {}): Promise<void> {
  if (result?.language === "en" && !turn.state.vars.languageChosen && turn.state.flow === null) turn.state.language = "en";
  if (result?.answerLanguage) {
    turn.conversationUpdate.language = result.answerLanguage;
    await sendInOtherLanguage(turn, result.answerLanguage, emergency === "113" ? "crisis113" : "emergency112");
  }
  // A 112 answer that fits the emergency (gas, fire, not breathing, violence: flows/globals.yaml emergencyKinds).
  const said = readActivity(turn.context.activity).text ?? "";
  const unsure112 = options.unsure === true && emergency === "112";
  const answer = emergency === "113" ? turnText(turn, "crisis113") : unsure112 ? turnText(turn, "safetyUnsure112") : emergency112Text(turn.flows.globals, said, turn.state.language);
  const { messages } = turn.flows.globals;
  const buttons = unsure112
    ? [
        { label: messages.yes[turn.state.language], value: "yes" },
        { label: messages.no[turn.state.language], value: "no" },
      ]
    : [];
  await send(turn, { text: answer, buttons });
  turn.conversationUpdate.emergency = emergency;
  let tandemId = turn.conversation.tandemId;
  if (turn.conversation.status === "bot" || turn.conversation.status === "resolved") {
    await changeStatus(turn.tx, turn.conversationId, "open", { now: turn.now });
    // The wijk: the resident's, or one the conversation already named (a postcode or wijk not yet confirmed).
    const known = turn.conversation.tandemId ? null : turn.resident.wijkId ? await findWijkRefById(turn.tx, turn.resident.wijkId) : await wijkFromEarlierText(turn);
    if (known) {
      const route = await routeResident({ wijk: known });
      if (route.wijk && route.reason !== "inactive") {
        tandemId = route.tandem?.id ?? null;
        await routeConversation(turn.tx, turn.conversationId, { wijkId: route.wijk.id, tandemId });
      }
    }
  }
  turn.events.push({ conversationId: turn.conversationId, tandemId, kind: "handover" });
  // The message is answered; the form is over, its answers kept for staff.
  await stopFormForSafety(turn, emergency);
  // The person is offered in the answer itself: the next message is the answer to that.
  if (unsure112) {
    turn.state.vars.safetyAsked = true;
    // A worry about someone, not a fire or a fight: "wat moet ik nu doen?" in the follow-up gets what to do for that (src/bot/safety.ts).
    turn.state.vars.safetyWorry = true;
  }
}

/**
 * The wijk that earlier messages of this conversation named but that is not the resident's (yet):
 * a wijk found and waiting for "Klopt dat?", or a postcode kept from an earlier message. Null if none.
 */
async function wijkFromEarlierText(turn: Turn): Promise<WijkRef | null> {
  const slug = turn.state.vars.wijkSlug;
  if (typeof slug === "string" && slug) return findWijkRefBySlug(turn.tx, turn.deps.gemeente.id, slug);
  const place = turn.state.vars.keep_place;
  if (place && typeof place === "object" && "kind" in place && place.kind === "postcode" && "text" in place && typeof place.text === "string") {
    const found = (await findWijkByPostcode(turn.tx, turn.deps.gemeente.id, place.text)).wijk;
    return found ? findWijkRefBySlug(turn.tx, turn.deps.gemeente.id, found.slug) : null;
  }
  return null;
}

/**
 * While staff handle the conversation the bot stays in the background, never silent: every message
 * goes to the tandem's inbox with one acknowledgement per quiet period; global commands and what
 * the bot can answer itself (wijk news, dialoogtafels, privacy, wijkberichten) still run.
 */
export const quietWhileStaffHandle: Middleware = async (turn, next) => {
  if (!isWithStaff(turn.conversation.status)) return next();
  const read = readActivity(turn.context.activity);
  // What the bot answers itself ("wanneer wordt het oud papier opgehaald?", "delete all my data"): answered, also right after a
  // staff reply; staff still see the message.
  if (turn.answerBesideStaff || (read.text && !read.value && (startWasteCalendarAnswer(turn, read.text) || namesPrivacyRequest(turn.flows, read.text)))) {
    await passToStaff(turn, { acknowledge: false });
    return next();
  }
  const probe = handleEvent(turn.state, { type: "message", ...read }, engineContext(turn));
  // "is daar iemand?", "hallo??": answered in words every time, and soon after the last words not with the same text again.
  if (read.text && !read.value && turn.state.waiting !== "ask" && asksWhetherAnyoneReads(read.text)) return passToStaff(turn, { acknowledge: true, force: true, askedWhoIsThere: true });
  // "wanneer hoor ik wat?": who has it and when they answer (the response target), not a flow's question, also while the
  // bot's own question is open (the privacy menu, the welcome): it is never an answer to one. After a staff reply it is for that person.
  if (read.text && !read.value && asksWhenAnswered(read.text) && !(await staffRepliedRecently(turn))) return passToStaff(turn, { acknowledge: true, force: true, askedWhen: true });
  // "kunnen jullie mijn melding afsluiten? is opgelost": for the staff who have the case, with a short word back, no new melding.
  if (read.text && !read.value && asksToCloseCase(read.text)) return passSolvedToStaff(turn);
  // A person already has the conversation: say so, rather than handing over again (typed, or a tapped "Praten met een mens").
  if (probe.command === "human" || startsContactFlow(turn, probe.state)) return passToStaff(turn, { acknowledge: true, force: true });
  if (turn.state.waiting === "ask") {
    // The resident is answering a question the bot asked beside staff: keep helping, unless free text does not fit it.
    if (!isTextForStaff(turn.state, probe.state, read, turn.flows)) return next();
    turn.state = withoutOpenQuestion(turn.state);
    return passToStaff(turn, { acknowledge: true });
  }
  if (probe.command) return next();
  // A button of an earlier menu, tapped: follow it as after 'menu' (a person already has the conversation).
  if (read.value && turn.state.flow === null && tappedMenuOption(turn.flows, read.value)) return next();
  const triage = read.text && !read.value ? turn.deps.classify(read.text) : null;
  // Asking for a person gets the answer in words, every time.
  if (triage && asksForPerson(triage)) return passToStaff(turn, { acknowledge: true, force: true });
  // Right after a staff reply the resident is talking with that person: a question ("hoe laat komen ze?") is for them, not for the wijk news.
  const talkingWithStaff = await staffRepliedRecently(turn);
  const newsQuestion = triage && read.text && !talkingWithStaff ? routeQuestion(turn.flows.globals, read.text, triage) === "wijknieuws" : false;
  const besideStaff = triage && answersBesideStaff(triage) && (!talkingWithStaff || (read.text !== undefined && namesWhatBotAnswers(read.text)));
  if (triage && (besideStaff || newsQuestion) && turn.residentFacts.consentAsked && turn.state.flow === null) {
    // Answered by the flow for it; staff still see the message (it may be about their case too), and the conversation stays theirs.
    await passToStaff(turn, { acknowledge: true });
    return next();
  }
  await passToStaff(turn, { acknowledge: true });
};

/** The resident says the case is solved: to the tandem's inbox with a note, and the short answer that it is passed on. */
async function passSolvedToStaff(turn: Turn): Promise<void> {
  turn.state = withoutOpenQuestion(turn.state);
  await passToStaff(turn, { acknowledge: false });
  await addNote(turn.tx, { conversationId: turn.conversationId, channel: turn.conversation.channel, text: CASE_SOLVED_NOTE, authorKind: "bot", now: turn.now });
  const menu = turn.flows.flows.get(turn.flows.globals.menu);
  await send(turn, { text: turnText(turn, "caseSolvedPassedOn"), buttons: menu ? [{ label: menu.title[turn.state.language] ?? menu.title.nl, value: "menu" }] : [] });
  turn.state.vars[ACKNOWLEDGED_AT_VAR] = turn.now.toISOString();
}

/** The note for staff when the resident says the case is solved (no resident text in it). */
const CASE_SOLVED_NOTE = "De bewoner zegt dat het is opgelost en vraagt de melding af te sluiten.";

/** Words that name what the bot answers itself beside staff ("is er nieuws uit de wijk?"), not the case staff are on ("wanneer komen ze?"). */
function namesWhatBotAnswers(text: string): boolean {
  return /nieuws|speelt|dialoogtafel|wijkbericht|privacy|gegevens|news|going on|meeting/i.test(text);
}

/**
 * True when, with no question open (a button of an earlier message tapped), the engine would start
 * the flow that hands over to a person (the 'mens' command's flow). Chosen from a menu the bot
 * just showed, it runs: the resident may want a person about something new.
 */
function startsContactFlow(turn: Turn, after: FlowState): boolean {
  if (turn.state.waiting === "ask") return false;
  const target = turn.flows.globals.commands.human?.target ?? "";
  const contactFlow = target.startsWith("flow:") ? target.slice("flow:".length).split("#")[0] : null;
  return contactFlow !== null && after.flow === contactFlow && turn.state.flow !== contactFlow;
}

/**
 * Handed to a person before the welcome (a worry, a 112 or 113 moment): a question the bot can answer
 * ("wat is een gebiedsregisseur?", "help") gets its answer, not the welcome and consent first; the
 * welcome comes with a later message. The 'mens' command is the conversation staff already have.
 */
function commandAfterHandover(turn: Turn, read: ReturnType<typeof readActivity>): Target | null {
  if (!isWithStaff(turn.conversation.status)) return null;
  const probe = handleEvent(turn.state, { type: "message", ...read }, engineContext(turn));
  // "menu" and "mens" are the start itself: the welcome (a person already has the conversation).
  if (!probe.command || probe.command === "human" || probe.command === "menu") return null;
  return turn.flows.globals.commands[probe.command]?.target ?? null;
}

/** Runs the flow engine, carrying out the actions it asks for. */
export const runFlows: Middleware = async (turn) => {
  const read = readActivity(turn.context.activity);
  const pausedLong = turn.now.getTime() - turn.conversation.lastMessageAt.getTime() > 24 * 3600 * 1000 && turn.state.waiting === "ask";
  let event: EngineEvent = { type: "message", ...read };
  if (turn.state.flow === null && turn.state.step === null && !turn.residentFacts.consentAsked && !read.value) {
    // First contact: the welcome flow first, carrying what the first message said (flows/welkom.yaml uses it after consent).
    const carried = carryFirstMessage(turn, read);
    // A wijk's name as the first message ("Coevering"): after consent the wijk question is "Klopt dat?", not asked again.
    if (!carried.keep_place && read.text && read.text.trim().split(/\s+/).length <= 3 && mayNameWijk(turn.deps.classify(read.text))) {
      const match = matchWijkName(read.text, await listWijken(turn.tx, turn.deps.gemeente.id));
      if (match.kind === "one") carried.keep_place = { kind: "text", text: match.wijk.name };
    }
    const linked = await wijkOfSubscribeLink(turn, read.text);
    if (linked) Object.assign(carried, { keep_intent: "abonneren", keep_place: { kind: "text", text: linked } });
    for (const key of Object.keys(turn.state.vars)) if (CARRIED_VARS.has(key)) delete turn.state.vars[key];
    const entry = read.text ? (firstMessageEntry(turn.flows, read.text) ?? commandAfterHandover(turn, read)) : null;
    event = { type: "start", target: entry ?? `flow:${turn.flows.globals.firstContact}`, vars: carried };
  } else {
    followEnglish(turn, read);
    if (pausedLong && !turn.startWith) await send(turn, { text: turnText(turn, "welcomeBack"), buttons: [] });
    carryPostcode(turn, read.text);
    // The subscribe link again, or typed later: the wijk it names is used when the resident has none yet.
    const linked = !turn.residentFacts.wijk && turn.residentFacts.consent === true ? await wijkOfSubscribeLink(turn, read.text) : null;
    if (linked) turn.state.vars.keep_place = { kind: "text", text: linked };
    const named = await wijkNamedAlone(turn, read);
    if (named) event = named;
    else {
      const inAnswer = await wijkNamedInAnswer(turn, read);
      if (inAnswer) event = { type: "message", text: inAnswer };
    }
  }
  if (turn.startWith) event = turn.startWith;
  for (let i = 0; i < 50; i++) {
    const result = handleEvent(turn.state, event, engineContext(turn));
    turn.state = result.state;
    for (const output of result.outputs) await send(turn, output);
    if (!result.action) return;
    const actionContext: ActionContext = {
      tx: turn.tx,
      now: turn.now,
      gemeente: turn.deps.gemeente,
      conversationId: turn.conversationId,
      residentId: turn.resident.id,
      channelIdentityId: turn.conversation.channelIdentityId,
      channel: turn.conversation.channel,
      language: turn.state.language,
      flows: turn.flows,
      classify: turn.deps.classify,
      publicUrl: turn.deps.publicUrl,
      secret: turn.deps.secret,
      mediaDir: turn.deps.mediaDir,
    };
    const outcome = await runAction(result.action.name, result.action.params, actionContext);
    if (outcome.switchToConversationId) {
      // The old conversation stays with staff, idle for the bot; the new topic goes on here.
      await saveFlowState(turn.tx, turn.conversationId, { ...turn.state, flow: null, step: null, waiting: null, vars: {} });
      turn.conversationId = outcome.switchToConversationId;
    }
    if (outcome.erased) turn.erased = true;
    if (outcome.event) turn.events.push(outcome.event);
    for (const [key, value] of Object.entries(outcome.vars ?? {})) if (key.startsWith("resident.")) turn.residentFacts[key.slice("resident.".length)] = value;
    event = { type: "actionResult", outcome: outcome.outcome, ...(outcome.vars ? { vars: outcome.vars } : {}) };
  }
  throw new Error("a flow ran more than 50 actions in one turn");
};

/** The variables the first message fills in; flows/welkom.yaml wipes them when consent is declined. */
/** How long after a wijkbericht "stop" (with nothing sent since) still means "stop the wijkberichten". */
const WIJKBERICHT_STOP_WINDOW_MS = 14 * 86_400_000;

const CARRIED_VARS = new Set(["keep_intent", "keep_text", "keep_place", "keep_location"]);

/**
 * What a first message already said, for the flows to use once the resident consented: the
 * intent, the text itself as a description, and a postcode or shared location for the wijk.
 * Held only in this conversation's flow state; nothing is written elsewhere before consent.
 */
function carryFirstMessage(turn: Turn, read: ReturnType<typeof readActivity>): Record<string, unknown> {
  const carried: Record<string, unknown> = {};
  if (read.location) carried.keep_place = { kind: "location", lat: read.location.lat, lon: read.location.lon };
  const text = read.text?.trim();
  if (!text) return carried;
  const triage = turn.deps.classify(text);
  if (triage.language === "en") turn.state.language = "en";
  const postcode = parsePostcode(text);
  if (postcode?.letters || (postcode && normalisePostcode(text))) carried.keep_place = { kind: "postcode", text: postcode.formatted };
  // When afval is collected: the afvalkalender, right after the welcome's first words (flows/welkom.yaml), not the wijk news.
  if (asksWasteCalendar(turn.flows.globals, text)) return { ...carried, keep_intent: "afvalkalender" };
  // A question about what is going on goes to the wijk news after the welcome; one that may be a melding gets both buttons.
  // Words that can mean one journey only ("information about my neighbourhood"), whatever the triage reads.
  const named = intentOfOverrulingEntry(turn.flows, text);
  if (named) return { ...carried, keep_intent: named };
  const question = routeQuestion(turn.flows.globals, text, triage);
  if (question === "wijknieuws") return { ...carried, keep_intent: "wijknieuws" };
  if (question === "ask") return { ...carried, keep_intent: "vraag", keep_text: text };
  if (triage.intent === "groet" || triage.intent === "onbekend" || triage.confidence.intent < INTENT_CONFIDENCE) return carried;
  carried.keep_intent = triage.intent;
  // As a flow started from free text: the text is a description when it says something about the matter.
  if (describesMatter(text, triage)) {
    carried.keep_text = text;
    // Where it is ("bij de Heuvel 12 in Coevering"): confirmed in the melding, not asked again.
    const place = findPlaceInText(text);
    if (place) carried.keep_location = place;
  }
  return carried;
}

/** The subscribe link of a public wijk page: "Wijkberichten Geldrop-Centrum" (web chat, WhatsApp) or "wijkberichten centrum" (Telegram's /start). */
const SUBSCRIBE_LINK = /^wijkberichten[\s_-]+(\S.{1,79})$/i;

/**
 * The wijk a subscribe link names (its name, or its slug as Telegram's deep link carries it), as
 * the wijk flow looks it up: the resident then only confirms the wijk and the subscription. Null
 * for any other text, or a name that is no wijk of the gemeente.
 */
async function wijkOfSubscribeLink(turn: Turn, text: string | undefined): Promise<string | null> {
  const named = SUBSCRIBE_LINK.exec(text?.trim() ?? "")?.[1]?.trim();
  if (!named) return null;
  const match = matchWijkName(named, await listWijken(turn.tx, turn.deps.gemeente.id));
  return match.kind === "one" ? match.wijk.name : null;
}

/** How many words a later message needs before its language changes the conversation's. */
const MIN_WORDS_TO_SWITCH = 3;

/**
 * A resident who writes English later on ("so whats happening here", after a Dutch start) is answered in
 * English from then on, as one whose first message is English. Only a typed message that both the
 * triage and the language detector read as English counts: a tapped button or "ok" does not.
 */
function followEnglish(turn: Turn, read: ReturnType<typeof readActivity>): void {
  const text = read.text?.trim();
  if (!text || read.value || turn.state.language === "en" || turn.state.vars.languageChosen) return;
  if (text.split(/\s+/).length < MIN_WORDS_TO_SWITCH) return;
  const triage = triageTurn(turn);
  if (triage?.language === "en" && triage.languageConfident && triage.detectedLanguage === "en") turn.state.language = "en";
}

/**
 * A postcode in any later message of a resident who consented but has no wijk yet: kept for the
 * wijk flow, so it is not asked for again (unless the wijk flow is asking for it right now).
 */
function carryPostcode(turn: Turn, text: string | undefined): void {
  // Before consent only at the consent question itself ("5731 AA" typed there): held in this conversation's state, wiped on a no (flows/welkom.yaml).
  const atConsentQuestion = turn.state.flow === turn.flows.globals.firstContact && turn.state.waiting === "ask";
  delete turn.state.vars.keep_placeAlone;
  if (!text || (turn.residentFacts.consent !== true && !atConsentQuestion) || turn.residentFacts.wijk) return;
  if (turn.state.flow === turn.flows.globals.wijkFlow && turn.state.waiting === "ask") return;
  const postcode = parsePostcode(text);
  if (!postcode?.letters) return;
  turn.state.vars.keep_place = { kind: "postcode", text: postcode.formatted };
  // Only the postcode, typed where the bot asked something else ("Waar gaat je vraag over?" in flows/contact.yaml): the flow asks its question again after the wijk.
  if (normalisePostcode(text) !== null) turn.state.vars.keep_placeAlone = true;
}

/** Words that start a no at "Dan woon je in …. Klopt dat?" ("nee mierlo zei ik toch"). */
const NO_START = new Set(["nee", "neen", "neee", "no", "nope", "niet", "fout"]);
/** How many words an answer to the wijk question may have for a wijk name in it to count as the answer. */
const SHORT_ANSWER_WORDS = 8;

/**
 * A wijk or village named inside a short answer to a question of the wijk flow ("neerakkers. er staat een auto",
 * "dorp denk ik", "nee mierlo zei ik toch" at "Klopt dat?"): the name alone, as the flow reads a typed wijk name.
 * Not with a full postcode, street or place in it (the flow reads those whole; four digits of another village: below), nor at a yes/no question unless the answer starts with no.
 */
async function wijkNamedInAnswer(turn: Turn, read: ReturnType<typeof readActivity>): Promise<string | null> {
  const text = read.text?.trim();
  if (!text || read.value || read.location || read.media || turn.residentFacts.consent !== true) return null;
  const flow = turn.state.flow === turn.flows.globals.wijkFlow ? turn.flows.flows.get(turn.state.flow) : undefined;
  const step = flow && turn.state.step ? flow.steps[turn.state.step] : undefined;
  if (step?.type !== "ask" || turn.state.waiting !== "ask") return null;
  const words = text.split(/\s+/);
  if (words.length < 2 || words.length > SHORT_ANSWER_WORDS) return null;
  const first = (words[0] ?? "").toLowerCase().replace(/[^\p{L}]/gu, "");
  if (step.input === "yesno" && !NO_START.has(first)) return null;
  const postcode = parsePostcode(text);
  if (postcode) return postcode.letters ? null : villageOverPostcode(turn, text, postcode.postcode4);
  // A street or place in the answer ("het ligt op de Heuvel in Geldrop"): the wijk flow reads it whole, and keeps the place.
  if (namesStreet(text) || findPlaceInText(text)) return null;
  const match = matchWijkName(text, await listWijkenWithKern(turn.tx, turn.deps.gemeente.id));
  if (match.kind === "one") return match.wijk.name;
  // A village after a no ("nee mierlo zei ik toch"): the correction the flow looks up; elsewhere the flow reads the village itself.
  if (match.kind === "kern" && step.input === "yesno") return match.kern;
  return null;
}

/**
 * Four digits with another village named ("5664 dorpstraat, ik woon in mierlo zelf", 5664 lies in Geldrop): the village
 * the resident says they live in wins, its wijken to pick from. Null when the postcode fits the village, or none is named.
 */
async function villageOverPostcode(turn: Turn, text: string, postcode4: string): Promise<string | null> {
  const match = matchWijkName(text.replace(/\b\d{4}\b/g, " "), await listWijkenWithKern(turn.tx, turn.deps.gemeente.id));
  if (match.kind !== "kern") return null;
  const ofPostcode = await listWijkenForPostcode4(turn.tx, turn.deps.gemeente.id, postcode4);
  const kerns = new Set(match.wijken.filter((w) => w.kern === match.kern).map((w) => w.slug));
  return ofPostcode.length > 0 && !ofPostcode.some((w) => kerns.has(w.slug)) ? match.kern : null;
}

/**
 * A wijk's name typed on its own with no question open ("Luchen", "genoenhuis?"): the resident's own
 * wijk shows its news; another wijk asks whether it should become theirs (flows/wijk.yaml named-other);
 * without a wijk yet, "Dan woon je in …. Klopt dat?". Null for anything else, which the flows handle.
 */
async function wijkNamedAlone(turn: Turn, read: ReturnType<typeof readActivity>): Promise<EngineEvent | null> {
  const text = read.text?.trim();
  if (!text || read.value || read.location || read.media || turn.residentFacts.consent !== true) return null;
  if (text.split(/\s+/).length > 3) return null;
  const atMenu = turn.state.flow === turn.flows.globals.menu;
  if (turn.state.waiting === "ask" && !atMenu) return null;
  if (!mayNameWijk(turn.deps.classify(text))) return null;
  const match = matchWijkName(text, await listWijken(turn.tx, turn.deps.gemeente.id));
  if (match.kind !== "one") return null;
  const wijkFlow = turn.flows.globals.wijkFlow;
  if (match.wijk.slug === turn.residentFacts.wijk) {
    const news = [...turn.flows.flows.values()].find((flow) => flow.intents.includes("wijknieuws"));
    return news ? { type: "start", target: `flow:${news.id}` } : null;
  }
  const vars = { wijkSlug: match.wijk.slug, wijkName: match.wijk.name };
  const named = turn.flows.globals.wijkNamed;
  if (turn.residentFacts.wijk) return named ? { type: "start", target: named, vars } : null;
  return { type: "start", target: `flow:${wijkFlow}#confirm`, vars };
}

/** Whether a short text may be a wijk's name: the triage places it nowhere (a greeting or a request is none), so the wijken are worth reading. */
function mayNameWijk(triage: ReturnType<Turn["deps"]["classify"]>): boolean {
  return triage.intent === "onbekend" || (triage.intent !== "groet" && triage.confidence.intent < INTENT_CONFIDENCE);
}

function engineContext(turn: Turn): EngineContext {
  return { flows: turn.flows, resident: turn.residentFacts, classify: turn.deps.classify, today: localDate(turn.now, turn.deps.gemeente.timeZone) };
}

/** The chain, in order: a flood gets no turn (but a 112/113 message always does). */
export const turnMiddleware: Middleware[] = [
  limitFloods,
  answerEmergencies,
  answerFeedback,
  answerTrustPulse,
  answerClosingWords,
  answerOtherLanguages,
  offerToRemoveSensitiveData,
  quietWhileStaffHandle,
  runFlows,
];

async function runChain(turn: Turn, chain: Middleware[], index = 0): Promise<void> {
  const middleware = chain[index];
  if (!middleware) return;
  await middleware(turn, () => runChain(turn, chain, index + 1));
}

/** What a turn did: replies queued, the conversation it ended in, events for staff, and whether more messages wait (`more`). */
export interface TurnOutcome {
  replies: number;
  conversationId: string;
  events: InboxEvent[];
  erased: boolean;
  /** Another inbound message of the conversation waits: the caller runs the next turn without first asking in a transaction of its own. */
  more: boolean;
}

/** The limits findNextTurnInput reads the turn's look-ups with, at `now` (the flood limit, the wijkbericht "stop" window). */
export function turnLookups(now: Date): TurnLookups {
  return { floodMessages: INBOUND_LIMIT.messages, floodWindowMs: INBOUND_LIMIT.windowMs, wijkberichtSince: new Date(now.getTime() - WIJKBERICHT_STOP_WINDOW_MS) };
}

/**
 * Handles one stored inbound message (loaded by findNextTurnInput in the caller's transaction,
 * which holds the turn lock): runs the bot and writes state, replies (outbox) and the handled mark.
 */
export async function runTurn(tx: Tx, deps: BotDeps, input: TurnInput): Promise<TurnOutcome> {
  const now = deps.now?.() ?? new Date();
  const { message, conversation, resident } = input;
  const flows = deps.flows();
  const parsedState = FlowStateSchema.safeParse(conversation.flowState);
  const state = parsedState.success ? parsedState.data : FlowStateSchema.parse({});
  if (!parsedState.success || conversation.flowStateEmpty) state.language = resident.language === "en" ? "en" : "nl";

  const adapter = new CollectingAdapter();
  // "stop" right after a wijkbericht means "stop these berichten" (flows/stop.yaml).
  const lastWasWijkbericht = input.lookups.wijkberichtLately && (await findLastThingWasWijkbericht(tx, conversation.channelIdentityId, now, WIJKBERICHT_STOP_WINDOW_MS)) !== null;
  const turn: Omit<Turn, "context"> = {
    tx,
    deps,
    flows,
    now,
    message,
    moreWaiting: input.moreWaiting,
    lookups: input.lookups,
    conversation,
    resident,
    state,
    residentFacts: {
      gemeente: deps.gemeente.name,
      wijk: resident.wijk?.slug ?? null,
      wijkName: resident.wijk?.name ?? null,
      consent: resident.privacyConsent,
      consentAsked: resident.privacyConsent !== null,
      channel: conversation.channel,
      lastWasWijkbericht,
      /** A question was open when this message came: "stop" then stops that question first (flows/stop.yaml). */
      questionOpen: state.waiting === "ask",
      /** The privacy statement, for the privacy flow's "what do you keep" answer. */
      privacyUrl: `${deps.publicUrl}/privacy${state.language === "en" ? "?lang=en" : ""}`,
      /** The gemeente's afvalkalender (flows/settings.yaml), for "wanneer wordt het oud papier opgehaald?"; else its website. */
      wasteCalendarUrl: flows.settings.contact.wasteCalendar ?? flows.settings.contact.website,
      /** How long messages are kept after a question is resolved, and a resident who went quiet (months), for "how long do you keep it?". */
      messageMonths: (deps.retention ?? DEFAULT_RETENTION).messageTextMonths,
      inactiveMonths: (deps.retention ?? DEFAULT_RETENTION).inactiveResidentMonths,
    },
    conversationId: conversation.id,
    erased: false,
    conversationUpdate: {},
    events: [],
  };
  const activity = activityFromMessage(message, {
    externalId: conversation.externalId,
    conversationId: conversation.id,
    locale: state.language === "en" ? "en-GB" : "nl-NL",
    ...(message.value ? { value: message.value } : {}),
  });
  let finished: Turn | null = null;
  await adapter.run(activity, async (context) => {
    const full: Turn = { ...turn, context };
    await runChain(full, turnMiddleware);
    finished = full;
  });
  const done: Turn | null = finished;
  if (!done) throw new Error("the turn did not finish");
  return persistTurn(done, adapter, message.id);
}

async function persistTurn(turn: Turn, adapter: CollectingAdapter, messageId: string): Promise<TurnOutcome> {
  const { tx, now } = turn;
  const state = turn.erased ? FlowStateSchema.parse({ language: turn.state.language }) : turn.state;
  if (turn.conversationId !== turn.conversation.id && !turn.erased) await touchConversation(tx, turn.conversation.id, now);
  // No consent: keep nothing of what the resident wrote beyond handling it.
  if (turn.residentFacts.consent === false) {
    const forgotten = await forgetInboundContent(tx, turn.resident.id);
    if (turn.deps.mediaDir) await deleteWebchatPhotos(turn.deps.mediaDir, forgotten);
  }
  const replies = await saveTurnOutcome(tx, {
    conversationId: turn.conversationId,
    turnState: { state, lastMessageAt: now, emergency: turn.conversationUpdate.emergency, language: turn.conversationUpdate.language },
    handledMessageId: messageId,
    resident: {
      id: turn.resident.id,
      language: state.language !== turn.resident.language ? state.language : undefined,
      // Retention counts from the last time a resident was seen; a minute's precision is plenty and saves a write per message.
      seenAt: now.getTime() - turn.resident.lastSeenAt.getTime() >= LAST_SEEN_GRANULARITY_MS ? now : undefined,
    },
    reply: {
      residentId: turn.resident.id,
      channelIdentityId: turn.conversation.channelIdentityId,
      channel: turn.conversation.channel,
      sends: mergeBubbles(adapter.sent.map(payloadFromActivity)),
    },
    now,
  });
  // Read with the message (findNextTurnInput); one stored after that schedules its own turn (src/bot/processor.ts, ingest).
  const more = !turn.erased && turn.moreWaiting;
  return { replies, conversationId: turn.conversationId, events: turn.events, erased: turn.erased, more };
}
