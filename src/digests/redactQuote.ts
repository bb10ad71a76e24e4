/**
 * Pseudonymises a resident's words before they are quoted in a digest: names, phone numbers,
 * e-mail addresses, street addresses and house numbers, postcodes, licence plates, IBANs, long
 * numbers and links become placeholders such as "[naam]" and "[adres]". It builds on redactText
 * (src/privacy/redact.ts) and adds rules for Dutch free text. It errs on the side of removing
 * too much: a quote that loses a harmless word is better than one that names a neighbour.
 */
import { redactText } from "../privacy/redact.ts";
import { findSensitiveData, maskSensitiveData } from "../privacy/sensitiveData.ts";

/** Placeholders for what src/privacy/sensitiveData.ts finds, in this file's style. */
const SENSITIVE_PLACEHOLDERS = { bsn: "[bsn]", iban: "[iban]", medisch: "[gezondheid]" };

/** Word boundaries that understand letters beyond ASCII (\b does not, even with the u flag). */
const B = "(?<![\\p{L}\\p{N}_])";
const E = "(?![\\p{L}\\p{N}_])";

/**
 * Case-insensitive trigger words without the `i` flag: with `i`, \p{Lu} also matches lowercase
 * letters, and the capital of a name is what tells "ik ben Jan" from "ik ben boos".
 */
const ci = (words: string) => words.replace(/\p{L}/gu, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);

/** Suffixes that make a word a street name even without a house number. */
const STRONG_STREET = "straatje|straat|laantje|laan|pleintje|plein|dreef|singel|gracht|steeg|kade|boulevard|hof|weg";
/** Suffixes that are a street name only with a house number after them ("Hoge Akker 4"). */
const WEAK_STREET = "dijk|pad|park|ring|baan|wal|markt|erf|akkers|akker|acker|veld|hoeve|donk|kamp|berg|dal|rijt|ven|voort|hout|horst|oord|hoek|brink|eind|dries|heide|hei";
/** Words with a street suffix that are not streets. */
const NOT_STREETS = new Set([
  "onderweg",
  "halfweg",
  "snelweg",
  "zijweg",
  "fietsweg",
  "hoofdweg",
  "kerkhof",
  "binnenhof",
  "voorhof",
  "uitweg",
  "omweg",
  "terugweg",
  "heenweg",
  "spoorweg",
  "waterweg",
  "rondweg",
  "gerechtshof",
]);

/** Tussenvoegsels in Dutch names: "Jan de Vries", "Van der Berg". */
const PARTICLE = "(?:van|de|der|den|het|ter|ten|te|'t|op|in|la|le|du|da|di|el|al|bin|von|zu)";
/** A capitalised name word that is not a street ("Heuvelstraat" is no surname). */
const CAP = `(?!\\p{Lu}[\\p{L}'’-]*(?:${STRONG_STREET})${E})\\p{Lu}[\\p{Ll}'’]*(?:-\\p{Lu}[\\p{Ll}'’]*)?`;
const INITIALS = "(?:\\p{Lu}\\.\\s?){1,4}";
/** A name: "Jan", "Jan de Vries", "J.P. van der Berg", "Anne-Marie Jansen-Smit". */
const NAME = `(?:${INITIALS}(?:${PARTICLE}\\s+)*${CAP}|${CAP}(?:\\s+(?:${PARTICLE}\\s+)*${CAP}){0,3})`;
/** A name typed without capitals: a word, and a surname when tussenvoegsels lead to one. */
const LOWER_NAME = `\\p{L}[\\p{L}'’-]*(?:\\s+(?:${PARTICLE}\\s+)+\\p{L}[\\p{L}'’-]*)?`;
/** What follows a sign-off on its own line or after a comma: up to four words, on that line. */
const SIGNATURE = `\\p{L}[\\p{L}.'’-]*(?:[ \\t]+\\p{L}[\\p{L}.'’-]*){0,3}`;

