/**
 * Which language a resident's message is in: Dutch, English, Turkish, Arabic, Polish, Ukrainian,
 * German, or another. The statistical part is ELD (the `eld` package's small n-gram database, the
 * languages read here only: src/conversation/languageNgrams.ts; no network, well under a
 * millisecond a message), chosen over tinyld,
 * franc-min and cld3-asm on short resident messages (README, "Other languages"). Around it:
 *
 * - the script decides first: Arabic letters are Arabic; Cyrillic is Ukrainian unless it has
 *   Russian-only letters (ы э ъ ё) or reads as Russian, which is `other`;
 * - Wijklijn serves a Dutch gemeente, so Dutch is the prior: a Latin-script message is only read
 *   as another language when the model is clearly surer of it than of Dutch. Azerbaijani counts
 *   as Turkish (Turkish typed without ç ğ ı ö ş ü looks like it);
 * - a postcode ("5731 AB") is left out: its two letters read as German to the n-grams;
 * - very short messages ("ok", "hallo", "stop") stay Dutch unless a hint word of one language
 *   (flows/triage/safety-languages.yaml, `hints`: "merhaba", "dziękuję") says otherwise.
 */
import type { DetectedLanguage } from "../domain/vocabulary.ts";
import { loadLanguageNgrams } from "./languageNgrams.ts";
import { foldForCues, foldWords, RuleLanguageSchema, type SafetyLanguages } from "./safetyLanguages.ts";

/** A detected language, and whether it is sure enough to answer in. */
export type LanguageGuess = { language: DetectedLanguage; confident: boolean };

const ngrams = loadLanguageNgrams();
/** The languages ELD chooses from: ours, Azerbaijani (read as Turkish), and common other languages in the Netherlands. */
const LATIN_LANGUAGES = ["nl", "en", "de", "tr", "az", "pl", "fr", "es", "it", "pt", "ro", "hu", "cs", "sk"];
const CYRILLIC_LANGUAGES = ["uk", "ru", "be", "bg"];
/** How much surer of Russian than of Ukrainian the model must be to call Cyrillic text Russian. */
const RUSSIAN_MARGIN = 0.02;

/** ELD's codes that count as one of ours. */
const MAPPED: Readonly<Record<string, DetectedLanguage>> = { nl: "nl", en: "en", de: "de", tr: "tr", az: "tr", pl: "pl" };

/** Fewer Latin letters than this is too little to tell by n-grams. */
const MIN_LATIN_LETTERS = 8;
/** How much surer than of Dutch the model must be before a Latin-script message is read as another language. */
const DUTCH_MARGIN = 0.08;

/** A Dutch postcode ("5731 AB"): its two letters are no word of any language, and n-grams read them as German. */
const POSTCODE = /\b\d{4}\s?[a-z]{2}\b/giu;

const ARABIC = /\p{Script=Arabic}/gu;
const CYRILLIC = /\p{Script=Cyrillic}/gu;
const LATIN = /\p{Script=Latin}/gu;
const LETTER = /\p{L}/gu;
const UKRAINIAN_ONLY = /[іїєґ]/iu;
const RUSSIAN_ONLY = /[ыэъё]/iu;

const compiledHints = new WeakMap<SafetyLanguages, Array<{ language: DetectedLanguage; words: string[][] }>>();

function hintsOf(rules: SafetyLanguages) {
  const cached = compiledHints.get(rules);
  if (cached) return cached;
  const hints = RuleLanguageSchema.options.map((language) => ({ language, words: rules.languages[language].hints.map(foldWords) }));
  compiledHints.set(rules, hints);
  return hints;
}

/** The one language whose hint words the text contains, or null (none, or several). */
function findHintLanguage(text: string, rules: SafetyLanguages): DetectedLanguage | null {
  const folded = ` ${foldForCues(text)} `;
  const found = hintsOf(rules)
    .filter(({ words }) => words.some((phrase) => folded.includes(` ${phrase.join(" ")} `)))
    .map(({ language }) => language);
  return found.length === 1 ? (found[0] ?? null) : null;
}

function count(text: string, script: RegExp): number {
  return text.match(script)?.length ?? 0;
}

