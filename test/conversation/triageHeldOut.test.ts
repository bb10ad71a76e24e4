/**
 * The held-out figures of the triage (README, "Triage"): a model trained on the train split only,
 * with the lexicon and the other languages' cues on top, scored on the test split it never saw.
 * Printed on every `npm test`; fails when one emergency of the test split is missed.
 */
import { describe, expect, it } from "vitest";
import { triageResidentText } from "../../src/conversation/residentTriage.ts";
import { loadSafetyLanguages } from "../../src/conversation/safetyLanguages.ts";
import { checkRulesWithoutModel, loadTriageLexicon } from "../../src/conversation/triage.ts";
import { loadTriageCorpus, splitCorpus } from "../../src/conversation/triageCorpus.ts";
import { formatTriageFigures, measureTriage } from "../../src/conversation/triageFigures.ts";
import { loadTriageModel } from "../../src/conversation/loadTriageModel.ts";
import { prepareTriageModel } from "../../src/conversation/triageModel.ts";
import { trainTriageModel } from "../../src/conversation/trainTriageModel.ts";

const lexicon = loadTriageLexicon();
const languages = loadSafetyLanguages();
const corpus = loadTriageCorpus();
const { train, test } = splitCorpus(corpus.messages);
const model = prepareTriageModel(trainTriageModel(train, { files: corpus.files, rules: (text) => checkRulesWithoutModel(text, lexicon) }));
const scored = test.map((message) => ({ message, result: triageResidentText(message.text, { model, lexicon, languages }) }));
const figures = measureTriage(scored);

describe("the triage on the held-out test split", () => {
  console.log(`\n${formatTriageFigures(`Triage, held-out test split (trained on ${train.length} train lines of ${corpus.files.length} corpus files)`, figures)}\n`);

  it("keeps the test split apart from the training data", () => {
    const trained = new Set(train.map((message) => message.text.trim()));
    expect(test.filter((message) => trained.has(message.text.trim()))).toEqual([]);
    expect(test.length / corpus.messages.length).toBeGreaterThan(0.15);
    expect(test.length / corpus.messages.length).toBeLessThan(0.25);
  });

  it("misses no 112 and no 113 of the test split, in any language", () => {
    expect(figures.missed.map(({ message }) => `${message.emergency} ${message.lang}: ${message.text}`)).toEqual([]);
    expect(figures.recall["112"].total).toBeGreaterThan(20);
    expect(figures.recall["113"].total).toBeGreaterThan(15);
  });

  it("raises at most 2% false alarms (a number or the question) on calm messages", () => {
    expect(figures.falseAlarms / figures.calm).toBeLessThanOrEqual(0.02);
  });

  it("does not fall back on intent and theme (floors below the figures of 2026-12-03)", () => {
    expect(figures.intentRight / figures.messages).toBeGreaterThanOrEqual(0.85);
    expect(figures.themeRight / figures.messages).toBeGreaterThanOrEqual(0.78);
  });
});

describe("the shipped model (flows/triage/model.json)", () => {
  const shipped = loadTriageModel();

  it("was trained on the corpus as it is now: run `npm run triage:train` after changing flows/triage/corpus/", () => {
    expect(shipped.stored.trainedOn).toEqual({ messages: corpus.messages.length, files: corpus.files });
  });
});
