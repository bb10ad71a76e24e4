/** What the bot reads of staff's part in a conversation while staff handle it (src/bot/staffHandling.ts). */
import type { DbOrTx } from "./client.ts";

/** When staff last wrote to the resident in this conversation (not an internal note); null when they never did. */
export async function findLastStaffReplyAt(db: DbOrTx, conversationId: string): Promise<Date | null> {
  const message = await db.message.findFirst({
    where: { conversationId, direction: "out", authorKind: "staff" },
    orderBy: { createdAt: "desc" },
    select: { createdAt: true },
  });
  return message?.createdAt ?? null;
}
