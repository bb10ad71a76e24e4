import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { EmergencySchema, IntentSchema, ThemeSchema, TriageLexiconError, detectLanguage, explainTriage, loadTriageLexicon, triageText, type TriageResult } from "../../src/conversation/triage.ts";

const FIXTURE_PATH = fileURLToPath(new URL("../fixtures/triage-messages.yaml", import.meta.url));

const LabelledMessageSchema = z.strictObject({
  text: z.string().min(1),
  intent: IntentSchema,
  theme: ThemeSchema,
  emergency: EmergencySchema,
});
type LabelledMessage = z.infer<typeof LabelledMessageSchema>;

const lexicon = loadTriageLexicon();
const fixture = z
  .array(LabelledMessageSchema)
  .min(180)
  .parse(parse(readFileSync(FIXTURE_PATH, "utf8")));

type Outcome = { message: LabelledMessage; result: TriageResult };
const outcomes: Outcome[] = fixture.map((message) => ({ message, result: triageText(message.text, lexicon) }));

type Tally = { label: string; total: number; correct: number };

function tallyBy(labels: readonly string[], pick: (outcome: Outcome) => { expected: string; actual: string }): Tally[] {
  return labels.map((label) => {
    const relevant = outcomes.filter((outcome) => pick(outcome).expected === label);
    return {
      label,
      total: relevant.length,
      correct: relevant.filter((outcome) => pick(outcome).actual === label).length,
    };
  });
}

function formatPercent(correct: number, total: number): string {
  return total === 0 ? "   -  " : `${((100 * correct) / total).toFixed(1).padStart(5)}%`;
}

