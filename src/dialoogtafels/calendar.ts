/**
 * A dialoogtafel as a calendar file (iCalendar, RFC 5545) a resident can keep: one VEVENT in the
 * gemeente's own time zone (DTSTART;TZID=Europe/Amsterdam) with the VTIMEZONE that defines it,
 * so that every calendar shows the wall-clock time the gemeente announced. Pure.
 *
 * The VTIMEZONE is derived from the platform's time-zone data (Intl) rather than written by hand:
 * one STANDARD or DAYLIGHT observance per change of offset in the years around the event
 * (RFC 5545 §3.6.5 allows observances without RRULE). https://www.rfc-editor.org/rfc/rfc5545
 */
import { zoneOffsetMinutes } from "../domain/time.ts";

/** What goes into the calendar file. */
export interface CalendarEvent {
  /** A stable id for the event, the same in every file of this dialoogtafel (UID). */
  uid: string;
  title: string;
  description: string;
  location: string;
  startsAt: Date;
  /** Without an end the event lasts two hours (a dialoogtafel evening). */
  endsAt: Date | null;
  /** A cancelled dialoogtafel is STATUS:CANCELLED, so a calendar that has it can show so. */
  cancelled: boolean;
  /** When the file was made (DTSTAMP). */
  now: Date;
  /** The IANA time zone, e.g. "Europe/Amsterdam". */
  timeZone: string;
  /** The product identifier (PRODID), e.g. "-//Gemeente Geldrop-Mierlo//Wijklijn//NL". */
  productId: string;
  /** A link back (URL), optional. */
  url?: string;
}

const DEFAULT_DURATION_MS = 2 * 3600_000;

/** TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines. */
export function escapeText(value: string): string {
  return value.replace(/\r\n?/g, "\n").replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\n/g, "\\n");
}

/** Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, "utf8");
    // The first line holds 75 octets; continuation lines start with a space, so 74 more.
    const limit = out.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      out.push(current);
      current = "";
      octets = 0;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join("\r\n ");
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** An instant as UTC DATE-TIME: 20261210T183000Z. */
function utcStamp(instant: Date): string {
  return `${instant.getUTCFullYear()}${pad(instant.getUTCMonth() + 1)}${pad(instant.getUTCDate())}T${pad(instant.getUTCHours())}${pad(instant.getUTCMinutes())}${pad(instant.getUTCSeconds())}Z`;
}

/** An instant as local DATE-TIME in `zone` (no Z): 20261210T193000. */
function localStamp(instant: Date, zone: string): string {
  const shifted = new Date(instant.getTime() + zoneOffsetMinutes(instant, zone) * 60_000);
  return utcStamp(shifted).slice(0, -1);
}

/** A UTC offset as ±hhmm. */
function offsetText(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

/** The instants (to the minute) in [from, to) where the offset of `zone` changes, with the offsets before and after. */
export function offsetChanges(zone: string, from: Date, to: Date): Array<{ at: Date; before: number; after: number }> {
  const changes: Array<{ at: Date; before: number; after: number }> = [];
  const day = 86_400_000;
  for (let t = from.getTime(); t < to.getTime(); t += day) {
    const before = zoneOffsetMinutes(new Date(t), zone);
    const after = zoneOffsetMinutes(new Date(t + day), zone);
    if (before === after) continue;
    // Binary search to the minute for the first instant with the new offset.
    let low = t;
    let high = t + day;
    while (high - low > 60_000) {
      const mid = low + Math.floor((high - low) / 120_000) * 60_000;
      if (zoneOffsetMinutes(new Date(mid), zone) === before) low = mid;
      else high = mid;
    }
    changes.push({ at: new Date(high), before, after });
  }
  return changes;
}

/** The VTIMEZONE of `zone` for the years around `instant` (one observance per offset change, or one fixed STANDARD). */
export function vtimezone(zone: string, instant: Date): string[] {
  const year = instant.getUTCFullYear();
  const changes = offsetChanges(zone, new Date(Date.UTC(year - 1, 0, 1)), new Date(Date.UTC(year + 2, 0, 1)));
  const lines = ["BEGIN:VTIMEZONE", `TZID:${zone}`];
  if (changes.length === 0) {
    const offset = offsetText(zoneOffsetMinutes(instant, zone));
    lines.push("BEGIN:STANDARD", "DTSTART:19700101T000000", `TZOFFSETFROM:${offset}`, `TZOFFSETTO:${offset}`, "END:STANDARD");
  }
  for (const change of changes) {
    // The observance's DTSTART is the local time in the offset before the change (RFC 5545 §3.6.5).
    const local = utcStamp(new Date(change.at.getTime() + change.before * 60_000)).slice(0, -1);
    const kind = change.after > change.before ? "DAYLIGHT" : "STANDARD";
    lines.push(`BEGIN:${kind}`, `DTSTART:${local}`, `TZOFFSETFROM:${offsetText(change.before)}`, `TZOFFSETTO:${offsetText(change.after)}`, `END:${kind}`);
  }
  lines.push("END:VTIMEZONE");
  return lines;
}

/** The calendar file: CRLF line endings, folded lines, one VEVENT with its VTIMEZONE. */
export function buildCalendarFile(event: CalendarEvent): string {
  const endsAt = event.endsAt && event.endsAt > event.startsAt ? event.endsAt : new Date(event.startsAt.getTime() + DEFAULT_DURATION_MS);
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    `PRODID:${escapeText(event.productId)}`,
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    ...vtimezone(event.timeZone, event.startsAt),
    "BEGIN:VEVENT",
    `UID:${event.uid}`,
    `DTSTAMP:${utcStamp(event.now)}`,
    `DTSTART;TZID=${event.timeZone}:${localStamp(event.startsAt, event.timeZone)}`,
    `DTEND;TZID=${event.timeZone}:${localStamp(endsAt, event.timeZone)}`,
    `SUMMARY:${escapeText(event.title)}`,
    `DESCRIPTION:${escapeText(event.description)}`,
    `LOCATION:${escapeText(event.location)}`,
    `STATUS:${event.cancelled ? "CANCELLED" : "CONFIRMED"}`,
    "TRANSP:OPAQUE",
    ...(event.url ? [`URL:${event.url}`] : []),
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return `${lines.map(foldLine).join("\r\n")}\r\n`;
}
