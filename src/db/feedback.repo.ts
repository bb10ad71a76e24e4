/**
 * The feedback question after resolution (src/trust/feedback.ts holds the rules): queued in the
 * staff action's transaction, sent once by the asker, and answered through the durable inbound
 * pipeline. One row per conversation (unique), so a conversation is asked at most once.
 */
import { optionalBooleanOf, optionalDateOf, optionalNumberOf, optionalTextOf, type SqlRow, sqlRows, textOf } from "./sql.ts";
import type { ConversationChoice, ConversationCandidate } from "../routing/pickConversation.ts";
import type { OutboundPayload } from "../domain/messages.ts";
import { ChannelSchema } from "../domain/messages.ts";
import { readFeedbackAnswer, readFeedbackButton, type FeedbackAnswer, type QuestionFacts, type QuestionPlan } from "../trust/feedback.ts";
import type { Db, DbOrTx, Tx } from "./client.ts";
import { addOutboundMessage } from "./conversation.repo.ts";

/**
 * Queues the question for a conversation staff just resolved (in their transaction), unless it
 * was never with staff (resolved while the bot still talked) or it has had its question already.
 */
export async function queueFeedbackQuestion(tx: Tx, input: { conversationId: string; gemeenteId: string; previousStatus: string; now: Date }): Promise<boolean> {
  if (input.previousStatus === "bot" || input.previousStatus === "resolved") return false;
  const existing = await tx.feedback.findUnique({ where: { conversationId: input.conversationId }, select: { id: true } });
  if (existing) return false;
  await tx.feedback.create({ data: { conversationId: input.conversationId, gemeenteId: input.gemeenteId, status: "queued", createdAt: input.now } });
  return true;
}

/** Queued questions whose conversation is (still or again) resolved, oldest first. */
export async function listQueuedFeedback(db: DbOrTx, limit = 100): Promise<string[]> {
  const rows = await db.feedback.findMany({
    where: { status: "queued", conversation: { status: "resolved" } },
    orderBy: { createdAt: "asc" },
    take: limit,
    select: { id: true },
  });
  return rows.map((row) => row.id);
}

/** What sending the question needs besides the facts: the payload for a plan, in the resident's language. */
export type BuildQuestion = (input: { plan: Extract<QuestionPlan, { kind: "ask" }>; conversationId: string; reference: string; language: "nl" | "en" }) => OutboundPayload;

/**
 * Sends one queued question, or records why not, in one transaction: the row leaves `queued`
 * (claimed with a conditional update, so two instances never both send it) and the question is
 * written to the conversation and the outbox. Returns what happened, or null when the row was
 * not (any longer) queued or its conversation is not resolved.
 */
export async function sendQueuedFeedback(
  db: Db,
  feedbackId: string,
  input: { now: Date; whatsappCloud: QuestionFacts["whatsappCloud"]; plan: (facts: QuestionFacts) => QuestionPlan; build: BuildQuestion },
): Promise<QuestionPlan | null> {
  return db.$transaction(async (tx) => {
    const row = await tx.feedback.findUnique({
      where: { id: feedbackId },
      include: { conversation: { include: { resident: { include: { consents: { where: { kind: "privacy" }, orderBy: { at: "desc" }, take: 1 } } } } } },
    });
    if (row?.status !== "queued" || row.conversation.status !== "resolved") return null;
    const { conversation } = row;
    const lastInbound = conversation.channelIdentityId
      ? await tx.message.findFirst({
          where: { direction: "in", conversation: { channelIdentityId: conversation.channelIdentityId } },
          orderBy: { createdAt: "desc" },
          select: { createdAt: true },
        })
      : null;
    const resident = conversation.resident && !conversation.resident.erasedAt ? conversation.resident : null;
    const plan = input.plan({
      channel: conversation.channel,
      hasRecipient: resident !== null && conversation.channelIdentityId !== null,
      consent: resident?.consents[0]?.granted ?? null,
      emergency: conversation.emergency,
      lastInboundAt: lastInbound?.createdAt ?? null,
      whatsappCloud: input.whatsappCloud,
      now: input.now,
    });
    const claimed = await tx.feedback.updateMany({
      where: { id: feedbackId, status: "queued" },
      data: plan.kind === "ask" ? { status: "asked", askedAt: input.now, askedAs: plan.form } : { status: "skipped", skipReason: plan.reason },
    });
    if (claimed.count !== 1) return null;
    if (plan.kind === "ask" && resident && conversation.channelIdentityId) {
      const payload = input.build({ plan, conversationId: conversation.id, reference: conversation.reference, language: resident.language === "en" ? "en" : "nl" });
      await addOutboundMessage(tx, {
        conversationId: conversation.id,
        residentId: resident.id,
        channelIdentityId: conversation.channelIdentityId,
        channel: ChannelSchema.parse(conversation.channel),
        payload,
        authorKind: "bot",
        now: input.now,
      });
    }
    return plan;
  });
}

