/**
 * Reading and changing staff users for signing in (password and OpenID Connect), the account
 * page, API tokens and the staff actions' assignee check. Password hashes leave here only for
 * verifying a sign-in; API tokens are looked up by their hash.
 */
import { StaffRoleSchema, type StaffAccess, type StaffRole } from "../domain/access.ts";
import type { DbOrTx } from "./client.ts";
import { hashToken } from "./staff.repo.ts";

/** A staff user as signing in needs them. */
export interface StaffCredentials {
  id: string;
  gemeenteId: string;
  email: string;
  displayName: string;
  active: boolean;
  /** The argon2id PHC string; null when the user has no password (OpenID Connect only). */
  passwordHash: string | null;
}

const credentialsSelect = { id: true, gemeenteId: true, email: true, displayName: true, active: true, passwordHash: true } as const;

/** The staff user with this (lower-cased) e-mail address, active or not; null when there is none. */
export async function findStaffCredentialsByEmail(db: DbOrTx, email: string): Promise<StaffCredentials | null> {
  return db.staffUser.findUnique({ where: { email }, select: credentialsSelect });
}

/** The staff user with this id, active or not; null when there is none. */
export async function findStaffCredentialsById(db: DbOrTx, staffUserId: string): Promise<StaffCredentials | null> {
  return db.staffUser.findUnique({ where: { id: staffUserId }, select: credentialsSelect });
}

/** Stores a new password hash (a password change, or a rehash with today's parameters at sign-in). */
export async function updatePasswordHash(db: DbOrTx, staffUserId: string, passwordHash: string): Promise<void> {
  await db.staffUser.update({ where: { id: staffUserId }, data: { passwordHash } });
}

/** A staff user as their account page shows them: a role that is not one of today's is null. */
export interface StaffAccount {
  displayName: string;
  email: string;
  role: StaffRole | null;
  /** By tandem name; a member role that is not one of today's reads as gebiedsregisseur. */
  tandems: Array<{ name: string; role: StaffRole }>;
}

/** The account of a staff user with their tandems, or null when there is none. */
export async function findStaffAccount(db: DbOrTx, staffUserId: string): Promise<StaffAccount | null> {
  const user = await db.staffUser.findUnique({
    where: { id: staffUserId },
    select: { displayName: true, email: true, role: true, tandems: { select: { role: true, tandem: { select: { name: true } } }, orderBy: { tandem: { name: "asc" } } } },
  });
  if (!user) return null;
  const role = StaffRoleSchema.safeParse(user.role);
  return {
    displayName: user.displayName,
    email: user.email,
    role: role.success ? role.data : null,
    tandems: user.tandems.map((member) => ({ name: member.tandem.name, role: StaffRoleSchema.catch("gebiedsregisseur").parse(member.role) })),
  };
}

/** An active staff user of the gemeente as the access rule sees them; null when unknown, inactive or of another gemeente. */
export async function findActiveStaffAccess(db: DbOrTx, gemeenteId: string, staffUserId: string): Promise<StaffAccess | null> {
  const user = await db.staffUser.findFirst({
    where: { id: staffUserId, gemeenteId, active: true },
    select: { role: true, gemeenteId: true, tandems: { select: { tandemId: true } } },
  });
  if (!user) return null;
  return { role: StaffRoleSchema.parse(user.role), gemeenteId: user.gemeenteId, tandemIds: user.tandems.map((member) => member.tandemId) };
}

/** The display name of a staff user (they exist: the caller is signed in as them). */
export async function findStaffDisplayName(db: DbOrTx, staffUserId: string): Promise<string> {
  return (await db.staffUser.findUniqueOrThrow({ where: { id: staffUserId }, select: { displayName: true } })).displayName;
}

/** An API token with its staff user, as the bearer strategy checks it; a role that is not one of today's is null. */
export interface ApiTokenHolder {
  tokenId: string;
  revoked: boolean;
  lastUsedAt: Date | null;
  staff: { id: string; role: StaffRole | null; gemeenteId: string; active: boolean; tandemIds: string[] };
}

/** The API token behind a bearer token (looked up by its hash), or null when there is none. */
export async function findApiTokenHolder(db: DbOrTx, token: string): Promise<ApiTokenHolder | null> {
  const row = await db.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      revokedAt: true,
      lastUsedAt: true,
      staffUser: { select: { id: true, role: true, gemeenteId: true, active: true, tandems: { select: { tandemId: true } } } },
    },
  });
  if (!row) return null;
  const role = StaffRoleSchema.safeParse(row.staffUser.role);
  return {
    tokenId: row.id,
    revoked: row.revokedAt !== null,
    lastUsedAt: row.lastUsedAt,
    staff: {
      id: row.staffUser.id,
      role: role.success ? role.data : null,
      gemeenteId: row.staffUser.gemeenteId,
      active: row.staffUser.active,
      tandemIds: row.staffUser.tandems.map((member) => member.tandemId),
    },
  };
}

/**
 * Records that a token was used at `at`, unless another request already did within `resolutionMs`
 * (spares a write per request; the condition makes parallel requests write once).
 */
export async function touchApiToken(db: DbOrTx, tokenId: string, at: Date, resolutionMs: number): Promise<void> {
  await db.apiToken.updateMany({
    where: { id: tokenId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(at.getTime() - resolutionMs) } }] },
    data: { lastUsedAt: at },
  });
}

/** A staff account as the admin's list shows it. */
export interface StaffAccountRow {
  id: string;
  displayName: string;
  email: string;
  role: StaffRole | null;
  active: boolean;
  /** Signs in with a password (false: only through the gemeente's sign-in, or not yet set). */
  hasPassword: boolean;
  tandems: Array<{ name: string; wijken: string[] }>;
}

/** Every staff account of the gemeente, by name, with their tandems and those tandems' wijken. */
export async function listStaffAccounts(db: DbOrTx, gemeenteId: string): Promise<StaffAccountRow[]> {
  const users = await db.staffUser.findMany({
    where: { gemeenteId },
    orderBy: [{ displayName: "asc" }, { email: "asc" }],
    select: {
      id: true,
      displayName: true,
      email: true,
      role: true,
      active: true,
      passwordHash: true,
      tandems: { select: { tandem: { select: { name: true, wijken: { select: { name: true }, orderBy: { name: "asc" } } } } }, orderBy: { tandem: { name: "asc" } } },
    },
  });
  return users.map((user) => {
    const role = StaffRoleSchema.safeParse(user.role);
    return {
      id: user.id,
      displayName: user.displayName,
      email: user.email,
      role: role.success ? role.data : null,
      active: user.active,
      hasPassword: user.passwordHash !== null,
      tandems: user.tandems.map((member) => ({ name: member.tandem.name, wijken: member.tandem.wijken.map((wijk) => wijk.name) })),
    };
  });
}

/** One staff account of the gemeente (null: none, or another gemeente's). */
export async function findStaffAccountInGemeente(db: DbOrTx, gemeenteId: string, staffUserId: string): Promise<{ id: string; email: string; displayName: string; active: boolean } | null> {
  return db.staffUser.findFirst({ where: { id: staffUserId, gemeenteId }, select: { id: true, email: true, displayName: true, active: true } });
}
