/**
 * The weekly digest's queries: who gets one, the data of a week (loadDigestData.ts shapes it for
 * buildWeeklyDigest), and the DigestRun records that make sending exactly-once. The scope (a
 * wethouder's wijken, or a gemeente) is a required parameter.
 *
 * Exactly-once: one DigestRun row per wethouder and week (unique), claimed by inserting it first.
 * Whoever inserts the row sends; everyone else sees the row and does nothing. A failed run is
 * claimed again by a conditional update (status failed → building), which only one instance can
 * win. A run stuck in building/built for longer than STALE_CLAIM_MS (its instance died mid-send)
 * may be taken over; that is the one case where a mail could go out twice, because no mail server
 * can be asked whether a message was delivered. The claim's time is kept in `createdAt` (set again
 * on every new claim), and every later update names it, so a slow instance whose claim was taken
 * over cannot overwrite the new owner's row.
 */
import { z } from "zod";
import type { DigestConversationInput, DigestDialoogtafelInput, DigestNewsInput } from "../digests/buildWeeklyDigest.ts";
import { WeeklyDigestSchema, type WeeklyDigest } from "../digests/weeklyDigest.ts";
import { redactText } from "../privacy/redact.ts";
import type { Db, Tx } from "./client.ts";
import { StaffRoleSchema, type StaffRole } from "./staff.repo.ts";
import { STAFF_STATUSES } from "../domain/vocabulary.ts";
import { readInSlices } from "./inSlices.ts";

/** Statuses in which a conversation may still be waiting for the gemeente. */
const UNFINISHED = [...STAFF_STATUSES];

/** A period of time: from `start` (inclusive) to `end` (exclusive). */
export interface Period {
  start: Date;
  end: Date;
}

/** A staff user who receives digests. */
export interface DigestRecipient {
  id: string;
  email: string;
  displayName: string;
  gemeenteId: string;
  createdAt: Date;
}

/** A gemeente as the digest names it. */
export interface DigestGemeente {
  id: string;
  name: string;
  timeZone: string;
}

const recipientSelect = { id: true, email: true, displayName: true, gemeenteId: true, createdAt: true } as const;

/** The active wethouders with at least one active wijk: who gets a digest. */
export async function findDigestRecipients(db: Db): Promise<DigestRecipient[]> {
  return db.staffUser.findMany({
    where: { role: "wethouder", active: true, tandems: { some: { role: "wethouder", tandem: { wijken: { some: { active: true } } } } } },
    orderBy: { email: "asc" },
    select: recipientSelect,
  });
}

/** A wethouder by e-mail address (case-insensitive as stored); null when there is none with that role. */
export async function findWethouderByEmail(db: Db, email: string): Promise<DigestRecipient | null> {
  return db.staffUser.findFirst({ where: { email: email.trim().toLowerCase(), role: "wethouder" }, select: recipientSelect });
}

/** A staff user's e-mail address, role and gemeente (with its time zone); null when unknown. */
export async function findStaffContact(db: Db, staffUserId: string): Promise<{ email: string; displayName: string; role: StaffRole; gemeenteId: string; timeZone: string } | null> {
  const staff = await db.staffUser.findUnique({
    where: { id: staffUserId },
    select: { email: true, displayName: true, role: true, gemeenteId: true, gemeente: { select: { timeZone: true } } },
  });
  if (!staff) return null;
  return { email: staff.email, displayName: staff.displayName, role: StaffRoleSchema.parse(staff.role), gemeenteId: staff.gemeenteId, timeZone: staff.gemeente.timeZone };
}

/** The active wethouders of a gemeente, for an admin to choose from. */
export async function listWethouders(db: Db, gemeenteId: string): Promise<Array<{ id: string; email: string; displayName: string }>> {
  return db.staffUser.findMany({ where: { gemeenteId, role: "wethouder", active: true }, orderBy: { displayName: "asc" }, select: { id: true, email: true, displayName: true } });
}

