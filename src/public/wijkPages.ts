/**
 * The public transparency pages, no login: `/wijk` lists the gemeente's wijken, `/wijk/:slug`
 * shows one wijk: what residents raised lately by theme (counts only, small numbers hidden:
 * wijkFigures.ts), how fast the gemeente answered, upcoming dialoogtafels, wijk news, how to get
 * wijkberichten, and the wijk's tandem with a link that opens the chat. Server-rendered B1 Dutch,
 * no JavaScript; charts are inline SVG bars. Styled with the NL Design System's plain-CSS
 * components (@utrecht/component-library-css, served from node_modules) and Wijklijn's token file,
 * which a gemeente swaps for its own huisstijl (PUBLIC_THEME_CSS).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Router } from "express";
import { DEMO_LABEL } from "../../prisma/demo/geldrop-mierlo.ts";
import type { Settings } from "../conversation/flowSchema.ts";
import type { Db } from "../db/client.ts";
import { findDefaultGemeente } from "../db/gemeente.repo.ts";
import { hasDemoPostcodes } from "../db/ops.repo.ts";
import { findPublicWijk, listPublicWijken, listWijkConversationFacts, type PublicWijk } from "../db/publicWijk.repo.ts";
import { listSiblingWijkIds } from "../db/wijk.repo.ts";
import { listWijDeden } from "../db/wijDeden.repo.ts";
import { labelTheme } from "../domain/vocabulary.ts";
import { listCurrentNews, listUpcomingDialoogtafels } from "../db/wijkContent.repo.ts";
import { formatWorkingHours } from "../digests/digestLabels.ts";
import { html, type SafeHtml } from "../http/html.ts";
import { buildResponseFigure, buildThemeFigures, formatPublicCount, PERIOD_DAYS, type ThemeFigures } from "./wijkFigures.ts";

/** The NL Design System components the pages use (each an EUPL package that @utrecht/component-library-css brings). */
const COMPONENTS = [
  "document",
  "page-body",
  "page",
  "page-header",
  "page-content",
  "page-footer",
  "skip-link",
  "heading-1",
  "heading-2",
  "heading-3",
  "paragraph",
  "link",
  "link-list",
  "unordered-list",
  "table",
  "button-link",
  "data-list",
];

/** The components' CSS, joined once at start from node_modules (nothing is fetched at run time). */
export function loadComponentCss(): string {
  const require = createRequire(import.meta.url);
  const library = dirname(require.resolve("@utrecht/component-library-css/package.json"));
  return COMPONENTS.map((name) => `/* @utrecht/${name}-css (EUPL-1.2) */\n${readFileSync(join(library, "..", `${name}-css`, "dist", "index.css"), "utf8")}`).join("\n");
}

/** What the pages need. */
export interface WijkPagesDeps {
  db: Db;
  settings: () => Settings;
  timeZone: string;
  /** A gemeente's own token file instead of src/public/assets/theme.css (PUBLIC_THEME_CSS). */
  themeCssPath?: string;
  /** The Telegram bot's @username when Telegram is on (a t.me link opens the chat with the subscribe question). */
  telegramUsername?: () => string | null;
  /** The gemeente's WhatsApp number (WHATSAPP_PUBLIC_NUMBER): a wa.me link opens WhatsApp with the subscribe message. */
  whatsappNumber?: string | null;
  now?: () => Date;
}

const ASSETS = "/wijk/assets";

