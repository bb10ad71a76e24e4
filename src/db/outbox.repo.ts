/**
 * The outbox as the dispatcher (src/jobs/outboxDispatcher.ts) sees it: due messages, the
 * per-resident order, the lease that claims a message for one instance, and the outcome of a
 * send. The rows themselves are written with the state change that caused them
 * (addOutboundMessage in conversation.repo.ts).
 */
import { OutboundPayloadSchema, type Channel, type OutboundPayload } from "../domain/messages.ts";
import type { DbOrTx } from "./client.ts";

/** A stored payload, read: the payload, or why it cannot be sent (the send fails with that error, as any failed send). */
export type OutboxPayloadRead = { ok: true; value: OutboundPayload } | { ok: false; error: unknown };

/** A pending outbox message that is due, with the recipient it goes to. */
export interface DueOutboxMessage {
  id: string;
  channel: Channel;
  channelIdentityId: string;
  createdAt: Date;
  attempts: number;
  recipient: { externalId: string; reference: string | null };
  payload: OutboxPayloadRead;
}

function readPayload(text: string): OutboxPayloadRead {
  try {
    return { ok: true, value: OutboundPayloadSchema.parse(JSON.parse(text)) };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Pending messages for `channels` whose next attempt is due and that no instance holds a lease
 * on: replies (priority 0) before bulk, then oldest first.
 */
export async function listDueOutboxMessages(db: DbOrTx, input: { channels: Channel[]; now: Date; limit: number }): Promise<DueOutboxMessage[]> {
  const { channels, now } = input;
  const rows = await db.outboxMessage.findMany({
    where: { status: "pending", channel: { in: channels }, nextAttemptAt: { lte: now }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
    orderBy: [{ priority: "asc" }, { createdAt: "asc" }, { id: "asc" }],
    take: input.limit,
    include: { channelIdentity: true },
  });
  return rows.flatMap((row) => {
    // The query asked for these channels only, so every row has one of them.
    const channel = channels.find((wanted) => wanted === row.channel);
    if (!channel) return [];
    return [
      {
        id: row.id,
        channel,
        channelIdentityId: row.channelIdentityId,
        createdAt: row.createdAt,
        attempts: row.attempts,
        recipient: { externalId: row.channelIdentity.externalId, reference: row.channelIdentity.reference },
        payload: readPayload(row.payload),
      },
    ];
  });
}

/** Whether the identity has a pending message written before this one (per resident, messages leave in the order they were written). */
export async function hasOlderPendingOutboxMessage(db: DbOrTx, message: { id: string; channelIdentityId: string; createdAt: Date }): Promise<boolean> {
  const older = await db.outboxMessage.count({
    where: {
      channelIdentityId: message.channelIdentityId,
      status: "pending",
      OR: [{ createdAt: { lt: message.createdAt } }, { createdAt: message.createdAt, id: { lt: message.id } }],
    },
  });
  return older > 0;
}

/**
 * Claims a pending message for one instance with a lease until `lockedUntil`, counting the
 * attempt; false when it is no longer pending or another instance holds an unexpired lease
 * (the conditional update is the lock, so several instances can run).
 */
export async function claimOutboxMessage(db: DbOrTx, id: string, lease: { now: Date; lockedUntil: Date; lockedBy: string }): Promise<boolean> {
  const claimed = await db.outboxMessage.updateMany({
    where: { id, status: "pending", OR: [{ lockedUntil: null }, { lockedUntil: { lt: lease.now } }] },
    data: { lockedUntil: lease.lockedUntil, lockedBy: lease.lockedBy, attempts: { increment: 1 } },
  });
  return claimed.count > 0;
}

/** Records a delivered message and releases its lease. */
export async function markOutboxMessageSent(db: DbOrTx, id: string, sent: { sentAt: Date; externalMessageId: string }): Promise<void> {
  await db.outboxMessage.update({
    where: { id },
    data: { status: "sent", sentAt: sent.sentAt, externalMessageId: sent.externalMessageId, lockedUntil: null, lockedBy: null, lastError: null },
  });
}

/** Records a failed send and releases its lease: pending again from `nextAttemptAt`, or dead (for an admin to look at). */
export async function markOutboxMessageFailed(db: DbOrTx, id: string, failure: { dead: boolean; nextAttemptAt: Date; lastError: string }): Promise<void> {
  await db.outboxMessage.update({
    where: { id },
    data: { status: failure.dead ? "dead" : "pending", nextAttemptAt: failure.nextAttemptAt, lockedUntil: null, lockedBy: null, lastError: failure.lastError },
  });
}
