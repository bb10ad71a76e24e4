import { describe, expect, it } from "vitest";
import { hiddenSumRevealsACell, suppressComplementary, type Cell, type SumGroup } from "../../src/trust/disclosureControl.ts";
import { buildEvaluation, type EvaluationConversationFact, evaluationCsv, lastMonths, protectEvaluation, type ScoreFact } from "../../src/trust/pilotFigures.ts";

const cellsOf = (values: Record<string, number>, unpublished: string[] = []): Cell[] => Object.entries(values).map(([key, value]) => ({ key, value, published: !unpublished.includes(key) }));

describe("complementary suppression", () => {
  it("hides the next smallest wijk too when one wijk is small, so the total minus the others gives nothing away", () => {
    const cells = cellsOf({ total: 31, a: 12, b: 3, c: 9, d: 7 });
    const groups: SumGroup[] = [{ total: "total", members: ["a", "b", "c", "d"] }];
    const states = suppressComplementary(cells, groups);
    expect(Object.fromEntries(states)).toEqual({ total: "shown", a: "shown", b: "small", c: "shown", d: "hidden" });
  });

  it("hides a third cell when the two hidden ones would add up to a sum with one answer (1 + 5 = 6)", () => {
    const states = suppressComplementary(cellsOf({ total: 26, a: 20, b: 1, c: 5 }), [{ total: "total", members: ["a", "b", "c"] }]);
    // 26 − 20 = 6 = a small one (at least 1) plus a hidden one (at least 5): both would be known.
    expect(states.get("b")).toBe("small");
    expect(states.get("c")).toBe("hidden");
    expect(states.get("a")).toBe("hidden");
  });

  it("follows sums through a table with margins: a hidden row total cannot be had from the other margin", () => {
    // Two wijken × two months, with month totals and wijk totals.
    const cells = cellsOf({ a1: 2, a2: 10, b1: 8, b2: 9, t1: 10, t2: 19, ra: 12, rb: 17 });
    const groups: SumGroup[] = [
      { total: "t1", members: ["a1", "b1"] },
      { total: "t2", members: ["a2", "b2"] },
      { total: "ra", members: ["a1", "a2"] },
      { total: "rb", members: ["b1", "b2"] },
    ];
    const states = suppressComplementary(cells, groups);
    const known = new Map([...states].filter(([, state]) => state === "shown").map(([key]) => [key, cells.find((cell) => cell.key === key)?.value ?? 0]));
    // Solve the sums one unknown at a time, as a reader would: a1 must stay unknown.
    let changed = true;
    while (changed) {
      changed = false;
      for (const group of groups) {
        const unknown = [group.total, ...group.members].filter((key) => !known.has(key));
        if (unknown.length !== 1 || unknown[0] === undefined) continue;
        const rest = group.members.filter((key) => known.has(key)).reduce((sum, key) => sum + (known.get(key) ?? 0), 0);
        known.set(unknown[0], unknown[0] === group.total ? rest : (known.get(group.total) ?? 0) - rest);
        changed = true;
      }
    }
    expect(known.has("a1")).toBe(false);
    expect(states.get("a1")).toBe("small");
  });

  it("knows when a sum of hidden small cells leaves one possibility", () => {
    expect(hiddenSumRevealsACell(3, 1)).toBe(true);
    expect(hiddenSumRevealsACell(2, 2)).toBe(true);
    expect(hiddenSumRevealsACell(8, 2)).toBe(true);
    expect(hiddenSumRevealsACell(5, 2)).toBe(false);
  });
});