/** Routes for /wijk, /wijk/:slug and their style sheets. */
export function wijkPages(deps: WijkPagesDeps): Router {
  const router = Router();
  const now = deps.now ?? (() => new Date());
  const styles: Record<string, string> = {
    "nlds.css": loadComponentCss(),
    "theme.css": readFileSync(deps.themeCssPath ?? new URL("./assets/theme.css", import.meta.url), "utf8"),
    "wijk.css": readFileSync(new URL("./assets/wijk.css", import.meta.url), "utf8"),
  };
  router.get(`${ASSETS}/:file`, (req, res, next) => {
    const css = styles[req.params.file];
    if (css === undefined) return next();
    res.setHeader("Content-Type", "text/css; charset=utf-8");
    res.setHeader("Cache-Control", "public, max-age=3600");
    res.send(css);
  });

  router.get("/wijk", async (_req, res) => {
    const gemeente = await findDefaultGemeente(deps.db);
    if (!gemeente)
      return void res
        .status(404)
        .type("html")
        .send(page({ title: "Wijken", gemeente: "Wijklijn", demo: false, body: notFoundBody() }));
    const [wijken, demo] = await Promise.all([listPublicWijken(deps.db, gemeente.id), hasDemoPostcodes(deps.db)]);
    sendPage(res, page({ title: `Wijken van ${gemeente.name}`, gemeente: gemeente.name, demo, body: listBody(gemeente.name, wijken) }));
  });

  router.get("/wijk/:slug", async (req, res) => {
    const gemeente = await findDefaultGemeente(deps.db);
    const slug = /^[a-z0-9-]{1,80}$/.test(req.params.slug) ? req.params.slug : null;
    const wijk = gemeente && slug ? await findPublicWijk(deps.db, gemeente.id, slug) : null;
    if (!gemeente || !wijk) {
      res
        .status(404)
        .type("html")
        .send(page({ title: "Wijk niet gevonden", gemeente: gemeente?.name ?? "Wijklijn", demo: false, body: notFoundBody() }));
      return;
    }
    const at = now();
    const since = new Date(at.getTime() - PERIOD_DAYS * 24 * 3600 * 1000);
    const [facts, news, tafels, done, demo] = await Promise.all([
      listWijkConversationFacts(deps.db, wijk.id, since),
      listCurrentNews(deps.db, wijk.id, at, 5),
      upcomingTafels(deps.db, wijk, at),
      listWijDeden(deps.db, wijk.id, 10),
      hasDemoPostcodes(deps.db),
    ]);
    const settings = deps.settings();
    const body = wijkBody({
      wijk,
      gemeente: gemeente.name,
      themes: buildThemeFigures(facts),
      response: buildResponseFigure(facts, settings, deps.timeZone),
      target: settings.responseTargetWorkingHours,
      news,
      tafels,
      done,
      timeZone: deps.timeZone,
      contact: settings.contact,
      telegramUsername: deps.telegramUsername?.() ?? null,
      whatsappNumber: deps.whatsappNumber ?? null,
    });
    sendPage(res, page({ title: `${wijk.name} — ${gemeente.name}`, gemeente: gemeente.name, demo, body }));
  });
  return router;
}

/** The dialoogtafels of the wijk and of the other wijken of its tandem (as the bot shows them), soonest first. */
async function upcomingTafels(db: Db, wijk: PublicWijk, now: Date) {
  const wijkIds = [wijk.id, ...(wijk.tandem ? await listSiblingWijkIds(db, wijk.tandem.id, wijk.id) : [])];
  const tafels = (await Promise.all(wijkIds.map((id) => listUpcomingDialoogtafels(db, id, now, 5)))).flat();
  return tafels.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime()).slice(0, 5);
}

function sendPage(res: import("express").Response, body: string): void {
  // Public figures change slowly: a minute in a browser or proxy cache keeps the pages fast under load.
  res.setHeader("Cache-Control", "public, max-age=60");
  res.type("html").send(body);
}

function page(input: { title: string; gemeente: string; demo: boolean; body: SafeHtml }): string {
  return html`<!doctype html>
<html lang="nl">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${input.title}</title>
  <link rel="stylesheet" href="${ASSETS}/nlds.css">
  <link rel="stylesheet" href="${ASSETS}/theme.css">
  <link rel="stylesheet" href="${ASSETS}/wijk.css">
</head>
<body class="utrecht-page-body wijklijn-theme utrecht-document">
  <a class="utrecht-skip-link utrecht-skip-link--visible-on-focus" href="#inhoud">Naar de inhoud</a>
  <header class="utrecht-page-header">
    <div class="utrecht-page-header__content">
      <a class="wl-header-title" href="/wijk">Wijklijn ${input.gemeente}</a>
    </div>
  </header>
  <div class="utrecht-page">
    <main id="inhoud" class="utrecht-page-content">
      ${input.demo ? html`<p class="utrecht-paragraph wl-demo"><strong>${DEMO_LABEL}.</strong> De namen, cijfers en bijeenkomsten op deze pagina zijn voorbeelden.</p>` : ""}
      ${input.body}
    </main>
  </div>
  <footer class="utrecht-page-footer">
    <div class="utrecht-page-footer__content">
      <p class="utrecht-paragraph">Wijklijn is de chat van de wijkdialoog van ${input.gemeente}.
      <a class="utrecht-link" href="/privacy">Privacy</a> · <a class="utrecht-link" href="/wijk">Alle wijken</a></p>
    </div>
  </footer>
</body>
</html>`.value;
}

