/** Staff sessions and sign-in attempts. Only hashes of session ids and of e-mail/addresses are stored. */
import { createHash, randomBytes } from "node:crypto";
import type { DbOrTx } from "./client.ts";

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
  if (!session || !session.staffUser.active) return null;
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

/** Failed attempts in the window, per e-mail and per address (for throttling). */
export async function countRecentFailures(db: DbOrTx, keys: { email: string; ip: string }, since: Date) {
  const [email, ip] = await Promise.all([
    db.loginAttempt.count({ where: { key: `email:${sha256(keys.email.toLowerCase())}`, success: false, at: { gte: since } } }),
    db.loginAttempt.count({ where: { key: `ip:${sha256(keys.ip)}`, success: false, at: { gte: since } } }),
  ]);
  return { email, ip };
}
