/**
 * The short number of a dialoogtafel sign-up, e.g. "7KQ2M4": the resident gets it with the
 * confirmation and shows it at the door; staff see it on the sign-up and check-in lists. Derived
 * from the sign-up's own id (30 bits of SHA-256), so it is stable whatever happens to the other
 * sign-ups and not linkable to the resident's other sign-ups. Pure.
 */
import { createHash } from "node:crypto";

// Crockford's base32: no I, L, O or U, so a number read aloud at the door is not misheard.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** The six-character pseudonymous number of a sign-up, e.g. "7KQ2M4" (30 bits of SHA-256 of its id). */
export function signUpNumber(registrationId: string): string {
  const digest = createHash("sha256").update(`wijklijn:signup:${registrationId}`).digest();
  let bits = digest.readUInt32BE(0) >>> 2;
  let out = "";
  for (let i = 0; i < 6; i++) {
    out = (ALPHABET[bits & 31] ?? "0") + out;
    bits >>>= 5;
  }
  return out;
}
