/**
 * Renders a weekly digest for a bestuurder: an HTML e-mail, a plain-text version, JSON, and a
 * short version for a chat app. Most important first; readable in five minutes.
 *
 * The HTML is built for e-mail clients, not browsers: table layout, inline styles only, no SVG,
 * no images, no web fonts, at most 640px wide (a "ghost table" keeps Outlook for Windows, which
 * ignores max-width, at 640px). Charts are HTML tables whose cells carry the bar as a background
 * colour (bgcolor plus background-color), which Outlook, Gmail and Apple Mail all show.
 */
import { html, type SafeHtml } from "../http/html.ts";
import { formatChange, formatDateTime, formatDay, formatNumber, formatShare, formatWorkingHours, plural, statusLabel } from "./digestLabels.ts";
import { isoWeekNumber } from "./isoWeek.ts";
import type { ComparedCount, DigestDialoogtafel, DigestFigures, WeeklyDigest } from "./weeklyDigest.ts";

/** A rendered digest. */
export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
  json: string;
}

/** Where the digest can be read online (the inbox archive); shown as a link when given. */
export interface RenderOptions {
  archiveUrl?: string;
}

const COLORS = {
  text: "#1d1d1b",
  muted: "#5a5f66",
  brand: "#14536b",
  bar: "#2b7a9b",
  barNow: "#14536b",
  barEmpty: "#e6eaee",
  alert: "#a3261d",
  alertBackground: "#fdecea",
  line: "#dde1e6",
  page: "#f2f4f6",
  card: "#ffffff",
} as const;
const FONT = "font-family:Arial,Helvetica,sans-serif;";

/** The subject line: the week and what matters most. */
export function digestSubject(digest: WeeklyDigest): string {
  const total = digest.total;
  const parts: string[] = [];
  if (total.emergencies > 0) parts.push(`${plural(total.emergencies, "spoedsignaal", "spoedsignalen")}`);
  if (total.newConversations.count === 0) parts.push("een rustige week");
  else parts.push(plural(total.newConversations.count, "nieuw gesprek", "nieuwe gesprekken"));
  if (total.waiting.overTarget > 0) parts.push(`${total.waiting.overTarget} ${total.waiting.overTarget === 1 ? "wacht" : "wachten"} te lang`);
  return `Wijklijn weekoverzicht week ${digest.weekNumber}: ${parts.join(", ")}`;
}

/** "Voor Wethouder C · Kerkakkers, Luchen, …": who the digest is for and which wijken. */
export function describeAudience(digest: WeeklyDigest): string {
  const names = digest.wijken.map((wijk) => wijk.name).join(", ");
  const who = digest.audience.kind === "wethouder" ? `Voor ${digest.audience.name}` : `Overzicht van de hele gemeente ${digest.gemeente}`;
  return names ? `${who} · ${names}` : `${who} · nog geen wijken`;
}

/** "+38% t.o.v. gemiddeld 6,5", "gelijk aan gemiddeld 4", or "" without history. */
export function describeChange(change: ComparedCount): string {
  const formatted = formatChange(change);
  if (!formatted || change.previousAverage === null) return "";
  return formatted === "gelijk" ? `gelijk aan gemiddeld ${formatNumber(change.previousAverage)}` : `${formatted} t.o.v. gemiddeld ${formatNumber(change.previousAverage)}`;
}

/** Median, 90th percentile and share within target, in one Dutch line. */
export function describeResponseTimes(figures: DigestFigures, target: number): string {
  const r = figures.responseTimes;
  if (r.answered === 0 || r.medianWorkingHours === null || r.p90WorkingHours === null || r.withinTargetShare === null) return "geen eerste reacties deze week";
  return `mediaan ${formatWorkingHours(r.medianWorkingHours)} · 90% binnen ${formatWorkingHours(r.p90WorkingHours)} · ${formatShare(r.withinTargetShare)} binnen de norm van ${formatWorkingHours(target)} (${r.withinTarget} van de ${r.answered} met een eerste antwoord deze week)`;
}

/** "7 (3 wacht op de gemeente, 2 afgehandeld)": hand-overs to staff by status at the end of the week. */
export function describeEscalations(figures: DigestFigures): string {
  const e = figures.escalations;
  if (e.count === 0) return "geen";
  const parts = (["open", "waiting", "snoozed", "resolved"] as const).filter((status) => e.byStatus[status] > 0).map((status) => `${e.byStatus[status]} ${statusLabel(status)}`);
  return `${e.count} (${parts.join(", ")})`;
}

