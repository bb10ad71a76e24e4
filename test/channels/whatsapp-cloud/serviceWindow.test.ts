import { describe, expect, it } from "vitest";
import { isWithinServiceWindow, serviceWindowEndsAt } from "../../../src/channels/whatsapp-cloud/serviceWindow.ts";

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);

describe("the 24-hour customer-service window", () => {
  const last = at("2026-11-26T10:00:00+01:00");

  it("is closed for a resident who never wrote", () => {
    expect(isWithinServiceWindow(null, at("2026-11-26T10:00:00+01:00"))).toBe(false);
    expect(serviceWindowEndsAt(null)).toBeNull();
  });

  it("is open right after the resident's message and until the last millisecond", () => {
    expect(isWithinServiceWindow(last, last)).toBe(true);
    expect(isWithinServiceWindow(last, new Date(last.getTime() + 24 * HOUR - 1))).toBe(true);
  });

  it("closes exactly 24 hours after the resident's last message", () => {
    expect(serviceWindowEndsAt(last)).toEqual(at("2026-11-27T10:00:00+01:00"));
    expect(isWithinServiceWindow(last, new Date(last.getTime() + 24 * HOUR))).toBe(false);
    expect(isWithinServiceWindow(last, new Date(last.getTime() + 25 * HOUR))).toBe(false);
  });

  it("counts 24 real hours across the change to winter time", () => {
    // 25 October 2026: clocks go back from 03:00 CEST to 02:00 CET.
    const saturday = at("2026-10-24T12:00:00+02:00");
    expect(serviceWindowEndsAt(saturday)).toEqual(at("2026-10-25T11:00:00+01:00"));
    expect(isWithinServiceWindow(saturday, at("2026-10-25T11:30:00+01:00"))).toBe(false);
  });

  it("stays open when the message seems to come from the future (clock skew)", () => {
    expect(isWithinServiceWindow(new Date(last.getTime() + 60_000), last)).toBe(true);
  });
});
