/**
 * Wijkberichten (a tandem's message to the subscribers of its wijken) and their deliveries: one
 * row per recipient channel identity, unique per bericht, written in the same transaction as its
 * outbox row. A restart therefore continues where the last committed batch ended, and nobody is
 * queued twice (src/jobs/wijkberichtSender.ts). Delivery status follows the outbox row (sent,
 * dead → failed); cancelling or unsubscribing marks the rows not yet handed to a platform.
 */
import { readInSlices } from "./inSlices.ts";
import type { OutboundPayload } from "../domain/messages.ts";
import { ChannelSchema, type Channel } from "../domain/vocabulary.ts";
import type { DbOrTx, Tx } from "./client.ts";
import type { ContentScope } from "./content.repo.ts";
import { addOutboxMessage } from "./conversation.repo.ts";
import { dateOf, optionalTextOf, sqlRows, textOf } from "./sql.ts";

/** One recipient of a wijkbericht: the resident and the channel identity they subscribed with. */
export interface WijkSubscriber {
  residentId: string;
  channelIdentityId: string;
  channel: Channel;
}

/** Which subscribers a bericht goes to as it is sent; weekly ones get it in their bundle. */
export type SubscriptionFrequency = "each" | "weekly";

function toSubscribers(rows: Array<{ residentId: string; channelIdentityId: string; channelIdentity: { channel: string } }>): WijkSubscriber[] {
  const seen = new Set<string>();
  return rows.flatMap((row) => {
    const channel = ChannelSchema.safeParse(row.channelIdentity.channel);
    if (!channel.success || seen.has(row.channelIdentityId)) return [];
    seen.add(row.channelIdentityId);
    return [{ residentId: row.residentId, channelIdentityId: row.channelIdentityId, channel: channel.data }];
  });
}

/** The active (not cancelled) subscriptions to a wijk's news; an identity on a channel Wijklijn no longer has is left out. */
export async function listActiveSubscribers(db: DbOrTx, wijkId: string): Promise<WijkSubscriber[]> {
  const rows = await db.subscription.findMany({
    where: { wijkId, cancelledAt: null },
    select: { residentId: true, channelIdentityId: true, channelIdentity: { select: { channel: true } } },
  });
  return toSubscribers(rows);
}

/** Active subscriptions per wijk and frequency: counts only, never who (subscribers never see each other; wethouders see no lists). */
export async function countSubscribersPerWijk(db: DbOrTx, wijkIds: readonly string[]): Promise<Map<string, { each: number; weekly: number }>> {
  const rows = await db.subscription.groupBy({ by: ["wijkId", "frequency"], where: { wijkId: { in: [...wijkIds] }, cancelledAt: null }, _count: { _all: true } });
  const counts = new Map<string, { each: number; weekly: number }>();
  for (const id of wijkIds) counts.set(id, { each: 0, weekly: 0 });
  for (const row of rows) {
    const entry = counts.get(row.wijkId) ?? { each: 0, weekly: 0 };
    if (row.frequency === "weekly") entry.weekly += row._count._all;
    else entry.each += row._count._all;
    counts.set(row.wijkId, entry);
  }
  return counts;
}

/** How many different identities one bericht to these wijken reaches (each frequency; an identity subscribed to two of them counts once). */
export async function countRecipients(db: DbOrTx, wijkIds: readonly string[]): Promise<{ each: number; weekly: number }> {
  const [each, weekly] = await Promise.all(
    (["each", "weekly"] as const).map(
      async (frequency) => (await db.subscription.groupBy({ by: ["channelIdentityId"], where: { wijkId: { in: [...wijkIds] }, cancelledAt: null, frequency } })).length,
    ),
  );
  return { each: each ?? 0, weekly: weekly ?? 0 };
}

// ---- Berichten ----

const WIJKEN_INCLUDE = { wijken: { include: { wijk: { select: { id: true, slug: true, name: true, tandemId: true } } } }, author: { select: { displayName: true } } } as const;

function scopeWhere(scope: ContentScope) {
  // A bericht is in scope when one of its wijken is (an admin's "all": every bericht of the gemeente).
  return {
    gemeenteId: scope.gemeenteId,
    ...(scope.tandemIds === "all" ? {} : { wijken: { some: { wijk: { tandemId: { in: [...scope.tandemIds] } } } } }),
  };
}