/** A dialoogtafel with place, time and sign-ups, in one Dutch line. */
export function describeDialoogtafel(tafel: DigestDialoogtafel, zone: string): string {
  const waitlist = tafel.waitlist > 0 ? `, ${tafel.waitlist} op de wachtlijst` : "";
  return `${tafel.title} (${tafel.wijkName}), ${formatDateTime(tafel.startsAt, zone)}, ${tafel.location}: ${tafel.registered} van ${tafel.capacity} aangemeld${waitlist}`;
}

/** What "komt nog" is counted from: the moment the digest was made, not the end of its week. */
export function comingNote(digest: WeeklyDigest): string {
  return `Komt nog: vanaf ${formatDateTime(digest.generatedAt, digest.timeZone)}, toen dit overzicht gemaakt is.`;
}

/** How the figures are counted, for readers (the footer of every digest). */
export const DIGEST_EXPLANATION = [
  "Werkuren tellen alleen de openingstijden van de gemeente (geen avonden, weekenden of feestdagen).",
  'Eerste reactie: van het moment dat de bot het gesprek aan een medewerker gaf tot het eerste antwoord van die medewerker, voor alle eerste antwoorden in deze week, ook op gesprekken die eerder zijn doorgezet. "Deze week doorgezet" telt alleen gesprekken die in deze week naar een medewerker gingen.',
  "Mediaan: de helft kreeg sneller antwoord. 90%: 9 van de 10 kregen binnen die tijd antwoord.",
  "Vergelijkingen gaan tegen het gemiddelde van de vier weken ervoor. Citaten zijn ontdaan van namen, adressen en nummers.",
];

// ---------------------------------------------------------------------------------------------
// Plain text

function textBar(count: number, max: number): string {
  const width = max === 0 ? 0 : Math.round((count / max) * 20);
  return "■".repeat(count > 0 ? Math.max(1, width) : 0);
}

