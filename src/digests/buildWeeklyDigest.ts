/**
 * Builds the weekly digest of a wethouder (or the gemeente overview for admins) from plain data:
 * a pure function, no database, no clock. See WeeklyDigestSchema for what comes out.
 *
 * How the figures are defined (also in the README):
 * - The week is the ISO week in the gemeente's time zone (Monday 00:00 to Monday 00:00 local).
 * - New conversations: created in the week, in one of the wijken. Themes count only the
 *   conversations that have one. Changes compare with the average of the previous four weeks;
 *   weeks before Wijklijn's first conversation do not count, and without such weeks there is no
 *   comparison.
 * - Escalations: conversations handed to staff (first change to "open") in the week, with their
 *   status at the end of the week, reconstructed from the status history. Figures are as of the
 *   end of the week (or as of `generatedAt` while the week is still going), so a digest built
 *   later shows the same numbers.
 * - First response time: for each conversation whose first staff reply fell in the week, the
 *   working hours (flows/settings.yaml office hours and holidays) from hand-over to that reply.
 *   Median (the mean of the two middle values for an even count) and 90th percentile by the
 *   nearest-rank method; "within target" is at most responseTargetWorkingHours.
 * - Waiting: conversations whose status at the end of the week is "open" (waiting for the
 *   gemeente), counted in working hours since they last became open.
 * - Quotes: the resident's longest typed message of a new conversation, pseudonymised by
 *   redactQuote; never from emergencies, crisis, privacy requests or greetings; one per theme,
 *   most frequent themes first, at most three.
 * - A wijk without a wethouder appears in no wethouder's digest (the loader does not give it);
 *   the gemeente overview lists it under `wijkenWithoutWethouder`.
 */
import { describeScores, summariseScores } from "../trust/pilotFigures.ts";
import type { Settings } from "../conversation/flowSchema.ts";
import { workingMillisBetween } from "../routing/officeHours.ts";
import { formatChange, formatDateTime, formatNumber, formatShare, formatWorkingHours, intentLabel, plural, themeLabel } from "./digestLabels.ts";
import { addIsoWeeks, describeIsoWeek, isoWeekBounds, isoWeekNumber } from "./isoWeek.ts";
import { quoteForDigest } from "./redactQuote.ts";
import type { BreakdownRow, ComparedCount, DigestDialoogtafel, DigestFigures, ResponseTimes, WaitingConversation, WeeklyDigest } from "./weeklyDigest.ts";

/** A wijk in the digest, with the display name of its wethouder (null: none). */
export interface DigestWijkInput {
  id: string;
  slug: string;
  name: string;
  wethouder: string | null;
}

/** One conversation with what the digest needs of it. */
export interface DigestConversationInput {
  id: string;
  reference: string;
  wijkId: string | null;
  intent: string | null;
  theme: string | null;
  emergency: string | null;
  /** The status now; used only when the conversation has no status history. */
  status: string;
  createdAt: Date;
  firstResponseAt: Date | null;
  /** The status history, any order. */
  statusChanges: Array<{ from: string | null; to: string; at: Date }>;
  /** The resident's own words (their longest typed message), unredacted: redacted here. */
  residentText: string | null;
}

/** New conversations of a wijk in an earlier week, per intent and theme. */
export interface DigestWeekCountInput {
  week: string;
  wijkId: string;
  intent: string | null;
  theme: string | null;
  count: number;
}

/** A news item of one of the wijken. */
export interface DigestNewsInput {
  wijkId: string;
  title: string;
  kind: string;
  publishedAt: Date;
}

/** A dialoogtafel of one of the wijken, with its sign-ups. */
export interface DigestDialoogtafelInput {
  wijkId: string;
  title: string;
  topic: string;
  location: string;
  startsAt: Date;
  status: string;
  capacity: number;
  registered: number;
  waitlist: number;
}

/** Everything buildWeeklyDigest needs: plain data, loaded by loadDigestData or written by a test. */
export interface WeeklyDigestData {
  audience: { kind: "wethouder"; name: string; email: string } | { kind: "gemeente" };
  gemeente: { name: string; timeZone: string };
  /** flows/settings.yaml: office hours, holidays and the response target. */
  settings: Settings;
  wijken: DigestWijkInput[];
  /** Conversations created in the week, plus earlier ones still relevant (answered or waiting in it). */
  conversations: DigestConversationInput[];
  /** Counts of new conversations in the five weeks before. */
  previousWeeks: DigestWeekCountInput[];
  /** The gemeente's first conversation ever: earlier weeks are no part of the comparison. */
  historyStartsAt: Date | null;
  news: DigestNewsInput[];
  dialoogtafels: DigestDialoogtafelInput[];
  /** When the digest is built: the figures of a week still going are up to this moment. */
  generatedAt: Date;
  /** "Voelde je je gehoord?" scores of the week and trust pulse scores of the 13 weeks before its end, in these wijken; absent: not available. */
  scores?: { feedback: Array<{ at: Date; score: number }>; trust: Array<{ at: Date; score: number }> };
}

