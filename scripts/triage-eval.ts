/**
 * Scores the triage on a labelled batch, untouched: `npx tsx scripts/triage-eval.ts <batch.yaml> [--mistakes]`.
 *
 * For issue 14's honest measurement: a fresh batch is scored with this before anyone tunes on it,
 * the figures are recorded in its header, and only then is the batch added to
 * flows/triage/corpus/. Prints intent and theme accuracy, 112 and 113 recall (overall and per
 * language; the question "Is er nu gevaar?" counts as caught) and false alarms, with the shipped
 * model (flows/triage/model.json), the lexicon and the other languages' cues.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { loadTriageModel } from "../src/conversation/loadTriageModel.ts";
import { triageResidentText } from "../src/conversation/residentTriage.ts";
import { loadSafetyLanguages } from "../src/conversation/safetyLanguages.ts";
import { loadTriageLexicon } from "../src/conversation/triage.ts";
import { LabelledMessageSchema } from "../src/conversation/triageCorpus.ts";
import { formatTriageFigures, measureTriage } from "../src/conversation/triageFigures.ts";

const [file, ...flags] = process.argv.slice(2);
if (!file) {
  console.error("usage: npx tsx scripts/triage-eval.ts <batch.yaml> [--mistakes]");
  process.exit(64);
}
const batch = z.array(LabelledMessageSchema).parse(parse(readFileSync(file, "utf8")));
// The bot's own triage: the other languages' safety cues, the model and the Dutch lexicon.
const rules = { model: loadTriageModel(), lexicon: loadTriageLexicon(), languages: loadSafetyLanguages() };
const scored = batch.map((message) => ({ message, result: triageResidentText(message.text, rules) }));
console.log(formatTriageFigures(file, measureTriage(scored), { mistakes: flags.includes("--mistakes") }));