function notFoundBody(): SafeHtml {
  return html`<h1 class="utrecht-heading-1">Deze wijk kennen we niet</h1>
<p class="utrecht-paragraph">Kijk in de <a class="utrecht-link" href="/wijk">lijst met wijken</a>.</p>`;
}

function listBody(gemeente: string, wijken: PublicWijk[]): SafeHtml {
  const byKern = new Map<string, PublicWijk[]>();
  for (const wijk of wijken) byKern.set(wijk.kern ?? gemeente, [...(byKern.get(wijk.kern ?? gemeente) ?? []), wijk]);
  const groups = [...byKern.entries()].map(
    ([kern, list]) => html`<h2 class="utrecht-heading-2">${kern}</h2>
<ul class="utrecht-link-list utrecht-link-list--html-ul">
  ${list.map((wijk) => html`<li class="utrecht-link-list__item"><a class="utrecht-link utrecht-link-list__link" href="/wijk/${wijk.slug}">${wijk.name}</a></li>`)}
</ul>`,
  );
  return html`<h1 class="utrecht-heading-1">Wijken van ${gemeente}</h1>
<p class="utrecht-paragraph utrecht-paragraph--lead">Wat speelt er in jouw wijk? Kies je wijk. Je ziet wat bewoners aan de gemeente vroegen, hoe snel de gemeente antwoordde, en wanneer de volgende dialoogtafel is.</p>
${groups}`;
}

interface WijkBodyInput {
  wijk: PublicWijk;
  gemeente: string;
  themes: ThemeFigures;
  response: ReturnType<typeof buildResponseFigure>;
  target: number;
  news: Array<{ title: string; body: string; link: string | null; publishedAt: Date | null }>;
  tafels: Array<{ title: string; topic: string; location: string; startsAt: Date; capacity: number; registered: number }>;
  done: Array<{ theme: string | null; said: string; did: string; publishedAt: Date }>;
  timeZone: string;
  contact: { phone: string; website: string };
  telegramUsername: string | null;
  whatsappNumber: string | null;
}

const ROLE_LABELS: Record<string, string> = { gebiedsregisseur: "Gebiedsregisseur", wethouder: "Wethouder" };

