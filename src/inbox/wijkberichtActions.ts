/**
 * What staff (and the CLI) do with wijkberichten: write one for wijken of their own tandem, save
 * it as a draft, send it now or at a time, cancel it while it runs, and follow its progress. Like
 * every staff action (conversationActions.ts): role, scope (another tandem's bericht or wijk is
 * unknown: 404), one transaction, an audit row. The sending itself is src/jobs/wijkberichtSender.ts.
 *
 * The test to oneself goes to the staff member's own e-mail address and, when they linked
 * Telegram for notifications, to that chat: a staff member has no resident identity, and a test
 * must never reach a resident. It shows the text exactly as residents get it.
 */
import { z } from "zod";
import type { StaffPrincipal } from "../api/auth.ts";
import { findLatestAudit, recordAudit } from "../db/audit.repo.ts";
import type { Db, Tx } from "../db/client.ts";
import { listScopedWijken, type ContentScope } from "../db/content.repo.ts";
import { inTransaction } from "../db/transaction.ts";
import {
  cancelQueuedDeliveries,
  countDeliveriesByStatus,
  countRecipients,
  countSubscribersPerWijk,
  createWijkbericht,
  findWijkberichtInScope,
  listWijkberichtenInScope,
  moveWijkberichtStatus,
  updateWijkberichtContent,
} from "../db/wijkbericht.repo.ts";
import type { StaffRole } from "../domain/access.ts";
import type { AuditAction, AuditActorKind } from "../domain/audit.ts";
import { WIJKBERICHT_TEXT_MAX } from "../wijkberichten/renderWijkbericht.ts";
import { contentScopeOf, type ContentActor } from "./contentActions.ts";
import { ActionError, type ActionOptions } from "./conversationActions.ts";

// A wijkbericht reaches every subscriber's phone: the gebiedsregisseurs and admins send them.
const BROADCAST_ROLES: readonly StaffRole[] = ["gebiedsregisseur", "admin"];

/** The statuses of a bericht. */
export const WijkberichtStatusSchema = z.enum(["draft", "scheduled", "sending", "sent", "cancelled"]);
export type WijkberichtStatus = z.infer<typeof WijkberichtStatusSchema>;

/** An address as staff type it: empty is none; "www.geldrop-mierlo.nl/…" means https://www.geldrop-mierlo.nl/…. */
function webAddress(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const trimmed = value.trim();
  if (trimmed === "") return null;
  return /^www\./i.test(trimmed) ? `https://${trimmed}` : trimmed;
}

/** What a bericht is, as staff write it (the form, or the CLI). */
export const WijkberichtFormSchema = z.object({
  text: z.string().trim().min(1, "Schrijf het bericht.").max(WIJKBERICHT_TEXT_MAX, `Een wijkbericht is hoogstens ${WIJKBERICHT_TEXT_MAX} tekens.`),
  imageUrl: z.preprocess(
    webAddress,
    z
      .url({ protocol: /^https$/, message: "Een foto-adres begint met https://." })
      .max(500)
      .nullable(),
  ),
  link: z.preprocess(
    webAddress,
    z
      .url({ protocol: /^https?$/, message: "Een link begint met https://." })
      .max(500)
      .nullable(),
  ),
  wijkIds: z.array(z.string().min(1)).min(1, "Kies minstens één wijk."),
});
export type WijkberichtForm = z.infer<typeof WijkberichtFormSchema>;

/** Field errors to show beside the form (nothing was changed). */
export type WijkberichtFieldErrors = Partial<Record<keyof WijkberichtForm | "scheduledAt", string>>;
export type WijkberichtSaveResult = { ok: true; id: string } | { ok: false; errors: WijkberichtFieldErrors };

function requireBroadcastRole(actor: ContentActor, what: string): void {
  if (actor.kind === "staff" && !BROADCAST_ROLES.includes(actor.staff.role)) throw new ActionError(403, "forbidden", `A ${actor.staff.role} may not ${what}.`);
}

function scopeOfActor(actor: ContentActor): ContentScope {
  return actor.kind === "staff" ? contentScopeOf(actor.staff) : { gemeenteId: actor.gemeenteId, tandemIds: "all" };
}

function gemeenteOf(actor: ContentActor): string {
  return actor.kind === "staff" ? actor.staff.gemeenteId : actor.gemeenteId;
}

function audit(tx: Tx, actor: ContentActor, action: AuditAction, id: string, at: Date, data: Record<string, unknown>): Promise<void> {
  const by: { gemeenteId: string; actorStaffId: string | null; actorKind: AuditActorKind } =
    actor.kind === "staff" ? { gemeenteId: actor.staff.gemeenteId, actorStaffId: actor.staff.staffUserId, actorKind: "staff" } : { gemeenteId: actor.gemeenteId, actorStaffId: null, actorKind: "cli" };
  return recordAudit(tx, { ...by, action, subjectType: "Wijkbericht", subjectId: id, data, at });
}

const notFound = () => new ActionError(404, "not_found", "There is no such wijkbericht.");

