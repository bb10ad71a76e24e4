/**
 * The pilot evaluation's figures, as pure functions over bare facts (no text, no people): per wijk
 * and period the response times, the feedback scores ("Voelde je je gehoord?"), the trust pulse and
 * the reach (residents, channels, repeat residents). Used by the inbox page, its CSV export and the
 * wethouder's digest. The same rule as the public pages (src/public/wijkFigures.ts): a figure over
 * fewer than SMALL_COUNT answers or residents is not given, so that no one's answer can be read
 * from it.
 */
import { median } from "../digests/buildWeeklyDigest.ts";
import { localDate, zonedTimeToDate } from "../domain/time.ts";
import { type Cell, type CellState, isSmall, SMALL_COUNT, suppressComplementary, type SumGroup } from "./disclosureControl.ts";

/** Scores (1–5) summarised: how many, and from SMALL_COUNT answers on the mean and the share of 4–5. */
export interface ScoreSummary {
  /** How many answers; below SMALL_COUNT only that there are few (null here means: none or few). */
  answers: number;
  /** The answers are too few to show anything else. */
  tooFew: boolean;
  average: number | null;
  /** The share of 4 and 5 (felt heard; trust), 0–1. */
  highShare: number | null;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Summarises scores; nothing but "few" below SMALL_COUNT. */
export function summariseScores(scores: readonly number[]): ScoreSummary {
  if (scores.length < SMALL_COUNT) return { answers: scores.length, tooFew: true, average: null, highShare: null };
  return {
    answers: scores.length,
    tooFew: false,
    average: round(scores.reduce((sum, score) => sum + score, 0) / scores.length, 2),
    highShare: round(scores.filter((score) => score >= 4).length / scores.length, 4),
  };
}

/** A score summary in a Dutch sentence part: "gemiddeld 4,1 van 5 (12 antwoorden)". */
export function describeScores(summary: ScoreSummary): string {
  if (summary.answers === 0) return "nog geen antwoorden";
  if (summary.tooFew || summary.average === null) return "minder dan 5 antwoorden (te weinig om te tonen)";
  return `gemiddeld ${summary.average.toLocaleString("nl-NL", { maximumFractionDigits: 1 })} van 5 (${summary.answers} antwoorden)`;
}

/** A period of the evaluation: a calendar month in the gemeente's zone. */
export interface Period {
  key: string;
  label: string;
  start: Date;
  end: Date;
}

const MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"];

/** The `count` calendar months up to and including the one of `now`, oldest first. */
export function lastMonths(now: Date, zone: string, count: number): Period[] {
  const [year, month] = localDate(now, zone);
  return Array.from({ length: count }, (_, i) => {
    const index = year * 12 + (month - 1) - (count - 1 - i);
    const y = Math.floor(index / 12);
    const m = (index % 12) + 1;
    const next = index + 1;
    return {
      key: `${y}-${String(m).padStart(2, "0")}`,
      label: `${MONTHS[m - 1]} ${y}`,
      start: zonedTimeToDate(zone, y, m, 1),
      end: zonedTimeToDate(zone, Math.floor(next / 12), (next % 12) + 1, 1),
    };
  });
}

/** A conversation of the evaluation, as bare facts. */
export interface EvaluationConversationFact {
  wijkId: string | null;
  residentId: string | null;
  channel: string;
  createdAt: Date;
  emergency: string | null;
  /** Working hours from hand-over to the first staff reply; null when not answered or never with staff. */
  responseWorkingHours: number | null;
}

/** A score as a bare figure (feedback or trust). */
export interface ScoreFact {
  wijkId: string | null;
  at: Date;
  score: number;
}

/** One row of the evaluation: a wijk (or all) in a period. */
export interface EvaluationRow {
  period: Period;
  conversations: number;
  answered: number;
  medianResponseHours: number | null;
  feedback: ScoreSummary;
  trust: ScoreSummary;
  /** Residents who wrote, and those of them who wrote in more than one conversation; null below SMALL_COUNT residents. */
  residents: number | null;
  repeatResidents: number | null;
  /** Conversations per channel; a channel with fewer than SMALL_COUNT is left out (and counted in `otherChannels`). */
  channels: Array<{ channel: string; count: number }>;
  otherChannels: number | null;
  /** Every channel's count, for the protection of the table only (never shown as such). */
  channelCounts: Array<{ channel: string; count: number }>;
  /** The residents and repeat residents as counted, for the protection of the table only. */
  reach: { residents: number; repeat: number };
  /** How each figure may be shown: by the threshold rule, and after protectEvaluation also as a second hidden cell. */
  states: RowStates;
}

/** The figures of a row that a reader could add up (see protectEvaluation). */
export interface RowStates {
  conversations: CellState;
  answered: CellState;
  feedback: CellState;
  trust: CellState;
  residents: CellState;
  repeatResidents: CellState;
}

/** Builds one row per period over the facts that fall in it (the caller has chosen the wijk or wijken). */
export function buildEvaluation(
  periods: readonly Period[],
  facts: { conversations: readonly EvaluationConversationFact[]; feedback: readonly ScoreFact[]; trust: readonly ScoreFact[] },
): EvaluationRow[] {
  const within = (period: Period, at: Date) => at >= period.start && at < period.end;
  return periods.map((period) => {
    const conversations = facts.conversations.filter((fact) => within(period, fact.createdAt));
    const hours = conversations.flatMap((fact) => (fact.responseWorkingHours === null ? [] : [fact.responseWorkingHours]));
    const perResident = new Map<string, number>();
    for (const fact of conversations) if (fact.residentId) perResident.set(fact.residentId, (perResident.get(fact.residentId) ?? 0) + 1);
    const residents = perResident.size;
    const repeat = [...perResident.values()].filter((count) => count > 1).length;
    const byChannel = new Map<string, number>();
    for (const fact of conversations) byChannel.set(fact.channel, (byChannel.get(fact.channel) ?? 0) + 1);
    const shown = [...byChannel.entries()].filter(([, count]) => count >= SMALL_COUNT).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const hidden = [...byChannel.values()].filter((count) => count < SMALL_COUNT).reduce((sum, count) => sum + count, 0);
    const medianHours = hours.length >= SMALL_COUNT ? median(hours) : null;
    const feedback = summariseScores(facts.feedback.filter((fact) => within(period, fact.at)).map((fact) => fact.score));
    const trust = summariseScores(facts.trust.filter((fact) => within(period, fact.at)).map((fact) => fact.score));
    return {
      period,
      conversations: conversations.length,
      answered: hours.length,
      medianResponseHours: medianHours === null ? null : round(medianHours, 1),
      feedback,
      trust,
      residents: residents >= SMALL_COUNT ? residents : null,
      // A repeat count is only given when both it and the others are not small (either would single someone out).
      repeatResidents: residents >= SMALL_COUNT && repeat >= SMALL_COUNT && residents - repeat >= SMALL_COUNT ? repeat : null,
      channels: shown.map(([channel, count]) => ({ channel, count })),
      // The hidden channels together, when that total gives none of them away.
      otherChannels: hidden === 0 ? 0 : hidden >= SMALL_COUNT ? hidden : null,
      channelCounts: [...byChannel.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([channel, count]) => ({ channel, count })),
      states: {
        conversations: isSmall(conversations.length) ? "small" : "shown",
        answered: isSmall(hours.length) ? "small" : "shown",
        feedback: isSmall(feedback.answers) ? "small" : "shown",
        trust: isSmall(trust.answers) ? "small" : "shown",
        residents: isSmall(residents) ? "small" : "shown",
        repeatResidents: isSmall(repeat) ? "small" : "shown",
      },
      reach: { residents, repeat },
    };
  });
}

/** The evaluation's published table: all wijken and each wijk per month, and each wijk over whole periods. */
export interface EvaluationTable {
  /** All the wijken together, one row per month. */
  totals: EvaluationRow[];
  /** Each wijk: a row per month (the months of `totals`), and a row per window in `windows`. */
  wijken: Array<{ key: string; monthly: EvaluationRow[]; windows: EvaluationRow[] }>;
  /** Per window (e.g. the last 3, 6 and 12 months), the indexes of the months it covers. */
  windows: number[][];
}

type Measure = "conv" | "ans" | "fb" | "tr";
const MEASURES: Record<Measure, { of: (row: EvaluationRow) => number; state: keyof RowStates; windowsPublished: boolean }> = {
  conv: { of: (row) => row.conversations, state: "conversations", windowsPublished: true },
  ans: { of: (row) => row.answered, state: "answered", windowsPublished: false },
  fb: { of: (row) => row.feedback.answers, state: "feedback", windowsPublished: true },
  tr: { of: (row) => row.trust.answers, state: "trust", windowsPublished: true },
};

/**
 * Applies complementary suppression (src/trust/disclosureControl.ts) to the whole table at once,
 * so that no small figure can be worked out by subtraction: the all-wijken month minus the other
 * wijken, a wijk's period minus its months, a month's conversations minus the shown channels, the
 * residents minus the repeat residents. Every view (one wijk or all, 3, 6 or 12 months) and the
 * CSV show parts of this one protected table, so that they cannot be laid over each other either.
 * A feedback or trust cell that is hidden loses its mean and share too (a sum of scores follows
 * the same sums as the counts).
 */
export function protectEvaluation(table: EvaluationTable): EvaluationTable {
  const cells: Cell[] = [];
  const groups: SumGroup[] = [];
  const add = (key: string, value: number, published: boolean) => cells.push({ key, value, published });
  const months = table.totals.map((_, i) => i);
  const rowKeys = (i: number) => [`T|${i}`, ...table.wijken.map((wijk) => `C|${wijk.key}|${i}`)];
  const monthRow = (part: string): EvaluationRow | undefined => {
    const [kind, a, b] = part.split("|");
    return kind === "T" ? table.totals[Number(a)] : table.wijken.find((wijk) => wijk.key === a)?.monthly[Number(b)];
  };
  for (const [measure, { of, windowsPublished }] of Object.entries(MEASURES)) {
    for (const i of months) {
      add(`${measure}|T|${i}`, table.totals[i] ? of(table.totals[i]) : 0, true);
      for (const wijk of table.wijken) add(`${measure}|C|${wijk.key}|${i}`, wijk.monthly[i] ? of(wijk.monthly[i]) : 0, true);
      groups.push({ total: `${measure}|T|${i}`, members: table.wijken.map((wijk) => `${measure}|C|${wijk.key}|${i}`) });
    }
    table.windows.forEach((window, k) => {
      add(
        `${measure}|G|${k}`,
        window.reduce((sum, i) => sum + (table.totals[i] ? of(table.totals[i]) : 0), 0),
        false,
      );
      for (const wijk of table.wijken) {
        add(`${measure}|R|${wijk.key}|${k}`, wijk.windows[k] ? of(wijk.windows[k]) : 0, windowsPublished);
        groups.push({ total: `${measure}|R|${wijk.key}|${k}`, members: window.map((i) => `${measure}|C|${wijk.key}|${i}`) });
      }
      groups.push({ total: `${measure}|G|${k}`, members: table.wijken.map((wijk) => `${measure}|R|${wijk.key}|${k}`) });
      groups.push({ total: `${measure}|G|${k}`, members: window.map((i) => `${measure}|T|${i}`) });
    });
  }
  for (const i of months) {
    // Reach: residents per wijk add up (nearly) to the month's residents; repeat plus once-only residents to the residents.
    for (const part of rowKeys(i)) {
      const row = monthRow(part);
      const reach = row?.reach ?? { residents: 0, repeat: 0 };
      add(`res|${part}`, reach.residents, true);
      add(`rep|${part}`, reach.repeat, true);
      add(`once|${part}`, reach.residents - reach.repeat, false);
      groups.push({ total: `res|${part}`, members: [`rep|${part}`, `once|${part}`] });
      // Channels add up to the row's conversations.
      const channels = [...new Set(table.totals[i]?.channelCounts.map((entry) => entry.channel) ?? [])];
      for (const channel of channels) add(`ch|${part}|${channel}`, row?.channelCounts.find((entry) => entry.channel === channel)?.count ?? 0, true);
      if (channels.length > 0) groups.push({ total: `conv|${part}`, members: channels.map((channel) => `ch|${part}|${channel}`) });
    }
    for (const measure of ["res", "rep", "once"]) groups.push({ total: `${measure}|T|${i}`, members: table.wijken.map((wijk) => `${measure}|C|${wijk.key}|${i}`) });
    for (const entry of table.totals[i]?.channelCounts ?? []) groups.push({ total: `ch|T|${i}|${entry.channel}`, members: table.wijken.map((wijk) => `ch|C|${wijk.key}|${i}|${entry.channel}`) });
  }
  for (const wijk of table.wijken)
    table.windows.forEach((_, k) => {
      add(`res|R|${wijk.key}|${k}`, wijk.windows[k]?.reach.residents ?? 0, true);
    });

  const states = suppressComplementary(cells, groups);
  const stateOf = (key: string): CellState => states.get(key) ?? "shown";
  const apply = (row: EvaluationRow, part: string, monthly: boolean): EvaluationRow => {
    const rowStates: RowStates = {
      conversations: stateOf(`conv|${part}`),
      answered: monthly ? stateOf(`ans|${part}`) : "hidden",
      feedback: stateOf(`fb|${part}`),
      trust: stateOf(`tr|${part}`),
      residents: stateOf(`res|${part}`),
      repeatResidents: monthly ? stateOf(`rep|${part}`) : "hidden",
    };
    const channels = monthly ? row.channelCounts.map((entry) => ({ ...entry, state: stateOf(`ch|${part}|${entry.channel}`) })) : [];
    const hiddenChannels = channels.filter((entry) => entry.state !== "shown").reduce((sum, entry) => sum + entry.count, 0);
    const withheld = (summary: ScoreSummary, state: CellState): ScoreSummary => (state === "shown" ? summary : { ...summary, tooFew: true, average: null, highShare: null });
    return {
      ...row,
      feedback: withheld(row.feedback, rowStates.feedback),
      trust: withheld(row.trust, rowStates.trust),
      medianResponseHours: rowStates.answered === "small" ? null : row.medianResponseHours,
      residents: rowStates.residents === "shown" && row.reach.residents > 0 ? row.reach.residents : null,
      repeatResidents: rowStates.repeatResidents === "shown" && rowStates.residents === "shown" && row.reach.repeat > 0 ? row.reach.repeat : null,
      channels: channels
        .filter((entry) => entry.state === "shown" && entry.count > 0)
        .sort((a, b) => b.count - a.count || a.channel.localeCompare(b.channel))
        .map(({ channel, count }) => ({ channel, count })),
      // The hidden channels together are conversations minus the shown ones: given only when the conversations are.
      otherChannels: hiddenChannels === 0 ? 0 : rowStates.conversations === "shown" ? hiddenChannels : null,
      states: rowStates,
    };
  };
  return {
    windows: table.windows,
    totals: table.totals.map((row, i) => apply(row, `T|${i}`, true)),
    wijken: table.wijken.map((wijk) => ({
      key: wijk.key,
      monthly: wijk.monthly.map((row, i) => apply(row, `C|${wijk.key}|${i}`, true)),
      windows: wijk.windows.map((row, k) => apply(row, `R|${wijk.key}|${k}`, false)),
    })),
  };
}

/** Quotes a CSV field (RFC 4180, with ";" as separator), and defuses a leading = + - @ (spreadsheet formulas). */
function csvField(value: string | number | null): string {
  if (value === null) return "";
  // Dutch Excel reads "3,6" as a number and "3.6" as a date or text.
  const text = typeof value === "number" ? String(value).replace(".", ",") : value;
  const safe = /^[=+\-@]/.test(text) && typeof value === "string" ? `'${text}` : text;
  return /[";\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The CSV's columns, in Dutch; the separator ";" and decimal comma suit Excel in a Dutch locale. */
export const EVALUATION_CSV_HEADER = [
  "Wijk",
  "Periode",
  "Gesprekken",
  "Beantwoord",
  "Eerste reactie mediaan (werkuren)",
  "Gehoord: antwoorden",
  "Gehoord: gemiddeld (1-5)",
  "Gehoord: 4 of 5 (%)",
  "Vertrouwen: antwoorden",
  "Vertrouwen: gemiddeld (1-5)",
  "Vertrouwen: 4 of 5 (%)",
  "Bewoners",
  "Terugkerende bewoners",
  "Kanalen",
  "Niet getoond (privacy)",
];

/** What a hidden count reads in the CSV and on the page: small for its own sake, or hidden so that a small one cannot be worked out. */
export function formatProtectedCount(value: number, state: CellState): string {
  if (state === "small") return "minder dan 5";
  if (state === "hidden") return "verborgen";
  return String(value);
}

/**
 * The evaluation as CSV for a spreadsheet in a Dutch locale: UTF-8 with a byte order mark (so
 * that Excel reads ë and – right), ";" between fields, a decimal comma, CRLF line ends, shares as
 * whole percentages. One line per wijk (by its name) and period. Every figure column holds a number
 * or nothing, so that a spreadsheet can sum and chart it: a count the page suppresses is left empty
 * here, and the last column says which and why ("Gesprekken: minder dan 5", "Bewoners: verborgen"
 * for a second count hidden so that a small one cannot be worked out by subtraction). "Beantwoord"
 * is never shown beside a hidden number of conversations.
 */
export function evaluationCsv(rows: ReadonlyArray<{ wijk: string; row: EvaluationRow }>): string {
  const lines = rows.map(({ wijk, row }) => {
    const withheld: string[] = [];
    const count = (label: string, value: number, state: CellState): number | null => {
      if (value === 0 || state === "shown") return value;
      withheld.push(`${label}: ${formatProtectedCount(value, state)}`);
      return null;
    };
    const answeredState: CellState = row.states.conversations === "shown" || row.states.answered !== "shown" ? row.states.answered : "hidden";
    const percent = (share: number | null) => (share === null ? null : Math.round(share * 100));
    const residentsState: CellState = row.residents === null ? (row.states.residents === "shown" ? "hidden" : row.states.residents) : "shown";
    return [
      wijk,
      row.period.key,
      count("Gesprekken", row.conversations, row.states.conversations),
      count("Beantwoord", row.answered, answeredState),
      row.medianResponseHours,
      count("Gehoord", row.feedback.answers, row.states.feedback),
      row.feedback.average,
      percent(row.feedback.highShare),
      count("Vertrouwen", row.trust.answers, row.states.trust),
      row.trust.average,
      percent(row.trust.highShare),
      row.residents ?? count("Bewoners", row.reach.residents, residentsState),
      row.repeatResidents,
      [...row.channels.map((entry) => `${entry.channel}:${entry.count}`), ...(row.otherChannels ? [`andere:${row.otherChannels}`] : [])].join(" "),
      withheld.join(", "),
    ]
      .map(csvField)
      .join(";");
  });
  return `\uFEFF${[EVALUATION_CSV_HEADER.join(";"), ...lines].join("\r\n")}\r\n`;
}
