/**
 * The Dutch words and number formats of the weekly digest: labels for intents, themes and
 * statuses (CONTRACTS vocabularies, from domain/vocabulary.ts), and how numbers, hours and changes are written.
 */

/** The Dutch labels of the vocabularies, one set for the whole service (domain/vocabulary.ts): "Meldingen", "Verkeer en parkeren", "wacht op de gemeente". */
export { describeStatus as statusLabel, labelIntentGroup as intentLabel, labelTheme as themeLabel } from "../domain/vocabulary.ts";

const decimal = new Intl.NumberFormat("nl-NL", { maximumFractionDigits: 1 });

/** A number the Dutch way: 3,5. */
export function formatNumber(value: number): string {
  return decimal.format(value);
}

/** "1 werkuur", "0,5 werkuur", "3,5 werkuren". */
export function formatWorkingHours(hours: number): string {
  return `${formatNumber(hours)} ${hours <= 1 ? "werkuur" : "werkuren"}`;
}

/** "80%" from 0.8. */
export function formatShare(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** A change against the average: "+38%", "−20%", "gelijk", "nieuw" (nothing before), or "" (no history). */
export function formatChange(change: { count: number; previousAverage: number | null; changePercent: number | null }): string {
  if (change.previousAverage === null) return "";
  if (change.previousAverage === 0) return change.count > 0 ? "nieuw" : "gelijk";
  if (change.changePercent === null || change.changePercent === 0) return "gelijk";
  return change.changePercent > 0 ? `+${change.changePercent}%` : `−${Math.abs(change.changePercent)}%`;
}

/** "1 gesprek" / "3 gesprekken": a count with the right Dutch noun. */
export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "woensdag 25 november, 19:30" in the gemeente's time zone. */
export function formatDateTime(iso: string, zone: string): string {
  const date = new Date(iso);
  const day = new Intl.DateTimeFormat("nl-NL", { timeZone: zone, weekday: "long", day: "numeric", month: "long" }).format(date);
  const time = new Intl.DateTimeFormat("nl-NL", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(date);
  return `${day}, ${time}`;
}

/** "25 november" in the gemeente's time zone. */
export function formatDay(iso: string, zone: string): string {
  return new Intl.DateTimeFormat("nl-NL", { timeZone: zone, day: "numeric", month: "long" }).format(new Date(iso));
}
