/**
 * Writes src/conversation/language-ngrams.json: the part of ELD's small n-gram database (the
 * `eld` package, Apache-2.0, by Nito T.M.) that Wijklijn's language detection reads, for the
 * languages src/conversation/detectLanguage.ts chooses from. `npx tsx scripts/language-ngrams.ts`
 * after an update of `eld`; test/conversation/languageNgrams.test.ts checks that the scores are
 * still ELD's own.
 *
 * Why: ELD loads its whole database (60 languages, 81,206 n-grams as nested objects) into memory,
 * about 100 MB of RSS; Wijklijn reads 18 of those languages, 38,801 n-grams, packed into typed
 * arrays (README, "Performance"). The files read here are inside the package, not behind its
 * `exports`, so they are opened by path.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { z } from "zod";
import { NGRAM_LANGUAGES } from "../src/conversation/languageNgrams.ts";

// The package entry is src/entries/dynamic.js: its folder's grandparent is the package.
const packageDir = join(dirname(fileURLToPath(import.meta.resolve("eld"))), "../..");
const load = (file: string): Promise<unknown> => import(pathToFileURL(join(packageDir, "src", file)).href);

const NgramsModule = z.object({
  ngramsData: z.object({ type: z.string(), languages: z.record(z.string(), z.string()), ngrams: z.record(z.string(), z.record(z.string(), z.number())) }),
});
const { ngramsData } = NgramsModule.parse(await load("ngrams/small.js"));
const { dictionary } = z.object({ dictionary: z.array(z.string()).length(256) }).parse(await load("dictionary.js"));
const { separators } = z.object({ separators: z.instanceof(RegExp) }).parse(await load("regexPatterns.js"));
const version = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"))).version;

const index = new Map<string, number>();
for (const [id, code] of Object.entries(ngramsData.languages)) {
  const position = NGRAM_LANGUAGES.indexOf(code);
  if (position >= 0) index.set(id, position);
}
const missing = NGRAM_LANGUAGES.filter((code) => !Object.values(ngramsData.languages).includes(code));
if (missing.length) throw new Error(`ELD's small database has no ${missing.join(", ")}`);
// Equal scores keep the database's order in ELD's results, so ours must be ELD's order too.
const eldOrder = [...index.entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([, position]) => position);
if (eldOrder.some((position, i) => position !== i)) throw new Error("NGRAM_LANGUAGES must be in the order of ELD's database");

// Each n-gram as "language:score,language:score" with our language positions: compact to store and to read.
const ngrams: Record<string, string> = {};
for (const [ngram, scores] of Object.entries(ngramsData.ngrams)) {
  const kept = Object.entries(scores).flatMap(([id, score]) => {
    const position = index.get(id);
    return position === undefined ? [] : [`${position}:${score}`];
  });
  if (kept.length) ngrams[ngram] = kept.join(",");
}
const out = join(import.meta.dirname, "../src/conversation/language-ngrams.json");
writeFileSync(out, `${JSON.stringify({ source: `eld ${version}, ${ngramsData.type} (Apache-2.0, Nito T.M.)`, languages: NGRAM_LANGUAGES, dictionary, separators: separators.source, ngrams })}\n`);
console.log(`${out}: ${Object.keys(ngrams).length} n-grams of ${Object.keys(ngramsData.ngrams).length}, ${NGRAM_LANGUAGES.length} languages`);