/** Common Dutch first names: recognised anywhere when capitalised ("Piet zei dat …"). */
const FIRST_NAMES = [
  "Jan",
  "Piet",
  "Kees",
  "Henk",
  "Klaas",
  "Gert",
  "Gerrit",
  "Wim",
  "Willem",
  "Johan",
  "Hans",
  "Peter",
  "Paul",
  "Rob",
  "Bas",
  "Mark",
  "Erik",
  "Frank",
  "Martin",
  "Marco",
  "Sander",
  "Thomas",
  "Daan",
  "Sem",
  "Lucas",
  "Levi",
  "Finn",
  "Noah",
  "Luuk",
  "Milan",
  "Jesse",
  "Bram",
  "Tim",
  "Tom",
  "Ruud",
  "Ton",
  "Theo",
  "Harry",
  "Gerard",
  "Joost",
  "Maarten",
  "Jeroen",
  "Dennis",
  "Stefan",
  "Ahmed",
  "Mohamed",
  "Mehmet",
  "Ali",
  "Youssef",
  "Marieke",
  "Anne",
  "Anna",
  "Emma",
  "Julia",
  "Sophie",
  "Lisa",
  "Eva",
  "Sanne",
  "Fleur",
  "Tess",
  "Mila",
  "Sara",
  "Saskia",
  "Ingrid",
  "Inge",
  "Els",
  "Ans",
  "Ria",
  "Annie",
  "Mieke",
  "Marja",
  "Petra",
  "Monique",
  "Linda",
  "Sandra",
  "Wendy",
  "Kim",
  "Esther",
  "Marloes",
  "Femke",
  "Lotte",
  "Iris",
  "Anouk",
  "Nina",
  "Fatima",
  "Aisha",
  "Truus",
  "Greet",
  "Joke",
  "Jolanda",
  "Karin",
  "Anja",
  "Bianca",
  "Miranda",
  "Angela",
  "Yvonne",
  "Carla",
  "Willemijn",
  "Margriet",
  "Henny",
];
const FIRST_NAME = `(?:${FIRST_NAMES.join("|")})`;
const FIRST_NAME_ANY_CASE = `(?:${FIRST_NAMES.map(ci).join("|")})`;

const RELATIONS =
  "overbuurman|overbuurvrouw|overburen|buurjongen|buurmeisje|buurman|buurvrouw|buren|schoonmoeder|schoonvader|huisgenoot|huisbaas|verhuurder|partner|vriendin|vriend|zoon|dochter|moeder|vader|broer|zus|opa|oma|collega|kind|neef|nicht|oom|tante|man|vrouw";
const TITLES = "meneer|mevrouw|mevr\\.?|mw\\.?|dhr\\.?|de heer|fam\\.?|familie|juf|meester|dokter|dr\\.?";
const SIGN_OFFS = "met vriendelijke groeten|met vriendelijke groet|vriendelijke groeten|vriendelijke groet|hartelijke groeten|hartelijke groet|groetjes|groeten|groet|mvg|gr\\.";

/** Two-letter words that can follow a number in a sentence ("2026 en later"): not postcode letters. */
const NOT_POSTCODE_LETTERS = new Set([
  "en",
  "in",
  "op",
  "om",
  "is",
  "of",
  "te",
  "al",
  "nu",
  "er",
  "ik",
  "je",
  "we",
  "ze",
  "na",
  "de",
  "af",
  "uw",
  "nr",
  "no",
  "km",
  "cm",
  "mm",
  "kg",
  "pm",
  "am",
  "ca",
]);

type Replacement = string | ((match: string, ...groups: string[]) => string);

/** Before redactText: its phone rule would otherwise take the digits out of a spaced IBAN. */
const beforeRedactText: Array<[RegExp, string]> = [
  // Links can carry anything.
  [/\bhttps?:\/\/\S+|\bwww\.\S+/giu, "[link]"],
  // Dutch IBANs in any case, with or without spaces: NL91 ABNA 0417 1643 00.
  [new RegExp(`${B}[A-Za-z]{2}\\d{2}\\s?[A-Za-z]{4}\\s?(?:\\d{4}\\s?){2}\\d{2}${E}`, "gu"), "[iban]"],
];

