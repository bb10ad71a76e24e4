/**
 * Dutch postcodes as residents type them: "5662AB", "5662 ab", "5662-AB", "5662", or inside a
 * sentence ("ik woon op 5662 ab 12"). Pure functions.
 */

/** A postcode found in text: four digits and, when given, two letters. */
export interface ParsedPostcode {
  postcode4: string;
  letters: string | null;
  /** "5662 AB" or "5662". */
  formatted: string;
}

/** Letter pairs that PostNL never uses. */
const UNUSED_LETTERS = new Set(["SA", "SD", "SS"]);

/**
 * Short Dutch and English words that follow a number in a sentence ("5662 en ik…"): written in
 * lower case they are read as words, not as postcode letters.
 */
const COMMON_WORDS = new Set(["en", "of", "in", "is", "op", "te", "om", "al", "nu", "ik", "je", "we", "ze", "na", "zo", "at", "on", "or", "to", "it", "an", "as", "by", "me", "my", "he"]);

const POSTCODE_IN_TEXT = /(?<![\d.,])([1-9]\d{3})(?:[\s-]{0,3}([A-Za-z]{2}))?(?![A-Za-z])/g;

/** Finds the first postcode in `text`, preferring one with letters; null when there is none. */
export function parsePostcode(text: string): ParsedPostcode | null {
  const candidates: ParsedPostcode[] = [];
  for (const match of text.matchAll(POSTCODE_IN_TEXT)) {
    const postcode4 = match[1];
    if (!postcode4) continue;
    const rawLetters = match[2] ?? null;
    let letters: string | null = rawLetters ? rawLetters.toUpperCase() : null;
    if (rawLetters && letters && (UNUSED_LETTERS.has(letters) || (rawLetters === rawLetters.toLowerCase() && COMMON_WORDS.has(rawLetters)))) {
      letters = null;
    }
    // Without letters, a four-digit number followed by more digits is a phone number or an amount.
    const after = text.slice((match.index ?? 0) + match[0].length);
    if (!letters && /^\d/.test(after)) continue;
    candidates.push({ postcode4, letters, formatted: letters ? `${postcode4} ${letters}` : postcode4 });
  }
  return candidates.find((c) => c.letters !== null) ?? candidates[0] ?? null;
}

/** Normalises a postcode given on its own (API, CSV): "5662 ab" → "5662AB"; null when invalid. */
export function normalisePostcode(value: string): ParsedPostcode | null {
  const match = /^\s*([1-9]\d{3})[\s-]?([A-Za-z]{2})?\s*$/.exec(value);
  if (!match?.[1]) return null;
  const letters = match[2]?.toUpperCase() ?? null;
  if (letters && UNUSED_LETTERS.has(letters)) return null;
  return { postcode4: match[1], letters, formatted: letters ? `${match[1]} ${letters}` : match[1] };
}
