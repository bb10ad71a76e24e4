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
import { SMALL_COUNT } from "../public/wijkFigures.ts";

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
    return {
      period,
      conversations: conversations.length,
      answered: hours.length,
      medianResponseHours: medianHours === null ? null : round(medianHours, 1),
      feedback: summariseScores(facts.feedback.filter((fact) => within(period, fact.at)).map((fact) => fact.score)),
      trust: summariseScores(facts.trust.filter((fact) => within(period, fact.at)).map((fact) => fact.score)),
      residents: residents >= SMALL_COUNT ? residents : null,
      // A repeat count is only given when both it and the others are not small (either would single someone out).
      repeatResidents: residents >= SMALL_COUNT && repeat >= SMALL_COUNT && residents - repeat >= SMALL_COUNT ? repeat : null,
      channels: shown.map(([channel, count]) => ({ channel, count })),
      // The hidden channels together, when that total gives none of them away.
      otherChannels: hidden === 0 ? 0 : hidden >= SMALL_COUNT ? hidden : null,
    };
  });
}

/** Quotes a CSV field (RFC 4180), and defuses a leading = + - @ (spreadsheet formulas). */
function csvField(value: string | number | null): string {
  if (value === null) return "";
  const text = String(value);
  const safe = /^[=+\-@]/.test(text) && typeof value === "string" ? `'${text}` : text;
  return /[",\n\r;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The evaluation as CSV: one line per wijk and period, the same suppression as the page (empty: too few to show). */
export function evaluationCsv(rows: ReadonlyArray<{ wijk: string; row: EvaluationRow }>): string {
  const header = [
    "wijk",
    "periode",
    "gesprekken",
    "beantwoord",
    "mediaan_eerste_reactie_werkuren",
    "gehoord_antwoorden",
    "gehoord_gemiddeld",
    "gehoord_aandeel_4_5",
    "vertrouwen_antwoorden",
    "vertrouwen_gemiddeld",
    "vertrouwen_aandeel_4_5",
    "bewoners",
    "terugkerende_bewoners",
    "kanalen",
  ];
  const answers = (summary: ScoreSummary) => (summary.answers === 0 ? 0 : summary.tooFew ? "minder dan 5" : summary.answers);
  // An export leaves the inbox: a count of 1 to 4 says only that it is small, as on the public pages.
  const small = (value: number) => (value > 0 && value < SMALL_COUNT ? "minder dan 5" : value);
  const lines = rows.map(({ wijk, row }) =>
    [
      wijk,
      row.period.key,
      small(row.conversations),
      small(row.answered),
      row.medianResponseHours,
      answers(row.feedback),
      row.feedback.average,
      row.feedback.highShare,
      answers(row.trust),
      row.trust.average,
      row.trust.highShare,
      row.residents,
      row.repeatResidents,
      row.channels.map((entry) => `${entry.channel}:${entry.count}`).join(" "),
    ]
      .map(csvField)
      .join(","),
  );
  return `${[header.join(","), ...lines].join("\r\n")}\r\n`;
}