/** How far back the digest's trust figure looks: a quarter, as often as a resident is asked. */
export const TRUST_WEEKS = 13;

const HOUR = 3_600_000;
const TREND_WEEKS = 6;
const COMPARISON_WEEKS = 4;
const MAX_WAITING_LISTED = 5;
const MAX_QUOTES = 3;
const QUOTE_EXCLUDED_INTENTS = new Set(["spoed", "crisis", "privacy", "groet"]);

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** What the digest derives per conversation, once. */
interface Derived {
  conversation: DigestConversationInput;
  wijk: DigestWijkInput;
  createdThisWeek: boolean;
  /** Handed to staff in the week. */
  escalatedThisWeek: boolean;
  statusAtEnd: string | null;
  /** Working hours to the first staff reply, when that reply fell in the week. */
  responseHours: number | null;
  /** Waiting for the gemeente at the end of the week: since when and for how long. */
  waiting: { since: Date; hours: number } | null;
}

/** The middle value; the mean of the two middle values for an even count. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? 0) + upper) / 2;
}

/** The nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

function compare(count: number, previous: number[] | null): ComparedCount {
  if (previous === null || previous.length === 0) return { count, previousAverage: null, change: null, changePercent: null };
  const average = previous.reduce((sum, value) => sum + value, 0) / previous.length;
  return {
    count,
    previousAverage: round(average, 2),
    change: round(count - average, 1),
    changePercent: average > 0 ? Math.round(((count - average) / average) * 100) : null,
  };
}

/**
 * Builds the digest of `week` (e.g. "2026-W48") from `data`. Throws a RangeError for a string
 * that is not an ISO week.
 */
