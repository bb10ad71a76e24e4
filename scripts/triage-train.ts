/**
 * Trains the triage model: `npm run triage:train` (README, "Triage").
 *
 * Reads every *.yaml in flows/triage/corpus/, prints the held-out figures of a model trained on
 * the train split only (the test split is never trained on for them), then trains on all
 * messages and writes flows/triage/model.json. Same corpus, same file, byte for byte.
 * `--mistakes` lists the held-out mistakes; `--check` only prints the figures; `--confidence`
 * prints how often the guessed intent is right per band of its confidence (for `INTENT_CONFIDENCE`).
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { triageResidentText } from "../src/conversation/residentTriage.ts";
import { loadSafetyLanguages } from "../src/conversation/safetyLanguages.ts";
import { checkRulesWithoutModel, loadTriageLexicon } from "../src/conversation/triage.ts";
import { loadTriageCorpus, splitCorpus } from "../src/conversation/triageCorpus.ts";
import { formatIntentConfidence, formatTriageFigures, measureIntentConfidence, measureTriage } from "../src/conversation/triageFigures.ts";
import { prepareTriageModel } from "../src/conversation/triageModel.ts";
import { trainTriageModel } from "../src/conversation/trainTriageModel.ts";

const flags = process.argv.slice(2);
const modelPath = fileURLToPath(new URL("../flows/triage/model.json", import.meta.url));
const lexicon = loadTriageLexicon();
const languages = loadSafetyLanguages();
const corpus = loadTriageCorpus();
const rules = (text: string) => checkRulesWithoutModel(text, lexicon);
const { train, test } = splitCorpus(corpus.messages);

const started = Date.now();
const heldOutModel = prepareTriageModel(trainTriageModel(train, { files: corpus.files, rules }));
const scored = test.map((message) => ({ message, result: triageResidentText(message.text, { model: heldOutModel, lexicon, languages }) }));
console.log(`${corpus.messages.length} messages in ${corpus.files.length} files; train ${train.length}, test ${test.length} (trained in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
console.log(formatTriageFigures("held-out test split (model trained on the train split only)", measureTriage(scored), { mistakes: flags.includes("--mistakes") }));

if (flags.includes("--confidence")) {
  // The intent the triage would guess without its threshold, against how sure it is.
  const unthresholded = { ...lexicon, settings: { ...lexicon.settings, modelIntentThreshold: 0 } };
  const guesses = test.map((message) => ({ message, result: triageResidentText(message.text, { model: heldOutModel, lexicon: unthresholded, languages }) }));
  console.log(formatIntentConfidence(measureIntentConfidence(guesses)));
  console.log(`  intent temperature ${heldOutModel.heads.intent.temperature}`);
}

if (!flags.includes("--check")) {
  const model = trainTriageModel(corpus.messages, { files: corpus.files, rules });
  const json = `${JSON.stringify(model)}\n`;
  writeFileSync(modelPath, json);
  console.log(`wrote flows/triage/model.json (${(json.length / 1024 / 1024).toFixed(2)} MB), thresholds ${JSON.stringify(model.thresholds)}`);
}
