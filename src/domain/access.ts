/**
 * Who may see what: the one access rule of the inbox, the JSON API and the live events. Staff see
 * their own gemeente only; an admin sees every tandem of it, a gebiedsregisseur or wethouder the
 * tandems they are a member of. A conversation without a tandem (its wijk unknown) that needs a
 * person — an emergency (112), a crisis (113), or one handed to staff — would be seen by no tandem,
 * so every gebiedsregisseur of the gemeente sees it (isUnrouted), as a shared queue. Pure: the
 * repositories turn the scope into a query filter, and everything else asks `canSee`.
 */
import { z } from "zod";

/** The roles a staff user can have. */
export const StaffRoleSchema = z.enum(["gebiedsregisseur", "wethouder", "admin"]);
export type StaffRole = z.infer<typeof StaffRoleSchema>;

/** What the access rule needs to know of a staff user. */
export interface StaffAccess {
  role: StaffRole;
  gemeenteId: string;
  /** The tandems the user is a member of (an admin's are ignored: an admin sees every tandem). */
  tandemIds: readonly string[];
}

/** What a caller may see: its gemeente, and either every tandem or the listed ones. Repositories filter by it. */
export interface AccessScope {
  gemeenteId: string;
  tandemIds: readonly string[] | "all";
  /** Also the conversations no tandem holds that need a person (isUnrouted): true for a gebiedsregisseur. */
  unrouted?: boolean;
}

/** What a staff user asks to see: a conversation (its gemeente and tandem), or just a tandem id (null: no tandem). */
export type AccessTarget = { gemeenteId: string; tandemId: string | null; emergency?: string | null; status?: string } | string | null;

/**
 * An emergency (112) or crisis (113) conversation that no tandem holds (its wijk unknown or
 * without a tandem): every gebiedsregisseur of the gemeente sees it, and the inbox shows it first
 * until someone takes it.
 */
export function isUnroutedEmergency(conversation: { tandemId: string | null; emergency?: string | null }): boolean {
  return conversation.tandemId === null && conversation.emergency !== undefined && conversation.emergency !== null;
}

/**
 * A conversation no tandem holds (its wijk unknown, or a wijk without a tandem) that needs a person:
 * an emergency or crisis, or one the bot handed to staff (any status but "bot"). Every
 * gebiedsregisseur of the gemeente sees it; emergencies are shown first (isUnroutedEmergency).
 */
export function isUnrouted(conversation: { tandemId: string | null; emergency?: string | null; status?: string }): boolean {
  if (conversation.tandemId !== null) return false;
  return isUnroutedEmergency(conversation) || (conversation.status !== undefined && conversation.status !== "bot");
}

/** The scope of a staff user: an admin sees every tandem of the gemeente, the others their own tandems. */
export function scopeOf(staff: StaffAccess): AccessScope {
  if (staff.role === "admin") return { gemeenteId: staff.gemeenteId, tandemIds: "all" };
  return { gemeenteId: staff.gemeenteId, tandemIds: [...staff.tandemIds], ...(staff.role === "gebiedsregisseur" ? { unrouted: true } : {}) };
}

/**
 * Whether a staff user may see a conversation, or what happens in a tandem. A bare tandem id
 * carries no gemeente (a live event), so only a conversation is also checked for the gemeente.
 */
export function canSee(staff: StaffAccess, target: AccessTarget): boolean {
  if (target !== null && typeof target === "object") {
    return target.gemeenteId === staff.gemeenteId && (canSee(staff, target.tandemId) || (staff.role === "gebiedsregisseur" && isUnrouted(target)));
  }
  return staff.role === "admin" || (target !== null && staff.tandemIds.includes(target));
}
