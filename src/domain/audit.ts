/**
 * The vocabulary of the audit log (AuditEvent.action and actorKind): every action Wijklijn
 * records, in one list, so that a reader of the log (or of the code) can find them all and a
 * misspelt action does not compile. Add a new action here first.
 */
import { z } from "zod";

/** Every audit action, grouped by subject. */
export const AuditActionSchema = z.enum([
  // A staff user and their sign-in (src/inbox/auth.routes.ts, oidc.routes.ts, password.ts, the CLI)
  "staff.created",
  "staff.updated",
  "staff.login",
  "staff.login_failed",
  "staff.logout",
  "staff.logout_everywhere",
  "staff.password_changed",
  "staff.password_set",
  "staff.password_change_refused",
  "staff.password_reset_link_created",
  "staff.password_reset",
  "staff.telegram.linked",
  "staff.telegram.unlinked",
  "token.created",
  // A conversation (src/inbox/conversationActions.ts, notifications)
  "conversation.replied",
  "conversation.noted",
  "conversation.open",
  "conversation.waiting",
  "conversation.snoozed",
  "conversation.resolved",
  "conversation.reopened",
  "conversation.assigned",
  "conversation.rerouted",
  "conversation.theme",
  // Staff took away a false 112/113 flag (the bot's emergency check was wrong)
  "conversation.emergency_cleared",
  "conversation.published",
  "conversation.handover.notified",
  // A melding filed through Open311 by the gemeente's website or app (src/open311)
  "open311.filed",
  // The inbox's canned replies and the admin's outbox retry (src/db/inbox.repo.ts)
  "cannedReply.created",
  "cannedReply.deleted",
  "outbox.retried",
  // Wijk content (src/inbox/contentActions.ts)
  "newsItem.created",
  "newsItem.published",
  "newsItem.updated",
  "newsItem.unpublished",
  "dialoogtafel.created",
  "dialoogtafel.updated",
  "dialoogtafel.cancelled",
  "dialoogtafel.signUps.exported",
  // After the sign-up (src/inbox/tafelActions.ts): the check-in at the door and the summary
  "dialoogtafel.checkedIn",
  "dialoogtafel.checkInUndone",
  "dialoogtafel.summary.saved",
  "dialoogtafel.summary.published",
  "dialoogtafel.summary.updated",
  // Residents, imports and broadcasts (src/privacy, the CLI)
  "resident.exported",
  "resident.erased",
  // The resident removed a BSN, IBAN or health details from their message (src/bot/minimiseData.ts)
  "resident.redacted",
  // Retention (src/jobs/retention.ts): what the daily job removed, as counts
  "retention.applied",
  "import.wijken",
  "import.postcodes",
  "broadcast.queued",
  // Wijkberichten (src/inbox/wijkberichtActions.ts)
  "wijkbericht.saved",
  "wijkbericht.scheduled",
  "wijkbericht.sent",
  "wijkbericht.cancelled",
  "wijkbericht.tested",
]);
export type AuditAction = z.infer<typeof AuditActionSchema>;

/** Who did it: a staff user, Wijklijn itself, a resident (through the bot), or an operator at the CLI. */
export const AuditActorKindSchema = z.enum(["staff", "system", "resident", "cli"]);
export type AuditActorKind = z.infer<typeof AuditActorKindSchema>;
