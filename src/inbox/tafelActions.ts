/**
 * What staff do with a dialoogtafel on the evening and after it: the check-in list at the door
 * (who signed up, a tap to mark present) and the summary ("wat we hoorden, wat we gaan doen"),
 * published as the wijk's news and sent to those who came. Like the other staff actions
 * (contentActions.ts): role, scope (another tandem's dialoogtafel is unknown: 404), one
 * transaction, an audit row.
 *
 * The summary reaches residents through src/jobs/dialoogtafelNotices.ts: publishing marks it, and
 * the job writes one outbox row per checked-in resident, claimed once (within seconds).
 */
import { z } from "zod";
import type { StaffPrincipal } from "../api/auth.ts";
import { recordAudit } from "../db/audit.repo.ts";
import type { Db, Tx } from "../db/client.ts";
import { createNewsItem } from "../db/content.repo.ts";
import { countCheckedIn, listCheckIn, markTafelSummaryPublished, saveTafelSummary, setCheckedIn, updateSummaryNewsItem } from "../db/dialoogtafel.repo.ts";
import { inTransaction } from "../db/transaction.ts";
import type { StaffRole } from "../domain/access.ts";
import type { AuditAction } from "../domain/audit.ts";
import { ChannelSchema, labelChannel } from "../domain/vocabulary.ts";
import { maskChannelAddress } from "../privacy/maskChannelAddress.ts";
import type { FieldErrors } from "./content/forms.ts";
import { signUpNumber } from "./content/signUps.ts";
import { contentScopeOf, type FormActionResult } from "./contentActions.ts";
import { ActionError, type ActionOptions } from "./conversationActions.ts";

// Whoever holds the dialoogtafel checks people in and writes the summary: the content roles.
const TAFEL_ROLES: readonly StaffRole[] = ["gebiedsregisseur", "wethouder", "admin"];

function requireRole(staff: StaffPrincipal, what: string): void {
  if (!TAFEL_ROLES.includes(staff.role)) throw new ActionError(403, "forbidden", `A ${staff.role} may not ${what}.`);
}

const notFound = () => new ActionError(404, "not_found", "There is no such dialoogtafel.");
const cancelled = () => new ActionError(409, "cancelled", "This dialoogtafel was cancelled.");

function audit(tx: Tx, staff: StaffPrincipal, action: AuditAction, tafelId: string, at: Date, data: Record<string, unknown>): Promise<void> {
  return recordAudit(tx, { gemeenteId: staff.gemeenteId, actorStaffId: staff.staffUserId, actorKind: "staff", action, subjectType: "Dialoogtafel", subjectId: tafelId, data, at });
}

/** One line of the check-in list: the sign-up's number, how the resident is shown (masked), present or not. */
export interface CheckInRow {
  registrationId: string;
  number: string;
  /** E.g. "WhatsApp +31 6 •••• 4321" or "Web chat •••• 9f3a": the inbox never shows a full address. */
  who: string;
  checkedIn: boolean;
}

/** The check-in list of a dialoogtafel in scope, in sign-up order; 404 outside it. */
export async function loadCheckInList(db: Db, staff: StaffPrincipal, dialoogtafelId: string) {
  requireRole(staff, "keep a check-in list");
  const found = await listCheckIn(db, contentScopeOf(staff), dialoogtafelId);
  if (!found) throw notFound();
  const rows: CheckInRow[] = found.signUps.map((signUp) => {
    const channel = ChannelSchema.safeParse(signUp.identity?.channel);
    const masked = channel.success && signUp.identity ? maskChannelAddress(channel.data, signUp.identity.externalId) : null;
    return {
      registrationId: signUp.id,
      number: signUpNumber(signUp.id),
      who: channel.success ? `${labelChannel(channel.data)}${masked ? ` ${masked}` : ""}` : "Geen kanaal meer",
      checkedIn: signUp.checkedInAt !== null,
    };
  });
  return { tafel: found.tafel, rows };
}

