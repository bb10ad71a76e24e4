/**
 * Claims of daily jobs (JobRun): one row per job and day. The instance that inserts the row does
 * the day's work; the others see it and do nothing. A claim still running after `leaseMs` (its
 * instance died) is taken over by a conditional update that only one instance can win. Works the
 * same on SQLite and PostgreSQL: the primary key decides.
 */
import type { Db } from "./client.ts";

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "P2002";
}

/** Claims `job` for `period` for this instance; true when this instance is to do the work. */
export async function claimJobRun(db: Db, input: { job: string; period: string; instance: string; now: Date; leaseMs: number }): Promise<boolean> {
  const { job, period, instance, now } = input;
  try {
    await db.jobRun.create({ data: { job, period, status: "running", claimedBy: instance, claimedAt: now } });
    return true;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  const stale = new Date(now.getTime() - input.leaseMs);
  const taken = await db.jobRun.updateMany({ where: { job, period, status: "running", claimedAt: { lt: stale } }, data: { claimedBy: instance, claimedAt: now } });
  return taken.count === 1;
}

/** Marks this instance's claim done. */
export async function finishJobRun(db: Db, input: { job: string; period: string; instance: string; now: Date }): Promise<void> {
  await db.jobRun.updateMany({ where: { job: input.job, period: input.period, claimedBy: input.instance }, data: { status: "done", finishedAt: input.now } });
}
