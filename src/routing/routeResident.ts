/**
 * Where a resident belongs: the one place that decides a resident's wijk and tandem from what is
 * known of them (the wijk already on record, a chosen wijk, a postcode or a shared location).
 * The rule every caller shares: an inactive wijk has no tandem, so its conversations go to the
 * general team. Finding the wijk is a query (src/db/wijk.repo.ts); deciding is done here.
 */
import type { LookupReason } from "../domain/wijk.ts";

/** What routing needs of a wijk: whether it is active and the tandem holding it (null: none). */
export interface RoutableWijk {
  active: boolean;
  tandem: unknown;
}

/** The answer of a lookup by postcode or location (src/db/wijk.repo.ts). */
export interface FoundWijk<W> {
  wijk: W | null;
  reason: LookupReason;
}

/** A point a resident shared. */
export interface RoutingPoint {
  lat: number;
  lon: number;
}

/**
 * What is known of the resident, with the lookup that turns it into a wijk: the wijk already
 * loaded (or none on record), a wijk chosen by slug, a postcode (alone or in a sentence) or a
 * shared point.
 */
export type KnownWhereabouts<W extends RoutableWijk> =
  | { wijk: W | null }
  | { wijkSlug: string; findBySlug: (slug: string) => Promise<W | null> }
  | { postcode: string; findByPostcode: (text: string) => Promise<FoundWijk<W>> }
  | { point: RoutingPoint; findByPoint: (point: RoutingPoint) => Promise<FoundWijk<W>> };

/**
 * Why the resident is routed as they are:
 * - `found`: a wijk and the tandem that holds it;
 * - `inactive`: the wijk is not (yet) part of the wijkdialoog, so no tandem;
 * - `no-tandem`: an active wijk that no tandem holds;
 * - `unknown`: no wijk on record, or no wijk with the chosen slug;
 * - `outside`, `no-wijk`, `invalid`: what the postcode or location lookup said.
 */
export type RouteReason = "found" | "inactive" | "no-tandem" | "unknown" | Exclude<LookupReason, "found">;

/** The resident's wijk (also when inactive), the tandem to hand them to (or null), and why. */
export interface ResidentRoute<W extends RoutableWijk> {
  wijk: W | null;
  tandem: NonNullable<W["tandem"]> | null;
  reason: RouteReason;
}

/** Decides a resident's wijk and tandem from what is known of them. */
export async function routeResident<W extends RoutableWijk>(known: KnownWhereabouts<W>): Promise<ResidentRoute<W>> {
  if ("wijk" in known) return routeToWijk(known.wijk, "unknown");
  if ("wijkSlug" in known) return routeToWijk(await known.findBySlug(known.wijkSlug), "unknown");
  const found = "postcode" in known ? await known.findByPostcode(known.postcode) : await known.findByPoint(known.point);
  return routeToWijk(found.wijk, found.reason === "found" ? "unknown" : found.reason);
}

function routeToWijk<W extends RoutableWijk>(wijk: W | null, reasonWithoutWijk: Exclude<RouteReason, "found" | "inactive" | "no-tandem">): ResidentRoute<W> {
  if (!wijk) return { wijk: null, tandem: null, reason: reasonWithoutWijk };
  if (!wijk.active) return { wijk, tandem: null, reason: "inactive" };
  const tandem = tandemOf(wijk);
  return { wijk, tandem, reason: tandem === null ? "no-tandem" : "found" };
}

function tandemOf<W extends RoutableWijk>(wijk: W): NonNullable<W["tandem"]> | null {
  const tandem: W["tandem"] = wijk.tandem;
  return tandem === null || tandem === undefined ? null : tandem;
}
