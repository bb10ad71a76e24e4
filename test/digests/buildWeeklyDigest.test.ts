import { describe, expect, it } from "vitest";
import { buildWeeklyDigest, median, percentile } from "../../src/digests/buildWeeklyDigest.ts";
import { renderDigest } from "../../src/digests/renderDigest.ts";
import { WeeklyDigestSchema } from "../../src/digests/weeklyDigest.ts";
import { KERKAKKERS, LUCHEN, PERSONAL_DATA, conversation, local, testSettings, weekOfWethouderC } from "./fixtures.ts";

const WEEK = "2026-W48";
const sectionOf = (digest: ReturnType<typeof buildWeeklyDigest>, slug: string) => {
  const section = digest.wijken.find((wijk) => wijk.slug === slug);
  if (!section) throw new Error(`no section ${slug}`);
  return section;
};
const row = (rows: Array<{ key: string; count: number; previousAverage: number | null; change: number | null; changePercent: number | null }>, key: string) => rows.find((r) => r.key === key);

describe("buildWeeklyDigest on a known week (hand-computed)", () => {
  const digest = buildWeeklyDigest(weekOfWethouderC(), WEEK);

  it("counts the new conversations of the week per wijk, boundaries in local time", () => {
    // Luchen: 00101, 00102, 00103, 00104, 00105. Kerkakkers: 00100 (Mon 00:30), 00106, 00107, 00108 (Sun 23:59).
    // Not: 00090 and 00080 (week 47), 00109 (Mon 30 Nov 00:00), 00110 (Geldrop-Centrum), 00111 (no wijk).
    expect(sectionOf(digest, "luchen").newConversations.count).toBe(5);
    expect(sectionOf(digest, "kerkakkers").newConversations.count).toBe(4);
    expect(digest.total.newConversations.count).toBe(9);
    expect(digest.total.meldingen.count).toBe(5);
    expect(digest.total.ideeen.count).toBe(2);
    expect(digest.total.emergencies).toBe(1);
  });

  it("compares with the average of the previous four weeks", () => {
    // Luchen weeks 44–47: 2, 4, 1, 3 → 2.5; 5 now → +2.5, +100%.
    expect(sectionOf(digest, "luchen").newConversations).toEqual({ count: 5, previousAverage: 2.5, change: 2.5, changePercent: 100 });
    // Kerkakkers: 4 every week → 4; 4 now → no change.
    expect(sectionOf(digest, "kerkakkers").newConversations).toEqual({ count: 4, previousAverage: 4, change: 0, changePercent: 0 });
    // Together 6.5; 9 now → +2.5, +38%.
    expect(digest.total.newConversations).toEqual({ count: 9, previousAverage: 6.5, change: 2.5, changePercent: 38 });
    // Meldingen: Luchen 2+3+1+3, Kerkakkers 2×4 → 17/4 = 4.25; 5 now → +0.75 (shown +0.8), +18%.
    expect(digest.total.meldingen).toEqual({ count: 5, previousAverage: 4.25, change: 0.8, changePercent: 18 });
    // Ideeën: 1 (Luchen, week 45) + 4 (Kerkakkers) → 1.25; 2 now → +60%.
    expect(digest.total.ideeen).toEqual({ count: 2, previousAverage: 1.25, change: 0.8, changePercent: 60 });
  });

  it("breaks the week down by intent and by theme, most first", () => {
    expect(digest.total.byIntent.map((r) => [r.key, r.count])).toEqual([
      ["melding", 5],
      ["idee", 2],
      ["contact", 1], // average 1 before: sorts before wijknieuws (average 0)
      ["wijknieuws", 1],
    ]);
    expect(row(digest.total.byIntent, "wijknieuws")).toMatchObject({ previousAverage: 0, change: 1, changePercent: null });
    expect(digest.total.byTheme.map((r) => [r.key, r.count])).toEqual([
      ["verkeer", 3],
      ["groen", 2],
      ["afval", 1],
      ["gemeente", 1],
      ["overlast", 1],
    ]);
    // Verkeer: 2+3+0+2 = 7 → 1.75; 3 now → +1.25 (shown +1.3), +71%. Afval: 1+1+8 = 10 → 2.5; 1 now → −60%.
    expect(row(digest.total.byTheme, "verkeer")).toMatchObject({ previousAverage: 1.75, change: 1.3, changePercent: 71 });
    expect(row(digest.total.byTheme, "afval")).toMatchObject({ previousAverage: 2.5, change: -1.5, changePercent: -60 });
    expect(
      sectionOf(digest, "luchen")
        .byTheme.filter((r) => r.count > 0)
        .map((r) => [r.key, r.count]),
    ).toEqual([
      ["verkeer", 3],
      ["groen", 1],
    ]);
  });

  it("counts hand-overs to staff with their status at the end of the week", () => {
    // Handed over in week 48: 00101, 00102, 00103, 00105 (Luchen); 00106, 00107, 00108 (Kerkakkers).
    expect(sectionOf(digest, "luchen").escalations).toEqual({ count: 4, byStatus: { open: 1, waiting: 1, snoozed: 0, resolved: 2 } });
    expect(sectionOf(digest, "kerkakkers").escalations).toEqual({ count: 3, byStatus: { open: 2, waiting: 1, snoozed: 0, resolved: 0 } });
    expect(digest.total.escalations).toEqual({ count: 7, byStatus: { open: 3, waiting: 2, snoozed: 0, resolved: 2 } });
  });

  it("measures the first response in working hours, across the weekend, against the target", () => {
    // First replies in week 48, in working hours from hand-over:
    //   00101 Mon 10:00 → Mon 13:00                 = 3
    //   00090 Fri 20 Nov 14:00 → Mon 23 Nov 11:00   = 2 (Fri until 16:00) + 2 (Mon from 09:00) = 4
    //   00103 Tue 09:00 → Wed 12:00                 = 8 + 3 = 11 (over the target of 8)
    //   00105 Thu 10:00 → Thu 10:30                 = 0.5
    //   00106 Mon 09:30 → Mon 11:30                 = 2
    // Sorted: 0.5, 2, 3, 4, 11 → median 3; P90 (nearest rank ⌈0.9·5⌉ = 5th) = 11; 4 of 5 within target.
    expect(digest.total.responseTimes).toEqual({ answered: 5, medianWorkingHours: 3, p90WorkingHours: 11, withinTarget: 4, withinTargetShare: 0.8 });
    // Luchen: 0.5, 3, 4, 11 → median (3+4)/2 = 3.5; P90 = 4th = 11; 3 of 4.
    expect(sectionOf(digest, "luchen").responseTimes).toEqual({ answered: 4, medianWorkingHours: 3.5, p90WorkingHours: 11, withinTarget: 3, withinTargetShare: 0.75 });
    expect(sectionOf(digest, "kerkakkers").responseTimes).toEqual({ answered: 1, medianWorkingHours: 2, p90WorkingHours: 2, withinTarget: 1, withinTargetShare: 1 });
  });

  it("lists who waits longest at the end of the week, overdue first", () => {
    // 00107 since Tue 16:00: 1 + 8 + 8 + 7 = 24. 00080 reopened Thu 14:00: 3 + 7 = 10.
    // 00102 since Fri 15:00: 1. 00108 since Sun 23:59: 0.
    expect(digest.waitingLongest.map((w) => [w.reference, w.wijk, w.theme, w.workingHoursWaited, w.overTarget])).toEqual([
      ["WL-2026-00107", "kerkakkers", "overlast", 24, true],
      ["WL-2026-00080", "kerkakkers", "afval", 10, true],
      ["WL-2026-00102", "luchen", "verkeer", 1, false],
      ["WL-2026-00108", "kerkakkers", "gemeente", 0, false],
    ]);
    expect(digest.total.waiting).toEqual({ count: 4, overTarget: 2 });
    expect(sectionOf(digest, "luchen").waiting).toEqual({ count: 1, overTarget: 0 });
    expect(sectionOf(digest, "kerkakkers").waiting).toEqual({ count: 3, overTarget: 2 });
  });

  it("shows the six-week trend, this week last", () => {
    expect(digest.total.trend).toEqual([
      { week: "2026-W43", count: 1 },
      { week: "2026-W44", count: 6 },
      { week: "2026-W45", count: 8 },
      { week: "2026-W46", count: 5 },
      { week: "2026-W47", count: 7 },
      { week: "2026-W48", count: 9 },
    ]);
    expect(sectionOf(digest, "luchen").trend.map((t) => t.count)).toEqual([1, 2, 4, 1, 3, 5]);
  });

  it("lists the dialoogtafels held and coming, and the news of the week", () => {
    expect(digest.dialoogtafels.held.map((t) => [t.title, t.registered, t.capacity])).toEqual([["Dialoogtafel Luchen", 12, 20]]);
    expect(digest.dialoogtafels.coming.map((t) => [t.title, t.registered, t.capacity, t.waitlist])).toEqual([["Dialoogtafel Kerkakkers", 7, 30, 2]]);
    expect(digest.news.map((n) => n.title)).toEqual(["Fietspad Luchen wordt verbreed"]);
  });

  it("quotes residents pseudonymised, one per frequent theme, never an emergency", () => {
    expect(digest.quotes.map((q) => [q.wijk, q.theme, q.text])).toEqual([
      ["luchen", "verkeer", "Ik ben [naam] van de [adres]. Er wordt hier veel te hard gereden langs de school, bel me op [telefoon]."],
      ["kerkakkers", "groen", "Leuk idee: een bloemenlint langs de [adres]. Groeten, [naam]"],
      ["luchen", "groen", "Mijn naam is [naam]. Kunnen we op het grasveld bij [postcode] een pluktuin maken? Mail naar [e-mail]"],
    ]);
    const json = JSON.stringify(digest);
    for (const leak of PERSONAL_DATA) expect(json).not.toContain(leak);
    expect(json).not.toContain("ongeluk");
  });

  it("says satisfaction is not available yet, and puts the urgent things first", () => {
    expect(digest.satisfaction).toEqual({ available: false, text: "nog niet beschikbaar" });
    expect(digest.highlights[0]).toMatch(/^1 gesprek met een spoedsignaal/);
    expect(digest.highlights[1]).toBe("2 gesprekken wachten langer dan de servicenorm van 8 werkuren; het langst WL-2026-00107 (Kerkakkers, overlast): 24 werkuren.");
    expect(digest.highlights[2]).toBe("9 nieuwe gesprekken (gemiddeld 6,5 in de vier weken ervoor, +38%): 5 meldingen, 2 ideeën.");
    // The base of the response figures is said: first answers this week, not the conversations handed over this week.
    expect(digest.highlights).toContain(
      "Eerste reactie van de gemeente, op 5 gesprekken met een eerste antwoord deze week (ook eerder doorgezette): de helft binnen 3 werkuren, 9 van de 10 binnen 11 werkuren; 80% binnen de norm van 8 werkuren.",
    );
    expect(digest.highlights).toContain(
      "Eerstvolgende dialoogtafel (gezien vanaf maandag 30 november, 08:00): Dialoogtafel Kerkakkers (Kerkakkers), donderdag 10 december, 19:30, 7 van 30 plaatsen bezet.",
    );
    expect(digest.complete).toBe(true);
    expect(digest.period).toEqual({ start: "2026-11-22T23:00:00.000Z", end: "2026-11-29T23:00:00.000Z", label: "23 t/m 29 november 2026" });
  });

  it("survives a JSON round trip through its schema", () => {
    expect(WeeklyDigestSchema.parse(JSON.parse(renderDigest(digest).json))).toEqual(digest);
  });

  it("gives the same figures when built later (as of the end of the week)", () => {
    const later = buildWeeklyDigest(weekOfWethouderC({ generatedAt: new Date("2027-01-15T10:00:00Z") }), WEEK);
    expect(later.total).toEqual(digest.total);
    expect(later.waitingLongest).toEqual(digest.waitingLongest);
  });

  it("calls a dialoogtafel coming only when it is still to come at the moment the digest is made", () => {
    const afterTafel = buildWeeklyDigest(weekOfWethouderC({ generatedAt: new Date("2026-12-11T09:00:00Z") }), WEEK);
    expect(afterTafel.dialoogtafels.coming).toEqual([]);
    expect(afterTafel.highlights.join(" ")).not.toContain("dialoogtafel");
    const beforeTafel = buildWeeklyDigest(weekOfWethouderC({ generatedAt: new Date("2026-12-10T12:00:00Z") }), WEEK);
    expect(beforeTafel.dialoogtafels.coming.map((t) => t.title)).toEqual(["Dialoogtafel Kerkakkers"]);
    expect(beforeTafel.highlights.at(-1)).toMatch(/^Eerstvolgende dialoogtafel \(gezien vanaf donderdag 10 december, 13:00\)/);
  });
});