const rules: Array<[RegExp, Replacement]> = [
  // Licence plates after the word: "kenteken 12-ABC-3", "nummerbord: XX 99 YY".
  [
    new RegExp(`${B}(${ci("kenteken")}|${ci("nummerbord")}|${ci("nummerplaat")})(\\s*:?\\s*)([A-Za-z0-9]{1,3}(?:[-\\s]?[A-Za-z0-9]{1,3}){1,3})${E}`, "gu"),
    (match, word = "", gap = " ", plate = "") => (/\d/.test(plate) ? `${word}${gap || " "}[kenteken]` : match),
  ],
  // Licence plates on their own: three groups of letters or digits, six characters, mixed.
  [
    new RegExp(`${B}(?:[A-Za-z]{1,3}|\\d{1,3})-(?:[A-Za-z]{1,3}|\\d{1,3})-(?:[A-Za-z]{1,3}|\\d{1,3})${E}`, "gu"),
    (match) => {
      const chars = match.replace(/-/g, "");
      return chars.length === 6 && /\d/.test(chars) && /[A-Za-z]/.test(chars) ? "[kenteken]" : match;
    },
  ],
  // Postcodes with letters: 5662 AB, 5662AB, 5662ab, and "5662 ab" unless the letters are a word.
  [new RegExp(`${B}[1-9]\\d{3}\\s?[A-Z]{2}${E}`, "gu"), "[postcode]"],
  [new RegExp(`${B}[1-9]\\d{3}[a-z]{2}${E}`, "gu"), "[postcode]"],
  [new RegExp(`${B}[1-9]\\d{3}\\s([a-z]{2})${E}`, "gu"), (match, letters = "") => (NOT_POSTCODE_LETTERS.has(letters) ? match : "[postcode]")],
  // House numbers named as such: "nummer 12", "nr. 12a", "huisnummer 7".
  [new RegExp(`${B}(?:${ci("huisnummer")}|${ci("nummer")}|${ci("nr")}\\.?|${ci("no")}\\.)\\s*\\d{1,5}\\s?[a-zA-Z]?${E}`, "gu"), "[huisnummer]"],
  // "ik woon op de Brink 4", "woont aan het Hoogeind 12": the place between the verb and the number.
  [
    new RegExp(
      `${B}(${ci("woon")}|${ci("woont")}|${ci("wonen")}|${ci("woonde")})\\s+(${ci("op")}|${ci("aan")})\\s+(?:(?:de|het|'t)\\s+)?(?:\\p{L}[\\p{L}.'’-]*\\s+){1,3}\\d{1,4}\\s?[a-zA-Z]?(?:-\\d+)?${E}`,
      "gu",
    ),
    (_match, verb = "", preposition = "") => `${verb} ${preposition} [adres]`,
  ],
  // Streets with a house number: "Van Goghstraat 4", "Hoge Akker 12b", "heuvelstraat 12-3".
  [
    new RegExp(`(?:${B}\\p{Lu}[\\p{L}'’-]*\\s+){0,2}${B}([\\p{L}'’-]*(?:${STRONG_STREET}|${WEAK_STREET}))\\s+\\d{1,5}\\s?[a-zA-Z]?(?:-\\d+)?${E}`, "gu"),
    (match, street = "") => (NOT_STREETS.has(street.toLowerCase()) ? match : "[adres]"),
  ],
  // Street names without a number ("in de Heuvelstraat"): at least two letters before the suffix.
  [new RegExp(`(?:${B}\\p{Lu}[\\p{L}'’-]*\\s+){0,2}${B}(\\p{L}{2,}[\\p{L}'’-]*?(?:${STRONG_STREET}))${E}`, "gu"), (match, street = "") => (NOT_STREETS.has(street.toLowerCase()) ? match : "[adres]")],
  // "mijn naam is henk", "ik heet Jan de Vries", "naam: P. Jansen": whatever the case.
  [new RegExp(`${B}(${ci("mijn naam is")}|${ci("ik heet")}|${ci("naam")}:)\\s+(?:${NAME}|${LOWER_NAME})`, "gu"), (_match, intro = "") => `${intro} [naam]`],
  // "Ik ben Jan de Vries", "dit is Marieke", "namens Piet"; lowercase only for known first names ("ik ben jan").
  [
    new RegExp(
      `${B}((?:${ci("ik")}|${ci("wij")}) (?:${ci("ben")}|${ci("zijn")})|${ci("dit is")}|${ci("hier is")}|${ci("namens")})\\s+(?:${NAME}|${FIRST_NAME_ANY_CASE}(?:\\s+(?:${PARTICLE}\\s+)*\\p{L}+)?${E})`,
      "gu",
    ),
    (_match, intro = "") => `${intro} [naam]`,
  ],
  // Sign-offs followed by a comma or a new line: "Groeten, Piet", "Met vriendelijke groet,\nmarieke".
  [new RegExp(`${B}(${ci(SIGN_OFFS)})(\\s*[,.!:]?[ \\t]*\\n\\s*|\\s*[,:]\\s*)(?:${SIGNATURE})`, "gu"), (_match, signOff = "", gap = " ") => `${signOff}${gap}[naam]`],
  // Sign-offs followed by a capitalised name: "groetjes van Henk", "Groet Marieke".
  [new RegExp(`${B}(${ci(SIGN_OFFS)})(\\s+(?:van\\s+)?)(?:${NAME})`, "gu"), (_match, signOff = "", gap = " ") => `${signOff}${gap}[naam]`],
  // Relations with a name: "mijn buurman Pietersen", "de buurvrouw mevrouw Jansen".
  [
    new RegExp(
      `${B}((?:${ci("mijn")}|${ci("onze")}|${ci("de")}|${ci("het")}|${ci("haar")}|${ci("zijn")}|${ci("hun")}|${ci("m'n")})\\s+(?:${ci(RELATIONS)}))\\s+(?:(?:${ci(TITLES)})\\s+)?(?:${NAME})`,
      "gu",
    ),
    (_match, relation = "") => `${relation} [naam]`,
  ],
  // Titles: "meneer De Groot", "mevr. Jansen", "fam. Bakker", "de heer J. de Vries".
  [new RegExp(`${B}(${ci(TITLES)})\\s+(?:${NAME})`, "gu"), (_match, title = "") => `${title} [naam]`],
  // Common first names anywhere, with a surname when one follows.
  [new RegExp(`${B}${FIRST_NAME}(?:\\s+(?:${PARTICLE}\\s+)*${CAP})?${E}`, "gu"), "[naam]"],
  // Any remaining long number (a BSN, a customer number).
  [new RegExp(`${B}\\d(?:[.-]?\\d){5,}${E}`, "gu"), "[nummer]"],
];

