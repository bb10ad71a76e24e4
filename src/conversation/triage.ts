/**
 * Triage of free resident text into intent, theme and emergency.
 *
 * Deterministic and transparent on purpose: a weighted lexicon that the gemeente's
 * communication staff edit (flows/triage/lexicon.yaml), no model and no network. The
 * same text and lexicon always give the same result, and `explainTriage` shows which
 * cues decided it. Emergencies (crisis → 113, spoed → 112) are checked before anything else.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { LineCounter, isNode, parseDocument } from "yaml";
import { z } from "zod";
import { IntentSchema, ThemeSchema, type Emergency, type Intent, type Language, type Theme } from "../domain/vocabulary.ts";

// ── vocabularies (CONTRACTS.md, Vocabularies; defined in domain/vocabulary.ts) ──

export { EmergencySchema, IntentSchema, LanguageSchema, ThemeSchema, type Emergency, type Intent, type Language, type Theme } from "../domain/vocabulary.ts";

/** Intents that carry cues in the lexicon (all but `onbekend`, which is the fallback). */
export const LexiconIntentSchema = IntentSchema.exclude(["onbekend"]);
/** An intent with its own cue list. */
export type LexiconIntent = z.infer<typeof LexiconIntentSchema>;

/** Themes that carry cues in the lexicon (all but `overig`, which is the fallback). */
export const LexiconThemeSchema = ThemeSchema.exclude(["overig"]);
/** A theme with its own cue list. */
export type LexiconTheme = z.infer<typeof LexiconThemeSchema>;

// ── lexicon file format ─────────────────────────────────────────────────────

const CUE_WORD = /^\*?[^*\s]+\*?$/;

/**
 * A cue: a word, a phrase, or a word with `*` at its start and/or end. A phrase that starts
 * with `=` only matches with its words right next to each other.
 */
export const CueSchema = z
  .string()
  .refine((cue) => stripAdjacency(cue).length > 0, { message: "a cue may not be empty" })
  .refine(
    (cue) =>
      stripAdjacency(cue)
        .split(/\s+/)
        .every((word) => CUE_WORD.test(word)),
    {
      message: 'a "*" may only stand at the start or end of a word (stoep*, *container, *afval*)',
    },
  )
  .refine((cue) => splitCue(cue).every((part) => part.core.length > 0), {
    message: "every word of a cue needs at least one letter or digit",
  });

/** Cue → weight. Negative weights are counter-evidence; 0 is refused because it does nothing. */
export const CueMapSchema = z.record(
  CueSchema,
  z
    .number()
    .min(-10)
    .max(10)
    .refine((weight) => weight !== 0, { message: "a weight of 0 does nothing: remove the cue or give it a weight" }),
);
/** The cues of one intent or theme. */
export type CueMap = z.infer<typeof CueMapSchema>;

const EmergencySettingsSchema = z.strictObject({
  threshold: z.number().positive(),
  theme: ThemeSchema,
});

/** The shape of flows/triage/lexicon.yaml. */
export const TriageLexiconSchema = z.strictObject({
  version: z.literal(1),
  settings: z.strictObject({
    typoMinLength: z.number().int().min(3),
    phraseGap: z.number().int().min(0).max(5),
    intentThreshold: z.number().positive(),
    themeThreshold: z.number().positive(),
    meldingFromTheme: z.number().min(0).max(10),
    confidenceHalfScore: z.number().positive(),
    /** Endings a whole-word cue of 4+ letters may carry: plurals, diminutives ("bankjes" for "bankje"). */
    inflections: z.array(z.string().regex(/^[a-z]+$/, "an inflection is lowercase letters only, e.g. en")).default([]),
  }),
  emergencies: z.strictObject({
    crisis: EmergencySettingsSchema,
    spoed: EmergencySettingsSchema,
  }),
  intents: z.record(LexiconIntentSchema, CueMapSchema),
  themes: z.record(LexiconThemeSchema, CueMapSchema),
  language: z.strictObject({
    en: z.array(z.string().min(1)).min(1),
    nl: z.array(z.string().min(1)).min(1),
  }),
  /** Correctly spelled words that never count as a typo of a cue ("nieuwe" is not "nieuws"). */
  knownWords: z.array(z.string().min(1)).default([]),
});
/** A validated triage lexicon. */
export type TriageLexicon = z.infer<typeof TriageLexiconSchema>;