/** A wethouder with their gemeente; null when there is no staff user with that id or they are not a wethouder. */
export async function findDigestWethouder(db: Db, wethouderId: string): Promise<{ id: string; email: string; displayName: string; gemeente: DigestGemeente } | null> {
  const staff = await db.staffUser.findUnique({
    where: { id: wethouderId },
    select: { id: true, email: true, displayName: true, role: true, gemeente: { select: { id: true, name: true, timeZone: true } } },
  });
  if (staff?.role !== "wethouder") return null;
  return { id: staff.id, email: staff.email, displayName: staff.displayName, gemeente: staff.gemeente };
}

/** The active wijken of the tandems in which the staff user is the wethouder, by name. */
export async function listWethouderWijken(db: Db, gemeenteId: string, wethouderId: string): Promise<Array<{ id: string; slug: string; name: string }>> {
  return db.wijk.findMany({
    where: { gemeenteId, active: true, tandem: { members: { some: { staffUserId: wethouderId, role: "wethouder" } } } },
    orderBy: { name: "asc" },
    select: { id: true, slug: true, name: true },
  });
}

/** A gemeente by id; null when unknown. */
export async function findDigestGemeente(db: Db, gemeenteId: string): Promise<DigestGemeente | null> {
  return db.gemeente.findUnique({ where: { id: gemeenteId }, select: { id: true, name: true, timeZone: true } });
}

/** Every active wijk of a gemeente, by name, with the display names of its tandem's active wethouders (none: no tandem or no wethouder). */
export async function listGemeenteWijken(db: Db, gemeenteId: string): Promise<Array<{ id: string; slug: string; name: string; wethouders: string[] }>> {
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
  return wijken.map((wijk) => ({ id: wijk.id, slug: wijk.slug, name: wijk.name, wethouders: wijk.tandem?.members.map((member) => member.staffUser.displayName) ?? [] }));
}

/**
 * The conversations of the wijken that matter to a week, created before its end: created in it,
 * touched in or after it (answered, resolved, reopened), or still unfinished; with their status
 * history up to the week's end. `residentText` is left for the caller.
 */
