/**
 * Triage of free resident text into intent, theme and emergency.
 *
 * Deterministic and transparent on purpose: the trained model (flows/triage/model.json,
 * src/conversation/triageModel.ts) with a weighted lexicon on top that the gemeente's
 * communication staff edit (flows/triage/lexicon.yaml), no network. The same text, model and
 * lexicon always give the same result, and `explainTriage` shows the model's scores and the cues
 * that matched. Emergencies (crisis → 113, spoed → 112) are checked before anything else.
 */
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { readYamlFile } from "./readYamlFile.ts";
import { foldText } from "./foldText.ts";
import { predictWithModel, type RankedClasses, type SafetyThresholds, scoreOf, type TriageModel } from "./triageModel.ts";
import { IntentSchema, ThemeSchema, type Emergency, type Intent, type Language, type Theme } from "../domain/vocabulary.ts";

// ── vocabularies (CONTRACTS.md, Vocabularies; defined in domain/vocabulary.ts) ──

export { foldText } from "./foldText.ts";
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
export const TriageLexiconSchema = z
  .strictObject({
    version: z.literal(1),
    settings: z.strictObject({
      typoMinLength: z.number().int().min(3),
      phraseGap: z.number().int().min(0).max(5),
      confidenceHalfScore: z.number().positive(),
      /** Endings a whole-word cue of 4+ letters may carry: plurals, diminutives ("bankjes" for "bankje"). */
      inflections: z.array(z.string().regex(/^[a-z]+$/, "an inflection is lowercase letters only, e.g. en")).default([]),
      /** Below this share of the (model + lexicon) score the intent is `onbekend` and the bot asks. */
      modelIntentThreshold: z.number().min(0).max(1).default(0.4),
      /** How much a fully matched lexicon intent or theme adds to the model's probability (0–1). */
      lexiconBlend: z.number().min(0).max(1).default(0.3),
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
    /**
     * Rules for tense and negation on top of the model's 112/113: a matching calm cue multiplies the
     * model's probability by `damping` (the lexicon's own emergency cues are not damped).
     */
    safety: z
      .strictObject({
        damping: z.number().min(0).max(1),
        /** Puts a 112 in the past or denies it ("vorige week", "geen brand"); does not touch 113. */
        calm112: z.array(CueSchema).default([]),
        /**
         * Puts a 112 far in the past or denies its very word ("vorig jaar", "geen gaslucht"): like calm112,
         * and it also holds back the spoed cues of weight 5 ("mijn vader had vorig jaar een hartaanval").
         */
        past112: z.array(CueSchema).default([]),
        /** Puts it in the present again, over a calm cue ("op dit moment", "nog steeds"). */
        now112: z.array(CueSchema).default([]),
        /** Figures of speech that are no 113 ("ik ga dood van het lawaai"). */
        calm113: z.array(CueSchema).default([]),
        /**
         * Worries about someone's welfare that may be a 112 without saying so ("buurvrouw doet al
         * dagen niet open", "de post stapelt op"): the bot asks "Is er nu gevaar?", never decides 112.
         */
        possible112: z.array(CueSchema).default([]),
        /**
         * Something swallowed or taken too much of ("een hele strip paracetamol ingenomen"): when the
         * lexicon's spoed cues reach their threshold and no `self113` cue says it was the writer, it is
         * someone else's poisoning, a 112 (not the 113 answer the model may prefer). Crisis cues that only
         * say what was taken (`taken113`: "overdosis", "alle pillen") do not change that; a wish does ("zegt dat hij dood wil").
         */
        poisoned112: z.array(CueSchema).default([]),
        /** Crisis cues (keys of `intents.crisis`) that only say what was taken ("overdosis"). */
        taken113: z.array(z.string().min(1)).default([]),
        /** The writer speaks of themself ("ik heb", "heb net", "mezelf"): a poisoning stays with the 113 rules. */
        self113: z.array(CueSchema).default([]),
        /**
         * A book, a film, or a crisis long over ("in mijn boek", "tien jaar geleden … nu gaat het goed"): holds
         * back the crisis cues that only name the subject (`topic113`), never a wish of the writer's own.
         */
        story113: z.array(CueSchema).default([]),
        /** Crisis cues (keys of `intents.crisis`) that name the subject rather than a wish ("zelfmoord*"). */
        topic113: z.array(z.string().min(1)).default([]),
      })
      .default({ damping: 1, calm112: [], past112: [], now112: [], calm113: [], possible112: [], poisoned112: [], taken113: [], self113: [], story113: [], topic113: [] }),
    /** Correctly spelled words that never count as a typo of a cue ("nieuwe" is not "nieuws"). */
    knownWords: z.array(z.string().min(1)).default([]),
  })
  .superRefine((lexicon, context) => {
    for (const list of ["topic113", "taken113"] as const) {
      for (const cue of lexicon.safety[list]) {
        if (!(cue in lexicon.intents.crisis)) context.addIssue({ code: "custom", path: ["safety", list], message: `"${cue}" is not a crisis cue (intents.crisis)` });
      }
    }
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
  /**
   * A 112 or 113 that is possible but not sure (no emergency decided): the bot asks at once
   * ("Is er nu gevaar? Bel 112."). Null when `emergency` is set or nothing points that way.
   */
  possibleEmergency: Emergency;
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
  /** The trained model's top classes with their probabilities. */
  model: { intent: RankedClasses; theme: RankedClasses; emergency: RankedClasses };
  /** The safety layer: the tense and negation cues that matched, and the model's 112/113 after them against the thresholds. */
  safety: {
    calmCues: string[];
    nowCues: string[];
    /** Welfare worries that make the bot ask about 112 (lexicon `safety.possible112`). */
    worryCues: string[];
    "112": { score: number } & SafetyThresholds;
    "113": { score: number } & SafetyThresholds;
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
  const read = readYamlFile(path, TriageLexiconSchema);
  if (!read.ok) throw new TriageLexiconError(path, read.problems);
  return read.data;
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
  safety: {
    damping: number;
    calm112: CompiledCue[];
    past112: CompiledCue[];
    now112: CompiledCue[];
    calm113: CompiledCue[];
    possible112: CompiledCue[];
    poisoned112: CompiledCue[];
    taken113: ReadonlySet<string>;
    self113: CompiledCue[];
    story113: CompiledCue[];
    topic113: ReadonlySet<string>;
  };
  /** Every cue word of every cue, for the word cache. */
  allParts: CuePart[];
  wordParts: Map<string, ReadonlySet<CuePart>>;
  joinedParts: Map<string, ReadonlySet<CuePart>>;
};

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
    safety: {
      damping: lexicon.safety.damping,
      calm112: compileCues(Object.fromEntries([...lexicon.safety.calm112, ...lexicon.safety.past112].map((cue) => [cue, 1]))),
      past112: compileCues(Object.fromEntries(lexicon.safety.past112.map((cue) => [cue, 1]))),
      now112: compileCues(Object.fromEntries(lexicon.safety.now112.map((cue) => [cue, 1]))),
      calm113: compileCues(Object.fromEntries(lexicon.safety.calm113.map((cue) => [cue, 1]))),
      possible112: compileCues(Object.fromEntries(lexicon.safety.possible112.map((cue) => [cue, 1]))),
      poisoned112: compileCues(Object.fromEntries(lexicon.safety.poisoned112.map((cue) => [cue, 1]))),
      taken113: new Set(lexicon.safety.taken113),
      self113: compileCues(Object.fromEntries(lexicon.safety.self113.map((cue) => [cue, 1]))),
      story113: compileCues(Object.fromEntries(lexicon.safety.story113.map((cue) => [cue, 1]))),
      topic113: new Set(lexicon.safety.topic113),
    },
    allParts: [],
    wordParts: new Map(),
    joinedParts: new Map(),
  };
  compiled.allParts = [
    ...compiled.intents.values(),
    ...compiled.themes.values(),
    compiled.safety.calm112,
    compiled.safety.past112,
    compiled.safety.now112,
    compiled.safety.calm113,
    compiled.safety.possible112,
    compiled.safety.poisoned112,
    compiled.safety.self113,
    compiled.safety.story113,
  ].flatMap((cues) => cues.flatMap((cue) => cue.parts));
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
  /** The cue words that a joined pair matches (without typos). */
  joinedMatches: ReadonlySet<CuePart>;
  rules: MatchRules;
  matchingWords: ReadonlyMap<CuePart, ReadonlySet<string>>;
};

/** Words remembered per lexicon with the cue words they match; emptied when it grows past this. */
const WORD_CACHE_LIMIT = 50_000;

/** The cue words (of all cues) that one text word matches, remembered per lexicon: words repeat across messages. */
function findPartsOfWord(word: string, compiled: CompiledLexicon, rules: MatchRules, typos = true): ReadonlySet<CuePart> {
  const cache = typos ? compiled.wordParts : compiled.joinedParts;
  const cached = cache.get(word);
  if (cached) return cached;
  const parts = new Set(compiled.allParts.filter((part) => matchesWord(part, word, rules, typos)));
  if (cache.size >= WORD_CACHE_LIMIT) cache.clear();
  cache.set(word, parts);
  return parts;
}

function prepareText(tokens: Token[], rules: MatchRules, compiled: CompiledLexicon): PreparedText {
  const joinedPairs = new Set<string>();
  for (let i = 0; i + 1 < tokens.length; i++) joinedPairs.add(`${tokens[i]?.[0] ?? ""}${tokens[i + 1]?.[0] ?? ""}`);
  const words = new Set(tokens.flat());
  const matchingWords = new Map<CuePart, Set<string>>();
  for (const word of words) {
    for (const part of findPartsOfWord(word, compiled, rules)) {
      let set = matchingWords.get(part);
      if (!set) {
        set = new Set();
        matchingWords.set(part, set);
      }
      set.add(word);
    }
  }
  const joinedMatches = new Set<CuePart>();
  for (const joined of joinedPairs) for (const part of findPartsOfWord(joined, compiled, rules, false)) joinedMatches.add(part);
  return { tokens, words, joinedPairs, joinedMatches, rules, matchingWords };
}

const NO_WORDS: ReadonlySet<string> = new Set();

function findMatchingWords(part: CuePart, text: PreparedText): ReadonlySet<string> {
  return text.matchingWords.get(part) ?? NO_WORDS;
}

function matchesCue(cue: CompiledCue, text: PreparedText): boolean {
  const [first, ...rest] = cue.parts;
  if (!first) return false;
  const firstWords = findMatchingWords(first, text);

  if (rest.length === 0) {
    if (firstWords.size > 0) return true;
    // No typos on top of joining: "de straat" would otherwise pass for "bestraat".
    if (first.core.length < text.rules.typoMinLength) return false;
    return text.joinedMatches.has(first);
  }

  // Most phrases fail on their first word: leave before building the matcher.
  if (firstWords.size === 0) return false;
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

/** Saturating strength of a score: 0 at 0, ½ at `half`, towards 1 for strong evidence. */
function measureStrength(score: number, half: number): number {
  return score <= 0 ? 0 : score / (score + half);
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

/** The words a text needs before the model alone may decide an emergency (the lexicon's cues always may)… */
const MIN_WORDS_FOR_SURE = 5;
/** …and before it may ask about one. */
const MIN_WORDS_FOR_QUESTION = 4;

/** The theme an emergency is filed under, from the lexicon's `emergencies` settings. */
function emergencyTheme(compiled: CompiledLexicon, emergency: "112" | "113"): Theme {
  return compiled.emergencies[emergency === "113" ? "crisis" : "spoed"].theme;
}

/** The intents the model and lexicon choose from once no emergency is decided. */
const ORDINARY_INTENTS: readonly Intent[] = IntentSchema.options.filter((intent) => intent !== "spoed" && intent !== "crisis");
const KNOWN_INTENTS: readonly Intent[] = ORDINARY_INTENTS.filter((intent) => intent !== "onbekend");

/**
 * Model probability plus the lexicon: each matched intent or theme adds `blend` times its cue
 * strength; a cue of weight 5 or more always counts (its class wins), one of -5 or less never
 * lets its class win. Returns the winner and its share of the total.
 */
function decideWithLexicon<K extends string>(
  ranked: RankedClasses,
  allowed: readonly K[],
  lexiconScores: ReadonlyMap<string, number>,
  matched: Partial<Record<string, Record<string, number>>>,
  settings: TriageLexicon["settings"],
): { best: K; share: number } {
  const always = new Set<string>();
  const never = new Set<string>();
  for (const [label, cues] of Object.entries(matched)) {
    for (const weight of Object.values(cues ?? {})) {
      if (weight >= 5) always.add(label);
      if (weight <= -5) never.add(label);
    }
  }
  let total = 0;
  let best: K | undefined;
  let top = Number.NEGATIVE_INFINITY;
  for (const label of allowed) {
    if (never.has(label)) continue;
    const score = scoreOf(ranked, label) + settings.lexiconBlend * measureStrength(lexiconScores.get(label) ?? 0, settings.confidenceHalfScore) + (always.has(label) ? 1 : 0);
    total += score;
    if (score > top) {
      top = score;
      best = label;
    }
  }
  if (best === undefined) throw new Error("decideWithLexicon needs at least one allowed class");
  return { best, share: total > 0 ? top / total : 0 };
}

/**
 * Triages a text with the trained model and the lexicon, and tells what decided it.
 *
 * The safety layer first: 113 before 112, each from the lexicon's own emergency cues or from the
 * model's probability (after the tense and negation rules) at or above its `sure` threshold; a
 * probability between `possible` and `sure` gives `possibleEmergency`, and the bot asks. Then
 * intent and theme from the model, with the lexicon on top; below `modelIntentThreshold` the
 * intent is `onbekend`.
 */
export function explainTriage(text: string, lexicon: TriageLexicon, model: TriageModel): TriageExplanation {
  const compiled = compileLexicon(lexicon);
  const { settings } = compiled;
  const tokens = tokenize(text);
  const language = detectLanguageOfTokens(tokens, compiled);
  const prepared = prepareText(tokens, { ...settings, knownWords: compiled.knownWords }, compiled);

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

  const prediction = predictWithModel(model, text);
  const rules = checkSafetyRules(prepared, compiled);
  const thresholds = model.stored.thresholds;
  const p113 = scoreOf(prediction.emergency, "113") * rules.damping["113"];
  const p112 = scoreOf(prediction.emergency, "112") * rules.damping["112"];
  const crisisScore = intentScores.get("crisis") ?? 0;
  const lexicon113 = countsAsCrisis(crisisScore, matches.intents.crisis ?? {}, rules, compiled);
  // A calm cue (past, denied, hypothetical) holds back the spoed cues unless one that always counts matched.
  const spoedAlways = Object.values(matches.intents.spoed ?? {}).some((weight) => weight >= 5);
  const lexicon112 = (intentScores.get("spoed") ?? 0) >= compiled.emergencies.spoed.threshold && (rules.damping["112"] === 1 || (spoedAlways && !rules.holdsBackAlways));
  // Someone else swallowed or took too much of something: 112, whatever 113 the model reads in it.
  const poisoned = lexicon112 && rules.poisoned && !countsAsCrisis(crisisScore, matches.intents.crisis ?? {}, rules, compiled, compiled.safety.taken113);
  // The model alone is sure only of a sentence, and asks only from a few words on: short answers
  // ("zelf", "nee wacht", "heb ik niet") are read by the lexicon's and other languages' cues alone.
  const sentence = tokens.length >= MIN_WORDS_FOR_SURE;
  const question = tokens.length >= MIN_WORDS_FOR_QUESTION;
  // A 112 that the model reads as 113 more than as 112 (self-harm that bleeds, someone on a bridge)
  // gets the 113 answer: it ends with "Ben je in direct gevaar? Bel 112."
  const rather113 = question && p113 >= thresholds["113"].possible && p113 > p112;
  const emergency: Emergency = poisoned
    ? "112"
    : lexicon113 || (sentence && p113 >= thresholds["113"].sure)
      ? "113"
      : lexicon112 || (sentence && p112 >= thresholds["112"].sure)
        ? rather113
          ? "113"
          : "112"
        : null;
  // Shorter than that, the model asks only when it is sure ("iemand met mes!!", "ambulans nodig"): a
  // question costs little, and short answers to the bot's questions stay well below `sure`.
  // Text without a single letter ("4", "2!", "13:00") is an answer to a question (a score, a choice, a
  // time), never a worry by itself: the model, which has seen such numbers inside emergencies, does not ask.
  const asksFrom = (kind: "112" | "113") => (!/\p{L}/u.test(text) ? Number.POSITIVE_INFINITY : question ? thresholds[kind].possible : thresholds[kind].sure);
  // A worry about someone's welfare ("doet al dagen niet open") asks about 112 unless a calm cue puts it in the past.
  const worry112 = rules.possible112.length > 0 && rules.damping["112"] === 1;
  const possibleEmergency: Emergency = emergency || tokens.length === 0 ? null : p113 >= asksFrom("113") ? "113" : p112 >= asksFrom("112") || worry112 ? "112" : null;

  const explain = (result: TriageResult): TriageExplanation => ({
    result,
    tokens: tokens.map((token) => token[0] ?? ""),
    intentScores: Object.fromEntries(intentScores),
    themeScores: Object.fromEntries(themeScores),
    matches,
    model: { intent: prediction.intent.slice(0, 3), theme: prediction.theme.slice(0, 3), emergency: prediction.emergency },
    safety: {
      calmCues: [...rules.calm112, ...rules.calm113, ...rules.story113],
      nowCues: rules.now112,
      worryCues: rules.possible112,
      "112": { score: roundScore(p112), ...thresholds["112"] },
      "113": { score: roundScore(p113), ...thresholds["113"] },
    },
  });

  if (emergency) {
    const score = emergency === "113" ? p113 : p112;
    return explain({
      intent: emergency === "113" ? "crisis" : "spoed",
      theme: emergencyTheme(compiled, emergency),
      emergency,
      possibleEmergency: null,
      confidence: { intent: roundConfidence(Math.max(0.9, score)), theme: 1 },
      language,
    });
  }

  const intent = decideWithLexicon(prediction.intent, ORDINARY_INTENTS, intentScores, matches.intents, settings);
  const theme = decideWithLexicon(prediction.theme, ThemeSchema.options, themeScores, matches.themes, settings);
  if (intent.best === "onbekend" || intent.share < settings.modelIntentThreshold) {
    // Unclear: the confidence is that of the best real intent, so that it stays low and the bot asks.
    const real = decideWithLexicon(prediction.intent, KNOWN_INTENTS, intentScores, matches.intents, settings);
    const share = tokens.length === 0 ? 0 : real.share * (1 - scoreOf(prediction.intent, "onbekend"));
    return explain({ intent: "onbekend", theme: theme.best, emergency: null, possibleEmergency, confidence: { intent: roundConfidence(share), theme: roundConfidence(theme.share) }, language });
  }
  return explain({
    intent: intent.best,
    theme: theme.best,
    emergency: null,
    possibleEmergency,
    confidence: { intent: roundConfidence(intent.share), theme: roundConfidence(theme.share) },
    language,
  });
}

function roundScore(value: number): number {
  return Math.round(value * 10000) / 10000;
}

/** The tense and negation rules: which calm and now cues matched, and the damping they give the model's 112 and 113. */
function checkSafetyRules(
  prepared: PreparedText,
  compiled: CompiledLexicon,
): {
  calm112: string[];
  now112: string[];
  calm113: string[];
  possible112: string[];
  story113: string[];
  poisoned: boolean;
  damping: { "112": number; "113": number };
  holdsBackAlways: boolean;
} {
  const matching = (cues: readonly CompiledCue[]) => cues.filter((cue) => matchesCue(cue, prepared)).map((cue) => cue.cue);
  const calm112 = matching(compiled.safety.calm112);
  const now112 = matching(compiled.safety.now112);
  const calm113 = matching(compiled.safety.calm113);
  const possible112 = matching(compiled.safety.possible112);
  const { damping } = compiled.safety;
  const past = now112.length === 0 && compiled.safety.past112.some((cue) => matchesCue(cue, prepared));
  const story113 = matching(compiled.safety.story113);
  const poisoned = compiled.safety.poisoned112.some((cue) => matchesCue(cue, prepared)) && !compiled.safety.self113.some((cue) => matchesCue(cue, prepared));
  return {
    calm112,
    now112,
    calm113,
    possible112,
    story113,
    poisoned,
    damping: { "112": calm112.length > 0 && now112.length === 0 ? damping : 1, "113": calm113.length > 0 || story113.length > 0 ? damping : 1 },
    holdsBackAlways: past,
  };
}

/**
 * Whether the lexicon's crisis cues make a 113: their total reaches the threshold, and, when a book, a film
 * or a crisis long over is told (`story113`), so does the total without the cues that only name the subject;
 * `without` leaves out more cues (what was taken, for someone else's poisoning).
 */
function countsAsCrisis(
  score: number,
  matched: Readonly<Record<string, number>>,
  rules: { story113: readonly string[] },
  compiled: CompiledLexicon,
  without: ReadonlySet<string> = new Set(),
): boolean {
  const { threshold } = compiled.emergencies.crisis;
  if (score < threshold) return false;
  const story = rules.story113.length > 0;
  const left = Object.entries(matched).reduce((sum, [cue, weight]) => (without.has(cue) || (story && compiled.safety.topic113.has(cue)) ? sum - weight : sum), score);
  return left >= threshold;
}

/** What the rule layer alone says about a text (for the trainer's thresholds): the lexicon's own emergency, and the damping of the model's 112 and 113. */
export function checkRulesWithoutModel(text: string, lexicon: TriageLexicon): { caught: Emergency; damping: { "112": number; "113": number } } {
  const compiled = compileLexicon(lexicon);
  const prepared = prepareText(tokenize(text), { ...compiled.settings, knownWords: compiled.knownWords }, compiled);
  const crisis = scoreCues(compiled.intents.get("crisis") ?? [], prepared);
  const spoed = scoreCues(compiled.intents.get("spoed") ?? [], prepared);
  const rules = checkSafetyRules(prepared, compiled);
  const { damping, holdsBackAlways } = rules;
  const spoedCounts = damping["112"] === 1 || (!holdsBackAlways && Object.values(spoed.matched).some((weight) => weight >= 5));
  const lexicon112 = spoed.score >= compiled.emergencies.spoed.threshold && spoedCounts;
  const lexicon113 = countsAsCrisis(crisis.score, crisis.matched, rules, compiled);
  const poisoned = lexicon112 && rules.poisoned && !countsAsCrisis(crisis.score, crisis.matched, rules, compiled, compiled.safety.taken113);
  const caught: Emergency = poisoned ? "112" : lexicon113 ? "113" : lexicon112 ? "112" : null;
  return { caught, damping };
}

/** Triages a resident's text: intent, theme, emergency (112/113 win over everything), language. */
export function triageText(text: string, lexicon: TriageLexicon, model: TriageModel): TriageResult {
  return explainTriage(text, lexicon, model).result;
}
