/** "Jullie zeiden, wij deden" items (src/trust/publishWijDeden.ts): written by a staff action, read by the public wijk page. */
import type { DbOrTx, Tx } from "./client.ts";

/** Writes an item in the staff action's transaction. */
export async function createWijDedenItem(
  tx: Tx,
  input: { gemeenteId: string; wijkId: string; conversationId: string; theme: string | null; said: string; did: string; staffUserId: string; now: Date },
) {
  return tx.wijDedenItem.create({
    data: {
      gemeenteId: input.gemeenteId,
      wijkId: input.wijkId,
      conversationId: input.conversationId,
      theme: input.theme,
      said: input.said,
      did: input.did,
      publishedAt: input.now,
      createdByStaffId: input.staffUserId,
      createdAt: input.now,
    },
  });
}

/** The item published from a conversation, if any. */
export async function findWijDedenOfConversation(db: DbOrTx, conversationId: string) {
  return db.wijDedenItem.findUnique({ where: { conversationId }, select: { id: true, publishedAt: true, wijk: { select: { slug: true } } } });
}

/** A wijk's published items, newest first. */
export async function listWijDeden(db: DbOrTx, wijkId: string, take = 10) {
  return db.wijDedenItem.findMany({ where: { wijkId }, orderBy: { publishedAt: "desc" }, take, select: { theme: true, said: true, did: true, publishedAt: true } });
}