/** Marks a sign-up present (or takes it back). 404 for another tandem's dialoogtafel or a sign-up not on its list; 409 when cancelled. */
export async function markPresence(db: Db, staff: StaffPrincipal, dialoogtafelId: string, registrationId: string, present: boolean, options: ActionOptions = {}) {
  requireRole(staff, "keep a check-in list");
  const now = options.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const found = await listCheckIn(tx, contentScopeOf(staff), dialoogtafelId);
    if (!found) throw notFound();
    if (found.tafel.status === "cancelled") throw cancelled();
    if (!(await setCheckedIn(tx, dialoogtafelId, registrationId, present, now))) throw new ActionError(404, "not_found", "That sign-up is not on this list.");
    await audit(tx, staff, present ? "dialoogtafel.checkedIn" : "dialoogtafel.checkInUndone", dialoogtafelId, now, { wijk: found.tafel.wijk.slug, signUp: signUpNumber(registrationId) });
    return { present };
  });
}

/** The longest part of a summary: the message to residents stays one chat bubble on every channel. */
export const SUMMARY_PART_MAX = 1500;

/** The summary form: two texts and what to do with them. */
export const SummaryFormSchema = z.object({
  heard: z.string().trim().min(1, "Schrijf op wat jullie hoorden.").max(SUMMARY_PART_MAX, `Hoogstens ${SUMMARY_PART_MAX} tekens.`),
  next: z.string().trim().min(1, "Schrijf op wat jullie gaan doen.").max(SUMMARY_PART_MAX, `Hoogstens ${SUMMARY_PART_MAX} tekens.`),
  action: z.enum(["save", "publish"], { message: "Kies opslaan of publiceren." }),
});
export type SummaryForm = z.infer<typeof SummaryFormSchema>;

/** What saving the summary did. */
export type SummaryOutcome = "saved" | "published" | "updated";

/** The wijk news item of a summary: a title and a body residents read through the bot. */
export function summaryNewsItem(tafel: { title: string }, summary: { heard: string; next: string }): { title: string; body: string } {
  return { title: `Verslag: ${tafel.title}`, body: `Wat we hoorden: ${summary.heard}\n\nWat we gaan doen: ${summary.next}` };
}

/**
 * Saves the summary as a draft, or publishes it: a published news item in the dialoogtafel's wijk,
 * the dialoogtafel held, and (through the notice job) one message to each resident checked in.
 * Publishing again only corrects the news item; nobody gets the message twice. Only once the
 * dialoogtafel has begun; 404 outside scope; 409 when cancelled.
 */
export async function saveSummary(
  db: Db,
  staff: StaffPrincipal,
  dialoogtafelId: string,
  form: SummaryForm,
  options: ActionOptions = {},
): Promise<FormActionResult<{ outcome: SummaryOutcome; sentTo: number }>> {
  requireRole(staff, "write a dialoogtafel summary");
  const now = options.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const found = await listCheckIn(tx, contentScopeOf(staff), dialoogtafelId);
    if (!found) throw notFound();
    const { tafel } = found;
    if (tafel.status === "cancelled") throw cancelled();
    if (tafel.startsAt > now) {
      const errors: FieldErrors = { form: "Een verslag kan pas na het begin van de dialoogtafel." };
      return { ok: false, errors };
    }
    const summary = { heard: form.heard, next: form.next };
    await saveTafelSummary(tx, tafel.id, summary);
    const news = summaryNewsItem(tafel, summary);
    const auditData = { wijk: tafel.wijk.slug };
    if (tafel.summaryPublishedAt && tafel.summaryNewsItemId) {
      await updateSummaryNewsItem(tx, tafel.summaryNewsItemId, news);
      await audit(tx, staff, "dialoogtafel.summary.updated", tafel.id, now, auditData);
      return { ok: true, value: { outcome: "updated", sentTo: 0 } };
    }
    if (form.action === "save") {
      await audit(tx, staff, "dialoogtafel.summary.saved", tafel.id, now, auditData);
      return { ok: true, value: { outcome: "saved", sentTo: 0 } };
    }
    const item = await createNewsItem(tx, { wijkId: tafel.wijkId, kind: "bericht", title: news.title, body: news.body, link: null, publishedAt: now, expiresAt: null }, now);
    if (!(await markTafelSummaryPublished(tx, tafel.id, item.id, now))) throw new ActionError(409, "published", "The summary was published meanwhile.");
    const sentTo = await countCheckedIn(tx, tafel.id);
    await audit(tx, staff, "dialoogtafel.summary.published", tafel.id, now, { ...auditData, newsItemId: item.id, sentTo });
    return { ok: true, value: { outcome: "published", sentTo } };
  });
}