/** The fields of a bericht staff write. */
export interface WijkberichtInput {
  text: string;
  imageUrl: string | null;
  link: string | null;
  wijkIds: string[];
}

/** Creates a bericht (a draft, or scheduled / sending at once). */
export async function createWijkbericht(
  tx: Tx,
  input: WijkberichtInput & { gemeenteId: string; authorKind: "staff" | "cli"; authorStaffId: string | null; status: "draft" | "scheduled" | "sending"; scheduledAt: Date | null; now: Date },
) {
  return tx.wijkbericht.create({
    data: {
      gemeenteId: input.gemeenteId,
      text: input.text,
      imageUrl: input.imageUrl,
      link: input.link,
      status: input.status,
      scheduledAt: input.scheduledAt,
      startedAt: input.status === "sending" ? input.now : null,
      authorKind: input.authorKind,
      authorStaffId: input.authorStaffId,
      createdAt: input.now,
      wijken: { create: input.wijkIds.map((wijkId) => ({ wijkId })) },
    },
  });
}

/** Replaces a draft's (or scheduled bericht's) content; false when it is no longer a draft or scheduled. */
export async function updateWijkberichtContent(tx: Tx, id: string, input: WijkberichtInput): Promise<boolean> {
  const updated = await tx.wijkbericht.updateMany({ where: { id, status: { in: ["draft", "scheduled"] } }, data: { text: input.text, imageUrl: input.imageUrl, link: input.link } });
  if (updated.count === 0) return false;
  await tx.wijkberichtWijk.deleteMany({ where: { wijkberichtId: id } });
  await tx.wijkberichtWijk.createMany({ data: input.wijkIds.map((wijkId) => ({ wijkberichtId: id, wijkId })) });
  return true;
}

/** A bericht in scope with its wijken and author, or null (unknown or another tandem's). */
export async function findWijkberichtInScope(db: DbOrTx, scope: ContentScope, id: string) {
  return db.wijkbericht.findFirst({ where: { id, ...scopeWhere(scope) }, include: WIJKEN_INCLUDE });
}

/** A bericht by id (the sender job), with its wijken. */
export async function findWijkberichtById(db: DbOrTx, id: string) {
  return db.wijkbericht.findUnique({ where: { id }, include: WIJKEN_INCLUDE });
}

/** The berichten in scope, newest first. */
export async function listWijkberichtenInScope(db: DbOrTx, scope: ContentScope, take = 100) {
  return db.wijkbericht.findMany({ where: scopeWhere(scope), include: WIJKEN_INCLUDE, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take });
}

/** Moves a bericht from one status to another when it still has one of `from`; false when it had moved on. */
export async function moveWijkberichtStatus(
  tx: DbOrTx,
  id: string,
  from: readonly string[],
  to: { status: "draft" | "scheduled" | "sending" | "sent" | "cancelled"; scheduledAt?: Date | null; at: Date },
): Promise<boolean> {
  const times = to.status === "sending" ? { startedAt: to.at } : to.status === "sent" ? { finishedAt: to.at } : to.status === "cancelled" ? { cancelledAt: to.at, finishedAt: to.at } : {};
  const updated = await tx.wijkbericht.updateMany({
    where: { id, status: { in: [...from] } },
    data: { status: to.status, ...(to.scheduledAt !== undefined ? { scheduledAt: to.scheduledAt } : {}), ...times },
  });
  return updated.count > 0;
}

/** Scheduled berichten whose time has come, and those sending: what the sender job works on. */
export async function listActiveWijkberichtIds(db: DbOrTx, now: Date): Promise<{ due: string[]; sending: string[] }> {
  const [due, sending] = await Promise.all([
    db.wijkbericht.findMany({ where: { status: "scheduled", scheduledAt: { lte: now } }, select: { id: true }, orderBy: { scheduledAt: "asc" } }),
    db.wijkbericht.findMany({ where: { status: "sending" }, select: { id: true }, orderBy: { startedAt: "asc" } }),
  ]);
  return { due: due.map((row) => row.id), sending: sending.map((row) => row.id) };
}

/** The highest channel identity a bericht was queued for (subscribers are queued in that order), or undefined before the first. */
export async function findLastQueuedIdentity(db: DbOrTx, wijkberichtId: string): Promise<string | undefined> {
  const last = await db.wijkberichtDelivery.findFirst({ where: { wijkberichtId }, orderBy: { channelIdentityId: "desc" }, select: { channelIdentityId: true } });
  return last?.channelIdentityId;
}