/** An answer to an open question, found when a message comes in: where it goes, and what it is. */
export interface FeedbackMatch {
  feedbackId: string;
  conversationId: string;
  answer: FeedbackAnswer;
}

/**
 * Reads a new message of this channel identity against its open question (asked, or scored and
 * open for a word), in the inbound transaction. A score or an open answer goes to the question's
 * conversation without reopening it (the bot's turn decides that, answerFeedback); a tap on the
 * button of a question that is over goes there too, to be thanked. Anything else closes the
 * question (the resident moved on: the answer is never forced) and returns null, so the message
 * is filed as usual.
 */
export async function matchFeedbackAnswer(
  tx: Tx,
  input: {
    channelIdentityId: string;
    candidates: readonly ConversationCandidate[];
    message: { text?: string | undefined; value?: string | undefined; hasMedia: boolean };
    now: Date;
    isCommand: () => boolean;
    /** The identity's open question when the caller read it already (the inbound look-up, OPEN_FEEDBACK_BY_ADDRESS). */
    open?: OpenFeedback | null;
  },
): Promise<(FeedbackMatch & { choice: ConversationChoice }) | null> {
  const select = { id: true, conversationId: true, status: true, askedAt: true, scoredAt: true } as const;
  const filed = (row: { id: string; conversationId: string }, answer: FeedbackAnswer) => ({
    feedbackId: row.id,
    conversationId: row.conversationId,
    answer,
    choice: { kind: "existing" as const, conversationId: row.conversationId, reopen: false },
  });
  const tapped = readFeedbackButton(input.message.value);
  if (tapped) {
    // A button names its question: it counts while the question is unanswered (also after the resident wrote something else).
    const row = await tx.feedback.findFirst({ where: { conversationId: tapped.conversationId, conversation: { channelIdentityId: input.channelIdentityId } }, select });
    if (!row) return null;
    const unanswered = (row.status === "asked" || row.status === "ignored") && row.askedAt !== null;
    const answer =
      unanswered && row.askedAt
        ? readFeedbackAnswer({ conversationId: row.conversationId, status: "asked", askedAt: row.askedAt, scoredAt: null }, input.message, {
            now: input.now,
            typedCounts: false,
            isCommand: input.isCommand,
          })
        : { kind: "other" as const };
    if (answer.kind === "other") await closeOpenQuestion(tx, row);
    return filed(row, answer);
  }
  const open = input.open !== undefined ? input.open : await findOpenFeedbackOfIdentity(tx, input.channelIdentityId);
  if (!open?.askedAt || (open.status !== "asked" && open.status !== "scored")) return null;
  // Typed words are meant for the question when its conversation is the only one they could belong to.
  const typedCounts = input.candidates.length === 1 && input.candidates[0]?.id === open.conversationId;
  const answer = readFeedbackAnswer({ conversationId: open.conversationId, status: open.status, askedAt: open.askedAt, scoredAt: open.scoredAt }, input.message, {
    now: input.now,
    typedCounts,
    isCommand: input.isCommand,
  });
  if (answer.kind !== "other") return filed(open, answer);
  await closeOpenQuestion(tx, open);
  return null;
}

/** An identity's latest "Voelde je je gehoord?" that a typed answer may still answer (asked, or scored and waiting for a comment). */
export interface OpenFeedback {
  id: string;
  conversationId: string;
  status: string;
  askedAt: Date | null;
  scoredAt: Date | null;
}

const OPEN_FEEDBACK_COLUMNS = `f."id" AS "feedbackId", f."conversationId" AS "feedbackConversationId", f."status" AS "feedbackStatus", f."askedAt" AS "feedbackAskedAt", f."scoredAt" AS "feedbackScoredAt"`;

