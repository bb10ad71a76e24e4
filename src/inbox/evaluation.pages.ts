/**
 * The pilot evaluation for the gemeente: /inbox/evaluatie shows per wijk and month the response
 * times, "Voelde je je gehoord?" scores, the trust pulse trend and the reach (residents, channels,
 * repeat residents), as charts (inline SVG drawn on the server: no JavaScript, nothing inline
 * for the CSP to refuse) with the same figures in tables; /inbox/evaluatie.csv exports them.
 * Figures over fewer than 5 answers or residents are not given, and a second figure is hidden
 * where a small one could be worked out by subtraction (src/trust/disclosureControl.ts). An
 * admin or wethouder sees every wijk, a gebiedsregisseur the wijken of their tandems.
 */
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { StaffPrincipalSchema } from "../api/auth.ts";
import type { Settings } from "../conversation/flowSchema.ts";
import type { Db } from "../db/client.ts";
import { listEvaluationConversations, listEvaluationWijken, listFeedbackScores, listTrustScoresOfWijken } from "../db/evaluation.repo.ts";
import { findDefaultGemeente } from "../db/gemeente.repo.ts";
import { labelChannel } from "../domain/vocabulary.ts";
import { html, type SafeHtml } from "../http/html.ts";
import type { CellState } from "../trust/disclosureControl.ts";
import { workingMillisBetween } from "../routing/officeHours.ts";
import {
  buildEvaluation,
  evaluationCsv,
  formatProtectedCount,
  protectEvaluation,
  type EvaluationConversationFact,
  type EvaluationRow,
  lastMonths,
  type Period,
  type ScoreSummary,
} from "../trust/pilotFigures.ts";
import { page, type PageUser } from "./layout.ts";

const PageLocalsSchema = z.object({ staff: StaffPrincipalSchema, staffName: z.string(), csrfToken: z.string() });

/** The periods one can choose, in months; the table is protected over the longest. */
const PERIOD_CHOICES = [3, 6, 12];
const LONGEST_PERIOD = 12;

const QuerySchema = z.object({
  wijk: z
    .string()
    .regex(/^[a-z0-9-]{0,80}$/)
    .optional()
    .catch(undefined),
  maanden: z.enum(["3", "6", "12"]).optional().catch(undefined),
});

/** What the pages need. */
export interface EvaluationPagesDeps {
  db: Db;
  settings: () => Settings;
  now?: () => Date;
}

/** A number as Dutch text with at most one decimal. */
function decimal(value: number): string {
  return value.toLocaleString("nl-NL", { maximumFractionDigits: 1 });
}

/** A count as it may be shown: "minder dan 5" from 1 to 4, "verborgen" when hidden so that a small one cannot be worked out. */
function count(value: number, state: CellState): string {
  return value === 0 ? "0" : formatProtectedCount(value, state);
}

function scoreText(summary: ScoreSummary, state: CellState): string {
  if (summary.answers === 0) return "–";
  if (state === "hidden") return "verborgen";
  if (summary.tooFew || summary.average === null) return "minder dan 5 antwoorden";
  return `${decimal(summary.average)} (${summary.answers})`;
}

function residentsText(row: EvaluationRow): string {
  if (row.residents !== null) return String(row.residents);
  if (row.reach.residents === 0) return "–";
  return row.states.residents === "small" ? "minder dan 5" : "verborgen";
}

/** How the page explains the hidden numbers (B1). */
const SUPPRESSION_NOTE = html`<p class="evaluation-note"><strong>Kleine aantallen verborgen.</strong> Een aantal van 1 tot 4 staat er als "minder dan 5", en een gemiddelde over minder dan 5 antwoorden staat er niet. Soms staat er bij een ander getal "verborgen". Dat doen we als je het kleine aantal anders zou kunnen uitrekenen, bijvoorbeeld het totaal min de andere wijken. Zo is niemand te herkennen.</p>`;

/**
 * A line chart of one figure per month, as inline SVG with a text alternative; months without a
 * figure (too few answers) are gaps, and a chart without any figure is a sentence saying so.
 */