/** Records that every subscriber of a bericht has a delivery row (nobody is left to queue). */
export async function markWijkberichtQueued(db: DbOrTx, id: string, at: Date): Promise<void> {
  await db.wijkbericht.updateMany({ where: { id, queuedAt: null }, data: { queuedAt: at } });
}

// ---- Deliveries ----

/**
 * Subscribers (frequency "each") of the wijken who have no delivery row for this bericht yet, at
 * most `take` identities, in a stable order (so a restart continues with the next ones).
 */
export async function listUnqueuedSubscribers(
  db: DbOrTx,
  wijkberichtId: string,
  wijkIds: readonly string[],
  take: number,
  /** Only identities after this one (the last one queued): spares re-reading everyone queued before. */
  after?: string,
): Promise<Array<WijkSubscriber & { language: string }>> {
  const rows = await db.subscription.findMany({
    where: {
      wijkId: { in: [...wijkIds] },
      cancelledAt: null,
      frequency: "each",
      ...(after !== undefined ? { channelIdentityId: { gt: after } } : {}),
      channelIdentity: { wijkberichtDeliveries: { none: { wijkberichtId } } },
    },
    select: { residentId: true, channelIdentityId: true, channelIdentity: { select: { channel: true } }, resident: { select: { language: true } } },
    orderBy: [{ channelIdentityId: "asc" }, { id: "asc" }],
    take: take * Math.max(1, wijkIds.length),
  });
  const languages = new Map(rows.map((row) => [row.channelIdentityId, row.resident.language]));
  return toSubscribers(rows)
    .slice(0, take)
    .map((subscriber) => ({ ...subscriber, language: languages.get(subscriber.channelIdentityId) ?? "nl" }));
}

/** Writes one delivery row (with its outbox row id when there is one). Unique per bericht and identity: a second one throws. */
export async function addWijkberichtDelivery(
  tx: Tx,
  input: {
    wijkberichtId: string;
    residentId: string;
    channelIdentityId: string;
    outboxMessageId: string | null;
    messageId: string | null;
    status: "queued" | "failed";
    form: "text" | "template";
    reason: string | null;
    now: Date;
  },
): Promise<void> {
  const { now, ...data } = input;
  await tx.wijkberichtDelivery.create({ data: { ...data, createdAt: now, updatedAt: now } });
}

/** How many deliveries of a bericht wait for the outbox. */
export async function countQueuedDeliveries(db: DbOrTx, wijkberichtId: string): Promise<number> {
  return db.wijkberichtDelivery.count({ where: { wijkberichtId, status: "queued" } });
}

/** Copies what the outbox did to the queued deliveries: sent, failed (dead), cancelled. */
export async function syncDeliveryStatuses(db: DbOrTx, wijkberichtId: string, now: Date): Promise<void> {
  const outcomes = [
    ["sent", "sent"],
    ["dead", "failed"],
    ["cancelled", "cancelled"],
  ] as const;
  for (const [outbox, delivery] of outcomes) {
    await db.wijkberichtDelivery.updateMany({ where: { wijkberichtId, status: "queued", outboxMessage: { is: { status: outbox } } }, data: { status: delivery, updatedAt: now } });
  }
}

/** Deliveries per status (queued, sent, failed, unsubscribed, cancelled). */
export async function countDeliveriesByStatus(db: DbOrTx, wijkberichtIds: readonly string[]): Promise<Map<string, Record<string, number>>> {
  // In slices: the overview lists every bericht of the years (past SQLite's 999 parameters as one list).
  const rows = await readInSlices(wijkberichtIds, (ids) => db.wijkberichtDelivery.groupBy({ by: ["wijkberichtId", "status"], where: { wijkberichtId: { in: ids } }, _count: { _all: true } }));
  const counts = new Map<string, Record<string, number>>();
  for (const row of rows) {
    const entry = counts.get(row.wijkberichtId) ?? {};
    entry[row.status] = row._count._all;
    counts.set(row.wijkberichtId, entry);
  }
  return counts;
}

/**
 * Takes back the deliveries of a bericht that no platform has yet: their outbox rows become
 * "cancelled" (the dispatcher only sends pending ones; a row being sent right now, leased, goes
 * and counts as sent). Returns how many were taken back.
 */
