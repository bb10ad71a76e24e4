/**
 * The queries behind retention (src/jobs/retention.ts): what is older than its period, counted
 * (for `--dry-run`) or removed. Content is removed; what is left of a conversation is an anonymous
 * count. Nothing here returns message text.
 */
import type { Db, DbOrTx } from "./client.ts";

/** Where each kind of data expires: everything before its date goes. */
export interface RetentionCutoffs {
  /** Conversations resolved before this lose their messages' content. */
  messagesResolvedBefore: Date;
  /** Residents last seen before this are removed. */
  residentsSeenBefore: Date;
  loginAttemptsBefore: Date;
  auditEventsBefore: Date;
}

/** How much is (or would be) removed, per kind. Counts only. */
export interface RetentionCounts {
  messagesEmptied: number;
  residentsRemoved: number;
  loginAttemptsDeleted: number;
  auditEventsDeleted: number;
}

/** Messages of long-resolved conversations that still hold content. */
function expiredMessagesWhere(before: Date) {
  return {
    conversation: { status: "resolved", resolvedAt: { lt: before } },
    OR: [{ text: { not: null } }, { value: { not: null } }, { mediaRef: { not: null } }, { latitude: { not: null } }],
  };
}

/** Counts what retention would remove now. */
export async function countExpired(db: DbOrTx, cutoffs: RetentionCutoffs): Promise<RetentionCounts> {
  const [messagesEmptied, residentsRemoved, loginAttemptsDeleted, auditEventsDeleted] = await Promise.all([
    db.message.count({ where: expiredMessagesWhere(cutoffs.messagesResolvedBefore) }),
    db.resident.count({ where: { lastSeenAt: { lt: cutoffs.residentsSeenBefore } } }),
    db.loginAttempt.count({ where: { at: { lt: cutoffs.loginAttemptsBefore } } }),
    db.auditEvent.count({ where: { at: { lt: cutoffs.auditEventsBefore } } }),
  ]);
  return { messagesEmptied, residentsRemoved, loginAttemptsDeleted, auditEventsDeleted };
}

/**
 * Empties the messages of conversations resolved before `before` (text, button value, media,
 * place), clears those conversations' flow answers and deletes their delivered outbox rows (which
 * hold the replies' text), in one transaction. Returns the count and the media references, so the
 * web chat photo files can go too.
 */
export async function emptyExpiredMessages(db: Db, before: Date): Promise<{ count: number; mediaRefs: string[] }> {
  return db.$transaction(async (tx) => {
    const where = expiredMessagesWhere(before);
    const media = await tx.message.findMany({ where: { ...where, mediaRef: { not: null } }, select: { mediaRef: true } });
    const emptied = await tx.message.updateMany({ where, data: { text: null, value: null, mediaRef: null, latitude: null, longitude: null } });
    const conversations = { status: "resolved", resolvedAt: { lt: before } };
    await tx.outboxMessage.deleteMany({ where: { conversation: conversations, status: { in: ["sent", "dead"] } } });
    await tx.conversation.updateMany({ where: { ...conversations, state: { not: "{}" } }, data: { state: "{}" } });
    return { count: emptied.count, mediaRefs: media.flatMap((m) => (m.mediaRef === null ? [] : [m.mediaRef])) };
  });
}

/** Residents last seen before `before` (at most `limit`, to work in batches). */
export async function listInactiveResidents(db: DbOrTx, before: Date, limit: number): Promise<string[]> {
  const rows = await db.resident.findMany({ where: { lastSeenAt: { lt: before } }, select: { id: true }, take: limit, orderBy: { lastSeenAt: "asc" } });
  return rows.map((row) => row.id);
}

/** Deletes sign-in attempts older than `before`. */
export async function deleteLoginAttemptsBefore(db: DbOrTx, before: Date): Promise<number> {
  return (await db.loginAttempt.deleteMany({ where: { at: { lt: before } } })).count;
}

/** Deletes audit rows older than `before`. */
export async function deleteAuditEventsBefore(db: DbOrTx, before: Date): Promise<number> {
  return (await db.auditEvent.deleteMany({ where: { at: { lt: before } } })).count;
}
