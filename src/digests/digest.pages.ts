/**
 * The digest archive in the inbox: /inbox/digests lists the weeks (sent, failed, not yet sent),
 * /inbox/digests/<week> shows one digest as it was sent (or as it would look now). A wethouder
 * sees their own; an admin picks a wethouder, or reads the overview of the whole gemeente; a
 * gebiedsregisseur is told the archive is not for them.
 *
 * The pages use plain semantic HTML without inline styles (the inbox may run under a strict
 * Content-Security-Policy); bars are <meter> elements, which browsers draw without CSS.
 */
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { StaffPrincipalSchema } from "../api/auth.ts";
import type { Settings } from "../conversation/flowSchema.ts";
import type { Db } from "../db/client.ts";
import { listDigestRuns, listWethouders } from "../db/digest.repo.ts";
import { html, type SafeHtml } from "../http/html.ts";
import { page, type PageUser } from "../inbox/layout.ts";
import { resolveDigestAccess } from "./digestAccess.ts";
import { formatChange, formatDateTime, formatDay, formatWorkingHours, plural } from "./digestLabels.ts";
import { loadDigestSettings } from "./digestSettings.ts";
import { getGemeenteDigest, getWethouderDigest, type ReadableDigest } from "./getDigest.ts";
import { addIsoWeeks, describeIsoWeek, isoWeekBounds, isoWeekNumber, isoWeekOf, parseIsoWeek } from "./isoWeek.ts";
import { DIGEST_EXPLANATION, comingNote, describeAudience, describeChange, describeDialoogtafel, describeEscalations, describeResponseTimes } from "./renderDigest.ts";
import type { WeeklyDigest } from "./weeklyDigest.ts";

/** One week in the archive list. */
export interface DigestArchiveEntry {
  week: string;
  /** sent: in the mailbox; failed: the last try failed (retried automatically); pending: being sent; none: not sent (yet). */
  status: "sent" | "failed" | "pending" | "none";
  sentAt: Date | null;
}

/** How many weeks the archive lists. */
const ARCHIVE_WEEKS = 12;

const STATUS_TEXT: Record<DigestArchiveEntry["status"], string> = {
  sent: "verstuurd",
  failed: "versturen mislukt, wordt opnieuw geprobeerd",
  pending: "wordt verstuurd",
  none: "niet verstuurd",
};

function weekHref(week: string, wethouderEmail: string | null): string {
  return `/inbox/digests/${week}${wethouderEmail ? `?wethouder=${encodeURIComponent(wethouderEmail)}` : ""}`;
}

/**
 * The archive page. `subject` is whose digests are listed (null: the gemeente overview, for
 * admins); `wethouders` fills the admin's chooser (empty for a wethouder: no chooser).
 */
