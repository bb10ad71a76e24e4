/**
 * The safety net in other languages: emergency (112) and crisis (113) cues in English, Turkish,
 * Arabic, Polish, Ukrainian and German, from flows/triage/safety-languages.yaml, checked before
 * the Dutch lexicon. Tuned for recall: one cue is enough. It is the transparent recall layer that
 * stays when a trained model adds its own signal on top (src/conversation/residentTriage.ts
 * combines them: whichever says 113 or 112 wins).
 *
 * Every language's cues are checked on every text, whatever language it seems to be in: a short
 * message is easily misread, and a missed emergency costs more than a question.
 */
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { readYamlFile } from "./readYamlFile.ts";
import { DetectedLanguageSchema } from "../domain/vocabulary.ts";

/** The languages with cue lists (Dutch has the lexicon, flows/triage/lexicon.yaml). */
export const RuleLanguageSchema = DetectedLanguageSchema.exclude(["nl", "other"]);
/** en, tr, ar, pl, uk or de. */
export type RuleLanguage = z.infer<typeof RuleLanguageSchema>;

const CUE_WORD = /^\*?[^*\s]+\*?$/;

/**
 * A cue: one word or a phrase. A word may end in `*` (any ending: `yangin*`) or start with it (any
 * beginning, for Arabic's attached particles: `*حريق`), or both (`*نتحر*`). A phrase's words
 * must come in order with at most `phraseGap` words between them; a phrase that starts with `=`
 * only matches with its words right next to each other.
 */
export const LanguageCueSchema = z
  .string()
  .min(1)
  .refine(
    (cue) =>
      stripAdjacency(cue)
        .split(/\s+/)
        .every((word) => CUE_WORD.test(word)),
    {
      message: 'a "*" may only stand at the start or end of a word (yangin*, *حريق)',
    },
  )
  .refine((cue) => splitCue(cue).every((part) => part.core.length > 0), { message: "every word of a cue needs at least one letter or digit" });

const CueListSchema = z.array(LanguageCueSchema).default([]);

/** The cues of one language. */
export const LanguageRulesSchema = z.strictObject({
  /** Words that tell the language when the language model is unsure ("merhaba", "dziękuję"); never emergency words. */
  hints: z.array(z.string().min(1)).default([]),
  /** Danger now: any one of these means 112. */
  "112": CueListSchema,
  /** A person may take their own life: any one means 113 (and wins over 112). */
  "113": CueListSchema,
  /** Words that put a 112 cue in the past or deny it ("last week", "nicht dringend"); they do not cancel 113. */
  calm: CueListSchema,
  /** Words that put it in the present again, over a calm word ("right now", "şu an"). */
  now: CueListSchema,
  /** Everyday phrases that contain a cue word but mean no harm ("dying laughing"): removed before matching. */
  neutral: CueListSchema,
});
/** One language's validated cues. */
export type LanguageRules = z.infer<typeof LanguageRulesSchema>;

/** The shape of flows/triage/safety-languages.yaml. */
export const SafetyLanguagesSchema = z.strictObject({
  version: z.literal(1),
  settings: z.strictObject({ phraseGap: z.number().int().min(0).max(5) }),
  languages: z.record(RuleLanguageSchema, LanguageRulesSchema),
});
/** The validated cue lists of every language. */
export type SafetyLanguages = z.infer<typeof SafetyLanguagesSchema>;

/** What the rules found in a text. */
export type LanguageSafety = {
  emergency: "112" | "113" | null;
  /** A calm word (past, denial) without a now word: a 112 signal from elsewhere may be dropped too. */
  calm: boolean;
  /** The language whose cues decided it, or null. */
  language: RuleLanguage | null;
  /** Every cue that matched, for explanations and tests. */
  matched: Array<{ language: RuleLanguage; kind: "112" | "113" | "calm" | "now"; cue: string }>;
};

// ── loading ─────────────────────────────────────────────────────────────────

const DEFAULT_PATH = fileURLToPath(new URL("../../flows/triage/safety-languages.yaml", import.meta.url));

/** Thrown when the cue file cannot be read, is not YAML, or does not match the format. */
export class SafetyLanguagesError extends Error {
  override readonly name = "SafetyLanguagesError";

  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Safety cues ${file} are not usable:\n${problems.map((problem) => `  - ${problem}`).join("\n")}\nFix the file (the comment at its top explains the format) and start again.`);
  }
}

/** Reads and validates the cue lists; by default flows/triage/safety-languages.yaml. */
export function loadSafetyLanguages(path: string = DEFAULT_PATH): SafetyLanguages {
  const read = readYamlFile(path, SafetyLanguagesSchema);
  if (!read.ok) throw new SafetyLanguagesError(path, read.problems);
  return read.data;
}

// ── folding and matching ────────────────────────────────────────────────────

/**
 * Folds text for matching in any of the languages: lowercase, accents and Arabic vowel marks
 * removed, letters people leave out on a phone mapped to the plain ones (ı→i, ł→l, ß→ss, the
 * Arabic hamza and tā' marbūṭa forms), punctuation and emoji dropped.
 */
export function foldForCues(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/ı/g, "i")
    .replace(/ł/g, "l")
    .replace(/ß/g, "ss")
    .replace(/ة/g, "ه")
    .replace(/ى/g, "ي")
    .replace(/ـ/g, "")
    .replace(/['’‘`´ʼ]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Splits folded text into words. */
