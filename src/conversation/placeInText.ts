/**
 * Where a resident says something is, in a sentence about it: "grofvuil bij de Heuvel 12 in
 * Coevering" → "Heuvel 12, Coevering"; "de lamp in de Molenstraat doet het niet" → "Molenstraat";
 * "bij het Marktplein" → "Marktplein". Pure; it reads the words after a place word (bij, op, aan,
 * in, voor, naast, tegenover, achter, langs, hoek) and takes a street with a house number, a street
 * name (…straat, …laan, …weg…) or a name written with a capital. Null when the text names no place:
 * the melding then asks "Waar is het precies?" as before.
 */

/**
 * A place as the melding's location question saves it (an address the resident typed). `landmark`: the text is a
 * place described by what is there ("naast de bakker", "bij de kerk"), kept as the resident wrote it, not a street.
 */
export interface AddressInText {
  kind: "address";
  text: string;
  landmark?: true;
}

/**
 * Things a place is described by ("naast de bakker", "bij de kerk", "achter de supermarkt"): no street names, even
 * when they end as one ("bakker" as "akker", "supermarkt" as "markt"). Lower case; matched on the whole word.
 */
const LANDMARKS = new Set([
  ...["bakker", "bakkerij", "slager", "slagerij", "supermarkt", "winkel", "winkels", "winkelcentrum", "kapper", "bloemist", "drogist", "apotheek"],
  ...["huisarts", "huisartsenpost", "tandarts", "kerk", "moskee", "kapel", "kerkhof", "begraafplaats", "gemeentehuis", "raadhuis", "stadhuis"],
  ...["politiebureau", "brandweerkazerne", "ziekenhuis", "bibliotheek", "buurthuis", "wijkcentrum", "basisschool", "kinderopvang", "sporthal"],
  ...["sportpark", "zwembad", "voetbalveld", "trapveldje", "station", "bushalte", "halte", "tankstation", "benzinepomp", "parkeerplaats"],
  ...["parkeergarage", "cafe", "café", "kroeg", "snackbar", "frituur", "friettent", "cafetaria", "pizzeria", "restaurant", "vijver", "brug"],
  ...["rotonde", "kruispunt", "stoplicht", "viaduct", "fietstunnel", "flat", "flats"],
]);

const PLACE_WORDS = "bij|op|aan|in|voor|naast|tegenover|achter|langs|hoek|at|on|near|in front of";
const ARTICLE = "(?:de|het|den|der|'t|the)\\s+";
/** A word of a street or place name: letters, with ' . - inside (Sint-Jozefstraat, Burg. van Houtlaan). */
const NAME_WORD = "[\\p{L}][\\p{L}'.-]*";
/** Endings of Dutch street names. */
const STREET_ENDING =
  /(straat|laan|weg|plein|hof|pad|dreef|singel|kade|gracht|steeg|baan|veld|akker|dijk|dal|hoeve|erf|park|ring|markt|wal|berg|burg|boulevard|allee|passage|street|road|lane|square)$/i;
/** Words after a place word that are no place ("in de tuin", "op mijn stoep", "bij ons"). */
const NOT_A_PLACE = new Set(
  [
    ...["mijn", "onze", "ons", "jullie", "je", "jouw", "zijn", "haar", "hun", "een", "die", "dat", "deze", "dit", "elkaar", "mij", "me", "hem", "iemand", "niemand"],
    ...["tuin", "huis", "straat", "stoep", "weg", "buurt", "wijk", "park", "speeltuin", "hoek", "avond", "ochtend", "nacht", "middag", "week", "weekend", "buurman", "buurvrouw", "buren", "school"],
    ...["gemeente", "wijklijn", "chat", "foto", "app", "tijd", "orde", "gevaar", "brand", "de", "het", "ook", "nog", "al", "wel", "niet", "er", "daar", "hier", "kapot", "my", "our", "the", "a", "an"],
  ].map((w) => w.toLowerCase()),
);
/** What follows a number that makes it no house number (a time, an amount, a count). */
const NOT_A_HOUSE_NUMBER = /^\s*(uur|u\b|minuten|min\b|dagen|weken|maanden|jaar|keer|euro|€|cm|meter|m\b|km|kilo|stuks|zakken|mensen|kinderen|auto'?s|am\b|pm\b|:\d)/i;

const STREET_WITH_NUMBER = new RegExp(`(?:^|\\s)(?:${PLACE_WORDS})\\s+(?:${ARTICLE})?((?:${NAME_WORD}\\s+){0,3}?${NAME_WORD})\\s+(\\d{1,4}(?:\\s?[a-zA-Z](?![\\p{L}]))?)(?![\\d\\p{L}])`, "giu");
const NAMED_PLACE = new RegExp(`(?:^|\\s)(?:${PLACE_WORDS})\\s+(?:${ARTICLE})?((?:${NAME_WORD})(?:[\\s-]${NAME_WORD}){0,2})`, "giu");
const TOWN_AFTER = /^\s*,?\s*(?:in|te)\s+(\p{Lu}[\p{L}'.-]*(?:[\s-]\p{Lu}[\p{L}'.-]*)?)/u;

const LANDMARK_PLACE = new RegExp(`(?:^|\\s)((?:${PLACE_WORDS})\\s+(?:${ARTICLE})?(${NAME_WORD}))`, "giu");

