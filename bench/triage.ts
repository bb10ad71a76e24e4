/**
 * Part (2) of `npm run bench`: how fast the triage classifies, on this machine, beside a floor
 * measured in the same run. Also runs alone: `npx tsx bench/triage.ts`.
 *
 * The texts are the labelled corpus (flows/triage/corpus/, a few thousand real-looking messages),
 * classified round after round for at least BENCH_TRIAGE_SECONDS (2) each. The floor is the least
 * any n-gram model must do: reading the text into its hashed character and word n-grams
 * (`extractFeatures`). Beside it: the model alone (`predictWithModel`, three heads) and the triage
 * as the bot does it (`triageResidentText`: language, other languages' cues, lexicon, model).
 *
 * Nothing here is a test: tests never time things.
 */
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { loadTriageModel } from "../src/conversation/loadTriageModel.ts";
import { triageResidentText } from "../src/conversation/residentTriage.ts";
import { loadSafetyLanguages } from "../src/conversation/safetyLanguages.ts";
import { loadTriageLexicon } from "../src/conversation/triage.ts";
import { loadTriageCorpus } from "../src/conversation/triageCorpus.ts";
import { extractFeatures, predictWithModel } from "../src/conversation/triageModel.ts";

const SECONDS = Number(process.env.BENCH_TRIAGE_SECONDS ?? "2");

/** One measured way of reading the texts. */
export type TriageBenchRow = { figure: string; perSecond: number; microsPerText: number };

function time(texts: readonly string[], classify: (text: string) => unknown): { perSecond: number; microsPerText: number } {
  // One warm-up round: the JIT and the lexicon's word cache, as in a running bot.
  for (const text of texts) classify(text);
  let done = 0;
  const started = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < SECONDS) {
    for (const text of texts) classify(text);
    done += texts.length;
    elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  }
  return { perSecond: done / elapsed, microsPerText: (elapsed * 1e6) / done };
}

/** Measures the floor, the model alone and the whole triage on the corpus texts. */
export function benchTriage(): { texts: number; floor: TriageBenchRow; rows: TriageBenchRow[] } {
  const model = loadTriageModel();
  const rules = { model, lexicon: loadTriageLexicon(), languages: loadSafetyLanguages() };
  const texts = loadTriageCorpus().messages.map((message) => message.text);
  const floor = { figure: "floor: text to n-gram features", ...time(texts, (text) => extractFeatures(text, model.stored.features)) };
  const rows = [
    { figure: "model alone (3 heads)", ...time(texts, (text) => predictWithModel(model, text)) },
    { figure: "triage as the bot does it", ...time(texts, (text) => triageResidentText(text, rules)) },
  ];
  return { texts: texts.length, floor, rows };
}

/** Prints part (2) as a table: texts per second, µs per text, and the share of the floor. */
export function printTriageBench(): void {
  const { texts, floor, rows } = benchTriage();
  const table = [["part", "figure", "cores", "texts per second", "µs per text", "vs floor"]];
  table.push(["(2)", floor.figure, String(availableParallelism()), floor.perSecond.toFixed(0), floor.microsPerText.toFixed(1), ""]);
  for (const row of rows)
    table.push([
      "(2)",
      `triage: ${row.figure}`,
      String(availableParallelism()),
      row.perSecond.toFixed(0),
      row.microsPerText.toFixed(1),
      `${((row.perSecond / floor.perSecond) * 100).toFixed(1)}% of floor`,
    ]);
  const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? "").length))) ?? [];
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(line(table[0] ?? []));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of table.slice(1)) console.log(line(row));
  console.log(`\n${texts} corpus texts, each way at least ${SECONDS} s after one warm-up round, one core.`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) printTriageBench();
