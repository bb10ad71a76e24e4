/**
 * ELD's language scores (the `eld` package, Apache-2.0, by Nito T.M.), computed from the part of its
 * small n-gram database that Wijklijn reads: src/conversation/language-ngrams.json, written by
 * scripts/language-ngrams.ts. The steps are ELD 2.1's own (its text processor, 4-byte n-grams with
 * a stride of 3, the summed scores, then scaled per n-gram), so the scores are the same as
 * `eld.detect(text).getScores()` with a language subset (test/conversation/languageNgrams.test.ts
 * compares them on the whole triage corpus). The difference is memory: ELD keeps all 60 languages
 * as nested objects (about 100 MB RSS); this keeps 18 in typed arrays (a few MB).
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

/** The languages the database keeps: those detectLanguage.ts chooses from, Latin and Cyrillic, in ELD's order (by code). */
export const NGRAM_LANGUAGES: readonly string[] = ["az", "be", "bg", "cs", "de", "en", "es", "fr", "hu", "it", "nl", "pl", "pt", "ro", "ru", "sk", "tr", "uk"];

const DEFAULT_FILE = new URL("./language-ngrams.json", import.meta.url);

const DataSchema = z.object({
  source: z.string(),
  languages: z.array(z.string()).min(1),
  dictionary: z.array(z.string()).length(256),
  separators: z.string(),
  ngrams: z.record(z.string(), z.string().regex(/^\d+:\d+(,\d+:\d+)*$/)),
});

/** ELD subtracts this from every stored score to keep its database small, and adds it back when scoring. */
const BASE_NGRAM_SCORE = 53;
/** ELD's scale for a language's score per n-gram (its `orderAndScale`). */
const SCALE = 25;
/** ELD reads the first 1,000 characters, and cuts the bytes at the first space after 350 (at 380 in any case). */
const MAX_CHARACTERS = 1000;
const CUT_AFTER = 350;
const ENFORCE_CUT_AFTER = 380;
const MAX_WORD_BYTES = 70;

/** Scores texts by language: a score in 0–1 per language of `languages` that has any, highest first. */
export interface LanguageNgrams {
  scores(text: string, languages: readonly string[]): Record<string, number>;
}

/** Loads the database (once per process is enough: it is read-only). */
export function loadLanguageNgrams(file: URL | string = DEFAULT_FILE): LanguageNgrams {
  const data = DataSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  const separators = new RegExp(data.separators, "gu");
  const { dictionary, languages } = data;
  const entries = Object.entries(data.ngrams);
  const where = new Map<string, number>();
  const starts = new Uint32Array(entries.length + 1);
  let total = 0;
  for (const [, packed] of entries) total += packed.split(",").length;
  const language = new Uint8Array(total);
  const score = new Uint8Array(total);
  let at = 0;
  entries.forEach(([ngram, packed], n) => {
    where.set(ngram, n);
    starts[n] = at;
    for (const pair of packed.split(",")) {
      const [position, value] = pair.split(":").map(Number);
      language[at] = position ?? 0;
      score[at] = value ?? 0;
      at += 1;
    }
  });
  starts[entries.length] = at;

  return {
    scores(text, wanted) {
      const words = toByteWords(text.substring(0, MAX_CHARACTERS).replace(separators, " ").trim().toLowerCase(), dictionary);
      const ngrams = byteNgrams(words);
      const sums = new Array<number>(languages.length).fill(0);
      for (const ngram of ngrams) {
        const n = where.get(ngram);
        if (n === undefined) continue;
        for (let i = starts[n] ?? 0; i < (starts[n + 1] ?? 0); i++) {
          const position = language[i] ?? 0;
          sums[position] = (sums[position] ?? 0) + (score[i] ?? 0) + BASE_NGRAM_SCORE;
        }
      }
      const ranked: Array<[string, number]> = [];
      // In the database's order, as ELD does: languages with equal scores stay in that order.
      languages.forEach((code, position) => {
        const sum = sums[position] ?? 0;
        if (sum <= 0 || !wanted.includes(code)) return;
        const perNgram = sum / ngrams.size;
        ranked.push([code, perNgram / (perNgram + SCALE)]);
      });
      ranked.sort((a, b) => b[1] - a[1]);
      return Object.fromEntries(ranked);
    },
  };
}

/** ELD's `strToUtf8Bytes`: each word as its UTF-8 bytes, one dictionary character per byte. */
function toByteWords(text: string, dictionary: readonly string[]): string[] {
  const byte = (value: number) => dictionary[value] ?? " ";
  const words: string[] = [];
  let encoded = "";
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      if (code === 32) {
        if (encoded !== "") {
          words.push(encoded);
          encoded = "";
        }
        if (bytes > CUT_AFTER) break;
      } else {
        encoded += text[i];
      }
      bytes += 1;
    } else if (code < 0x800) {
      encoded += byte(0xc0 | (code >> 6)) + byte(0x80 | (code & 0x3f));
      bytes += 2;
    } else if (code < 0xd800 || code >= 0xe000) {
      encoded += byte(0xe0 | (code >> 12)) + byte(0x80 | ((code >> 6) & 0x3f)) + byte(0x80 | (code & 0x3f));
      bytes += 3;
    } else {
      i += 1;
      code = 0x10000 + (((code & 0x3ff) << 10) | (text.charCodeAt(i) & 0x3ff));
      encoded += byte(0xf0 | (code >> 18)) + byte(0x80 | ((code >> 12) & 0x3f)) + byte(0x80 | ((code >> 6) & 0x3f)) + byte(0x80 | (code & 0x3f));
      bytes += 4;
    }
    if (bytes > ENFORCE_CUT_AFTER) break;
  }
  if (encoded !== "") words.push(encoded);
  return words;
}

/** ELD's `getByteNgrams`: 4-byte n-grams with a stride of 3, the first with a leading space, the last with a trailing one. */
function byteNgrams(words: readonly string[]): Set<string> {
  const ngrams = new Set<string>();
  for (const word of words) {
    const length = Math.min(word.length, MAX_WORD_BYTES);
    let j = 0;
    for (; j + 4 < length; j += 3) ngrams.add(`${j === 0 ? " " : ""}${word.substring(j, j + 4)}`);
    ngrams.add(`${j === 0 ? " " : ""}${word.substring(length !== 3 ? length - 4 : 0)} `);
  }
  return ngrams;
}