/** The wijken of the form that are in scope; an error when one is not (another tandem's, or unknown). */
async function checkWijken(tx: Tx, scope: ContentScope, wijkIds: readonly string[]) {
  const inScope = await listScopedWijken(tx, scope);
  const chosen = inScope.filter((wijk) => wijkIds.includes(wijk.id));
  return chosen.length === new Set(wijkIds).size && chosen.length > 0 ? chosen : null;
}

/** What the bericht will do at save: keep it a draft, send it now, or at `scheduledAt`. */
export type WijkberichtIntent = { action: "draft" } | { action: "send" } | { action: "schedule"; scheduledAt: Date };

/**
 * Saves a new bericht, or the changes to a draft or scheduled one (`id`), and then keeps it a
 * draft, sends it now, or schedules it. A scheduled time must be in the future.
 */
export async function saveWijkbericht(db: Db, actor: ContentActor, input: { id?: string; form: unknown; intent: WijkberichtIntent }, options: ActionOptions = {}): Promise<WijkberichtSaveResult> {
  requireBroadcastRole(actor, "write wijkberichten");
  const now = options.now ?? new Date();
  const parsed = WijkberichtFormSchema.safeParse(input.form);
  const errors: WijkberichtFieldErrors = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = WijkberichtFormSchema.keyof().safeParse(issue.path[0]);
      if (key.success) errors[key.data] ??= issue.message;
    }
  }
  const { intent } = input;
  if (intent.action === "schedule" && intent.scheduledAt <= now) errors.scheduledAt = "Dit moment is al voorbij. Kies een datum en tijd in de toekomst.";
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  const form = parsed.data;
  const scope = scopeOfActor(actor);
  return inTransaction(db, async (tx) => {
    const wijken = await checkWijken(tx, scope, form.wijkIds);
    if (!wijken) return { ok: false, errors: { wijkIds: "Kies wijken uit de lijst." } };
    const status = intent.action === "draft" ? "draft" : intent.action === "send" ? "sending" : "scheduled";
    const scheduledAt = intent.action === "schedule" ? intent.scheduledAt : null;
    let id: string;
    if (input.id) {
      const existing = await findWijkberichtInScope(tx, scope, input.id);
      if (!existing) throw notFound();
      if (!(await updateWijkberichtContent(tx, existing.id, form))) throw new ActionError(409, "already_sent", "This wijkbericht is already being sent; it cannot be changed.");
      id = existing.id;
      if (status !== "draft" || existing.status !== "draft") await moveWijkberichtStatus(tx, id, ["draft", "scheduled"], { status, scheduledAt, at: now });
    } else {
      const created = await createWijkbericht(tx, {
        ...form,
        gemeenteId: gemeenteOf(actor),
        authorKind: actor.kind,
        authorStaffId: actor.kind === "staff" ? actor.staff.staffUserId : null,
        status,
        scheduledAt,
        now,
      });
      id = created.id;
    }
    const action: AuditAction = status === "sending" ? "wijkbericht.sent" : status === "scheduled" ? "wijkbericht.scheduled" : "wijkbericht.saved";
    await audit(tx, actor, action, id, now, { wijken: wijken.map((w) => w.slug), ...(scheduledAt ? { scheduledAt: scheduledAt.toISOString() } : {}) });
    return { ok: true, id };
  });
}

/**
 * Cancels a bericht: a draft or scheduled one never goes; a sending one stops, and the copies no
 * platform has yet are taken back (those already sent stay sent). Cancelling twice changes nothing.
 */
export async function cancelWijkbericht(db: Db, actor: ContentActor, id: string, options: ActionOptions = {}): Promise<{ takenBack: number; alreadyDone: boolean }> {
  requireBroadcastRole(actor, "cancel wijkberichten");
  const now = options.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const existing = await findWijkberichtInScope(tx, scopeOfActor(actor), id);
    if (!existing) throw notFound();
    if (!(await moveWijkberichtStatus(tx, id, ["draft", "scheduled", "sending"], { status: "cancelled", at: now }))) return { takenBack: 0, alreadyDone: true };
    const takenBack = await cancelQueuedDeliveries(tx, { wijkberichtId: id }, "cancelled", now);
    await audit(tx, actor, "wijkbericht.cancelled", id, now, { was: existing.status, takenBack });
    return { takenBack, alreadyDone: false };
  });
}

/** Progress and results of a bericht: how many are waiting, sent, failed, unsubscribed meanwhile, taken back, and how many subscribers it reaches. */
export interface WijkberichtProgress {
  status: WijkberichtStatus;
  /** Subscribers who get it as it is sent (their count now, before it started; the delivery rows once all are queued). */
  recipients: number;
  /** Weekly subscribers: they get it in their weekly bundle. */
  weekly: number;
  queued: number;
  sent: number;
  failed: number;
  unsubscribed: number;
  cancelled: number;
  /** Not queued yet (it is queued in batches as the outbox empties). */
  notYetQueued: number;
}

/** Who cancelled a bericht and when: a staff member's name, "de beheerder (opdrachtregel)" for the CLI, or null when the account is gone. */
export interface WijkberichtCancellation {
  at: Date;
  by: string | null;
}

