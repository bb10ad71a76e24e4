/**
 * The writes behind the staff actions on a conversation (src/inbox/conversationActions.ts): the
 * conversation as an action loads it, and the columns a reply, snooze, reopen, assignment, move
 * or theme changes. The action checks scope and role and holds the transaction; these only query.
 */
import { ChannelSchema, ConversationStatusSchema, type Channel, type ConversationStatus } from "../domain/messages.ts";
import type { DbOrTx, Tx } from "./client.ts";

/** A conversation as a staff action needs it. */
export interface ActionConversation {
  id: string;
  gemeenteId: string;
  tandemId: string | null;
  wijkId: string | null;
  residentId: string;
  channelIdentityId: string;
  channel: Channel;
  status: ConversationStatus;
  theme: string | null;
  assigneeId: string | null;
  firstResponseAt: Date | null;
  /** null, "112" or "113" (who may see it depends on it: src/domain/access.ts). */
  emergency: string | null;
}

/** A conversation of the gemeente by id, or null; whether the caller may see it is `canSee`'s to say. */
export async function findConversationForAction(tx: DbOrTx, gemeenteId: string, conversationId: string): Promise<ActionConversation | null> {
  const row = await tx.conversation.findFirst({
    // An erased resident's conversation (an anonymous count) takes no action.
    where: { id: conversationId, gemeenteId, residentId: { not: null }, channelIdentityId: { not: null } },
    select: {
      id: true,
      gemeenteId: true,
      tandemId: true,
      wijkId: true,
      residentId: true,
      channelIdentityId: true,
      channel: true,
      status: true,
      theme: true,
      assigneeId: true,
      firstResponseAt: true,
      emergency: true,
    },
  });
  if (!row?.residentId || !row.channelIdentityId) return null;
  return { ...row, residentId: row.residentId, channelIdentityId: row.channelIdentityId, channel: ChannelSchema.parse(row.channel), status: ConversationStatusSchema.parse(row.status) };
}

/**
 * Marks a staff reply: the last message is now, the first reply sets firstResponseAt, and a
 * conversation nobody was assigned to goes to the one who replied.
 */
export async function recordStaffReply(tx: Tx, conversation: Pick<ActionConversation, "id" | "firstResponseAt" | "assigneeId">, staffUserId: string, now: Date): Promise<void> {
  await tx.conversation.update({
    where: { id: conversation.id },
    data: { lastMessageAt: now, ...(conversation.firstResponseAt ? {} : { firstResponseAt: now }), ...(conversation.assigneeId ? {} : { assigneeId: staffUserId }) },
  });
}

/** Sets until when a snoozed conversation sleeps (null: until the resident's next message). */
export async function setSnoozedUntil(tx: Tx, conversationId: string, until: Date | null): Promise<void> {
  await tx.conversation.update({ where: { id: conversationId }, data: { snoozedUntil: until } });
}

/** Clears resolvedAt of a reopened conversation. */
export async function clearResolvedAt(tx: Tx, conversationId: string): Promise<void> {
  await tx.conversation.update({ where: { id: conversationId }, data: { resolvedAt: null } });
}

/** Assigns a conversation to a staff user (null: nobody). */
export async function setConversationAssignee(tx: Tx, conversationId: string, assigneeId: string | null): Promise<void> {
  await tx.conversation.update({ where: { id: conversationId }, data: { assigneeId } });
}

/** Moves a conversation to a wijk and its tandem, with the assignee that stays (null: none). */
export async function moveConversation(tx: Tx, conversationId: string, to: { wijkId: string; tandemId: string | null; assigneeId: string | null }): Promise<void> {
  await tx.conversation.update({ where: { id: conversationId }, data: { wijkId: to.wijkId, tandemId: to.tandemId, assigneeId: to.assigneeId } });
}

/** Takes away a conversation's 112/113 flag (staff found it was no emergency). */
export async function clearConversationEmergency(tx: Tx, conversationId: string): Promise<void> {
  await tx.conversation.update({ where: { id: conversationId }, data: { emergency: null } });
}

/**
 * Since when the resident waits for an answer after a move to another tandem: since their newest
 * message if no staff reply came after it, otherwise since the move (they were told someone answers).
 */
export async function findWaitingSinceAfterMove(tx: DbOrTx, conversationId: string, movedAt: Date): Promise<Date> {
  const [lastInbound, lastReply] = await Promise.all([
    tx.message.findFirst({ where: { conversationId, direction: "in" }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { createdAt: true } }),
    tx.message.findFirst({ where: { conversationId, direction: "out", authorKind: "staff" }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { createdAt: true } }),
  ]);
  const unanswered = lastInbound && (!lastReply || lastInbound.createdAt > lastReply.createdAt) ? lastInbound.createdAt : null;
  return unanswered && unanswered < movedAt ? unanswered : movedAt;
}

/** Sets a conversation's theme. */
export async function updateConversationTheme(tx: Tx, conversationId: string, theme: string): Promise<void> {
  await tx.conversation.update({ where: { id: conversationId }, data: { theme } });
}

/** Snoozed conversations whose time has come, with their tandem (for the live event). */
export async function listDueSnoozedConversations(db: DbOrTx, now: Date): Promise<Array<{ id: string; tandemId: string | null }>> {
  return db.conversation.findMany({ where: { status: "snoozed", snoozedUntil: { lte: now } }, select: { id: true, tandemId: true } });
}
