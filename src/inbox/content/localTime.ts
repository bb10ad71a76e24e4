/**
 * Wall-clock times of the gemeente (Europe/Amsterdam) in forms: `datetime-local` and `date`
 * values to instants and back, DST-correct, and Dutch display. Pure functions.
 */
import { zonedTimeToDate } from "../../domain/time.ts";

/** The local date and time parts of an instant in `zone`. */
export function localParts(instant: Date, zone: string): { year: number; month: number; day: number; hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour"), minute: get("minute") };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Why a local date-time was refused: not a date-time, or a time the clock skips (the night summer time starts). */
export type LocalTimeProblem = "format" | "gap";

/**
 * Reads a `datetime-local` value ("2027-03-30T19:30") as wall-clock time in `zone`. Refuses a
 * time that does not exist there (02:30 on the last Sunday of March in Amsterdam); an ambiguous
 * time (the October hour that happens twice) is taken as its first occurrence.
 */
export function parseLocalDateTime(value: string, zone: string): { ok: true; instant: Date } | { ok: false; problem: LocalTimeProblem } {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d{1,3})?)?$/.exec(value.trim());
  if (!match) return { ok: false, problem: "format" };
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number);
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined) return { ok: false, problem: "format" };
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59) return { ok: false, problem: "format" };
  const instant = zonedTimeToDate(zone, year, month, day, hour, minute);
  const back = localParts(instant, zone);
  if (back.year !== year || back.month !== month || back.day !== day || back.hour !== hour || back.minute !== minute) return { ok: false, problem: "gap" };
  return { ok: true, instant };
}

/** Reads a `date` value ("2027-03-30") as [year, month, day]; null when it is not a date. */
export function parseLocalDate(value: string): [number, number, number] | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const [year, month, day] = match.slice(1, 4).map(Number);
  if (year === undefined || month === undefined || day === undefined || !isCalendarDate(year, month, day)) return null;
  return [year, month, day];
}

/** The instant a local day ends in `zone` (the next day's midnight): "visible up to and including" that day. */
export function endOfLocalDay(zone: string, [year, month, day]: [number, number, number]): Date {
  return zonedTimeToDate(zone, year, month, day + 1, 0, 0);
}

/** An instant as a `datetime-local` value in `zone`. */
export function toLocalDateTimeInput(instant: Date, zone: string): string {
  const p = localParts(instant, zone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** The last local day before `endExclusive` as a `date` value (the inverse of endOfLocalDay). */
export function toLocalDateInput(endExclusive: Date, zone: string): string {
  const p = localParts(new Date(endExclusive.getTime() - 1), zone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** "2027-03-30 19:30": for CSV, where spreadsheets read it as a date and time. */
export function formatLocalDateTimeIso(instant: Date, zone: string): string {
  return toLocalDateTimeInput(instant, zone).replace("T", " ");
}

/** "dinsdag 30 maart 2027 om 19:30". */
export function formatDutchDateTime(instant: Date, zone: string): string {
  return new Intl.DateTimeFormat("nl-NL", { timeZone: zone, weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(instant);
}

/** "30 maart 2027". */
export function formatDutchDate(instant: Date, zone: string): string {
  return new Intl.DateTimeFormat("nl-NL", { timeZone: zone, day: "numeric", month: "long", year: "numeric" }).format(instant);
}

/** "19:30". */
export function formatDutchTime(instant: Date, zone: string): string {
  return new Intl.DateTimeFormat("nl-NL", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(instant);
}