/** The plain-text version: the same content and order as the HTML. */
export function renderDigestText(digest: WeeklyDigest, options: RenderOptions = {}): string {
  const zone = digest.timeZone;
  const total = digest.total;
  const lines: string[] = [];
  const heading = (title: string) => lines.push("", title.toUpperCase(), "-".repeat(title.length));
  lines.push(`WIJKLIJN · WEEKOVERZICHT WEEK ${digest.weekNumber}`, `${digest.period.label}`, describeAudience(digest));
  if (!digest.complete) lines.push("Let op: deze week is nog niet voorbij; de cijfers gaan tot nu.");

  heading("In het kort");
  for (const line of digest.highlights) lines.push(`- ${line}`);

  heading("Kerncijfers");
  const row = (label: string, value: string) => lines.push(`${label.padEnd(22)} ${value}`);
  const nieuw = describeChange(total.newConversations);
  row("Nieuwe gesprekken", `${total.newConversations.count}${nieuw ? ` (${nieuw})` : ""}`);
  row("Meldingen", String(total.meldingen.count));
  row("Ideeën", String(total.ideeen.count));
  row("Deze week doorgezet", describeEscalations(total));
  row("Eerste reactie", describeResponseTimes(total, digest.target.workingHours));
  row("Wachten op de gemeente", `${total.waiting.count}, waarvan ${total.waiting.overTarget} boven de norm`);

  heading("Wacht het langst");
  if (digest.waitingLongest.length === 0) lines.push("Niemand wacht op een reactie van de gemeente.");
  for (const w of digest.waitingLongest) {
    lines.push(`${w.reference}  ${w.wijkName}, ${w.themeLabel.toLowerCase()}: ${formatWorkingHours(w.workingHoursWaited)}${w.overTarget ? " (boven de norm)" : ""}`);
  }

  heading("Onderwerpen per wijk");
  const themeMax = Math.max(0, ...digest.wijken.flatMap((wijk) => wijk.byTheme.map((t) => t.count)));
  for (const wijk of digest.wijken) {
    lines.push(`${wijk.name}`);
    const themes = wijk.byTheme.filter((t) => t.count > 0);
    if (themes.length === 0) lines.push("  geen nieuwe gesprekken met een onderwerp");
    const max = themeMax;
    for (const t of themes) lines.push(`  ${t.label.padEnd(20)} ${textBar(t.count, max)} ${t.count}`);
  }

  heading("Nieuwe gesprekken per week");
  const trendMax = Math.max(0, ...total.trend.map((t) => t.count));
  for (const t of total.trend) lines.push(`  week ${String(isoWeekNumber(t.week)).padStart(2)}  ${textBar(t.count, trendMax)} ${t.count}${t.week === digest.week ? "  (deze week)" : ""}`);

  heading("Per wijk");
  for (const wijk of digest.wijken) {
    const change = describeChange(wijk.newConversations);
    lines.push(`${wijk.name}: ${plural(wijk.newConversations.count, "nieuw gesprek", "nieuwe gesprekken")}${change ? ` (${change})` : ""}`);
    lines.push(`  meldingen ${wijk.meldingen.count}, ideeën ${wijk.ideeen.count}, naar een medewerker ${describeEscalations(wijk)}`);
    lines.push(`  eerste reactie: ${describeResponseTimes(wijk, digest.target.workingHours)}`);
    lines.push(`  wachten op de gemeente: ${wijk.waiting.count}, waarvan ${wijk.waiting.overTarget} boven de norm`);
    lines.push(`  zes weken: ${wijk.trend.map((t) => t.count).join(" · ")}`);
  }
  if (digest.wijkenWithoutWethouder.length > 0) lines.push(`Zonder wethouder: ${digest.wijkenWithoutWethouder.map((w) => w.name).join(", ")}.`);

  heading("Dialoogtafels");
  if (digest.dialoogtafels.held.length === 0 && digest.dialoogtafels.coming.length === 0) lines.push("Geen dialoogtafels deze week of de vier weken erna.");
  for (const t of digest.dialoogtafels.held) lines.push(`Gehouden: ${describeDialoogtafel(t, zone)}`);
  for (const t of digest.dialoogtafels.coming) lines.push(`Komt nog: ${describeDialoogtafel(t, zone)}`);
  if (digest.dialoogtafels.coming.length > 0) lines.push(comingNote(digest));

  heading("Wijknieuws gepubliceerd");
  if (digest.news.length === 0) lines.push("Geen nieuwe berichten deze week.");
  for (const n of digest.news) lines.push(`${formatDay(n.publishedAt, zone)}, ${n.wijkName}: ${n.title}`);

  heading("Wat bewoners zeggen");
  if (digest.quotes.length === 0) lines.push("Geen citaten deze week.");
  for (const q of digest.quotes) lines.push(`"${q.text}" (${q.wijkName}, ${q.themeLabel.toLowerCase()})`);

  heading("Tevredenheid en vertrouwen");
  lines.push(`${digest.satisfaction.text[0]?.toUpperCase() ?? ""}${digest.satisfaction.text.slice(1)}${digest.satisfaction.available ? "." : ": bewoners worden hier nog niet naar gevraagd."}`);

  heading("Uitleg");
  for (const line of DIGEST_EXPLANATION) lines.push(line);
  if (options.archiveUrl) lines.push("", `Online lezen: ${options.archiveUrl}`);
  lines.push("", `Wijklijn, ${digest.gemeente}. Gemaakt op ${formatDateTime(digest.generatedAt, zone)}.`);
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// HTML e-mail

const cell = (style: string) => `${FONT}color:${COLORS.text};font-size:15px;line-height:1.45;${style}`;

function section(title: string, body: SafeHtml): SafeHtml {
  return html`<tr><td style="${cell(`padding:20px 24px 4px 24px;border-top:1px solid ${COLORS.line};`)}">
<h2 style="${FONT}margin:0 0 10px 0;font-size:18px;line-height:1.3;color:${COLORS.brand};">${title}</h2>
${body}
</td></tr>`;
}

/** A horizontal bar as a table cell: the bar is the cell's background colour. */
function bar(count: number, max: number, color: string): SafeHtml {
  const percent = max === 0 || count === 0 ? 0 : Math.max(2, Math.round((count / max) * 100));
  const filled = percent > 0 ? html`<td width="${percent}%" height="14" bgcolor="${color}" style="width:${percent}%;height:14px;background-color:${color};font-size:0;line-height:0;">&nbsp;</td>` : "";
  const rest =
    percent < 100
      ? html`<td width="${100 - percent}%" height="14" bgcolor="${COLORS.barEmpty}" style="width:${100 - percent}%;height:14px;background-color:${COLORS.barEmpty};font-size:0;line-height:0;">&nbsp;</td>`
      : "";
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;"><tr>${filled}${rest}</tr></table>`;
}

/** A bar chart: one row per item, label | bar | number. */
function barChart(rows: Array<{ label: string; count: number; emphasis?: boolean }>, scale?: number): SafeHtml {
  const max = scale ?? Math.max(0, ...rows.map((r) => r.count));
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">
${rows.map(
  (r) => html`<tr>
<td width="140" style="${cell(`width:140px;padding:3px 10px 3px 0;font-size:14px;${r.emphasis ? "font-weight:bold;" : ""}`)}">${r.label}</td>
<td style="padding:3px 0;">${bar(r.count, max, r.emphasis ? COLORS.barNow : COLORS.bar)}</td>
<td width="36" align="right" style="${cell(`width:36px;padding:3px 0 3px 10px;font-size:14px;${r.emphasis ? "font-weight:bold;" : ""}`)}">${r.count}</td>
</tr>`,
)}
</table>`;
}

function keyFigure(value: string, label: string, note: string): SafeHtml {
  return html`<td width="50%" valign="top" style="${cell("width:50%;padding:8px 6px;")}">
<div style="${FONT}font-size:26px;line-height:1.1;font-weight:bold;color:${COLORS.brand};">${value}</div>
<div style="${FONT}font-size:13px;line-height:1.3;color:${COLORS.text};">${label}</div>
<div style="${FONT}font-size:12px;line-height:1.3;color:${COLORS.muted};">${note}</div>
</td>`;
}

function dataTable(headers: string[], rows: Array<Array<string | SafeHtml>>, alertRows: boolean[] = []): SafeHtml {
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">
<tr>${headers.map((h) => html`<th align="left" style="${cell(`padding:4px 8px 4px 0;font-size:13px;color:${COLORS.muted};border-bottom:1px solid ${COLORS.line};`)}">${h}</th>`)}</tr>
${rows.map(
  (row, i) =>
    html`<tr${alertRows[i] ? html` bgcolor="${COLORS.alertBackground}" style="background-color:${COLORS.alertBackground};"` : ""}>${row.map(
      (value) => html`<td style="${cell(`padding:4px 8px 4px 0;font-size:14px;border-bottom:1px solid ${COLORS.line};${alertRows[i] ? `color:${COLORS.alert};` : ""}`)}">${value}</td>`,
    )}</tr>`,
)}
</table>`;
}

function paragraph(text: string | SafeHtml, style = ""): SafeHtml {
  return html`<p style="${cell(`margin:0 0 8px 0;${style}`)}">${text}</p>`;
}

/** The body of the HTML e-mail (inside the 640px card), also usable on its own. */
function renderDigestCard(digest: WeeklyDigest, options: RenderOptions): SafeHtml {
  const zone = digest.timeZone;
  const total = digest.total;
  const response = total.responseTimes;
  const nieuwChange = formatChange(total.newConversations);
  const withMarkers = html`${digest.highlights.map((line) => html`<li style="${cell("margin:0 0 6px 0;")}">${line}</li>`)}`;

  const waiting =
    digest.waitingLongest.length === 0
      ? paragraph("Niemand wacht op een reactie van de gemeente.")
      : dataTable(
          ["Gesprek", "Wijk", "Onderwerp", "Gewacht"],
          digest.waitingLongest.map((w) => [w.reference, w.wijkName, w.themeLabel, `${formatWorkingHours(w.workingHoursWaited)}${w.overTarget ? " (boven de norm)" : ""}`]),
          digest.waitingLongest.map((w) => w.overTarget),
        );

  // One scale for every wijk, so that equal bars mean equal numbers across wijken.
  const themeMax = Math.max(0, ...digest.wijken.flatMap((wijk) => wijk.byTheme.map((t) => t.count)));
  const themes = html`${digest.wijken.map((wijk) => {
    const rows = wijk.byTheme.filter((t) => t.count > 0).map((t) => ({ label: t.label, count: t.count }));
    return html`<h3 style="${FONT}margin:10px 0 4px 0;font-size:15px;color:${COLORS.text};">${wijk.name} <span style="font-weight:normal;color:${COLORS.muted};">(${plural(wijk.newConversations.count, "gesprek", "gesprekken")})</span></h3>
${rows.length === 0 ? paragraph("Geen nieuwe gesprekken met een onderwerp.", `color:${COLORS.muted};font-size:14px;`) : barChart(rows, themeMax)}`;
  })}`;

  const trend = barChart(
    total.trend.map((t) => ({ label: t.week === digest.week ? `week ${isoWeekNumber(t.week)} (deze week)` : `week ${isoWeekNumber(t.week)}`, count: t.count, emphasis: t.week === digest.week })),
  );

  // Per wijk as short blocks rather than a wide table: they wrap on a phone.
  const perWijk = html`${digest.wijken.map((wijk) => {
    const change = describeChange(wijk.newConversations);
    const over = wijk.waiting.overTarget > 0;
    return html`<p style="${cell("margin:0 0 10px 0;font-size:14px;")}"><strong>${wijk.name}</strong>${wijk.wethouder === null ? " (geen wethouder)" : ""}<br>
${plural(wijk.newConversations.count, "nieuw gesprek", "nieuwe gesprekken")}${change ? ` (${change})` : ""} · ${plural(wijk.meldingen.count, "melding", "meldingen")}, ${plural(wijk.ideeen.count, "idee", "ideeën")} · ${wijk.escalations.count} naar een medewerker<br>
eerste reactie: ${wijk.responseTimes.medianWorkingHours === null ? "geen deze week" : `mediaan ${formatWorkingHours(wijk.responseTimes.medianWorkingHours)}`} · <span style="${over ? `color:${COLORS.alert};font-weight:bold;` : ""}">${wijk.waiting.count} ${wijk.waiting.count === 1 ? "wacht" : "wachten"} op de gemeente${over ? `, ${wijk.waiting.overTarget} te lang` : ""}</span></p>`;
  })}`;

  const tafels = [...digest.dialoogtafels.held.map((t) => ({ t, when: "Gehouden" })), ...digest.dialoogtafels.coming.map((t) => ({ t, when: "Komt nog" }))];
  const dialoogtafels =
    tafels.length === 0
      ? paragraph("Geen dialoogtafels deze week of de vier weken erna.")
      : html`<ul style="margin:0 0 8px 0;padding:0 0 0 20px;">${tafels.map(
          ({ t, when }) =>
            html`<li style="${cell("margin:0 0 6px 0;")}"><strong>${when}:</strong> ${t.title} (${t.wijkName})<br><span style="color:${COLORS.muted};font-size:14px;">${formatDateTime(t.startsAt, zone)}, ${t.location} · ${t.registered} van ${t.capacity} aangemeld${t.waitlist > 0 ? `, ${t.waitlist} op de wachtlijst` : ""}</span></li>`,
        )}</ul>${digest.dialoogtafels.coming.length > 0 ? paragraph(comingNote(digest)) : ""}`;

  const news =
    digest.news.length === 0
      ? paragraph("Geen nieuwe berichten deze week.")
      : html`<ul style="margin:0 0 8px 0;padding:0 0 0 20px;">${digest.news.map((n) => html`<li style="${cell("margin:0 0 4px 0;")}">${n.title} <span style="color:${COLORS.muted};">(${n.wijkName}, ${formatDay(n.publishedAt, zone)})</span></li>`)}</ul>`;

  const quotes =
    digest.quotes.length === 0
      ? paragraph("Geen citaten deze week.")
      : html`${digest.quotes.map(
          (q) => html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;margin:0 0 8px 0;"><tr>
<td width="4" bgcolor="${COLORS.bar}" style="width:4px;background-color:${COLORS.bar};font-size:0;line-height:0;">&nbsp;</td>
<td style="${cell("padding:4px 0 4px 12px;font-style:italic;")}">“${q.text}”<br><span style="font-style:normal;font-size:13px;color:${COLORS.muted};">${q.wijkName}, ${q.themeLabel.toLowerCase()}</span></td>
</tr></table>`,
        )}`;

  return html`<tr><td bgcolor="${COLORS.brand}" style="${cell(`padding:20px 24px;background-color:${COLORS.brand};color:#ffffff;`)}">
