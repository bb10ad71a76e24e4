/**
 * Which wijk a melding belongs to: where the problem is, not where the resident lives (as Signalen
 * routes a melding by its location). A place in another wijk sends the melding to that wijk's
 * tandem; the resident's own wijk stays theirs (news, dialoogtafels, wijkberichten). Pure: the
 * wijken a place may be in come from the lookups (src/db/wijk.repo.ts, matchWijkName.ts).
 */

/** What deciding needs of a wijk: its slug and the slug of the tandem holding it (null: none). */
export interface ConcernWijk {
  slug: string;
  tandem: string | null;
}

/**
 * The wijken a place may be in: none (nothing found: the resident's own wijk), one, or several
 * (a village named, four digits of a postcode). `core`: of several, the ones the place most
 * likely means (the village's own wijken, not the buitengebied around it).
 */
export interface PlaceWijken<W extends ConcernWijk> {
  wijken: readonly W[];
  core?: readonly W[];
}

/**
 * - `home`: the place is in the resident's own wijk, or says no wijk: routed as before;
 * - `elsewhere`: one other wijk;
 * - `ask`: several wijken, the resident's own not among them: which one? `tandem` is the one tandem
 *   holding the likely ones (when it is not the resident's own), for "weet ik niet".
 */
export type ConcernPlace<W extends ConcernWijk> = { kind: "home" } | { kind: "elsewhere"; wijk: W } | { kind: "ask"; wijken: W[]; tandem: string | null };

/** Decides where a melding goes, given the resident's own wijk (null: unknown) and the wijken its place may be in. */
export function placeConcern<W extends ConcernWijk>(home: ConcernWijk | null, place: PlaceWijken<W>): ConcernPlace<W> {
  const [only, ...others] = place.wijken;
  if (!only) return { kind: "home" };
  // "bij de kerk in Mierlo" from a resident of Luchen: their own wijk is one of them, so it stays.
  if (home && place.wijken.some((wijk) => wijk.slug === home.slug)) return { kind: "home" };
  if (others.length === 0) return { kind: "elsewhere", wijk: only };
  const likely = place.core && place.core.length > 0 ? place.core : place.wijken;
  const tandems = new Set(likely.map((wijk) => wijk.tandem));
  const [tandem] = tandems;
  const shared = tandems.size === 1 && tandem !== undefined && tandem !== null && tandem !== home?.tandem ? tandem : null;
  return { kind: "ask", wijken: [...place.wijken], tandem: shared };
}
