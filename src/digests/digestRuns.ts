/**
 * The DigestRun records that make sending exactly-once: one row per wethouder and week (unique),
 * claimed by inserting it first. Whoever inserts the row sends; everyone else sees the row and
 * does nothing. A failed run is claimed again by a conditional update (status failed → building),
 * which only one instance can win. A run stuck in building/built for longer than STALE_CLAIM_MS
 * (its instance died mid-send) may be taken over; that is the one case where a mail could go
 * out twice, because no mail server can be asked whether a message was delivered.
 *
 * The claim's time is kept in `createdAt` (set again on every new claim), and every later update
 * names it, so a slow instance whose claim was taken over cannot overwrite the new owner's row.
 */
import type { Db } from "../db/client.ts";
import { redactText } from "../privacy/redact.ts";
import { WeeklyDigestSchema, type WeeklyDigest } from "./weeklyDigest.ts";

/** How long a claim holds before another instance may take it over. */
export const STALE_CLAIM_MS = 30 * 60_000;

/** The statuses of a run, in order. */
export type DigestRunStatus = "building" | "built" | "sent" | "failed";

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

/** Stores the built digest (JSON) on the claimed run. False when the claim was taken over. */
export async function markDigestBuilt(db: Db, claim: DigestClaim, content: string): Promise<boolean> {
  const updated = await db.digestRun.updateMany({ where: { id: claim.id, createdAt: claim.claimedAt }, data: { status: "built", content } });
  return updated.count === 1;
}

/** Marks the claimed run sent; `note` records a problem that did not stop the e-mail (Telegram). */
export async function markDigestSent(db: Db, claim: DigestClaim, sentAt: Date, note: string | null = null): Promise<void> {
  await db.digestRun.updateMany({ where: { id: claim.id, createdAt: claim.claimedAt }, data: { status: "sent", sentAt, lastError: note } });
}

/** Marks the claimed run failed, so that the next scheduled run retries it. */
export async function markDigestFailed(db: Db, claim: DigestClaim, error: unknown): Promise<void> {
  const message = redactText(error instanceof Error ? error.message : String(error)).slice(0, 1000);
  await db.digestRun.updateMany({ where: { id: claim.id, createdAt: claim.claimedAt }, data: { status: "failed", lastError: message } });
}

/** A run as the archive shows it. */
export interface DigestRunSummary {
  week: string;
  status: string;
  sentAt: Date | null;
  lastError: string | null;
}

/** The runs of a wethouder, newest week first. */
export async function listDigestRuns(db: Db, wethouderId: string, limit = 60): Promise<DigestRunSummary[]> {
  return db.digestRun.findMany({ where: { wethouderId }, orderBy: { week: "desc" }, take: limit, select: { week: true, status: true, sentAt: true, lastError: true } });
}

/** The runs of some wethouders for some weeks: what the schedule still has to do. */
export async function findDigestRuns(db: Db, weeks: string[]): Promise<Array<{ wethouderId: string; week: string; status: string }>> {
  if (weeks.length === 0) return [];
  return db.digestRun.findMany({ where: { week: { in: weeks } }, select: { wethouderId: true, week: true, status: true } });
}

/** The digest as it was sent (or built) for a wethouder and week; null when there is none or it no longer parses. */
export async function findStoredDigest(db: Db, wethouderId: string, week: string): Promise<{ digest: WeeklyDigest; status: string; sentAt: Date | null } | null> {
  const run = await db.digestRun.findUnique({ where: { wethouderId_week: { wethouderId, week } }, select: { content: true, status: true, sentAt: true } });
  if (!run?.content || (run.status !== "sent" && run.status !== "built")) return null;
  let json: unknown;
  try {
    json = JSON.parse(run.content);
  } catch {
    return null;
  }
  const parsed = WeeklyDigestSchema.safeParse(json);
  return parsed.success ? { digest: parsed.data, status: run.status, sentAt: run.sentAt } : null;
}
