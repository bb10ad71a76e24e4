/**
 * What staff do with wijk content: news items (create, edit, publish, unpublish), dialoogtafels
 * (create, edit, cancel, export the sign-up list). Wijkberichten (a message to the
 * subscribers of wijken) are wijkberichtActions.ts. The inbox pages and the CLI call these; each checks the caller's
 * role and scope, runs in one transaction, and is recorded in the audit log.
 *
 * Scope: a gebiedsregisseur or wethouder manages the wijken of their tandems, an admin every wijk
 * of the gemeente; another tandem's item is answered as unknown (404), so that ids reveal nothing.
 * Published news is visible to residents at once: the bot reads NewsItem with publishedAt ≤ now.
 * No inbox live event follows a content change: the live inbox shows conversations only.
 */
import type { StaffPrincipal } from "../api/auth.ts";
import { recordAudit } from "../db/audit.repo.ts";
import type { Db, Tx } from "../db/client.ts";
import {
  cancelDialoogtafel as markDialoogtafelCancelled,
  countSignUps,
  createDialoogtafel,
  createNewsItem,
  findDialoogtafelInScope,
  findNewsItemInScope,
  findWijkInScope,
  listDialoogtafelsForStaff,
  listNewsForStaff,
  listScopedWijken,
  listSignUps,
  updateDialoogtafel,
  updateNewsItem,
  type ContentScope,
} from "../db/content.repo.ts";
import { inTransaction } from "../db/transaction.ts";
import { scopeOf, type StaffRole } from "../domain/access.ts";
import type { AuditAction, AuditActorKind } from "../domain/audit.ts";
import type { FieldErrors, NewsForm, TafelForm } from "./content/forms.ts";
import { ActionError, type ActionOptions } from "./conversationActions.ts";

/**
 * The wijken a staff user manages: the one scope rule of wijk content. Every repository call
 * below filters by it, so a gebiedsregisseur cannot reach another tandem's wijk by accident.
 */
export function contentScopeOf(staff: StaffPrincipal): ContentScope {
  return scopeOf(staff);
}

// Every role manages the content of its own wijken: a wethouder holds dialoogtafels too.
const CONTENT_ROLES: readonly StaffRole[] = ["gebiedsregisseur", "wethouder", "admin"];

function requireRole(staff: StaffPrincipal, roles: readonly StaffRole[], what: string): void {
  if (!roles.includes(staff.role)) throw new ActionError(403, "forbidden", `A ${staff.role} may not ${what}.`);
}

/** Who did it: a staff user in the inbox, or an operator at the CLI (who acts for the whole gemeente). */
export type ContentActor = { kind: "staff"; staff: StaffPrincipal } | { kind: "cli"; gemeenteId: string };

function actorOf(staff: StaffPrincipal): ContentActor {
  return { kind: "staff", staff };
}

function audit(tx: Tx, actor: ContentActor, action: AuditAction, subjectType: string, subjectId: string, at: Date, data: Record<string, unknown>): Promise<void> {
  const by: { gemeenteId: string; actorStaffId: string | null; actorKind: AuditActorKind } =
    actor.kind === "staff" ? { gemeenteId: actor.staff.gemeenteId, actorStaffId: actor.staff.staffUserId, actorKind: "staff" } : { gemeenteId: actor.gemeenteId, actorStaffId: null, actorKind: "cli" };
  return recordAudit(tx, { ...by, action, subjectType, subjectId, data, at });
}

const notFound = () => new ActionError(404, "not_found", "There is no such news item or dialoogtafel.");
const CHOOSE_WIJK = "Kies een wijk uit de lijst.";
const PAST_START = "Dit moment is al voorbij. Kies een datum en tijd in de toekomst.";
const sameTime = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

/** The outcome of an action on a form: done, or the errors to show next to the fields (nothing changed). */
export type FormActionResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };
/** A saved news item and what saving did. */
export type SavedNewsItem = FormActionResult<{ id: string; outcome: NewsOutcome }>;

// ---- Reading ----

/** The wijken a staff user may choose in a form, by name. */
export async function listWijkChoices(db: Db, staff: StaffPrincipal) {
  return listScopedWijken(db, contentScopeOf(staff));
}

/** The overview page: the wijken, news items and dialoogtafels in the staff user's scope. */
export async function listContentForStaff(db: Db, staff: StaffPrincipal, now: Date) {
  const scope = contentScopeOf(staff);
  const [wijken, news, tafels] = await Promise.all([listScopedWijken(db, scope), listNewsForStaff(db, scope), listDialoogtafelsForStaff(db, scope, now)]);
  return { wijken, news, tafels };
}

