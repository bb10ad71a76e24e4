/**
 * What staff do with a conversation: reply (to the resident's own channel, through the outbox),
 * add an internal note, assign, change the wijk (re-routing to the other tandem), set the theme,
 * snooze, resolve and reopen. The JSON API and the inbox pages both call these; each checks the
 * caller's scope and role, runs in one transaction, and is recorded in the audit log.
 */
import { z } from "zod";
import type { StaffPrincipal } from "../api/auth.ts";
import { recordAudit } from "../db/audit.repo.ts";
import type { Db, Tx } from "../db/client.ts";
import { addNote, addOutboundMessage, changeStatus } from "../db/conversation.repo.ts";
import { queueFeedbackQuestion } from "../db/feedback.repo.ts";
import { findActiveStaffAccess, findStaffDisplayName } from "../db/staffAccount.repo.ts";
import {
  clearConversationEmergency,
  clearResolvedAt,
  findConversationForAction,
  findWaitingSinceAfterMove,
  listDueSnoozedConversations,
  moveConversation,
  recordStaffReply,
  setConversationAssignee,
  setSnoozedUntil,
  updateConversationTheme,
} from "../db/staffConversation.repo.ts";
import { inTransaction } from "../db/transaction.ts";
import { findWijkRefById, findWijkWithTandemBySlug } from "../db/wijk.repo.ts";
import { canSee } from "../domain/access.ts";
import type { AuditAction } from "../domain/audit.ts";
import { ThemeSchema } from "../conversation/triage.ts";
import { emitInboxEvent } from "../domain/events.ts";
import { routeResident } from "../routing/routeResident.ts";

/** Raised for a conversation the caller may not see (answer 404) or an action their role may not do (403). */
export class ActionError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ActionError";
  }
}

async function loadForStaff(tx: Tx, staff: StaffPrincipal, conversationId: string) {
  const conversation = await findConversationForAction(tx, staff.gemeenteId, conversationId);
  if (!conversation || !canSee(staff, conversation)) throw new ActionError(404, "not_found", "There is no such conversation.");
  return conversation;
}

function requireRole(staff: StaffPrincipal, roles: StaffPrincipal["role"][], what: string): void {
  if (!roles.includes(staff.role)) throw new ActionError(403, "forbidden", `A ${staff.role} may not ${what}.`);
}

function audit(tx: Tx, staff: StaffPrincipal, action: AuditAction, conversationId: string, at: Date, data: Record<string, unknown> = {}): Promise<void> {
  return recordAudit(tx, {
    gemeenteId: staff.gemeenteId,
    actorStaffId: staff.staffUserId,
    actorKind: "staff",
    action,
    subjectType: "Conversation",
    subjectId: conversationId,
    data,
    at,
  });
}

/** Options shared by every action. */
export interface ActionOptions {
  now?: Date;
}

/** Replies to the resident on their own channel; the first reply sets firstResponseAt. */
export async function replyToConversation(db: Db, staff: StaffPrincipal, conversationId: string, text: string, options: ActionOptions = {}) {
  requireRole(staff, ["gebiedsregisseur", "admin"], "reply to residents");
  const body = z.string().trim().min(1, "The reply is empty.").max(4000, "A reply is at most 4000 characters.").safeParse(text);
  if (!body.success) throw new ActionError(400, "invalid_body", body.error.issues[0]?.message ?? "Invalid reply.");
  const now = options.now ?? new Date();
  const result = await inTransaction(db, async (tx) => {
    const conversation = await loadForStaff(tx, staff, conversationId);
    const message = await addOutboundMessage(tx, {
      conversationId,
      residentId: conversation.residentId,
      channelIdentityId: conversation.channelIdentityId,
      channel: conversation.channel,
      payload: { text: body.data, buttons: [] },
      authorKind: "staff",
      authorStaffId: staff.staffUserId,
      now,
    });
    await recordStaffReply(tx, conversation, staff.staffUserId, now);
    if (conversation.status !== "resolved") await changeStatus(tx, conversationId, "waiting", { actorStaffId: staff.staffUserId, now });
    await audit(tx, staff, "conversation.replied", conversationId, now, { messageId: message.id });
    return { message, tandemId: conversation.tandemId };
  });
  emitInboxEvent({ conversationId, tandemId: result.tandemId, kind: "message" });
  return result.message;
}

/** Adds an internal note (never sent to the resident). Wethouders may note too. */
export async function addStaffNote(db: Db, staff: StaffPrincipal, conversationId: string, text: string, options: ActionOptions = {}) {
  const body = z.string().trim().min(1, "The note is empty.").max(4000, "A note is at most 4000 characters.").safeParse(text);
  if (!body.success) throw new ActionError(400, "invalid_body", body.error.issues[0]?.message ?? "Invalid note.");
  const now = options.now ?? new Date();
  const result = await inTransaction(db, async (tx) => {
    const conversation = await loadForStaff(tx, staff, conversationId);
    const note = await addNote(tx, { conversationId, channel: conversation.channel, text: body.data, authorKind: "staff", authorStaffId: staff.staffUserId, now });
    await audit(tx, staff, "conversation.noted", conversationId, now, { messageId: note.id });
    return { note, tandemId: conversation.tandemId };
  });
  emitInboxEvent({ conversationId, tandemId: result.tandemId, kind: "note" });
  return result.note;
}

