/**
 * "Nieuw wachtwoord instellen" for a staff member who forgot theirs: an admin makes a one-time
 * link on Beheer and passes it on in person; the staff member opens it and chooses a new password
 * (the same PasswordPolicy as the account page). A link works once, for 24 hours, and only its
 * hash is stored; setting the password ends every session of that account. Both steps go into the
 * audit log (never the token or the password).
 */
import { randomBytes } from "node:crypto";
import type { StaffPrincipal } from "../api/auth.ts";
import { recordAudit } from "../db/audit.repo.ts";
import type { Db } from "../db/client.ts";
import { claimPasswordReset, createPasswordReset, findUsablePasswordReset } from "../db/passwordReset.repo.ts";
import { deleteAllStaffSessions } from "../db/session.repo.ts";
import { findStaffAccountInGemeente, updatePasswordHash } from "../db/staffAccount.repo.ts";
import { inTransaction } from "../db/transaction.ts";
import { ActionError } from "./conversationActions.ts";
import { hashPassword, PasswordPolicy } from "./password.ts";

/** How long a link works. */
export const PASSWORD_RESET_VALID_MS = 24 * 3_600_000;

/** The path of a link; the token is the only secret in it. */
export function passwordResetPath(token: string): string {
  return `/inbox/wachtwoord/${token}`;
}

/** Makes a one-time link for a staff account of the admin's gemeente (404 otherwise; 409 for a deactivated account). */
export async function createPasswordResetLink(
  db: Db,
  admin: StaffPrincipal,
  staffUserId: string,
  now: Date,
): Promise<{ token: string; expiresAt: Date; account: { displayName: string; email: string } }> {
  if (admin.role !== "admin") throw new ActionError(403, "forbidden", "Only an admin may make a password link.");
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + PASSWORD_RESET_VALID_MS);
  return inTransaction(db, async (tx) => {
    const account = await findStaffAccountInGemeente(tx, admin.gemeenteId, staffUserId);
    if (!account) throw new ActionError(404, "not_found", "There is no such staff account.");
    if (!account.active) throw new ActionError(409, "inactive", "This staff account is deactivated.");
    await createPasswordReset(tx, { staffUserId: account.id, token, createdById: admin.staffUserId, now, expiresAt });
    await recordAudit(tx, {
      gemeenteId: admin.gemeenteId,
      actorKind: "staff",
      actorStaffId: admin.staffUserId,
      action: "staff.password_reset_link_created",
      subjectType: "StaffUser",
      subjectId: account.id,
      data: { expiresAt: expiresAt.toISOString() },
      at: now,
    });
    return { token, expiresAt, account: { displayName: account.displayName, email: account.email } };
  });
}

/** What setting a password through a link did. */
export type PasswordResetOutcome = { ok: true; staffUserId: string } | { ok: false; reason: "link"; message: string } | { ok: false; reason: "password"; message: string };

const LINK_UNUSABLE = "Deze link werkt niet meer: hij is al gebruikt of langer dan 24 uur geleden gemaakt. Vraag een beheerder om een nieuwe link.";

/** Sets a new password through a link: the policy, then in one transaction the link used up, the hash, every session ended, the audit row. */
export async function resetPasswordWithLink(db: Db, token: string, form: { newPassword: string; confirmPassword: string }, now: Date): Promise<PasswordResetOutcome> {
  const reset = await findUsablePasswordReset(db, token, now);
  if (!reset) return { ok: false, reason: "link", message: LINK_UNUSABLE };
  if (form.newPassword !== form.confirmPassword) return { ok: false, reason: "password", message: "De twee wachtwoorden zijn niet gelijk. Typ het nieuwe wachtwoord nog eens." };
  const verdict = PasswordPolicy.check(form.newPassword, { email: reset.email });
  if (!verdict.ok) return { ok: false, reason: "password", message: verdict.message };
  const passwordHash = await hashPassword(form.newPassword);
  return inTransaction(db, async (tx): Promise<PasswordResetOutcome> => {
    if (!(await claimPasswordReset(tx, reset.id, now))) return { ok: false, reason: "link", message: LINK_UNUSABLE };
    await updatePasswordHash(tx, reset.staffUserId, passwordHash);
    const sessionsEnded = await deleteAllStaffSessions(tx, reset.staffUserId);
    await recordAudit(tx, {
      gemeenteId: reset.gemeenteId,
      actorKind: "staff",
      actorStaffId: reset.staffUserId,
      action: "staff.password_reset",
      subjectType: "StaffUser",
      subjectId: reset.staffUserId,
      data: { sessionsEnded, resetId: reset.id },
      at: now,
    });
    return { ok: true, staffUserId: reset.staffUserId };
  });
}

/** The account a link is for, to greet them on its page; null when the link does not work. */
export async function findPasswordResetAccount(db: Db, token: string, now: Date): Promise<{ displayName: string; email: string } | null> {
  const reset = await findUsablePasswordReset(db, token, now);
  return reset ? { displayName: reset.displayName, email: reset.email } : null;
}
