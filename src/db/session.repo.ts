/** Staff sessions and sign-in attempts. Only hashes of session ids and of e-mail/addresses are stored. */
import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import { loginDelayMs, type LoginThrottlePolicy } from "../domain/loginThrottle.ts";
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

/** Whose attempt a sign-in is: the e-mail address tried, the client address, and the browser's device id when it carries a valid device cookie for that account. */
export interface LoginAttemptKeys {
  email: string;
  ip: string;
  deviceId: string | null;
  /** The installation's secret that keys the stored hashes, so a copy of the table cannot be matched against known addresses. */
  hashKey: string;
}

/** A claimed sign-in attempt (recorded as failed until `markLoginAttemptSucceeded`), or how long to wait first. */
export type LoginClaim = { throttled: false; attemptIds: string[] } | { throttled: true; retryAfterMs: number };

interface ThrottleKey {
  key: string;
  free: number;
  /** A successful sign-in under this key forgets its earlier failures (not so for a client address: an attacker could sign in to an account of their own). */
  resetsOnSuccess: boolean;
}

/**
 * The keys an attempt counts under. With a device cookie only the device's own: failures by
 * others for the same address do not slow down a browser that signed in before. Without one,
 * the e-mail address and the client address.
 */
function throttleKeys(keys: LoginAttemptKeys, policy: LoginThrottlePolicy): ThrottleKey[] {
  const keyed = (value: string) => createHmac("sha256", keys.hashKey).update(value).digest("hex");
  if (keys.deviceId !== null) return [{ key: `device:${keyed(keys.deviceId)}`, free: policy.freeFailuresPerDevice, resetsOnSuccess: true }];
  return [
    { key: `email:${keyed(keys.email.trim().toLowerCase())}`, free: policy.freeFailuresPerEmail, resetsOnSuccess: true },
    { key: `ip:${keyed(keys.ip)}`, free: policy.freeFailuresPerAddress, resetsOnSuccess: false },
  ];
}

/** How long `key` must still wait at `now` (0: it may try). */
async function remainingDelayMs(db: DbOrTx, key: ThrottleKey, policy: LoginThrottlePolicy, now: Date): Promise<number> {
  let since = new Date(now.getTime() - policy.windowMs);
  if (key.resetsOnSuccess) {
    const success = await db.loginAttempt.findFirst({ where: { key: key.key, success: true, at: { gte: since } }, orderBy: { at: "desc" }, select: { at: true } });
    if (success) since = success.at;
  }
  const failures = await db.loginAttempt.aggregate({ where: { key: key.key, success: false, at: { gte: since } }, _count: { _all: true }, _max: { at: true } });
  const latest = failures._max.at;
  if (!latest) return 0;
  return Math.max(0, latest.getTime() + loginDelayMs(failures._count._all, key.free, policy) - now.getTime());
}

async function longestDelayMs(db: DbOrTx, keys: ThrottleKey[], policy: LoginThrottlePolicy, now: Date): Promise<number> {
  const delays = await Promise.all(keys.map((key) => remainingDelayMs(db, key, policy, now)));
  return Math.max(0, ...delays);
}

/**
 * Checks the throttle and records the attempt in one step, before any password is verified:
 * the attempt is stored as a failure in the same transaction that counted the earlier ones, so
 * parallel guesses cannot all pass the check before any of them is counted. A throttled attempt
 * is not recorded (it checked nothing), so hammering on does not make the wait longer. On
 * PostgreSQL the transaction holds advisory locks on the keys (taken in a fixed order, so two
 * claims never deadlock); the SQLite adapter runs one transaction at a time on its one connection.
 */
export async function claimLoginAttempt(db: Db, keys: LoginAttemptKeys, policy: LoginThrottlePolicy, now: Date = new Date()): Promise<LoginClaim> {
  const throttle = throttleKeys(keys, policy);
  const postgres = providerOfDb(db) === "postgresql";
  // Still waiting: say so without queueing for the lock (a flood of guesses mostly ends here).
  const before = await longestDelayMs(db, throttle, policy, now);
  if (before > 0) return { throttled: true, retryAfterMs: before };
  // A burst of parallel claims queues on the advisory lock: wait for it (maxWait) rather than fail the sign-in with a 500.
  return db.$transaction(
    async (tx): Promise<LoginClaim> => {
      if (postgres) for (const { key } of [...throttle].sort((a, b) => a.key.localeCompare(b.key))) await tx.$executeRawUnsafe("SELECT pg_advisory_xact_lock(hashtext($1))", key);
      const delay = await longestDelayMs(tx, throttle, policy, now);
      if (delay > 0) return { throttled: true, retryAfterMs: delay };
      const rows = throttle.map(({ key }) => ({ id: randomUUID(), key, success: false, at: now }));
      await tx.loginAttempt.createMany({ data: rows });
      return { throttled: false, attemptIds: rows.map((row) => row.id) };
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
