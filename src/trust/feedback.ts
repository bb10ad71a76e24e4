/**
 * "Voelde je je gehoord?": the feedback question after staff resolved a conversation, and what a
 * resident's answer to it means. Pure rules, no I/O; the repository (src/db/feedback.repo.ts), the
 * asker (feedbackAsker.ts) and the bot's middleware (answerFeedback.ts) all decide with these.
 *
 * The KTO rule of Signalen (the Dutch municipal meldingen system): a low score (1 or 2) or any
 * open answer puts the conversation back with the tandem, with a note. At most one question per
 * conversation, and never forced: a resident who writes something else instead goes on as usual.
 */
import { z } from "zod";
import { parseNumber } from "../conversation/answers.ts";
import { isWithinServiceWindow } from "../channels/whatsapp-cloud/serviceWindow.ts";
import { readCaseFollowUp } from "../routing/caseFollowUp.ts";

/** Where a conversation's question stands. */
export const FeedbackStatusSchema = z.enum(["queued", "asked", "scored", "done", "ignored", "skipped"]);
/** queued (resolved, question not sent yet), asked, scored (an open answer may follow), done, ignored (the resident wrote something else), skipped (not asked). */
export type FeedbackStatus = z.infer<typeof FeedbackStatusSchema>;

/** Why a queued question was not sent. */
export type FeedbackSkipReason = "no-resident" | "no-consent" | "emergency" | "whatsapp-window";

/** The scores, 1 (not heard at all) to 5 (fully heard). */
export const FEEDBACK_SCORES = [1, 2, 3, 4, 5] as const;

/** A score at or below this reopens the conversation for the tandem. */
export const REOPEN_AT_OR_BELOW = 2;

/** A typed or tapped score counts this long after the question; later the question is over. */
export const ANSWER_WITHIN_MS = 7 * 24 * 3600 * 1000;

/** An open answer counts this long after the score; later a message is just a message. */
export const COMMENT_WITHIN_MS = 24 * 3600 * 1000;

/** The value of a score button: `feedback:<conversation id>:<score>`. */
const BUTTON_VALUE = /^feedback:([A-Za-z0-9_-]{1,64}):([1-5])$/;

/** The value a score button carries. */
export function feedbackButtonValue(conversationId: string, score: number): string {
  return `feedback:${conversationId}:${score}`;
}

/** The conversation and score of a tapped score button, or null for any other value. */
export function readFeedbackButton(value: string | undefined): { conversationId: string; score: number } | null {
  const match = value ? BUTTON_VALUE.exec(value) : null;
  return match?.[1] && match[2] ? { conversationId: match[1], score: Number(match[2]) } : null;
}

/** Is this a feedback button value at all (also of a question that is over)? */
export function isFeedbackButton(value: string | undefined): boolean {
  return readFeedbackButton(value) !== null;
}

/** A typed score: the message is just a number 1–5 ("4", "4!", "vier", "een 4"). Anything longer is no score. */
export function readTypedScore(text: string | undefined): number | null {
  if (!text) return null;
  const trimmed = text.trim().replace(/^(een|a)\s+(?=\d)/i, "");
  if (trimmed.length === 0 || trimmed.length > 12) return null;
  const score = parseNumber(trimmed);
  return score !== null && score >= 1 && score <= 5 ? score : null;
}

/** What the repository knows of a resident's open question when a message comes in. */
export interface OpenQuestion {
  conversationId: string;
  status: "asked" | "scored";
  askedAt: Date;
  scoredAt: Date | null;
}

/** What a new message is, with respect to the open question. */
export type FeedbackAnswer = { kind: "score"; score: number } | { kind: "comment" } | { kind: "other" };

/**
 * Reads a resident's message against their open question. `typedCounts`: the question's
 * conversation is the only one the message could belong to (no other conversation is going), so
 * a bare "4" or a sentence is meant for it; a tapped button names its conversation itself.
 * `isCommand`: a global word (menu, stop…) is never an answer.
 */