/**
 * The place the text names, or null. A landmark ("naast de bakker") is kept as written; with a street as well ("naast
 * de bakker aan de Heuvel") the street comes first and the landmark after it: "Heuvel (naast de bakker)".
 */
export function findPlaceInText(text: string): AddressInText | null {
  const clean = text.replace(/\s+/g, " ").trim();
  const landmark = findLandmark(clean);
  if (!landmark) return findStreetOrName(clean);
  // The rest of the text, the landmark left out (with a mark in its place: a name after it is not at the start of the message).
  const named = findStreetOrName(`${clean.slice(0, landmark.start)} … ${clean.slice(landmark.end)}`.trim());
  if (named) return { kind: "address", text: `${named.text} (${landmark.phrase})` };
  return { kind: "address", text: landmark.phrase, landmark: true };
}

/** The first landmark in the text with its place word ("naast de bakker", and the town after it: "bij de kerk, Mierlo"), and where it stands. */
function findLandmark(clean: string): { phrase: string; start: number; end: number } | null {
  for (const match of clean.matchAll(LANDMARK_PLACE)) {
    const word = (match[2] ?? "").toLowerCase();
    if (!LANDMARKS.has(word)) continue;
    const phrase = (match[1] ?? "").toLowerCase();
    const start = (match.index ?? 0) + match[0].length - phrase.length;
    let end = (match.index ?? 0) + match[0].length;
    const town = TOWN_AFTER.exec(clean.slice(end));
    if (town?.[1] && !NOT_A_PLACE.has(town[1].toLowerCase())) {
      end += town[0].length;
      return { phrase: `${phrase}, ${town[1]}`, start, end };
    }
    return { phrase, start, end };
  }
  return null;
}

/** A street (with a number or by its ending) or a name written with a capital, or null. */
function findStreetOrName(clean: string): AddressInText | null {
  for (const match of clean.matchAll(STREET_WITH_NUMBER)) {
    const name = trimName(match[1] ?? "");
    const number = (match[2] ?? "").replace(/\s+/g, "");
    const end = (match.index ?? 0) + match[0].length;
    const after = clean.slice(end);
    if (!name || NOT_A_HOUSE_NUMBER.test(after)) continue;
    // "5731 BC" is a postcode, not a house number with a letter.
    if (/^\d{4}[a-z]?$/i.test(number) && /^\s*[a-z]{1,2}\b/i.test(after)) continue;
    return { kind: "address", text: withTown(`${name} ${number}`, after) };
  }
  for (const match of clean.matchAll(NAMED_PLACE)) {
    const words = (match[1] ?? "").split(/\s+/);
    // The longest run of name words that is a place: a street name, or words written with a capital.
    const streetIndex = words.findIndex((w) => STREET_ENDING.test(w) && !NOT_A_PLACE.has(w.toLowerCase()));
    if (streetIndex >= 0) {
      const name = trimName(words.slice(0, streetIndex + 1).join(" "));
      if (name) return { kind: "address", text: withTown(name, clean.slice((match.index ?? 0) + match[0].length)) };
    }
    const capitals: string[] = [];
    for (const word of words) {
      if (!/^\p{Lu}/u.test(word) || NOT_A_PLACE.has(word.toLowerCase())) break;
      capitals.push(word);
    }
    // A capital right at the start of the message is no sign of a name.
    if (capitals.length > 0 && (match.index ?? 0) > 0) {
      // The words the name run took beyond the name ("Heuvel in Geldrop") come before the rest of the text.
      const rest = `${words.slice(capitals.length).join(" ")} ${clean.slice((match.index ?? 0) + match[0].length)}`;
      return { kind: "address", text: withTown(capitals.join(" "), ` ${rest.trim()}`) };
    }
  }
  return null;
}

/** The name without words that are no part of it ("mijn", "de"), or "" when nothing is left. */
function trimName(name: string): string {
  const words = name.split(/\s+/).filter(Boolean);
  while (words.length > 0 && NOT_A_PLACE.has((words[0] ?? "").toLowerCase())) words.shift();
  if (words.length === 0) return "";
  // A street with a number is a name with a capital, or a word that ends as street names do.
  const last = words[words.length - 1] ?? "";
  if (!words.some((w) => /^\p{Lu}/u.test(w)) && !STREET_ENDING.test(last) && words.length > 1) return "";
  if (NOT_A_PLACE.has(last.toLowerCase())) return "";
  return words.map((w) => (/^\p{Ll}/u.test(w) && w.length > 3 ? w.charAt(0).toUpperCase() + w.slice(1) : w)).join(" ");
}

/** "Heuvel 12" and " in Coevering…" → "Heuvel 12, Coevering". */
function withTown(place: string, after: string): string {
  const town = TOWN_AFTER.exec(after)?.[1];
  return town && !NOT_A_PLACE.has(town.toLowerCase()) ? `${place}, ${town}` : place;
}

/**
 * Whether words typed at the wijk question name a street ("molenstraat 20 geldrop", "zei ik toch al
 * heuvel 12"): a word with a house number, or a word with a street ending. The wijk is not found from a
 * street (there is no street list), so the resident is told that kindly and gets the wijk buttons.
 */
export function namesStreet(text: string): boolean {
  if (/\p{L}{3,}\s+\d{1,4}\s?[a-z]?(?![\p{L}\d])/iu.test(text)) return true;
  return text
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .some((word) => word.length >= 7 && STREET_ENDING.test(word) && !NOT_A_PLACE.has(word));
}
