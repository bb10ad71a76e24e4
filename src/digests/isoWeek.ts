/**
 * ISO 8601 weeks ("2026-W48") in a time zone: a week runs from Monday 00:00 local time to the
 * next Monday 00:00 local time, so a week with a DST change is 167 or 169 hours long. Years
 * with 53 weeks (e.g. 2026) are handled. Pure functions, no library.
 */
import { z } from "zod";
import { localDate, zonedTimeToDate } from "../domain/time.ts";

/** A calendar date without a time: [year, month 1–12, day 1–31]. */
type CalendarDate = [number, number, number];

const WEEK_PATTERN = /^(\d{4})-W(\d{2})$/;

/** 53 when the ISO year has 53 weeks (it starts on a Thursday, or a Wednesday in a leap year). */
export function weeksInIsoYear(year: number): number {
  const jan1 = new Date(Date.UTC(year, 0, 1)).getUTCDay();
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return jan1 === 4 || (leap && jan1 === 3) ? 53 : 52;
}

/** "2026-W48" from its parts. */
export function formatIsoWeek(year: number, week: number): string {
  return `${String(year).padStart(4, "0")}-W${String(week).padStart(2, "0")}`;
}

/** The year and week number of "2026-W48"; null when it is not a week that exists. */
export function parseIsoWeek(text: string): { year: number; week: number } | null {
  const match = WEEK_PATTERN.exec(text);
  if (!match) return null;
  const year = Number(match[1]);
  const week = Number(match[2]);
  if (year < 1970 || year > 9998 || week < 1 || week > weeksInIsoYear(year)) return null;
  return { year, week };
}

/** A query or CLI value that must be an existing ISO week; the message says how to write one. */
export const IsoWeekSchema = z.string().refine((text) => parseIsoWeek(text) !== null, {
  message: "use an ISO week such as 2026-W48 (week 01 to 52, or 53 in years that have one)",
});

function requireWeek(week: string): { year: number; week: number } {
  const parsed = parseIsoWeek(week);
  if (!parsed) throw new RangeError(`"${week}" is not an ISO week: use the form 2026-W48`);
  return parsed;
}

function addDays([year, month, day]: CalendarDate, days: number): CalendarDate {
  const date = new Date(Date.UTC(year, month - 1, day + days));
  return [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
}

/** The ISO week that a calendar date falls in. */
export function isoWeekOfDate([year, month, day]: CalendarDate): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  // The Thursday of the same week decides the year (ISO 8601).
  const thursday = new Date(Date.UTC(year, month - 1, day - weekday + 3));
  const isoYear = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(isoYear, 0, 1)) / (7 * 86_400_000));
  return formatIsoWeek(isoYear, week);
}

/** The Monday of an ISO week as a calendar date. */
export function isoWeekMonday(week: string): CalendarDate {
  const parsed = requireWeek(week);
  // 4 January is always in week 1.
  const jan4 = new Date(Date.UTC(parsed.year, 0, 4));
  const mondayOfWeek1: CalendarDate = addDays([parsed.year, 1, 4], -((jan4.getUTCDay() + 6) % 7));
  return addDays(mondayOfWeek1, (parsed.week - 1) * 7);
}

/** The ISO week `weeks` weeks after (or, negative, before) `week`. */
export function addIsoWeeks(week: string, weeks: number): string {
  return isoWeekOfDate(addDays(isoWeekMonday(week), weeks * 7));
}

/** The ISO week in which `instant` falls, on the wall clock of `zone`. */
export function isoWeekOf(instant: Date, zone: string): string {
  return isoWeekOfDate(localDate(instant, zone));
}

/** The week as instants: Monday 00:00 local (inclusive) to the next Monday 00:00 local (exclusive). */
export function isoWeekBounds(week: string, zone: string): { start: Date; end: Date } {
  const [y, m, d] = isoWeekMonday(week);
  const [ny, nm, nd] = addDays([y, m, d], 7);
  return { start: zonedTimeToDate(zone, y, m, d), end: zonedTimeToDate(zone, ny, nm, nd) };
}

/** The instant of a local weekday (1 = Monday … 7 = Sunday) and "HH:MM" within an ISO week. */
export function isoWeekMoment(week: string, weekday: number, time: string, zone: string): Date {
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  if (!match || weekday < 1 || weekday > 7) throw new RangeError(`weekday must be 1–7 and time HH:MM (got ${weekday}, "${time}")`);
  const [y, m, d] = addDays(isoWeekMonday(week), weekday - 1);
  return zonedTimeToDate(zone, y, m, d, Number(match[1]), Number(match[2]));
}

const MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"];

/** "23 t/m 29 november 2026", "30 november t/m 6 december 2026", "28 december 2026 t/m 3 januari 2027". */
export function describeIsoWeek(week: string): string {
  const [y1, m1, d1] = isoWeekMonday(week);
  const [y2, m2, d2] = addDays([y1, m1, d1], 6);
  const month = (m: number) => MONTHS[m - 1] ?? "";
  if (y1 !== y2) return `${d1} ${month(m1)} ${y1} t/m ${d2} ${month(m2)} ${y2}`;
  if (m1 !== m2) return `${d1} ${month(m1)} t/m ${d2} ${month(m2)} ${y2}`;
  return `${d1} t/m ${d2} ${month(m2)} ${y2}`;
}

/** The week number alone: "2026-W48" → 48. */
export function isoWeekNumber(week: string): number {
  return requireWeek(week).week;
}