/** The statuses staff may set, with snoozing until a time or until the resident writes again. */
export const StatusChangeSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("open") }),
  z.object({ status: z.literal("waiting") }),
  z.object({ status: z.literal("resolved") }),
  z.object({ status: z.literal("snoozed"), until: z.coerce.date().optional() }),
]);
export type StatusChange = z.infer<typeof StatusChangeSchema>;

/** Sets the status: open (reopen), waiting, snoozed (until a time or the next message), resolved. */
export async function setConversationStatus(db: Db, staff: StaffPrincipal, conversationId: string, change: StatusChange, options: ActionOptions = {}) {
  requireRole(staff, ["gebiedsregisseur", "admin"], "change a conversation's status");
  const now = options.now ?? new Date();
  if (change.status === "snoozed" && change.until && change.until <= now) throw new ActionError(400, "invalid_body", "Snooze until a moment in the future.");
  const tandemId = await inTransaction(db, async (tx) => {
    const conversation = await loadForStaff(tx, staff, conversationId);
    if (conversation.status === "bot" && change.status !== "resolved") throw new ActionError(409, "still_with_bot", "The bot is still talking with the resident; it can only be resolved.");
    await changeStatus(tx, conversationId, change.status, { actorStaffId: staff.staffUserId, now });
    if (change.status === "snoozed") await setSnoozedUntil(tx, conversationId, change.until ?? null);
    if (change.status === "open" && conversation.status === "resolved") await clearResolvedAt(tx, conversationId);
    // "Voelde je je gehoord?": queued with the resolve, sent once by the asker (src/trust/feedbackAsker.ts).
    if (change.status === "resolved") await queueFeedbackQuestion(tx, { conversationId, gemeenteId: staff.gemeenteId, previousStatus: conversation.status, now });
    const action = `conversation.${change.status === "open" && conversation.status === "resolved" ? "reopened" : change.status}` as const;
    await audit(tx, staff, action, conversationId, now, change.status === "snoozed" ? { until: change.until?.toISOString() ?? "next message" } : {});
    return conversation.tandemId;
  });
  emitInboxEvent({ conversationId, tandemId, kind: "status" });
}

/** Assigns a colleague of the conversation's tandem (or nobody). */
export async function assignConversation(db: Db, staff: StaffPrincipal, conversationId: string, assigneeId: string | null, options: ActionOptions = {}) {
  requireRole(staff, ["gebiedsregisseur", "admin"], "assign conversations");
  const now = options.now ?? new Date();
  const tandemId = await inTransaction(db, async (tx) => {
    const conversation = await loadForStaff(tx, staff, conversationId);
    if (assigneeId) {
      const assignee = await findActiveStaffAccess(tx, staff.gemeenteId, assigneeId);
      // Someone who could not see the conversation cannot take it on.
      const fits = assignee && canSee(assignee, conversation);
      if (!fits) throw new ActionError(400, "invalid_assignee", "Assign someone of this conversation's tandem.");
    }
    await setConversationAssignee(tx, conversationId, assigneeId);
    await audit(tx, staff, "conversation.assigned", conversationId, now, { assigneeId });
    return conversation.tandemId;
  });
  emitInboxEvent({ conversationId, tandemId, kind: "assigned" });
}