describe("buildWeeklyDigest on other weeks", () => {
  it("gives a calm, correct digest for a week without any activity", () => {
    const digest = buildWeeklyDigest(weekOfWethouderC({ conversations: [], previousWeeks: [], news: [], dialoogtafels: [], historyStartsAt: null }), WEEK);
    expect(digest.total.newConversations).toEqual({ count: 0, previousAverage: null, change: null, changePercent: null });
    expect(digest.total.byIntent).toEqual([]);
    expect(digest.total.byTheme).toEqual([]);
    expect(digest.total.responseTimes).toEqual({ answered: 0, medianWorkingHours: null, p90WorkingHours: null, withinTarget: 0, withinTargetShare: null });
    expect(digest.total.trend.map((t) => t.count)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(digest.waitingLongest).toEqual([]);
    expect(digest.quotes).toEqual([]);
    expect(digest.wijken.map((w) => w.slug)).toEqual(["kerkakkers", "luchen"]);
    expect(digest.highlights).toEqual(["Een rustige week: geen nieuwe gesprekken in uw wijken.", "Niemand wacht op een reactie van de gemeente."]);
    const rendered = renderDigest(digest);
    expect(rendered.subject).toBe("Wijklijn weekoverzicht week 48: een rustige week");
    expect(rendered.text).toContain("Niemand wacht op een reactie van de gemeente.");
    expect(rendered.html).not.toMatch(/NaN|undefined|Infinity/);
    expect(rendered.text).not.toMatch(/NaN|undefined|Infinity/);
  });

  it("compares only with weeks since Wijklijn's first conversation", () => {
    // Started on Wednesday of week 46: weeks 46 and 47 count. Luchen: (1 + 3) / 2 = 2.
    const digest = buildWeeklyDigest(weekOfWethouderC({ historyStartsAt: local("2026-11-11 10:00") }), WEEK);
    expect(sectionOf(digest, "luchen").newConversations).toEqual({ count: 5, previousAverage: 2, change: 3, changePercent: 150 });
  });

  it("lists a wijk without a wethouder in the gemeente overview only", () => {
    const heide = { id: "w-heide", slug: "heide", name: "Heide", wethouder: null };
    const data = weekOfWethouderC({
      audience: { kind: "gemeente" },
      wijken: [heide, KERKAKKERS, LUCHEN],
      conversations: [
        ...weekOfWethouderC().conversations,
        conversation({ reference: "WL-2026-00120", wijkId: "w-heide", intent: "melding", theme: "groen", created: "2026-11-25 10:00", open: "2026-11-25 10:00" }),
      ],
    });
    const overview = buildWeeklyDigest(data, WEEK);
    expect(overview.wijkenWithoutWethouder).toEqual([{ slug: "heide", name: "Heide" }]);
    expect(sectionOf(overview, "heide")).toMatchObject({ wethouder: null, newConversations: { count: 1 } });
    expect(overview.total.newConversations.count).toBe(10);
    expect(renderDigest(overview).text).toContain("Zonder wethouder: Heide.");
    // A wethouder's digest gets only their own wijken from the loader, and never lists others.
    const own = buildWeeklyDigest(weekOfWethouderC(), WEEK);
    expect(own.wijkenWithoutWethouder).toEqual([]);
    expect(own.wijken.map((w) => w.slug)).not.toContain("heide");
  });

  it("reports a week still going up to now", () => {
    const digest = buildWeeklyDigest(weekOfWethouderC({ generatedAt: local("2026-11-25 12:00") }), WEEK);
    expect(digest.complete).toBe(false);
    // By Wednesday noon: 00100, 00101, 00106, 00103, 00107 in the wijken.
    expect(digest.total.newConversations.count).toBe(5);
    // 00107 has waited since Tuesday 16:00: 1 + 3 = 4 working hours.
    expect(digest.waitingLongest.find((w) => w.reference === "WL-2026-00107")?.workingHoursWaited).toBe(4);
  });

  it("counts holidays as closed", () => {
    // Handed over Thursday 24 December 16:00, answered Monday 28 December 10:00: Christmas and
    // Boxing Day and the weekend do not count → 1 + 1 = 2 working hours.
    const data = weekOfWethouderC({
      conversations: [
        conversation({ reference: "WL-2026-00200", wijkId: LUCHEN.id, intent: "melding", theme: "groen", created: "2026-12-24 16:00", open: "2026-12-24 16:00", firstResponse: "2026-12-28 10:00" }),
      ],
      settings: testSettings,
      generatedAt: new Date("2027-01-04T07:00:00Z"),
    });
    expect(buildWeeklyDigest(data, "2026-W53").total.responseTimes.medianWorkingHours).toBe(2);
  });

  it("refuses a string that is not a week", () => {
    expect(() => buildWeeklyDigest(weekOfWethouderC(), "2026-48")).toThrow(/ISO week/);
  });
});

describe("median and percentile", () => {
  it("take the middle and the nearest rank", () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
    expect(percentile([7], 90)).toBe(7);
  });
});