/**
 * A resident's words made safe to quote in a digest. Applies redactText (e-mail, phone, IBAN,
 * WhatsApp ids), then Dutch rules for names, addresses, postcodes, licence plates and long
 * numbers; repeated placeholders are merged into one.
 */
export function redactQuote(text: string): string {
  // Health details go with their sentence, a BSN or IBAN by itself: a wethouder needs neither.
  let result = maskSensitiveData(text, findSensitiveData(text), SENSITIVE_PLACEHOLDERS);
  for (const [pattern, placeholder] of beforeRedactText) result = result.replace(pattern, placeholder);
  result = redactText(result);
  for (const [pattern, replacement] of rules) {
    result = typeof replacement === "string" ? result.replace(pattern, replacement) : result.replace(pattern, replacement);
  }
  // "[naam] [naam]" says no more than "[naam]".
  return result.replace(/(\[[a-z-]+\])(?:[ \t,]+\1)+/g, "$1");
}

/**
 * A quote as it may appear in a digest: redacted, whitespace collapsed, shortened at a word to
 * at most `maxLength` characters. Null when too little of the resident's own words remains.
 */
export function quoteForDigest(text: string, maxLength = 200): string | null {
  const redacted = redactQuote(text).replace(/\s+/g, " ").trim();
  const letters = redacted.replace(/\[[a-z-]+\]/g, "").replace(/[^\p{L}]+/gu, "");
  if (letters.length < 20) return null;
  if (redacted.length <= maxLength) return redacted;
  const cut = redacted.slice(0, maxLength - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > maxLength / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, "")}…`;
}