export function readFeedbackAnswer(
  question: OpenQuestion,
  message: { text?: string | undefined; value?: string | undefined; hasMedia: boolean },
  input: { now: Date; typedCounts: boolean; isCommand: () => boolean },
): FeedbackAnswer {
  const tapped = readFeedbackButton(message.value);
  if (question.status === "asked") {
    if (input.now.getTime() - question.askedAt.getTime() > ANSWER_WITHIN_MS) return { kind: "other" };
    if (tapped) return tapped.conversationId === question.conversationId ? { kind: "score", score: tapped.score } : { kind: "other" };
    if (message.value || !input.typedCounts) return { kind: "other" };
    const typed = readTypedScore(message.text);
    return typed !== null && !input.isCommand() ? { kind: "score", score: typed } : { kind: "other" };
  }
  // Scored: the next typed words, if they come soon, are the open answer; not a new concern
  // ("er ligt nu ook glas op de stoep"): that is a new message, a melding of its own.
  if (!question.scoredAt || input.now.getTime() - question.scoredAt.getTime() > COMMENT_WITHIN_MS) return { kind: "other" };
  if (message.value || message.hasMedia || !message.text?.trim() || !input.typedCounts) return { kind: "other" };
  // Nor "nee hoor, bedankt": nothing to add is not an open answer, and does not reopen the case.
  const followUp = readCaseFollowUp(message.text);
  if (followUp === "new-concern" || followUp === "closing") return { kind: "other" };
  return input.isCommand() ? { kind: "other" } : { kind: "comment" };
}

/** Does this answer put the conversation back with the tandem (Signalen's KTO rule)? */
export function reopensConversation(answer: FeedbackAnswer): boolean {
  return answer.kind === "comment" || (answer.kind === "score" && answer.score <= REOPEN_AT_OR_BELOW);
}

/** What the asker knows when it is time to send a queued question. */
export interface QuestionFacts {
  channel: string;
  hasRecipient: boolean;
  /** The resident agreed that Wijklijn keeps what they write (a score is something they write). */
  consent: boolean | null;
  emergency: string | null;
  /** The newest message of the resident on this channel identity (WhatsApp's 24-hour window). */
  lastInboundAt: Date | null;
  /** WhatsApp Cloud is the channel behind "whatsapp", with an approved template for the question. */
  whatsappCloud: { template: string | null } | null;
  now: Date;
}

/** How the question goes out, or why it does not. */
export type QuestionPlan = { kind: "ask"; form: "buttons" | "template" } | { kind: "skip"; reason: FeedbackSkipReason };

/**
 * Whether and how to ask: not when nobody can be reached, the resident gave no consent, or it was
 * a 112/113 conversation (asking for a grade after a crisis is not the moment). On WhatsApp Cloud
 * outside the 24-hour window only an approved template reaches the resident; without one, no question.
 */
export function planFeedbackQuestion(facts: QuestionFacts): QuestionPlan {
  if (!facts.hasRecipient) return { kind: "skip", reason: "no-resident" };
  if (facts.consent !== true) return { kind: "skip", reason: "no-consent" };
  if (facts.emergency) return { kind: "skip", reason: "emergency" };
  if (facts.channel === "whatsapp" && facts.whatsappCloud && !isWithinServiceWindow(facts.lastInboundAt, facts.now)) {
    return facts.whatsappCloud.template ? { kind: "ask", form: "template" } : { kind: "skip", reason: "whatsapp-window" };
  }
  return { kind: "ask", form: "buttons" };
}

/** The note staff read when an answer puts the conversation back with them (Dutch, as the inbox). */
export function reopenNote(answer: FeedbackAnswer, score: number | null): string {
  if (answer.kind === "comment") return `De bewoner schreef iets terug op de vraag "Voelde je je gehoord?"${score !== null ? ` (cijfer ${score} van 5)` : ""}. Het gesprek staat weer open.`;
  return `De bewoner gaf een ${score ?? "?"} van 5 op de vraag "Voelde je je gehoord?". Het gesprek staat weer open: kijk of er nog iets te doen is.`;
}

/** How the inbox names a question's state. */
export function describeFeedback(row: { status: string; score: number | null; skipReason: string | null; reopened: boolean; commentMessageId: string | null }): string {
  const status = FeedbackStatusSchema.safeParse(row.status);
  if (!status.success) return row.status;
  const value = status.data;
  switch (value) {
    case "queued":
      return "Vraag 'Voelde je je gehoord?' wordt zo gestuurd";
    case "asked":
      return "Gevraagd 'Voelde je je gehoord?', nog geen antwoord";
    case "scored":
    case "done":
      return `Gehoord: ${row.score ?? "?"} van 5${row.commentMessageId ? ", met een reactie" : ""}${row.reopened ? " (weer geopend)" : ""}`;
    case "ignored":
      return "Gevraagd 'Voelde je je gehoord?'; de bewoner schreef iets anders";
    case "skipped":
      return `Niet gevraagd (${SKIP_LABELS[row.skipReason ?? ""] ?? row.skipReason ?? "onbekend"})`;
    default:
      return assertNever(value);
  }
}

const SKIP_LABELS: Record<string, string> = {
  "no-resident": "bewoner niet meer bereikbaar",
  "no-consent": "geen toestemming",
  emergency: "spoed of crisis",
  "whatsapp-window": "WhatsApp-venster dicht en geen sjabloon ingesteld",
};

function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}