/** A bericht in scope with its progress (and, once cancelled, who cancelled it and when); 404 outside the scope. */
export async function loadWijkbericht(db: Db, actor: ContentActor, id: string) {
  const bericht = await findWijkberichtInScope(db, scopeOfActor(actor), id);
  if (!bericht) throw notFound();
  const counts = (await countDeliveriesByStatus(db, [id])).get(id) ?? {};
  const progress = await progressOf(db, bericht, counts);
  let cancellation: WijkberichtCancellation | null = null;
  if (progress.status === "cancelled") {
    const event = await findLatestAudit(db, { action: "wijkbericht.cancelled", subjectType: "Wijkbericht", subjectId: bericht.id });
    const by = event?.actorStaff?.displayName ?? (event?.actorKind === "cli" ? "de beheerder (opdrachtregel)" : null);
    cancellation = { at: bericht.cancelledAt ?? event?.at ?? bericht.updatedAt, by };
  }
  return { bericht, progress, cancellation };
}

async function progressOf(db: Db, bericht: { status: string; queuedAt: Date | null; wijken: Array<{ wijkId: string }> }, counts: Record<string, number>): Promise<WijkberichtProgress> {
  const n = (key: string) => counts[key] ?? 0;
  const rows = n("queued") + n("sent") + n("failed") + n("unsubscribed") + n("cancelled");
  const status = WijkberichtStatusSchema.catch("draft").parse(bericht.status);
  const reach = await countRecipients(
    db,
    bericht.wijken.map((w) => w.wijkId),
  );
  // Once every subscriber has a row, the rows are the truth; before that, the subscribers now (who may still change).
  const open = status === "draft" || status === "scheduled" || (status === "sending" && bericht.queuedAt === null);
  const recipients = open ? Math.max(reach.each, rows) : rows;
  return {
    status,
    recipients,
    weekly: reach.weekly,
    queued: n("queued"),
    sent: n("sent"),
    failed: n("failed"),
    unsubscribed: n("unsubscribed"),
    cancelled: n("cancelled"),
    notYetQueued: status === "sending" && bericht.queuedAt === null ? Math.max(0, recipients - rows) : 0,
  };
}

/** The berichten in scope, newest first, each with its progress. */
export async function listWijkberichten(db: Db, actor: ContentActor) {
  const berichten = await listWijkberichtenInScope(db, scopeOfActor(actor));
  const counts = await countDeliveriesByStatus(
    db,
    berichten.map((b) => b.id),
  );
  return Promise.all(berichten.map(async (bericht) => ({ bericht, progress: await progressOf(db, bericht, counts.get(bericht.id) ?? {}) })));
}

/** The wijken staff may write for, with their subscriber counts (counts only: never who). */
export async function listWijkberichtWijken(db: Db, actor: ContentActor) {
  const wijken = await listScopedWijken(db, scopeOfActor(actor));
  const counts = await countSubscribersPerWijk(
    db,
    wijken.map((w) => w.id),
  );
  return wijken.map((wijk) => ({ ...wijk, subscribers: counts.get(wijk.id) ?? { each: 0, weekly: 0 } }));
}

/** A bericht as the CLI's `broadcast` sends it: to wijken by slug, at once (or only counted with dryRun). */
export async function broadcastWijkbericht(db: Db, actor: ContentActor, input: { wijkSlugs: string[]; text: string; dryRun?: boolean }, options: ActionOptions = {}) {
  requireBroadcastRole(actor, "send wijkberichten");
  const wijken = await listScopedWijken(db, scopeOfActor(actor));
  const chosen = input.wijkSlugs.map((slug) => wijken.find((w) => w.slug === slug) ?? slug);
  const unknown = chosen.filter((w): w is string => typeof w === "string");
  if (unknown.length > 0) throw new ActionError(404, "not_found", `There is no wijk "${unknown.join('", "')}".`);
  const found = chosen.filter((w) => typeof w !== "string");
  const reach = await countRecipients(
    db,
    found.map((w) => w.id),
  );
  if (input.dryRun) return { id: null, wijken: found, recipients: reach.each, weekly: reach.weekly };
  const saved = await saveWijkbericht(db, actor, { form: { text: input.text, imageUrl: null, link: null, wijkIds: found.map((w) => w.id) }, intent: { action: "send" } }, options);
  if (!saved.ok) throw new ActionError(400, "invalid_body", Object.values(saved.errors).join(" "));
  return { id: saved.id, wijken: found, recipients: reach.each, weekly: reach.weekly };
}

/** The staff member's own addresses for a test: their e-mail, and their linked Telegram chat. */
export async function recordWijkberichtTest(db: Db, staff: StaffPrincipal, id: string, to: { email: boolean; telegram: boolean }, options: ActionOptions = {}): Promise<void> {
  requireBroadcastRole({ kind: "staff", staff }, "test wijkberichten");
  const now = options.now ?? new Date();
  await inTransaction(db, async (tx) => {
    const existing = await findWijkberichtInScope(tx, contentScopeOf(staff), id);
    if (!existing) throw notFound();
    await audit(tx, { kind: "staff", staff }, "wijkbericht.tested", id, now, to);
  });
}
