/**
 * The queries behind a weekly digest: everything buildWeeklyDigest needs for one wethouder's
 * wijken (or, for admins, every wijk of the gemeente), read in a handful of queries. The scope
 * (the wethouder, or the gemeente) is a required parameter, as in the repositories.
 */
import type { Settings } from "../conversation/flowSchema.ts";
import type { Db } from "../db/client.ts";
import type { DigestConversationInput, DigestWeekCountInput, DigestWijkInput, WeeklyDigestData } from "./buildWeeklyDigest.ts";
import { addIsoWeeks, isoWeekBounds, isoWeekOf, parseIsoWeek } from "./isoWeek.ts";

/** The intents whose residents' words are never quoted (see buildWeeklyDigest). */
const UNQUOTED_INTENTS = ["spoed", "crisis", "privacy", "groet"];
/** Statuses in which a conversation may still be waiting for the gemeente. */
const UNFINISHED = ["open", "waiting", "snoozed"];

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

/** A staff user who receives digests. */
export interface DigestRecipient {
  id: string;
  email: string;
  displayName: string;
  gemeenteId: string;
  createdAt: Date;
}

/** The active wethouders with at least one active wijk: who gets a digest. */
export async function findDigestRecipients(db: Db): Promise<DigestRecipient[]> {
  return db.staffUser.findMany({
    where: { role: "wethouder", active: true, tandems: { some: { role: "wethouder", tandem: { wijken: { some: { active: true } } } } } },
    orderBy: { email: "asc" },
    select: { id: true, email: true, displayName: true, gemeenteId: true, createdAt: true },
  });
}

/** A wethouder by e-mail address (case-insensitive as stored); null when there is none with that role. */
export async function findWethouderByEmail(db: Db, email: string): Promise<DigestRecipient | null> {
  return db.staffUser.findFirst({
    where: { email: email.trim().toLowerCase(), role: "wethouder" },
    select: { id: true, email: true, displayName: true, gemeenteId: true, createdAt: true },
  });
}

/** A staff user's e-mail address, role and gemeente (with its time zone); null when unknown. */
export async function findStaffContact(db: Db, staffUserId: string): Promise<{ email: string; displayName: string; role: string; gemeenteId: string; timeZone: string } | null> {
  const staff = await db.staffUser.findUnique({ where: { id: staffUserId }, select: { email: true, displayName: true, role: true, gemeenteId: true, gemeente: { select: { timeZone: true } } } });
  return staff ? { email: staff.email, displayName: staff.displayName, role: staff.role, gemeenteId: staff.gemeenteId, timeZone: staff.gemeente.timeZone } : null;
}

/** The active wethouders of a gemeente, for an admin to choose from. */
export async function listWethouders(db: Db, gemeenteId: string): Promise<Array<{ id: string; email: string; displayName: string }>> {
  return db.staffUser.findMany({ where: { gemeenteId, role: "wethouder", active: true }, orderBy: { displayName: "asc" }, select: { id: true, email: true, displayName: true } });
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
  const staff = await db.staffUser.findUnique({
    where: { id: wethouderId },
    select: { id: true, email: true, displayName: true, role: true, gemeente: { select: { id: true, name: true, timeZone: true } } },
  });
  if (!staff || staff.role !== "wethouder") throw new DigestNotFoundError(`There is no wethouder with id ${wethouderId}.`);
  const wijken = await db.wijk.findMany({
    where: { gemeenteId: staff.gemeente.id, active: true, tandem: { members: { some: { staffUserId: staff.id, role: "wethouder" } } } },
    orderBy: { name: "asc" },
    select: { id: true, slug: true, name: true },
  });
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
  const gemeente = await db.gemeente.findUnique({ where: { id: gemeenteId }, select: { id: true, name: true, timeZone: true } });
  if (!gemeente) throw new DigestNotFoundError(`There is no gemeente with id ${gemeenteId}.`);
  const wijken = await db.wijk.findMany({
    where: { gemeenteId, active: true },
    orderBy: { name: "asc" },
    select: {
      id: true,
      slug: true,
      name: true,
      tandem: { select: { members: { where: { role: "wethouder", staffUser: { active: true } }, select: { staffUser: { select: { displayName: true } } } } } },
    },
  });
  return loadScope(db, {
    gemeente,
    wijken: wijken.map((wijk) => ({
      id: wijk.id,
      slug: wijk.slug,
      name: wijk.name,
      wethouder: wijk.tandem?.members.map((member) => member.staffUser.displayName).sort()[0] ?? null,
    })),
    audience: { kind: "gemeente" },
    week,
    options,
  });
}

