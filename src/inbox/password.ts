/**
 * Staff passwords: argon2id hashes (OWASP's recommended minimum: 19 MiB, 2 passes, 1 lane), the
 * password policy with its Dutch messages, and setting a password (which ends every session of
 * that user). Only the PHC hash string is ever stored.
 */
import { createHmac, randomBytes } from "node:crypto";
import { hash, parseOptions, verify, type Options } from "@node-rs/argon2";
import { recordAudit } from "../db/audit.repo.ts";
import type { Db } from "../db/client.ts";
import { deleteAllStaffSessions } from "../db/session.repo.ts";
import { updatePasswordHash } from "../db/staffAccount.repo.ts";
import { inTransaction } from "../db/transaction.ts";

/** `Algorithm.Argon2id`: the package declares it as an ambient const enum, which verbatimModuleSyntax cannot read. */
const ARGON2ID = 2;

/** The argon2id parameters of new hashes; older hashes are rehashed at the next sign-in. */
const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } satisfies Options;

/** Hashes a password with argon2id; the result is a PHC string with its own random salt. */
export async function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** True when `password` matches the stored hash; false for a wrong password or a malformed hash. */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/** True when a stored hash was made with other (older) parameters than new hashes get. */
export function passwordNeedsRehash(storedHash: string): boolean {
  try {
    const used = parseOptions(storedHash);
    return used.algorithm !== ARGON2_OPTIONS.algorithm || used.memoryCost !== ARGON2_OPTIONS.memoryCost || used.timeCost !== ARGON2_OPTIONS.timeCost || used.parallelism !== ARGON2_OPTIONS.parallelism;
  } catch {
    return true;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies against a throwaway hash and returns false: for an unknown e-mail address, so that
 * it takes as long as a wrong password for a real account and the timing reveals nothing.
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(18).toString("base64url"));
  await verifyPassword(await dummyHash, password);
  return false;
}

/** Passwords too well known to accept, whatever their length (compared in lower case). */
const COMMON_PASSWORDS = new Set([
  "wijklijn-demo", // the published demo password
  "wachtwoord123",
  "wachtwoord1234",
  "wachtwoord12345",
  "wachtwoordwachtwoord",
  "welkom123456",
  "welkomwelkom",
  "welkom01welkom",
  "gemeente1234",
  "gemeente12345",
  "wijklijn1234",
  "wijklijn12345",
  "geldropmierlo",
  "password1234",
  "password12345",
  "passwordpassword",
  "123456789012",
  "1234567890123",
  "12345678901234",
  "qwertyuiopas",
  "qwerty123456",
  "qwertyqwerty",
  "1q2w3e4r5t6y",
  "zomer2024zomer",
  "iloveyou1234",
  "abcdefghijkl",
  "abcd1234abcd1234",
]);

/** What the policy says about a password: fine, or a Dutch message saying what to change. */
export type PasswordVerdict = { ok: true } | { ok: false; message: string };

/**
 * The password policy for staff accounts (NIST SP 800-63B style: length and a block list, no
 * composition rules): at least 12 characters, not the e-mail address, not a well-known password.
 */
export const PasswordPolicy = {
  minLength: 12,
  /** An upper bound so that hashing stays cheap; far beyond any passphrase. */
  maxLength: 256,
  /** Checks a new password for the account with this e-mail address. */
  check(password: string, context: { email: string }): PasswordVerdict {
    const length = [...password].length;
    if (length < PasswordPolicy.minLength)
      return { ok: false, message: `Kies een wachtwoord van minstens ${PasswordPolicy.minLength} tekens. Een zin van een paar woorden is makkelijk te onthouden.` };
    if (length > PasswordPolicy.maxLength) return { ok: false, message: `Een wachtwoord is hoogstens ${PasswordPolicy.maxLength} tekens.` };
    const lower = password.trim().toLowerCase();
    const email = context.email.trim().toLowerCase();
    const localPart = email.split("@")[0] ?? email;
    if (lower === email || lower === localPart) return { ok: false, message: "Je wachtwoord mag niet je e-mailadres zijn. Kies iets anders." };
    if (COMMON_PASSWORDS.has(lower) || /^(.)\1*$/u.test(lower)) return { ok: false, message: "Dit wachtwoord is te bekend en makkelijk te raden. Kies een ander." };
    return { ok: true };
  },
};

/**
 * How audit events and logs name a sign-in attempt's e-mail address: an HMAC-SHA256 of the
 * lower-cased address keyed with the installation's session secret. A plain hash of an address
 * can be matched against a list of known addresses; this one only by someone who has the secret.
 */
export function hashEmail(email: string, key: string): string {
  return createHmac("sha256", key).update(email.trim().toLowerCase()).digest("hex");
}

/** Who set a password: the user themself in the inbox, or an operator with the CLI. */
export type PasswordSetter = { kind: "staff"; staffUserId: string } | { kind: "cli" };

/**
 * Sets a staff user's password (the caller has applied the policy) and ends every session of
 * that user, so a leaked session dies with the old password; records the change in the audit
 * log (never the password). Returns how many sessions ended.
 */
export async function setStaffPassword(db: Db, user: { id: string; gemeenteId: string }, password: string, by: PasswordSetter, now: Date): Promise<{ sessionsEnded: number }> {
  const passwordHash = await hashPassword(password);
  return inTransaction(db, async (tx) => {
    await updatePasswordHash(tx, user.id, passwordHash);
    const sessionsEnded = await deleteAllStaffSessions(tx, user.id);
    await recordAudit(tx, {
      gemeenteId: user.gemeenteId,
      actorKind: by.kind,
      actorStaffId: by.kind === "staff" ? by.staffUserId : null,
      action: by.kind === "staff" ? "staff.password_changed" : "staff.password_set",
      subjectType: "StaffUser",
      subjectId: user.id,
      data: { sessionsEnded },
      at: now,
    });
    return { sessionsEnded };
  });
}
