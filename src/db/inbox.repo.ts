/**
 * Queries of the inbox pages that conversationQuery.repo.ts does not have: the list sorted by
 * how long residents have waited, a conversation's context (names, status history, WhatsApp
 * window), colleagues of a tandem, canned replies, and the admin's overviews (conversations
 * without a tandem, dead outbox messages). As there, the caller's scope is a required parameter.
 */
import { ChannelSchema, ConversationStatusSchema, type Channel, type ConversationStatus } from "../domain/messages.ts";
import { recordAudit } from "./audit.repo.ts";
import { conversationScopeWhere, conversationSelect, toConversationView } from "./conversationQuery.repo.ts";
import type { DbOrTx, Db } from "./client.ts";
import type { ConversationScope, ConversationView } from "./conversationQuery.repo.ts";
import type { Prisma } from "./generated/sqlite/client.ts";
import { isWithStaff, STAFF_STATUSES } from "../domain/vocabulary.ts";
import { readInSlices } from "./inSlices.ts";
import { isUnroutedEmergency } from "../domain/access.ts";

function tandemScopeWhere(scope: ConversationScope): Prisma.TandemWhereInput {
  return scope.tandemIds === "all" ? { gemeenteId: scope.gemeenteId } : { gemeenteId: scope.gemeenteId, id: { in: [...scope.tandemIds] } };
}

/** Filters of the inbox list. */
export interface InboxListFilters {
  /** Empty: every status. */
  statuses: readonly ConversationStatus[];
  /** A wijk slug. */
  wijk?: string | undefined;
  theme?: string | undefined;
  channel?: Channel | undefined;
  /** How many to return (the list grows with "meer tonen"). */
  limit: number;
}

/** A conversation in the inbox list: the CONTRACTS view plus names and since when the resident waits. */
export interface InboxListItem extends ConversationView {
  wijkName: string | null;
  tandemName: string | null;
  /** When the resident started waiting for staff; null when nobody waits for staff (not open). */
  waitingSince: Date | null;
}

/** One page of the inbox list. */
export interface InboxListPage {
  items: InboxListItem[];
  /** More conversations match than were returned. */
  hasMore: boolean;
}

/** The most conversations one page of the list holds (the admin's overdue page asks for this many). */
export const MAX_LIST_LIMIT = 2000;

/**
 * Since when a resident waits for staff: for an open conversation, the last time it became open
 * (the handover, the resident's message after a staff reply, the end of a snooze), as changeStatus
 * keeps it in `waitingSince`; later messages of the resident do not reset it, so the oldest
 * unanswered message counts. A conversation that is not open has nobody waiting for staff. (An
 * open row written around changeStatus, without `waitingSince`, waits since its last message.)
 */
export function waitingSinceOf(conversation: { status: string; waitingSince: Date | null; lastMessageAt: Date }): Date | null {
  if (conversation.status !== "open") return null;
  return conversation.waitingSince ?? conversation.lastMessageAt;
}

const listSelect = {
  ...conversationSelect,
  wijk: { select: { slug: true, name: true } },
  tandem: { select: { slug: true, name: true } },
} as const satisfies Prisma.ConversationSelect;

type ListRow = Prisma.ConversationGetPayload<{ select: typeof listSelect }>;

function toListItem(row: ListRow, waitingSince: Date | null): InboxListItem {
  return {
    ...toConversationView(row),
    wijkName: row.wijk?.name ?? null,
    tandemName: row.tandem?.name ?? null,
    waitingSince,
  };
}

const sortKeySelect = { id: true, status: true, emergency: true, tandemId: true, assigneeId: true, lastMessageAt: true, waitingSince: true } as const satisfies Prisma.ConversationSelect;

type SortKeyRow = Prisma.ConversationGetPayload<{ select: typeof sortKeySelect }>;

interface SortKey {
  id: string;
  emergency: boolean;
  /** An emergency no tandem holds and nobody has taken yet (isUnroutedEmergency, no assignee, with staff). */
  untakenUnroutedEmergency: boolean;
  waitingSince: Date | null;
  lastMessageAt: Date;
}

