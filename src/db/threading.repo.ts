/**
 * What the threading rule (src/routing/pickConversation.ts) needs to know of a channel identity's
 * conversations: the ones still going and the latest resolved one.
 */
import { z } from "zod";
import { ConversationStatusSchema, isWithStaff, STAFF_STATUSES } from "../domain/vocabulary.ts";
import type { ConversationCandidate } from "../routing/pickConversation.ts";
import type { DbOrTx } from "./client.ts";
import { dateOf, optionalDateOf, sqlRows, textOf } from "./sql.ts";

/** Only the part of the stored flow state that says whether the bot waits for an answer. */
const AskingStateSchema = z.object({ waiting: z.string().nullable().optional() });

function botAsks(state: string): boolean {
  try {
    const parsed = AskingStateSchema.safeParse(JSON.parse(state));
    return parsed.success && parsed.data.waiting === "ask";
  } catch {
    return false;
  }
}

async function latestMessageAt(db: DbOrTx, conversationId: string, where: { direction: "in" | "out"; authorKind?: "staff" }): Promise<Date | null> {
  const found = await db.message.findFirst({ where: { conversationId, ...where }, orderBy: { createdAt: "desc" }, select: { createdAt: true } });
  return found?.createdAt ?? null;
}

/**
 * The identity's conversations that are not resolved, plus its latest resolved one, as threading
 * candidates. The message times are only read when there is a choice to make (two or more).
 */
export async function listThreadCandidates(db: DbOrTx, channelIdentityId: string, options: { isNew?: boolean } = {}): Promise<ConversationCandidate[]> {
  // An identity created in this transaction has no conversations yet.
  if (options.isNew) return [];
  // Every inbound message asks this: one plain statement rather than a compiled Prisma query.
  const activeRows = await sqlRows(
    db,
    `SELECT "id", "status", "snoozedUntil", "createdAt", "lastMessageAt", "resolvedAt", "state" FROM "Conversation"
    WHERE "channelIdentityId" = ? AND "status" <> 'resolved' ORDER BY "createdAt" DESC`,
    [channelIdentityId],
  );
  // With nothing going, the latest resolved one.
  const resolvedRows =
    activeRows.length === 0
      ? await sqlRows(
          db,
          `SELECT "id", "status", "snoozedUntil", "createdAt", "lastMessageAt", "resolvedAt", "state" FROM "Conversation"
          WHERE "channelIdentityId" = ? AND "status" = 'resolved' ORDER BY "resolvedAt" DESC LIMIT 1`,
          [channelIdentityId],
        )
      : [];
  const rows = (resolvedRows.length > 0 ? resolvedRows : activeRows).map((row) => ({
    id: textOf(row, "id"),
    status: textOf(row, "status"),
    snoozedUntil: optionalDateOf(row, "snoozedUntil"),
    createdAt: dateOf(row, "createdAt"),
    lastMessageAt: dateOf(row, "lastMessageAt"),
    resolvedAt: optionalDateOf(row, "resolvedAt"),
    state: textOf(row, "state"),
  }));
  const detailed = rows.length > 1 || resolvedRows.length > 0;
  const candidates: ConversationCandidate[] = [];
  for (const row of rows) {
    candidates.push({
      id: row.id,
      status: ConversationStatusSchema.parse(row.status),
      snoozedUntil: row.snoozedUntil,
      createdAt: row.createdAt,
      lastMessageAt: row.lastMessageAt,
      resolvedAt: row.resolvedAt,
      lastStaffReplyAt: detailed ? await latestMessageAt(db, row.id, { direction: "out", authorKind: "staff" }) : null,
      lastResidentMessageAt: detailed ? await latestMessageAt(db, row.id, { direction: "in" }) : null,
      lastOutboundAt: detailed ? await latestMessageAt(db, row.id, { direction: "out" }) : null,
      botAsking: botAsks(row.state),
      wasWithStaff: row.status === "resolved" ? (await db.statusChange.count({ where: { conversationId: row.id, toStatus: { in: [...STAFF_STATUSES] } } })) > 0 : isWithStaff(row.status),
    });
  }
  return candidates;
}
