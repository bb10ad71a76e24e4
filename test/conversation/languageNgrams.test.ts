/**
 * The language scores from Wijklijn's cut of ELD's database (src/conversation/languageNgrams.ts)
 * are ELD's own: compared with the `eld` package itself, on every text of the triage corpus and on
 * texts in the scripts and shapes ELD handles in its own ways (cut-offs, astral characters, apostrophes).
 */
import { eld } from "eld/small";
import { describe, expect, it } from "vitest";
import { loadLanguageNgrams, NGRAM_LANGUAGES } from "../../src/conversation/languageNgrams.ts";
import { loadTriageCorpus } from "../../src/conversation/triageCorpus.ts";

const ngrams = loadLanguageNgrams();
const LATIN = ["nl", "en", "de", "tr", "az", "pl", "fr", "es", "it", "pt", "ro", "hu", "cs", "sk"];
const CYRILLIC = ["uk", "ru", "be", "bg"];

function eldScores(text: string, languages: string[]): Record<string, number> {
  const detector = eld.newInstance();
  detector.setLanguageSubset(languages);
  return detector.detect(text).getScores();
}

describe("the language n-grams", () => {
  it("keep the languages the detection chooses from", () => {
    expect([...NGRAM_LANGUAGES].sort()).toEqual([...LATIN, ...CYRILLIC].sort());
  });

  it("score every corpus text as ELD does, for the Latin and the Cyrillic languages", () => {
    const latin = eld.newInstance();
    latin.setLanguageSubset(LATIN);
    const cyrillic = eld.newInstance();
    cyrillic.setLanguageSubset(CYRILLIC);
    const texts = loadTriageCorpus().messages.map((message) => message.text);
    expect(texts.length).toBeGreaterThan(5000);
    const differ = texts.filter((text) => {
      const ours = [ngrams.scores(text, LATIN), ngrams.scores(text, CYRILLIC)];
      const theirs = [latin.detect(text).getScores(), cyrillic.detect(text).getScores()];
      return JSON.stringify(ours) !== JSON.stringify(theirs);
    });
    expect(differ).toEqual([]);
  });

  it("agrees on edge cases: long text, emoji and astral letters, apostrophes, digits only, nothing", () => {
    const cases = [
      "de lantaarnpaal bij ons in de straat is al drie weken kapot en niemand doet er iets aan ".repeat(20),
      "w".repeat(200),
      "we don’t know what's happening 🙂 𝒜𝓁𝓁 𝒾𝓈 𝓌𝑒𝓁𝓁 😀 𠜎𠜱",
      "l'eau n'est pas là, c'est fini",
      "12345 678",
      "",
      "   ",
      "ab",
      "Ця вулиця потребує ремонту, будь ласка",
      "Привет, как дела? Всё хорошо",
      "Çöp kutusu dolu, lütfen boşaltın",
      "Śmieci leżą na ulicy już od tygodnia",
    ];
    for (const text of cases) {
      expect(ngrams.scores(text, LATIN), text).toEqual(eldScores(text, LATIN));
      expect(ngrams.scores(text, CYRILLIC), text).toEqual(eldScores(text, CYRILLIC));
    }
  });

  it("returns the scores highest first, each between 0 and 1", () => {
    const scores = Object.values(ngrams.scores("the streetlight in front of my house has been broken for a week", LATIN));
    expect(scores.length).toBeGreaterThan(3);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const score of scores) expect(score > 0 && score < 1).toBe(true);
  });
});
