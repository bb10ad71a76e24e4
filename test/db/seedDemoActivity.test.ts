import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoDialoogtafels } from "../../prisma/demo/geldrop-mierlo.ts";
import { loadDigestSettings } from "../../src/digests/digestSettings.ts";
import { dutchPublicHolidays, easterSunday, isoDate, nextMeetingDate, suitsAnEveningMeeting } from "../../src/domain/dutchHolidays.ts";
import { localDate } from "../../src/domain/time.ts";
import { seedDemoGemeente } from "../../src/db/seedDemo.ts";
import { seedDemoActivity } from "../../src/db/seedDemoActivity.ts";
import { listWijkConversationFacts } from "../../src/db/publicWijk.repo.ts";
import { buildResponseFigure, buildThemeFigures, PERIOD_DAYS } from "../../src/public/wijkFigures.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";

const settings = loadDigestSettings();
const DAY = 86_400_000;

describe("the days a dialoogtafel may fall on", () => {
  it("knows Easter and the Dutch public holidays of any year", () => {
    expect(easterSunday(2026)).toEqual([2026, 4, 5]);
    expect(easterSunday(2027)).toEqual([2027, 3, 28]);
    expect(dutchPublicHolidays(2027)).toEqual([
      "2027-01-01",
      "2027-03-26",
      "2027-03-28",
      "2027-03-29",
      "2027-04-27",
      "2027-05-05",
      "2027-05-06",
      "2027-05-16",
      "2027-05-17",
      "2027-12-25",
      "2027-12-26",
    ]);
    // Koningsdag moves to the 26th when the 27th is a Sunday.
    expect(dutchPublicHolidays(2025)).toContain("2025-04-26");
  });

  it("takes a Tuesday to Thursday away from holidays, their long weekends and the Christmas weeks", () => {
    expect(suitsAnEveningMeeting([2026, 12, 25])).toBe(false);
    expect(suitsAnEveningMeeting([2026, 12, 22])).toBe(false); // a Tuesday in the Christmas weeks
    expect(suitsAnEveningMeeting([2027, 5, 5])).toBe(false); // Bevrijdingsdag, a Wednesday
    expect(suitsAnEveningMeeting([2027, 5, 4])).toBe(false); // the evening before it
    expect(suitsAnEveningMeeting([2027, 1, 12])).toBe(true);
    expect(isoDate(nextMeetingDate([2026, 12, 25]))).toBe("2027-01-05");
    expect(isoDate(nextMeetingDate([2027, 5, 4]))).toBe("2027-05-11");
  });
});

describeEachDatabase("the demo activity", (provider) => {
  let t: TestDatabase;
  // A Friday three weeks before Christmas: the day the old seed put a dialoogtafel on 25 December.
  const now = new Date("2026-12-04T10:00:00Z");

  beforeAll(async () => {
    t = await createTestDatabase(provider);
    await seedDemoGemeente(t.db, now);
    await seedDemoActivity(t.db, { now, settings });
  });
  afterAll(async () => t?.drop());

  it("places every demo dialoogtafel on a weekday evening away from holidays", async () => {
    const tafels = await t.db.dialoogtafel.findMany();
    expect(tafels).toHaveLength(demoDialoogtafels.length);
    for (const tafel of tafels) {
      const date = localDate(tafel.startsAt, "Europe/Amsterdam");
      expect(suitsAnEveningMeeting(date), isoDate(date)).toBe(true);
    }
  });

  it("fills months of resolved conversations with feedback and trust answers, all settled", async () => {
    const conversations = await t.db.conversation.findMany({ select: { status: true, createdAt: true, resolvedAt: true, firstResponseAt: true } });
    expect(conversations.length).toBeGreaterThan(150);
    expect(conversations.every((c) => c.status === "resolved" && c.firstResponseAt !== null && c.resolvedAt !== null)).toBe(true);
    expect(Math.max(...conversations.map((c) => c.resolvedAt?.getTime() ?? 0))).toBeLessThanOrEqual(now.getTime() - 2 * DAY);
    expect(Math.min(...conversations.map((c) => c.createdAt.getTime()))).toBeLessThan(now.getTime() - 180 * DAY);
    // Nothing waits to be sent or asked.
    expect(await t.db.outboxMessage.count()).toBe(0);
    expect(await t.db.feedback.count({ where: { status: { notIn: ["done"] } } })).toBe(0);
    expect(await t.db.feedback.count()).toBeGreaterThan(100);
    expect(await t.db.trustPulse.count({ where: { status: "scored" } })).toBeGreaterThan(50);
    expect(await t.db.wijDedenItem.count()).toBeGreaterThanOrEqual(5);
  });

  it("shows a trend: residents feel more heard and trust more at the end than at the start", async () => {
    const mean = (scores: Array<{ score: number | null }>) => scores.reduce((sum, s) => sum + (s.score ?? 0), 0) / scores.length;
    const early = { scoredAt: { lt: new Date(now.getTime() - 150 * DAY) } };
    const late = { scoredAt: { gte: new Date(now.getTime() - 60 * DAY) } };
    const feedbackEarly = await t.db.feedback.findMany({ where: early, select: { score: true } });
    const feedbackLate = await t.db.feedback.findMany({ where: late, select: { score: true } });
    expect(mean(feedbackLate)).toBeGreaterThan(mean(feedbackEarly) + 0.3);
    const trustEarly = await t.db.trustPulse.findMany({ where: { status: "scored", ...early }, select: { score: true } });
    const trustLate = await t.db.trustPulse.findMany({ where: { status: "scored", ...late }, select: { score: true } });
    expect(mean(trustLate)).toBeGreaterThan(mean(trustEarly));
  });

  it("gives the big wijken exact public figures and the small ones 'minder dan 5'", async () => {
    const since = new Date(now.getTime() - PERIOD_DAYS * DAY);
    const figuresOf = async (slug: string) => {
      const wijk = await t.db.wijk.findFirstOrThrow({ where: { slug } });
      const facts = await listWijkConversationFacts(t.db, wijk.id, since);
      return { themes: buildThemeFigures(facts), response: buildResponseFigure(facts, settings, "Europe/Amsterdam") };
    };
    const centrum = await figuresOf("centrum");
    expect(centrum.themes.total?.kind).not.toBe("small");
    expect(centrum.themes.themes.filter((theme) => theme.count.kind === "exact").length).toBeGreaterThanOrEqual(2);
    expect(centrum.response.medianWorkingHours).not.toBeNull();
    const kerkakkers = await figuresOf("kerkakkers");
    expect(kerkakkers.themes.total).toEqual({ kind: "small" });
    expect(kerkakkers.response.medianWorkingHours).toBeNull();
  });

  it("adds nothing the second time", async () => {
    const before = await t.db.conversation.count();
    expect(await seedDemoActivity(t.db, { now, settings })).toEqual({ conversations: 0, feedback: 0, trustPulses: 0, wijDeden: 0 });
    expect(await t.db.conversation.count()).toBe(before);
  });
});
