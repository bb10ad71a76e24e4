/**
 * Reading residents' answers: yes/no, a choice (by button, number, word or label), a number, a
 * date. Pure functions; tolerant of case, accents, punctuation and small typos.
 */

/** Lower case, accents folded, punctuation and emoji variation removed, spaces collapsed. */
export function normalise(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s@#-]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Damerau-Levenshtein distance (optimal string alignment), for small typos. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i];
      const prev = d[i - 1];
      if (!row || !prev) continue;
      let value = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, (d[i - 2]?.[j - 2] ?? 0) + 1);
      row[j] = value;
    }
  }
  return d[a.length]?.[b.length] ?? Math.max(a.length, b.length);
}

const NUMBER_WORDS: Record<string, number> = {
  een: 1,
  eén: 1,
  één: 1,
  eerste: 1,
  "1e": 1,
  one: 1,
  first: 1,
  twee: 2,
  tweede: 2,
  "2e": 2,
  two: 2,
  second: 2,
  drie: 3,
  derde: 3,
  "3e": 3,
  three: 3,
  third: 3,
  vier: 4,
  vierde: 4,
  "4e": 4,
  four: 4,
  fourth: 4,
  vijf: 5,
  vijfde: 5,
  "5e": 5,
  five: 5,
  fifth: 5,
  zes: 6,
  zesde: 6,
  "6e": 6,
  six: 6,
  sixth: 6,
  zeven: 7,
  zevende: 7,
  "7e": 7,
  seven: 7,
  seventh: 7,
  acht: 8,
  achtste: 8,
  "8e": 8,
  eight: 8,
  eighth: 8,
  negen: 9,
  negende: 9,
  "9e": 9,
  nine: 9,
  ninth: 9,
  tien: 10,
  tiende: 10,
  "10e": 10,
  ten: 10,
  tenth: 10,
  elf: 11,
  twaalf: 12,
  eleven: 11,
  twelve: 12,
};

/** A whole number written as digits or (small) words; null when there is none. */
export function parseNumber(text: string): number | null {
  // Read separators before normalise() turns them into spaces: "1.000" is a thousand, and
  // "2,5" is no whole number (rather ask again than save 2).
  const written = /^(-?\d+(?:[.,]\d+)+)(?=$|[\s.!?)])/.exec(text.trim().replace(/^(nummer|nr\.?|optie|number|option|keuze)\s+/i, ""))?.[1];
  if (written) return /^-?\d{1,3}(?:[.,]\d{3})+$/.test(written) ? Number(written.replace(/[.,]/g, "")) : null;
  const cleaned = normalise(text).replace(/^(nummer|nr|optie|number|option|keuze)\s+/, "");
  const digits = /^(-?\d+)(?:[.,]\d+)?\.?$/.exec(cleaned) ?? /^(\d+)\b/.exec(cleaned);
  if (digits?.[1]) return Number(digits[1]);
  const word = NUMBER_WORDS[cleaned];
  return word ?? null;
}

/** A pickable answer: what it saves, and the words that mean it. */
export interface Choice {
  value: string;
  labels: string[];
}

/**
 * Which choice the text means: the exact value (a button), its number in the list ("2",
 * "twee"), a label or synonym, a label with a small typo, a label inside a sentence, or a few words
 * of one label only ("die van geldrop noord"; `ignoreWords`, such as the flow's name, do not count).
 * Null if unsure.
 */
export function matchChoice(text: string, choices: Choice[], options: { inSentence?: boolean; ignoreWords?: string[] } = {}): Choice | null {
  const exact = choices.find((c) => c.value === text.trim());
  if (exact) return exact;
  const said = normalise(text);
  if (!said) return matchEmoji(text, choices);
  const number = parseNumber(said);
  if (number !== null && /^(\d+|[a-z0-9]+)$/.test(said.replace(/^(nummer|nr|optie|number|option|keuze)\s+/, ""))) {
    return choices[number - 1] ?? null;
  }
  const byLabel = choices.filter((c) => c.labels.some((label) => normalise(label) === said));
  if (byLabel.length === 1) return byLabel[0] ?? null;
  const typo = choices.filter((c) =>
    c.labels.some((label) => {
      const l = normalise(label);
      return l.length >= 5 && editDistance(l, said) <= (l.length >= 9 ? 2 : 1);
    }),
  );
  if (typo.length === 1) return typo[0] ?? null;
  // The resident wrote a sentence that contains exactly one option's label or synonym.
  if (options.inSentence === false) return null;
  const contained = choices.filter((c) =>
    c.labels.some((label) => {
      const l = normalise(label);
      return l.length >= 3 && new RegExp(`(^|\\s)${l.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|\\s)`).test(said);
    }),
  );
  if (contained.length === 1) return contained[0] ?? null;
  // The resident named an option by some of its words ("die van geldrop noord" for "Dialoogtafel Geldrop-Noord, 10 dec").
  const ignored = new Set((options.ignoreWords ?? []).flatMap((words) => normalise(words).split(/[\s-]+/)));
  const named = choices.filter((c) => c.labels.some((label) => namesLabel(said, label, ignored)));
  if (named.length === 1) return named[0] ?? null;
  return null;
}

