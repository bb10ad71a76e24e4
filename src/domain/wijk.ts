/** Platform-free types for wijken and the wijk lookup. */

/** A wijk as the API and the bot show it. */
export interface WijkSummary {
  slug: string;
  name: string;
  active: boolean;
  /** The slug of the tandem holding the wijk, or null. */
  tandem: string | null;
}

/** Why a lookup found what it found (CONTRACTS: /api/v1/wijken/lookup). */
export type LookupReason = "found" | "outside" | "no-wijk" | "invalid";

/** The answer of a wijk lookup by postcode or location. */
export interface WijkLookup {
  wijk: WijkSummary | null;
  reason: LookupReason;
}

/** A wijk as the bot routes to it: its id and the id of the tandem that holds it (null: none). */
export interface WijkRef {
  id: string;
  slug: string;
  name: string;
  active: boolean;
  tandem: { id: string } | null;
}

/** A wijk with the tandem that holds it, for telling the resident who answers. */
export interface WijkWithTandem {
  id: string;
  slug: string;
  name: string;
  active: boolean;
  tandem: { id: string; slug: string; name: string } | null;
}
