/**
 * Wijk content as staff manage it in the inbox: news items and dialoogtafels within the caller's
 * wijken, sign-up lists and capacity changes. Every query takes a ContentScope, so a
 * gebiedsregisseur cannot reach another tandem's wijk by accident (STYLE.md, 10).
 *
 * The second half holds what staff notifications need (recipients of a handover, the Telegram
 * link of a staff user, the "already notified" mark). StaffUser has no notification columns yet,
 * so the Telegram link and the notified mark are kept as AuditEvent rows; see the note there.
 */
import { readInSlices } from "./inSlices.ts";
import { z } from "zod";
import type { AuditAction } from "../domain/audit.ts";
import { recordAudit } from "./audit.repo.ts";
import type { DbOrTx, Tx } from "./client.ts";

/** Which wijken a staff user may manage: all of the gemeente (admin) or those of their tandems. */
export interface ContentScope {
  gemeenteId: string;
  tandemIds: readonly string[] | "all";
}

/** The kinds of news item (NewsItem.kind). */
export const NewsKindSchema = z.enum(["project", "werkzaamheden", "initiatief", "bericht"]);
export type NewsKind = z.infer<typeof NewsKindSchema>;

/** A sign-up's status (Registration.status). */
export const RegistrationStatusSchema = z.enum(["registered", "waitlist", "cancelled"]);
export type RegistrationStatus = z.infer<typeof RegistrationStatusSchema>;

function wijkWhere(scope: ContentScope) {
  return { gemeenteId: scope.gemeenteId, ...(scope.tandemIds === "all" ? {} : { tandemId: { in: [...scope.tandemIds] } }) };
}

const wijkSelect = { select: { id: true, slug: true, name: true } } as const;

/** The wijken in scope, by name: the choices of the wijk field. */
export async function listScopedWijken(db: DbOrTx, scope: ContentScope) {
  return db.wijk.findMany({ where: wijkWhere(scope), select: { id: true, slug: true, name: true }, orderBy: { name: "asc" } });
}

/** Every news item in scope (drafts, published and expired), newest change first. */
export async function listNewsForStaff(db: DbOrTx, scope: ContentScope) {
  return db.newsItem.findMany({ where: { wijk: wijkWhere(scope) }, include: { wijk: wijkSelect }, orderBy: [{ updatedAt: "desc" }, { id: "asc" }] });
}

/** Sign-up counts per dialoogtafel. */
export async function countSignUps(db: DbOrTx, dialoogtafelIds: readonly string[]): Promise<Map<string, { registered: number; waitlist: number; cancelled: number }>> {
  const counts = new Map<string, { registered: number; waitlist: number; cancelled: number }>();
  for (const id of dialoogtafelIds) counts.set(id, { registered: 0, waitlist: 0, cancelled: 0 });
  if (dialoogtafelIds.length === 0) return counts;
  // In slices: the overview counts every dialoogtafel of the years (past SQLite's 999 parameters as one list).
  const groups = await readInSlices(dialoogtafelIds, (ids) => db.registration.groupBy({ by: ["dialoogtafelId", "status"], where: { dialoogtafelId: { in: ids } }, _count: { _all: true } }));
  for (const group of groups) {
    const entry = counts.get(group.dialoogtafelId);
    const status = RegistrationStatusSchema.safeParse(group.status);
    if (entry && status.success) entry[status.data] = group._count._all;
  }
  return counts;
}

/** Every dialoogtafel in scope with its sign-up counts: upcoming first (soonest first), then past ones (latest first). */
export async function listDialoogtafelsForStaff(db: DbOrTx, scope: ContentScope, now: Date) {
  const tafels = await db.dialoogtafel.findMany({ where: { wijk: wijkWhere(scope) }, include: { wijk: wijkSelect }, orderBy: [{ startsAt: "asc" }, { id: "asc" }] });
  const counts = await countSignUps(
    db,
    tafels.map((t) => t.id),
  );
  const withCounts = tafels.map((tafel) => ({ ...tafel, signUps: counts.get(tafel.id) ?? { registered: 0, waitlist: 0, cancelled: 0 } }));
  const upcoming = withCounts.filter((t) => t.startsAt > now);
  const past = withCounts.filter((t) => t.startsAt <= now).reverse();
  return [...upcoming, ...past];
}

/** A news item in scope, or null (unknown, or another tandem's: the caller answers 404 either way). */
export async function findNewsItemInScope(db: DbOrTx, scope: ContentScope, id: string) {
  return db.newsItem.findFirst({ where: { id, wijk: wijkWhere(scope) }, include: { wijk: wijkSelect } });
}

/** A dialoogtafel in scope, or null (unknown, or another tandem's). */
export async function findDialoogtafelInScope(db: DbOrTx, scope: ContentScope, id: string) {
  return db.dialoogtafel.findFirst({ where: { id, wijk: wijkWhere(scope) }, include: { wijk: wijkSelect } });
}

/** A wijk in scope by id, or null. */
export async function findWijkInScope(db: DbOrTx, scope: ContentScope, wijkId: string) {
  return db.wijk.findFirst({ where: { id: wijkId, ...wijkWhere(scope) }, select: { id: true, slug: true, name: true } });
}

