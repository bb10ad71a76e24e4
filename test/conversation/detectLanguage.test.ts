/**
 * Language identification of resident messages, on a held-out set of short messages
 * (test/fixtures/languages/language-id.yaml) that nobody tuned on, and on the labelled corpora.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { detectResidentLanguage } from "../../src/conversation/detectLanguage.ts";
import { loadSafetyLanguages } from "../../src/conversation/safetyLanguages.ts";
import { loadTriageLexicon } from "../../src/conversation/triage.ts";
import { DetectedLanguageSchema } from "../../src/domain/vocabulary.ts";

const rules = loadSafetyLanguages();
const functionWords = loadTriageLexicon().language;
const detect = (text: string) => detectResidentLanguage(text, rules, functionWords);

const LanguageIdSchema = z.array(z.strictObject({ text: z.string().min(1), lang: DetectedLanguageSchema }));
const heldOut = LanguageIdSchema.parse(parse(readFileSync(new URL("../fixtures/languages/language-id.yaml", import.meta.url), "utf8")));
const DutchSchema = z.array(z.object({ text: z.string(), lang: z.string().default("nl") }).loose());
const dutch = [
  ...DutchSchema.parse(parse(readFileSync(new URL("../../flows/triage/corpus/batch-1.yaml", import.meta.url), "utf8"))),
  ...DutchSchema.parse(parse(readFileSync(new URL("../../flows/triage/corpus/base.yaml", import.meta.url), "utf8"))),
].filter((message) => message.lang === "nl");

describe("language identification", () => {
  it("tells the seven languages apart on short held-out messages", () => {
    const perLanguage = new Map<string, { right: number; total: number }>();
    const wrong: string[] = [];
    for (const { text, lang } of heldOut) {
      const guess = detect(text);
      const counts = perLanguage.get(lang) ?? { right: 0, total: 0 };
      counts.total++;
      if (guess.language === lang) counts.right++;
      else wrong.push(`${lang} → ${guess.language}: ${text}`);
      perLanguage.set(lang, counts);
    }
    const right = [...perLanguage.values()].reduce((sum, counts) => sum + counts.right, 0);
    console.log(
      `language id, held out: ${right}/${heldOut.length} (${((100 * right) / heldOut.length).toFixed(1)}%)  ${[...perLanguage].map(([lang, counts]) => `${lang} ${counts.right}/${counts.total}`).join(", ")}`,
    );
    expect(right / heldOut.length, wrong.join("\n")).toBeGreaterThanOrEqual(0.95);
  });

  it("never reads short Dutch with typos and dialect as German, Turkish or another language it answers in", () => {
    const misread = [...heldOut.filter((message) => message.lang === "nl"), ...dutch].flatMap(({ text }) => {
      const guess = detect(text);
      return guess.confident && guess.language !== "nl" && guess.language !== "en" ? [`${guess.language}: ${text}`] : [];
    });
    expect(misread).toEqual([]);
  });

  it("reads the script first: Arabic is Arabic, Cyrillic with і/ї/є is Ukrainian, with ы/э is another language", () => {
    expect(detect("مرحبا")).toEqual({ language: "ar", confident: true });
    expect(detect("дякую")).toEqual({ language: "uk", confident: true });
    expect(detect("Мы хотим поговорить с кем-нибудь")).toEqual({ language: "other", confident: true });
  });

  it("keeps Dutch, unsure, for a single word, a postcode or a number", () => {
    for (const text of ["hallo", "herrie!!!", "5662 AB", "12", "👍", "ok"]) expect(detect(text), text).toEqual({ language: "nl", confident: false });
  });

  it("reads a short English message with a postcode as English, not German (the postcode's letters are no word)", () => {
    expect(detect("hello, I live in 5731 AB")).toEqual({ language: "en", confident: true });
    expect(detect("hi, my postcode is 5664AB").language).toBe("en");
    expect(detect("hallo, ik woon in 5731 AB").language).toBe("nl");
    expect(detect("guten Tag, ich wohne in 5731 AB").language).toBe("de");
  });

  it("lets a hint word decide a message too short for the model", () => {
    expect(detect("merhaba")).toEqual({ language: "tr", confident: true });
    expect(detect("dziękuję")).toEqual({ language: "pl", confident: true });
    expect(detect("Moin")).toEqual({ language: "de", confident: true });
  });

  it("reads Turkish typed without ç ğ ı ö ş ü as Turkish (not Azerbaijani)", () => {
    expect(detect("yardim edin ates var").language).toBe("tr");
    expect(detect("babam dustu nefes almiyor").language).toBe("tr");
  });

  it("recognises the corpus files' own languages", () => {
    for (const language of ["en", "tr", "ar", "pl", "uk", "de"] as const) {
      const lines = z.array(z.object({ text: z.string(), lang: z.string() }).loose()).parse(parse(readFileSync(new URL(`../../flows/triage/corpus/lang-${language}.yaml`, import.meta.url), "utf8")));
      const right = lines.filter(({ text }) => detect(text).language === language).length;
      expect(right / lines.length, language).toBeGreaterThanOrEqual(0.95);
    }
  });

  it("classifies a message in well under a millisecond", () => {
    const start = performance.now();
    for (let i = 0; i < 500; i++) detect(i % 2 ? "de lantaarnpaal bij ons in de straat is kapot" : "sokak lambası iki haftadır yanmıyor");
    expect((performance.now() - start) / 500).toBeLessThan(1);
  });
});