/** A news item in scope, or null (unknown, or another tandem's: answer 404 either way). */
export async function findNewsItemForStaff(db: Db, staff: StaffPrincipal, newsItemId: string) {
  return findNewsItemInScope(db, contentScopeOf(staff), newsItemId);
}

/** A dialoogtafel in scope, or null (unknown, or another tandem's). */
export async function findDialoogtafelForStaff(db: Db, staff: StaffPrincipal, dialoogtafelId: string) {
  return findDialoogtafelInScope(db, contentScopeOf(staff), dialoogtafelId);
}

/** A dialoogtafel in scope with its sign-ups in sign-up order, or null. */
export async function findDialoogtafelWithSignUps(db: Db, staff: StaffPrincipal, dialoogtafelId: string) {
  const tafel = await findDialoogtafelForStaff(db, staff, dialoogtafelId);
  return tafel ? { tafel, signUps: await listSignUps(db, tafel.id) } : null;
}

// ---- News items ----

/** What saving a news item did: published it now, kept it published, kept or made it a draft, or took it offline. */
export type NewsOutcome = "published" | "saved" | "draft" | "unpublished";

/** Creates a news item, published at once or as a draft. */
export async function addNewsItem(db: Db, staff: StaffPrincipal, form: NewsForm, options: ActionOptions = {}): Promise<SavedNewsItem> {
  requireRole(staff, CONTENT_ROLES, "manage wijk news");
  const now = options.now ?? new Date();
  const { action, ...fields } = form;
  const publish = action === "publish";
  return inTransaction(db, async (tx) => {
    const wijk = await findWijkInScope(tx, contentScopeOf(staff), fields.wijkId);
    if (!wijk) return { ok: false, errors: { wijkId: CHOOSE_WIJK } };
    const created = await createNewsItem(tx, { ...fields, wijkId: wijk.id, publishedAt: publish ? now : null }, now);
    await audit(tx, actorOf(staff), publish ? "newsItem.published" : "newsItem.created", "NewsItem", created.id, now, { wijk: wijk.slug, kind: fields.kind, published: publish });
    return { ok: true, value: { id: created.id, outcome: publish ? "published" : "draft" } };
  });
}

/** Saves a news item: publish (keeping the first publication time when it is live), save as a draft, or unpublish. */
export async function editNewsItem(db: Db, staff: StaffPrincipal, newsItemId: string, form: NewsForm, options: ActionOptions = {}): Promise<SavedNewsItem> {
  requireRole(staff, CONTENT_ROLES, "manage wijk news");
  const now = options.now ?? new Date();
  const scope = contentScopeOf(staff);
  const { action, ...fields } = form;
  return inTransaction(db, async (tx) => {
    const existing = await findNewsItemInScope(tx, scope, newsItemId);
    if (!existing) throw notFound();
    const wijk = await findWijkInScope(tx, scope, fields.wijkId);
    if (!wijk) return { ok: false, errors: { wijkId: CHOOSE_WIJK } };
    const wasLive = existing.publishedAt !== null && existing.publishedAt <= now;
    // Saving a published item keeps its original publication time (its place in the bot's list).
    const publishedAt = action === "publish" ? (wasLive ? existing.publishedAt : now) : null;
    const changed: string[] = (["wijkId", "kind", "title", "body", "link"] as const).filter((key) => existing[key] !== fields[key]);
    if (!sameTime(existing.expiresAt, fields.expiresAt)) changed.push("expiresAt");
    const outcome: NewsOutcome = action === "publish" ? (wasLive ? "saved" : "published") : wasLive ? "unpublished" : "draft";
    const auditAction = outcome === "published" ? "newsItem.published" : outcome === "unpublished" ? "newsItem.unpublished" : "newsItem.updated";
    await updateNewsItem(tx, existing.id, { ...fields, wijkId: wijk.id, publishedAt });
    await audit(tx, actorOf(staff), auditAction, "NewsItem", existing.id, now, { wijk: wijk.slug, changed, published: publishedAt !== null });
    return { ok: true, value: { id: existing.id, outcome } };
  });
}

// ---- Dialoogtafels ----

/** Creates a planned dialoogtafel; residents can sign up through the bot at once. */
export async function addDialoogtafel(db: Db, staff: StaffPrincipal, form: TafelForm, options: ActionOptions = {}): Promise<FormActionResult<{ id: string }>> {
  requireRole(staff, CONTENT_ROLES, "manage dialoogtafels");
  const now = options.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const wijk = await findWijkInScope(tx, contentScopeOf(staff), form.wijkId);
    const errors: FieldErrors = {};
    if (!wijk) errors.wijkId = CHOOSE_WIJK;
    if (form.startsAt <= now) errors.startsAt = PAST_START;
    if (!wijk || Object.keys(errors).length > 0) return { ok: false, errors };
    const created = await createDialoogtafel(tx, { ...form, wijkId: wijk.id }, now);
    const data = { wijk: wijk.slug, startsAt: created.startsAt.toISOString(), capacity: created.capacity };
    await audit(tx, actorOf(staff), "dialoogtafel.created", "Dialoogtafel", created.id, now, data);
    return { ok: true, value: { id: created.id } };
  });
}

