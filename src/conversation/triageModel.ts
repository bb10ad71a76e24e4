/**
 * The trained part of the triage: a sparse multinomial logistic regression over hashed
 * character and word n-grams, with one head each for intent, theme and emergency.
 *
 * Pure on purpose: training and prediction take and return plain data, no files, no clock, no
 * randomness beyond a seeded generator, so the same corpus always gives the same weights
 * (scripts/triage-train.ts writes them to flows/triage/model.json). Why not a library: see the
 * README, "Triage" (fastText's WASM builds were tried; the numeric libraries are dense).
 */
import { z } from "zod";
import { foldText } from "./foldText.ts";

// ── features ────────────────────────────────────────────────────────────────

/** How text becomes features; stored in the model so prediction reads text as training did. */
export const FeatureSettingsSchema = z.strictObject({
  /** The feature space has 2^bits slots; n-grams are hashed into it (FNV-1a). */
  bits: z.number().int().min(10).max(24),
  /** Character n-grams from minn to maxn letters, within one word padded with < and >. */
  minn: z.number().int().min(1),
  maxn: z.number().int().min(1),
  /**
   * Word pairs with up to this many words between them, besides the bigrams: a Dutch verb at the end
   * of a subordinate clause still pairs with its subject ("dat mijn man niet meer ademt").
   */
  pairGap: z.number().int().min(0).max(4).default(0),
  /**
   * Character n-grams of 3 letters up to maxn across word boundaries (the words joined by one space):
   * "op mn borst" and "op de borst" share "p m"/"p d"-free pieces such as " bors" and "op ".
   */
  acrossWords: z.boolean().default(false),
});
/** How text becomes features. */
export type FeatureSettings = z.infer<typeof FeatureSettingsSchema>;

/** The default feature settings: 2^17 slots, character n-grams of 2 to 5 letters, word pairs with up to 2 words between. */
export const DEFAULT_FEATURES: FeatureSettings = { bits: 17, minn: 2, maxn: 5, pairGap: 2, acrossWords: false };

/** A text's features: distinct slot numbers, each with the same value (the vector has length 1). */
export type Features = { slots: Int32Array; value: number };

/**
 * The words the model reads: folded (lowercase, no accents or punctuation), letters repeated 3+
 * times squeezed to 2, and then each distinct emoji of the text as a word of its own (folding
 * drops them, yet "👋" greets and "🔥🔥" burns).
 */
export function modelWords(text: string): string[] {
  const words = foldText(text)
    .replace(/\*/g, " ")
    .replace(/(\p{L})\1{2,}/gu, "$1$1")
    .split(" ")
    .filter((word) => word.length > 0);
  const emoji = new Set(text.match(/\p{Extended_Pictographic}/gu) ?? []);
  return [...words, ...emoji];
}

function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Character n-grams within word boundaries (they survive typos, Brabants and compounds: "kliko"
 * in "klikootje"), word unigrams and bigrams, hashed into 2^bits slots, as a binary vector
 * scaled to length 1.
 */
export function extractFeatures(text: string, settings: FeatureSettings): Features {
  const words = modelWords(text);
  const size = 2 ** settings.bits;
  const slots = new Set<number>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    slots.add(hashString(`w ${word}`) % size);
    const next = words[i + 1];
    if (next !== undefined) slots.add(hashString(`b ${word} ${next}`) % size);
    for (let gap = 1; gap <= settings.pairGap; gap++) {
      const later = words[i + 1 + gap];
      if (later !== undefined) slots.add(hashString(`p ${word} ${later}`) % size);
    }
    const padded = `<${word}>`;
    for (let n = settings.minn; n <= settings.maxn; n++) {
      for (let start = 0; start + n <= padded.length; start++) slots.add(hashString(`c ${padded.slice(start, start + n)}`) % size);
    }
  }
  if (settings.acrossWords) {
    const joined = ` ${words.join(" ")} `;
    for (let n = 3; n <= settings.maxn; n++) {
      for (let start = 0; start + n <= joined.length; start++) {
        const piece = joined.slice(start, start + n);
        // Only the pieces that hold a word boundary inside: the others are the within-word n-grams above.
        if (piece.slice(1, -1).includes(" ")) slots.add(hashString(`x ${piece}`) % size);
      }
    }
  }
  const sorted = Int32Array.from([...slots].sort((a, b) => a - b));
  return { slots: sorted, value: sorted.length > 0 ? 1 / Math.sqrt(sorted.length) : 0 };
}