/** The model's scores, merged onto our languages (az → tr). */
function scoreLatin(text: string): Map<DetectedLanguage, number> {
  const merged = new Map<DetectedLanguage, number>();
  for (const [code, score] of Object.entries(ngrams.scores(text, LATIN_LANGUAGES))) {
    const language = MAPPED[code] ?? "other";
    merged.set(language, Math.max(merged.get(language) ?? 0, score));
  }
  return merged;
}

/** Common words of Dutch and English (the lexicon's `language` lists): "de", "het", "the", "my". */
export type FunctionWords = { nl: readonly string[]; en: readonly string[] };

/**
 * Detects the language of a resident's text. `confident` is false when the text is too short or
 * the model unsure; the language is then Dutch (or a hint word's language).
 */
export function detectResidentLanguage(written: string, rules: SafetyLanguages, functionWords: FunctionWords = { nl: [], en: [] }): LanguageGuess {
  const text = written.replace(POSTCODE, " ");
  const letters = count(text, LETTER);
  if (letters === 0) return { language: "nl", confident: false };
  const arabic = count(text, ARABIC);
  const cyrillic = count(text, CYRILLIC);
  const latin = count(text, LATIN);
  if (arabic >= cyrillic && arabic >= latin) return { language: "ar", confident: true };
  if (cyrillic >= latin) {
    if (UKRAINIAN_ONLY.test(text)) return { language: "uk", confident: true };
    if (RUSSIAN_ONLY.test(text)) return { language: "other", confident: true };
    if (findHintLanguage(text, rules) === "uk") return { language: "uk", confident: true };
    const scores = ngrams.scores(text, CYRILLIC_LANGUAGES);
    return { language: (scores.ru ?? 0) - (scores.uk ?? 0) >= RUSSIAN_MARGIN ? "other" : "uk", confident: true };
  }
  if (latin < letters / 2) return { language: "other", confident: true };

  const hint = findHintLanguage(text, rules);
  const unsure: LanguageGuess = hint ? { language: hint, confident: true } : { language: "nl", confident: false };
  const words = foldWords(text).filter((word) => /\p{L}/u.test(word));
  // One word or a few letters say too little for n-grams ("herrie", "hallo", "5662 AB"): only a hint word counts.
  if (new Set(words).size < 2 || latin < MIN_LATIN_LETTERS) return unsure;

  const scores = scoreLatin(text);
  const dutch = scores.get("nl") ?? 0;
  const dutchWords = words.filter((word) => functionWords.nl.includes(word)).length;
  const englishWords = words.filter((word) => functionWords.en.includes(word)).length;
  let best: [DetectedLanguage, number] = ["nl", dutch];
  for (const entry of scores) if (entry[0] !== "nl" && entry[0] !== "other" && entry[1] > best[1]) best = entry;
  const other = scores.get("other") ?? 0;
  const english = scores.get("en") ?? 0;

  if (best[0] === "nl") {
    if (other - dutch >= DUTCH_MARGIN * 2 && words.length >= 4 && dutchWords === 0) return { language: "other", confident: true };
    // English and Dutch share many letter sequences; the common words tell them apart.
    if (dutch - english < DUTCH_MARGIN && englishWords > dutchWords) return { language: "en", confident: true };
    return dutch > 0 ? { language: "nl", confident: true } : unsure;
  }
  // English common words, and the model almost as sure of English as of its best: English ("hello, I live in Mierlo").
  if (best[0] !== "en" && englishWords >= 2 && englishWords > dutchWords && best[1] - english < DUTCH_MARGIN / 2 && english - dutch >= DUTCH_MARGIN) return { language: "en", confident: true };
  // Dutch is the prior: a short text, or one with Dutch words in it, needs a clearer lead.
  const margin = dutchWords > 0 || words.length <= 3 ? DUTCH_MARGIN * 1.5 : DUTCH_MARGIN;
  if (best[1] - dutch >= margin && best[1] >= other - DUTCH_MARGIN) return { language: best[0], confident: true };
  if (other - dutch >= DUTCH_MARGIN * 2 && words.length >= 4 && dutchWords === 0) return { language: "other", confident: true };
  return unsure;
}
