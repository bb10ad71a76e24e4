/**
 * The figures of the triage on labelled messages: intent and theme accuracy, 112 and 113 recall
 * per language, false alarms. Shared by the held-out test, the trainer and scripts/triage-eval.ts,
 * so every figure in the README is computed the same way.
 */
import type { Emergency } from "../domain/vocabulary.ts";
import type { LabelledMessage } from "./triageCorpus.ts";
import type { TriageResult } from "./triage.ts";

/** How a triage result stands against its label. */
export type ScoredMessage = { message: LabelledMessage; result: Pick<TriageResult, "intent" | "theme" | "emergency" | "possibleEmergency"> };

/** Caught out of total, overall and per language. */
export type Recall = { caught: number; total: number; byLanguage: Record<string, { caught: number; total: number }> };

/** The figures of one set. */
export type TriageFigures = {
  messages: number;
  intentRight: number;
  themeRight: number;
  /** Caught: answered with the number, or asked about it at once ("Is er nu gevaar? Bel 112."). */
  recall: { "112": Recall; "113": Recall };
  calm: number;
  /** Calm messages that got a number or the question. */
  falseAlarms: number;
  /** Of those, the ones that got only the question. */
  falseQuestions: number;
  missed: ScoredMessage[];
  wrong: ScoredMessage[];
};

/** Whether an emergency message was caught: the right number, or the question about it. */
export function isCaught(expected: Exclude<Emergency, null>, result: ScoredMessage["result"]): boolean {
  return result.emergency === expected || (result.emergency === null && result.possibleEmergency === expected);
}

/** Computes the figures of a scored set. */
export function measureTriage(scored: readonly ScoredMessage[]): TriageFigures {
  const recall = (kind: "112" | "113"): Recall => {
    const byLanguage: Recall["byLanguage"] = {};
    let caught = 0;
    let total = 0;
    for (const entry of scored) {
      if (entry.message.emergency !== kind) continue;
      const ok = isCaught(kind, entry.result);
      const language = byLanguage[entry.message.lang] ?? { caught: 0, total: 0 };
      byLanguage[entry.message.lang] = language;
      language.total++;
      total++;
      if (ok) {
        language.caught++;
        caught++;
      }
    }
    return { caught, total, byLanguage };
  };
  const calm = scored.filter((entry) => entry.message.emergency === null);
  const alarms = calm.filter((entry) => entry.result.emergency !== null || entry.result.possibleEmergency !== null);
  return {
    messages: scored.length,
    intentRight: scored.filter((entry) => entry.result.intent === entry.message.intent).length,
    themeRight: scored.filter((entry) => entry.result.theme === entry.message.theme).length,
    recall: { "112": recall("112"), "113": recall("113") },
    calm: calm.length,
    falseAlarms: alarms.length,
    falseQuestions: alarms.filter((entry) => entry.result.emergency === null).length,
    missed: scored.filter((entry) => entry.message.emergency !== null && !isCaught(entry.message.emergency, entry.result)),
    wrong: scored.filter((entry) => entry.result.intent !== entry.message.intent || entry.result.theme !== entry.message.theme || entry.result.emergency !== entry.message.emergency),
  };
}

function percent(part: number, whole: number): string {
  return whole === 0 ? "-" : `${((100 * part) / whole).toFixed(1)}%`;
}

/** The figures as lines of text (for the test output, the trainer and the eval script). */
export function formatTriageFigures(title: string, figures: TriageFigures, options: { mistakes?: boolean } = {}): string {
  const recallLine = (kind: "112" | "113") => {
    const { caught, total, byLanguage } = figures.recall[kind];
    const languages = Object.keys(byLanguage)
      .sort()
      .map((language) => `${language} ${byLanguage[language]?.caught}/${byLanguage[language]?.total}`)
      .join(", ");
    return `  ${kind} caught ${caught}/${total}  (${languages})`;
  };
  const lines = [
    `${title}: ${figures.messages} messages`,
    `  intent ${percent(figures.intentRight, figures.messages)}  theme ${percent(figures.themeRight, figures.messages)}`,
    recallLine("112"),
    recallLine("113"),
    `  false alarms ${figures.falseAlarms}/${figures.calm} (${percent(figures.falseAlarms, figures.calm)}; ${figures.falseQuestions} of them only the question)`,
  ];
  const show = (entry: ScoredMessage) => {
    const { message, result } = entry;
    const text = message.text.length > 90 ? `${message.text.slice(0, 89)}…` : message.text;
    return `  - ${text}  ${message.intent}/${message.theme}/${message.emergency} → ${result.intent}/${result.theme}/${result.emergency ?? (result.possibleEmergency ? `${result.possibleEmergency}?` : null)}`;
  };
  if (figures.missed.length > 0) lines.push("  MISSED emergencies:", ...figures.missed.map(show));
  if (options.mistakes) lines.push(`  mistakes (${figures.wrong.length}):`, ...figures.wrong.map(show));
  return lines.join("\n");
}

/** A calm message's intent as the triage guessed it, with the confidence it gave. */
export type GuessedIntent = { message: LabelledMessage; result: Pick<TriageResult, "intent" | "emergency"> & { confidence: { intent: number } } };

/**
 * How often a guessed intent (not `onbekend`, no emergency) is right, per band of its confidence:
 * the figures `INTENT_CONFIDENCE` is chosen on (below it the bot asks instead of guessing).
 */
export function measureIntentConfidence(
  guesses: readonly GuessedIntent[],
  edges: readonly number[] = [0, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9, 1.01],
): Array<{ from: number; to: number; total: number; right: number }> {
  const guessed = guesses.filter((entry) => entry.message.emergency === null && entry.result.emergency === null && entry.result.intent !== "onbekend");
  return edges.slice(0, -1).map((from, i) => {
    const to = edges[i + 1] ?? 1;
    const band = guessed.filter((entry) => entry.result.confidence.intent >= from && entry.result.confidence.intent < to);
    return { from, to, total: band.length, right: band.filter((entry) => entry.result.intent === entry.message.intent).length };
  });
}

/** The confidence bands as lines of text. */
export function formatIntentConfidence(bands: ReturnType<typeof measureIntentConfidence>): string {
  return [
    "  intent confidence → right (calm messages, guessed intent):",
    ...bands.map((band) => `    ${band.from.toFixed(2)}–${Math.min(1, band.to).toFixed(2)}: ${band.right}/${band.total} (${percent(band.right, band.total)})`),
  ].join("\n");
}
