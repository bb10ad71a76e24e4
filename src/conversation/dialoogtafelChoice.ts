/**
 * Which dialoogtafel a resident means when they answer the list in their own words: by its number
 * ("2", "nummer 2", "de eerste", "de laatste"), by its day ("die van donderdag", "op 17 december"),
 * or by words of its title, topic or place ("die in mierlo ja", "het dorpshart"). Pure; the list is
 * the one the resident was shown, in the same order (src/bot/actions.ts listDialoogtafels).
 */
import { editDistance, isMonthName, normalise, parseDate, parseNumber } from "./answers.ts";

/** A dialoogtafel as the resident saw it in the list. */
export interface TafelForChoice {
  id: string;
  title: string;
  topic: string;
  location: string;
  startsAt: Date;
}

/** Words that say nothing about which tafel is meant. */
const FILLER = new Set(
  [
    ...[
      "die",
      "dat",
      "deze",
      "van",
      "de",
      "het",
      "een",
      "ja",
      "jawel",
      "graag",
      "doe",
      "maar",
      "ik",
      "wil",
      "naar",
      "op",
      "in",
      "bij",
      "te",
      "voor",
      "me",
      "mij",
      "aanmelden",
      "meld",
      "aan",
      "dan",
      "wel",
      "is",
      "met",
      "en",
      "om",
    ],
    ...["dialoogtafel", "dialoogtafels", "tafel", "nummer", "nr", "optie", "keuze", "graag"],
    ...["the", "one", "on", "at", "please", "yes", "that", "this", "for", "in", "i", "want", "to", "meeting", "number", "sign", "up", "me"],
  ].map((w) => w.toLowerCase()),
);

const WEEKDAYS: Record<string, number> = {
  zondag: 0,
  sunday: 0,
  maandag: 1,
  monday: 1,
  dinsdag: 2,
  tuesday: 2,
  woensdag: 3,
  wednesday: 3,
  donderdag: 4,
  thursday: 4,
  vrijdag: 5,
  friday: 5,
  zaterdag: 6,
  saturday: 6,
};
const LAST_WORDS = new Set(["laatste", "last"]);

/** The id of the tafel the text means, or null when it names none or more than one. */
export function chooseDialoogtafel(text: string, tafels: readonly TafelForChoice[], timeZone: string): string | null {
  const said = normalise(text)
    .replace(/\b(\d+)(e|ste|de|st|nd|rd|th)\b/g, "$1")
    .split(/[\s-]+/)
    .filter(Boolean);
  const telling = said.filter((w) => !FILLER.has(w));
  // A number or an ordinal on its own: its place in the list.
  const [only] = telling;
  if (telling.length === 1 && only) {
    if (LAST_WORDS.has(only)) return tafels[tafels.length - 1]?.id ?? null;
    const number = parseNumber(only);
    if (number !== null) return tafels[number - 1]?.id ?? null;
  }
  let candidates = [...tafels];
  let narrowed = false;
  // A day of the week ("donderdag"), or a date ("17 december").
  const weekday = said.map((w) => WEEKDAYS[w]).find((day) => day !== undefined);
  if (weekday !== undefined) {
    candidates = candidates.filter((t) => weekdayOf(t.startsAt, timeZone) === weekday);
    narrowed = true;
  }
  const date = findDayOfYear(telling);
  if (date) {
    candidates = candidates.filter((t) => localDate(t.startsAt, timeZone).slice(5) === date);
    narrowed = true;
  }
  // Words of its title, topic or place: the tafels that have the most of them.
  const words = telling.filter((w) => WEEKDAYS[w] === undefined && !/^\d/.test(w) && !isMonthName(w) && w.length >= 3);
  if (words.length > 0) {
    const scored = candidates.map((t) => ({ t, score: words.filter((w) => tafelWords(t).some((own) => own === w || (w.length >= 5 && editDistance(own, w) <= 1))).length }));
    const best = Math.max(0, ...scored.map((s) => s.score));
    if (best > 0) {
      candidates = scored.filter((s) => s.score === best).map((s) => s.t);
      narrowed = true;
    } else if (!narrowed) return null;
  }
  const [chosen] = candidates;
  return narrowed && candidates.length === 1 && chosen ? chosen.id : null;
}

function tafelWords(tafel: TafelForChoice): string[] {
  return normalise(`${tafel.title} ${tafel.topic} ${tafel.location}`)
    .split(/[\s-]+/)
    .filter((w) => w.length >= 3 && !FILLER.has(w));
}

function weekdayOf(date: Date, timeZone: string): number {
  const name = new Intl.DateTimeFormat("en-GB", { weekday: "long", timeZone }).format(date).toLowerCase();
  return WEEKDAYS[name] ?? -1;
}

function localDate(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone }).format(date);
}

/** "17 december" or "17-12" among the words, as MM-DD (a tafel in January is read in its own year). */
function findDayOfYear(words: string[]): string | null {
  for (let i = 0; i < words.length; i++) {
    if (!/^\d/.test(words[i] ?? "")) continue;
    // 2024 is a leap year: "29 februari" is a date too.
    const found = parseDate(`${words[i] ?? ""} ${words[i + 1] ?? ""}`, [2024, 1, 1]);
    if (found) return found.slice(5);
  }
  return null;
}
