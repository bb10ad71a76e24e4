/**
 * What the pilot evaluation (src/inbox/evaluation.pages.ts) and the digest's feedback and trust
 * figures read: conversations, feedback scores and trust scores as bare facts (wijk, time, score,
 * channel, an opaque resident id for counting repeat residents), never text.
 */
import type { DbOrTx } from "./client.ts";
import type { TrustScoreFact } from "./trustPulse.repo.ts";

/** A conversation as the evaluation counts it. */
export interface EvaluationConversationRow {
  wijkId: string | null;
  residentId: string | null;
  channel: string;
  createdAt: Date;
  emergency: string | null;
  /** The first hand-over to staff (status open) and the first staff reply. */
  handedOverAt: Date | null;
  firstResponseAt: Date | null;
}

/** The conversations of these wijken created in [from, until). */
export async function listEvaluationConversations(db: DbOrTx, wijkIds: readonly string[], from: Date, until: Date): Promise<EvaluationConversationRow[]> {
  const rows = await db.conversation.findMany({
    where: { wijkId: { in: [...wijkIds] }, createdAt: { gte: from, lt: until } },
    select: {
      wijkId: true,
      residentId: true,
      channel: true,
      createdAt: true,
      emergency: true,
      firstResponseAt: true,
      statusChanges: { where: { toStatus: "open" }, orderBy: { at: "asc" }, take: 1, select: { at: true } },
    },
  });
  return rows.map((row) => ({
    wijkId: row.wijkId,
    residentId: row.residentId,
    channel: row.channel,
    createdAt: row.createdAt,
    emergency: row.emergency,
    handedOverAt: row.statusChanges[0]?.at ?? null,
    firstResponseAt: row.firstResponseAt,
  }));
}

/** "Voelde je je gehoord?" scores given in [from, until) in these wijken. */
export async function listFeedbackScores(db: DbOrTx, wijkIds: readonly string[], from: Date, until: Date): Promise<TrustScoreFact[]> {
  const rows = await db.feedback.findMany({
    where: { score: { not: null }, scoredAt: { gte: from, lt: until }, conversation: { wijkId: { in: [...wijkIds] } } },
    select: { score: true, scoredAt: true, conversation: { select: { wijkId: true } } },
  });
  return rows.flatMap((row) => (row.score !== null && row.scoredAt ? [{ wijkId: row.conversation.wijkId, scoredAt: row.scoredAt, score: row.score }] : []));
}

/** Trust pulse scores given in [from, until) in these wijken (the resident's wijk when asked). */
export async function listTrustScoresOfWijken(db: DbOrTx, wijkIds: readonly string[], from: Date, until: Date): Promise<TrustScoreFact[]> {
  const rows = await db.trustPulse.findMany({ where: { status: "scored", wijkId: { in: [...wijkIds] }, scoredAt: { gte: from, lt: until } }, select: { wijkId: true, scoredAt: true, score: true } });
  return rows.flatMap((row) => (row.scoredAt && row.score !== null ? [{ wijkId: row.wijkId, scoredAt: row.scoredAt, score: row.score }] : []));
}

/** The wijken the evaluation may show a staff user: every active wijk for an admin or wethouder, the own tandems' for a gebiedsregisseur. */
export async function listEvaluationWijken(db: DbOrTx, staff: { gemeenteId: string; role: string; tandemIds: readonly string[] }): Promise<Array<{ id: string; slug: string; name: string }>> {
  return db.wijk.findMany({
    where: { gemeenteId: staff.gemeenteId, active: true, ...(staff.role === "gebiedsregisseur" ? { tandemId: { in: [...staff.tandemIds] } } : {}) },
    orderBy: { name: "asc" },
    select: { id: true, slug: true, name: true },
  });
}