export async function cancelQueuedDeliveries(tx: Tx, where: { wijkberichtId: string } | { channelIdentityId: string }, outcome: "cancelled" | "unsubscribed", now: Date): Promise<number> {
  // Relation filters (subqueries), not id lists: a bericht to 100,000 subscribers would pass SQLite's 999 parameters.
  const cancelled = await tx.outboxMessage.updateMany({
    where: { status: "pending", lockedBy: null, wijkbericht: { is: { ...where, status: "queued" } } },
    data: { status: "cancelled", lastError: outcome },
  });
  if (cancelled.count === 0) return 0;
  const taken = await tx.wijkberichtDelivery.updateMany({
    where: { ...where, status: "queued", outboxMessage: { is: { status: "cancelled" } } },
    data: { status: outcome, updatedAt: now },
  });
  return taken.count;
}

/**
 * The newest wijkbericht this identity received (within `withinMs`), when nothing was sent to it
 * after that: "stop" then means "stop these berichten". Null otherwise.
 */
export async function findLastThingWasWijkbericht(db: DbOrTx, channelIdentityId: string, now: Date, withinMs: number): Promise<{ wijkberichtId: string } | null> {
  // Every turn asks this: plain statements (src/db/sql.ts) rather than compiled Prisma queries.
  const deliveries = await sqlRows(
    db,
    `SELECT "wijkberichtId", "createdAt", "messageId" FROM "WijkberichtDelivery"
    WHERE "channelIdentityId" = ? AND "status" IN ('queued', 'sent') AND "createdAt" >= ?
    ORDER BY "createdAt" DESC, "id" DESC LIMIT 1`,
    [channelIdentityId, new Date(now.getTime() - withinMs)],
  );
  const delivery = deliveries[0];
  if (!delivery) return null;
  const messageId = optionalTextOf(delivery, "messageId");
  const later = await sqlRows(
    db,
    `SELECT m."id" FROM "Message" m JOIN "Conversation" c ON c."id" = m."conversationId"
    WHERE c."channelIdentityId" = ? AND m."direction" = 'out' AND m."createdAt" > ? AND m."id" <> ? LIMIT 1`,
    [channelIdentityId, dateOf(delivery, "createdAt"), messageId ?? ""],
  );
  return later.length > 0 ? null : { wijkberichtId: textOf(delivery, "wijkberichtId") };
}