export function buildWeeklyDigest(data: WeeklyDigestData, week: string): WeeklyDigest {
  const zone = data.gemeente.timeZone;
  const { start, end } = isoWeekBounds(week, zone);
  const asOf = data.generatedAt < end ? data.generatedAt : end;
  const target = data.settings.responseTargetWorkingHours;
  const workingHours = (from: Date, to: Date) => workingMillisBetween(from, to, data.settings, zone) / HOUR;

  const wijkById = new Map(data.wijken.map((wijk) => [wijk.id, wijk]));
  const trendWeeks = Array.from({ length: TREND_WEEKS }, (_, i) => addIsoWeeks(week, i - (TREND_WEEKS - 1)));
  const history = data.historyStartsAt;
  // Only weeks since Wijklijn's first conversation make a fair average.
  const comparisonWeeks = trendWeeks.slice(TREND_WEEKS - 1 - COMPARISON_WEEKS, TREND_WEEKS - 1).filter((w) => history !== null && isoWeekBounds(w, zone).end > history);

  const derived: Derived[] = [];
  for (const conversation of data.conversations) {
    const wijk = conversation.wijkId ? wijkById.get(conversation.wijkId) : undefined;
    if (!wijk || conversation.createdAt >= asOf) continue;
    const changes = conversation.statusChanges.filter((change) => change.at < asOf).sort((a, b) => a.at.getTime() - b.at.getTime());
    const last = changes[changes.length - 1];
    const statusAtEnd = last ? last.to : conversation.status;
    const handover = changes.find((change) => change.to === "open");
    const handoverAt = handover?.at ?? null;
    const first = conversation.firstResponseAt;
    const responseHours = first && first >= start && first < asOf ? workingHours(handoverAt && handoverAt <= first ? handoverAt : conversation.createdAt, first) : null;
    let waiting: Derived["waiting"] = null;
    if (statusAtEnd === "open") {
      const lastOpened = [...changes].reverse().find((change) => change.to === "open");
      const since = lastOpened?.at ?? conversation.createdAt;
      waiting = { since, hours: workingHours(since, asOf) };
    }
    derived.push({
      conversation,
      wijk,
      createdThisWeek: conversation.createdAt >= start && conversation.createdAt < end,
      escalatedThisWeek: handoverAt !== null && handoverAt >= start && handoverAt < asOf,
      statusAtEnd,
      responseHours,
      waiting,
    });
  }

  const figuresFor = (wijkIds: Set<string>): DigestFigures => {
    const mine = derived.filter((d) => wijkIds.has(d.wijk.id));
    const created = mine.filter((d) => d.createdThisWeek);
    const previous = data.previousWeeks.filter((row) => wijkIds.has(row.wijkId));
    const previousCounts = (match: (row: DigestWeekCountInput) => boolean): number[] | null =>
      comparisonWeeks.length === 0 ? null : comparisonWeeks.map((w) => previous.filter((row) => row.week === w && match(row)).reduce((sum, row) => sum + row.count, 0));

    const breakdown = (keyOf: (row: { intent: string | null; theme: string | null }) => string | null, labelOf: (key: string) => string): BreakdownRow[] => {
      const keys = new Set<string>();
      for (const d of created) {
        const key = keyOf(d.conversation);
        if (key) keys.add(key);
      }
      for (const row of previous) {
        const key = keyOf(row);
        if (key && comparisonWeeks.includes(row.week) && row.count > 0) keys.add(key);
      }
      return [...keys]
        .map((key) => ({
          key,
          label: labelOf(key),
          ...compare(
            created.filter((d) => keyOf(d.conversation) === key).length,
            previousCounts((row) => keyOf(row) === key),
          ),
        }))
        .sort((a, b) => b.count - a.count || (b.previousAverage ?? 0) - (a.previousAverage ?? 0) || a.label.localeCompare(b.label, "nl"));
    };
    const intentOf = (row: { intent: string | null }) => row.intent ?? "onbekend";

    const escalated = mine.filter((d) => d.escalatedThisWeek);
    const byStatus = { open: 0, waiting: 0, snoozed: 0, resolved: 0 };
    for (const d of escalated) {
      if (d.statusAtEnd === "open" || d.statusAtEnd === "waiting" || d.statusAtEnd === "snoozed" || d.statusAtEnd === "resolved") byStatus[d.statusAtEnd]++;
    }
    const hours = mine.flatMap((d) => (d.responseHours === null ? [] : [d.responseHours]));
    const withinTarget = hours.filter((h) => h <= target).length;
    const medianHours = median(hours);
    const p90Hours = percentile(hours, 90);
    const responseTimes: ResponseTimes = {
      answered: hours.length,
      medianWorkingHours: medianHours === null ? null : round(medianHours, 2),
      p90WorkingHours: p90Hours === null ? null : round(p90Hours, 2),
      withinTarget,
      withinTargetShare: hours.length === 0 ? null : round(withinTarget / hours.length, 4),
    };
    const waiting = mine.filter((d) => d.waiting !== null);

    return {
      newConversations: compare(
        created.length,
        previousCounts(() => true),
      ),
      meldingen: compare(
        created.filter((d) => d.conversation.intent === "melding").length,
        previousCounts((row) => row.intent === "melding"),
      ),
      ideeen: compare(
        created.filter((d) => d.conversation.intent === "idee").length,
        previousCounts((row) => row.intent === "idee"),
      ),
      emergencies: created.filter((d) => d.conversation.emergency !== null).length,
      byIntent: breakdown(intentOf, intentLabel),
      byTheme: breakdown((row) => row.theme, themeLabel),
      escalations: { count: escalated.length, byStatus },
      responseTimes,
      waiting: { count: waiting.length, overTarget: waiting.filter((d) => (d.waiting?.hours ?? 0) > target).length },
      trend: trendWeeks.map((w) => ({
        week: w,
        count: w === week ? created.length : previous.filter((row) => row.week === w).reduce((sum, row) => sum + row.count, 0),
      })),
    };
  };

  const allIds = new Set(data.wijken.map((wijk) => wijk.id));
  const total = figuresFor(allIds);
  const wijken = data.wijken.map((wijk) => ({ slug: wijk.slug, name: wijk.name, wethouder: wijk.wethouder, ...figuresFor(new Set([wijk.id])) }));

  const waitingLongest: WaitingConversation[] = derived
    .flatMap((d) =>
      d.waiting
        ? [
            {
              reference: d.conversation.reference,
              wijk: d.wijk.slug,
              wijkName: d.wijk.name,
              theme: d.conversation.theme,
              themeLabel: d.conversation.theme ? themeLabel(d.conversation.theme) : "Geen onderwerp",
              waitingSince: d.waiting.since.toISOString(),
              workingHoursWaited: round(d.waiting.hours, 2),
              overTarget: d.waiting.hours > target,
            },
          ]
        : [],
    )
    .sort((a, b) => b.workingHoursWaited - a.workingHoursWaited || a.waitingSince.localeCompare(b.waitingSince) || a.reference.localeCompare(b.reference))
    .slice(0, MAX_WAITING_LISTED);

  const toDialoogtafel = (tafel: DigestDialoogtafelInput): DigestDialoogtafel[] => {
    const wijk = wijkById.get(tafel.wijkId);
    if (!wijk) return [];
    return [
      {
        title: tafel.title,
        topic: tafel.topic,
        location: tafel.location,
        wijk: wijk.slug,
        wijkName: wijk.name,
        startsAt: tafel.startsAt.toISOString(),
        status: tafel.status,
        capacity: tafel.capacity,
        registered: tafel.registered,
        waitlist: tafel.waitlist,
      },
    ];
  };
  const comingUntil = isoWeekBounds(addIsoWeeks(week, COMPARISON_WEEKS), zone).end;
  const byStart = (a: DigestDialoogtafelInput, b: DigestDialoogtafelInput) => a.startsAt.getTime() - b.startsAt.getTime();
  const dialoogtafels = {
    held: data.dialoogtafels
      .filter((t) => t.startsAt >= start && t.startsAt < end && t.status !== "cancelled")
      .sort(byStart)
      .flatMap(toDialoogtafel),
    // Coming as the reader sees it: after the week and after the moment the digest is made (read or
    // sent), so a past week's digest never calls a dialoogtafel that has been held "komend".
    coming: data.dialoogtafels
      .filter((t) => t.startsAt >= end && t.startsAt >= data.generatedAt && t.startsAt < comingUntil && t.status === "planned")
      .sort(byStart)
      .flatMap(toDialoogtafel),
  };

  const news = data.news
    .filter((item) => item.publishedAt >= start && item.publishedAt < end && wijkById.has(item.wijkId))
    .sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime())
    .flatMap((item) => {
      const wijk = wijkById.get(item.wijkId);
      return wijk ? [{ title: item.title, kind: item.kind, wijk: wijk.slug, wijkName: wijk.name, publishedAt: item.publishedAt.toISOString() }] : [];
    });

  const quotes = pickQuotes(
    derived.filter((d) => d.createdThisWeek),
    total.byTheme.map((row) => row.key),
  );

  const digest: WeeklyDigest = {
    version: 1,
    week,
    weekNumber: isoWeekNumber(week),
    period: { start: start.toISOString(), end: end.toISOString(), label: describeIsoWeek(week) },
    timeZone: zone,
    generatedAt: data.generatedAt.toISOString(),
    complete: data.generatedAt >= end,
    audience: data.audience,
    gemeente: data.gemeente.name,
    target: { workingHours: target },
    highlights: [],
    total,
    wijken,
    waitingLongest,
    dialoogtafels,
    news,
    quotes,
    satisfaction: satisfactionOf(data, start, asOf),
    wijkenWithoutWethouder: data.audience.kind === "gemeente" ? data.wijken.filter((wijk) => wijk.wethouder === null).map((wijk) => ({ slug: wijk.slug, name: wijk.name })) : [],
  };
  digest.highlights = describeHighlights(digest);
  return digest;
}

