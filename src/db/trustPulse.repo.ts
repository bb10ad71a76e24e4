/**
 * The trust pulse (src/trust/trustPulse.ts): offering it at most once a quarter per resident,
 * recording the answers, and the scores as bare figures (wijk, time, score) for the pilot
 * evaluation: never with a resident.
 */
import type { DbOrTx, Tx } from "./client.ts";

/** Has the resident had an offer in this quarter? */
export async function hasTrustPulseInQuarter(db: DbOrTx, residentId: string, quarter: string): Promise<boolean> {
  return (await db.trustPulse.count({ where: { residentId, quarter } })) > 0;
}

/** Records an offer in the turn's transaction; the caller checked the quarter first (unique per resident and quarter). */
export async function createTrustPulseOffer(
  tx: Tx,
  input: { gemeenteId: string; residentId: string; wijkId: string | null; conversationId: string; quarter: string; now: Date },
): Promise<{ id: string }> {
  return tx.trustPulse.create({
    data: { gemeenteId: input.gemeenteId, residentId: input.residentId, wijkId: input.wijkId, conversationId: input.conversationId, quarter: input.quarter, status: "offered", offeredAt: input.now },
    select: { id: true },
  });
}

/** A resident's own pulse by id (null when it is someone else's or gone). */
export async function findTrustPulseOfResident(db: DbOrTx, pulseId: string, residentId: string): Promise<{ id: string; status: string; conversationId: string | null } | null> {
  return db.trustPulse.findFirst({ where: { id: pulseId, residentId }, select: { id: true, status: true, conversationId: true } });
}

/** Moves a pulse on: offered → asked (yes) or declined (no); asked → scored. False when it was not in `from`. */
export async function advanceTrustPulse(tx: Tx, pulseId: string, from: "offered" | "asked", to: { status: "asked" | "declined" } | { status: "scored"; score: number; now: Date }): Promise<boolean> {
  const data = to.status === "scored" ? { status: "scored", score: to.score, scoredAt: to.now } : { status: to.status };
  return (await tx.trustPulse.updateMany({ where: { id: pulseId, status: from }, data })).count === 1;
}

/**
 * The conversation a tapped pulse button belongs to, for the inbound pipeline: the pulse's own
 * conversation (so a tap never reopens a resolved conversation), when the pulse is this identity's.
 */
export async function findConversationOfTrustPulse(db: DbOrTx, pulseId: string, channelIdentityId: string): Promise<string | null> {
  const row = await db.trustPulse.findFirst({ where: { id: pulseId, conversation: { channelIdentityId } }, select: { conversationId: true } });
  return row?.conversationId ?? null;
}

/** Hides a pulse answer in the conversation: staff never read a resident's own trust score. */
export async function hidePulseAnswerText(tx: Tx, messageId: string, text: string): Promise<void> {
  await tx.message.update({ where: { id: messageId }, data: { text, value: "pulse" } });
}

/** A score as a bare figure. */
export interface TrustScoreFact {
  wijkId: string | null;
  scoredAt: Date;
  score: number;
}

/** The gemeente's scores given in [from, until). */
export async function listTrustScores(db: DbOrTx, gemeenteId: string, from: Date, until: Date): Promise<TrustScoreFact[]> {
  const rows = await db.trustPulse.findMany({ where: { gemeenteId, status: "scored", scoredAt: { gte: from, lt: until } }, select: { wijkId: true, scoredAt: true, score: true } });
  return rows.flatMap((row) => (row.scoredAt && row.score !== null ? [{ wijkId: row.wijkId, scoredAt: row.scoredAt, score: row.score }] : []));
}