async function loadScope(
  db: Db,
  scope: { gemeente: { id: string; name: string; timeZone: string }; wijken: DigestWijkInput[]; audience: WeeklyDigestData["audience"]; week: string; options: LoadDigestOptions },
): Promise<WeeklyDigestData> {
  const { gemeente, wijken, week, options } = scope;
  const zone = gemeente.timeZone;
  const { start, end } = isoWeekBounds(week, zone);
  const trendStart = isoWeekBounds(addIsoWeeks(week, -5), zone).start;
  const comingUntil = isoWeekBounds(addIsoWeeks(week, 4), zone).end;
  const wijkIds = wijken.map((wijk) => wijk.id);

  const [rows, earlier, first, news, tafels] = await Promise.all([
    // Created this week, or touched in or after it (answered, resolved, reopened), or still unfinished.
    db.conversation.findMany({
      where: {
        wijkId: { in: wijkIds },
        createdAt: { lt: end },
        OR: [
          { createdAt: { gte: start } },
          { status: { in: UNFINISHED } },
          { firstResponseAt: { gte: start } },
          { statusChanges: { some: { at: { gte: start } } } },
        ],
      },
      select: {
        id: true,
        reference: true,
        wijkId: true,
        intent: true,
        theme: true,
        emergency: true,
        status: true,
        createdAt: true,
        firstResponseAt: true,
        statusChanges: { where: { at: { lt: end } }, select: { fromStatus: true, toStatus: true, at: true } },
      },
    }),
    db.conversation.findMany({ where: { wijkId: { in: wijkIds }, createdAt: { gte: trendStart, lt: start } }, select: { wijkId: true, intent: true, theme: true, createdAt: true } }),
    db.conversation.findFirst({ where: { gemeenteId: gemeente.id }, orderBy: { createdAt: "asc" }, select: { createdAt: true } }),
    db.newsItem.findMany({ where: { wijkId: { in: wijkIds }, publishedAt: { gte: start, lt: end } }, select: { wijkId: true, title: true, kind: true, publishedAt: true } }),
    db.dialoogtafel.findMany({
      where: { wijkId: { in: wijkIds }, startsAt: { gte: start, lt: comingUntil } },
      select: { wijkId: true, title: true, topic: true, location: true, startsAt: true, status: true, capacity: true, registrations: { select: { status: true } } },
    }),
  ]);

  // The resident's longest typed message (not a tapped button) of each quotable new conversation.
  const quotable = rows.filter((row) => row.createdAt >= start && row.emergency === null && !UNQUOTED_INTENTS.includes(row.intent ?? "onbekend")).map((row) => row.id);
  const messages =
    quotable.length === 0
      ? []
      : await db.message.findMany({
          where: { conversationId: { in: quotable }, direction: "in", authorKind: "resident", value: null, text: { not: null } },
          select: { conversationId: true, text: true },
        });
  const longest = new Map<string, string>();
  for (const message of messages) {
    const text = message.text ?? "";
    if (text.length > (longest.get(message.conversationId)?.length ?? 0)) longest.set(message.conversationId, text);
  }

  const conversations: DigestConversationInput[] = rows.map((row) => ({
    id: row.id,
    reference: row.reference,
    wijkId: row.wijkId,
    intent: row.intent,
    theme: row.theme,
    emergency: row.emergency,
    status: row.status,
    createdAt: row.createdAt,
    firstResponseAt: row.firstResponseAt,
    statusChanges: row.statusChanges.map((change) => ({ from: change.fromStatus, to: change.toStatus, at: change.at })),
    residentText: longest.get(row.id) ?? null,
  }));

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
    historyStartsAt: first?.createdAt ?? null,
    news: news.flatMap((item) => (item.publishedAt ? [{ wijkId: item.wijkId, title: item.title, kind: item.kind, publishedAt: item.publishedAt }] : [])),
    dialoogtafels: tafels.map((tafel) => ({
      wijkId: tafel.wijkId,
      title: tafel.title,
      topic: tafel.topic,
      location: tafel.location,
      startsAt: tafel.startsAt,
      status: tafel.status,
      capacity: tafel.capacity,
      registered: tafel.registrations.filter((r) => r.status === "registered").length,
      waitlist: tafel.registrations.filter((r) => r.status === "waitlist").length,
    })),
    generatedAt: options.now ?? new Date(),
  };
}