// ── the model file ──────────────────────────────────────────────────────────

/** Stored weights are integers: the weight times this, rounded (a step of 0.01 is far below the pruning limit). */
export const WEIGHT_SCALE = 100;

/**
 * One head as stored: per feature slot that carries weight, the classes and weights (×100,
 * rounded), in parallel arrays sorted by slot — small and byte-stable in JSON. Slots are stored
 * as steps from the previous stored slot, which keeps the numbers (and the file) short.
 */
export const StoredHeadSchema = z
  .strictObject({
    classes: z.array(z.string().min(1)).min(2),
    bias: z.array(z.number()),
    /** For each stored slot: how far it lies after the previous stored slot (the first: after 0). */
    slotSteps: z.array(z.number().int().nonnegative()),
    /** For each stored slot: how many (class, weight) pairs follow in `classIndex`/`weights`. */
    counts: z.array(z.number().int().positive()),
    classIndex: z.array(z.number().int().nonnegative()),
    /** Weights ×WEIGHT_SCALE, as integers. */
    weights: z.array(z.number().int()),
    /**
     * The scores are divided by this before the softmax (temperature scaling), fitted by the trainer on
     * messages the head did not learn from, so that a probability of 0.7 is right about 7 times in 10.
     */
    temperature: z.number().positive().default(1),
  })
  .refine((head) => head.bias.length === head.classes.length, { message: "bias needs one number per class" })
  .refine((head) => head.slotSteps.length === head.counts.length, { message: "slotSteps and counts differ in length" })
  .refine((head) => head.classIndex.length === head.weights.length && head.counts.reduce((sum, count) => sum + count, 0) === head.weights.length, {
    message: "counts do not add up to the number of weights",
  });
/** One head as stored in model.json. */
export type StoredHead = z.infer<typeof StoredHeadSchema>;

/** The three heads a triage model has. */
export const HEADS = ["intent", "theme", "emergency"] as const;
/** The name of one head. */
export type HeadName = (typeof HEADS)[number];

/** Probability thresholds of the safety layer, chosen by the trainer on out-of-fold predictions. */
export const SafetyThresholdsSchema = z.strictObject({
  /** At or above: the bot asks at once ("Is er nu gevaar? Bel 112."). */
  possible: z.number().min(0).max(1),
  /** At or above: an emergency, answered with the number straight away. */
  sure: z.number().min(0).max(1),
});
/** The thresholds for one emergency kind. */
export type SafetyThresholds = z.infer<typeof SafetyThresholdsSchema>;

/** The shape of flows/triage/model.json. */
export const TriageModelSchema = z.strictObject({
  /** 2 since slots are stored as steps and weights ×100 (version 1 stored slot numbers and weights ×1000). */
  version: z.literal(2),
  /** What the model was trained on, for people reading the file. */
  trainedOn: z.strictObject({ messages: z.number().int().nonnegative(), files: z.array(z.string()) }),
  features: FeatureSettingsSchema,
  heads: z.strictObject({ intent: StoredHeadSchema, theme: StoredHeadSchema, emergency: StoredHeadSchema }),
  thresholds: z.strictObject({ "112": SafetyThresholdsSchema, "113": SafetyThresholdsSchema }),
});
/** A triage model as stored. */
export type StoredTriageModel = z.infer<typeof TriageModelSchema>;

/**
 * One head ready to predict: for slot s, its (class, weight) pairs are `starts[s]` up to
 * `starts[s + 1]` in the class/weight arrays (an array over all 2^bits slots: one lookup, no map).
 */
type ReadyHead = { classes: readonly string[]; bias: Float64Array; starts: Int32Array; classIndex: Uint8Array; weights: Float32Array; temperature: number };

/** A triage model ready to predict. */
export type TriageModel = {
  /** What the file says besides the heads' weights (those live only in `heads`, as typed arrays: the plain arrays would keep about 9 MB). */
  stored: Omit<StoredTriageModel, "heads">;
  heads: Record<HeadName, ReadyHead>;
};

/** Makes a stored model ready to predict (builds the slot index once). */
export function prepareTriageModel(stored: StoredTriageModel): TriageModel {
  const ready = (head: StoredHead) => prepareHead(head, stored.features.bits);
  // The stored weights are not kept beside the prepared ones (they would take the memory twice).
  const { heads, ...rest } = stored;
  return { stored: rest, heads: { intent: ready(heads.intent), theme: ready(heads.theme), emergency: ready(heads.emergency) } };
}