/** Words that say nothing about which option is meant. */
const FILLER_WORDS = new Set([
  "die",
  "dat",
  "van",
  "de",
  "het",
  "een",
  "ik",
  "wil",
  "graag",
  "doe",
  "maar",
  "voor",
  "naar",
  "in",
  "op",
  "bij",
  "met",
  "en",
  "is",
  "mij",
  "me",
  "deze",
  "the",
  "one",
  "that",
  "of",
  "for",
  "please",
  "i",
  "want",
  "to",
  "at",
  "a",
  "join",
  "go",
  "sign",
  "up",
  "like",
  "would",
  "id",
  "ill",
  // "I'd", "I'll": normalise() splits them at the apostrophe.
  "d",
  "ll",
  "take",
]);

/** Whether every telling word of what was said is a word of the label (a small typo forgiven), with one word of at least four letters. */
function namesLabel(said: string, label: string, ignored: Set<string>): boolean {
  const words = said.split(/[\s-]+/).filter((word) => word && !FILLER_WORDS.has(word) && !ignored.has(word) && !ignored.has(word.replace(/s$/, "")));
  if (words.length === 0 || !words.some((word) => word.length >= 4)) return false;
  const labelWords = normalise(label).split(/[\s-]+/);
  return words.every((word) => labelWords.some((l) => l === word || (word.length >= 5 && editDistance(l, word) <= 1)));
}

/**
 * An answer of emoji only ("👍", "👍🏽", "👌"), which normalise() removes: matched to a choice with that emoji
 * as a label or synonym, skin tone and emoji presentation ignored.
 */
function matchEmoji(text: string, choices: Choice[]): Choice | null {
  const bare = (value: string) => value.replace(/[\u{1F3FB}-\u{1F3FF}\uFE0F\s]/gu, "");
  const said = bare(text);
  if (!said) return null;
  const found = choices.filter((c) => c.labels.some((label) => !normalise(label) && bare(label) === said));
  return found.length === 1 ? (found[0] ?? null) : null;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  januari: 1,
  january: 1,
  feb: 2,
  februari: 2,
  february: 2,
  mrt: 3,
  maart: 3,
  march: 3,
  mar: 3,
  apr: 4,
  april: 4,
  mei: 5,
  may: 5,
  jun: 6,
  juni: 6,
  june: 6,
  jul: 7,
  juli: 7,
  july: 7,
  aug: 8,
  augustus: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  okt: 10,
  oct: 10,
  oktober: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};

/** Whether a word is a month's name or abbreviation, as parseDate reads them ("dec", "januari", "march"). */
export function isMonthName(word: string): boolean {
  return Object.hasOwn(MONTHS, word);
}

/** A calendar date as YYYY-MM-DD from "26-11", "26/11/2026", "26 november", "morgen"…; null if none. */
export function parseDate(text: string, today: [number, number, number]): string | null {
  const said = normalise(text)
    .replace(/\b(op|on|the|de)\b/g, "")
    .trim();
  const [year, month, day] = today;
  const format = (y: number, m: number, d: number) => {
    const date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
    return date.toISOString().slice(0, 10);
  };
  const shift = (days: number) => new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
  if (/^(vandaag|today)$/.test(said)) return shift(0);
  if (/^(morgen|tomorrow)$/.test(said)) return shift(1);
  if (/^(overmorgen)$/.test(said)) return shift(2);
  if (/^(gisteren|yesterday)$/.test(said)) return shift(-1);
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(said);
  if (iso) return format(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const numeric = /^(\d{1,2})[\s/.-](\d{1,2})(?:[\s/.-](\d{4}|\d{2}))?$/.exec(said);
  if (numeric) {
    const y = numeric[3] ? Number(numeric[3].length === 2 ? `20${numeric[3]}` : numeric[3]) : year;
    return format(y, Number(numeric[2]), Number(numeric[1]));
  }
  const worded = /^(\d{1,2})(?:e|st|nd|rd|th)?\s+([a-z]+)(?:\s+(\d{4}))?$/.exec(said);
  const monthNumber = worded?.[2] ? MONTHS[worded[2]] : undefined;
  if (worded && monthNumber) return format(worded[3] ? Number(worded[3]) : year, monthNumber, Number(worded[1]));
  return null;
}

/**
 * An answer at the start of a sentence: "ja hoor, grofvuil", "doe maar ja", "hoeft nie, als t maar
 * gemaakt word". The first one to three words are matched exactly against the labels (longest
 * first); a sentence that also holds another option's label counts for neither.
 */
export function matchLeadingChoice(text: string, choices: Choice[]): Choice | null {
  const words = normalise(text).split(/\s+/).filter(Boolean);
  for (let length = Math.min(3, words.length - 1); length >= 1; length--) {
    const lead = words.slice(0, length).join(" ");
    const found = choices.filter((c) => c.labels.some((label) => normalise(label) === lead));
    if (found.length !== 1) continue;
    const [choice] = found;
    // "nee, ik ga toch niet zelf tegels leggen": what follows a no says why, it picks no other option.
    // ("nee ja doe maar" turns round at once: that counts for neither.)
    if (/^(nee|neen|no|nope|nah)$/.test(lead)) return /^(ja|jawel|yes|doe maar|toch wel)\b/.test(words.slice(length).join(" ")) ? null : (choice ?? null);
    const rest = ` ${words.slice(length).join(" ")} `;
    const other = choices.some((c) => c !== choice && c.labels.some((label) => normalise(label).length >= 2 && rest.includes(` ${normalise(label)} `)));
    return other ? null : (choice ?? null);
  }
  return null;
}