describe("the protected evaluation table", () => {
  const now = new Date("2026-11-15T12:00:00Z");
  const periods = lastMonths(now, "Europe/Amsterdam", 3);
  const at = new Date("2026-11-10T10:00:00Z");
  const conversation = (wijkId: string, residentId: string, channel = "telegram"): EvaluationConversationFact => ({
    wijkId,
    residentId,
    channel,
    createdAt: at,
    emergency: null,
    responseWorkingHours: 2,
  });
  const many = (wijkId: string, count: number, channel = "telegram") => Array.from({ length: count }, (_, i) => conversation(wijkId, `${wijkId}-${channel}-${i}`, channel));
  const scores = (wijkId: string, values: number[]): ScoreFact[] => values.map((score) => ({ wijkId, at, score }));

  function protect(facts: { conversations: EvaluationConversationFact[]; feedback: ScoreFact[]; trust: ScoreFact[] }, wijken: string[]) {
    const of = (wijkId: string) => ({
      conversations: facts.conversations.filter((fact) => fact.wijkId === wijkId),
      feedback: facts.feedback.filter((fact) => fact.wijkId === wijkId),
      trust: facts.trust.filter((fact) => fact.wijkId === wijkId),
    });
    const whole = { key: "all", label: "alles", start: periods[0]?.start ?? now, end: periods[2]?.end ?? now };
    return protectEvaluation({
      totals: buildEvaluation(periods, facts),
      wijken: wijken.map((key) => ({ key, monthly: buildEvaluation(periods, of(key)), windows: buildEvaluation([whole], of(key)) })),
      windows: [[0, 1, 2]],
    });
  }

  it("does not let the all-wijken month minus the other wijken give a small wijk's conversations or feedback away", () => {
    const table = protect(
      {
        conversations: [...many("a", 12), ...many("b", 3), ...many("c", 9)],
        feedback: [...scores("a", [5, 5, 4, 4, 4, 3]), ...scores("b", [1]), ...scores("c", [4, 4, 4, 4, 5])],
        trust: [],
      },
      ["a", "b", "c"],
    );
    const november = 2;
    const total = table.totals[november];
    const [a, b, c] = table.wijken.map((wijk) => wijk.monthly[november]);
    if (!total || !a || !b || !c) throw new Error("no rows");
    expect(total.states.conversations).toBe("shown");
    expect(b.states.conversations).toBe("small");
    // The next smallest wijk is hidden too, so 24 − 12 − ? leaves b open.
    expect(c.states.conversations).toBe("hidden");
    expect(a.states.conversations).toBe("shown");
    // Feedback: the all-wijken mean over 12 answers minus a's and c's would give b's single score.
    expect(b.states.feedback).toBe("small");
    expect(c.states.feedback).toBe("hidden");
    expect(c.feedback.average).toBeNull();
    // The wijk totals over the period, beside the months, give nothing away either.
    expect(table.wijken[1]?.windows[0]?.states.conversations).toBe("small");
    expect(table.wijken[2]?.windows[0]?.states.conversations).toBe("hidden");
    const csv = evaluationCsv([{ wijk: "alle-wijken", row: total }, ...table.wijken.map((wijk) => ({ wijk: wijk.key, row: wijk.monthly[november] ?? total }))]);
    const line = (wijk: string) =>
      csv
        .split("\r\n")
        .find((l) => l.startsWith(`${wijk};2026-11;`))
        ?.split(";") ?? [];
    // Suppressed counts are empty cells, and the last column says which and why.
    expect(line("c")[2]).toBe("");
    expect(line("c").at(-1)).toContain("Gesprekken: verborgen");
    expect(line("b")[2]).toBe("");
    expect(line("b").at(-1)).toContain("Gesprekken: minder dan 5");
  });

  it("does not let a month's conversations minus its shown channels give a small channel away", () => {
    const table = protect({ conversations: [...many("a", 10, "telegram"), ...many("a", 6, "whatsapp"), ...many("a", 2, "webchat")], feedback: [], trust: [] }, ["a"]);
    const row = table.totals[2];
    if (!row) throw new Error("no row");
    // 18 − 10 − 6 would be webchat's 2: whatsapp goes into "andere" too.
    expect(row.channels).toEqual([{ channel: "telegram", count: 10 }]);
    expect(row.otherChannels).toBe(8);
  });

  it("does not show repeat residents when the residents minus them would be few", () => {
    const repeaters = Array.from({ length: 6 }, (_, i) => [conversation("a", `r${i}`), conversation("a", `r${i}`)]).flat();
    const table = protect({ conversations: [...repeaters, conversation("a", "once-1"), conversation("a", "once-2")], feedback: [], trust: [] }, ["a"]);
    expect(table.totals[2]).toMatchObject({ residents: 8, repeatResidents: null });
  });
});
