/**
 * Training the triage model from the labelled corpus (pure: messages in, model out). Used by
 * `npm run triage:train` (all messages, written to flows/triage/model.json) and by the held-out
 * test (the train split only).
 */
import { createHash } from "node:crypto";
import { type Emergency, IntentSchema, ThemeSchema } from "../domain/vocabulary.ts";
import type { LabelledMessage } from "./triageCorpus.ts";
import {
  DEFAULT_FEATURES,
  DEFAULT_TRAINING,
  extractFeatures,
  type FeatureSettings,
  fitTemperature,
  type Features,
  type HeadExample,
  prepareTriageModel,
  predictWithModel,
  type SafetyThresholds,
  type StoredTriageModel,
  scoreOf,
  type TrainingSettings,
  trainHead,
} from "./triageModel.ts";

/** What the rule layer says about a text, without the model: an emergency it is sure of, and how much the tense and negation rules damp the model's 112 and 113. */
export type SafetyRuleCheck = (text: string) => { caught: Emergency; damping: { "112": number; "113": number } };

/** The classes of the emergency head: no emergency, 112, 113. */
export const EMERGENCY_CLASSES = ["none", "112", "113"] as const;

/** Options for training. */
export type TrainOptions = {
  /** The corpus files the messages came from (recorded in the model). */
  files: string[];
  /** The rule layer, so that the thresholds cover what the rules do not. */
  rules: SafetyRuleCheck;
  features?: FeatureSettings;
  training?: TrainingSettings;
  /** How much an emergency line counts in the emergency head (recall over precision). */
  emergencyWeight?: number;
  /** Folds for the out-of-fold predictions that set the thresholds. */
  folds?: number;
  /** Share of calm messages the model alone may send a question (per kind), on out-of-fold predictions. */
  possibleBudget?: number;
  /** Share of calm messages the model alone may answer with a number (per kind). */
  sureBudget?: number;
};

type Prepared = { message: LabelledMessage; features: Features };

function examplesFor(prepared: readonly Prepared[], pick: (message: LabelledMessage) => string, weigh: (message: LabelledMessage) => number = () => 1): HeadExample[] {
  return prepared.map(({ message, features }) => ({ features, label: pick(message), weight: weigh(message) }));
}

function trainEmergencyHead(prepared: readonly Prepared[], training: TrainingSettings & { bits: number }, emergencyWeight: number) {
  return trainHead(
    examplesFor(
      prepared,
      (m) => m.emergency ?? "none",
      (m) => (m.emergency ? emergencyWeight : 1),
    ),
    EMERGENCY_CLASSES,
    training,
  );
}

function trainIntentHead(prepared: readonly Prepared[], training: TrainingSettings & { bits: number }) {
  return trainHead(
    examplesFor(prepared, (m) => m.intent),
    IntentSchema.options,
    training,
  );
}

function foldOf(text: string, folds: number, byte = 1): number {
  return (createHash("sha256").update(text.trim()).digest()[byte] ?? 0) % folds;
}

/**
 * The intent head with a temperature that makes its confidence mean what it says: fitted on a
 * fifth of the messages (chosen by a hash of the text) by a head trained on the other four fifths,
 * then the head trained on all messages gets it.
 */
function trainCalibratedIntentHead(prepared: readonly Prepared[], training: TrainingSettings & { bits: number }) {
  const held = prepared.filter((p) => foldOf(p.message.text, 5, 2) === 0);
  const rest = prepared.filter((p) => foldOf(p.message.text, 5, 2) !== 0);
  const temperature = fitTemperature(
    trainIntentHead(rest, training),
    examplesFor(held, (m) => m.intent),
    training.bits,
  );
  return { ...trainIntentHead(prepared, training), temperature };
}

/**
 * The lowest threshold at which at most `budget` of the calm scores reach it (and never below
 * `floor`): the most recall the false-alarm budget allows.
 */
function thresholdForBudget(calmScores: number[], budget: number, floor: number): number {
  const sorted = [...calmScores].sort((a, b) => b - a);
  const allowed = Math.floor(budget * sorted.length);
  const above = sorted[allowed] ?? 0;
  return Math.round(Math.max(floor, above + 1e-4) * 10000) / 10000;
}

/** Trains the three heads on `messages` and sets the safety thresholds from out-of-fold predictions. */
export function trainTriageModel(messages: readonly LabelledMessage[], options: TrainOptions): StoredTriageModel {
  const features = options.features ?? DEFAULT_FEATURES;
  const training = { ...(options.training ?? DEFAULT_TRAINING), bits: features.bits };
  const emergencyWeight = options.emergencyWeight ?? 2;
  const folds = options.folds ?? 4;
  const prepared = messages.map((message) => ({ message, features: extractFeatures(message.text, features) }));

  // Out-of-fold emergency scores: each message scored by a model that did not see it.
  const outOfFold: Array<{ message: LabelledMessage; p112: number; p113: number }> = [];
  for (let fold = 0; fold < folds; fold++) {
    const inFold = prepared.filter((p) => foldOf(p.message.text, folds) === fold);
    const rest = prepared.filter((p) => foldOf(p.message.text, folds) !== fold);
    const emergencyHead = trainEmergencyHead(rest, training, emergencyWeight);
    const partial = prepareTriageModel({
      version: 2,
      trainedOn: { messages: rest.length, files: [] },
      features,
      // Only the emergency head is read here; the others are placeholders.
      heads: { intent: emergencyHead, theme: emergencyHead, emergency: emergencyHead },
      thresholds: { "112": { possible: 1, sure: 1 }, "113": { possible: 1, sure: 1 } },
    });
    for (const { message } of inFold) {
      const emergency = predictWithModel(partial, message.text).emergency;
      const { damping } = options.rules(message.text);
      outOfFold.push({ message, p112: scoreOf(emergency, "112") * damping["112"], p113: scoreOf(emergency, "113") * damping["113"] });
    }
  }
  const calm = outOfFold.filter((entry) => entry.message.emergency === null);
  const thresholds = (kind: "112" | "113"): SafetyThresholds => {
    const scores = calm.map((entry) => (kind === "112" ? entry.p112 : entry.p113));
    return { possible: thresholdForBudget(scores, options.possibleBudget ?? 0.0125, 0.05), sure: thresholdForBudget(scores, options.sureBudget ?? 0.002, 0.5) };
  };

  return {
    version: 2,
    trainedOn: { messages: prepared.length, files: options.files },
    features,
    heads: {
      intent: trainCalibratedIntentHead(prepared, training),
      theme: trainHead(
        examplesFor(prepared, (m) => m.theme),
        ThemeSchema.options,
        training,
      ),
      emergency: trainEmergencyHead(prepared, training, emergencyWeight),
    },
    thresholds: { "112": thresholds("112"), "113": thresholds("113") },
  };
}
