/**
 * Office hours and the honest promise of when a resident gets an answer: the service target in
 * working hours, counted only while the gemeente is open (flows/settings.yaml). Pure functions.
 */
import type { Language, Settings } from "../conversation/flowSchema.ts";
import { localDate, zonedTimeToDate } from "../domain/time.ts";

const DAY_KEYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** A local calendar day: the instant it starts and its opening interval (epoch ms; null when closed). */
interface OfficeDay {
  start: number;
  opening: [number, number] | null;
}

/**
 * Days already worked out, per settings and zone: the inbox counts each waiting resident's office
 * hours day by day (a year-old wait is 365 days, for every row of the page), and a digest does the
 * same for every answered conversation; the zone arithmetic behind a day is what costs.
 */
const officeDays = new WeakMap<Settings, Map<string, Map<number, OfficeDay>>>();
const OFFICE_DAY_CACHE_LIMIT = 20_000;

const DAY_MS = 86_400_000;

/** The local calendar date [year, month, day] as a day number (days since 1970-01-01 of that calendar). */
function dayNumberOf(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

function computeOfficeDay(dayNumber: number, settings: Settings, zone: string): OfficeDay {
  const date = new Date(dayNumber * DAY_MS);
  const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
  const start = zonedTimeToDate(zone, year, month, day).getTime();
  const iso = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  if (settings.holidays.includes(iso)) return { start, opening: null };
  const weekday = DAY_KEYS[date.getUTCDay()];
  const hours = weekday ? settings.officeHours[weekday] : undefined;
  if (!hours) return { start, opening: null };
  const open = minutesOf(hours[0]);
  const close = minutesOf(hours[1]);
  return {
    start,
    opening: [zonedTimeToDate(zone, year, month, day, Math.floor(open / 60), open % 60).getTime(), zonedTimeToDate(zone, year, month, day, Math.floor(close / 60), close % 60).getTime()],
  };
}

/** The cache of days for `settings` in `zone` (see officeDays). */
function officeDaysOf(settings: Settings, zone: string): Map<number, OfficeDay> {
  let zones = officeDays.get(settings);
  if (!zones) {
    zones = new Map();
    officeDays.set(settings, zones);
  }
  let days = zones.get(zone);
  if (!days) {
    days = new Map();
    zones.set(zone, days);
  }
  return days;
}

/** The local calendar day `dayNumber` (dayNumberOf) in `zone` under `settings`, from `days` (officeDaysOf). */
function officeDay(days: Map<number, OfficeDay>, dayNumber: number, settings: Settings, zone: string): OfficeDay {
  let found = days.get(dayNumber);
  if (!found) {
    if (days.size >= OFFICE_DAY_CACHE_LIMIT) days.clear();
    found = computeOfficeDay(dayNumber, settings, zone);
    days.set(dayNumber, found);
  }
  return found;
}

/** The opening interval of a local calendar day, as instants; null when closed that day. */
function openingOn(year: number, month: number, day: number, settings: Settings, zone: string): [Date, Date] | null {
  const opening = officeDay(officeDaysOf(settings, zone), dayNumberOf(year, month, day), settings, zone).opening;
  return opening ? [new Date(opening[0]), new Date(opening[1])] : null;
}

/** True while staff are at work. */
export function isOfficeOpen(now: Date, settings: Settings, zone: string): boolean {
  const [y, m, d] = localDate(now, zone);
  const interval = openingOn(y, m, d, settings, zone);
  return interval !== null && now >= interval[0] && now < interval[1];
}

/** The instant `hours` working hours after `from`. */
export function addWorkingHours(from: Date, hours: number, settings: Settings, zone: string): Date {
  let remaining = hours * 60 * 60 * 1000;
  let [y, m, d] = localDate(from, zone);
  for (let i = 0; i < 400; i++) {
    const interval = openingOn(y, m, d, settings, zone);
    if (interval) {
      const start = from > interval[0] ? from : interval[0];
      const available = interval[1].getTime() - start.getTime();
      if (available > 0) {
        if (available >= remaining) return new Date(start.getTime() + remaining);
        remaining -= available;
      }
    }
    const next = new Date(Date.UTC(y, m - 1, d + 1));
    [y, m, d] = [next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()];
  }
  throw new Error("no office hours within 400 days: check flows/settings.yaml");
}

/** Working milliseconds between two instants (for "waited too long" and digests). */
export function workingMillisBetween(from: Date, to: Date, settings: Settings, zone: string): number {
  if (to <= from) return 0;
  const fromMs = from.getTime();
  const toMs = to.getTime();
  const days = officeDaysOf(settings, zone);
  let total = 0;
  let dayNumber = dayNumberOf(...localDate(from, zone));
  for (let i = 0; i < 3660; i++) {
    const opening = officeDay(days, dayNumber, settings, zone).opening;
    if (opening) {
      const start = Math.max(fromMs, opening[0]);
      const end = Math.min(toMs, opening[1]);
      if (end > start) total += end - start;
      if (opening[0] >= toMs) break;
    }
    dayNumber++;
    if (officeDay(days, dayNumber, settings, zone).start > toMs) break;
  }
  return total;
}

/** A deadline this little past a whole hour is told as that hour. */
const ROUND_DOWN_WITHIN_MS = 10 * 60_000;

/** People promise round hours ("vóór 10:00", not "vóór 10:37"): rounded up, except a few minutes past the hour ("09:08" reads "09:00"). */
export function roundDeadline(exact: Date): Date {
  const hour = 3_600_000;
  return new Date(Math.ceil((exact.getTime() - ROUND_DOWN_WITHIN_MS) / hour) * hour);
}

/**
 * When the resident can expect an answer, in words: "vandaag vóór 16:00", "morgen vóór 12:00" (whole hours),
 * "uiterlijk maandag 30 november", in the words of flows/globals.yaml (deadlineToday, deadlineTomorrow, deadlineLater).
 */
export function describeDeadline(exact: Date, now: Date, language: Language, zone: string, texts: DeadlineTexts): string {
  const deadline = roundDeadline(exact);
  const locale = language === "en" ? "en-GB" : "nl-NL";
  const time = new Intl.DateTimeFormat(locale, { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(deadline);
  const [ty, tm, td] = localDate(now, zone);
  const [dy, dm, dd] = localDate(deadline, zone);
  const days = Math.round((Date.UTC(dy, dm - 1, dd) - Date.UTC(ty, tm - 1, td)) / 86_400_000);
  const date = new Intl.DateTimeFormat(locale, { timeZone: zone, weekday: "long", day: "numeric", month: "long" }).format(deadline);
  const template = days === 0 ? texts.today : days === 1 ? texts.tomorrow : texts.later;
  return template.replace(/\{\{\s*time\s*\}\}/g, time).replace(/\{\{\s*date\s*\}\}/g, date);
}

/** The wording of describeDeadline in one language (flows/globals.yaml): {{time}} and {{date}} are filled in. */
export interface DeadlineTexts {
  today: string;
  tomorrow: string;
  later: string;
}