<div style="${FONT}font-size:13px;letter-spacing:0.5px;color:#d6e6ed;">WIJKLIJN · WEEKOVERZICHT</div>
<h1 style="${FONT}margin:4px 0 2px 0;font-size:24px;line-height:1.25;color:#ffffff;">Week ${digest.weekNumber} · ${digest.period.label}</h1>
<div style="${FONT}font-size:14px;color:#e8f1f5;">${describeAudience(digest)}</div>
${digest.complete ? "" : html`<div style="${FONT}font-size:13px;color:#ffe9a8;margin-top:6px;">Deze week is nog niet voorbij: de cijfers gaan tot nu.</div>`}
</td></tr>
${section("In het kort", html`<ul style="margin:0 0 8px 0;padding:0 0 0 20px;">${withMarkers}</ul>`)}
${section(
  "Kerncijfers",
  html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;"><tr>
${keyFigure(String(total.newConversations.count), "nieuwe gesprekken", nieuwChange ? `${nieuwChange} t.o.v. de vier weken ervoor` : "nog geen vergelijking")}
${keyFigure(String(total.escalations.count), "naar een medewerker", `${total.meldingen.count} meldingen, ${total.ideeen.count} ideeën`)}
</tr><tr>
${keyFigure(response.medianWorkingHours === null ? "–" : formatNumber(response.medianWorkingHours), "werkuren tot eerste reactie (mediaan)", response.p90WorkingHours === null ? "geen reacties deze week" : `90% binnen ${formatWorkingHours(response.p90WorkingHours)}`)}
${keyFigure(response.withinTargetShare === null ? "–" : formatShare(response.withinTargetShare), `binnen de norm van ${formatWorkingHours(digest.target.workingHours)}`, `${total.waiting.count} wachten nu, ${total.waiting.overTarget} te lang`)}
</tr></table>`,
)}
${section("Wacht het langst", waiting)}
${section("Onderwerpen per wijk", themes)}
${section("Nieuwe gesprekken per week", trend)}
${section("Per wijk", html`${perWijk}${digest.wijkenWithoutWethouder.length > 0 ? paragraph(`Zonder wethouder: ${digest.wijkenWithoutWethouder.map((w) => w.name).join(", ")}.`, `color:${COLORS.alert};margin-top:8px;`) : ""}`)}
${section("Dialoogtafels", dialoogtafels)}
${section("Wijknieuws gepubliceerd", news)}
${section("Wat bewoners zeggen", quotes)}
${section("Tevredenheid en vertrouwen", paragraph(`${digest.satisfaction.text[0]?.toUpperCase() ?? ""}${digest.satisfaction.text.slice(1)}${digest.satisfaction.available ? "." : ": bewoners worden hier nog niet naar gevraagd."}`))}
${section("Uitleg", html`${DIGEST_EXPLANATION.map((line) => paragraph(line, `font-size:13px;color:${COLORS.muted};`))}`)}
<tr><td style="${cell(`padding:16px 24px 24px 24px;border-top:1px solid ${COLORS.line};font-size:13px;color:${COLORS.muted};`)}">
${options.archiveUrl ? html`<p style="${cell("margin:0 0 8px 0;font-size:14px;")}"><a href="${options.archiveUrl}" style="color:${COLORS.brand};font-weight:bold;">Lees dit overzicht online in de inbox</a></p>` : ""}
Wijklijn, ${digest.gemeente}. Gemaakt op ${formatDateTime(digest.generatedAt, zone)}.
</td></tr>`;
}

/** The HTML e-mail: a complete document with inline styles. */
export function renderDigestHtml(digest: WeeklyDigest, options: RenderOptions = {}): string {
  const preheader = digest.highlights[0] ?? "";
  return `<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>${html`${digestSubject(digest)}`}</title>
</head>
<body style="margin:0;padding:0;background-color:${COLORS.page};">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${html`${preheader}`}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="${COLORS.page}" style="background-color:${COLORS.page};border-collapse:collapse;">
<tr><td align="center" style="padding:16px 8px;">
<!--[if mso]><table role="presentation" width="640" align="center" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="${COLORS.card}" style="width:100%;max-width:640px;background-color:${COLORS.card};border-collapse:collapse;">
${renderDigestCard(digest, options)}
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr>
</table>
</body>
</html>
`;
}

/** The short version for a chat app: the main points and a link to the whole digest. */
export function renderDigestShort(digest: WeeklyDigest, archiveUrl: string): string {
  const total = digest.total;
  const lines = [`Wijklijn weekoverzicht week ${digest.weekNumber} (${digest.period.label})`, ""];
  for (const line of digest.highlights.slice(0, 4)) lines.push(`• ${line}`);
  if (total.newConversations.count > 0 && total.escalations.count > 0) lines.push(`• ${total.escalations.count} naar een medewerker, ${total.waiting.count} wachten nu op de gemeente.`);
  lines.push("", `Het hele overzicht: ${archiveUrl}`);
  return lines.join("\n");
}

/** Renders the digest as subject, plain text, HTML e-mail and JSON. */
export function renderDigest(digest: WeeklyDigest, options: RenderOptions = {}): RenderedDigest {
  return {
    subject: digestSubject(digest),
    text: renderDigestText(digest, options),
    html: renderDigestHtml(digest, options),
    json: `${JSON.stringify(digest, null, 2)}\n`,
  };
}