/** Moves a conversation to another wijk, and so (perhaps) to another tandem; a note says so. */
export async function changeConversationWijk(db: Db, staff: StaffPrincipal, conversationId: string, wijkSlug: string, options: ActionOptions = {}) {
  requireRole(staff, ["gebiedsregisseur", "admin"], "change the wijk");
  const now = options.now ?? new Date();
  const result = await inTransaction(db, async (tx) => {
    const conversation = await loadForStaff(tx, staff, conversationId);
    const wijk = await findWijkWithTandemBySlug(tx, staff.gemeenteId, wijkSlug);
    if (!wijk) throw new ActionError(400, "invalid_wijk", `There is no wijk "${wijkSlug}".`);
    const previous = conversation.wijkId ? await findWijkRefById(tx, conversation.wijkId) : null;
    const tandemId = (await routeResident({ wijk })).tandem?.id ?? null;
    const toOtherTandem = tandemId !== conversation.tandemId;
    await moveConversation(tx, conversationId, { wijkId: wijk.id, tandemId, assigneeId: toOtherTandem ? null : conversation.assigneeId });
    // The resident was told someone answers: for the new tandem it is open, waiting since the
    // resident's unanswered message or the move, not "Wacht op bewoner" at the bottom of the list.
    if (toOtherTandem && tandemId !== null && (conversation.status === "waiting" || conversation.status === "snoozed")) {
      await changeStatus(tx, conversationId, "open", { actorStaffId: staff.staffUserId, now, waitingSince: await findWaitingSinceAfterMove(tx, conversationId, now) });
    }
    const staffName = await findStaffDisplayName(tx, staff.staffUserId);
    const newTandem = wijk.tandem && tandemId !== conversation.tandemId ? ` (tandem ${wijk.tandem.name})` : "";
    await addNote(tx, {
      conversationId,
      channel: conversation.channel,
      text: `${staffName} verplaatste dit gesprek van ${previous?.name ?? "geen wijk"} naar ${wijk.name}${newTandem}.`,
      authorKind: "staff",
      authorStaffId: staff.staffUserId,
      now,
    });
    await audit(tx, staff, "conversation.rerouted", conversationId, now, { from: previous?.slug ?? null, to: wijk.slug });
    return { from: conversation.tandemId, to: tandemId };
  });
  emitInboxEvent({ conversationId, tandemId: result.from, kind: "routed" });
  if (result.to !== result.from) emitInboxEvent({ conversationId, tandemId: result.to, kind: "handover" });
}

/** The words of a false 112/113 flag in the note: what the bot took it for. */
const EMERGENCY_WORDS: Readonly<Record<string, string>> = { "112": "noodgeval (112)", "113": "crisis (113)" };

/**
 * Takes away a false 112/113 flag: the badge and "Kijk dit gesprek eerst na" go, the inbox sorts it
 * as any other conversation, and "Voelde je je gehoord?" may be asked again on resolving. A note
 * in the conversation says who did it and why (the reason is optional, one line); the audit log
 * records it without the reason's words (staff text may name the resident).
 */
export async function clearEmergencyFlag(db: Db, staff: StaffPrincipal, conversationId: string, reason: string, options: ActionOptions = {}) {
  requireRole(staff, ["gebiedsregisseur", "admin"], "clear an emergency flag");
  const why = z.string().trim().max(200, "A reason is at most 200 characters.").safeParse(reason.replace(/\s+/g, " "));
  if (!why.success) throw new ActionError(400, "invalid_body", why.error.issues[0]?.message ?? "Invalid reason.");
  const now = options.now ?? new Date();
  const tandemId = await inTransaction(db, async (tx) => {
    const conversation = await loadForStaff(tx, staff, conversationId);
    if (!conversation.emergency) throw new ActionError(409, "no_emergency", "This conversation has no emergency flag.");
    await clearConversationEmergency(tx, conversationId);
    const staffName = await findStaffDisplayName(tx, staff.staffUserId);
    const what = EMERGENCY_WORDS[conversation.emergency] ?? `noodvlag (${conversation.emergency})`;
    const note = await addNote(tx, {
      conversationId,
      channel: conversation.channel,
      text: `${staffName} haalde de vlag weg: dit is geen ${what}.${why.data ? ` Reden: ${why.data}` : ""}`,
      authorKind: "staff",
      authorStaffId: staff.staffUserId,
      now,
    });
    await audit(tx, staff, "conversation.emergency_cleared", conversationId, now, { from: conversation.emergency, messageId: note.id, withReason: why.data.length > 0 });
    return conversation.tandemId;
  });
  emitInboxEvent({ conversationId, tandemId, kind: "note" });
}

/** Sets the theme (CONTRACTS vocabulary). */
export async function setConversationTheme(db: Db, staff: StaffPrincipal, conversationId: string, theme: string, options: ActionOptions = {}) {
  requireRole(staff, ["gebiedsregisseur", "admin"], "change the theme");
  const now = options.now ?? new Date();
  const parsed = ThemeSchema.safeParse(theme);
  if (!parsed.success) throw new ActionError(400, "invalid_theme", `"${theme}" is not a theme; use one of ${ThemeSchema.options.join(", ")}.`);
  const tandemId = await inTransaction(db, async (tx) => {
    const conversation = await loadForStaff(tx, staff, conversationId);
    await updateConversationTheme(tx, conversationId, parsed.data);
    await audit(tx, staff, "conversation.theme", conversationId, now, { from: conversation.theme, to: parsed.data });
    return conversation.tandemId;
  });
  emitInboxEvent({ conversationId, tandemId, kind: "theme" });
}

/** Wakes snoozed conversations whose time has come (run by a timer). Returns how many. */
export async function wakeSnoozedConversations(db: Db, now: Date = new Date()): Promise<number> {
  const due = await listDueSnoozedConversations(db, now);
  for (const conversation of due) {
    await inTransaction(db, (tx) => changeStatus(tx, conversation.id, "open", { now }));
    emitInboxEvent({ conversationId: conversation.id, tandemId: conversation.tandemId, kind: "status" });
  }
  return due.length;
}