function prepareHead(head: StoredHead, bits: number): ReadyHead {
  const size = 2 ** bits;
  const counts = new Int32Array(size);
  let slot = 0;
  head.slotSteps.forEach((step, i) => {
    slot += step;
    if (slot < size) counts[slot] = head.counts[i] ?? 0;
  });
  const starts = new Int32Array(size + 1);
  for (let s = 0; s < size; s++) starts[s + 1] = (starts[s] ?? 0) + (counts[s] ?? 0);
  return {
    classes: head.classes,
    bias: Float64Array.from(head.bias),
    starts,
    classIndex: Uint8Array.from(head.classIndex),
    weights: Float32Array.from(head.weights, (weight) => weight / WEIGHT_SCALE),
    temperature: head.temperature,
  };
}

// ── prediction ──────────────────────────────────────────────────────────────

/** A head's answer: every class with its probability, best first. */
export type RankedClasses = ReadonlyArray<{ label: string; score: number }>;

/** The model's answer for one text, per head. */
export type ModelPrediction = Record<HeadName, RankedClasses>;

function softmax(scores: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const score of scores) max = Math.max(max, score);
  let sum = 0;
  const out = new Float64Array(scores.length);
  for (let k = 0; k < scores.length; k++) {
    out[k] = Math.exp((scores[k] ?? 0) - max);
    sum += out[k] ?? 0;
  }
  for (let k = 0; k < out.length; k++) out[k] = (out[k] ?? 0) / sum;
  return out;
}

/** A head's raw scores (before temperature and softmax). */
function scoreHead(head: ReadyHead, features: Features): Float64Array {
  const scores = Float64Array.from(head.bias);
  for (const slot of features.slots) {
    const end = head.starts[slot + 1] ?? 0;
    for (let j = head.starts[slot] ?? 0; j < end; j++) {
      const k = head.classIndex[j] ?? 0;
      scores[k] = (scores[k] ?? 0) + (head.weights[j] ?? 0) * features.value;
    }
  }
  return scores;
}

function predictHead(head: ReadyHead, features: Features): RankedClasses {
  const scores = scoreHead(head, features);
  if (head.temperature !== 1) for (let k = 0; k < scores.length; k++) scores[k] = (scores[k] ?? 0) / head.temperature;
  const probabilities = softmax(scores);
  return head.classes.map((label, k) => ({ label, score: probabilities[k] ?? 0 })).sort((a, b) => b.score - a.score || (a.label < b.label ? -1 : 1));
}

/** Classifies a text with all three heads. */
export function predictWithModel(model: TriageModel, text: string): ModelPrediction {
  const features = extractFeatures(text, model.stored.features);
  return { intent: predictHead(model.heads.intent, features), theme: predictHead(model.heads.theme, features), emergency: predictHead(model.heads.emergency, features) };
}

/**
 * The temperature that makes a head's probabilities mean what they say on `examples` (messages it
 * did not learn from): the one of 0.25 to 4 (steps of 0.05) with the least log loss. Deterministic.
 */
export function fitTemperature(head: StoredHead, examples: readonly HeadExample[], bits: number): number {
  const ready = prepareHead(head, bits);
  const classOf = new Map(head.classes.map((label, k) => [label, k]));
  const rows = examples.flatMap((example) => {
    const y = classOf.get(example.label);
    return y === undefined ? [] : [{ scores: scoreHead(ready, example.features), y }];
  });
  let best = 1;
  let bestLoss = Number.POSITIVE_INFINITY;
  for (let step = 5; step <= 80; step++) {
    const temperature = step / 20;
    let loss = 0;
    for (const { scores, y } of rows) {
      const scaled = scores.map((score) => score / temperature);
      loss -= Math.log(Math.max(1e-12, softmax(scaled)[y] ?? 0));
    }
    if (loss < bestLoss - 1e-9) {
      bestLoss = loss;
      best = temperature;
    }
  }
  return best;
}

/** The probability of one class in a ranked list (0 when absent). */
export function scoreOf(ranked: RankedClasses, label: string): number {
  return ranked.find((entry) => entry.label === label)?.score ?? 0;
}

// ── training ────────────────────────────────────────────────────────────────

