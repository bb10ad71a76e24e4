/**
 * Data minimisation (AVG art. 5(1)(c)): finds personal data in a resident's message that the bot
 * never asks for — a BSN, an IBAN, or health details — so the bot can say it is not needed and
 * offer to remove it, and masks it when the resident agrees.
 *
 * Detection is deliberately strict, because a warning on an ordinary message is confusing:
 * - a BSN is 9 digits (also written 1234.56.782 or 123 456 782) that pass the elfproef, not part
 *   of a longer number (phone numbers, +31…, WL-2026-00042, an order number that fails the check);
 * - an IBAN passes the ISO 13616 check (mod 97) and, for the countries residents mostly have, the
 *   right length;
 * - health details are a short list of clear words (a diagnosis, medicines, named illnesses); not
 *   "ziek", "pijn" or "dokter", which are everyday words in meldingen.
 * Pure functions, no I/O; the text itself is never logged.
 */

/** What kind of data was found. */
export type SensitiveKind = "bsn" | "iban" | "medisch";

/** One piece of data found in a text: where it is, and a normalised form to find it again elsewhere. */
export interface SensitiveFinding {
  kind: SensitiveKind;
  start: number;
  end: number;
  /** Digits only (BSN), upper case without spaces (IBAN), the matched word in lower case (medical). */
  normalised: string;
}

/** What replaces each kind of data when it is removed. */
export const REDACTION_MARKS: Record<SensitiveKind, string> = {
  bsn: "[BSN verwijderd]",
  iban: "[IBAN verwijderd]",
  medisch: "[medische gegevens verwijderd]",
};

/** The elfproef of a BSN: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 (and not all zeros). */
export function passesElfproef(digits: string): boolean {
  if (!/^\d{9}$/.test(digits) || /^0+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(digits[i]) * (9 - i);
  sum -= Number(digits[8]);
  return sum % 11 === 0;
}

/** The ISO 13616 check of an IBAN (upper case, no spaces): moved four characters, as a number, mod 97 is 1. */
export function passesIbanCheck(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected !== undefined && iban.length !== expected) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of moved) {
    const value = /\d/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** IBAN lengths of the countries whose accounts residents of a Dutch gemeente mostly have. */
const IBAN_LENGTHS: Record<string, number> = { NL: 18, BE: 16, DE: 22, LU: 20, FR: 27, GB: 22, ES: 24, IT: 27, PL: 28, TR: 26, PT: 25, AT: 20 };

// Nine digits, or 4.2.3 (how a BSN is printed on a passport) or 3-3-3 groups; no digit, "+", or
// "-digit" glued on either side, so phone numbers, postcodes and references are never read as one.
const BSN_PATTERN = /(?<![\d+]|\d[-.])(\d{9}|\d{4}\.\d{2}\.\d{3}|\d{3}[ .-]\d{3}[ .-]\d{3})(?![\d]|[-.]\d)/g;

// A country code and check digits at a word start; the rest is read greedily and shortened below.
const IBAN_START = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?=[ ]?[A-Za-z0-9])/g;

/**
 * Health words. Each is clear on its own in a message to the gemeente; word starts only, so
 * "diagnose" also finds "diagnoses" but "ms" or "ziek" are not on the list (too many false alarms).
 */
const MEDICAL_TERMS = [
  "diagnose",
  "gediagnosticeerd",
  "medicijnen",
  "medicijn",
  "medicatie",
  "antidepressiva",
  "insuline",
  "chemo",
  "chemotherapie",
  "bestraling",
  "kanker",
  "tumor",
  "leukemie",
  "diabetes",
  "suikerziekte",
  "epilepsie",
  "dementie",
  "alzheimer",
  "parkinson",
  "depressie",
  "depressief",
  "psychose",
  "schizofrenie",
  "bipolair",
  "hiv",
  "aids",
  "hepatitis",
  "hartinfarct",
  "herseninfarct",
  "beroerte",
  "copd",
  "psychiater",
  "ggz",
  // English, for residents who write English
  "diagnosis",
  "diagnosed",
  "medication",
  "medicine",
  "cancer",
  "dementia",
  "depression",
  "epilepsy",
  "chemotherapy",
  "psychiatrist",
];
const MEDICAL_PATTERN = new RegExp(`(?<![\\p{L}\\d])(${MEDICAL_TERMS.join("|")})(?:s|en)?(?![\\p{L}\\d])`, "giu");

/** Every BSN, IBAN and health word in `text`, in order of position, not overlapping. */
export function findSensitiveData(text: string): SensitiveFinding[] {
  const found: SensitiveFinding[] = [...findBsns(text), ...findIbans(text), ...findMedical(text)];
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const result: SensitiveFinding[] = [];
  for (const finding of found) {
    const last = result[result.length - 1];
    if (last && finding.start < last.end) continue;
    result.push(finding);
  }
  return result;
}

