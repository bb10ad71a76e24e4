/**
 * Which of a resident's conversations a new message belongs to (README "Which conversation a
 * message belongs to"). A pure function over what the database knows of the identity's
 * conversations, so the rule can be read and tested in one place.
 */
import type { ConversationStatus } from "../domain/vocabulary.ts";
import { readCaseFollowUp } from "./caseFollowUp.ts";

/** A resolved conversation that was with staff reopens on a resident's message within this many days of being resolved. */
export const REOPEN_RESOLVED_WITHIN_DAYS = 7;

/** What the rule needs to know of one of the identity's conversations. */
export interface ConversationCandidate {
  id: string;
  status: ConversationStatus;
  /** Set while snoozed until a time; null while snoozed until the resident's next message. */
  snoozedUntil: Date | null;
  createdAt: Date;
  lastMessageAt: Date;
  resolvedAt: Date | null;
  /** The latest reply staff sent in it, and the latest message of the resident (null: none). */
  lastStaffReplyAt: Date | null;
  lastResidentMessageAt: Date | null;
  /** The latest message sent to the resident in it (staff or bot). */
  lastOutboundAt: Date | null;
  /** The bot asked a question in it and waits for the answer (its flow state waits for an ask). */
  botAsking: boolean;
  /** It was ever with staff (handed over), so staff may expect a follow-up in it. */
  wasWithStaff: boolean;
}

/** Where the message goes: an existing conversation (reopened when it was resolved), or a new one. */
export type ConversationChoice = { kind: "existing"; conversationId: string; reopen: boolean } | { kind: "new" };

/** Does this conversation wait on the resident: staff asked (waiting, snoozed until the next message, an unanswered staff reply) or the bot asked? */
export function waitsOnResident(c: ConversationCandidate): boolean {
  if (c.status === "resolved") return false;
  if (c.status === "waiting" || (c.status === "snoozed" && c.snoozedUntil === null)) return true;
  if (c.lastStaffReplyAt && (!c.lastResidentMessageAt || c.lastStaffReplyAt > c.lastResidentMessageAt)) return true;
  return c.botAsking;
}

function newestFirst(a: Date | null, b: Date | null): number {
  return (b?.getTime() ?? 0) - (a?.getTime() ?? 0);
}

/**
 * Picks the conversation for a resident's new message (`isCommand`: is it a global command such as
 * "menu" or "nieuw onderwerp"; asked only when a resolved conversation could reopen):
 * 1. of the conversations that wait on the resident, the one asked in last (latest message to the resident);
 * 2. else the most recently active conversation that is not resolved;
 * 3. else the latest resolved conversation, reopened, when it was with staff, was resolved at most
 *    REOPEN_RESOLVED_WITHIN_DAYS ago, the message is not a global command (a command is not an answer)
 *    and its words clearly carry that case on ("het ligt er nog steeds", caseFollowUp.ts): a new
 *    concern, or anything else, is a new conversation with a reference of its own, routed as usual;
 *    words that only thank or close ("nee hoor, bedankt") go to that case without reopening it;
 * 4. else a new conversation.
 * (An answer to "Voelde je je gehoord?" is matched to its conversation before this: src/db/feedback.repo.ts.)
 */
export function pickConversation(candidates: readonly ConversationCandidate[], input: { now: Date; isCommand: () => boolean; text?: string | undefined }): ConversationChoice {
  const active = candidates.filter((c) => c.status !== "resolved");
  const waiting = active.filter(waitsOnResident).sort((a, b) => newestFirst(a.lastOutboundAt ?? a.lastMessageAt, b.lastOutboundAt ?? b.lastMessageAt));
  const firstWaiting = waiting[0];
  if (firstWaiting) return { kind: "existing", conversationId: firstWaiting.id, reopen: false };
  const recent = [...active].sort((a, b) => newestFirst(a.lastMessageAt, b.lastMessageAt) || newestFirst(a.createdAt, b.createdAt))[0];
  if (recent) return { kind: "existing", conversationId: recent.id, reopen: false };
  const resolved = candidates.filter((c) => c.status === "resolved" && c.wasWithStaff && c.resolvedAt).sort((a, b) => newestFirst(a.resolvedAt, b.resolvedAt))[0];
  const windowMs = REOPEN_RESOLVED_WITHIN_DAYS * 24 * 3600 * 1000;
  const recentlyResolved = resolved?.resolvedAt && input.now.getTime() - resolved.resolvedAt.getTime() <= windowMs;
  // `isCommand` last: it may run the triage, which only matters here.
  const followUp = resolved && recentlyResolved ? readCaseFollowUp(input.text) : "unclear";
  if (resolved && followUp === "continues" && !input.isCommand()) return { kind: "existing", conversationId: resolved.id, reopen: true };
  // "Bedankt!" after the resolution belongs to that case, and does not open it again (nor a new one).
  if (resolved && followUp === "closing") return { kind: "existing", conversationId: resolved.id, reopen: false };
  return { kind: "new" };
}