function sortKeyOf(row: SortKeyRow): SortKey {
  return {
    id: row.id,
    emergency: row.emergency !== null,
    untakenUnroutedEmergency: isUnroutedEmergency(row) && row.assigneeId === null && isWithStaff(row.status),
    lastMessageAt: row.lastMessageAt,
    waitingSince: waitingSinceOf(row),
  };
}

/**
 * Emergencies without a tandem that nobody took first (every gebiedsregisseur sees them), then
 * emergencies that wait, then whoever waits longest, then the rest by latest activity.
 */
function compareByWaiting(a: SortKey, b: SortKey): number {
  const group = (key: SortKey) => (key.untakenUnroutedEmergency ? -1 : key.waitingSince === null ? 2 : key.emergency ? 0 : 1);
  const byGroup = group(a) - group(b);
  if (byGroup !== 0) return byGroup;
  if (a.waitingSince && b.waitingSince) {
    const byWait = a.waitingSince.getTime() - b.waitingSince.getTime();
    if (byWait !== 0) return byWait;
  } else {
    const byActivity = b.lastMessageAt.getTime() - a.lastMessageAt.getTime();
    if (byActivity !== 0) return byActivity;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The rows compareByWaiting puts in group -1 (isUnroutedEmergency, nobody assigned, with staff), as a filter. */
const untakenUnroutedEmergencyWhere = {
  tandemId: null,
  emergency: { not: null },
  assigneeId: null,
  status: { in: [...STAFF_STATUSES] },
} as const satisfies Prisma.ConversationWhereInput;

/**
 * The conversations in `scope` matching `filters`, sorted by who has waited longest (emergencies
 * that wait on top; conversations where nobody waits for staff after them, latest activity
 * first). compareByWaiting's groups are read one after the other, each in its order from an index
 * (`waitingSince`, `lastMessageAt`), until the page is full: no query reads more rows than the
 * page holds, however many conversations match (the few untaken unrouted emergencies are sorted here).
 */
export async function listConversationsByWaitingTime(db: DbOrTx, scope: ConversationScope, filters: InboxListFilters): Promise<InboxListPage> {
  const and: Prisma.ConversationWhereInput[] = [conversationScopeWhere(scope)];
  if (filters.statuses.length > 0) and.push({ status: { in: [...filters.statuses] } });
  if (filters.wijk !== undefined) and.push({ wijk: { is: { slug: filters.wijk } } });
  if (filters.theme !== undefined) and.push({ theme: filters.theme });
  if (filters.channel !== undefined) and.push({ channel: filters.channel });
  const limit = Math.min(Math.max(Math.trunc(filters.limit), 1), MAX_LIST_LIMIT);
  const wantsOpen = filters.statuses.length === 0 || filters.statuses.includes("open");
  const byWaitingSince: Prisma.ConversationOrderByWithRelationInput[] = [{ waitingSince: "asc" }, { id: "asc" }];
  // compareByWaiting's groups in turn, each as its filter and the order the database reads it in
  // from an index; one row past the page tells whether there is more. The first two, emergencies
  // (a handful), are sorted here: the first holds every status with staff, and an order on
  // `lastMessageAt` there would lead SQLite's planner to read the gemeente's whole history.
  const groups: Array<{ where: Prisma.ConversationWhereInput; orderBy: Prisma.ConversationOrderByWithRelationInput[]; take?: number; sortHere?: true } | null> = [
    { where: untakenUnroutedEmergencyWhere, orderBy: byWaitingSince, take: MAX_LIST_LIMIT + 1, sortHere: true },
    wantsOpen ? { where: { status: "open", emergency: { not: null }, OR: [{ tandemId: { not: null } }, { assigneeId: { not: null } }] }, orderBy: byWaitingSince, sortHere: true } : null,
    wantsOpen ? { where: { status: "open", emergency: null, waitingSince: { not: null } }, orderBy: byWaitingSince } : null,
    // Open without a waitingSince (a row written around changeStatus): after those that have one.
    wantsOpen ? { where: { status: "open", emergency: null, waitingSince: null }, orderBy: [{ lastMessageAt: "desc" }, { id: "asc" }] } : null,
    { where: { status: { not: "open" }, NOT: untakenUnroutedEmergencyWhere }, orderBy: [{ lastMessageAt: "desc" }, { id: "asc" }] },
  ];
  const keys: SortKey[] = [];
  for (const group of groups) {
    if (group === null || keys.length > limit) continue;
    const rows = await db.conversation.findMany({ where: { AND: [...and, group.where] }, select: sortKeySelect, orderBy: group.orderBy, take: group.take ?? limit + 1 - keys.length });
    const groupKeys = rows.map(sortKeyOf);
    keys.push(...(group.sortHere ? groupKeys.sort(compareByWaiting) : groupKeys));
  }
  const page = keys.slice(0, limit);
  // The admin's overdue page asks for MAX_LIST_LIMIT: past SQLite's 999 parameters as one list.
  // By id alone: the ids come from the scoped reads above, and the scope beside an `IN` list leads
  // SQLite's planner to read the gemeente's every conversation (65 ms at 100,000) instead of the keys.
  const rows = await readInSlices(
    page.map((key) => key.id),
    (ids) => db.conversation.findMany({ where: { id: { in: ids } }, select: listSelect }),
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const items = page.flatMap((key) => {
    const row = byId.get(key.id);
    return row ? [toListItem(row, key.waitingSince)] : [];
  });
  return { items, hasMore: keys.length > limit };
}

/** One status change as the conversation page shows it. */
export interface StatusHistoryEntry {
  from: ConversationStatus | null;
  to: ConversationStatus;
  at: Date;
  /** The staff user's display name; null for the bot or the system. */
  actor: string | null;
}

/** What the conversation page shows besides the messages. */
export interface ConversationContext {
  id: string;
  reference: string;
  channel: Channel;
  status: ConversationStatus;
  tandemId: string | null;
  tandemName: string | null;
  wijkSlug: string | null;
  wijkName: string | null;
  snoozedUntil: Date | null;
  /** The last time the conversation became open (handover, resident's answer, end of a snooze). */
  lastOpenedAt: Date | null;
  /** While open: since when the resident waits (the list's sort key; a move may date it before lastOpenedAt). */
  waitingSince: Date | null;
  statusHistory: StatusHistoryEntry[];
  /** The resident's newest message on this channel identity (any conversation): the WhatsApp window. */
  lastInboundOnIdentityAt: Date | null;
}

/** The context of one conversation in `scope`, or null when absent or out of scope. */
export async function getConversationContext(db: DbOrTx, scope: ConversationScope, id: string): Promise<ConversationContext | null> {
  const row = await db.conversation.findFirst({
    where: { AND: [conversationScopeWhere(scope), { id }] },
    select: {
      id: true,
      reference: true,
      channel: true,
      status: true,
      tandemId: true,
      snoozedUntil: true,
      waitingSince: true,
      channelIdentityId: true,
      wijk: { select: { slug: true, name: true } },
      tandem: { select: { name: true } },
      statusChanges: { orderBy: [{ at: "asc" }, { id: "asc" }], select: { fromStatus: true, toStatus: true, at: true, actorStaffId: true } },
    },
  });
  if (!row) return null;
  const actorIds = [...new Set(row.statusChanges.flatMap((change) => (change.actorStaffId ? [change.actorStaffId] : [])))];
  const actors = actorIds.length > 0 ? await db.staffUser.findMany({ where: { id: { in: actorIds } }, select: { id: true, displayName: true } }) : [];
  const names = new Map(actors.map((actor) => [actor.id, actor.displayName]));
  const lastInbound = await db.message.findFirst({
    where: { direction: "in", conversation: { channelIdentityId: row.channelIdentityId } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { createdAt: true },
  });
  const history = row.statusChanges.map((change) => ({
    from: change.fromStatus === null ? null : ConversationStatusSchema.parse(change.fromStatus),
    to: ConversationStatusSchema.parse(change.toStatus),
    at: change.at,
    actor: change.actorStaffId ? (names.get(change.actorStaffId) ?? null) : null,
  }));
  return {
    id: row.id,
    reference: row.reference,
    channel: ChannelSchema.parse(row.channel),
    status: ConversationStatusSchema.parse(row.status),
    tandemId: row.tandemId,
    tandemName: row.tandem?.name ?? null,
    wijkSlug: row.wijk?.slug ?? null,
    wijkName: row.wijk?.name ?? null,
    snoozedUntil: row.snoozedUntil,
    lastOpenedAt: history.filter((change) => change.to === "open").at(-1)?.at ?? null,
    waitingSince: row.waitingSince,
    statusHistory: history,
    lastInboundOnIdentityAt: lastInbound?.createdAt ?? null,
  };
}

/** A staff user who can be assigned. */
export interface Colleague {
  id: string;
  email: string;
  name: string;
  role: string;
}

/** The active members of a tandem and the admins of its gemeente: who may be assigned. */
export async function listTandemColleagues(db: DbOrTx, gemeenteId: string, tandemId: string | null): Promise<Colleague[]> {
  const rows = await db.staffUser.findMany({
    where: { gemeenteId, active: true, OR: [{ role: "admin" }, ...(tandemId ? [{ tandems: { some: { tandemId } } }] : [])] },
    select: { id: true, email: true, displayName: true, role: true },
    orderBy: [{ displayName: "asc" }, { id: "asc" }],
  });
  return rows.map((row) => ({ id: row.id, email: row.email, name: row.displayName, role: row.role }));
}

/** One active staff user of the gemeente as an assignee option (the signed-in user's own "Mij"), or null. */
export async function findColleague(db: DbOrTx, gemeenteId: string, staffUserId: string): Promise<Colleague | null> {
  const row = await db.staffUser.findFirst({ where: { id: staffUserId, gemeenteId, active: true }, select: { id: true, email: true, displayName: true, role: true } });
  return row ? { id: row.id, email: row.email, name: row.displayName, role: row.role } : null;
}

/** A wijk as the pages' selects show it. */
export interface WijkOption {
  slug: string;
  name: string;
  active: boolean;
  tandemName: string | null;
}

/** The wijken of the tandems in `scope` (every wijk for an admin), by name. */
export async function listWijkenInScope(db: DbOrTx, scope: ConversationScope): Promise<WijkOption[]> {
  const rows = await db.wijk.findMany({
    where: scope.tandemIds === "all" ? { gemeenteId: scope.gemeenteId } : { gemeenteId: scope.gemeenteId, tandemId: { in: [...scope.tandemIds] } },
    select: { slug: true, name: true, active: true, tandem: { select: { name: true } } },
    orderBy: [{ name: "asc" }, { slug: "asc" }],
  });
  return rows.map((row) => ({ slug: row.slug, name: row.name, active: row.active, tandemName: row.tandem?.name ?? null }));
}

/** Every wijk of the gemeente (to move a conversation to), by name. */
export async function listAllWijken(db: DbOrTx, gemeenteId: string): Promise<WijkOption[]> {
  return listWijkenInScope(db, { gemeenteId, tandemIds: "all" });
}

/** A tandem as the pages show it. */
export interface TandemOption {
  id: string;
  slug: string;
  name: string;
}

/** The tandems in `scope` (every tandem for an admin), by name. */
export async function listTandemsInScope(db: DbOrTx, scope: ConversationScope): Promise<TandemOption[]> {
  return db.tandem.findMany({ where: tandemScopeWhere(scope), select: { id: true, slug: true, name: true }, orderBy: [{ name: "asc" }, { id: "asc" }] });
}

/** A canned reply of a tandem. */
export interface CannedReplyView {
  id: string;
  tandemId: string;
  title: string;
  body: string;
}

/** The canned replies of the tandems in `scope`, or of one of them, by title. */
export async function listCannedReplies(db: DbOrTx, scope: ConversationScope, tandemId?: string): Promise<CannedReplyView[]> {
  return db.cannedReply.findMany({
    where: { tandem: tandemScopeWhere(scope), ...(tandemId !== undefined ? { tandemId } : {}) },
    select: { id: true, tandemId: true, title: true, body: true },
    orderBy: [{ title: "asc" }, { id: "asc" }],
  });
}

/** Adds a canned reply to a tandem in `scope`; null when the tandem is not in scope. Audited. */
export async function createCannedReply(db: Db, scope: ConversationScope, actorStaffId: string, input: { tandemId: string; title: string; body: string }, now: Date): Promise<CannedReplyView | null> {
  return db.$transaction(async (tx) => {
    const tandem = await tx.tandem.findFirst({ where: { AND: [tandemScopeWhere(scope), { id: input.tandemId }] }, select: { id: true } });
    if (!tandem) return null;
    const created = await tx.cannedReply.create({ data: { tandemId: tandem.id, title: input.title, body: input.body }, select: { id: true, tandemId: true, title: true, body: true } });
    await recordAudit(tx, {
      gemeenteId: scope.gemeenteId,
      actorStaffId,
      actorKind: "staff",
      action: "cannedReply.created",
      subjectType: "CannedReply",
      subjectId: created.id,
      data: { tandemId: tandem.id },
      at: now,
    });
    return created;
  });
}

/** Deletes a canned reply of a tandem in `scope`; false when there is none. Audited. */
export async function deleteCannedReply(db: Db, scope: ConversationScope, actorStaffId: string, id: string, now: Date): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.cannedReply.deleteMany({ where: { id, tandem: tandemScopeWhere(scope) } });
    if (count > 0) {
      await recordAudit(tx, {
        gemeenteId: scope.gemeenteId,
        actorStaffId,
        actorKind: "staff",
        action: "cannedReply.deleted",
        subjectType: "CannedReply",
        subjectId: id,
        at: now,
      });
    }
    return count > 0;
  });
}

/** A conversation that waits for staff but has no tandem (its wijk is inactive or unknown). */
export interface UnroutedConversation {
  id: string;
  reference: string;
  channel: Channel;
  status: ConversationStatus;
  wijkName: string | null;
  wijkActive: boolean | null;
  lastMessageAt: Date;
}

/** Conversations with staff (open, waiting, snoozed) that belong to no tandem: only admins see them. */
export async function listConversationsWithoutTandem(db: DbOrTx, gemeenteId: string, limit = 200): Promise<UnroutedConversation[]> {
  const rows = await db.conversation.findMany({
    where: { gemeenteId, tandemId: null, status: { in: [...STAFF_STATUSES] } },
    select: { id: true, reference: true, channel: true, status: true, lastMessageAt: true, wijk: { select: { name: true, active: true } } },
    orderBy: [{ lastMessageAt: "asc" }, { id: "asc" }],
    take: limit,
  });
  return rows.map((row) => ({
    id: row.id,
    reference: row.reference,
    channel: ChannelSchema.parse(row.channel),
    status: ConversationStatusSchema.parse(row.status),
    wijkName: row.wijk?.name ?? null,
    wijkActive: row.wijk?.active ?? null,
    lastMessageAt: row.lastMessageAt,
  }));
}

/** An outbox message that was given up on. `lastError` as stored (already redacted by the dispatcher). */
export interface DeadOutboxMessage {
  id: string;
  channel: string;
  conversationId: string | null;
  reference: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
}

/** The dead outbox messages of a gemeente, newest first. */
export async function listDeadOutboxMessages(db: DbOrTx, gemeenteId: string, limit = 200): Promise<DeadOutboxMessage[]> {
  const rows = await db.outboxMessage.findMany({
    where: { status: "dead", resident: { gemeenteId } },
    select: { id: true, channel: true, conversationId: true, attempts: true, lastError: true, createdAt: true, conversation: { select: { reference: true } } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  return rows.map((row) => ({
    id: row.id,
    channel: row.channel,
    conversationId: row.conversationId,
    reference: row.conversation?.reference ?? null,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt,
  }));
}

/**
 * Puts a dead outbox message of the gemeente back in the queue (pending, due now, attempts reset
 * so the dispatcher tries it as often as a new one); false when there is no such dead message.
 * Audited.
 */
export async function retryDeadOutboxMessage(db: Db, gemeenteId: string, actorStaffId: string, id: string, now: Date = new Date()): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.outboxMessage.updateMany({
      where: { id, status: "dead", resident: { gemeenteId } },
      data: { status: "pending", attempts: 0, nextAttemptAt: now, lockedUntil: null, lockedBy: null },
    });
    if (count > 0) await recordAudit(tx, { gemeenteId, actorStaffId, actorKind: "staff", action: "outbox.retried", subjectType: "OutboxMessage", subjectId: id, at: now });
    return count > 0;
  });
}