/** A wijk in scope by slug, or null (unknown, or another tandem's). */
export async function findWijkBySlugInScope(db: DbOrTx, scope: ContentScope, slug: string) {
  return db.wijk.findFirst({ where: { slug, ...wijkWhere(scope) }, select: { id: true, slug: true, name: true } });
}

/** The fields of a news item staff edit. `publishedAt` null is a draft; the bot shows items with publishedAt ≤ now. */
export interface NewsItemInput {
  wijkId: string;
  kind: NewsKind;
  title: string;
  body: string;
  link: string | null;
  publishedAt: Date | null;
  expiresAt: Date | null;
}

/** Creates a news item. */
export async function createNewsItem(tx: Tx, input: NewsItemInput, now: Date) {
  return tx.newsItem.create({ data: { ...input, createdAt: now } });
}

/** Replaces the editable fields of a news item (the caller checked the scope). */
export async function updateNewsItem(tx: Tx, id: string, input: NewsItemInput) {
  return tx.newsItem.update({ where: { id }, data: input });
}

/** The fields of a dialoogtafel staff edit. */
export interface DialoogtafelInput {
  wijkId: string;
  title: string;
  topic: string;
  location: string;
  startsAt: Date;
  endsAt: Date | null;
  capacity: number;
}

/** Creates a planned dialoogtafel. */
export async function createDialoogtafel(tx: Tx, input: DialoogtafelInput, now: Date) {
  return tx.dialoogtafel.create({ data: { ...input, status: "planned", createdAt: now } });
}

/**
 * Gives free places to the waitlist, first signed up first: as many as capacity minus the
 * registered leaves. Nobody registered is ever moved back (a lower capacity only stops new
 * places). Returns the promoted residents, in order.
 */
