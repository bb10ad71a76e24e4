/**
 * Complementary (secondary) cell suppression for the published tables, after the way statistical
 * offices such as CBS protect frequency tables (the threshold rule plus secondary suppression, as
 * in τ-ARGUS; see https://research.cbs.nl/casc/ and the "Handbook on Statistical Disclosure
 * Control", ch. 4).
 *
 * Why: hiding a count of 1 to 4 ("minder dan 5") is not enough when a total is shown beside it.
 * The gemeente total minus the other wijken, or a month's conversations minus the shown channels,
 * gives the hidden count back. So every table is described as cells and sum groups
 * (total = sum of members). A cell from 1 to SMALL_COUNT - 1 is hidden (primary suppression).
 * Then, as long as a hidden small cell can still be worked out, a second cell is hidden in the
 * group that gives it away: the smallest shown member above 0 (it costs the least information),
 * else the group's total (secondary suppression). "Worked out" means either exactly, by solving
 * the groups one unknown at a time, or by the bounds a reader knows: a small cell is 1 to 4, a
 * second hidden one at least SMALL_COUNT (it is marked differently), an unpublished cell 0 or more.
 *
 * Limits, on purpose: groups are checked one at a time, not with the linear programming τ-ARGUS
 * uses over the whole table; that suffices for our tables (wijk × month with margins, and the
 * channels of a row). Tables for different staff (other wijken visible) are protected each on
 * their own.
 */

/** Counts below this are never shown as a number (the threshold rule). */
export const SMALL_COUNT = 5;

/** One figure of a table. Unpublished cells are never shown but take part in sums (e.g. a total nobody sees). */
export interface Cell {
  key: string;
  value: number;
  published: boolean;
}

/** A sum relation a reader can use: the total is the sum of the members. */
export interface SumGroup {
  total: string;
  members: readonly string[];
}

/** How a cell may be shown: as its number, as "minder dan 5" (primary), or hidden as a second cell (secondary). */
export type CellState = "shown" | "small" | "hidden";

/** Whether a count is small enough to be hidden for its own sake. */
export function isSmall(value: number): boolean {
  return value > 0 && value < SMALL_COUNT;
}

/**
 * Decides which cells are shown. Every small cell is "small"; complements become "hidden";
 * unpublished cells get "hidden" too (they are never shown). Deterministic: the same table gives
 * the same pattern, so the page and the CSV agree.
 */
export function suppressComplementary(cells: readonly Cell[], groups: readonly SumGroup[]): Map<string, CellState> {
  const byKey = new Map(cells.map((cell) => [cell.key, cell]));
  for (const group of groups) for (const key of [group.total, ...group.members]) if (!byKey.has(key)) throw new Error(`suppressComplementary: group with ${group.total} names unknown cell ${key}`);
  const state = new Map<string, CellState>();
  for (const cell of cells) state.set(cell.key, !cell.published ? "hidden" : isSmall(cell.value) ? "small" : "shown");
  const sensitive = cells.filter((cell) => isSmall(cell.value)).map((cell) => cell.key);
  const groupsOf = new Map<string, SumGroup[]>();
  for (const group of groups) for (const key of [group.total, ...group.members]) groupsOf.set(key, [...(groupsOf.get(key) ?? []), group]);
  const value = (key: string) => byKey.get(key)?.value ?? 0;
  const visible = (key: string) => state.get(key) === "shown";

  /** The cheapest shown cell of a group to hide next: a member above 0, smallest first; else the total. */
  const complementIn = (group: SumGroup): string | null => {
    const members = group.members.filter((key) => visible(key) && value(key) > 0).sort((a, b) => value(a) - value(b) || a.localeCompare(b));
    if (members[0]) return members[0];
    if (visible(group.total)) return group.total;
    const zeros = group.members.filter(visible).sort();
    return zeros[0] ?? null;
  };

  /**
   * The complement for a group that gives a cell away. A cell of the group that is hidden but
   * worked out again elsewhere (a wijk hidden as a second cell, but given back by its channels)
   * is fixed first, where it was worked out from; otherwise a shown cell of the group is hidden.
   */
  const complementAlong = (group: SumGroup, via: ReadonlyMap<string, SumGroup>, seen = new Set<SumGroup>()): string | null => {
    if (seen.has(group)) return null;
    seen.add(group);
    for (const key of [group.total, ...group.members]) {
      const from = visible(key) ? undefined : via.get(key);
      const found = from ? complementAlong(from, via, seen) : null;
      if (found) return found;
    }
    return complementIn(group);
  };

  // Each round hides at least one more cell, so this ends; the bound is a guard against a bug.
  for (let round = 0; round <= cells.length; round++) {
    const risk = findRisk();
    if (!risk) return state;
    const complement = complementAlong(risk.group, risk.via) ?? [...(groupsOf.get(risk.cell) ?? [])].map(complementIn).find((key) => key !== null) ?? null;
    if (complement === null) {
      // Nothing shown is left around it: hide everything shown in its groups.
      for (const group of groupsOf.get(risk.cell) ?? []) for (const key of [group.total, ...group.members]) if (visible(key)) state.set(key, "hidden");
      continue;
    }
    state.set(complement, "hidden");
  }
  throw new Error("suppressComplementary: did not settle");

  /** A small cell a reader can still work out, and the group that gives it away. */
  function findRisk(): { cell: string; group: SumGroup; via: ReadonlyMap<string, SumGroup> } | null {
    const known = new Set(cells.filter((cell) => visible(cell.key)).map((cell) => cell.key));
    const via = new Map<string, SumGroup>();
    let changed = true;
    while (changed) {
      changed = false;
      for (const group of groups) {
        const unknown = [group.total, ...group.members].filter((key) => !known.has(key));
        if (unknown.length === 1 && unknown[0] !== undefined) {
          known.add(unknown[0]);
          via.set(unknown[0], group);
          changed = true;
        }
      }
    }
    for (const key of sensitive) {
      const group = via.get(key);
      if (group) return { cell: key, group, via };
    }
    // Bounds: with the total known, the hidden members' sum is known; a small one may be pinned by it.
    const bounds = (key: string): [number, number] => (state.get(key) === "small" ? [1, SMALL_COUNT - 1] : byKey.get(key)?.published ? [SMALL_COUNT, Infinity] : [0, Infinity]);
    for (const group of groups) {
      if (!known.has(group.total)) continue;
      const unknown = group.members.filter((key) => !known.has(key));
      if (unknown.length === 0) continue;
      const sum = value(group.total) - group.members.filter((key) => known.has(key)).reduce((total, key) => total + value(key), 0);
      for (const key of unknown) {
        if (state.get(key) !== "small") continue;
        const others = unknown.filter((other) => other !== key).map(bounds);
        const [lo, hi] = bounds(key);
        const low = Math.max(lo, sum - others.reduce((total, [, h]) => total + h, 0));
        const high = Math.min(hi, sum - others.reduce((total, [l]) => total + l, 0));
        if (low >= high) return { cell: key, group, via };
      }
    }
    return null;
  }
}

/**
 * Whether `count` hidden small cells (each 1 to SMALL_COUNT - 1) are given away by their sum:
 * only when the sum leaves one possibility, all at the least (every one 1) or all at the most.
 * A single hidden cell is always given away by its sum.
 */
export function hiddenSumRevealsACell(sum: number, count: number): boolean {
  return count > 0 && (count === 1 || sum === count || sum === count * (SMALL_COUNT - 1));
}
