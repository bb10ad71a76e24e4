/**
 * The safety net in other languages: 112 and 113 in English, Turkish, Arabic, Polish, Ukrainian
 * and German, on the held-out split (test/fixtures/languages/safety-held-out.yaml, not in the
 * corpus) and on the corpus files (flows/triage/corpus/lang-*.yaml). Fails when one emergency of
 * the held-out split is missed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loadTriageModel } from "../../src/conversation/loadTriageModel.ts";
import { triageResidentText } from "../../src/conversation/residentTriage.ts";
import { checkSafetyInLanguages, foldForCues, loadSafetyLanguages, SafetyLanguagesError } from "../../src/conversation/safetyLanguages.ts";
import { EmergencySchema, IntentSchema, loadTriageLexicon, ThemeSchema, triageText } from "../../src/conversation/triage.ts";
import { DetectedLanguageSchema } from "../../src/domain/vocabulary.ts";

const languages = loadSafetyLanguages();
const lexicon = loadTriageLexicon();
const model = loadTriageModel();
const rules = { model, lexicon, languages };

const LineSchema = z.strictObject({ text: z.string().min(1), intent: IntentSchema, theme: ThemeSchema, emergency: EmergencySchema, lang: DetectedLanguageSchema });
const read = (url: URL) => z.array(LineSchema).parse(parse(readFileSync(url, "utf8")));
const heldOut = read(new URL("../fixtures/languages/safety-held-out.yaml", import.meta.url));
const corpus = (["en", "tr", "ar", "pl", "uk", "de"] as const).flatMap((language) => read(new URL(`../../flows/triage/corpus/lang-${language}.yaml`, import.meta.url)));

type Line = z.infer<typeof LineSchema>;

function score(lines: Line[]) {
  const results = lines.map((line) => ({ line, result: triageResidentText(line.text, rules) }));
  const recall = (kind: "112" | "113") => {
    const expected = results.filter(({ line }) => line.emergency === kind);
    return {
      caught: expected.filter(({ result }) => result.emergency === kind).length,
      total: expected.length,
      missed: expected.filter(({ result }) => result.emergency !== kind).map(({ line }) => line.text),
    };
  };
  const calm = results.filter(({ line }) => line.emergency === null);
  const alarms = calm.filter(({ result }) => result.emergency !== null).map(({ line }) => line.text);
  const language = results.filter(({ line, result }) => result.detectedLanguage === line.lang).length;
  return { recall112: recall("112"), recall113: recall("113"), alarms, calm: calm.length, language, total: results.length };
}

function report(name: string, figures: ReturnType<typeof score>): void {
  const { recall112, recall113, alarms, calm, language, total } = figures;
  console.log(
    `${name}: ${total} messages  112 caught ${recall112.caught}/${recall112.total}  113 caught ${recall113.caught}/${recall113.total}  false alarms ${alarms.length}/${calm}  language ${language}/${total}`,
  );
}

describe("112 and 113 in other languages", () => {
  it("catches every emergency and crisis of the held-out split, with few false alarms", () => {
    const figures = score(heldOut);
    report("other languages, held out", figures);
    expect(figures.recall112.missed, "every 112 message caught").toEqual([]);
    expect(figures.recall113.missed, "every 113 message caught").toEqual([]);
    expect(figures.alarms.length, figures.alarms.join("\n")).toBeLessThanOrEqual(1);
    expect(figures.language).toBe(figures.total);
  });

  it("catches every emergency of the corpus files, and false alarms stay under 2%", () => {
    const figures = score(corpus);
    report("other languages, corpus", figures);
    expect([...figures.recall112.missed, ...figures.recall113.missed]).toEqual([]);
    expect(figures.alarms.length / figures.calm, figures.alarms.join("\n")).toBeLessThan(0.02);
  });

  it("adds no false alarm to Dutch messages and loses no Dutch emergency", () => {
    const DutchSchema = z.array(z.object({ text: z.string(), emergency: EmergencySchema, lang: z.string().default("nl") }).loose());
    const dutch = [
      ...DutchSchema.parse(parse(readFileSync(new URL("../../flows/triage/corpus/base.yaml", import.meta.url), "utf8"))),
      ...DutchSchema.parse(parse(readFileSync(new URL("../../flows/triage/corpus/batch-1.yaml", import.meta.url), "utf8"))),
    ].filter((line) => line.lang === "nl");
    const changed = dutch.filter(({ text, emergency }) => {
      const before = triageText(text, lexicon, model).emergency;
      const after = triageResidentText(text, rules).emergency;
      return (emergency === null && before === null && after !== null) || (emergency !== null && before === emergency && after !== emergency);
    });
    expect(changed.map(({ text }) => text)).toEqual([]);
  });

  it("reads Turkish without diacritics, Polish without ogonki and Arabic without hamza the same", () => {
    expect(foldForCues("Yangın çıktı")).toBe(foldForCues("yangin cikti"));
    expect(foldForCues("Pożar, dużo dymu")).toBe("pozar duzo dymu");
    expect(foldForCues("أريد")).toBe(foldForCues("اريد"));
    expect(checkSafetyInLanguages("yangin var", languages)).toMatchObject({ emergency: "112", language: "tr" });
  });

  it("lets 113 win over 112 and names the language of the cues", () => {
    expect(checkSafetyInLanguages("ich habe Tabletten gesammelt und will sterben, ruft die Polizei", languages)).toMatchObject({ emergency: "113", language: "de" });
  });

  it("puts a 112 cue in the past with a calm word, and back in the present with a now word", () => {
    expect(checkSafetyInLanguages("there was a fire last week", languages).emergency).toBeNull();
    expect(checkSafetyInLanguages("there was a fire last week, and right now the shed next door is on fire", languages).emergency).toBe("112");
    expect(triageResidentText("last week there was an accident at the junction, it needs a sign", rules).emergency).toBeNull();
  });

  it("ignores everyday phrases with a cue word in them", () => {
    for (const text of ["ich lach mich tot 😂", "umieram ze śmiechu", "potrzebuję pomocy z pismem", "gülmekten öldüm"]) expect(checkSafetyInLanguages(text, languages).emergency, text).toBeNull();
  });

  it("answers an emergency in the language of its cue when the text was too short to tell", () => {
    const result = triageResidentText("Pomocy!", rules);
    expect(result).toMatchObject({ emergency: "112", answerLanguage: "pl" });
  });

  it("refuses a broken cue file with its line", () => {
    const dir = mkdtempSync(join(tmpdir(), "wijklijn-cues-"));
    const file = join(dir, "safety-languages.yaml");
    writeFileSync(file, readFileSync(new URL("../../flows/triage/safety-languages.yaml", import.meta.url), "utf8").replace("      - yangin*\n", "      - yan*gin\n"));
    expect(() => loadSafetyLanguages(file)).toThrow(SafetyLanguagesError);
    expect(() => loadSafetyLanguages(file)).toThrow(/line \d+, languages\.tr\.112\.\d+: a "\*" may only stand/);
  });
});