export function foldWords(text: string): string[] {
  return foldForCues(text)
    .split(" ")
    .filter((word) => word.length > 0);
}

type CuePart = { core: string; prefix: boolean; suffix: boolean };
type CompiledCue = { cue: string; parts: CuePart[]; adjacent: boolean };
type CompiledLanguage = { language: RuleLanguage; rules: Record<"112" | "113" | "calm" | "now" | "neutral", CompiledCue[]> };

function stripAdjacency(cue: string): string {
  return cue.trim().replace(/^=\s*/, "");
}

function splitCue(cue: string): CuePart[] {
  return stripAdjacency(cue)
    .split(/\s+/)
    .map((word) => ({
      prefix: word.length > 1 && word.endsWith("*"),
      suffix: word.length > 1 && word.startsWith("*"),
      core: foldForCues(word.replace(/^\*|\*$/g, "")).replace(/\s+/g, ""),
    }));
}

function compileCue(cue: string): CompiledCue {
  return { cue, parts: splitCue(cue), adjacent: cue.trim().startsWith("=") };
}

const compiledRules = new WeakMap<SafetyLanguages, CompiledLanguage[]>();

function compile(rules: SafetyLanguages): CompiledLanguage[] {
  const cached = compiledRules.get(rules);
  if (cached) return cached;
  const compiled = RuleLanguageSchema.options.map((language) => {
    const own = rules.languages[language];
    return {
      language,
      rules: {
        "112": own["112"].map(compileCue),
        "113": own["113"].map(compileCue),
        calm: own.calm.map(compileCue),
        now: own.now.map(compileCue),
        neutral: own.neutral.map(compileCue),
      },
    };
  });
  compiledRules.set(rules, compiled);
  return compiled;
}

function matchesWord(part: CuePart, word: string): boolean {
  if (part.prefix && part.suffix) return word.includes(part.core);
  if (part.prefix) return word.startsWith(part.core);
  if (part.suffix) return word.endsWith(part.core);
  return word === part.core;
}

/** The position of a cue's last word when its parts from `partIndex` on follow `previous`, or null. */
function matchFrom(cue: CompiledCue, words: readonly string[], gap: number, partIndex: number, previous: number): number | null {
  const part = cue.parts[partIndex];
  if (!part) return previous;
  const last = Math.min(words.length - 1, previous + 1 + gap);
  for (let position = previous + 1; position <= last; position++) {
    if (matchesWord(part, words[position] ?? "")) {
      const end = matchFrom(cue, words, gap, partIndex + 1, position);
      if (end !== null) return end;
    }
  }
  return null;
}

/** Where a cue matches in the words: the positions of its first and last word, or null. */
function findCue(cue: CompiledCue, words: readonly string[], phraseGap: number, present?: ReadonlySet<string>): [number, number] | null {
  const first = cue.parts[0];
  if (!first) return null;
  // Most cues start with a whole word: one set lookup rules them out.
  if (present && !first.prefix && !first.suffix && !present.has(first.core)) return null;
  const gap = cue.adjacent ? 0 : phraseGap;
  for (let start = 0; start < words.length; start++) {
    if (!matchesWord(first, words[start] ?? "")) continue;
    const end = matchFrom(cue, words, gap, 1, start);
    if (end !== null) return [start, end];
  }
  return null;
}

/** The text's words with every neutral phrase blanked out, so its words count for nothing. */
function removeNeutral(words: string[], languages: readonly CompiledLanguage[], phraseGap: number): string[] {
  const present = new Set(words);
  const result = [...words];
  for (const { rules } of languages) {
    for (const cue of rules.neutral) {
      for (let span = findCue(cue, result, phraseGap, present); span; span = findCue(cue, result, phraseGap)) {
        for (let i = span[0]; i <= span[1]; i++) result[i] = "";
      }
    }
  }
  return result;
}

/**
 * Checks a text against every language's cues. 113 wins over 112; a 112 cue counts unless a calm
 * word (past, denial) is there without a now word. The deciding language is the one with the most
 * matching cues of the winning kind; on a tie, `preferred` (the text's detected language).
 */
export function checkSafetyInLanguages(text: string, rules: SafetyLanguages, preferred?: string): LanguageSafety {
  const languages = compile(rules);
  const phraseGap = rules.settings.phraseGap;
  const words = removeNeutral(foldWords(text), languages, phraseGap);
  const matched: LanguageSafety["matched"] = [];
  const present = new Set(words);
  for (const { language, rules: own } of languages) {
    for (const kind of ["113", "112", "calm", "now"] as const) {
      for (const cue of own[kind]) if (findCue(cue, words, phraseGap, present)) matched.push({ language, kind, cue: cue.cue });
    }
  }
  const has = (kind: "112" | "113" | "calm" | "now") => matched.some((match) => match.kind === kind);
  const calm = has("calm") && !has("now");
  const emergency = has("113") ? "113" : has("112") && !calm ? "112" : null;
  if (!emergency) return { emergency: null, calm, language: null, matched };
  const counts = new Map<RuleLanguage, number>();
  for (const match of matched) if (match.kind === emergency) counts.set(match.language, (counts.get(match.language) ?? 0) + 1);
  let language: RuleLanguage | null = null;
  let best = 0;
  for (const [candidate, count] of counts) {
    if (count > best || (count === best && candidate === preferred)) {
      language = candidate;
      best = count;
    }
  }
  return { emergency, calm, language, matched };
}