function formatDate(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("nl-NL", { timeZone, weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(date);
}

function wijkBody(input: WijkBodyInput): SafeHtml {
  const { wijk } = input;
  return html`<h1 class="utrecht-heading-1">${wijk.name}</h1>
<p class="utrecht-paragraph utrecht-paragraph--lead">Wat speelt er in ${wijk.name}? Hier zie je wat bewoners de laatste ${PERIOD_DAYS / 30} maanden aan de gemeente vroegen, en wat er komt.</p>
<p class="wl-cta"><a class="utrecht-button-link utrecht-button-link--html-a utrecht-button-link--primary-action" href="/chat">Chat met de gemeente</a></p>
${themesSection(input)}
${doneSection(input)}
${responseSection(input)}
${tafelsSection(input)}
${newsSection(input)}
${tandemSection(input)}
${subscribeSection(input)}`;
}

function themesSection(input: WijkBodyInput): SafeHtml {
  const { themes } = input;
  if (themes.themes.length === 0) {
    return html`<section aria-labelledby="themas"><h2 class="utrecht-heading-2" id="themas">Wat bewoners vroegen</h2>
<p class="utrecht-paragraph">De laatste ${PERIOD_DAYS / 30} maanden kwam er nog geen vraag of melding uit ${input.wijk.name} bij de gemeente.</p></section>`;
  }
  const max = Math.max(...themes.themes.map((t) => (t.count.kind === "exact" ? t.count.value : 0)), 1);
  // With only small counts there is nothing to draw: no empty chart column, but a sentence why.
  const chart = themes.themes.some((t) => t.count.kind === "exact");
  const rows = themes.themes.map(
    (t) => html`<tr class="utrecht-table__row">
  <th scope="row" class="utrecht-table__header-cell">${t.label}</th>
  <td class="utrecht-table__cell wl-count">${formatPublicCount(t.count)}</td>
  ${chart ? html`<td class="utrecht-table__cell wl-bar-cell">${t.count.kind === "exact" ? bar(t.count.value / max) : ""}</td>` : ""}
</tr>`,
  );
  return html`<section aria-labelledby="themas"><h2 class="utrecht-heading-2" id="themas">Wat bewoners vroegen</h2>
<p class="utrecht-paragraph">Meldingen, vragen en ideeën van de laatste ${PERIOD_DAYS / 30} maanden, per onderwerp. We tonen alleen aantallen.</p>
<p class="utrecht-paragraph wl-note"><strong>Kleine aantallen verborgen.</strong> Is het er minder dan 5, dan staat er "minder dan 5". Dan staat er bij het totaal soms "meer dan": zo kun je het kleine aantal ook niet uitrekenen. Zo is niemand te herkennen.</p>
${chart ? "" : html`<p class="utrecht-paragraph wl-chart-empty">Te weinig gegevens om een grafiek te tonen.</p>`}
<div class="utrecht-table-container"><table class="utrecht-table utrecht-table--html-table">
  <caption class="utrecht-table__caption">Onderwerpen in ${input.wijk.name}${themes.total ? `: ${formatPublicCount(themes.total)} in totaal` : ""}</caption>
  <thead class="utrecht-table__header"><tr class="utrecht-table__row"><th scope="col" class="utrecht-table__header-cell">Onderwerp</th><th scope="col" class="utrecht-table__header-cell wl-count">Aantal</th>${chart ? html`<th scope="col" class="utrecht-table__header-cell"><span class="wl-meta">Grafiek</span></th>` : ""}</tr></thead>
  <tbody class="utrecht-table__body">${rows}</tbody>
</table></div></section>`;
}

/** A horizontal bar as inline SVG (no script, no inline style: the page's CSP allows neither). */
function bar(share: number): SafeHtml {
  const width = Math.max(2, Math.round(share * 100));
  return html`<svg class="wl-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect class="wl-bar__track" x="0" y="0" width="100" height="10"></rect><rect class="wl-bar__value" x="0" y="0" width="${width}" height="10"></rect></svg>`;
}

function doneSection(input: WijkBodyInput): SafeHtml {
  const month = new Intl.DateTimeFormat("nl-NL", { timeZone: input.timeZone, month: "long", year: "numeric" });
  const items = input.done.map(
    (item) => html`<li class="wl-card">
  <p class="utrecht-paragraph wl-meta">${item.theme ? `${labelTheme(item.theme)} · ` : ""}${month.format(item.publishedAt)}</p>
  <h3 class="utrecht-heading-3">Jullie zeiden</h3>
  <p class="utrecht-paragraph">${item.said}</p>
  <h3 class="utrecht-heading-3">Wij deden</h3>
  <p class="utrecht-paragraph">${item.did}</p>
</li>`,
  );
  return html`<section aria-labelledby="gedaan"><h2 class="utrecht-heading-2" id="gedaan">Jullie zeiden, wij deden</h2>
${items.length > 0 ? html`<ul class="wl-cards">${items}</ul>` : html`<p class="utrecht-paragraph">Hier zie je straks wat de gemeente deed met wat bewoners vroegen.</p>`}</section>`;
}

function responseSection(input: WijkBodyInput): SafeHtml {
  const { response } = input;
  const text =
    response.medianWorkingHours === null
      ? html`<p class="utrecht-paragraph">Er zijn nog te weinig antwoorden om hier iets over te zeggen.</p>`
      : html`<p class="wl-figure">${formatWorkingHours(Math.round(response.medianWorkingHours * 10) / 10)}</p>
<p class="utrecht-paragraph">Zo lang duurde het meestal tot een medewerker antwoordde: de helft van de vragen kreeg sneller antwoord, de andere helft later. We tellen alleen de uren dat de gemeente open is. De gemeente wil binnen ${formatWorkingHours(input.target)} antwoorden.</p>`;
  return html`<section aria-labelledby="snelheid"><h2 class="utrecht-heading-2" id="snelheid">Hoe snel de gemeente antwoordde</h2>${text}</section>`;
}

function tafelsSection(input: WijkBodyInput): SafeHtml {
  const items = input.tafels.map((tafel) => {
    const free = Math.max(0, tafel.capacity - tafel.registered);
    return html`<li class="wl-card">
  <h3 class="utrecht-heading-3">${tafel.title}</h3>
  <p class="utrecht-paragraph">${tafel.topic}</p>
  <p class="utrecht-paragraph wl-meta"><time datetime="${tafel.startsAt.toISOString()}">${formatDate(tafel.startsAt, input.timeZone)}</time> · ${tafel.location}</p>
  <p class="utrecht-paragraph wl-meta">${free > 0 ? `Er is nog plek.` : "Vol: je kunt op de wachtlijst."} Aanmelden doe je in de chat: typ "dialoogtafel".</p>
</li>`;
  });
  return html`<section aria-labelledby="tafels"><h2 class="utrecht-heading-2" id="tafels">Dialoogtafels</h2>
<p class="utrecht-paragraph">Bij een dialoogtafel praten bewoners, de gebiedsregisseur en de wethouder samen over de wijk.</p>
${items.length > 0 ? html`<ul class="wl-cards">${items}</ul>` : html`<p class="utrecht-paragraph">Er staat nu geen dialoogtafel gepland.</p>`}</section>`;
}

function newsSection(input: WijkBodyInput): SafeHtml {
  const items = input.news.map(
    (item) => html`<li class="wl-card">
  <h3 class="utrecht-heading-3">${item.title}</h3>
  ${item.publishedAt ? html`<p class="utrecht-paragraph wl-meta"><time datetime="${item.publishedAt.toISOString()}">${new Intl.DateTimeFormat("nl-NL", { timeZone: input.timeZone, day: "numeric", month: "long", year: "numeric" }).format(item.publishedAt)}</time></p>` : ""}
  <p class="utrecht-paragraph">${item.body}</p>
  ${item.link && /^https?:\/\//.test(item.link) ? html`<p class="utrecht-paragraph"><a class="utrecht-link" href="${item.link}">Lees meer<span class="wl-meta"> over ${item.title}</span></a></p>` : ""}
</li>`,
  );
  return html`<section aria-labelledby="nieuws"><h2 class="utrecht-heading-2" id="nieuws">Nieuws uit de wijk</h2>
${items.length > 0 ? html`<ul class="wl-cards">${items}</ul>` : html`<p class="utrecht-paragraph">Er is nu geen nieuws.</p>`}</section>`;
}

function tandemSection(input: WijkBodyInput): SafeHtml {
  const tandem = input.wijk.tandem;
  const people = tandem?.members ?? [];
  return html`<section aria-labelledby="tandem"><h2 class="utrecht-heading-2" id="tandem">Wie helpt je in ${input.wijk.name}?</h2>
${
  people.length > 0
    ? html`<p class="utrecht-paragraph">De gebiedsregisseur en de wethouder werken samen voor deze wijk. Je bericht in de chat komt bij hen.</p>
<dl class="utrecht-data-list utrecht-data-list--rows">
  ${people.map((person) => html`<div class="utrecht-data-list__item"><dt class="utrecht-data-list__item-key">${ROLE_LABELS[person.role] ?? person.role}</dt><dd class="utrecht-data-list__item-value utrecht-data-list__item-value--html-dd">${person.name}</dd></div>`)}
</dl>`
    : html`<p class="utrecht-paragraph">Je bericht in de chat komt bij een medewerker van de gemeente.</p>`
}
<p class="utrecht-paragraph"><a class="utrecht-link" href="/chat">Open de chat</a>. Liever bellen? Bel ${input.contact.phone}.</p></section>`;
}

/**
 * Where a resident subscribes to this wijk's berichten: each link opens the chat already in the
 * subscribe flow for this wijk (the bot confirms the wijk and asks how often; src/bot/turn.ts reads
 * "Wijkberichten <wijk>"). The web chat gets the message ready to send, Telegram's deep link
 * carries the slug (its start parameter allows only letters, digits, _ and -), WhatsApp's wa.me
 * link the message itself.
 */
function subscribeSection(input: WijkBodyInput): SafeHtml {
  const message = `Wijkberichten ${input.wijk.name}`;
  const links = [
    html`<a class="utrecht-link" href="/chat?start=wijkberichten&amp;wijk=${encodeURIComponent(input.wijk.name)}">in de webchat</a>`,
    input.whatsappNumber ? html`<a class="utrecht-link" href="https://wa.me/${input.whatsappNumber}?text=${encodeURIComponent(message)}">in WhatsApp</a>` : null,
    input.telegramUsername ? html`<a class="utrecht-link" href="https://t.me/${input.telegramUsername}?start=wijkberichten-${input.wijk.slug}">in Telegram</a>` : null,
  ].filter((link) => link !== null);
  const joined = links.map((link, index) => (index === 0 ? link : index === links.length - 1 ? html` of ${link}` : html`, ${link}`));
  return html`<section aria-labelledby="berichten"><h2 class="utrecht-heading-2" id="berichten">Wijkberichten krijgen</h2>
<p class="utrecht-paragraph">Wil je nieuws uit ${input.wijk.name} in je eigen chat? Meld je aan ${joined}. De chat vraagt alleen nog of je elk bericht meteen wilt, of één keer per week. Geen berichten meer? Stuur 'stop'.</p></section>`;
}
