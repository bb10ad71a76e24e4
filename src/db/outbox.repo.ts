/**
 * The outbox as the dispatcher (src/jobs/outboxDispatcher.ts) sees it: due messages, the
 * per-resident order, the lease that claims a message for one instance, and the outcome of a
 * send. The rows themselves are written with the state change that caused them
 * (addOutboundMessage in conversation.repo.ts).
 */
import { OutboundPayloadSchema, type Channel, type OutboundPayload } from "../domain/messages.ts";
import type { DbOrTx } from "./client.ts";
import { dateOf, numberOf, optionalDateOf, optionalNumberOf, optionalTextOf, type SqlRow, sqlRows, sqlRun, textOf } from "./sql.ts";

/** A stored payload, read: the payload, or why it cannot be sent (the send fails with that error, as any failed send). */
export type OutboxPayloadRead = { ok: true; value: OutboundPayload } | { ok: false; error: unknown };

/** A pending outbox message that is due, with the recipient it goes to. */
export interface DueOutboxMessage {
  id: string;
  channel: Channel;
  channelIdentityId: string;
  createdAt: Date;
  attempts: number;
  /** The message's own priority: replies 0, bulk (wijkberichten) 10. */
  priority: number;
  /** The lane it goes in this round: the most urgent due priority of its resident (an older bulk message ahead of a reply goes as a reply). */
  lanePriority: number;
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

/** What one dispatch round may send: each resident's next message, and the residents whose next message is not due yet. */
export interface NextOutboxMessages {
  /** At most one message per resident (the oldest pending one), replies' lane first, then the longest waiting. */
  ready: DueOutboxMessage[];
  /** Residents with a due message behind an older one that waits for a retry until `until`: order keeps them waiting. */
  waiting: Array<{ channelIdentityId: string; channel: Channel; until: Date }>;
}

/** `?, ?, ?` for a list of `n` values. */
const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/**
 * Each resident's next outbox message for `channels`, for one round (per resident, order is by
 * creation; across residents, replies first). A resident takes the lane of its most urgent due
 * message, so an older bulk message ahead of a reply goes in the reply lane (it is sent first,
 * then the reply) instead of blocking it. Within a lane, the resident waiting longest goes first,
 * one message per resident per round, so one resident with many messages cannot crowd out others.
 * `skipIdentityIds` are passed over (residents the caller is pacing). Two statements whatever the
 * batch (the lanes, then every lane's head with its recipient), prepared (src/db/sql.ts): the
 * dispatcher asks this several times a second.
 */
export async function listNextOutboxMessages(db: DbOrTx, input: { channels: Channel[]; now: Date; limit: number; skipIdentityIds: string[] }): Promise<NextOutboxMessages> {
  const { channels, now } = input;
  if (channels.length === 0) return { ready: [], waiting: [] };
  const skip = input.skipIdentityIds.length > 0 ? `AND "channelIdentityId" NOT IN (${placeholders(input.skipIdentityIds.length)})` : "";
  const laneRows = await sqlRows(
    db,
    `SELECT "channelIdentityId", MIN("priority") AS "minPriority", MIN("createdAt") AS "minCreatedAt" FROM "OutboxMessage"
    WHERE "status" = 'pending' AND ("lockedUntil" IS NULL OR "lockedUntil" < ?) AND "channel" IN (${placeholders(channels.length)}) AND "nextAttemptAt" <= ? ${skip}
    GROUP BY "channelIdentityId" ORDER BY "minPriority" ASC, "minCreatedAt" ASC, "channelIdentityId" ASC LIMIT ?`,
    [now, ...channels, now, ...input.skipIdentityIds, input.limit],
  );
  if (laneRows.length === 0) return { ready: [], waiting: [] };
  const lanes = laneRows.map((row) => ({ channelIdentityId: textOf(row, "channelIdentityId"), minPriority: optionalNumberOf(row, "minPriority") }));
  const headRows = await sqlRows(
    db,
    `SELECT o."id", o."channel", o."channelIdentityId", o."createdAt", o."attempts", o."priority", o."payload", o."lockedUntil", o."nextAttemptAt", i."externalId", i."reference"
    FROM "OutboxMessage" o JOIN "ChannelIdentity" i ON i."id" = o."channelIdentityId"
    WHERE o."status" = 'pending' AND o."channelIdentityId" IN (${placeholders(lanes.length)})
      AND o."createdAt" = (SELECT MIN(p."createdAt") FROM "OutboxMessage" p WHERE p."status" = 'pending' AND p."channelIdentityId" = o."channelIdentityId")
    ORDER BY o."createdAt" ASC, o."id" ASC`,
    lanes.map((lane) => lane.channelIdentityId),
  );
  const headOf = new Map<string, SqlRow>();
  for (const head of headRows) {
    const identityId = textOf(head, "channelIdentityId");
    if (!headOf.has(identityId)) headOf.set(identityId, head);
  }

  const ready: DueOutboxMessage[] = [];
  const waiting: NextOutboxMessages["waiting"] = [];
  for (const lane of lanes) {
    const head = headOf.get(lane.channelIdentityId);
    // The query asked for these channels only, so every head has one of them.
    const channel = head ? channels.find((wanted) => wanted === textOf(head, "channel")) : undefined;
    if (!head || !channel) continue;
    // Leased: another instance is sending it right now; its next round moves on.
    const lockedUntil = optionalDateOf(head, "lockedUntil");
    if (lockedUntil && lockedUntil >= now) continue;
    const nextAttemptAt = dateOf(head, "nextAttemptAt");
    if (nextAttemptAt > now) {
      waiting.push({ channelIdentityId: lane.channelIdentityId, channel, until: nextAttemptAt });
      continue;
    }
    const priority = numberOf(head, "priority");
    ready.push({
      id: textOf(head, "id"),
      channel,
      channelIdentityId: lane.channelIdentityId,
      createdAt: dateOf(head, "createdAt"),
      attempts: numberOf(head, "attempts"),
      priority,
      lanePriority: lane.minPriority ?? priority,
      recipient: { externalId: textOf(head, "externalId"), reference: optionalTextOf(head, "reference") },
      payload: readPayload(textOf(head, "payload")),
    });
  }
  return { ready, waiting };
}

/**
 * How a claim went: `claimed` (free), `taken-over` (its lease had run out while another instance
 * held it: that instance stopped mid-send, so the message may or may not have reached the
 * platform), or `lost` (no longer pending or due, or another instance holds a live lease).
 */
export type OutboxClaim = "claimed" | "taken-over" | "lost";

/**
 * Claims a due pending message for one instance with a lease until `lockedUntil`, counting the
 * attempt. The lease is short and renewed while the send runs (renewOutboxLease), so it ends
 * with the process that holds it: a crashed instance's claim can be taken over seconds later, a
 * live instance's never. Each step is one conditional update, which is the lock (on PostgreSQL
 * the row lock makes a second instance re-check the condition), so several instances can run.
 */
export async function claimOutboxMessage(db: DbOrTx, id: string, lease: { now: Date; lockedUntil: Date; lockedBy: string }): Promise<OutboxClaim> {
  // Every message sent claims once: prepared statements (src/db/sql.ts).
  const free = await sqlRun(
    db,
    `UPDATE "OutboxMessage" SET "lockedUntil" = ?, "lockedBy" = ?, "attempts" = "attempts" + 1
    WHERE "id" = ? AND "status" = 'pending' AND "nextAttemptAt" <= ? AND "lockedBy" IS NULL AND ("lockedUntil" IS NULL OR "lockedUntil" < ?)`,
    [lease.lockedUntil, lease.lockedBy, id, lease.now, lease.now],
  );
  if (free > 0) return "claimed";
  const orphaned = await sqlRun(
    db,
    `UPDATE "OutboxMessage" SET "lockedUntil" = ?, "lockedBy" = ?, "attempts" = "attempts" + 1
    WHERE "id" = ? AND "status" = 'pending' AND "nextAttemptAt" <= ? AND "lockedBy" IS NOT NULL AND "lockedUntil" < ?`,
    [lease.lockedUntil, lease.lockedBy, id, lease.now, lease.now],
  );
  return orphaned > 0 ? "taken-over" : "lost";
}

/** Extends this instance's lease on a message it is sending; false when the lease was lost (taken over after a stall, or released). */
export async function renewOutboxLease(db: DbOrTx, id: string, lease: { lockedUntil: Date; lockedBy: string }): Promise<boolean> {
  const renewed = await db.outboxMessage.updateMany({ where: { id, status: "pending", lockedBy: lease.lockedBy }, data: { lockedUntil: lease.lockedUntil } });
  return renewed.count > 0;
}

/**
 * A message whose sender stopped mid-send, on a platform that cannot tell a repeated send from a
 * new one: it is not sent again (the resident may have it already) but marked dead with the
 * reason, so that an admin sees it under undelivered messages and can send it again.
 */
export async function markOutboxMessageInDoubt(db: DbOrTx, id: string, lockedBy: string, lastError: string): Promise<void> {
  await db.outboxMessage.updateMany({ where: { id, status: "pending", lockedBy }, data: { status: "dead", lockedUntil: null, lockedBy: null, lastError } });
}

/** Records a delivered message and releases its lease (only the lease holder's: after a takeover the new holder decides; `externalMessageId` null: the platform gave no id, e.g. for a reaction). */
export async function markOutboxMessageSent(db: DbOrTx, id: string, sent: { sentAt: Date; externalMessageId: string | null; lockedBy: string }): Promise<void> {
  await sqlRun(
    db,
    `UPDATE "OutboxMessage" SET "status" = 'sent', "sentAt" = ?, "externalMessageId" = ?, "lockedUntil" = NULL, "lockedBy" = NULL, "lastError" = NULL WHERE "id" = ? AND "lockedBy" = ?`,
    [sent.sentAt, sent.externalMessageId, id, sent.lockedBy],
  );
}

/**
 * The platform refused the send for now (rate limited): pending again from `nextAttemptAt`, lease
 * released, and the attempt given back (a refusal is not a failure of the message, so a long
 * rate limit never makes it dead).
 */
export async function deferOutboxMessage(db: DbOrTx, id: string, deferral: { nextAttemptAt: Date; lastError: string; lockedBy: string }): Promise<void> {
  await db.outboxMessage.updateMany({
    where: { id, status: "pending", attempts: { gt: 0 }, lockedBy: deferral.lockedBy },
    data: { nextAttemptAt: deferral.nextAttemptAt, lockedUntil: null, lockedBy: null, lastError: deferral.lastError, attempts: { decrement: 1 } },
  });
}

/** Records a failed send and releases its lease (the holder's only): pending again from `nextAttemptAt`, or dead (for an admin to look at). */
export async function markOutboxMessageFailed(db: DbOrTx, id: string, failure: { dead: boolean; nextAttemptAt: Date; lastError: string; lockedBy: string }): Promise<void> {
  await db.outboxMessage.updateMany({
    where: { id, lockedBy: failure.lockedBy },
    data: { status: failure.dead ? "dead" : "pending", nextAttemptAt: failure.nextAttemptAt, lockedUntil: null, lockedBy: null, lastError: failure.lastError },
  });
}

/**
 * The platform's id of a resident's message (the one its duplicates are refused on), for a
 * reaction on it; null when there is no such inbound message (erased meanwhile) or it has none.
 */
export async function findInboundChannelMessageId(db: DbOrTx, messageId: string): Promise<string | null> {
  const message = await db.message.findFirst({ where: { id: messageId, direction: "in" }, select: { channelMessageId: true } });
  return message?.channelMessageId ?? null;
}