function findBsns(text: string): SensitiveFinding[] {
  const found: SensitiveFinding[] = [];
  for (const match of text.matchAll(BSN_PATTERN)) {
    const digits = match[0].replace(/\D/g, "");
    // "+31 612 345 678" and "0031 …" are phone numbers, whatever their digits add up to.
    if (/(?:\+|\b00)\d{1,3}[ -]?$/.test(text.slice(Math.max(0, match.index - 6), match.index))) continue;
    if (passesElfproef(digits)) found.push({ kind: "bsn", start: match.index, end: match.index + match[0].length, normalised: digits });
  }
  return found;
}

function findIbans(text: string): SensitiveFinding[] {
  const found: SensitiveFinding[] = [];
  for (const match of text.matchAll(IBAN_START)) {
    // Read up to 34 letters and digits (single spaces allowed between them), then take the longest
    // prefix that ends at a word end and passes the check: "NL91 ABNA 0417 1643 00 is van mij".
    const start = match.index;
    let end = start;
    let compact = "";
    const candidates: Array<{ end: number; compact: string }> = [];
    while (end < text.length && compact.length < 34) {
      const char = text[end] ?? "";
      if (/[A-Za-z0-9]/.test(char)) {
        compact += char.toUpperCase();
        end++;
        if (!/[A-Za-z0-9]/.test(text[end] ?? "")) candidates.push({ end, compact });
      } else if (char === " " && /[A-Za-z0-9]/.test(text[end + 1] ?? "") && compact.length > 0) {
        end++;
      } else break;
    }
    const best = candidates.reverse().find((candidate) => passesIbanCheck(candidate.compact));
    if (best) found.push({ kind: "iban", start, end: best.end, normalised: best.compact });
  }
  return found;
}

function findMedical(text: string): SensitiveFinding[] {
  const found: SensitiveFinding[] = [];
  for (const match of text.matchAll(MEDICAL_PATTERN)) {
    found.push({ kind: "medisch", start: match.index, end: match.index + match[0].length, normalised: (match[1] ?? match[0]).toLowerCase() });
  }
  return found;
}

/** The kinds found, each once, in a fixed order (for the warning text and the audit log). */
export function sensitiveKinds(findings: SensitiveFinding[]): SensitiveKind[] {
  return (["bsn", "iban", "medisch"] as const).filter((kind) => findings.some((finding) => finding.kind === kind));
}

/**
 * Masks the findings in `text`: a BSN or IBAN by its mark ("[BSN verwijderd]"); a health word by
 * removing the sentence it is in, since the word alone says little and its sentence says the rest.
 */
export function maskSensitiveData(text: string, findings: SensitiveFinding[], marks: Record<SensitiveKind, string> = REDACTION_MARKS): string {
  const spans = findings.map((finding) => (finding.kind === "medisch" ? { ...sentenceAround(text, finding.start, finding.end), kind: finding.kind } : { ...finding }));
  spans.sort((a, b) => a.start - b.start);
  // Overlapping spans, and health sentences with only white space between them, become one.
  const merged: typeof spans = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    const touching = last && (span.start < last.end || (last.kind === "medisch" && span.kind === "medisch" && text.slice(last.end, span.start).trim() === ""));
    if (last && touching) last.end = Math.max(last.end, span.end);
    else merged.push(span);
  }
  let out = "";
  let at = 0;
  for (const span of merged) {
    out += text.slice(at, span.start) + marks[span.kind];
    at = span.end;
  }
  return out + text.slice(at);
}

/** The sentence around [start, end): from after the previous . ! ? or line break to its own end. */
function sentenceAround(text: string, start: number, end: number): { start: number; end: number } {
  let from = start;
  while (from > 0 && !/[.!?\n]/.test(text[from - 1] ?? "")) from--;
  while (from < start && /\s/.test(text[from] ?? "")) from++;
  let to = end;
  while (to < text.length && !/[.!?\n]/.test(text[to] ?? "")) to++;
  if (to < text.length && text[to] !== "\n") to++;
  return { start: from, end: to };
}

/**
 * A function that removes, from any text, the same data that `findings` found in the original
 * message: used on copies of it (a form answer, the handover note, a bot reply quoting it).
 */
export function redactorFor(findings: SensitiveFinding[]): (text: string) => string {
  const wanted = new Set(findings.map((finding) => `${finding.kind}:${finding.normalised}`));
  return (text) => {
    const matching = findSensitiveData(text).filter((finding) => wanted.has(`${finding.kind}:${finding.normalised}`));
    return matching.length > 0 ? maskSensitiveData(text, matching) : text;
  };
}

/** `value` with `redact` applied to every string in it (arrays and objects walked), and whether anything changed. */
export function redactStrings(value: unknown, redact: (text: string) => string): { value: unknown; changed: boolean } {
  let changed = false;
  const walk = (item: unknown): unknown => {
    if (typeof item === "string") {
      const redacted = redact(item);
      if (redacted !== item) changed = true;
      return redacted;
    }
    if (Array.isArray(item)) return item.map(walk);
    if (item && typeof item === "object") return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]));
    return item;
  };
  const result = walk(value);
  return { value: result, changed };
}
