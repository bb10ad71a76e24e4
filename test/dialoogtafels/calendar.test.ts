import { describe, expect, it } from "vitest";
import { buildCalendarFile, escapeText, foldLine, offsetChanges } from "../../src/dialoogtafels/calendar.ts";
import { signCalendarToken, verifyCalendarToken } from "../../src/dialoogtafels/calendarLink.ts";

const base = {
  uid: "dialoogtafel-t1@wijklijn.test",
  title: "Dialoogtafel Mierlo",
  description: "Het nieuwe dorpshart\n\nKun je toch niet? Typ 'dialoogtafel'.",
  location: "Ontmoetingscentrum, Mierlo",
  endsAt: null,
  cancelled: false,
  now: new Date("2026-11-26T09:00:00Z"),
  timeZone: "Europe/Amsterdam",
  productId: "-//Gemeente Geldrop-Mierlo//Wijklijn//NL",
};

/** Unfolds content lines (RFC 5545 §3.1) and reads them as name;params:value. */
function parse(file: string): Array<{ name: string; params: string; value: string }> {
  return file
    .replace(/\r\n[ \t]/g, "")
    .split("\r\n")
    .filter(Boolean)
    .map((line) => {
      const colon = line.indexOf(":");
      const head = line.slice(0, colon);
      const [name = "", ...params] = head.split(";");
      return { name, params: params.join(";"), value: line.slice(colon + 1) };
    });
}

/** The lines of the VEVENT. */
function eventLines(lines: ReturnType<typeof parse>) {
  const start = lines.findIndex((l) => l.name === "BEGIN" && l.value === "VEVENT");
  const end = lines.findIndex((l) => l.name === "END" && l.value === "VEVENT");
  return lines.slice(start, end + 1);
}

/**
 * The instant a local DATE-TIME with TZID stands for, read from the file's own VTIMEZONE (the
 * observance in force is the latest whose DTSTART, in its TZOFFSETFROM, is not after it): an
 * independent check of what a calendar program would show.
 */
function instantOf(lines: ReturnType<typeof parse>, local: string): Date {
  const asUtc = (stamp: string) => Date.UTC(+stamp.slice(0, 4), +stamp.slice(4, 6) - 1, +stamp.slice(6, 8), +stamp.slice(9, 11), +stamp.slice(11, 13), +stamp.slice(13, 15));
  const minutes = (offset: string) => (offset.startsWith("-") ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5)));
  const observances: Array<{ start: number; to: number }> = [];
  let current: { start?: string; from?: string; to?: string } = {};
  for (const line of lines) {
    if (line.name === "BEGIN" && (line.value === "STANDARD" || line.value === "DAYLIGHT")) current = {};
    if (line.name === "DTSTART" && line.params === "") current.start = line.value;
    if (line.name === "TZOFFSETFROM") current.from = line.value;
    if (line.name === "TZOFFSETTO") current.to = line.value;
    if (line.name === "END" && (line.value === "STANDARD" || line.value === "DAYLIGHT") && current.start && current.from && current.to) {
      observances.push({ start: asUtc(current.start) - minutes(current.from) * 60_000, to: minutes(current.to) });
    }
  }
  const wall = asUtc(local);
  const inForce = observances.filter((o) => o.start <= wall - o.to * 60_000).sort((a, b) => b.start - a.start)[0];
  if (!inForce) throw new Error("no observance in force");
  return new Date(wall - inForce.to * 60_000);
}