/** The wijkbericht a conversation may answer: the newest sent to its resident's identity before `before`, within `withinMs`. */
export async function findAnsweredWijkbericht(db: DbOrTx, conversationId: string, before: Date, withinMs: number) {
  const conversation = await db.conversation.findUnique({ where: { id: conversationId }, select: { channelIdentityId: true } });
  const channelIdentityId = conversation?.channelIdentityId;
  if (!channelIdentityId) return null;
  const delivery = await db.wijkberichtDelivery.findFirst({
    where: { channelIdentityId, status: "sent", createdAt: { lte: before, gte: new Date(before.getTime() - withinMs) } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { wijkbericht: { select: { id: true, text: true, startedAt: true, createdAt: true } } },
  });
  return delivery?.wijkbericht ?? null;
}

/** The newest inbound message time on an identity (WhatsApp's 24-hour window), or null. */
export async function findLastInboundAt(db: DbOrTx, channelIdentityId: string): Promise<Date | null> {
  const message = await db.message.findFirst({ where: { direction: "in", conversation: { channelIdentityId } }, orderBy: { createdAt: "desc" }, select: { createdAt: true } });
  return message?.createdAt ?? null;
}

/**
 * Queues a bericht for one subscriber, in the caller's transaction: the copy in their newest
 * conversation (when they have one: the web chat shows it, and staff see what a reply answers),
 * the outbox row (bulk, priority 10) and the delivery row. `payload` null: it cannot go (the
 * delivery is "failed" with `reason`, no outbox row).
 */
export async function queueWijkberichtDelivery(
  tx: Tx,
  input: { wijkberichtId: string; subscriber: WijkSubscriber; payload: OutboundPayload | null; form: "text" | "template"; reason: string | null; now: Date },
): Promise<void> {
  const { subscriber, now } = input;
  let outboxMessageId: string | null = null;
  let messageId: string | null = null;
  if (input.payload) {
    const conversation = await tx.conversation.findFirst({ where: { channelIdentityId: subscriber.channelIdentityId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true } });
    if (conversation) {
      const message = await tx.message.create({
        data: {
          conversationId: conversation.id,
          direction: "out",
          authorKind: "bot",
          text: input.payload.text,
          // The photo goes with it (the web chat shows it; staff see its address).
          mediaRef: input.payload.image ? `image:${input.payload.image.url}` : null,
          channel: subscriber.channel,
          createdAt: now,
        },
      });
      messageId = message.id;
    }
    const outbox = await addOutboxMessage(tx, {
      ...subscriber,
      conversationId: conversation?.id ?? null,
      payload: input.payload,
      ...(messageId ? { messageId } : {}),
      priority: WIJKBERICHT_PRIORITY,
      now,
    });
    outboxMessageId = outbox.id;
  }
  await addWijkberichtDelivery(tx, {
    wijkberichtId: input.wijkberichtId,
    residentId: subscriber.residentId,
    channelIdentityId: subscriber.channelIdentityId,
    outboxMessageId,
    messageId,
    status: input.payload ? "queued" : "failed",
    form: input.form,
    reason: input.reason,
    now,
  });
}

/** Wijkberichten are bulk: every reply (priority 0) goes first. */
export const WIJKBERICHT_PRIORITY = 10;

/** Takes the next step only when the bericht is still sending (a conditional write: it also serialises with a cancel). */
export async function touchSendingWijkbericht(tx: Tx, id: string, now: Date): Promise<boolean> {
  const touched = await tx.wijkbericht.updateMany({ where: { id, status: "sending" }, data: { updatedAt: now } });
  return touched.count > 0;
}

// ---- Weekly bundles ----

/** The berichten that started going in [start, end) (not cancelled before they went), with their wijken. */
export async function listBerichtenStartedBetween(db: DbOrTx, gemeenteId: string, start: Date, end: Date) {
  return db.wijkbericht.findMany({
    where: { gemeenteId, startedAt: { gte: start, lt: end }, status: { in: ["sending", "sent"] } },
    select: { id: true, text: true, imageUrl: true, link: true, startedAt: true, wijken: { select: { wijkId: true, wijk: { select: { name: true } } } } },
    orderBy: [{ startedAt: "asc" }, { id: "asc" }],
  });
}

/** Weekly subscribers of these wijken without a bundle for `week` yet, with the wijken they follow (at most `take` identities). */
export async function listWeeklySubscribersWithoutBundle(db: DbOrTx, wijkIds: readonly string[], week: string, take: number) {
  const rows = await db.subscription.findMany({
    where: { wijkId: { in: [...wijkIds] }, cancelledAt: null, frequency: "weekly", channelIdentity: { wijkberichtBundles: { none: { week } } } },
    select: { residentId: true, channelIdentityId: true, wijkId: true, channelIdentity: { select: { channel: true } }, resident: { select: { language: true } } },
    orderBy: [{ channelIdentityId: "asc" }, { id: "asc" }],
    take: take * Math.max(1, wijkIds.length),
  });
  const byIdentity = new Map<string, WijkSubscriber & { language: string; wijkIds: string[] }>();
  for (const row of rows) {
    const channel = ChannelSchema.safeParse(row.channelIdentity.channel);
    if (!channel.success) continue;
    const existing = byIdentity.get(row.channelIdentityId);
    if (existing) existing.wijkIds.push(row.wijkId);
    else if (byIdentity.size < take)
      byIdentity.set(row.channelIdentityId, { residentId: row.residentId, channelIdentityId: row.channelIdentityId, channel: channel.data, language: row.resident.language, wijkIds: [row.wijkId] });
  }
  return [...byIdentity.values()];
}

/**
 * Writes one identity's weekly bundle: the bundle row (unique per identity and week: a second
 * one throws, so a bundle goes once) and its outbox row, in the caller's transaction.
 */
export async function queueWeeklyBundle(tx: Tx, input: { subscriber: WijkSubscriber; week: string; berichten: number; payload: OutboundPayload | null; now: Date }): Promise<void> {
  const outbox = input.payload ? await addOutboxMessage(tx, { ...input.subscriber, conversationId: null, payload: input.payload, priority: WIJKBERICHT_PRIORITY, now: input.now }) : null;
  await tx.wijkberichtBundle.create({
    data: { channelIdentityId: input.subscriber.channelIdentityId, week: input.week, berichten: input.berichten, outboxMessageId: outbox?.id ?? null, createdAt: input.now },
  });
}
