/** Staff users, their tandems and their API tokens. */
import { createHash, randomBytes } from "node:crypto";
import type { StaffRole } from "../domain/access.ts";
import type { DbOrTx } from "./client.ts";

/** The roles a staff user can have (defined with the access rule, src/domain/access.ts). */
export { StaffRoleSchema, type StaffRole } from "../domain/access.ts";

/** Adds a staff user (or updates role and name of an existing one) and links a tandem. */
export async function addStaffUser(db: DbOrTx, input: { gemeenteId: string; email: string; role: StaffRole; displayName?: string; tandemSlug?: string }): Promise<{ id: string; created: boolean }> {
  const email = input.email.trim().toLowerCase();
  let tandemId: string | undefined;
  if (input.tandemSlug) {
    const tandem = await db.tandem.findUnique({ where: { gemeenteId_slug: { gemeenteId: input.gemeenteId, slug: input.tandemSlug } } });
    if (!tandem)
      throw new Error(
        `There is no tandem "${input.tandemSlug}". Known tandems: ${(await db.tandem.findMany({ where: { gemeenteId: input.gemeenteId }, select: { slug: true } })).map((t) => t.slug).join(", ")}`,
      );
    if (input.role === "admin") throw new Error("An admin sees every tandem; leave out --tandem.");
    tandemId = tandem.id;
  }
  const existing = await db.staffUser.findUnique({ where: { email } });
  const user = existing
    ? await db.staffUser.update({ where: { id: existing.id }, data: { role: input.role, ...(input.displayName ? { displayName: input.displayName } : {}) } })
    : await db.staffUser.create({ data: { gemeenteId: input.gemeenteId, email, role: input.role, displayName: input.displayName ?? email } });
  if (tandemId && input.role !== "admin") {
    await db.tandemMember.upsert({
      where: { tandemId_staffUserId: { tandemId, staffUserId: user.id } },
      create: { tandemId, staffUserId: user.id, role: input.role },
      update: { role: input.role },
    });
  }
  return { id: user.id, created: !existing };
}

/** SHA-256 of a token: what is stored. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Creates an API token for a staff user; the token itself is returned once and never stored. */
export async function createApiToken(db: DbOrTx, input: { email: string; name?: string }): Promise<{ token: string; id: string }> {
  const user = await db.staffUser.findUnique({ where: { email: input.email.trim().toLowerCase() } });
  if (!user) throw new Error(`There is no staff user with e-mail ${input.email}. Add one with: npm run cli -- user add --email <e> --role <role>`);
  if (!user.active) throw new Error(`${input.email} is deactivated.`);
  const token = `wl_${randomBytes(24).toString("base64url")}`;
  const row = await db.apiToken.create({ data: { staffUserId: user.id, name: input.name ?? "cli", tokenHash: hashToken(token) } });
  return { token, id: row.id };
}