function pickQuotes(created: Derived[], themesByCount: string[]): WeeklyDigest["quotes"] {
  const candidates = created
    .filter((d) => d.conversation.emergency === null && !QUOTE_EXCLUDED_INTENTS.has(d.conversation.intent ?? "onbekend") && d.conversation.residentText)
    .sort((a, b) => a.conversation.createdAt.getTime() - b.conversation.createdAt.getTime() || a.conversation.reference.localeCompare(b.conversation.reference))
    .flatMap((d) => {
      const text = quoteForDigest(d.conversation.residentText ?? "");
      return text ? [{ d, text }] : [];
    });
  const chosen: typeof candidates = [];
  // One per theme, the most frequent themes first; then whatever is left.
  for (const theme of themesByCount) {
    const candidate = candidates.find((c) => c.d.conversation.theme === theme && !chosen.includes(c));
    if (candidate && chosen.length < MAX_QUOTES) chosen.push(candidate);
  }
  for (const candidate of candidates) if (chosen.length < MAX_QUOTES && !chosen.includes(candidate)) chosen.push(candidate);
  return chosen.map(({ d, text }) => ({
    text,
    wijk: d.wijk.slug,
    wijkName: d.wijk.name,
    theme: d.conversation.theme,
    themeLabel: d.conversation.theme ? themeLabel(d.conversation.theme) : "Geen onderwerp",
  }));
}

