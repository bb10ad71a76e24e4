/**
 * The bot's side of "Voelde je je gehoord?": the inbound pipeline already filed the answer and
 * recorded it on the question (src/db/feedback.repo.ts); this middleware answers it. A score is
 * thanked (and 1–2 reopens the conversation for the tandem, with a note); an open answer reopens
 * it with a note and then goes on as any message to staff (the usual acknowledgement, language and
 * data checks). A button of a question that is over is thanked. Everything else passes untouched.
 */
import { messageText } from "../conversation/messageText.ts";
import { addNote, changeStatus } from "../db/conversation.repo.ts";
import { findFeedbackOfConversation, markFeedbackReopened } from "../db/feedback.repo.ts";
import { activityFromOutput, readActivity } from "../bot/activity.ts";
import type { Middleware, Turn } from "../bot/turn.ts";
import { offerTrustPulse, TRUST_PULSE_DUE_VAR } from "./answerTrustPulse.ts";
import { ACKNOWLEDGED_AT_VAR } from "../bot/staffHandling.ts";
import { asksToCloseCase, readCaseFollowUp } from "../routing/caseFollowUp.ts";
import { isFeedbackButton, reopenNote, reopensConversation, type FeedbackAnswer } from "./feedback.ts";

/** The middleware (after the emergency check: a 112 message is never taken for an answer). */
export const answerFeedback: Middleware = async (turn, next) => {
  const read = readActivity(turn.context.activity);
  // Whether this message is the question's score or comment was read with it (findNextTurnInput).
  const feedback = turn.lookups.answersFeedback ? await findFeedbackOfConversation(turn.tx, turn.conversationId) : null;
  if (feedback && feedback.scoreMessageId === turn.message.id && feedback.score !== null) {
    const answer: FeedbackAnswer = { kind: "score", score: feedback.score };
    const reopen = reopensConversation(answer);
    if (reopen) await reopenForTandem(turn, feedback.id, answer, feedback.score);
    await say(turn, reopen ? "feedbackThanksLow" : "feedbackThanks");
    // The conversation has ended well enough: the moment for the trust pulse (at most once a quarter). Not in the same
    // message as the thanks, which asks a question of its own: once the resident has nothing to add (answerClosingWords).
    if (!reopen) turn.state.vars[TRUST_PULSE_DUE_VAR] = true;
    return;
  }
  if (feedback && feedback.commentMessageId === turn.message.id) {
    delete turn.state.vars[TRUST_PULSE_DUE_VAR];
    await reopenForTandem(turn, feedback.id, { kind: "comment" }, feedback.score);
    return next();
  }
  if (isFeedbackButton(read.value)) {
    await say(turn, "feedbackAlreadyAnswered");
    return;
  }
  return next();
};

/**
 * The middleware after the trust pulse (whose "nee" is its own): words that only thank or close
 * ("nee hoor, bedankt", "top!") in a resolved conversation get a warm close; the case stays resolved
 * (pickConversation files them there without reopening it).
 */
export const answerClosingWords: Middleware = async (turn, next) => {
  const read = readActivity(turn.context.activity);
  // Due only for the message right after the feedback thanks.
  const pulseDue = turn.state.vars[TRUST_PULSE_DUE_VAR] === true;
  delete turn.state.vars[TRUST_PULSE_DUE_VAR];
  if (turn.conversation.status === "resolved" && !read.value && readCaseFollowUp(read.text) === "closing") {
    // "Nee hoor, bedankt" after the thanks: now the trust pulse, with a short word before it (one question in the message).
    const lead = turn.flows.globals.messages.feedbackClosingBeforePulse?.[turn.state.language];
    if (pulseDue && (await offerTrustPulse(turn, lead))) return;
    await say(turn, asksToCloseCase(read.text) ? "caseAlreadyClosed" : "feedbackClosing");
    return;
  }
  return next();
};

async function say(turn: Turn, key: "feedbackThanks" | "feedbackThanksLow" | "feedbackAlreadyAnswered" | "feedbackClosing" | "caseAlreadyClosed"): Promise<void> {
  await turn.context.sendActivity(activityFromOutput({ text: messageText(turn.flows.globals, key, turn.state.language), buttons: [] }));
}

/** Back to open with a note for staff, and the tandem told (a handover: it needs a person again). */
async function reopenForTandem(turn: Turn, feedbackId: string, answer: FeedbackAnswer, score: number | null): Promise<void> {
  if (turn.conversation.status !== "open") await changeStatus(turn.tx, turn.conversationId, "open", { now: turn.now });
  turn.conversation = { ...turn.conversation, status: "open" };
  // A new round with the tandem: the resident's next message hears again who reads it (src/bot/staffHandling.ts).
  delete turn.state.vars[ACKNOWLEDGED_AT_VAR];
  await addNote(turn.tx, { conversationId: turn.conversationId, channel: turn.conversation.channel, text: reopenNote(answer, score), authorKind: "bot", now: turn.now });
  await markFeedbackReopened(turn.tx, feedbackId);
  turn.events.push({ conversationId: turn.conversationId, tandemId: turn.conversation.tandemId, kind: "handover" });
}
