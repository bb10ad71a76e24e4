/**
 * The weekly schedule: every Monday at 08:00 Europe/Amsterdam (configurable), the digest of the
 * previous ISO week goes to every active wethouder with wijken. Missed runs are caught up after
 * downtime (at most the last four weeks); several instances may run the schedule at once,
 * because sendDigest claims each DigestRun before sending.
 *
 * A week's digest counts as missed only when it fell due after the wethouder's account was
 * made: a fresh install, or a new wethouder, does not get a month of old digests at once.
 */
import { z } from "zod";
import type { Settings } from "../conversation/flowSchema.ts";
import type { Db } from "../db/client.ts";
import { findDigestRecipients, findDigestRuns } from "../db/digest.repo.ts";
import type { Logger } from "../log.ts";
import { addIsoWeeks, isoWeekMoment, isoWeekOf } from "./isoWeek.ts";
import { sendDigest, type DigestMailer, type SendDigestResult, type TelegramSend } from "./sendDigest.ts";

/** When digests go out: ISO weekday (1 = Monday … 7 = Sunday), local time "HH:MM", time zone. */
export const DigestScheduleSettingsSchema = z.object({
  weekday: z.coerce.number().int().min(1, "use 1 (Monday) to 7 (Sunday)").max(7, "use 1 (Monday) to 7 (Sunday)").default(1),
  time: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "use HH:MM, e.g. 08:00")
    .default("08:00"),
  timeZone: z.string().default("Europe/Amsterdam"),
});
export type DigestScheduleSettings = z.infer<typeof DigestScheduleSettingsSchema>;

/** Monday 08:00 Europe/Amsterdam. */
export const defaultDigestSchedule: DigestScheduleSettings = { weekday: 1, time: "08:00", timeZone: "Europe/Amsterdam" };

/** At most this many past weeks are caught up after downtime. */
export const CATCH_UP_WEEKS = 4;
/** How often the schedule looks again (after sleep, clock changes, failed sends). */
export const RECHECK_MS = 15 * 60_000;
/** Fire a moment after the due time, so that a timer that runs a little early still finds it due. */
const TIMER_SLACK_MS = 1_000;
/** Never arm a timer further ahead than this (setTimeout's limit is about 24.8 days). */
const MAX_TIMER_MS = 24 * 3_600_000;

/** The moment the digest of `week` is due: the configured weekday and time of the week after it. */
export function digestDueAt(week: string, schedule: DigestScheduleSettings): Date {
  return isoWeekMoment(addIsoWeeks(week, 1), schedule.weekday, schedule.time, schedule.timeZone);
}

/** The newest week whose digest is due at `now`. */
export function latestDueWeek(now: Date, schedule: DigestScheduleSettings): string {
  const previous = addIsoWeeks(isoWeekOf(now, schedule.timeZone), -1);
  return digestDueAt(previous, schedule) <= now ? previous : addIsoWeeks(previous, -1);
}

/** The next moment after `now` at which a digest falls due. */
export function nextDigestDueAt(now: Date, schedule: DigestScheduleSettings): Date {
  return digestDueAt(addIsoWeeks(latestDueWeek(now, schedule), 1), schedule);
}

/** The weeks whose digests are due at `now`, oldest first: the newest due week and the ones before it. */
export function dueDigestWeeks(now: Date, schedule: DigestScheduleSettings, catchUpWeeks = CATCH_UP_WEEKS): string[] {
  const latest = latestDueWeek(now, schedule);
  return Array.from({ length: catchUpWeeks }, (_, i) => addIsoWeeks(latest, i - (catchUpWeeks - 1)));
}

/** What one pass of the schedule did. */
export interface DigestScheduleReport {
  at: Date;
  weeks: string[];
  results: Array<{ wethouderId: string; week: string; result: SendDigestResult }>;
}