export function lineChart(options: { title: string; periods: readonly Period[]; values: ReadonlyArray<number | null>; min: number; max: number; unit: string }): SafeHtml {
  // Without a single figure (a small wijk, or a new one) an empty frame would look broken: say why instead.
  if (!options.values.some((value) => value !== null)) {
    return html`<figure class="chart chart--empty">
<p class="chart-empty">Te weinig gegevens om te tonen. We laten een cijfer pas zien vanaf 5 antwoorden in een maand, zodat niemand te herkennen is.</p>
<figcaption>${options.title}</figcaption>
</figure>`;
  }
  // Drawn about as wide as a phone shows it, so that the labels stay readable there (13 units ≈ 11 px).
  const width = 420;
  const height = 190;
  const left = 40;
  const right = 28;
  const top = 12;
  const bottom = 32;
  const n = options.periods.length;
  const x = (i: number) => left + (n <= 1 ? (width - left - right) / 2 : (i * (width - left - right)) / (n - 1));
  const y = (value: number) => top + ((options.max - value) * (height - top - bottom)) / (options.max - options.min || 1);
  const segments: string[][] = [];
  let current: string[] = [];
  options.values.forEach((value, i) => {
    if (value === null) {
      if (current.length > 0) segments.push(current);
      current = [];
      return;
    }
    current.push(`${x(i).toFixed(1)},${y(value).toFixed(1)}`);
  });
  if (current.length > 0) segments.push(current);
  const described = options.periods.map((period, i) => {
    const value = options.values[i];
    return `${period.label}: ${value === null || value === undefined ? "te weinig gegevens" : `${decimal(value)} ${options.unit}`}`;
  });
  const ticks = [options.min, (options.min + options.max) / 2, options.max];
  return html`<figure class="chart">
<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${options.title}. ${described.join("; ")}" class="evaluation-chart">
<title>${options.title}</title>
${ticks.map((tick) => html`<line x1="${left}" x2="${width - right}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="#bbbbbb" stroke-width="1"></line><text x="${left - 6}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end" font-size="13" fill="#333333">${decimal(tick)}</text>`)}
${segments.map((points) => html`<polyline points="${points.join(" ")}" fill="none" stroke="#1d4f91" stroke-width="2.5"></polyline>`)}
${options.values.map((value, i) => (value === null ? "" : html`<circle cx="${x(i).toFixed(1)}" cy="${y(value).toFixed(1)}" r="4" fill="#1d4f91"></circle>`))}
${options.periods.map((period, i) =>
  // Over 6 months every other month is named (counted from the newest), so the labels never overlap.
  n > 6 && (n - 1 - i) % 2 === 1
    ? ""
    : html`<text x="${x(i).toFixed(1)}" y="${height - 10}" text-anchor="middle" font-size="13" fill="#333333">${period.label.slice(0, 3)} ${period.key.slice(2, 4)}</text>`,
)}
</svg>
<figcaption>${options.title}</figcaption>
</figure>`;
}

function monthTable(rows: readonly EvaluationRow[]): SafeHtml {
  return html`<div class="table-wrap evaluation-scroll" role="region" aria-label="Per maand (schuift opzij)" tabindex="0"><table class="evaluation-table">
<caption>Per maand</caption>
<thead><tr><th scope="col">Maand</th><th scope="col">Gesprekken</th><th scope="col">Eerste reactie (mediaan, werkuren)</th><th scope="col">Gehoord (gemiddeld, antwoorden)</th><th scope="col">Vertrouwen (gemiddeld, antwoorden)</th><th scope="col">Bewoners</th><th scope="col">Terugkerende bewoners</th><th scope="col">Kanalen</th></tr></thead>
<tbody>${rows.map(
    (row) =>
      html`<tr><th scope="row">${row.period.label}</th><td>${count(row.conversations, row.states.conversations)}</td><td>${row.medianResponseHours === null ? "–" : decimal(row.medianResponseHours)}</td><td>${scoreText(row.feedback, row.states.feedback)}</td><td>${scoreText(row.trust, row.states.trust)}</td><td>${residentsText(row)}</td><td>${row.repeatResidents === null ? "–" : String(row.repeatResidents)}</td><td>${channelsText(row)}</td></tr>`,
  )}</tbody>
</table></div>`;
}

function channelsText(row: EvaluationRow): string {
  const parts = row.channels.map((entry) => `${labelChannel(entry.channel)} ${entry.count}`);
  if (row.otherChannels) parts.push(`andere ${row.otherChannels}`);
  else if (row.otherChannels === null) parts.push("andere verborgen");
  return parts.length === 0 ? "–" : parts.join(", ");
}

function signedIn(res: Response): { staff: z.infer<typeof StaffPrincipalSchema>; user: PageUser } {
  const parsed = PageLocalsSchema.safeParse(res.locals);
  if (!parsed.success) throw new Error("evaluationPages: no signed-in staff user on this request; mount the pages behind loadStaffSession and requireSignedIn.");
  return { staff: parsed.data.staff, user: { name: parsed.data.staffName, role: parsed.data.staff.role, csrfToken: parsed.data.csrfToken } };
}

/** The CSV's name for the lines over every wijk the reader may see. */
const ALL_WIJKEN_LABEL = "Alle wijken samen";

/** The routes, to mount under the signed-in /inbox: GET /evaluatie and GET /evaluatie.csv. */
export function evaluationPages(deps: EvaluationPagesDeps): Router {
  const router = Router();

  /** The figures of the request: the chosen wijk (or all visible), per month and per wijk. */
  async function evaluate(req: Request, res: Response) {
    const { staff, user } = signedIn(res);
    const query = QuerySchema.parse(req.query);
    const gemeente = await findDefaultGemeente(deps.db);
    const zone = gemeente?.timeZone ?? "Europe/Amsterdam";
    const visible = await listEvaluationWijken(deps.db, staff);
    const chosen = query.wijk ? visible.filter((wijk) => wijk.slug === query.wijk) : visible;
    const months = Number(query.maanden ?? "6");
    // The figures are protected over the whole table this user can see (every visible wijk, the
    // longest period), and each view shows a part of it: so no two views can be laid over each other.
    const allPeriods = lastMonths(deps.now?.() ?? new Date(), zone, LONGEST_PERIOD);
    const from = allPeriods[0]?.start ?? new Date(0);
    const until = allPeriods[allPeriods.length - 1]?.end ?? new Date();
    const ids = visible.map((wijk) => wijk.id);
    const [rows, feedback, trust] = await Promise.all([
      listEvaluationConversations(deps.db, ids, from, until),
      listFeedbackScores(deps.db, ids, from, until),
      listTrustScoresOfWijken(deps.db, ids, from, until),
    ]);
    const settings = deps.settings();
    const conversations: EvaluationConversationFact[] = rows.map((row) => ({
      wijkId: row.wijkId,
      residentId: row.residentId,
      channel: row.channel,
      createdAt: row.createdAt,
      emergency: row.emergency,
      responseWorkingHours: row.firstResponseAt
        ? workingMillisBetween(row.handedOverAt && row.handedOverAt <= row.firstResponseAt ? row.handedOverAt : row.createdAt, row.firstResponseAt, settings, zone) / 3_600_000
        : null,
    }));
    const scores = (facts: typeof feedback) => facts.map((fact) => ({ wijkId: fact.wijkId, at: fact.scoredAt, score: fact.score }));
    const facts = { conversations, feedback: scores(feedback), trust: scores(trust) };
    const of = (wijkId: string) => ({
      conversations: facts.conversations.filter((fact) => fact.wijkId === wijkId),
      feedback: facts.feedback.filter((fact) => fact.wijkId === wijkId),
      trust: facts.trust.filter((fact) => fact.wijkId === wijkId),
    });
    const windows = PERIOD_CHOICES.map((length) => allPeriods.slice(-length));
    const whole = (periods: readonly Period[]): Period => ({
      key: `${periods[0]?.key ?? ""}/${periods[periods.length - 1]?.key ?? ""}`,
      label: `${periods[0]?.label ?? ""} – ${periods[periods.length - 1]?.label ?? ""}`,
      start: periods[0]?.start ?? from,
      end: periods[periods.length - 1]?.end ?? until,
    });
    const table = protectEvaluation({
      totals: buildEvaluation(allPeriods, facts),
      wijken: visible.map((wijk) => ({
        key: wijk.id,
        monthly: buildEvaluation(allPeriods, of(wijk.id)),
        windows: windows.map((window) => buildEvaluation([whole(window)], of(wijk.id))[0]).filter((row) => row !== undefined),
      })),
      windows: PERIOD_CHOICES.map((length) => allPeriods.map((_, i) => i).slice(-length)),
    });
    const windowIndex = Math.max(0, PERIOD_CHOICES.indexOf(months));
    const rowsOf = (wijkId: string) => table.wijken.find((entry) => entry.key === wijkId);
    const nothing = () => buildEvaluation(allPeriods, { conversations: [], feedback: [], trust: [] });
    const monthly = (query.wijk ? (rowsOf(chosen[0]?.id ?? "")?.monthly ?? nothing()) : table.totals).slice(-months);
    return {
      user,
      query,
      visible,
      /** A gebiedsregisseur sees their own tandem's wijken only. */
      ownWijkenOnly: staff.role === "gebiedsregisseur",
      chosen,
      months,
      periods: allPeriods.slice(-months),
      monthly,
      perWijk: chosen.map((wijk) => ({ wijk, row: rowsOf(wijk.id)?.windows[windowIndex], monthly: (rowsOf(wijk.id)?.monthly ?? []).slice(-months) })),
    };
  }

  router.get("/inbox/evaluatie.csv", async (req, res) => {
    const result = await evaluate(req, res);
    const rows = [
      ...result.monthly.map((row) => ({ wijk: result.query.wijk ? (result.chosen[0]?.name ?? "") : ALL_WIJKEN_LABEL, row })),
      ...(result.query.wijk ? [] : result.perWijk.flatMap((entry) => entry.monthly.map((row) => ({ wijk: entry.wijk.name, row })))),
    ];
    res.setHeader("Content-Type", "text/csv; charset=utf-8");
    res.setHeader("Content-Disposition", `attachment; filename="wijklijn-evaluatie-${result.query.wijk ?? "alle-wijken"}-${result.months}-maanden.csv"`);
    res.send(evaluationCsv(rows));
  });

  router.get("/inbox/evaluatie", async (req, res) => {
    const result = await evaluate(req, res);
    const q = new URLSearchParams({ ...(result.query.wijk ? { wijk: result.query.wijk } : {}), maanden: String(result.months) });
    const chosenName = result.query.wijk ? (result.chosen[0]?.name ?? "onbekende wijk") : !result.ownWijkenOnly ? "alle wijken" : `jouw wijken (${result.visible.map((wijk) => wijk.name).join(", ")})`;
    const body = html`<h1>Evaluatie van de pilot</h1>
<p>Per maand, voor ${chosenName}: hoe snel de gemeente antwoordde, of bewoners zich gehoord voelden, hoeveel vertrouwen ze hebben in de gemeente, en wie Wijklijn bereikt. Nooit per persoon: een cijfer over minder dan 5 antwoorden of bewoners staat er niet.</p>
<form method="get" action="/inbox/evaluatie" class="evaluation-filter">
<label for="evaluatie-wijk">Wijk</label>
<select id="evaluatie-wijk" name="wijk">
<option value="" ${result.query.wijk ? "" : html`selected`}>Alle wijken</option>
${result.visible.map((wijk) => html`<option value="${wijk.slug}" ${result.query.wijk === wijk.slug ? html`selected` : ""}>${wijk.name}</option>`)}
</select>
<label for="evaluatie-maanden">Periode</label>
<select id="evaluatie-maanden" name="maanden">
${["3", "6", "12"].map((m) => html`<option value="${m}" ${String(result.months) === m ? html`selected` : ""}>laatste ${m} maanden</option>`)}
</select>
<button type="submit">Toon</button>
</form>
${SUPPRESSION_NOTE}
<p><a href="/inbox/evaluatie.csv?${q.toString()}">Download als CSV</a> (per wijk en maand, dezelfde cijfers; voor Excel: puntkomma's en decimale komma's)</p>
<section aria-labelledby="vertrouwen"><h2 id="vertrouwen">Vertrouwen in de gemeente</h2>
${lineChart({ title: "Vertrouwen in de gemeente, gemiddeld (1 heel weinig – 5 heel veel)", periods: result.periods, values: result.monthly.map((row) => row.trust.average), min: 1, max: 5, unit: "van 5" })}
</section>
<section aria-labelledby="gehoord"><h2 id="gehoord">Voelden bewoners zich gehoord?</h2>
${lineChart({ title: "Gehoord, gemiddeld (1 helemaal niet – 5 helemaal wel)", periods: result.periods, values: result.monthly.map((row) => row.feedback.average), min: 1, max: 5, unit: "van 5" })}
</section>
<section aria-labelledby="reactie"><h2 id="reactie">Hoe snel antwoordde de gemeente?</h2>
${lineChart({
  title: "Eerste reactie, mediaan in werkuren",
  periods: result.periods,
  values: result.monthly.map((row) => row.medianResponseHours),
  min: 0,
  max: Math.max(8, ...result.monthly.map((row) => row.medianResponseHours ?? 0)),
  unit: "werkuren",
})}
</section>
<section aria-labelledby="maanden"><h2 id="maanden">Alle cijfers per maand</h2>${monthTable(result.monthly)}</section>
${
  result.query.wijk
    ? ""
    : html`<section aria-labelledby="wijken"><h2 id="wijken">Per wijk, over de hele periode</h2><div class="table-wrap evaluation-scroll" role="region" aria-label="Per wijk (schuift opzij)" tabindex="0"><table class="evaluation-table">
<thead><tr><th scope="col">Wijk</th><th scope="col">Gesprekken</th><th scope="col">Eerste reactie (mediaan, werkuren)</th><th scope="col">Gehoord</th><th scope="col">Vertrouwen</th><th scope="col">Bewoners</th></tr></thead>
<tbody>${result.perWijk.map(({ wijk, row }) =>
        row
          ? html`<tr><th scope="row"><a href="/inbox/evaluatie?wijk=${wijk.slug}&amp;maanden=${String(result.months)}">${wijk.name}</a></th><td>${count(row.conversations, row.states.conversations)}</td><td>${row.medianResponseHours === null ? "–" : decimal(row.medianResponseHours)}</td><td>${scoreText(row.feedback, row.states.feedback)}</td><td>${scoreText(row.trust, row.states.trust)}</td><td>${residentsText(row)}</td></tr>`
          : "",
      )}</tbody></table></div></section>`
}`;
    res.type("html").send(page({ title: "Evaluatie", user: result.user, current: "evaluation", body }));
  });
  return router;
}
