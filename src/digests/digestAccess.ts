/**
 * Who may read which digest: a wethouder their own; an admin any wethouder's of their gemeente,
 * and the gemeente overview; a gebiedsregisseur none (their inbox shows them their tandem).
 * Shared by the JSON API and the inbox archive, so the two cannot drift apart.
 */
import type { Db } from "../db/client.ts";
import { findStaffContact, findWethouderByEmail, type DigestRecipient } from "../db/digest.repo.ts";

/** The signed-in staff user, as the API and the inbox know them. */
export interface DigestReader {
  staffUserId: string;
  role: "gebiedsregisseur" | "wethouder" | "admin";
  gemeenteId: string;
}

/** What the reader may see, or why not. */
export type DigestAccess =
  | { kind: "wethouder"; wethouder: DigestRecipient; timeZone: string }
  | { kind: "gemeente"; gemeenteId: string; timeZone: string }
  | { kind: "denied"; status: 400 | 403 | 404; code: string; message: string };

/**
 * Decides access to the digest of `wethouderEmail` (or, without one, the reader's own digest for
 * a wethouder and the gemeente overview for an admin).
 */
export async function resolveDigestAccess(db: Db, reader: DigestReader, wethouderEmail: string | undefined): Promise<DigestAccess> {
  if (reader.role === "gebiedsregisseur") return { kind: "denied", status: 403, code: "forbidden", message: "Weekly digests are for wethouders and admins." };
  const self = await findStaffContact(db, reader.staffUserId);
  if (!self) return { kind: "denied", status: 403, code: "forbidden", message: "Your account no longer exists." };
  const email = wethouderEmail?.trim().toLowerCase();
  if (reader.role === "wethouder") {
    // A wethouder learns nothing about other accounts: any other address is simply not theirs.
    if (email && email !== self.email.toLowerCase()) return { kind: "denied", status: 403, code: "forbidden", message: "A wethouder may read only their own digest." };
    const own = await findWethouderByEmail(db, self.email);
    if (!own) return { kind: "denied", status: 403, code: "forbidden", message: "Your account is not a wethouder." };
    return { kind: "wethouder", wethouder: own, timeZone: self.timeZone };
  }
  if (!email) return { kind: "gemeente", gemeenteId: reader.gemeenteId, timeZone: self.timeZone };
  const wethouder = await findWethouderByEmail(db, email);
  if (!wethouder || wethouder.gemeenteId !== reader.gemeenteId) return { kind: "denied", status: 404, code: "not_found", message: `There is no wethouder with e-mail ${email}.` };
  return { kind: "wethouder", wethouder, timeZone: self.timeZone };
}