export function renderDigestArchivePage(options: {
  user: PageUser;
  subject: { name: string; email: string } | null;
  entries: DigestArchiveEntry[];
  wethouders: Array<{ name: string; email: string }>;
  timeZone: string;
}): string {
  const { subject, entries } = options;
  const chooser =
    options.wethouders.length > 0
      ? html`<form method="get" action="/inbox/digests" class="digest-chooser">
<label for="digest-wethouder">Wethouder</label>
<select id="digest-wethouder" name="wethouder">
<option value="" ${subject === null ? html`selected` : ""}>Hele gemeente (alle wijken)</option>
${options.wethouders.map((w) => html`<option value="${w.email}" ${subject?.email === w.email ? html`selected` : ""}>${w.name} (${w.email})</option>`)}
</select>
<button type="submit">Toon</button>
</form>`
      : "";
  const rows = entries.map(
    (entry) => html`<tr>
<th scope="row"><a href="${weekHref(entry.week, subject && options.wethouders.length > 0 ? subject.email : null)}">Week ${isoWeekNumber(entry.week)}</a></th>
<td>${describeIsoWeek(entry.week)}</td>
<td>${subject ? `${STATUS_TEXT[entry.status]}${entry.sentAt ? ` op ${formatDateTime(entry.sentAt.toISOString(), options.timeZone)}` : ""}` : "overzicht, niet verstuurd"}</td>
</tr>`,
  );
  const body = html`<h1>Weekoverzichten</h1>
<p>${subject ? html`Elke maandag om 8.00 uur krijgt ${subject.name} (${subject.email}) het overzicht van de week ervoor per e-mail. Hier staan ze terug.` : "Het overzicht van alle wijken van de gemeente, ook wijken zonder wethouder. Dit overzicht wordt niet gemaild."}</p>
${chooser}
<table>
<caption>De laatste ${ARCHIVE_WEEKS} weken</caption>
<thead><tr><th scope="col">Week</th><th scope="col">Periode</th><th scope="col">Status</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
  return page({ title: "Weekoverzichten", user: options.user, current: "digests", body });
}

function meterRow(label: string, count: number, max: number, emphasis = false): SafeHtml {
  return html`<tr><th scope="row">${emphasis ? html`<strong>${label}</strong>` : label}</th><td><meter min="0" max="${Math.max(1, max)}" value="${count}">${count}</meter></td><td>${count}</td></tr>`;
}

function figuresList(digest: WeeklyDigest): SafeHtml {
  const total = digest.total;
  const change = describeChange(total.newConversations);
  return html`<dl>
<dt>Nieuwe gesprekken</dt><dd>${total.newConversations.count}${change ? ` (${change})` : ""}</dd>
<dt>Meldingen en ideeën</dt><dd>${plural(total.meldingen.count, "melding", "meldingen")}, ${plural(total.ideeen.count, "idee", "ideeën")}</dd>
<dt>Deze week doorgezet naar een medewerker</dt><dd>${describeEscalations(total)}</dd>
<dt>Eerste reactie</dt><dd>${describeResponseTimes(total, digest.target.workingHours)}</dd>
<dt>Wachten op de gemeente</dt><dd>${total.waiting.count}, waarvan ${total.waiting.overTarget} boven de norm van ${formatWorkingHours(digest.target.workingHours)}</dd>
</dl>`;
}

/** The body of one digest on a web page (shared by the page and anything that embeds it). */
export function renderDigestBody(digest: WeeklyDigest): SafeHtml {
  const zone = digest.timeZone;
  const trendMax = Math.max(0, ...digest.total.trend.map((t) => t.count));
  const tafels = [...digest.dialoogtafels.held.map((t) => ({ t, when: "Gehouden" })), ...digest.dialoogtafels.coming.map((t) => ({ t, when: "Komt nog" }))];
  return html`<section aria-labelledby="digest-kort"><h2 id="digest-kort">In het kort</h2>
<ul>${digest.highlights.map((line) => html`<li>${line}</li>`)}</ul></section>
<section aria-labelledby="digest-cijfers"><h2 id="digest-cijfers">Kerncijfers</h2>${figuresList(digest)}</section>
<section aria-labelledby="digest-wacht"><h2 id="digest-wacht">Wacht het langst</h2>
${
  digest.waitingLongest.length === 0
    ? html`<p>Niemand wacht op een reactie van de gemeente.</p>`
    : html`<table><thead><tr><th scope="col">Gesprek</th><th scope="col">Wijk</th><th scope="col">Onderwerp</th><th scope="col">Gewacht</th></tr></thead><tbody>
${digest.waitingLongest.map((w) => html`<tr><th scope="row">${w.reference}</th><td>${w.wijkName}</td><td>${w.themeLabel}</td><td>${formatWorkingHours(w.workingHoursWaited)}${w.overTarget ? html` <strong>(boven de norm)</strong>` : ""}</td></tr>`)}
</tbody></table>`
}</section>
<section aria-labelledby="digest-themas"><h2 id="digest-themas">Onderwerpen per wijk</h2>
${digest.wijken.map((wijk) => {
  const themes = wijk.byTheme.filter((t) => t.count > 0);
  const max = Math.max(0, ...themes.map((t) => t.count));
  return html`<h3>${wijk.name} (${plural(wijk.newConversations.count, "gesprek", "gesprekken")})</h3>
${themes.length === 0 ? html`<p>Geen nieuwe gesprekken met een onderwerp.</p>` : html`<table><thead><tr><th scope="col">Onderwerp</th><th scope="col">Aandeel</th><th scope="col">Aantal</th></tr></thead><tbody>${themes.map((t) => meterRow(t.label, t.count, max))}</tbody></table>`}`;
})}</section>
<section aria-labelledby="digest-trend"><h2 id="digest-trend">Nieuwe gesprekken per week</h2>
<table><thead><tr><th scope="col">Week</th><th scope="col">Verloop</th><th scope="col">Aantal</th></tr></thead><tbody>
${digest.total.trend.map((t) => meterRow(t.week === digest.week ? `Week ${isoWeekNumber(t.week)} (deze week)` : `Week ${isoWeekNumber(t.week)}`, t.count, trendMax, t.week === digest.week))}
</tbody></table></section>
<section aria-labelledby="digest-wijken"><h2 id="digest-wijken">Per wijk</h2>
<table><thead><tr><th scope="col">Wijk</th><th scope="col">Nieuw</th><th scope="col">Meldingen</th><th scope="col">Ideeën</th><th scope="col">Deze week doorgezet</th><th scope="col">Eerste reactie (mediaan)</th><th scope="col">Wacht (boven norm)</th></tr></thead><tbody>
${digest.wijken.map((wijk) => {
  const change = formatChange(wijk.newConversations);
  return html`<tr><th scope="row">${wijk.name}${wijk.wethouder === null ? " (geen wethouder)" : ""}</th><td>${wijk.newConversations.count}${change && change !== "gelijk" ? ` (${change})` : ""}</td><td>${wijk.meldingen.count}</td><td>${wijk.ideeen.count}</td><td>${wijk.escalations.count}</td><td>${wijk.responseTimes.medianWorkingHours === null ? "–" : formatWorkingHours(wijk.responseTimes.medianWorkingHours)}</td><td>${wijk.waiting.count} (${wijk.waiting.overTarget})</td></tr>`;
})}
</tbody></table>
${digest.wijkenWithoutWethouder.length > 0 ? html`<p><strong>Zonder wethouder:</strong> ${digest.wijkenWithoutWethouder.map((w) => w.name).join(", ")}. Deze wijken staan in geen enkel weekoverzicht van een wethouder.</p>` : ""}
</section>
<section aria-labelledby="digest-tafels"><h2 id="digest-tafels">Dialoogtafels</h2>
${tafels.length === 0 ? html`<p>Geen dialoogtafels deze week of de vier weken erna.</p>` : html`<ul>${tafels.map(({ t, when }) => html`<li>${when}: ${describeDialoogtafel(t, zone)}</li>`)}</ul>${digest.dialoogtafels.coming.length > 0 ? html`<p>${comingNote(digest)}</p>` : ""}`}
</section>
<section aria-labelledby="digest-nieuws"><h2 id="digest-nieuws">Wijknieuws gepubliceerd</h2>
${digest.news.length === 0 ? html`<p>Geen nieuwe berichten deze week.</p>` : html`<ul>${digest.news.map((n) => html`<li>${n.title} (${n.wijkName}, ${formatDay(n.publishedAt, zone)})</li>`)}</ul>`}
</section>
<section aria-labelledby="digest-citaten"><h2 id="digest-citaten">Wat bewoners zeggen</h2>
${digest.quotes.length === 0 ? html`<p>Geen citaten deze week.</p>` : digest.quotes.map((q) => html`<figure><blockquote><p>${q.text}</p></blockquote><figcaption>${q.wijkName}, ${q.themeLabel.toLowerCase()}</figcaption></figure>`)}
</section>
<section aria-labelledby="digest-tevredenheid"><h2 id="digest-tevredenheid">Tevredenheid en vertrouwen</h2>
<p>${digest.satisfaction.text[0]?.toUpperCase() ?? ""}${digest.satisfaction.text.slice(1)}${digest.satisfaction.available ? "." : ": bewoners worden hier nog niet naar gevraagd."}</p></section>
<section aria-labelledby="digest-uitleg"><h2 id="digest-uitleg">Uitleg</h2>${DIGEST_EXPLANATION.map((line) => html`<p>${line}</p>`)}
<p>Gemaakt op ${formatDateTime(digest.generatedAt, zone)}.</p></section>`;
}

/** One digest as a page of the inbox. */
export function renderDigestPage(options: { user: PageUser; readable: ReadableDigest; backHref: string; jsonHref: string }): string {
  const { digest, source, sentAt } = options.readable;
  const status =
    source === "sent" && sentAt
      ? `Verstuurd op ${formatDateTime(sentAt.toISOString(), digest.timeZone)}; zo zag het er toen uit.`
      : digest.complete
        ? "Niet verstuurd; zo ziet het overzicht er nu uit."
        : "Deze week is nog niet voorbij: de cijfers gaan tot nu.";
  const body = html`<p><a href="${options.backHref}">← Alle weekoverzichten</a></p>
<h1>Weekoverzicht week ${digest.weekNumber}</h1>
<p>${digest.period.label} · ${describeAudience(digest)}</p>
<p>${status} <a href="${options.jsonHref}">Als gegevensbestand (JSON, voor koppelingen)</a></p>
${renderDigestBody(digest)}`;
  return page({ title: `Weekoverzicht week ${digest.weekNumber}`, user: options.user, current: "digests", body });
}

/** A page that says why not (403, 404, 400). */
function renderProblemPage(user: PageUser, title: string, message: string): string {
  return page({ title, user, current: "digests", body: html`<h1>${title}</h1><p>${message}</p><p><a href="/inbox">Naar de gesprekken</a></p>` });
}

const PageLocalsSchema = z.object({ staff: StaffPrincipalSchema, staffName: z.string(), csrfToken: z.string() });
const WethouderParamSchema = z.union([z.string(), z.undefined()]).catch(undefined);

function signedIn(res: Response): { staff: z.infer<typeof StaffPrincipalSchema>; user: PageUser } {
  const parsed = PageLocalsSchema.safeParse(res.locals);
  if (!parsed.success) throw new Error("digestPages: no signed-in staff user on this request; mount the pages behind loadStaffSession and requireSignedIn.");
  return { staff: parsed.data.staff, user: { name: parsed.data.staffName, role: parsed.data.staff.role, csrfToken: parsed.data.csrfToken } };
}

/**
 * The archive pages as a Router, to mount under the signed-in /inbox (res.locals.staff,
 * staffName and csrfToken set by loadStaffSession): GET /digests and GET /digests/:week.
 */
export function digestPages(deps: { db: Db; settings?: () => Settings; now?: () => Date }): Router {
  const router = Router();
  let fallbackSettings: Settings | undefined;
  const settings = () => {
    const given = deps.settings?.();
    if (given) return given;
    fallbackSettings ??= loadDigestSettings();
    return fallbackSettings;
  };
  const wethouderParam = (req: Request) => {
    const value = WethouderParamSchema.parse(req.query.wethouder);
    return value && value.trim() !== "" ? value.trim() : undefined;
  };

  router.get("/digests", async (req, res) => {
    const { staff, user } = signedIn(res);
    const access = await resolveDigestAccess(deps.db, staff, wethouderParam(req));
    if (access.kind === "denied") {
      res
        .status(access.status)
        .type("html")
        .send(
          renderProblemPage(
            user,
            access.status === 404 ? "Niet gevonden" : "Geen toegang",
            access.status === 404 ? "Er is geen wethouder met dit e-mailadres." : "De weekoverzichten zijn voor wethouders en beheerders.",
          ),
        );
      return;
    }
    const now = deps.now?.() ?? new Date();
    const latest = addIsoWeeks(isoWeekOf(now, access.timeZone), -1);
    const weeks = Array.from({ length: ARCHIVE_WEEKS }, (_, i) => addIsoWeeks(latest, -i));
    const runs = access.kind === "wethouder" ? await listDigestRuns(deps.db, access.wethouder.id, 200) : [];
    const entries: DigestArchiveEntry[] = weeks.map((week) => {
      const run = runs.find((r) => r.week === week);
      const status: DigestArchiveEntry["status"] = !run ? "none" : run.status === "sent" ? "sent" : run.status === "failed" ? "failed" : "pending";
      return { week, status, sentAt: run?.sentAt ?? null };
    });
    const wethouders = staff.role === "admin" ? (await listWethouders(deps.db, staff.gemeenteId)).map((w) => ({ name: w.displayName, email: w.email })) : [];
    res.type("html").send(
      renderDigestArchivePage({
        user,
        subject: access.kind === "wethouder" ? { name: access.wethouder.displayName, email: access.wethouder.email } : null,
        entries,
        wethouders,
        timeZone: access.timeZone,
      }),
    );
  });

  router.get("/digests/:week", async (req, res) => {
    const { staff, user } = signedIn(res);
    const week = String(req.params.week);
    const wethouder = wethouderParam(req);
    const access = await resolveDigestAccess(deps.db, staff, wethouder);
    if (access.kind === "denied") {
      res
        .status(access.status)
        .type("html")
        .send(
          renderProblemPage(
            user,
            access.status === 404 ? "Niet gevonden" : "Geen toegang",
            access.status === 404 ? "Er is geen wethouder met dit e-mailadres." : "De weekoverzichten zijn voor wethouders en beheerders.",
          ),
        );
      return;
    }
    const now = deps.now?.() ?? new Date();
    if (!parseIsoWeek(week) || isoWeekBounds(week, access.timeZone).start > now) {
      res
        .status(404)
        .type("html")
        .send(renderProblemPage(user, "Niet gevonden", `Er is geen weekoverzicht voor "${week}". Weken schrijf je als 2026-W48; toekomstige weken bestaan nog niet.`));
      return;
    }
    const options = { settings: settings(), now };
    const readable = access.kind === "wethouder" ? await getWethouderDigest(deps.db, access.wethouder.id, week, options) : await getGemeenteDigest(deps.db, access.gemeenteId, week, options);
    const emailParam = access.kind === "wethouder" && staff.role === "admin" ? access.wethouder.email : null;
    const query = new URLSearchParams({ ...(access.kind === "wethouder" ? { wethouder: access.wethouder.email } : {}), week });
    res.type("html").send(
      renderDigestPage({
        user,
        readable,
        backHref: emailParam ? `/inbox/digests?wethouder=${encodeURIComponent(emailParam)}` : "/inbox/digests",
        jsonHref: `/api/v1/digests?${query.toString()}`,
      }),
    );
  });

  return router;
}
