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

/** The opening interval of a local calendar day, as instants; null when closed that day. */
function openingOn(year: number, month: number, day: number, settings: Settings, zone: string): [Date, Date] | null {
  const iso = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  if (settings.holidays.includes(iso)) return null;
  const weekday = DAY_KEYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()];
  const hours = weekday ? settings.officeHours[weekday] : undefined;
  if (!hours) return null;
  const open = minutesOf(hours[0]);
  const close = minutesOf(hours[1]);
  return [zonedTimeToDate(zone, year, month, day, Math.floor(open / 60), open % 60), zonedTimeToDate(zone, year, month, day, Math.floor(close / 60), close % 60)];
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
  let total = 0;
  let [y, m, d] = localDate(from, zone);
  for (let i = 0; i < 3660; i++) {
    const interval = openingOn(y, m, d, settings, zone);
    if (interval) {
      const start = Math.max(from.getTime(), interval[0].getTime());
      const end = Math.min(to.getTime(), interval[1].getTime());
      if (end > start) total += end - start;
      if (interval[0] >= to) break;
    }
    const next = new Date(Date.UTC(y, m - 1, d + 1));
    [y, m, d] = [next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()];
    if (zonedTimeToDate(zone, y, m, d) > to) break;
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
