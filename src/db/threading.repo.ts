/**
 * What the threading rule (src/routing/pickConversation.ts) needs to know of a channel identity's
 * conversations: the ones still going and the latest resolved one.
 */
import { z } from "zod";
import { ConversationStatusSchema, isWithStaff, STAFF_STATUSES } from "../domain/vocabulary.ts";
import type { ConversationCandidate } from "../routing/pickConversation.ts";
import type { DbOrTx } from "./client.ts";
import { dateOf, optionalDateOf, optionalTextOf, type SqlRow, sqlRows, textOf } from "./sql.ts";

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

/** A conversation as the threading rule first reads it. */
export interface ThreadRow {
  id: string;
  status: string;
  snoozedUntil: Date | null;
  createdAt: Date;
  lastMessageAt: Date;
  resolvedAt: Date | null;
  state: string;
}

const THREAD_COLUMNS = ["id", "status", "snoozedUntil", "createdAt", "lastMessageAt", "resolvedAt", "state"] as const;

/** The columns of a conversation `alias` as `threadRowOf` reads them with `prefix` (for a caller that joins them into its own statement). */
export function threadColumns(alias: string, prefix: string): string {
  return THREAD_COLUMNS.map((column) => `${alias}."${column}" AS "${prefix}${column}"`).join(", ");
}

/** A conversation read with `threadColumns(…, prefix)`, or null when the row has none (a LEFT JOIN that found nothing). */
export function threadRowOf(row: SqlRow, prefix = ""): ThreadRow | null {
  if (optionalTextOf(row, `${prefix}id`) === null) return null;
  return {
    id: textOf(row, `${prefix}id`),
    status: textOf(row, `${prefix}status`),
    snoozedUntil: optionalDateOf(row, `${prefix}snoozedUntil`),
    createdAt: dateOf(row, `${prefix}createdAt`),
    lastMessageAt: dateOf(row, `${prefix}lastMessageAt`),
    resolvedAt: optionalDateOf(row, `${prefix}resolvedAt`),
    state: textOf(row, `${prefix}state`),
  };
}

/**
 * The identity's conversations that are not resolved, plus its latest resolved one, as threading
 * candidates. The message times are only read when there is a choice to make (two or more).
 * `active`: the conversations not resolved, newest first, when the caller read them already (the inbound look-up).
 */
export async function listThreadCandidates(db: DbOrTx, channelIdentityId: string, options: { isNew?: boolean; active?: readonly ThreadRow[] } = {}): Promise<ConversationCandidate[]> {
  // An identity created in this transaction has no conversations yet.
  if (options.isNew) return [];
  // Every inbound message asks this: one plain statement rather than a compiled Prisma query.
  const activeRows =
    options.active ??
    (
      await sqlRows(
        db,
        `SELECT ${threadColumns(`"Conversation"`, "")} FROM "Conversation"
    WHERE "channelIdentityId" = ? AND "status" <> 'resolved' ORDER BY "createdAt" DESC`,
        [channelIdentityId],
      )
    ).flatMap((row) => threadRowOf(row) ?? []);
  // With nothing going, the latest resolved one.
  const resolvedRows =
    activeRows.length === 0
      ? (
          await sqlRows(
            db,
            `SELECT ${threadColumns(`"Conversation"`, "")} FROM "Conversation"
          WHERE "channelIdentityId" = ? AND "status" = 'resolved' ORDER BY "resolvedAt" DESC LIMIT 1`,
            [channelIdentityId],
          )
        ).flatMap((row) => threadRowOf(row) ?? [])
      : [];
  const rows = resolvedRows.length > 0 ? resolvedRows : activeRows;
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
