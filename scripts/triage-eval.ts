/**
 * Scores the triage on a labelled batch, untouched: `npx tsx scripts/triage-eval.ts <batch.yaml> [--mistakes]`.
 *
 * For issue 14's honest measurement: a fresh batch is scored with this before anyone tunes on it,
 * the figures are recorded, and only then is the batch added to the corpus. Prints intent and theme
 * accuracy, 112 and 113 recall (overall and per language) and false alarms.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { triageResidentText } from "../src/conversation/residentTriage.ts";
import { loadSafetyLanguages } from "../src/conversation/safetyLanguages.ts";
import { EmergencySchema, IntentSchema, loadTriageLexicon, ThemeSchema } from "../src/conversation/triage.ts";

const BatchSchema = z.array(z.strictObject({ text: z.string().min(1), intent: IntentSchema, theme: ThemeSchema, emergency: EmergencySchema, lang: z.string().default("nl") }));

const [file, ...flags] = process.argv.slice(2);
if (!file) {
  console.error("usage: npx tsx scripts/triage-eval.ts <batch.yaml> [--mistakes]");
  process.exit(64);
}
const batch = BatchSchema.parse(parse(readFileSync(file, "utf8")));
// The bot's own triage: the other languages' safety cues first, then the Dutch lexicon.
const rules = { lexicon: loadTriageLexicon(join(process.cwd(), "flows", "triage", "lexicon.yaml")), languages: loadSafetyLanguages(join(process.cwd(), "flows", "triage", "safety-languages.yaml")) };
const scored = batch.map((message) => ({ message, result: triageResidentText(message.text, rules) }));

const pct = (n: number, d: number) => (d === 0 ? "-" : `${((100 * n) / d).toFixed(1)}%`);
const intentRight = scored.filter((s) => s.result.intent === s.message.intent).length;
const themeRight = scored.filter((s) => s.result.theme === s.message.theme).length;
const recall = (kind: "112" | "113", lang?: string) => {
  const expected = scored.filter((s) => s.message.emergency === kind && (lang === undefined || s.message.lang === lang));
  return { caught: expected.filter((s) => s.result.emergency === kind).length, total: expected.length };
};
const calm = scored.filter((s) => s.message.emergency === null);
const falseAlarms = calm.filter((s) => s.result.emergency !== null);

console.log(`${file}: ${scored.length} messages`);
console.log(`  intent ${pct(intentRight, scored.length)}  theme ${pct(themeRight, scored.length)}`);
for (const kind of ["112", "113"] as const) {
  const all = recall(kind);
  const langs = [...new Set(scored.filter((s) => s.message.emergency === kind).map((s) => s.message.lang))].sort();
  console.log(`  ${kind} caught ${all.caught}/${all.total}  (${langs.map((lang) => `${lang} ${recall(kind, lang).caught}/${recall(kind, lang).total}`).join(", ")})`);
}
console.log(`  false alarms ${falseAlarms.length}/${calm.length} (${pct(falseAlarms.length, calm.length)})`);
if (flags.includes("--mistakes")) {
  for (const { message, result } of scored) {
    const wrong = result.intent !== message.intent || result.theme !== message.theme || result.emergency !== message.emergency;
    if (wrong) console.log(`  - ${message.text.slice(0, 90)}  ${message.intent}/${message.theme}/${message.emergency} → ${result.intent}/${result.theme}/${result.emergency}`);
  }
}
