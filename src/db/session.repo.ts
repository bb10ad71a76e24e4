/** Staff sessions and sign-in attempts. Only hashes of session ids and of e-mail/addresses are stored. */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { providerOfDb, type Db, type DbOrTx } from "./client.ts";

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

/** How long a session lives without use, and at most. */
export const SESSION_IDLE_MS = 12 * 3600 * 1000;
export const SESSION_MAX_MS = 30 * 24 * 3600 * 1000;

/** Starts a session; returns the id for the cookie (never stored) and its CSRF token. */
export async function createStaffSession(db: DbOrTx, staffUserId: string, now: Date = new Date()) {
  const id = randomBytes(32).toString("base64url");
  const csrfToken = randomBytes(24).toString("base64url");
  await db.staffSession.create({ data: { staffUserId, tokenHash: sha256(id), csrfToken, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_MAX_MS) } });
  return { id, csrfToken };
}

/** The live session behind a cookie value, with its staff user; null when unknown or expired. */
export async function findStaffSession(db: DbOrTx, id: string, now: Date = new Date()) {
  const session = await db.staffSession.findUnique({ where: { tokenHash: sha256(id) }, include: { staffUser: { include: { tandems: true } } } });
  if (!session?.staffUser.active) return null;
  if (session.expiresAt <= now || now.getTime() - session.lastSeenAt.getTime() > SESSION_IDLE_MS) {
    await db.staffSession.deleteMany({ where: { id: session.id } });
    return null;
  }
  if (now.getTime() - session.lastSeenAt.getTime() > 60_000) await db.staffSession.update({ where: { id: session.id }, data: { lastSeenAt: now } });
  return session;
}

/** Ends one session. */
export async function deleteStaffSession(db: DbOrTx, id: string): Promise<void> {
  await db.staffSession.deleteMany({ where: { tokenHash: sha256(id) } });
}

/** Ends every session of a staff user ("log out everywhere"); returns how many. */
export async function deleteAllStaffSessions(db: DbOrTx, staffUserId: string): Promise<number> {
  return (await db.staffSession.deleteMany({ where: { staffUserId } })).count;
}

/** Records a sign-in attempt under hashed keys (e-mail and address). */
export async function recordLoginAttempt(db: DbOrTx, keys: { email: string; ip: string }, success: boolean, now: Date = new Date()): Promise<void> {
  await db.loginAttempt.createMany({
    data: [
      { key: `email:${sha256(keys.email.toLowerCase())}`, success, at: now },
      { key: `ip:${sha256(keys.ip)}`, success, at: now },
    ],
  });
}

/** How many failed sign-ins a window allows, per e-mail address and per client address. */
export interface LoginLimits {
  windowMs: number;
  maxFailuresPerEmail: number;
  maxFailuresPerAddress: number;
}

/** A claimed sign-in attempt: recorded as failed until `markLoginAttemptSucceeded`. */
export type LoginClaim = { throttled: false; attemptIds: string[] } | { throttled: true };

/**
 * Checks the throttle and records the attempt in one step, before any password is verified:
 * the attempt is stored as a failure in the same transaction that counted the earlier ones, so
 * parallel guesses cannot all pass the check before any of them is counted. On PostgreSQL the
 * transaction holds advisory locks on both keys (taken in a fixed order, so two claims never
 * deadlock); the SQLite adapter runs one transaction at a time on its one connection.
 */
export async function claimLoginAttempt(db: Db, keys: { email: string; ip: string }, limits: LoginLimits, now: Date = new Date()): Promise<LoginClaim> {
  const emailKey = `email:${sha256(keys.email.toLowerCase())}`;
  const ipKey = `ip:${sha256(keys.ip)}`;
  const since = new Date(now.getTime() - limits.windowMs);
  const postgres = providerOfDb(db) === "postgresql";
  // Already over a limit: say so without queueing for the lock (a flood of guesses mostly ends here).
  const countFailures = (client: DbOrTx, key: string) => client.loginAttempt.count({ where: { key, success: false, at: { gte: since } } });
  const [emailBefore, ipBefore] = await Promise.all([countFailures(db, emailKey), countFailures(db, ipKey)]);
  if (emailBefore >= limits.maxFailuresPerEmail || ipBefore >= limits.maxFailuresPerAddress) return { throttled: true };
  // A burst of parallel claims queues on the advisory lock: wait for it (maxWait) rather than fail the sign-in with a 500.
  return db.$transaction(
    async (tx) => {
      if (postgres) for (const key of [emailKey, ipKey].sort()) await tx.$executeRawUnsafe("SELECT pg_advisory_xact_lock(hashtext($1))", key);
      const [email, ip] = await Promise.all([countFailures(tx, emailKey), countFailures(tx, ipKey)]);
      if (email >= limits.maxFailuresPerEmail || ip >= limits.maxFailuresPerAddress) return { throttled: true };
      const attemptIds = [randomUUID(), randomUUID()];
      await tx.loginAttempt.createMany({
        data: [
          { id: attemptIds[0], key: emailKey, success: false, at: now },
          { id: attemptIds[1], key: ipKey, success: false, at: now },
        ],
      });
      return { throttled: false, attemptIds };
    },
    { maxWait: 15_000, timeout: 15_000 },
  );
}

/** Marks a claimed attempt as a successful sign-in (it no longer counts as a failure). */
export async function markLoginAttemptSucceeded(db: DbOrTx, claim: { attemptIds: string[] }): Promise<void> {
  await db.loginAttempt.updateMany({ where: { id: { in: claim.attemptIds } }, data: { success: true } });
}

/** How many unexpired sessions a staff user has (the account page's "ingelogd in n browsers"). */
export async function countLiveStaffSessions(db: DbOrTx, staffUserId: string, now: Date): Promise<number> {
  return db.staffSession.count({ where: { staffUserId, expiresAt: { gt: now } } });
}
