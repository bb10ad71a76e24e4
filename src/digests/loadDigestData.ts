/**
 * Loads everything buildWeeklyDigest needs for one wethouder's wijken (or, for admins, every wijk
 * of the gemeente), through the digest repository (src/db/digest.repo.ts), in a handful of queries,
 * and shapes it: the quote candidates, the earlier weeks' counts. The scope (the wethouder, or the
 * gemeente) is a required parameter, as in the repositories.
 */
import { listFeedbackScores, listTrustScoresOfWijken } from "../db/evaluation.repo.ts";
import type { Settings } from "../conversation/flowSchema.ts";
import type { Db } from "../db/client.ts";
import {
  findDigestGemeente,
  findDigestWethouder,
  findFirstConversationAt,
  listConversationsCreatedIn,
  listDialoogtafelsWithSignUps,
  listDigestConversations,
  listGemeenteWijken,
  listPublishedNews,
  listTypedResidentMessages,
  listWethouderWijken,
  type DigestGemeente,
} from "../db/digest.repo.ts";
import { TRUST_WEEKS, type DigestConversationInput, type DigestWeekCountInput, type DigestWijkInput, type WeeklyDigestData } from "./buildWeeklyDigest.ts";
import { addIsoWeeks, isoWeekBounds, isoWeekOf, parseIsoWeek } from "./isoWeek.ts";

/** The intents whose residents' words are never quoted (see buildWeeklyDigest). */
const UNQUOTED_INTENTS = ["spoed", "crisis", "privacy", "groet"];

/** Raised when the wethouder (or gemeente) of a digest does not exist. */
export class DigestNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DigestNotFoundError";
  }
}

/** What loading needs besides the scope. */
export interface LoadDigestOptions {
  /** flows/settings.yaml (office hours, holidays, response target). */
  settings: Settings;
  /** The moment of building; defaults to the real time. */
  now?: Date;
}

function requireWeek(week: string): void {
  if (!parseIsoWeek(week)) throw new RangeError(`"${week}" is not an ISO week: use the form 2026-W48`);
}

/**
 * The data of one wethouder's digest: the active wijken of the tandems in which they are the
 * wethouder. Throws DigestNotFoundError when `wethouderId` is not a wethouder.
 */
export async function loadDigestData(db: Db, wethouderId: string, week: string, options: LoadDigestOptions): Promise<WeeklyDigestData> {
  requireWeek(week);
  const staff = await findDigestWethouder(db, wethouderId);
  if (!staff) throw new DigestNotFoundError(`There is no wethouder with id ${wethouderId}.`);
  const wijken = await listWethouderWijken(db, staff.gemeente.id, staff.id);
  return loadScope(db, {
    gemeente: staff.gemeente,
    wijken: wijken.map((wijk) => ({ ...wijk, wethouder: staff.displayName })),
    audience: { kind: "wethouder", name: staff.displayName, email: staff.email },
    week,
    options,
  });
}

/**
 * The data of the gemeente overview (for admins): every active wijk, also those whose tandem has
 * no wethouder, which no wethouder's digest shows.
 */
export async function loadGemeenteDigestData(db: Db, gemeenteId: string, week: string, options: LoadDigestOptions): Promise<WeeklyDigestData> {
  requireWeek(week);
  const gemeente = await findDigestGemeente(db, gemeenteId);
  if (!gemeente) throw new DigestNotFoundError(`There is no gemeente with id ${gemeenteId}.`);
  const wijken = await listGemeenteWijken(db, gemeenteId);
  return loadScope(db, {
    gemeente,
    wijken: wijken.map((wijk) => ({ id: wijk.id, slug: wijk.slug, name: wijk.name, wethouder: [...wijk.wethouders].sort()[0] ?? null })),
    audience: { kind: "gemeente" },
    week,
    options,
  });
}

async function loadScope(
  db: Db,
  scope: { gemeente: DigestGemeente; wijken: DigestWijkInput[]; audience: WeeklyDigestData["audience"]; week: string; options: LoadDigestOptions },
): Promise<WeeklyDigestData> {
  const { gemeente, wijken, week, options } = scope;
  const zone = gemeente.timeZone;
  const { start, end } = isoWeekBounds(week, zone);
  const trendStart = isoWeekBounds(addIsoWeeks(week, -5), zone).start;
  const comingUntil = isoWeekBounds(addIsoWeeks(week, 4), zone).end;
  const wijkIds = wijken.map((wijk) => wijk.id);

  const trustFrom = new Date(end.getTime() - TRUST_WEEKS * 7 * 24 * 3_600_000);
  const [rows, earlier, historyStartsAt, news, dialoogtafels, feedbackScores, trustScores] = await Promise.all([
    listDigestConversations(db, wijkIds, { start, end }),
    listConversationsCreatedIn(db, wijkIds, { start: trendStart, end: start }),
    findFirstConversationAt(db, gemeente.id),
    listPublishedNews(db, wijkIds, { start, end }),
    listDialoogtafelsWithSignUps(db, wijkIds, { start, end: comingUntil }),
    listFeedbackScores(db, wijkIds, start, end),
    listTrustScoresOfWijken(db, wijkIds, trustFrom, end),
  ]);

  // The resident's longest typed message (not a tapped button) of each quotable new conversation.
  const quotable = rows.filter((row) => row.createdAt >= start && row.emergency === null && !UNQUOTED_INTENTS.includes(row.intent ?? "onbekend")).map((row) => row.id);
  const messages = await listTypedResidentMessages(db, quotable);
  const longest = new Map<string, string>();
  for (const message of messages) {
    if (message.text.length > (longest.get(message.conversationId)?.length ?? 0)) longest.set(message.conversationId, message.text);
  }
  const conversations: DigestConversationInput[] = rows.map((row) => ({ ...row, residentText: longest.get(row.id) ?? null }));

  const counts = new Map<string, DigestWeekCountInput>();
  for (const row of earlier) {
    if (!row.wijkId) continue;
    const rowWeek = isoWeekOf(row.createdAt, zone);
    const key = JSON.stringify([rowWeek, row.wijkId, row.intent, row.theme]);
    const existing = counts.get(key);
    if (existing) existing.count++;
    else counts.set(key, { week: rowWeek, wijkId: row.wijkId, intent: row.intent, theme: row.theme, count: 1 });
  }

  return {
    audience: scope.audience,
    gemeente: { name: gemeente.name, timeZone: zone },
    settings: options.settings,
    wijken,
    conversations,
    previousWeeks: [...counts.values()],
    historyStartsAt,
    news,
    dialoogtafels,
    generatedAt: options.now ?? new Date(),
    scores: {
      feedback: feedbackScores.map((fact) => ({ at: fact.scoredAt, score: fact.score })),
      trust: trustScores.map((fact) => ({ at: fact.scoredAt, score: fact.score })),
    },
  };
}