export async function promoteFromWaitlist(tx: Tx, dialoogtafelId: string, now: Date): Promise<string[]> {
  const tafel = await tx.dialoogtafel.findUnique({ where: { id: dialoogtafelId } });
  if (tafel?.status !== "planned") return [];
  const registered = await tx.registration.count({ where: { dialoogtafelId, status: "registered" } });
  const free = tafel.capacity - registered;
  if (free <= 0) return [];
  const next = await tx.registration.findMany({ where: { dialoogtafelId, status: "waitlist" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: free });
  if (next.length === 0) return [];
  await tx.registration.updateMany({ where: { id: { in: next.map((r) => r.id) }, status: "waitlist" }, data: { status: "registered", promotedAt: now, promotionSentAt: null } });
  return next.map((r) => r.residentId);
}

/** Updates a dialoogtafel (the caller checked the scope) and promotes from the waitlist when places came free. */
export async function updateDialoogtafel(tx: Tx, id: string, input: DialoogtafelInput, now: Date) {
  const tafel = await tx.dialoogtafel.update({ where: { id }, data: input });
  const promotedResidentIds = tafel.startsAt > now ? await promoteFromWaitlist(tx, id, now) : [];
  return { tafel, promotedResidentIds };
}

/** Cancels a dialoogtafel: it takes no sign-ups and the bot no longer lists it. The sign-ups stay, for the record. */
export async function cancelDialoogtafel(tx: Tx, id: string) {
  return tx.dialoogtafel.update({ where: { id }, data: { status: "cancelled" } });
}

/**
 * Every sign-up of a dialoogtafel in sign-up order, with the channel the resident last used.
 * Residents have no names in Wijklijn: the list identifies sign-ups by id only.
 */
export async function listSignUps(db: DbOrTx, dialoogtafelId: string) {
  const rows = await db.registration.findMany({
    where: { dialoogtafelId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      status: true,
      createdAt: true,
      updatedAt: true,
      resident: { select: { identities: { select: { channel: true }, orderBy: { lastSeenAt: "desc" }, take: 1 } } },
    },
  });
  return rows.map((row) => ({ id: row.id, status: row.status, createdAt: row.createdAt, updatedAt: row.updatedAt, channel: row.resident.identities[0]?.channel ?? null }));
}

// ---------------------------------------------------------------------------------------------
// Staff notifications. The Telegram link lives on StaffUser.telegramChatId; every change is also
// in the audit log. E-mail goes to staff with notifyByEmail.
// ---------------------------------------------------------------------------------------------

/** Audit action of linking a Telegram chat (data: { chatId, code }). */
export const TELEGRAM_LINKED = "staff.telegram.linked" satisfies AuditAction;
/** Audit action of removing the link. */
export const TELEGRAM_UNLINKED = "staff.telegram.unlinked" satisfies AuditAction;
/** Audit action that marks a conversation's handover to a tandem as notified (the deduplication key). */
export const HANDOVER_NOTIFIED = "conversation.handover.notified" satisfies AuditAction;

/** What a handover notification may say about a conversation: no resident text, no contact data. */
export async function findConversationForNotification(db: DbOrTx, conversationId: string) {
  return db.conversation.findUnique({
    where: { id: conversationId },
    select: {
      id: true,
      reference: true,
      gemeenteId: true,
      tandemId: true,
      theme: true,
      intent: true,
      emergency: true,
      channel: true,
      wijk: { select: { name: true } },
      tandem: { select: { name: true } },
    },
  });
}

/**
 * Who hears of a conversation handed to `tandemId`: its active gebiedsregisseurs. Without a tandem,
 * or when the tandem has no active gebiedsregisseur, the gemeente's active admins (so that nothing
 * falls between two chairs).
 */
export async function listHandoverRecipients(db: DbOrTx, input: { gemeenteId: string; tandemId: string | null }) {
  const select = { id: true, email: true, role: true } as const;
  if (input.tandemId) {
    const members = await db.staffUser.findMany({
      where: { gemeenteId: input.gemeenteId, active: true, tandems: { some: { tandemId: input.tandemId, role: "gebiedsregisseur" } } },
      select: { ...select, notifyByEmail: true },
      orderBy: { email: "asc" },
    });
    if (members.length > 0) return { recipients: members, fallback: false };
  }
  const admins = await db.staffUser.findMany({ where: { gemeenteId: input.gemeenteId, active: true, role: "admin" }, select: { ...select, notifyByEmail: true }, orderBy: { email: "asc" } });
  return { recipients: admins, fallback: input.tandemId !== null };
}

/** The linked Telegram chat per staff user (absent: not linked). */
export async function findTelegramChatIds(db: DbOrTx, staffUserIds: readonly string[]): Promise<Map<string, string>> {
  const linked = new Map<string, string>();
  if (staffUserIds.length === 0) return linked;
  const users = await db.staffUser.findMany({ where: { id: { in: [...staffUserIds] }, telegramChatId: { not: null } }, select: { id: true, telegramChatId: true } });
  for (const user of users) if (user.telegramChatId) linked.set(user.id, user.telegramChatId);
  return linked;
}

/** The linked Telegram chat of one staff user, or null. */
export async function findTelegramLink(db: DbOrTx, staffUserId: string): Promise<{ chatId: string } | null> {
  const chatId = (await findTelegramChatIds(db, [staffUserId])).get(staffUserId);
  return chatId ? { chatId } : null;
}

/** True when a link code (its signature) was already used to link. */
export async function isTelegramLinkCodeUsed(db: DbOrTx, staffUserId: string, code: string): Promise<boolean> {
  const used = await db.auditEvent.findFirst({ where: { subjectType: "StaffUser", subjectId: staffUserId, action: TELEGRAM_LINKED, data: { contains: JSON.stringify(code) } }, select: { id: true } });
  return used !== null;
}

/** Links a Telegram chat to a staff user (replacing an earlier link); false when the staff user is unknown or inactive. */
export async function recordTelegramLink(db: DbOrTx, input: { staffUserId: string; chatId: string; code?: string; now: Date }): Promise<boolean> {
  const staff = await db.staffUser.findUnique({ where: { id: input.staffUserId }, select: { id: true, gemeenteId: true, active: true } });
  if (!staff?.active) return false;
  const data = { chatId: input.chatId, ...(input.code ? { code: input.code } : {}) };
  await db.staffUser.update({ where: { id: staff.id }, data: { telegramChatId: input.chatId } });
  await recordAudit(db, {
    gemeenteId: staff.gemeenteId,
    actorStaffId: staff.id,
    actorKind: "staff",
    action: TELEGRAM_LINKED,
    subjectType: "StaffUser",
    subjectId: staff.id,
    data,
    at: input.now,
  });
  return true;
}

/** Removes the Telegram link of a staff user. */
export async function recordTelegramUnlink(db: DbOrTx, input: { staffUserId: string; gemeenteId: string; now: Date }): Promise<void> {
  await db.staffUser.update({ where: { id: input.staffUserId }, data: { telegramChatId: null } });
  await recordAudit(db, {
    gemeenteId: input.gemeenteId,
    actorStaffId: input.staffUserId,
    actorKind: "staff",
    action: TELEGRAM_UNLINKED,
    subjectType: "StaffUser",
    subjectId: input.staffUserId,
    at: input.now,
  });
}

/**
 * Marks the handover of a conversation to a tandem (null: to the admins) as notified; false when
 * it already was. Runs in one transaction so that two deliveries of the same event send once.
 */
export async function claimHandoverNotification(tx: Tx, input: { conversationId: string; gemeenteId: string; tandemId: string | null; now: Date }): Promise<boolean> {
  const data = { tandemId: input.tandemId };
  // recordAudit stores the data as JSON.stringify(data): the same string this looks for.
  const earlier = await tx.auditEvent.findFirst({
    where: { subjectType: "Conversation", subjectId: input.conversationId, action: HANDOVER_NOTIFIED, data: JSON.stringify(data) },
    select: { id: true },
  });
  if (earlier) return false;
  await recordAudit(tx, {
    gemeenteId: input.gemeenteId,
    actorKind: "system",
    action: HANDOVER_NOTIFIED,
    subjectType: "Conversation",
    subjectId: input.conversationId,
    data,
    at: input.now,
  });
  return true;
}
