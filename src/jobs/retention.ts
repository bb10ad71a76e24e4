/**
 * Retention: once a day Wijklijn removes what it no longer needs (RETENTION_* in src/config/env.ts).
 * The messages of long-resolved conversations lose their content (text, photos with their files,
 * places, flow answers), residents not seen for long are erased like an erasure request (their
 * conversations stay as anonymous counts), old sign-in attempts and audit rows are deleted, and
 * erasures begun in the chat are completed. Several instances run it once a day: the day is
 * claimed in the database (JobRun). What was removed is recorded as counts only (an audit row
 * `retention.applied`, Signalen's deletion log), and logged without content.
 */
import { randomUUID } from "node:crypto";
import { deleteWebchatPhotos } from "../channels/webchat/webchatPhotos.ts";
import type { RetentionPeriods } from "../config/env.ts";
import { recordAudit } from "../db/audit.repo.ts";
import type { Db } from "../db/client.ts";
import { claimJobRun, finishJobRun } from "../db/jobRun.repo.ts";
import { checkpointAfterErasure } from "../db/ops.repo.ts";
import { countExpired, deleteAuditEventsBefore, deleteLoginAttemptsBefore, emptyExpiredMessages, listInactiveResidents, type RetentionCounts, type RetentionCutoffs } from "../db/retention.repo.ts";
import { inTransaction } from "../db/transaction.ts";
import { localDate } from "../domain/time.ts";
import type { Logger } from "../log.ts";
import { completeErasures, eraseResidentData } from "../privacy/residentData.ts";

/** What a retention run removed (or, with dryRun, would remove). Counts only. */
export interface RetentionReport extends RetentionCounts {
  photosDeleted: number;
  erasuresCompleted: number;
}

/** The job's name in JobRun. */
const JOB = "retention";
/** A claim older than this is taken over: its instance died mid-run. */
const LEASE_MS = 60 * 60_000;
/** Inactive residents are erased in batches of this many, each in its own transaction. */
const BATCH = 100;

function monthsBefore(now: Date, months: number): Date {
  const date = new Date(now);
  date.setUTCMonth(date.getUTCMonth() - months);
  return date;
}

/** The dates before which each kind of data expires, from the periods. */
export function retentionCutoffs(periods: RetentionPeriods, now: Date): RetentionCutoffs {
  return {
    messagesResolvedBefore: monthsBefore(now, periods.messageMonths),
    residentsSeenBefore: monthsBefore(now, periods.identityMonths),
    loginAttemptsBefore: new Date(now.getTime() - periods.loginAttemptDays * 86_400_000),
    auditEventsBefore: monthsBefore(now, periods.auditYears * 12),
  };
}

/**
 * Applies retention once, now (the CLI's `retention`, and the daily job). With `dryRun` it only
 * counts. The summary audit row is written after old audit rows are deleted, so it is never its own victim.
 */
export async function applyRetention(db: Db, options: { periods: RetentionPeriods; now: Date; mediaDir?: string | undefined; dryRun?: boolean }): Promise<RetentionReport> {
  const { now } = options;
  const cutoffs = retentionCutoffs(options.periods, now);
  if (options.dryRun) return { ...(await countExpired(db, cutoffs)), photosDeleted: 0, erasuresCompleted: 0 };
  const messages = await emptyExpiredMessages(db, cutoffs.messagesResolvedBefore);
  let photosDeleted = options.mediaDir ? await deleteWebchatPhotos(options.mediaDir, messages.mediaRefs) : 0;
  let residentsRemoved = 0;
  for (;;) {
    const residents = await listInactiveResidents(db, cutoffs.residentsSeenBefore, BATCH);
    for (const residentId of residents) {
      photosDeleted += await inTransaction(db, (tx) => eraseResidentData(tx, residentId, null, now, { mediaDir: options.mediaDir, audit: false }), { timeoutMs: 60_000 });
      residentsRemoved++;
    }
    if (residents.length < BATCH) break;
  }
  const erasuresCompleted = await completeErasures(db, { now, mediaDir: options.mediaDir });
  const loginAttemptsDeleted = await deleteLoginAttemptsBefore(db, cutoffs.loginAttemptsBefore);
  const auditEventsDeleted = await deleteAuditEventsBefore(db, cutoffs.auditEventsBefore);
  const report = { messagesEmptied: messages.count, residentsRemoved, loginAttemptsDeleted, auditEventsDeleted, photosDeleted, erasuresCompleted };
  await recordAudit(db, { actorKind: "system", action: "retention.applied", subjectType: "Retention", data: { ...report, periods: options.periods }, at: now });
  await checkpointAfterErasure(db);
  return report;
}

/** What the daily job needs. */
export interface RetentionScheduleDeps {
  db: Db;
  logger: Logger;
  periods: RetentionPeriods;
  /** The gemeente's time zone: the day that is claimed is its calendar day. */
  timeZone: string;
  mediaDir?: string;
  now?: () => Date;
  /** This instance's name in the claim (a random one by default). */
  instance?: string;
}

/**
 * Runs today's retention unless another instance already has (or is running) it; returns the
 * report, or null when this instance did nothing.
 */
export async function runDailyRetention(deps: RetentionScheduleDeps): Promise<RetentionReport | null> {
  const now = deps.now?.() ?? new Date();
  const [year, month, day] = localDate(now, deps.timeZone);
  const period = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  const instance = deps.instance ?? randomUUID();
  if (!(await claimJobRun(deps.db, { job: JOB, period, instance, now, leaseMs: LEASE_MS }))) return null;
  const report = await applyRetention(deps.db, { periods: deps.periods, now, mediaDir: deps.mediaDir });
  await finishJobRun(deps.db, { job: JOB, period, instance, now: deps.now?.() ?? new Date() });
  deps.logger.info({ retention: report }, "Retention applied: what was removed, as counts");
  return report;
}

/**
 * Starts the daily job: tried at start and every hour (the first try of a day does the work), and
 * chat erasures completed every minute, so a phone number does not wait a day to go.
 */
export function startRetentionSchedule(deps: RetentionScheduleDeps): { stop(): void } {
  const instance = deps.instance ?? randomUUID();
  const daily = () => {
    runDailyRetention({ ...deps, instance }).catch((error: unknown) => deps.logger.error({ err: error }, "retention failed; it is tried again within the hour"));
  };
  const erasures = () => {
    completeErasures(deps.db, { now: deps.now?.() ?? new Date(), mediaDir: deps.mediaDir }).catch((error: unknown) =>
      deps.logger.error({ err: error }, "completing erasures failed; tried again in a minute"),
    );
  };
  const first = setTimeout(daily, 30_000);
  const hourly = setInterval(daily, 60 * 60_000);
  const minutely = setInterval(erasures, 60_000);
  for (const timer of [first, hourly, minutely]) timer.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(hourly);
      clearInterval(minutely);
    },
  };
}