/**
 * Saves a dialoogtafel. More places give people on the waitlist a place, first signed up first;
 * fewer places remove nobody. A cancelled dialoogtafel cannot be changed (409).
 */
export async function editDialoogtafel(
  db: Db,
  staff: StaffPrincipal,
  dialoogtafelId: string,
  form: TafelForm,
  options: ActionOptions = {},
): Promise<FormActionResult<{ id: string; promoted: number }>> {
  requireRole(staff, CONTENT_ROLES, "manage dialoogtafels");
  const now = options.now ?? new Date();
  const scope = contentScopeOf(staff);
  return inTransaction(db, async (tx) => {
    const existing = await findDialoogtafelInScope(tx, scope, dialoogtafelId);
    if (!existing) throw notFound();
    if (existing.status === "cancelled") throw new ActionError(409, "cancelled", "This dialoogtafel was cancelled and cannot be changed.");
    const wijk = await findWijkInScope(tx, scope, form.wijkId);
    const errors: FieldErrors = {};
    if (!wijk) errors.wijkId = CHOOSE_WIJK;
    // A past date is only refused when it is being changed (a held dialoogtafel can still be corrected).
    if (!sameTime(form.startsAt, existing.startsAt) && form.startsAt <= now) errors.startsAt = PAST_START;
    if (!wijk || Object.keys(errors).length > 0) return { ok: false, errors };
    const changed: string[] = (["wijkId", "title", "topic", "location", "capacity"] as const).filter((key) => existing[key] !== form[key]);
    if (!sameTime(existing.startsAt, form.startsAt)) changed.push("startsAt");
    if (!sameTime(existing.endsAt, form.endsAt)) changed.push("endsAt");
    const { promotedResidentIds } = await updateDialoogtafel(tx, existing.id, { ...form, wijkId: wijk.id }, now);
    await audit(tx, actorOf(staff), "dialoogtafel.updated", "Dialoogtafel", existing.id, now, {
      wijk: wijk.slug,
      changed,
      ...(existing.capacity !== form.capacity ? { capacity: { from: existing.capacity, to: form.capacity } } : {}),
      promotedFromWaitlist: promotedResidentIds.length,
    });
    return { ok: true, value: { id: existing.id, promoted: promotedResidentIds.length } };
  });
}

/** Cancels a dialoogtafel: the bot no longer lists it nor takes sign-ups; the sign-ups stay, for the record. Cancelling twice changes nothing. */
export async function cancelDialoogtafel(db: Db, staff: StaffPrincipal, dialoogtafelId: string, options: ActionOptions = {}): Promise<{ id: string; alreadyCancelled: boolean }> {
  requireRole(staff, CONTENT_ROLES, "manage dialoogtafels");
  const now = options.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const existing = await findDialoogtafelInScope(tx, contentScopeOf(staff), dialoogtafelId);
    if (!existing) throw notFound();
    if (existing.status === "cancelled") return { id: existing.id, alreadyCancelled: true };
    const counts = (await countSignUps(tx, [existing.id])).get(existing.id) ?? { registered: 0, waitlist: 0 };
    await markDialoogtafelCancelled(tx, existing.id);
    const data = { wijk: existing.wijk.slug, registered: counts.registered, waitlist: counts.waitlist };
    await audit(tx, actorOf(staff), "dialoogtafel.cancelled", "Dialoogtafel", existing.id, now, data);
    return { id: existing.id, alreadyCancelled: false };
  });
}

/** The sign-up list of a dialoogtafel for export; recorded, like every other look at personal data leaving the system. */
export async function exportSignUps(db: Db, staff: StaffPrincipal, dialoogtafelId: string, options: ActionOptions = {}) {
  requireRole(staff, CONTENT_ROLES, "export sign-up lists");
  const now = options.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const tafel = await findDialoogtafelInScope(tx, contentScopeOf(staff), dialoogtafelId);
    if (!tafel) throw notFound();
    const signUps = await listSignUps(tx, tafel.id);
    await audit(tx, actorOf(staff), "dialoogtafel.signUps.exported", "Dialoogtafel", tafel.id, now, { wijk: tafel.wijk.slug, rows: signUps.length });
    return { tafel, signUps };
  });
}
