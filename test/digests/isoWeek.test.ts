import { describe, expect, it } from "vitest";
import { defaultDigestSchedule, digestDueAt, dueDigestWeeks, latestDueWeek, nextDigestDueAt } from "../../src/digests/digestSchedule.ts";
import { addIsoWeeks, describeIsoWeek, isoWeekBounds, isoWeekOf, parseIsoWeek, weeksInIsoYear } from "../../src/digests/isoWeek.ts";

const zone = "Europe/Amsterdam";
const hours = (a: Date, b: Date) => (b.getTime() - a.getTime()) / 3_600_000;

describe("ISO weeks in Europe/Amsterdam", () => {
  it("runs week 48 of 2026 from Monday 23 November 00:00 to Monday 30 November 00:00 local time", () => {
    const { start, end } = isoWeekBounds("2026-W48", zone);
    expect(start.toISOString()).toBe("2026-11-22T23:00:00.000Z");
    expect(end.toISOString()).toBe("2026-11-29T23:00:00.000Z");
    expect(describeIsoWeek("2026-W48")).toBe("23 t/m 29 november 2026");
  });

  it("makes the week of the spring DST change 167 hours and the autumn one 169 hours", () => {
    const spring = isoWeekBounds("2026-W13", zone); // 23–29 March, clocks forward on Sunday 29 March
    expect(spring.start.toISOString()).toBe("2026-03-22T23:00:00.000Z");
    expect(spring.end.toISOString()).toBe("2026-03-29T22:00:00.000Z");
    expect(hours(spring.start, spring.end)).toBe(167);
    const autumn = isoWeekBounds("2026-W43", zone); // 19–25 October, clocks back on Sunday 25 October
    expect(autumn.start.toISOString()).toBe("2026-10-18T22:00:00.000Z");
    expect(autumn.end.toISOString()).toBe("2026-10-25T23:00:00.000Z");
    expect(hours(autumn.start, autumn.end)).toBe(169);
  });

  it("knows years with 53 weeks and crosses the year boundary", () => {
    expect(weeksInIsoYear(2026)).toBe(53); // starts on a Thursday
    expect(weeksInIsoYear(2020)).toBe(53); // leap year starting on a Wednesday
    expect(weeksInIsoYear(2025)).toBe(52);
    expect(parseIsoWeek("2026-W53")).toEqual({ year: 2026, week: 53 });
    expect(parseIsoWeek("2025-W53")).toBeNull();
    expect(parseIsoWeek("2026-W00")).toBeNull();
    expect(parseIsoWeek("2026-48")).toBeNull();
    expect(addIsoWeeks("2026-W52", 1)).toBe("2026-W53");
    expect(addIsoWeeks("2026-W53", 1)).toBe("2027-W01");
    expect(addIsoWeeks("2027-W01", -2)).toBe("2026-W52");
    expect(describeIsoWeek("2026-W53")).toBe("28 december 2026 t/m 3 januari 2027");
    expect(isoWeekOf(new Date("2027-01-01T12:00:00Z"), zone)).toBe("2026-W53");
    expect(isoWeekOf(new Date("2025-12-29T12:00:00Z"), zone)).toBe("2026-W01");
  });

  it("places an instant by the local calendar, not by UTC", () => {
    // Sunday 22 November 23:30 UTC is Monday 00:30 in Geldrop.
    expect(isoWeekOf(new Date("2026-11-22T23:30:00Z"), zone)).toBe("2026-W48");
    expect(isoWeekOf(new Date("2026-11-22T22:59:59Z"), zone)).toBe("2026-W47");
  });
});

describe("when the weekly digest falls due", () => {
  it("is Monday 08:00 local after the week: 07:00Z in winter, 06:00Z in summer", () => {
    expect(digestDueAt("2026-W12", defaultDigestSchedule).toISOString()).toBe("2026-03-23T07:00:00.000Z");
    expect(digestDueAt("2026-W13", defaultDigestSchedule).toISOString()).toBe("2026-03-30T06:00:00.000Z");
    expect(digestDueAt("2026-W42", defaultDigestSchedule).toISOString()).toBe("2026-10-19T06:00:00.000Z");
    expect(digestDueAt("2026-W43", defaultDigestSchedule).toISOString()).toBe("2026-10-26T07:00:00.000Z");
    expect(digestDueAt("2026-W53", defaultDigestSchedule).toISOString()).toBe("2027-01-04T07:00:00.000Z");
  });

  it("sends the previous week's digest from Monday 08:00, and the week before until then", () => {
    const schedule = defaultDigestSchedule;
    expect(latestDueWeek(new Date("2026-11-30T06:59:59Z"), schedule)).toBe("2026-W47");
    expect(latestDueWeek(new Date("2026-11-30T07:00:00Z"), schedule)).toBe("2026-W48");
    expect(nextDigestDueAt(new Date("2026-11-26T10:00:00Z"), schedule).toISOString()).toBe("2026-11-30T07:00:00.000Z");
    // The Sunday of the spring change: the next Monday is already summer time.
    expect(nextDigestDueAt(new Date("2026-03-29T12:00:00Z"), schedule).toISOString()).toBe("2026-03-30T06:00:00.000Z");
    // The Sunday of the autumn change: the next Monday is winter time again.
    expect(nextDigestDueAt(new Date("2026-10-25T12:00:00Z"), schedule).toISOString()).toBe("2026-10-26T07:00:00.000Z");
  });

  it("follows a configured weekday and time", () => {
    const friday = { weekday: 5, time: "16:30", timeZone: zone };
    expect(digestDueAt("2026-W48", friday).toISOString()).toBe("2026-12-04T15:30:00.000Z");
    expect(latestDueWeek(new Date("2026-12-01T10:00:00Z"), friday)).toBe("2026-W47");
  });

  it("catches up at most the last four weeks, oldest first", () => {
    expect(dueDigestWeeks(new Date("2026-12-01T09:00:00Z"), defaultDigestSchedule)).toEqual(["2026-W45", "2026-W46", "2026-W47", "2026-W48"]);
    expect(dueDigestWeeks(new Date("2027-01-05T09:00:00Z"), defaultDigestSchedule)).toEqual(["2026-W50", "2026-W51", "2026-W52", "2026-W53"]);
  });
});