/**
 * What the triage decided about one text. Confidences are between 0 and 1; for the
 * fallbacks `onbekend` and `overig` they stay low, so that the bot asks instead of guessing.
 */
export type TriageResult = {
  intent: Intent;
  theme: Theme;
  emergency: Emergency;
  confidence: { intent: number; theme: number };
  language: Language;
};

/** A triage result with the evidence behind it, for staff, tests and lexicon editors. */
export type TriageExplanation = {
  result: TriageResult;
  tokens: string[];
  intentScores: Partial<Record<LexiconIntent, number>>;
  themeScores: Partial<Record<LexiconTheme, number>>;
  /** Per intent or theme: the cues that matched, with their weights. */
  matches: {
    intents: Partial<Record<LexiconIntent, Record<string, number>>>;
    themes: Partial<Record<LexiconTheme, Record<string, number>>>;
  };
};

// ── loading ─────────────────────────────────────────────────────────────────

const DEFAULT_LEXICON_PATH = fileURLToPath(new URL("../../flows/triage/lexicon.yaml", import.meta.url));

/** Thrown when the lexicon file cannot be read, is not YAML, or does not match the format. */
export class TriageLexiconError extends Error {
  override readonly name = "TriageLexiconError";

  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Triage lexicon ${file} is not usable:\n${problems.map((problem) => `  - ${problem}`).join("\n")}\nFix the file (the comment at its top explains the format) and start again.`);
  }
}

/** Reads and validates the triage lexicon; by default flows/triage/lexicon.yaml of this project. */
export function loadTriageLexicon(path: string = DEFAULT_LEXICON_PATH): TriageLexicon {
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch (error) {
    throw new TriageLexiconError(path, [`cannot be read: ${error instanceof Error ? error.message : String(error)}`]);
  }

  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new TriageLexiconError(
      path,
      document.errors.map((error) => {
        const at = error.linePos?.[0];
        const what = error.message.split(" at line ")[0] ?? error.message;
        return `${at ? `line ${at.line}: ` : ""}${what}`;
      }),
    );
  }

  const parsed = TriageLexiconSchema.safeParse(document.toJS());
  if (!parsed.success) {
    throw new TriageLexiconError(
      path,
      parsed.error.issues.map((issue) => {
        const where = issue.path.map(String).join(".") || "(top level)";
        const line = findLineOfPath(document, lineCounter, issue.path);
        // A bad cue is reported by zod as "Invalid key in record"; say what is wrong with it.
        const message = issue.code === "invalid_key" ? issue.issues.map((inner) => inner.message).join("; ") : issue.message;
        return `${line ? `line ${line}, ` : ""}${where}: ${message}`;
      }),
    );
  }
  return parsed.data;
}

/** The line of the deepest existing YAML node along a zod issue path. */
function findLineOfPath(document: ReturnType<typeof parseDocument>, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let length = path.length; length >= 0; length--) {
    const node: unknown = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

// ── text folding and cue matching ──────────────────────────────────────────

/** One position in the text: the folded word, plus variants (repeated letters squeezed). */
type Token = readonly string[];

type CuePart = { core: string; prefix: boolean; suffix: boolean };
type CompiledCue = { cue: string; parts: CuePart[]; adjacent: boolean; weight: number };

type CompiledLexicon = {
  settings: TriageLexicon["settings"];
  emergencies: TriageLexicon["emergencies"];
  intents: Map<LexiconIntent, CompiledCue[]>;
  themes: Map<LexiconTheme, CompiledCue[]>;
  en: Set<string>;
  nl: Set<string>;
  knownWords: Set<string>;
};

/** Folds text for matching: lowercase, accents removed, punctuation and emoji dropped. */
export function foldText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/['’‘`´]/g, "")
    .replace(/[^\p{L}\p{N}*]+/gu, " ")
    .trim();
}

/** Splits text into folded words, each with its squeezed variants ("hoiii" → "hoii", "hoi"). */
function tokenize(text: string): Token[] {
  const words = foldText(text)
    .replace(/\*/g, " ")
    .split(" ")
    .filter((word) => word.length > 0);
  return words.map((word) => {
    const two = word.replace(/(\p{L})\1{2,}/gu, "$1$1");
    const one = word.replace(/(\p{L})\1{2,}/gu, "$1");
    return [...new Set([word, two, one])];
  });
}

function stripAdjacency(cue: string): string {
  return cue.trim().replace(/^=\s*/, "");
}

