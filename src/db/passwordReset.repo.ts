/**
 * One-time links to set a new password, made by an admin on Beheer (src/inbox/passwordReset.ts
 * holds the rules). Only the SHA-256 of a link's token is stored; a link works once and until it
 * expires; a new link for the same account replaces any older one still unused.
 */
import type { DbOrTx, Tx } from "./client.ts";
import { hashToken } from "./staff.repo.ts";

/** Stores a new link's token (hashed) for `staffUserId`, removing that account's older unused links. */
export async function createPasswordReset(tx: Tx, input: { staffUserId: string; token: string; createdById: string; now: Date; expiresAt: Date }): Promise<{ id: string }> {
  await tx.passwordReset.deleteMany({ where: { staffUserId: input.staffUserId, usedAt: null } });
  return tx.passwordReset.create({
    data: { staffUserId: input.staffUserId, tokenHash: hashToken(input.token), createdById: input.createdById, createdAt: input.now, expiresAt: input.expiresAt },
    select: { id: true },
  });
}

/** The account a link's token opens: unused, not expired, for an active staff user; null otherwise. */
export async function findUsablePasswordReset(db: DbOrTx, token: string, now: Date): Promise<{ id: string; staffUserId: string; email: string; gemeenteId: string; displayName: string } | null> {
  const row = await db.passwordReset.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, usedAt: true, expiresAt: true, staffUser: { select: { id: true, email: true, gemeenteId: true, displayName: true, active: true } } },
  });
  if (!row || row.usedAt !== null || row.expiresAt <= now || !row.staffUser.active) return null;
  return { id: row.id, staffUserId: row.staffUser.id, email: row.staffUser.email, gemeenteId: row.staffUser.gemeenteId, displayName: row.staffUser.displayName };
}

/** Uses a link up, in the transaction that sets the password: true for the one transaction that did. */
export async function claimPasswordReset(tx: Tx, id: string, now: Date): Promise<boolean> {
  const claimed = await tx.passwordReset.updateMany({ where: { id, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
  return claimed.count === 1;
}
