/**
 * The HTML of the wijkbericht pages (bodies for page() of ../layout.ts): the list with subscriber
 * counts per wijk, the form, a bericht's page with its preview per channel, the test, send or
 * schedule, and its progress. Works without JavaScript and on a phone; every dynamic string goes
 * through `html`. Counts only: no page lists who subscribed.
 */
import { html, type SafeHtml } from "../../http/html.ts";
import { csrfField, errorSummary, notice, textareaField } from "../content/views.ts";
import { formatDutchDateTime } from "../content/localTime.ts";
import { previewSegments, type PreviewSegment } from "../../wijkberichten/previewSegments.ts";
import { joinWijkNames } from "../../wijkberichten/renderWijkbericht.ts";
import type { WijkberichtCancellation, WijkberichtFieldErrors, WijkberichtProgress, WijkberichtStatus } from "../wijkberichtActions.ts";

/** Dutch labels of the statuses. */
export const WIJKBERICHT_STATUS_LABELS: Record<WijkberichtStatus, string> = {
  draft: "Concept",
  scheduled: "Ingepland",
  sending: "Wordt verstuurd",
  sent: "Verstuurd",
  cancelled: "Geannuleerd",
};

interface WijkChoice {
  id: string;
  name: string;
  subscribers: { each: number; weekly: number };
}

interface ListedBericht {
  bericht: { id: string; text: string; status: string; createdAt: Date; startedAt: Date | null; scheduledAt: Date | null; wijken: Array<{ wijk: { name: string } }> };
  progress: WijkberichtProgress;
}

const abonnees = (n: number) => `${n} ${n === 1 ? "abonnee" : "abonnees"}`;

/**
 * Who a bericht reaches, in one sentence, from the one count (WijkberichtProgress.recipients and
 * weekly: active subscribers of the chosen wijken, each identity once).
 */
export function reachSentence(progress: Pick<WijkberichtProgress, "recipients" | "weekly">): string {
  const now = `${abonnees(progress.recipients)} ${progress.recipients === 1 ? "krijgt" : "krijgen"} het meteen`;
  return progress.weekly > 0 ? `${now}; ${abonnees(progress.weekly)} met «één keer per week» ${progress.weekly === 1 ? "krijgt" : "krijgen"} het in het weekoverzicht.` : `${now}.`;
}

/** What the counts count, said once wherever they stand. */
const COUNT_HINT = "Geteld: wie nu is aangemeld voor wijkberichten van deze wijken. Wie voor twee wijken is aangemeld, telt één keer.";