function formatTable(title: string, tallies: Tally[]): string {
  const width = Math.max(title.length, ...tallies.map((tally) => tally.label.length));
  const rows = tallies.map((tally) => `  ${tally.label.padEnd(width)}  ${String(tally.correct).padStart(3)}/${String(tally.total).padEnd(3)}  ${formatPercent(tally.correct, tally.total)}`);
  return [`  ${title.padEnd(width)}  right/n   accuracy`, ...rows].join("\n");
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

const intentAccuracy = outcomes.filter((o) => o.result.intent === o.message.intent).length / outcomes.length;
const themeAccuracy = outcomes.filter((o) => o.result.theme === o.message.theme).length / outcomes.length;
const missedEmergencies = outcomes.filter((o) => o.message.emergency !== null && o.result.emergency !== o.message.emergency);
const falseEmergencies = outcomes.filter((o) => o.message.emergency === null && o.result.emergency !== null);
const expectedEmergencies = outcomes.filter((o) => o.message.emergency !== null).length;

function printReport(): void {
  const mistakes = outcomes.filter((o) => o.result.intent !== o.message.intent || o.result.theme !== o.message.theme);
  const lines = [
    "",
    `Triage report — ${outcomes.length} labelled messages (test/fixtures/triage-messages.yaml)`,
    "",
    formatTable(
      "intent",
      tallyBy(IntentSchema.options, (o) => ({ expected: o.message.intent, actual: o.result.intent })),
    ),
    "",
    formatTable(
      "theme",
      tallyBy(ThemeSchema.options, (o) => ({ expected: o.message.theme, actual: o.result.theme })),
    ),
    "",
    `  overall intent accuracy   ${formatPercent(intentAccuracy * outcomes.length, outcomes.length)}  (required ≥ 90%)`,
    `  overall theme accuracy    ${formatPercent(themeAccuracy * outcomes.length, outcomes.length)}  (required ≥ 80%)`,
    `  emergencies               ${expectedEmergencies - missedEmergencies.length}/${expectedEmergencies} found, ` +
      `${missedEmergencies.length} missed, ${falseEmergencies.length} false alarms (required: 0 and 0)`,
    "",
    mistakes.length === 0 ? "  no mistakes" : `  mistakes (${mistakes.length}): expected → got`,
    ...mistakes.map((o) => `  - ${truncate(o.message.text, 70).padEnd(70)}  ${o.message.intent}/${o.message.theme} → ` + `${o.result.intent}/${o.result.theme} (${o.result.confidence.intent})`),
    "",
  ];
  console.log(lines.join("\n"));
}

describe("triage of the labelled resident messages", () => {
  printReport();

  it("covers every intent and every theme several times", () => {
    for (const intent of IntentSchema.options) {
      expect(fixture.filter((m) => m.intent === intent).length, intent).toBeGreaterThanOrEqual(5);
    }
    for (const theme of ThemeSchema.options) {
      expect(fixture.filter((m) => m.theme === theme).length, theme).toBeGreaterThanOrEqual(5);
    }
    expect(fixture.filter((m) => m.emergency === "112").length).toBeGreaterThanOrEqual(12);
    expect(fixture.filter((m) => m.emergency === "113").length).toBeGreaterThanOrEqual(8);
  });

  it("recognises the intent of at least 90% of the messages", () => {
    expect(intentAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  it("recognises the theme of at least 80% of the messages", () => {
    expect(themeAccuracy).toBeGreaterThanOrEqual(0.8);
  });

  it("misses no emergency and raises no false alarm", () => {
    expect(missedEmergencies.map((o) => o.message.text)).toEqual([]);
    expect(falseEmergencies.map((o) => o.message.text)).toEqual([]);
  });

  it("gives every result confidences between 0 and 1", () => {
    for (const { result } of outcomes) {
      expect(result.confidence.intent).toBeGreaterThanOrEqual(0);
      expect(result.confidence.intent).toBeLessThanOrEqual(1);
      expect(result.confidence.theme).toBeGreaterThanOrEqual(0);
      expect(result.confidence.theme).toBeLessThanOrEqual(1);
    }
  });
});

describe("triageText", () => {
  it("folds accents: suïcide is suicide and sends to 113", () => {
    const result = triageText("Ik denk de laatste tijd aan suïcide", lexicon);
    expect(result).toMatchObject({ intent: "crisis", emergency: "113", theme: "zorg-welzijn" });
  });

  it("tolerates one typo in long words", () => {
    expect(triageText("ik denk aan zelfmoort", lexicon).emergency).toBe("113");
    expect(triageText("ik ben bewustelos geweest en lig op straat", lexicon).emergency).toBe("112");
    expect(triageText("de lantaarnpal bij ons doet het niet", lexicon)).toMatchObject({
      intent: "melding",
      theme: "onderhoud",
    });
    expect(triageText("de klikko is niet geleegd", lexicon).theme).toBe("afval");
  });

  it("matches stems, split compounds, capitals and stretched letters", () => {
    expect(triageText("STOEPTEGELS LIGGEN LOS!!!", lexicon).theme).toBe("onderhoud");
    expect(triageText("overal honden poep op het veldje", lexicon)).toMatchObject({ intent: "melding", theme: "overlast" });
    expect(triageText("hoiiii", lexicon).intent).toBe("groet");
  });

  it("does not take a short word for a longer one ('staat' is not 'straat')", () => {
    expect(triageText("de lamp staat aan", lexicon).theme).not.toBe("verkeer");
  });

  it("does not read a common word as a typo of an emergency cue", () => {
    for (const text of [
      "de containers stinken enorm", // stinken is not stikken
      "de bloemen bloeien mooi in het park", // bloeien is not bloeden
      "ik heb het al twee keer gemeld", // gemeld is not geweld
      "het is hier niet gezond meer met die uitlaatgassen", // gezond is not gewond
      "schiet eens op met die lantaarnpaal", // schiet op: hurry up
    ]) {
      expect(triageText(text, lexicon).emergency, text).toBeNull();
    }
  });

  it("recognises plurals and diminutives of whole-word cues", () => {
    expect(triageText("de drempels zijn veel te hoog", lexicon).theme).toBe("verkeer");
    expect(triageText("alle bankjes in het park zijn kapot", lexicon).theme).toBe("onderhoud");
  });

  it("keeps '=' phrases together: 'de vijver zijn in' is not 'de vijver in'", () => {
    expect(triageText("de wilgen bij de vijver zijn in jaren niet geknot", lexicon).emergency).toBeNull();
    expect(triageText("er rijdt een auto de vijver in!", lexicon).emergency).toBe("112");
  });

  it("lets an emergency win over a greeting and a melding", () => {
    expect(triageText("hoi, er is brand in de container bij de flat", lexicon)).toMatchObject({
      intent: "spoed",
      emergency: "112",
    });
  });

  it("raises no emergency for harmless look-alikes", () => {
    for (const text of [
      "de brandweerkazerne is mooi opgeknapt",
      "ik heb een idee voor de speeltuin, help je mee?",
      "ik ga dood van het lawaai van de buren",
      "ik wil een einde maken aan de overlast van de hangjongeren",
      "er ligt glas op straat bij de glasbak",
      "vorige week was er een brand in de schuur, wie ruimt het puin op?",
      "kunnen jullie me helpen met de afvalkalender?",
      "de gasleiding wordt vervangen, hoe lang duurt dat?",
    ]) {
      expect(triageText(text, lexicon).emergency, text).toBeNull();
    }
  });

  it("answers onbekend with low confidence when it cannot tell", () => {
    for (const text of ["mijn kat heet Pietje", "ja", "blabla", "", "🙂"]) {
      const result = triageText(text, lexicon);
      expect(result.intent, text).toBe("onbekend");
      expect(result.theme, text).toBe("overig");
      expect(result.confidence.intent, text).toBeLessThan(0.3);
    }
  });

  it("is more confident about a clear melding than about an unclear one", () => {
    const clear = triageText("de lantaarnpaal is kapot en doet het al weken niet", lexicon);
    const vague = triageText("lantaarnpaal", lexicon);
    expect(clear.confidence.intent).toBeGreaterThan(vague.confidence.intent);
  });

  it("is deterministic", () => {
    const text = "Er wordt keihard gereden in onze straat, graag een drempel";
    expect(triageText(text, lexicon)).toEqual(triageText(text, lexicon));
  });

  it("explains which cues decided", () => {
    const explanation = explainTriage("kliko niet geleegd", lexicon);
    expect(explanation.matches.themes.afval).toHaveProperty("kliko*");
    expect(explanation.matches.intents.melding).toHaveProperty("niet geleegd");
  });
});

describe("language detection", () => {
  it("detects English", () => {
    expect(triageText("The street light outside my house is broken", lexicon)).toMatchObject({
      language: "en",
      intent: "melding",
      theme: "onderhoud",
    });
    expect(detectLanguage("I want to talk to someone about the playground", lexicon)).toBe("en");
    expect(triageText("I don't want to live anymore", lexicon)).toMatchObject({ language: "en", emergency: "113" });
  });

  it("detects Dutch, also when it borrows English words", () => {
    expect(detectLanguage("de container bij de flat is vol", lexicon)).toBe("nl");
    expect(detectLanguage("ik wil updates over de wijk", lexicon)).toBe("nl");
  });
});

describe("loadTriageLexicon", () => {
  const folder = mkdtempSync(join(tmpdir(), "wijklijn-lexicon-"));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("rejects a lexicon with a missing theme and a bad weight, naming the file and the problem", () => {
    const file = join(folder, "broken.yaml");
    const source = readFileSync(fileURLToPath(new URL("../../flows/triage/lexicon.yaml", import.meta.url)), "utf8")
      .replace(/^ {2}jeugd:\n(?: {4}.*\n)+/m, "")
      .replace("    defect: 2\n", "    defect: heel erg\n");
    writeFileSync(file, source);

    expect(() => loadTriageLexicon(file)).toThrow(TriageLexiconError);
    try {
      loadTriageLexicon(file);
    } catch (error) {
      expect(error).toBeInstanceOf(TriageLexiconError);
      const message = error instanceof Error ? error.message : "";
      expect(message).toContain(file);
      expect(message).toMatch(/themes\.jeugd/);
      expect(message).toMatch(/line \d+, intents\.melding\.defect: .*number/);
    }
  });

  it("rejects a misplaced star in a cue", () => {
    const file = join(folder, "star.yaml");
    const source = readFileSync(fileURLToPath(new URL("../../flows/triage/lexicon.yaml", import.meta.url)), "utf8").replace("    defect: 2\n", "    de*fect: 2\n");
    writeFileSync(file, source);
    expect(() => loadTriageLexicon(file)).toThrow(/intents\.melding\.de\*fect: a "\*" may only stand/);
  });

  it("rejects a file that is not valid YAML, with the line", () => {
    const file = join(folder, "not-yaml.yaml");
    writeFileSync(file, "version: 1\nsettings:\n  typoMinLength: 6\n  typoMinLength: 7\n");
    expect(() => loadTriageLexicon(file)).toThrow(/not-yaml\.yaml[\s\S]*line 4/);
  });

  it("says so when the file does not exist", () => {
    expect(() => loadTriageLexicon(join(folder, "missing.yaml"))).toThrow(/missing\.yaml[\s\S]*cannot be read/);
  });
});