/** What the schedule needs. */
export interface DigestScheduleOptions {
  db: Db;
  mailer: DigestMailer;
  /** Weekday, time and time zone; each defaults to Monday 08:00 Europe/Amsterdam. */
  settings?: Partial<DigestScheduleSettings>;
  /** The office hours and response target (flows/settings.yaml), read at each run. */
  officeHours?: () => Settings;
  /** The service's public address, for links to the inbox archive. */
  publicUrl: string;
  telegramSend?: TelegramSend;
  telegramChatIdOf?: (wethouderId: string) => Promise<string | null>;
  now?: () => Date;
  logger: Logger;
  /** Run once right away (catching up what was missed while down). Default true. */
  runAtStart?: boolean;
  catchUpWeeks?: number;
}

/** A running schedule. */
export interface DigestSchedule {
  /** Runs a pass now (queued after a pass in progress): sends every due digest not yet sent. */
  runDue(): Promise<DigestScheduleReport>;
  /** When the next digest falls due. */
  nextDueAt(): Date;
  /** Stops the timers and waits for a pass in progress. */
  stop(): Promise<void>;
}

/** Starts the weekly digest schedule. */
export function startDigestSchedule(options: DigestScheduleOptions): DigestSchedule {
  const schedule = DigestScheduleSettingsSchema.parse({ ...defaultDigestSchedule, ...options.settings });
  const now = options.now ?? (() => new Date());
  const catchUpWeeks = options.catchUpWeeks ?? CATCH_UP_WEEKS;
  const logger = options.logger;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<unknown> = Promise.resolve();

  const runOnce = async (): Promise<DigestScheduleReport> => {
    const at = now();
    const weeks = dueDigestWeeks(at, schedule, catchUpWeeks);
    const report: DigestScheduleReport = { at, weeks, results: [] };
    const recipients = await findDigestRecipients(options.db);
    const done = new Set((await findDigestRuns(options.db, weeks)).filter((run) => run.status === "sent").map((run) => `${run.wethouderId}|${run.week}`));
    for (const week of weeks) {
      const due = digestDueAt(week, schedule);
      for (const recipient of recipients) {
        if (stopped) return report;
        // Not missed: the account did not exist yet when this digest fell due.
        if (recipient.createdAt >= due || done.has(`${recipient.id}|${week}`)) continue;
        try {
          const result = await sendDigest(options.db, options.mailer, recipient.id, week, {
            publicUrl: options.publicUrl,
            ...(options.officeHours ? { settings: options.officeHours() } : {}),
            ...(options.telegramSend ? { telegramSend: options.telegramSend } : {}),
            ...(options.telegramChatIdOf ? { telegramChatIdOf: options.telegramChatIdOf } : {}),
            now,
            logger,
          });
          report.results.push({ wethouderId: recipient.id, week, result });
        } catch (error) {
          // One wethouder's problem (e.g. the database hiccuped) never stops the others.
          logger.error({ err: error, wethouderId: recipient.id, week }, "The weekly digest run failed for one wethouder");
          report.results.push({ wethouderId: recipient.id, week, result: { status: "failed", error: error instanceof Error ? error.message : String(error) } });
        }
      }
    }
    return report;
  };

  const runDue = (): Promise<DigestScheduleReport> => {
    const next = chain.then(runOnce);
    chain = next.catch(() => undefined);
    return next;
  };
  const runLogged = () => {
    runDue().catch((error: unknown) => logger.error({ err: error }, "The weekly digest run failed; it runs again within 15 minutes"));
  };

  const arm = () => {
    if (stopped) return;
    const delay = Math.min(Math.max(0, nextDigestDueAt(now(), schedule).getTime() - now().getTime()) + TIMER_SLACK_MS, MAX_TIMER_MS);
    timer = setTimeout(() => {
      runLogged();
      arm();
    }, delay);
    timer.unref();
  };
  const recheck = setInterval(runLogged, RECHECK_MS);
  recheck.unref();
  arm();
  if (options.runAtStart ?? true) runLogged();
  logger.info({ weekday: schedule.weekday, time: schedule.time, timeZone: schedule.timeZone, next: nextDigestDueAt(now(), schedule).toISOString() }, "Weekly digests scheduled");

  return {
    runDue,
    nextDueAt: () => nextDigestDueAt(now(), schedule),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(recheck);
      await chain;
    },
  };
}
