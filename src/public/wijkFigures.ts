/**
 * The figures of a public wijk page, made so that no resident is recognisable: counts only, any
 * count from 1 to 4 shown as "minder dan 5", and no total from which a hidden count could be
 * worked out. Pure functions over the bare facts of src/db/publicWijk.repo.ts.
 */
import { median } from "../digests/buildWeeklyDigest.ts";
import { workingMillisBetween } from "../routing/officeHours.ts";
import type { Settings } from "../conversation/flowSchema.ts";
import { THEME_LABELS, ThemeSchema, type Theme } from "../domain/vocabulary.ts";
import type { WijkConversationFact } from "../db/publicWijk.repo.ts";
import { hiddenSumRevealsACell, SMALL_COUNT } from "../trust/disclosureControl.ts";

/** Counts below this are never shown as a number (the rule lives in src/trust/disclosureControl.ts). */
export { SMALL_COUNT };

/** How many days "lately" covers on a wijk page. */
export const PERIOD_DAYS = 90;

/** A count as the public may see it: exact from SMALL_COUNT up, otherwise only that it is small. */
export type PublicCount = { kind: "exact"; value: number } | { kind: "small" } | { kind: "atLeast"; value: number };

/** A count, suppressed when small (never 0 here: a theme nobody raised is not listed). */
export function publicCount(value: number): PublicCount {
  return value >= SMALL_COUNT ? { kind: "exact", value } : { kind: "small" };
}

/** How a public count reads in B1 Dutch. */
export function formatPublicCount(count: PublicCount): string {
  switch (count.kind) {
    case "exact":
      return String(count.value);
    case "small":
      return "minder dan 5";
    case "atLeast":
      return `meer dan ${count.value}`;
    default:
      return assertNever(count);
  }
}

/** One theme's line on the page. */
export interface ThemeFigure {
  theme: Theme;
  label: string;
  count: PublicCount;
}

/** What residents raised by theme, most first; and the total, hidden as far as needed. */
export interface ThemeFigures {
  themes: ThemeFigure[];
  total: PublicCount | null;
}

/**
 * Counts per theme (112/113 conversations never count: too personal to publish). The total is
 * exact only when it cannot reveal a hidden count by subtraction (total minus the shown themes):
 * when no theme is hidden, or the hidden ones together are SMALL_COUNT or more and their sum
 * leaves more than one possibility for each (two hidden themes with 8 together would both be 4).
 * Otherwise the total is coarsened to "meer dan" the visible sum. This is the complementary
 * suppression of src/trust/disclosureControl.ts with the total as the second hidden cell: on a
 * public page a rough total reads better than a second theme without a number.
 */
export function buildThemeFigures(facts: readonly WijkConversationFact[]): ThemeFigures {
  const counts = new Map<Theme, number>();
  for (const fact of facts) {
    if (fact.emergency) continue;
    const theme = ThemeSchema.safeParse(fact.theme ?? "overig");
    const key = theme.success ? theme.data : "overig";
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const themes = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || THEME_LABELS[a[0]].localeCompare(THEME_LABELS[b[0]], "nl"))
    .map(([theme, value]) => ({ theme, label: THEME_LABELS[theme], count: publicCount(value), value }));
  const total = themes.reduce((sum, t) => sum + t.value, 0);
  const small = themes.filter((t) => t.count.kind === "small");
  const hidden = small.reduce((sum, t) => sum + t.value, 0);
  const visible = total - hidden;
  const safe = small.length === 0 || (hidden >= SMALL_COUNT && !hiddenSumRevealsACell(hidden, small.length));
  let totalCount: PublicCount | null = null;
  if (total > 0) totalCount = total < SMALL_COUNT ? { kind: "small" } : safe ? { kind: "exact", value: total } : { kind: "atLeast", value: visible };
  // Small themes in a fixed order (by label), so their order does not hint at their size.
  const shown = [...themes.filter((t) => t.count.kind === "exact"), ...themes.filter((t) => t.count.kind !== "exact").sort((a, b) => a.label.localeCompare(b.label, "nl"))];
  return { themes: shown.map(({ theme, label, count }) => ({ theme, label, count })), total: totalCount };
}

/** How fast the gemeente answered: the median working time from hand-over to the first staff reply (as the digest counts it). */
export interface ResponseFigure {
  /** How many answered conversations it is over (shown only from SMALL_COUNT up). */
  answered: PublicCount;
  medianWorkingHours: number | null;
}

/** The median first response over the answered conversations; null figures below SMALL_COUNT answers (one reply would be one person's). */
export function buildResponseFigure(facts: readonly WijkConversationFact[], settings: Settings, timeZone: string): ResponseFigure {
  const hours: number[] = [];
  for (const fact of facts) {
    if (!fact.firstResponseAt) continue;
    const from = fact.handedOverAt && fact.handedOverAt <= fact.firstResponseAt ? fact.handedOverAt : fact.createdAt;
    hours.push(workingMillisBetween(from, fact.firstResponseAt, settings, timeZone) / 3_600_000);
  }
  if (hours.length < SMALL_COUNT) return { answered: hours.length === 0 ? { kind: "exact", value: 0 } : { kind: "small" }, medianWorkingHours: null };
  return { answered: { kind: "exact", value: hours.length }, medianWorkingHours: median(hours) };
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