export async function listDigestConversations(db: Db, wijkIds: string[], week: Period): Promise<Array<Omit<DigestConversationInput, "residentText">>> {
  const { start, end } = week;
  const rows = await db.conversation.findMany({
    where: {
      wijkId: { in: wijkIds },
      createdAt: { lt: end },
      OR: [{ createdAt: { gte: start } }, { status: { in: UNFINISHED } }, { firstResponseAt: { gte: start } }, { statusChanges: { some: { at: { gte: start } } } }],
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
  });
  return rows.map(({ statusChanges, ...row }) => ({ ...row, statusChanges: statusChanges.map((change) => ({ from: change.fromStatus, to: change.toStatus, at: change.at })) }));
}

/** The conversations of the wijken created in a period: when, and with which intent and theme. */
export async function listConversationsCreatedIn(db: Db, wijkIds: string[], period: Period): Promise<Array<{ wijkId: string | null; intent: string | null; theme: string | null; createdAt: Date }>> {
  return db.conversation.findMany({
    where: { wijkId: { in: wijkIds }, createdAt: { gte: period.start, lt: period.end } },
    select: { wijkId: true, intent: true, theme: true, createdAt: true },
  });
}

/** When the gemeente's first conversation ever began; null when there is none. */
export async function findFirstConversationAt(db: Db, gemeenteId: string): Promise<Date | null> {
  const first = await db.conversation.findFirst({ where: { gemeenteId }, orderBy: { createdAt: "asc" }, select: { createdAt: true } });
  return first?.createdAt ?? null;
}

/** The news items of the wijken published in a period. */
export async function listPublishedNews(db: Db, wijkIds: string[], period: Period): Promise<DigestNewsInput[]> {
  const items = await db.newsItem.findMany({
    where: { wijkId: { in: wijkIds }, publishedAt: { gte: period.start, lt: period.end } },
    select: { wijkId: true, title: true, kind: true, publishedAt: true },
  });
  return items.flatMap((item) => (item.publishedAt ? [{ wijkId: item.wijkId, title: item.title, kind: item.kind, publishedAt: item.publishedAt }] : []));
}

/** The dialoogtafels of the wijken starting in a period, with how many are registered and on the waitlist. */
export async function listDialoogtafelsWithSignUps(db: Db, wijkIds: string[], period: Period): Promise<DigestDialoogtafelInput[]> {
  const tafels = await db.dialoogtafel.findMany({
    where: { wijkId: { in: wijkIds }, startsAt: { gte: period.start, lt: period.end } },
    select: { wijkId: true, title: true, topic: true, location: true, startsAt: true, status: true, capacity: true, registrations: { select: { status: true } } },
  });
  return tafels.map(({ registrations, ...tafel }) => ({
    ...tafel,
    registered: registrations.filter((r) => r.status === "registered").length,
    waitlist: registrations.filter((r) => r.status === "waitlist").length,
  }));
}

/** The messages residents typed themselves (not a tapped button) in the conversations. */
export async function listTypedResidentMessages(db: Db, conversationIds: string[]): Promise<Array<{ conversationId: string; text: string }>> {
  const messages = await readInSlices(conversationIds, (slice) =>
    db.message.findMany({
      where: { conversationId: { in: slice }, direction: "in", authorKind: "resident", value: null, text: { not: null } },
      select: { conversationId: true, text: true },
    }),
  );
  return messages.flatMap((message) => (message.text !== null ? [{ conversationId: message.conversationId, text: message.text }] : []));
}

/** How long a claim holds before another instance may take it over. */
export const STALE_CLAIM_MS = 30 * 60_000;

/** The statuses of a run, in order. */
export const DigestRunStatusSchema = z.enum(["building", "built", "sent", "failed"]);
export type DigestRunStatus = z.infer<typeof DigestRunStatusSchema>;

/** A claimed run: its id and the claim's time, which every later update must name. */
export interface DigestClaim {
  id: string;
  claimedAt: Date;
}

/** The outcome of trying to claim a run. */
export type ClaimOutcome = { kind: "claimed"; claim: DigestClaim; retry: boolean } | { kind: "already-sent"; sentAt: Date | null } | { kind: "in-progress" };

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "P2002";
}

