/**
 * Which wijk a resident means when they type its name: "braakhuizen zuid" (no hyphen),
 * "Coeverign" (a typo), "ik woon in Luchen" (in a sentence), "braakhuizen" (two wijken: both are
 * offered). Pure; the wijken come from the database (src/db/wijk.repo.ts listWijken).
 */
import { editDistance, normalise } from "../conversation/answers.ts";

/**
 * What a typed name matched: one wijk, several (to choose from), the wijken of a kern the text names
 * ("bij de kerk in mierlo": the village, not a wijk), or none.
 */
export type WijkNameMatch<W> = { kind: "one"; wijk: W } | { kind: "several"; wijken: W[] } | { kind: "kern"; kern: string; wijken: W[] } | { kind: "none" };

/** Lower case, accents folded, hyphens and punctuation as spaces: "Braakhuizen-Zuid" → "braakhuizen zuid". */
function fold(text: string): string {
  return normalise(text).replace(/[-#@]/g, " ").replace(/\s+/g, " ").trim();
}

/** The name's own words, without what is in brackets ("Buitengebied (Gijzenrooi e.o.)" → also "gijzenrooi"). */
function nameWords(name: string): string[] {
  return fold(name)
    .split(" ")
    .filter((w) => w.length >= 4);
}

/** The wijk (or wijken) the text names; matches the whole name, a small typo, or the name inside a sentence. */
export function matchWijkName<W extends { name: string; slug: string; kern?: string | null }>(text: string, wijken: readonly W[]): WijkNameMatch<W> {
  const said = fold(text);
  if (said.length < 3) return { kind: "none" };
  const names = wijken.map((wijk) => ({ wijk, name: fold(wijk.name.replace(/\(.*?\)/g, "")), slug: fold(wijk.slug), words: nameWords(wijk.name) }));
  const one = (found: typeof names): WijkNameMatch<W> | null => {
    if (found.length === 1 && found[0]) return { kind: "one", wijk: found[0].wijk };
    if (found.length > 1) return { kind: "several", wijken: found.map((f) => f.wijk) };
    return null;
  };
  // The whole name (with or without hyphens), or a small typo in it.
  const exact = one(names.filter((n) => n.name === said || n.slug === said));
  if (exact) return exact;
  const typo = one(names.filter((n) => n.name.length >= 5 && editDistance(n.name, said) <= (n.name.length >= 9 ? 2 : 1)));
  if (typo?.kind === "one") return typo;
  // The name inside a sentence ("ik woon in braakhuizen zuid").
  const padded = ` ${said} `;
  const contained = one(names.filter((n) => padded.includes(` ${n.name} `)));
  if (contained) return contained;
  // One word of a name that no other wijk shares ("gijzenrooi", "braakhuizen" → both Braakhuizens); not a kern name on its own.
  const words = said.split(" ");
  const counts = new Map<string, number>();
  for (const n of names) for (const w of new Set(n.words)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const byWord = names.filter((n) =>
    n.words.some((w) => words.some((s) => s === w || (w.length >= 7 && s.length >= 6 && editDistance(s, w) <= 1)) && (counts.get(w) ?? 0) <= 2 && !GENERIC_WORDS.has(w)),
  );
  const byName = one(byWord);
  if (byName) return byName;
  // "het dorp", "centrum mierlo": the wijk that is the heart of a kern.
  const kernsNamed = namedKerns(words, wijken);
  const centre = centreWijken(words, names, kernsNamed);
  if (centre) return centre;
  // A place in one kern ("achter de Albert Heijn in Geldrop"): that kern's wijken, and those around both kernen.
  const [kern] = kernsNamed;
  if (kernsNamed.length === 1 && kern) {
    const inKern = wijken.filter((w) => w.kern && fold(w.kern).split(" ").includes(fold(kern)));
    if (inKern.length === 1 && inKern[0]) return { kind: "one", wijk: inKern[0] };
    if (inKern.length > 1) return { kind: "kern", kern, wijken: [...inKern].sort((a, b) => kernOrder(a, kern) - kernOrder(b, kern) || a.name.localeCompare(b.name, "nl")) };
  }
  return { kind: "none" };
}

/** Words that name the heart of a kern; the "dorp" ones only a village's. */
const CENTRE_WORDS = new Set(["centrum", "center", "centre", "dorp", "dorpje", "dorpskern", "dorpscentrum", "dorpshart", "downtown"]);
const VILLAGE_WORDS = new Set(["dorp", "dorpje", "dorpskern", "dorpscentrum", "dorpshart"]);

/** Words before a village's name that say the place is not in it. */
const TOWARDS = new Set(["richting", "naar", "towards", "to", "tot", "buiten", "outside"]);

/** The kernen (as the wijken's data spells them, "Mierlo") whose name is a word of what was said. */
function namedKerns(words: string[], wijken: readonly { kern?: string | null }[]): string[] {
  const kerns = new Set<string>();
  for (const wijk of wijken) {
    // A kern of one word is a village or town ("Geldrop"); "Geldrop en Mierlo" (the buitengebied) names none of its own.
    if (!wijk.kern || fold(wijk.kern).includes(" ")) continue;
    const kern = fold(wijk.kern);
    // "bij de rotonde richting mierlo": a way towards the village is no place in it.
    if (words.some((w, i) => w === kern && !TOWARDS.has(words[i - 1] ?? ""))) kerns.add(wijk.kern);
  }
  return [...kerns];
}

/** The centre wijk meant by "dorp", "het centrum van mierlo": one named "…-Dorp" or "…-Centrum", in the kern named if any. */
function centreWijken<W extends { kern?: string | null }>(words: string[], names: { wijk: W; words: string[] }[], kerns: string[]): WijkNameMatch<W> | null {
  const said = words.filter((w) => CENTRE_WORDS.has(w));
  if (said.length === 0 || kerns.length > 1) return null;
  const village = said.some((w) => VILLAGE_WORDS.has(w));
  let found = names.filter((n) => n.words.some((w) => w === "dorp" || (!village && w === "centrum")));
  const [kern] = kerns;
  if (kern) found = found.filter((n) => n.wijk.kern && fold(n.wijk.kern) === fold(kern));
  if (found.length === 1 && found[0]) return { kind: "one", wijk: found[0].wijk };
  if (found.length > 1) return { kind: "several", wijken: found.map((f) => f.wijk) };
  return null;
}

/** The kern's own wijken first, those shared with other kernen after. */
function kernOrder(wijk: { kern?: string | null }, kern: string): number {
  return wijk.kern && fold(wijk.kern) === fold(kern) ? 0 : 1;
}

/** Words of wijk names that say too little on their own. */
const GENERIC_WORDS = new Set(["noord", "zuid", "oost", "west", "dorp", "centrum", "geldrop", "mierlo", "buitengebied"]);