/** The few sentences a bestuurder reads first: urgent things, then volume, then speed, then what comes. */
function describeHighlights(digest: WeeklyDigest): string[] {
  const total = digest.total;
  const target = formatWorkingHours(digest.target.workingHours);
  const lines: string[] = [];
  if (total.emergencies > 0) {
    lines.push(`${plural(total.emergencies, "gesprek", "gesprekken")} met een spoedsignaal (112 of 113): de bewoner kreeg meteen het noodnummer.`);
  }
  const overdue = digest.waitingLongest.filter((w) => w.overTarget);
  const longest = overdue[0];
  if (total.waiting.overTarget > 0 && longest) {
    lines.push(
      `${plural(total.waiting.overTarget, "gesprek wacht", "gesprekken wachten")} langer dan de servicenorm van ${target}; het langst ${longest.reference} (${longest.wijkName}, ${longest.themeLabel.toLowerCase()}): ${formatWorkingHours(longest.workingHoursWaited)}.`,
    );
  }
  const fresh = total.newConversations;
  if (fresh.count === 0) {
    lines.push(`Een rustige week: geen nieuwe gesprekken${digest.audience.kind === "wethouder" ? " in uw wijken" : ""}.`);
  } else {
    const change = formatChange(fresh);
    const average =
      fresh.previousAverage === null ? "" : ` (gemiddeld ${formatNumber(fresh.previousAverage)} in de vier weken ervoor${change && change !== "gelijk" && change !== "nieuw" ? `, ${change}` : ""})`;
    lines.push(`${plural(fresh.count, "nieuw gesprek", "nieuwe gesprekken")}${average}: ${plural(total.meldingen.count, "melding", "meldingen")}, ${plural(total.ideeen.count, "idee", "ideeën")}.`);
  }
  const topThemes = total.byTheme.filter((row) => row.count > 0).slice(0, 2);
  if (topThemes.length > 0) lines.push(`Meest genoemd: ${topThemes.map((row) => `${row.label.toLowerCase()} (${row.count})`).join(" en ")}.`);
  const rising = total.byTheme.filter((row) => row.count >= 3 && row.previousAverage !== null && row.count >= 2 * row.previousAverage && row.count - row.previousAverage >= 2)[0];
  if (rising) lines.push(`Opvallend meer over ${rising.label.toLowerCase()}: ${rising.count}, tegen gemiddeld ${formatNumber(rising.previousAverage ?? 0)}.`);
  const response = total.responseTimes;
  if (response.answered > 0 && response.medianWorkingHours !== null && response.p90WorkingHours !== null && response.withinTargetShare !== null) {
    // Its base is the first answers given this week, also to conversations handed over earlier: not "naar een medewerker".
    lines.push(
      `Eerste reactie van de gemeente, op ${plural(response.answered, "gesprek", "gesprekken")} met een eerste antwoord deze week (ook eerder doorgezette): de helft binnen ${formatWorkingHours(response.medianWorkingHours)}, 9 van de 10 binnen ${formatWorkingHours(response.p90WorkingHours)}; ${formatShare(response.withinTargetShare)} binnen de norm van ${target}.`,
    );
  }
  if (total.waiting.count === 0) lines.push("Niemand wacht op een reactie van de gemeente.");
  const next = digest.dialoogtafels.coming[0];
  if (next) {
    lines.push(
      `Eerstvolgende dialoogtafel (gezien vanaf ${formatDateTime(digest.generatedAt, digest.timeZone)}): ${next.title} (${next.wijkName}), ${formatDateTime(next.startsAt, digest.timeZone)}, ${next.registered} van ${next.capacity} plaatsen bezet.`,
    );
  }
  return lines;
}

/** The week's feedback and the quarter's trust, or "nog niet beschikbaar" without the data. */
function satisfactionOf(data: WeeklyDigestData, start: Date, asOf: Date): WeeklyDigest["satisfaction"] {
  if (!data.scores) return { available: false, text: "nog niet beschikbaar" };
  const trustFrom = new Date(asOf.getTime() - TRUST_WEEKS * 7 * 24 * HOUR);
  const feedback = summariseScores(data.scores.feedback.filter((s) => s.at >= start && s.at < asOf).map((s) => s.score));
  const trust = summariseScores(data.scores.trust.filter((s) => s.at >= trustFrom && s.at < asOf).map((s) => s.score));
  const heard = feedback.highShare === null ? "" : `, ${Math.round(feedback.highShare * 100)}% gaf een 4 of 5`;
  return {
    available: true,
    text: `gehoord gevoeld: ${describeScores(feedback)}${heard} deze week; vertrouwen in de gemeente: ${describeScores(trust)} in de laatste ${TRUST_WEEKS} weken`,
    feedback,
    trust,
  };
}