/** Claims the run of a wethouder and week: insert first; retry a failed one; take over a stale one. */
export async function claimDigestRun(db: Db, wethouderId: string, week: string, now: Date): Promise<ClaimOutcome> {
  // Milliseconds only: both databases keep them, so the claim time compares equal when read back.
  const claimedAt = new Date(Math.floor(now.getTime()));
  try {
    const row = await db.digestRun.create({ data: { wethouderId, week, status: "building", createdAt: claimedAt }, select: { id: true } });
    return { kind: "claimed", claim: { id: row.id, claimedAt }, retry: false };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  const existing = await db.digestRun.findUnique({ where: { wethouderId_week: { wethouderId, week } }, select: { id: true, status: true, createdAt: true, sentAt: true } });
  if (!existing) return { kind: "in-progress" }; // deleted in between: the next run will see
  if (existing.status === "sent") return { kind: "already-sent", sentAt: existing.sentAt };
  const stale = existing.createdAt.getTime() <= now.getTime() - STALE_CLAIM_MS;
  if (existing.status === "failed" || stale) {
    const taken = await db.digestRun.updateMany({
      where: { id: existing.id, status: existing.status, createdAt: existing.createdAt },
      data: { status: "building", createdAt: claimedAt },
    });
    if (taken.count === 1) return { kind: "claimed", claim: { id: existing.id, claimedAt }, retry: true };
  }
  return { kind: "in-progress" };
}

/** Stores the built digest on the claimed run. False when the claim was taken over. */
export async function markDigestBuilt(db: Db, claim: DigestClaim, digest: WeeklyDigest): Promise<boolean> {
  const updated = await db.digestRun.updateMany({ where: { id: claim.id, createdAt: claim.claimedAt }, data: { status: "built", content: JSON.stringify(digest) } });
  return updated.count === 1;
}

/** Marks the claimed run sent; `note` records a problem that did not stop the e-mail (Telegram). */
export async function markDigestSent(db: Db, claim: DigestClaim, sentAt: Date, note: string | null = null): Promise<void> {
  await db.digestRun.updateMany({ where: { id: claim.id, createdAt: claim.claimedAt }, data: { status: "sent", sentAt, lastError: note } });
}

/** Marks the claimed run failed, so that the next scheduled run retries it; the error is stored redacted. */
export async function markDigestFailed(db: Db, claim: DigestClaim, error: unknown): Promise<void> {
  const message = redactText(error instanceof Error ? error.message : String(error)).slice(0, 1000);
  await db.digestRun.updateMany({ where: { id: claim.id, createdAt: claim.claimedAt }, data: { status: "failed", lastError: message } });
}

/** A run as the archive shows it. */
export interface DigestRunSummary {
  week: string;
  status: DigestRunStatus;
  sentAt: Date | null;
  lastError: string | null;
}

/** The runs of a wethouder, newest week first. */
export async function listDigestRuns(db: Db, wethouderId: string, limit = 60): Promise<DigestRunSummary[]> {
  const runs = await db.digestRun.findMany({ where: { wethouderId }, orderBy: { week: "desc" }, take: limit, select: { week: true, status: true, sentAt: true, lastError: true } });
  return runs.map((run) => ({ ...run, status: DigestRunStatusSchema.parse(run.status) }));
}

/** The runs of all wethouders for some weeks: what the schedule still has to do. */
export async function findDigestRuns(db: Db, weeks: string[]): Promise<Array<{ wethouderId: string; week: string; status: DigestRunStatus }>> {
  if (weeks.length === 0) return [];
  const runs = await db.digestRun.findMany({ where: { week: { in: weeks } }, select: { wethouderId: true, week: true, status: true } });
  return runs.map((run) => ({ ...run, status: DigestRunStatusSchema.parse(run.status) }));
}

/** The digest as it was sent (or built) for a wethouder and week; null when there is none or it no longer parses. */
export async function findStoredDigest(db: Db, wethouderId: string, week: string): Promise<{ digest: WeeklyDigest; status: "sent" | "built"; sentAt: Date | null } | null> {
  const run = await db.digestRun.findUnique({ where: { wethouderId_week: { wethouderId, week } }, select: { content: true, status: true, sentAt: true } });
  const status = run?.status === "sent" || run?.status === "built" ? run.status : null;
  if (!run?.content || !status) return null;
  let json: unknown;
  try {
    json = JSON.parse(run.content);
  } catch {
    return null;
  }
  const parsed = WeeklyDigestSchema.safeParse(json);
  return parsed.success ? { digest: parsed.data, status, sentAt: run.sentAt } : null;
}

/** The part of a stored digest erasure reads: its quotes (everything else is kept as it is). */
const StoredQuotesSchema = z.looseObject({ quotes: z.array(z.looseObject({ text: z.string() })) });

/**
 * Takes the given quotes out of every stored digest (an erased resident's words, as quoteForDigest
 * made them); returns how many digests changed. The digests already mailed cannot be recalled.
 */
export async function removeQuotesFromDigests(db: Db | Tx, quotes: string[]): Promise<number> {
  if (quotes.length === 0) return 0;
  const erased = new Set(quotes);
  const runs = await db.digestRun.findMany({ where: { content: { not: null } }, select: { id: true, content: true } });
  let changed = 0;
  for (const run of runs) {
    let json: unknown;
    try {
      json = JSON.parse(run.content ?? "");
    } catch {
      continue;
    }
    const parsed = StoredQuotesSchema.safeParse(json);
    if (!parsed.success || !parsed.data.quotes.some((quote) => erased.has(quote.text))) continue;
    const content = JSON.stringify({ ...parsed.data, quotes: parsed.data.quotes.filter((quote) => !erased.has(quote.text)) });
    await db.digestRun.update({ where: { id: run.id }, data: { content } });
    changed++;
  }
  return changed;
}