function splitCue(cue: string): CuePart[] {
  return stripAdjacency(cue)
    .split(/\s+/)
    .map((word) => ({
      prefix: word.length > 1 && word.endsWith("*"),
      suffix: word.length > 1 && word.startsWith("*"),
      core: foldText(word.replace(/^\*|\*$/g, "")).replace(/[\s*]+/g, ""),
    }));
}

const compiledLexicons = new WeakMap<TriageLexicon, CompiledLexicon>();

function compileLexicon(lexicon: TriageLexicon): CompiledLexicon {
  const cached = compiledLexicons.get(lexicon);
  if (cached) return cached;
  const compileCues = (cues: CueMap): CompiledCue[] =>
    Object.entries(cues).map(([cue, weight]) => ({
      cue,
      parts: splitCue(cue),
      adjacent: cue.trim().startsWith("="),
      weight,
    }));
  const compiled: CompiledLexicon = {
    settings: lexicon.settings,
    emergencies: lexicon.emergencies,
    intents: new Map(LexiconIntentSchema.options.map((intent) => [intent, compileCues(lexicon.intents[intent])])),
    themes: new Map(LexiconThemeSchema.options.map((theme) => [theme, compileCues(lexicon.themes[theme])])),
    en: new Set(lexicon.language.en.map(foldText)),
    nl: new Set(lexicon.language.nl.map(foldText)),
    knownWords: collectKnownWords(lexicon),
  };
  compiledLexicons.set(lexicon, compiled);
  return compiled;
}

/**
 * Words that are spelled right by definition: the `knownWords` list, every cue word (stems
 * included) and every language word. A text word that the lexicon itself knows ("bloemen",
 * a groen cue) is never read as a typo of another cue ("bloeden", a spoed cue).
 */
function collectKnownWords(lexicon: TriageLexicon): Set<string> {
  const known = new Set([...lexicon.knownWords, ...lexicon.language.en, ...lexicon.language.nl].map(foldText));
  const cueMaps = [...Object.values(lexicon.intents), ...Object.values(lexicon.themes)];
  for (const cues of cueMaps) {
    for (const cue of Object.keys(cues)) {
      for (const part of splitCue(cue)) known.add(part.core);
    }
  }
  return known;
}

/**
 * Optimal-string-alignment distance (Damerau-Levenshtein with adjacent swaps), capped:
 * returns `limit + 1` as soon as the distance is known to exceed `limit`.
 */
export function measureTypoDistance(a: string, b: string, limit = 1): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (beforePrevious[j - 2] ?? 0) + 1);
      }
      current.push(value);
      rowMinimum = Math.min(rowMinimum, value);
    }
    if (rowMinimum > limit) return limit + 1;
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] ?? limit + 1;
}

type MatchRules = {
  typoMinLength: number;
  phraseGap: number;
  inflections: readonly string[];
  knownWords: ReadonlySet<string>;
};

const INFLECTABLE_LENGTH = 4;

/**
 * Whether one folded word matches one cue word: exactly, as a stem, with an inflection, or
 * with one typo (insertion, deletion, substitution or swap). A typo is allowed only when cue
 * and word are long enough (a stem one letter more), the first letters agree (people rarely
 * mistype the first letter, and Dutch is full of real words one letter apart:
 * pakken/zakken/takken), and the word is not a known, correctly spelled word.
 */
function matchesWord(part: CuePart, word: string, rules: MatchRules, typos = true): boolean {
  const { core } = part;
  if (part.prefix && part.suffix) return word.includes(core);
  if (part.prefix && word.startsWith(core)) return true;
  if (part.suffix && word.endsWith(core)) return true;
  if (!part.prefix && !part.suffix) {
    if (word === core) return true;
    if (core.length >= INFLECTABLE_LENGTH && word.startsWith(core) && rules.inflections.includes(word.slice(core.length))) {
      return true;
    }
  }

  // A stem matches many words already; it tolerates a typo only when one letter longer.
  const minimumLength = part.prefix || part.suffix ? rules.typoMinLength + 1 : rules.typoMinLength;
  const typoAllowed = typos && core.length >= minimumLength && word.length >= rules.typoMinLength - 1 && word[0] === core[0] && !rules.knownWords.has(word);
  if (!typoAllowed) return false;
  if (part.prefix || part.suffix) {
    for (const length of [core.length - 1, core.length, core.length + 1]) {
      if (word.length < length) continue;
      const piece = part.prefix ? word.slice(0, length) : word.slice(word.length - length);
      if (measureTypoDistance(core, piece) <= 1) return true;
    }
    return false;
  }
  // Both sides long enough: "staat" must not pass for "straat".
  return word.length >= rules.typoMinLength && measureTypoDistance(core, word) <= 1;
}

