/** When a resident can expect an answer, in words (src/routing/officeHours.ts describeDeadline). */
import { describe, expect, it } from "vitest";
import { describeDeadline } from "../../src/routing/officeHours.ts";

const texts = { today: "vandaag vóór {{time}}", tomorrow: "morgen vóór {{time}}", later: "uiterlijk {{date}}" };
const zone = "Europe/Amsterdam";

describe("describeDeadline", () => {
  it("promises whole hours: rounded up, but a few minutes past the hour reads as that hour", () => {
    const now = new Date("2026-11-26T08:40:00+01:00");
    expect(describeDeadline(new Date("2026-11-27T09:08:00+01:00"), now, "nl", zone, texts)).toBe("morgen vóór 09:00");
    expect(describeDeadline(new Date("2026-11-27T09:37:00+01:00"), now, "nl", zone, texts)).toBe("morgen vóór 10:00");
    expect(describeDeadline(new Date("2026-11-26T16:00:00+01:00"), now, "nl", zone, texts)).toBe("vandaag vóór 16:00");
    expect(describeDeadline(new Date("2026-11-26T16:11:00+01:00"), now, "nl", zone, texts)).toBe("vandaag vóór 17:00");
  });

  it("names the day when it is further off", () => {
    const now = new Date("2026-11-27T15:00:00+01:00");
    expect(describeDeadline(new Date("2026-11-30T10:30:00+01:00"), now, "nl", zone, texts)).toBe("uiterlijk maandag 30 november");
  });
});