/** How a head is trained: AdaGrad on the softmax loss with L2, a fixed number of passes in a seeded order. */
export const TrainingSettingsSchema = z.strictObject({
  epochs: z.number().int().positive(),
  learningRate: z.number().positive(),
  l2: z.number().nonnegative(),
  seed: z.number().int(),
  /** Weights whose absolute value stays below this are left out of the stored model. */
  prune: z.number().nonnegative(),
});
/** How a head is trained. */
export type TrainingSettings = z.infer<typeof TrainingSettingsSchema>;

/** The default training settings. */
export const DEFAULT_TRAINING: TrainingSettings = { epochs: 12, learningRate: 0.2, l2: 1e-5, seed: 14, prune: 0.45 };

/** A small seeded generator (mulberry32): the same seed, the same shuffles. */
function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One training example for a head: its features, its class and how much it counts. */
export type HeadExample = { features: Features; label: string; weight: number };

/** Trains one head. `classes` fixes the class order (and so the stored file). */
export function trainHead(examples: readonly HeadExample[], classes: readonly string[], settings: TrainingSettings & { bits: number }): StoredHead {
  const K = classes.length;
  const classOf = new Map(classes.map((label, k) => [label, k]));
  // Dense while training (2^bits × classes), sparse when stored.
  const weights = new Float64Array(2 ** settings.bits * K);
  const squares = new Float64Array(2 ** settings.bits * K);
  const bias = new Float64Array(K);
  const biasSquares = new Float64Array(K);
  const random = seededRandom(settings.seed);
  const order = examples.map((_, i) => i);
  const scores = new Float64Array(K);
  const gradients = new Float64Array(K);
  const rate = settings.learningRate;
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const swap = order[i] ?? 0;
      order[i] = order[j] ?? 0;
      order[j] = swap;
    }
    for (const n of order) {
      const example = examples[n];
      if (!example) continue;
      const y = classOf.get(example.label);
      if (y === undefined) throw new Error(`trainHead: the label "${example.label}" is not one of the classes`);
      const { slots, value } = example.features;
      scores.set(bias);
      for (const slot of slots) {
        const base = slot * K;
        for (let k = 0; k < K; k++) scores[k] = (scores[k] ?? 0) + (weights[base + k] ?? 0) * value;
      }
      const p = softmax(scores);
      for (let k = 0; k < K; k++) {
        const gradient = example.weight * ((p[k] ?? 0) - (k === y ? 1 : 0));
        gradients[k] = gradient * value;
        biasSquares[k] = (biasSquares[k] ?? 0) + gradient * gradient;
        bias[k] = (bias[k] ?? 0) - (rate * gradient) / Math.sqrt((biasSquares[k] ?? 0) + 1e-8);
      }
      for (const slot of slots) {
        const base = slot * K;
        for (let k = 0; k < K; k++) {
          const j = base + k;
          const w = weights[j] ?? 0;
          const step = (gradients[k] ?? 0) + settings.l2 * w;
          const square = (squares[j] ?? 0) + step * step;
          squares[j] = square;
          weights[j] = w - (rate * step) / Math.sqrt(square + 1e-8);
        }
      }
    }
  }
  return storeHead(classes, bias, weights, settings.prune);
}

function storeHead(classes: readonly string[], bias: Float64Array, weights: Float64Array, prune: number): StoredHead {
  const K = classes.length;
  const stored: StoredHead = { classes: [...classes], bias: Array.from(bias, (value) => Math.round(value * 1000) / 1000), slotSteps: [], counts: [], classIndex: [], weights: [], temperature: 1 };
  const row = new Float64Array(K);
  let previousSlot = 0;
  for (let slot = 0; slot * K < weights.length; slot++) {
    // Softmax does not change when every class of one slot shifts by the same amount: shifting by
    // the median leaves most classes near 0, so they can be left out of the file.
    for (let k = 0; k < K; k++) row[k] = weights[slot * K + k] ?? 0;
    const median = [...row].sort((a, b) => a - b)[Math.floor(K / 2)] ?? 0;
    let count = 0;
    for (let k = 0; k < K; k++) {
      const weight = (row[k] ?? 0) - median;
      const rounded = Math.round(weight * WEIGHT_SCALE);
      if (Math.abs(weight) < prune || rounded === 0) continue;
      stored.classIndex.push(k);
      stored.weights.push(rounded);
      count++;
    }
    if (count > 0) {
      stored.slotSteps.push(slot - previousSlot);
      previousSlot = slot;
      stored.counts.push(count);
    }
  }
  return stored;
}