/**
 * One text prepared for matching. Each cue word is compared with every distinct word of the
 * text once, so a long text that repeats itself stays cheap.
 */
type PreparedText = {
  tokens: Token[];
  words: ReadonlySet<string>;
  /** Two neighbouring words written together: residents split compounds ("honden poep"). */
  joinedPairs: ReadonlySet<string>;
  rules: MatchRules;
  matchingWords: Map<CuePart, ReadonlySet<string>>;
};

function prepareText(tokens: Token[], rules: MatchRules): PreparedText {
  const joinedPairs = new Set<string>();
  for (let i = 0; i + 1 < tokens.length; i++) joinedPairs.add(`${tokens[i]?.[0] ?? ""}${tokens[i + 1]?.[0] ?? ""}`);
  return { tokens, words: new Set(tokens.flat()), joinedPairs, rules, matchingWords: new Map() };
}

function findMatchingWords(part: CuePart, text: PreparedText): ReadonlySet<string> {
  const cached = text.matchingWords.get(part);
  if (cached) return cached;
  const matching = new Set([...text.words].filter((word) => matchesWord(part, word, text.rules)));
  text.matchingWords.set(part, matching);
  return matching;
}

function matchesCue(cue: CompiledCue, text: PreparedText): boolean {
  const [first, ...rest] = cue.parts;
  if (!first) return false;
  const firstWords = findMatchingWords(first, text);

  if (rest.length === 0) {
    if (firstWords.size > 0) return true;
    // No typos on top of joining: "de straat" would otherwise pass for "bestraat".
    if (first.core.length < text.rules.typoMinLength) return false;
    return [...text.joinedPairs].some((joined) => matchesWord(first, joined, text.rules, false));
  }

  const { tokens } = text;
  const gap = cue.adjacent ? 0 : text.rules.phraseGap;
  const matchesAt = (part: CuePart, position: number): boolean => tokens[position]?.some((word) => findMatchingWords(part, text).has(word)) ?? false;
  const matchFrom = (partIndex: number, previousPosition: number): boolean => {
    const part = cue.parts[partIndex];
    if (!part) return true;
    const last = Math.min(tokens.length - 1, previousPosition + 1 + gap);
    for (let position = previousPosition + 1; position <= last; position++) {
      if (matchesAt(part, position) && matchFrom(partIndex + 1, position)) return true;
    }
    return false;
  };
  if (firstWords.size === 0) return false;
  return tokens.some((token, position) => token.some((word) => firstWords.has(word)) && matchFrom(1, position));
}

function scoreCues(cues: readonly CompiledCue[], text: PreparedText): { score: number; matched: Record<string, number> } {
  let score = 0;
  const matched: Record<string, number> = {};
  for (const cue of cues) {
    if (matchesCue(cue, text)) {
      score += cue.weight;
      matched[cue.cue] = cue.weight;
    }
  }
  return { score, matched };
}

// ── deciding ────────────────────────────────────────────────────────────────

function rankScores<K extends string>(scores: ReadonlyMap<K, number>, order: readonly K[]): { best: K; top: number; second: number } {
  let best = order[0];
  let top = Number.NEGATIVE_INFINITY;
  let second = Number.NEGATIVE_INFINITY;
  for (const key of order) {
    const score = scores.get(key) ?? 0;
    if (score > top) {
      second = top;
      top = score;
      best = key;
    } else if (score > second) {
      second = score;
    }
  }
  if (best === undefined) throw new Error("rankScores needs at least one key");
  return { best, top, second: Math.max(second, 0) };
}

/** Saturating strength of a score: 0 at 0, ½ at `half`, towards 1 for strong evidence. */
function measureStrength(score: number, half: number): number {
  return score <= 0 ? 0 : score / (score + half);
}

/** Confidence of a winner: its strength, lowered when the runner-up is close. */
function measureConfidence(top: number, second: number, half: number): number {
  const margin = top > 0 ? (top - Math.max(second, 0)) / top : 0;
  return roundConfidence(measureStrength(top, half) * (0.6 + 0.4 * margin));
}

function roundConfidence(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 100) / 100;
}