/**
 * The open question of the identity at a platform address (parameters: channel, externalId), as a
 * derived table for a caller that reads it in a statement of its own (src/db/inbound.repo.ts):
 * every inbound message asks this. Read its row with `openFeedbackOf`.
 */
export const OPEN_FEEDBACK_BY_ADDRESS = `SELECT ${OPEN_FEEDBACK_COLUMNS} FROM "Feedback" f
    JOIN "Conversation" fc ON fc."id" = f."conversationId" JOIN "ChannelIdentity" fi ON fi."id" = fc."channelIdentityId"
    WHERE f."status" IN ('asked', 'scored') AND fi."channel" = ? AND fi."externalId" = ? ORDER BY f."askedAt" DESC LIMIT 1`;

/** The open question in a row read with OPEN_FEEDBACK_BY_ADDRESS's columns, or null. */
export function openFeedbackOf(row: SqlRow): OpenFeedback | null {
  const id = optionalTextOf(row, "feedbackId");
  if (id === null) return null;
  return {
    id,
    conversationId: textOf(row, "feedbackConversationId"),
    status: textOf(row, "feedbackStatus"),
    askedAt: optionalDateOf(row, "feedbackAskedAt"),
    scoredAt: optionalDateOf(row, "feedbackScoredAt"),
  };
}

async function findOpenFeedbackOfIdentity(tx: Tx, channelIdentityId: string): Promise<OpenFeedback | null> {
  const rows = await sqlRows(
    tx,
    `SELECT ${OPEN_FEEDBACK_COLUMNS} FROM "Feedback" f JOIN "Conversation" c ON c."id" = f."conversationId"
    WHERE f."status" IN ('asked', 'scored') AND c."channelIdentityId" = ? ORDER BY f."askedAt" DESC LIMIT 1`,
    [channelIdentityId],
  );
  return rows[0] ? openFeedbackOf(rows[0]) : null;
}

/** The resident moved on: an unanswered question is ignored, a scored one done. */
async function closeOpenQuestion(tx: Tx, row: { id: string; status: string }): Promise<void> {
  if (row.status === "asked") await tx.feedback.updateMany({ where: { id: row.id, status: "asked" }, data: { status: "ignored" } });
  if (row.status === "scored") await tx.feedback.updateMany({ where: { id: row.id, status: "scored" }, data: { status: "done" } });
}

/** Records a score or an open answer on its question, naming the stored message, in the inbound transaction. */
export async function recordFeedbackAnswer(tx: Tx, match: FeedbackMatch, messageId: string, now: Date): Promise<void> {
  if (match.answer.kind === "score") {
    await tx.feedback.update({ where: { id: match.feedbackId }, data: { status: "scored", score: match.answer.score, scoreMessageId: messageId, scoredAt: now } });
  } else if (match.answer.kind === "comment") {
    await tx.feedback.update({ where: { id: match.feedbackId }, data: { status: "done", commentMessageId: messageId, commentedAt: now } });
  }
}

/** The conversation's question, as the bot's turn and the inbox read it. */
export async function findFeedbackOfConversation(db: DbOrTx, conversationId: string) {
  // Every bot turn asks this: one prepared statement (src/db/sql.ts).
  const rows = await sqlRows(
    db,
    `SELECT "id", "status", "score", "skipReason", "reopened", "scoreMessageId", "commentMessageId", "askedAt", "scoredAt", "commentedAt" FROM "Feedback" WHERE "conversationId" = ?`,
    [conversationId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: textOf(row, "id"),
    status: textOf(row, "status"),
    score: optionalNumberOf(row, "score"),
    skipReason: optionalTextOf(row, "skipReason"),
    reopened: optionalBooleanOf(row, "reopened") ?? false,
    scoreMessageId: optionalTextOf(row, "scoreMessageId"),
    commentMessageId: optionalTextOf(row, "commentMessageId"),
    askedAt: optionalDateOf(row, "askedAt"),
    scoredAt: optionalDateOf(row, "scoredAt"),
    commentedAt: optionalDateOf(row, "commentedAt"),
  };
}

/** Marks that an answer put the conversation back with the tandem. */
export async function markFeedbackReopened(tx: Tx, feedbackId: string): Promise<void> {
  await tx.feedback.update({ where: { id: feedbackId }, data: { reopened: true } });
}