/** The start of the bericht on one line ("Beste buren, donderdag is…"), not only its first line. */
const firstLine = (text: string, max = 80) => {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/** GET /inbox/wijkberichten: the berichten (newest first) and the subscriber counts per wijk. */
export function wijkberichtListBody(input: { berichten: readonly ListedBericht[]; wijken: readonly WijkChoice[]; notice: string | null; timeZone: string }): SafeHtml {
  return html`<h1>Wijkberichten</h1>
  ${notice(input.notice)}
  <p>Een wijkbericht gaat naar iedereen die zich voor wijkberichten van die wijk heeft aangemeld, in hun eigen chat (WhatsApp, Telegram, webchat).</p>
  ${input.wijken.length > 0 ? html`<ul class="actions"><li><a class="button button-primary" href="/inbox/wijkberichten/nieuw">Nieuw wijkbericht</a></li></ul>` : html`<p>Je hoort nog bij geen tandem, dus je kunt nog geen wijkberichten sturen.</p>`}
  <section aria-labelledby="h-berichten">
    <h2 id="h-berichten">Berichten</h2>
    ${
      input.berichten.length === 0
        ? html`<p>Er zijn nog geen wijkberichten.</p>`
        : html`<table class="stack-on-phone">
      <thead><tr><th scope="col">Bericht</th><th scope="col">Wijken</th><th scope="col">Status</th><th scope="col">Verstuurd</th><th scope="col">Wanneer</th></tr></thead>
      <tbody>${input.berichten.map(
        ({ bericht, progress }) => html`<tr>
        <td data-label="Bericht"><a href="/inbox/wijkberichten/${bericht.id}">${firstLine(bericht.text)}</a></td>
        <td data-label="Wijken">${bericht.wijken.map((w) => w.wijk.name).join(", ")}</td>
        <td data-label="Status">${WIJKBERICHT_STATUS_LABELS[progress.status]}</td>
        <td data-label="Verstuurd">${progress.status === "draft" || progress.status === "scheduled" ? "nog niet" : `${progress.sent} van ${progress.recipients}`}</td>
        <td data-label="Wanneer">${formatDutchDateTime(bericht.startedAt ?? bericht.scheduledAt ?? bericht.createdAt, input.timeZone)}</td>
      </tr>`,
      )}</tbody>
    </table>`
    }
  </section>
  <section aria-labelledby="h-abonnees">
    <h2 id="h-abonnees">Abonnees per wijk</h2>
    <p class="hint">Alleen aantallen: wie er is aangemeld, ziet niemand. «Meteen»: krijgt elk bericht zodra het verstuurd wordt; «weekoverzicht»: krijgt ze één keer per week samen.</p>
    <table class="stack-on-phone">
      <thead><tr><th scope="col">Wijk</th><th scope="col">Meteen</th><th scope="col">Weekoverzicht</th></tr></thead>
      <tbody>${input.wijken.map((wijk) => html`<tr><td data-label="Wijk">${wijk.name}</td><td data-label="Meteen">${wijk.subscribers.each}</td><td data-label="Weekoverzicht">${wijk.subscribers.weekly}</td></tr>`)}</tbody>
    </table>
  </section>`;
}

/** The form values as typed (strings; wijkIds: the checked ones). */
export interface WijkberichtFormValues {
  text: string;
  imageUrl: string;
  link: string;
  wijkIds: string[];
}

/** GET /inbox/wijkberichten/nieuw and …/:id/bewerken. */
export function wijkberichtFormBody(input: { id: string | null; values: WijkberichtFormValues; errors: WijkberichtFieldErrors; wijken: readonly WijkChoice[]; csrfToken: string }): SafeHtml {
  const { values, errors } = input;
  const wijkError = errors.wijkIds;
  const checked = values.wijkIds.length > 0 ? values.wijkIds : input.wijken.length === 1 ? [input.wijken[0]?.id ?? ""] : [];
  const field = (name: "imageUrl" | "link", label: string, hint: string) => {
    const error = errors[name];
    return html`<div class="field${error ? " field-error" : ""}">
      <label for="f-${name}">${label} <span class="muted">(niet verplicht)</span></label>
      <p class="hint" id="f-${name}-hint">${hint}</p>
      ${error ? html`<p class="error-message" id="f-${name}-error"><span class="visually-hidden">Fout: </span>${error}</p>` : ""}
      <input id="f-${name}" name="${name}" type="url" inputmode="url" maxlength="500" value="${values[name]}" aria-describedby="f-${name}-hint${error ? ` f-${name}-error` : ""}"${error ? html` aria-invalid="true"` : ""}>
    </div>`;
  };
  return html`<h1>${input.id ? "Wijkbericht bewerken" : "Nieuw wijkbericht"}</h1>
  ${errorSummary({ ...errors })}
  <form method="post" action="${input.id ? `/inbox/wijkberichten/${input.id}` : "/inbox/wijkberichten"}" class="form" novalidate>
    ${csrfField(input.csrfToken)}
    <div class="field${wijkError ? " field-error" : ""}">
      <fieldset${wijkError ? html` aria-describedby="f-wijkIds-error"` : ""}>
        <legend>Voor welke wijken?</legend>
        <p class="hint" id="f-wijkIds-hint">Per wijk: hoeveel abonnees het meteen krijgen, en hoeveel in het weekoverzicht. ${COUNT_HINT}</p>
        ${wijkError ? html`<p class="error-message" id="f-wijkIds-error"><span class="visually-hidden">Fout: </span>${wijkError}</p>` : ""}
        ${input.wijken.map(
          (wijk, index) => html`<div class="radio">
          <input type="checkbox" id="${index === 0 ? "f-wijkIds" : `f-wijkIds-${wijk.id}`}" name="wijkIds" value="${wijk.id}"${checked.includes(wijk.id) ? html` checked` : ""}>
          <label for="${index === 0 ? "f-wijkIds" : `f-wijkIds-${wijk.id}`}">${wijk.name} <span class="muted">(${wijk.subscribers.each} meteen, ${wijk.subscribers.weekly} in het weekoverzicht)</span></label>
        </div>`,
        )}
      </fieldset>
    </div>
    ${textareaField({ name: "text", label: "Bericht", values: { text: values.text }, errors: { ...(errors.text ? { text: errors.text } : {}) }, maxlength: 3500, rows: 8, hint: "Kort en duidelijk, in gewone taal (B1). Onder het bericht zet Wijklijn van wie het komt en hoe je stopt." })}
    ${field("imageUrl", "Foto (adres)", "Een https-adres van een foto (JPEG of PNG). Bewoners krijgen de foto zelf, met het bericht eronder.")}
    ${field("link", "Link", "Bijvoorbeeld de pagina op de website van de gemeente.")}
    <div class="actions"><button type="submit" class="button button-primary">Opslaan en voorbeeld bekijken</button> <a href="/inbox/wijkberichten">Terug</a></div>
  </form>`;
}

/** How one channel shows the bericht. */
export interface ChannelPreview {
  /** whatsapp-template: WhatsApp Cloud outside the 24-hour window. */
  channel: "whatsapp" | "whatsapp-template" | "telegram" | "webchat";
  label: string;
  /** The text as sent; empty when this channel does not get it. */
  text: string;
  /** The photo's address: sent as a real photo, the text as its caption. */
  image: string | null;
  /** The template's name above its text (WhatsApp outside the window). */
  header?: string;
  /** What this channel does with formatting and links, in one sentence. */
  how: string | null;
  note: string | null;
}

function segmentHtml(segment: PreviewSegment): SafeHtml {
  switch (segment.kind) {
    case "break":
      return html`<br>`;
    case "bold":
      return html`<strong>${segment.text}</strong>`;
    case "italic":
      return html`<em>${segment.text}</em>`;
    case "strike":
      return html`<s>${segment.text}</s>`;
    case "link":
      return html`<span class="preview-link">${segment.text}</span>`;
    case "text":
      return html`${segment.text}`;
  }
}

/**
 * The photo as the resident gets it: the image itself (the page's CSP allows https images), so a
 * wrong address shows as a broken photo here, with the address beneath to check. inbox.js adds a
 * warning when it does not load.
 */
function previewPhoto(url: string): SafeHtml {
  return html`<figure class="preview-photo"><img src="${url}" alt="Foto bij het wijkbericht" data-preview-photo>
    <figcaption class="preview-photo-address">${url}</figcaption>
    <p class="preview-photo-broken" role="alert" hidden>Deze foto laadt niet. Klopt het adres? Zo niet, dan krijgen bewoners geen foto.</p></figure>`;
}

function previewSection(previews: readonly ChannelPreview[]): SafeHtml {
  return html`<section aria-labelledby="h-voorbeeld">
    <h2 id="h-voorbeeld">Zo ziet het eruit</h2>
    <p class="hint">Per kanaal zoals het bij de bewoner op het scherm komt. Links zijn hier niet aan te klikken.</p>
    <div class="previews">${previews.map(
      (preview) => html`<figure class="preview preview-${preview.channel}" data-channel="${preview.channel}">
        <figcaption>${preview.label}</figcaption>
        ${
          preview.text
            ? html`<div class="chat-screen"><div class="bubble">${preview.header ? html`<p class="preview-header">${preview.header}</p>` : ""}${preview.image ? previewPhoto(preview.image) : ""}${previewSegments(preview.text, preview.channel === "whatsapp-template" ? "whatsapp" : preview.channel).map(segmentHtml)}</div></div>`
            : ""
        }
        ${preview.how ? html`<p class="hint">${preview.how}</p>` : ""}
        ${preview.note ? html`<p class="hint">${preview.note}</p>` : ""}
      </figure>`,
    )}</div>
  </section>`;
}

/** The figures of a bericht's progress, as the page shows them and GET …/:id/voortgang.json returns them. */
export interface WijkberichtProgressFigures {
  status: WijkberichtStatus;
  statusLabel: string;
  /** True while it is being sent: the page keeps refreshing. */
  running: boolean;
  done: number;
  total: number;
  waiting: number;
  sent: number;
  failed: number;
  unsubscribed: number;
  cancelled: number;
  weekly: number;
}

/** The progress as figures: "done" counts every copy that is sent, failed, taken back or no longer wanted. */
export function progressFigures(progress: WijkberichtProgress): WijkberichtProgressFigures {
  const done = progress.sent + progress.failed + progress.unsubscribed + progress.cancelled;
  return {
    status: progress.status,
    statusLabel: WIJKBERICHT_STATUS_LABELS[progress.status],
    running: progress.status === "sending",
    done,
    total: Math.max(progress.recipients, done),
    waiting: progress.queued + progress.notYetQueued,
    sent: progress.sent,
    failed: progress.failed,
    unsubscribed: progress.unsubscribed,
    cancelled: progress.cancelled,
    weekly: progress.weekly,
  };
}

/** How often the progress page refreshes while the bericht is sent (seconds). */
export const PROGRESS_REFRESH_SECONDS = 3;

function progressSection(id: string, progress: WijkberichtProgress): SafeHtml {
  const figures = progressFigures(progress);
  const { done, total } = figures;
  // inbox.js polls the JSON while data-running is "true" and fills the data-figure elements; without JavaScript the page reloads itself (layout's refreshSeconds).
  return html`<section aria-labelledby="h-voortgang" data-wijkbericht-progress="/inbox/wijkberichten/${id}/voortgang.json" data-running="${figures.running ? "true" : "false"}">
    <h2 id="h-voortgang">Voortgang</h2>
    <p><label for="voortgang">Verwerkt: <span data-figure="done">${done}</span> van <span data-figure="total">${total}</span></label><br>
    <progress id="voortgang" max="${Math.max(total, 1)}" value="${total === 0 ? 1 : done}">${done} van ${total}</progress></p>
    <p role="status" aria-live="polite" data-progress-status>${figures.running ? "Wordt verstuurd. Deze pagina ververst vanzelf." : `${figures.statusLabel}: ${done} van ${total}.`}</p>
    <dl class="figures">
      <div><dt>Wacht nog</dt><dd data-figure="waiting">${figures.waiting}</dd></div>
      <div><dt>Verstuurd</dt><dd data-figure="sent">${figures.sent}</dd></div>
      <div><dt>Mislukt</dt><dd data-figure="failed">${figures.failed}</dd></div>
      <div><dt>Afgemeld tijdens het versturen</dt><dd data-figure="unsubscribed">${figures.unsubscribed}</dd></div>
      ${figures.cancelled > 0 || figures.running ? html`<div><dt>Teruggehaald (geannuleerd)</dt><dd data-figure="cancelled">${figures.cancelled}</dd></div>` : ""}
      ${figures.weekly > 0 && figures.status !== "cancelled" ? html`<div><dt>In het weekoverzicht</dt><dd>${figures.weekly}</dd></div>` : ""}
    </dl>
  </section>`;
}

interface DetailBericht {
  id: string;
  status: string;
  scheduledAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  wijken: Array<{ wijk: { name: string } }>;
  author: { displayName: string } | null;
}

const wijkNamesOf = (bericht: { wijken: Array<{ wijk: { name: string } }> }) =>
  joinWijkNames(
    bericht.wijken.map((w) => w.wijk.name).sort((a, b) => a.localeCompare(b, "nl")),
    "nl",
  );

/** A cancelled bericht: when and by whom, how many had it already, and that the rest will not get it. */
function cancelledSection(progress: WijkberichtProgress, cancellation: WijkberichtCancellation | null, startedAt: Date | null, timeZone: string): SafeHtml {
  const when = cancellation ? formatDutchDateTime(cancellation.at, timeZone) : null;
  const by = cancellation?.by ?? null;
  const heading = `Geannuleerd${when ? ` op ${when}` : ""}${by ? ` door ${by}` : ""}.`;
  const reached = progress.sent;
  const body =
    startedAt === null || reached + progress.failed + progress.unsubscribed + progress.cancelled === 0
      ? html`<p>Het is geannuleerd voordat het werd verstuurd. Niemand heeft het gekregen, en niemand krijgt het nog.</p>`
      : html`<p><strong>${abonnees(reached)} ${reached === 1 ? "had" : "hadden"} het al gekregen</strong> voordat het werd gestopt. Dat kan niet worden teruggedraaid.</p>
      <p>De rest krijgt het niet meer${progress.cancelled > 0 ? html` (${abonnees(progress.cancelled)} teruggehaald)` : ""}. Ook in het weekoverzicht komt het niet.</p>`;
  return html`<section class="flash flash-warn" aria-labelledby="h-geannuleerd">
    <h2 id="h-geannuleerd">${heading}</h2>
    ${body}
  </section>`;
}

/** GET /inbox/wijkberichten/:id: the bericht, its preview, and what can be done now. */
export function wijkberichtDetailBody(input: {
  bericht: DetailBericht;
  progress: WijkberichtProgress;
  /** Who cancelled it and when, once cancelled. */
  cancellation: WijkberichtCancellation | null;
  previews: readonly ChannelPreview[];
  /**
   * Where a test goes; demoMailbox: the e-mail lands in the demo mailbox (no mail server);
   * mailOff: no mail at all; telegramOn: Telegram is on (a staff member can link it).
   */
  test: { email: boolean; demoMailbox: boolean; telegram: boolean; mailOff: boolean; telegramOn: boolean };
  scheduleValue: string;
  errors: Record<string, string>;
  csrfToken: string;
  notice: string | null;
  timeZone: string;
}): SafeHtml {
  const { bericht, progress, timeZone } = input;
  const editable = progress.status === "draft" || progress.status === "scheduled";
  const testTargets = [input.test.email ? (input.test.demoMailbox ? "je demo-postvak" : "je e-mailadres") : null, input.test.telegram ? "je gekoppelde Telegram" : null].filter(Boolean).join(" en ");
  const scheduleError = input.errors.scheduledAt;
  const noTest = input.test.mailOff
    ? html`<p>Testmail staat uit; vraag de beheerder.${input.test.telegramOn ? html` Of <a href="/inbox/account">koppel Telegram bij je account</a>: dan komt de test daar.` : ""} Tot dan: bekijk het voorbeeld hierboven.</p>`
    : html`<p>Een test naar jezelf gaat naar je e-mail of je Telegram. <a href="/inbox/account">Koppel Telegram bij je account</a>. Tot dan: bekijk het voorbeeld hierboven.</p>`;
  return html`<p><a href="/inbox/wijkberichten">← Alle wijkberichten</a></p>
  <h1>Wijkbericht voor ${bericht.wijken.map((w) => w.wijk.name).join(", ")}</h1>
  ${notice(input.notice)}
  ${errorSummary({ ...input.errors })}
  ${progress.status === "cancelled" ? cancelledSection(progress, input.cancellation, bericht.startedAt, timeZone) : ""}
  <dl class="figures">
    <div><dt>Status</dt><dd data-figure="statusLabel">${WIJKBERICHT_STATUS_LABELS[progress.status]}</dd></div>
    ${editable ? html`<div><dt>Bereik</dt><dd>${reachSentence(progress)}</dd></div>` : ""}
    ${bericht.author ? html`<div><dt>Geschreven door</dt><dd>${bericht.author.displayName}</dd></div>` : ""}
    ${bericht.scheduledAt && progress.status === "scheduled" ? html`<div><dt>Gaat op</dt><dd>${formatDutchDateTime(bericht.scheduledAt, timeZone)}</dd></div>` : ""}
    ${bericht.startedAt ? html`<div><dt>Begonnen</dt><dd>${formatDutchDateTime(bericht.startedAt, timeZone)}</dd></div>` : ""}
    ${bericht.finishedAt ? html`<div><dt>${progress.status === "cancelled" ? "Geannuleerd" : "Klaar"}</dt><dd>${formatDutchDateTime(bericht.finishedAt, timeZone)}</dd></div>` : ""}
  </dl>
  ${editable ? html`<p class="hint">${COUNT_HINT}</p>` : ""}
  ${editable || (progress.status === "cancelled" && bericht.startedAt === null) ? "" : progressSection(bericht.id, progress)}
  ${previewSection(input.previews)}
  ${
    editable
      ? html`<section aria-labelledby="h-test">
    <h2 id="h-test">Test</h2>
    ${
      testTargets
        ? html`<p>Stuur het bericht eerst naar jezelf: naar ${testTargets}. Bewoners krijgen niets.</p>
    <form method="post" action="/inbox/wijkberichten/${bericht.id}/test">${csrfField(input.csrfToken)}<button type="submit" class="button">Stuur een test naar mezelf</button></form>
    ${input.test.demoMailbox ? html`<p class="hint">Alleen in de demo: de e-mail komt in je <a href="/inbox/dev-mail">demo-postvak</a> in Wijklijn zelf.</p>` : ""}`
        : noTest
    }
  </section>
  <section aria-labelledby="h-versturen">
    <h2 id="h-versturen">Versturen</h2>
    <p><a class="button button-primary" href="/inbox/wijkberichten/${bericht.id}/versturen">Nu versturen naar ${abonnees(progress.recipients)}…</a></p>
    <form method="post" action="/inbox/wijkberichten/${bericht.id}/inplannen" class="form" novalidate>${csrfField(input.csrfToken)}
      <div class="field${scheduleError ? " field-error" : ""}">
        <label for="f-scheduledAt">Of later versturen, op</label>
        ${scheduleError ? html`<p class="error-message" id="f-scheduledAt-error"><span class="visually-hidden">Fout: </span>${scheduleError}</p>` : ""}
        <input id="f-scheduledAt" name="scheduledAt" type="datetime-local" value="${input.scheduleValue}" required${scheduleError ? html` aria-invalid="true" aria-describedby="f-scheduledAt-error"` : ""}>
      </div>
      <button type="submit" class="button">Inplannen</button>
    </form>
    <p><a href="/inbox/wijkberichten/${bericht.id}/bewerken">Bewerken</a></p>
  </section>`
      : ""
  }
  ${
    editable || progress.status === "sending"
      ? html`<p${progress.status === "sending" ? html` data-stop-sending` : ""}><a class="button button-danger" href="/inbox/wijkberichten/${bericht.id}/annuleren">${progress.status === "sending" ? "Stoppen: de rest niet meer versturen…" : "Annuleren…"}</a></p>`
      : ""
  }`;
}

/** GET /inbox/wijkberichten/:id/versturen: what "Nu versturen" does, and yes or back. */
export function wijkberichtSendConfirmBody(input: { bericht: { id: string; wijken: Array<{ wijk: { name: string } }> }; progress: WijkberichtProgress; csrfToken: string }): SafeHtml {
  const { bericht, progress } = input;
  const weekly = progress.weekly > 0 ? ` ${abonnees(progress.weekly)} met «één keer per week» ${progress.weekly === 1 ? "krijgt" : "krijgen"} het in het weekoverzicht.` : "";
  return html`<p><a href="/inbox/wijkberichten/${bericht.id}">← Terug naar het wijkbericht</a></p>
  <h1>Nu versturen?</h1>
  <p class="confirm-question"><strong>Dit bericht gaat nu naar ${abonnees(progress.recipients)} in ${wijkNamesOf(bericht)}.</strong>${weekly} Versturen?</p>
  <p class="hint">${COUNT_HINT} Wat verstuurd is, kun je niet terughalen.</p>
  <form method="post" action="/inbox/wijkberichten/${bericht.id}/versturen" class="actions">${csrfField(input.csrfToken)}
    <input type="hidden" name="bevestigd" value="ja">
    <button type="submit" class="button button-primary">Ja, nu versturen</button>
    <a href="/inbox/wijkberichten/${bericht.id}">Nee, terug</a>
  </form>`;
}

/** GET /inbox/wijkberichten/:id/annuleren: what cancelling (or stopping) does, and yes or back. */
export function wijkberichtCancelConfirmBody(input: {
  bericht: { id: string; scheduledAt: Date | null; wijken: Array<{ wijk: { name: string } }> };
  progress: WijkberichtProgress;
  csrfToken: string;
  timeZone: string;
}): SafeHtml {
  const { bericht, progress } = input;
  const sending = progress.status === "sending";
  const rest = Math.max(0, progress.recipients - progress.sent - progress.failed - progress.unsubscribed);
  const what = sending
    ? html`<strong>${abonnees(progress.sent)} in ${wijkNamesOf(bericht)} ${progress.sent === 1 ? "heeft" : "hebben"} het al. De andere ${abonnees(rest)} krijgen het niet meer.</strong> Wat al verstuurd is, blijft verstuurd.`
    : progress.status === "scheduled" && bericht.scheduledAt
      ? html`<strong>Het bericht voor ${wijkNamesOf(bericht)} gaat dan niet op ${formatDutchDateTime(bericht.scheduledAt, input.timeZone)}, en ook later niet.</strong> Niemand krijgt het.`
      : html`<strong>Het bericht voor ${wijkNamesOf(bericht)} gaat dan nooit weg.</strong> Niemand krijgt het.`;
  return html`<p><a href="/inbox/wijkberichten/${bericht.id}">← Terug naar het wijkbericht</a></p>
  <h1>${sending ? "Stoppen met versturen?" : "Wijkbericht annuleren?"}</h1>
  <p class="confirm-question">${what} Dit kun je niet ongedaan maken.</p>
  <form method="post" action="/inbox/wijkberichten/${bericht.id}/annuleren" class="actions">${csrfField(input.csrfToken)}
    <input type="hidden" name="bevestigd" value="ja">
    <button type="submit" class="button button-danger">${sending ? "Ja, stoppen" : "Ja, annuleren"}</button>
    <a href="/inbox/wijkberichten/${bericht.id}">Nee, terug</a>
  </form>`;
}

/** An unknown bericht, or another tandem's. */
export function wijkberichtNotFoundBody(): SafeHtml {
  return html`<h1>Niet gevonden</h1><p>Dit wijkbericht bestaat niet, of hoort bij een andere tandem.</p><p><a href="/inbox/wijkberichten">Naar de wijkberichten</a></p>`;
}
