import { describe, expect, it } from "vitest";
import { buildWeeklyDigest } from "../../src/digests/buildWeeklyDigest.ts";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import { buildEvaluation, describeScores, evaluationCsv, type EvaluationConversationFact, lastMonths, summariseScores } from "../../src/trust/pilotFigures.ts";

const settings = loadFlows("flows").settings;

describe("the pilot figures", () => {
  it("give a mean and the share of 4 and 5 from 5 answers on, and below that only that they are few", () => {
    expect(summariseScores([5, 4, 4, 2, 3])).toEqual({ answers: 5, tooFew: false, average: 3.6, highShare: 0.6 });
    expect(summariseScores([1])).toEqual({ answers: 1, tooFew: true, average: null, highShare: null });
    expect(describeScores(summariseScores([1, 2]))).toBe("minder dan 5 antwoorden (te weinig om te tonen)");
    expect(describeScores(summariseScores([]))).toBe("nog geen antwoorden");
    expect(describeScores(summariseScores([4, 4, 4, 5, 3, 3]))).toBe("gemiddeld 3,8 van 5 (6 antwoorden)");
  });

  it("counts months in the gemeente's zone, oldest first", () => {
    const months = lastMonths(new Date("2027-01-10T12:00:00Z"), "Europe/Amsterdam", 3);
    expect(months.map((m) => m.key)).toEqual(["2026-11", "2026-12", "2027-01"]);
    expect(months[0]?.start.toISOString()).toBe("2026-10-31T23:00:00.000Z");
    expect(months[2]?.end.toISOString()).toBe("2027-01-31T23:00:00.000Z");
  });

  it("gives reach without singling anyone out: residents from 5, repeat residents only when neither they nor the others are few, small channels together", () => {
    const [month] = lastMonths(new Date("2026-11-15T12:00:00Z"), "Europe/Amsterdam", 1);
    if (!month) throw new Error("no month");
    const at = new Date("2026-11-10T10:00:00Z");
    const fact = (residentId: string, channel = "telegram"): EvaluationConversationFact => ({ wijkId: "w", residentId, channel, createdAt: at, emergency: null, responseWorkingHours: 2 });
    const many = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"].map((id) => fact(id));
    const [row] = buildEvaluation([month], { conversations: [...many, fact("a", "webchat")], feedback: [], trust: [] });
    expect(row).toMatchObject({ conversations: 11, residents: 10, repeatResidents: null, channels: [{ channel: "telegram", count: 10 }], otherChannels: null, medianResponseHours: 2 });
    const [few] = buildEvaluation([month], { conversations: [fact("a"), fact("a")], feedback: [], trust: [] });
    expect(few).toMatchObject({ residents: null, repeatResidents: null, channels: [], medianResponseHours: null });
  });

  it("writes CSV with the same suppression, quoted, and no formula a spreadsheet would run", () => {
    const [month] = lastMonths(new Date("2026-11-15T12:00:00Z"), "Europe/Amsterdam", 1);
    if (!month) throw new Error("no month");
    const [row] = buildEvaluation([month], {
      conversations: [{ wijkId: "w", residentId: "r", channel: "telegram", createdAt: new Date("2026-11-10T10:00:00Z"), emergency: null, responseWorkingHours: 1 }],
      feedback: [{ wijkId: "w", at: new Date("2026-11-11T10:00:00Z"), score: 1 }],
      trust: [],
    });
    if (!row) throw new Error("no row");
    const csv = evaluationCsv([{ wijk: "=cmd()", row }]);
    const [header, line] = csv.split("\r\n");
    expect(header?.split(";")[0]).toBe("\uFEFFWijk");
    // The figure columns stay numeric (empty where suppressed); the last column says what was left out.
    expect(line).toBe("'=cmd();2026-11;;;;;;;0;;;;;;Gesprekken: minder dan 5, Beantwoord: minder dan 5, Gehoord: minder dan 5, Bewoners: minder dan 5");
  });

  it("writes CSV for Excel in Dutch: a byte order mark, ';' between fields, a decimal comma and Dutch column names", () => {
    const [month] = lastMonths(new Date("2026-11-15T12:00:00Z"), "Europe/Amsterdam", 1);
    if (!month) throw new Error("no month");
    const at = new Date("2026-11-10T10:00:00Z");
    const [row] = buildEvaluation([month], {
      conversations: Array.from({ length: 6 }, (_, i) => ({ wijkId: "w", residentId: `r${i}`, channel: "webchat", createdAt: at, emergency: null, responseWorkingHours: 1.25 + i })),
      feedback: [5, 4, 4, 3, 2].map((score) => ({ wijkId: "w", at, score })),
      trust: [],
    });
    if (!row) throw new Error("no row");
    const csv = evaluationCsv([{ wijk: "mierlo-hout", row }]);
    expect(csv.startsWith("\uFEFFWijk;Periode;Gesprekken;Beantwoord;Eerste reactie mediaan (werkuren);Gehoord: antwoorden;")).toBe(true);
    expect(csv.split("\r\n")[1]).toBe("mierlo-hout;2026-11;6;6;3,8;5;3,6;60;0;;;6;;webchat:6;");
    expect(Buffer.from(csv, "utf8").subarray(0, 3).toString("hex")).toBe("efbbbf");
  });

  it("puts the week's feedback and the quarter's trust in the digest, and nothing but 'few' below 5 answers", () => {
    const base = {
      audience: { kind: "gemeente" as const },
      gemeente: { name: "Geldrop-Mierlo", timeZone: "Europe/Amsterdam" },
      settings,
      wijken: [],
      conversations: [],
      previousWeeks: [],
      historyStartsAt: null,
      news: [],
      dialoogtafels: [],
      generatedAt: new Date("2026-12-07T08:00:00+01:00"),
    };
    expect(buildWeeklyDigest(base, "2026-W49").satisfaction).toEqual({ available: false, text: "nog niet beschikbaar" });
    const inWeek = new Date("2026-12-02T10:00:00+01:00");
    const earlier = new Date("2026-10-20T10:00:00+02:00");
    const digest = buildWeeklyDigest(
      {
        ...base,
        scores: {
          feedback: [5, 4, 4, 5, 2].map((score) => ({ at: inWeek, score })),
          trust: [{ at: earlier, score: 2 }],
        },
      },
      "2026-W49",
    );
    expect(digest.satisfaction).toMatchObject({ available: true, feedback: { answers: 5, average: 4, highShare: 0.8 }, trust: { answers: 1, tooFew: true, average: null } });
    expect(digest.satisfaction.text).toBe(
      "gehoord gevoeld: gemiddeld 4 van 5 (5 antwoorden), 80% gaf een 4 of 5 deze week; vertrouwen in de gemeente: minder dan 5 antwoorden (te weinig om te tonen) in de laatste 13 weken",
    );
  });
});