describe("the calendar file of a dialoogtafel (RFC 5545)", () => {
  it("puts a winter evening at 19:30 Amsterdam time, with the time zone that defines it", () => {
    const startsAt = new Date("2026-12-10T18:30:00Z");
    const file = buildCalendarFile({ ...base, startsAt });
    const lines = parse(file);
    const value = (name: string) => eventLines(lines).find((l) => l.name === name);
    expect(file.startsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")).toBe(true);
    expect(file.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(file.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    expect(value("DTSTART")).toEqual({ name: "DTSTART", params: "TZID=Europe/Amsterdam", value: "20261210T193000" });
    // No end given: two hours.
    expect(value("DTEND")?.value).toBe("20261210T213000");
    expect(value("DTSTAMP")?.value).toBe("20261126T090000Z");
    expect(value("UID")?.value).toBe("dialoogtafel-t1@wijklijn.test");
    expect(value("STATUS")?.value).toBe("CONFIRMED");
    expect(value("LOCATION")?.value).toBe("Ontmoetingscentrum\\, Mierlo");
    expect(value("DESCRIPTION")?.value).toBe("Het nieuwe dorpshart\\n\\nKun je toch niet? Typ 'dialoogtafel'.");
    expect(lines.filter((l) => l.name === "TZID").map((l) => l.value)).toEqual(["Europe/Amsterdam"]);
    expect(instantOf(lines, "20261210T193000").toISOString()).toBe(startsAt.toISOString());
  });

  it("keeps summer times right across the change to summer time", () => {
    const startsAt = new Date("2027-04-01T17:30:00Z");
    const file = buildCalendarFile({ ...base, startsAt, endsAt: new Date("2027-04-01T19:00:00Z") });
    const lines = parse(file);
    expect(eventLines(lines).find((l) => l.name === "DTSTART")?.value).toBe("20270401T193000");
    expect(eventLines(lines).find((l) => l.name === "DTEND")?.value).toBe("20270401T210000");
    expect(instantOf(lines, "20270401T193000").toISOString()).toBe(startsAt.toISOString());
    // The observances are the real changes: last Sunday of March at 02:00, of October at 03:00.
    const starts = lines.filter((l) => l.name === "DTSTART" && l.params === "").map((l) => l.value);
    expect(starts).toContain("20270328T020000");
    expect(starts).toContain("20271031T030000");
  });

  it("finds the offset changes of the year to the minute", () => {
    const changes = offsetChanges("Europe/Amsterdam", new Date("2026-01-01T00:00:00Z"), new Date("2027-01-01T00:00:00Z"));
    expect(changes.map((c) => [c.at.toISOString(), c.before, c.after])).toEqual([
      ["2026-03-29T01:00:00.000Z", 60, 120],
      ["2026-10-25T01:00:00.000Z", 120, 60],
    ]);
  });

  it("marks a cancelled dialoogtafel as cancelled", () => {
    const file = buildCalendarFile({ ...base, startsAt: new Date("2026-12-10T18:30:00Z"), cancelled: true });
    expect(parse(file).find((l) => l.name === "STATUS")?.value).toBe("CANCELLED");
  });

  it("escapes text and folds long lines at 75 octets without splitting a character", () => {
    expect(escapeText("a,b;c\\d\r\ne")).toBe("a\\,b\\;c\\\\d\\ne");
    const long = `DESCRIPTION:${"Wat we hoorden in de wijk: één ding na het ander, ".repeat(4)}`;
    const folded = foldLine(long);
    for (const line of folded.split("\r\n")) expect(Buffer.byteLength(line, "utf8")).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, "")).toBe(long);
    const file = buildCalendarFile({ ...base, startsAt: new Date("2026-12-10T18:30:00Z"), title: "Dialoogtafel ".repeat(12) });
    for (const line of file.split("\r\n")) expect(Buffer.byteLength(line, "utf8")).toBeLessThanOrEqual(75);
  });
});

describe("the calendar link's token", () => {
  const secret = "test-secret-test-secret-test-secret";
  it("opens only with the right secret and an untouched token", () => {
    const token = signCalendarToken("creg123", secret);
    expect(verifyCalendarToken(token, secret)).toBe("creg123");
    expect(verifyCalendarToken(token, "another-secret-another-secret-xx")).toBeNull();
    expect(verifyCalendarToken(token.replace("creg123", "creg124"), secret)).toBeNull();
    expect(verifyCalendarToken(`${token}x`, secret)).toBeNull();
    expect(verifyCalendarToken("creg123", secret)).toBeNull();
    expect(verifyCalendarToken(`${token}.extra`, secret)).toBeNull();
  });
});