function detectLanguageOfTokens(tokens: Token[], compiled: CompiledLexicon): Language {
  let en = 0;
  let nl = 0;
  for (const token of tokens) {
    const word = token[0] ?? "";
    if (compiled.en.has(word)) en++;
    if (compiled.nl.has(word)) nl++;
  }
  return en > nl ? "en" : "nl";
}

/** Guesses whether a text is English or Dutch from common function words; Dutch on a tie. */
export function detectLanguage(text: string, lexicon: TriageLexicon): Language {
  return detectLanguageOfTokens(tokenize(text), compileLexicon(lexicon));
}

/**
 * Emergencies are checked first, crisis before spoed: a person in danger of suicide needs 113
 * even when the text also mentions, say, pills or an accident.
 */
const EMERGENCY_ORDER: ReadonlyArray<{ intent: "crisis" | "spoed"; emergency: "112" | "113" }> = [
  { intent: "crisis", emergency: "113" },
  { intent: "spoed", emergency: "112" },
];

/** Triages a text and tells which cues decided it. */
export function explainTriage(text: string, lexicon: TriageLexicon): TriageExplanation {
  const compiled = compileLexicon(lexicon);
  const { settings } = compiled;
  const tokens = tokenize(text);
  const language = detectLanguageOfTokens(tokens, compiled);
  const prepared = prepareText(tokens, { ...settings, knownWords: compiled.knownWords });

  const intentScores = new Map<LexiconIntent, number>();
  const themeScores = new Map<LexiconTheme, number>();
  const matches: TriageExplanation["matches"] = { intents: {}, themes: {} };

  for (const [intent, cues] of compiled.intents) {
    const { score, matched } = scoreCues(cues, prepared);
    intentScores.set(intent, score);
    if (Object.keys(matched).length > 0) matches.intents[intent] = matched;
  }
  for (const [theme, cues] of compiled.themes) {
    const { score, matched } = scoreCues(cues, prepared);
    themeScores.set(theme, score);
    if (Object.keys(matched).length > 0) matches.themes[theme] = matched;
  }

  const explain = (result: TriageResult): TriageExplanation => ({
    result,
    tokens: tokens.map((token) => token[0] ?? ""),
    intentScores: Object.fromEntries(intentScores),
    themeScores: Object.fromEntries(themeScores),
    matches,
  });

  for (const { intent, emergency } of EMERGENCY_ORDER) {
    const { threshold, theme } = compiled.emergencies[intent];
    const score = intentScores.get(intent) ?? 0;
    if (score >= threshold) {
      return explain({
        intent,
        theme,
        emergency,
        confidence: { intent: roundConfidence(Math.max(0.9, measureStrength(score, threshold))), theme: 1 },
        language,
      });
    }
  }

  const half = settings.confidenceHalfScore;
  const themeRank = rankScores(themeScores, LexiconThemeSchema.options);
  const themeFound = themeRank.top >= settings.themeThreshold;
  const theme: Theme = themeFound ? themeRank.best : "overig";
  const themeConfidence = themeFound ? measureConfidence(themeRank.top, themeRank.second, half) : roundConfidence(0.5 * (1 - measureStrength(themeRank.top, half)));

  // A resident naming a problem thing ("hondenpoep bij school") is usually reporting it; a
  // flat amount, so that a text rich in theme words cannot outvote "idee:" or "dialoogtafel".
  // On a tie the more specific intent wins: melding, the default, is ranked last.
  const ordinaryIntents: LexiconIntent[] = [...LexiconIntentSchema.options.filter((intent) => intent !== "spoed" && intent !== "crisis" && intent !== "melding"), "melding"];
  const decisionScores = new Map(intentScores);
  if (themeFound) {
    decisionScores.set("melding", (decisionScores.get("melding") ?? 0) + settings.meldingFromTheme);
  }
  const intentRank = rankScores(decisionScores, ordinaryIntents);

  if (intentRank.top < settings.intentThreshold) {
    return explain({
      intent: "onbekend",
      theme,
      emergency: null,
      confidence: { intent: roundConfidence(0.5 * measureStrength(intentRank.top, half)), theme: themeConfidence },
      language,
    });
  }
  return explain({
    intent: intentRank.best,
    theme,
    emergency: null,
    confidence: { intent: measureConfidence(intentRank.top, intentRank.second, half), theme: themeConfidence },
    language,
  });
}

/** Triages a resident's text: intent, theme, emergency (112/113 win over everything), language. */
export function triageText(text: string, lexicon: TriageLexicon): TriageResult {
  return explainTriage(text, lexicon).result;
}
