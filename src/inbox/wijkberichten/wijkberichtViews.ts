/**
 * The HTML of the wijkbericht pages (bodies for page() of ../layout.ts): the list with subscriber
 * counts per wijk, the form, a bericht's page with its preview per channel, the test, send or
 * schedule, and its progress. Works without JavaScript and on a phone; every dynamic string goes
 * through `html`. Counts only: no page lists who subscribed.
 */
import { html, type SafeHtml } from "../../http/html.ts";
import { csrfField, errorSummary, notice, textareaField } from "../content/views.ts";
import { formatDutchDateTime } from "../content/localTime.ts";
import type { WijkberichtFieldErrors, WijkberichtProgress, WijkberichtStatus } from "../wijkberichtActions.ts";

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

const firstLine = (text: string, max = 80) => {
  const line = text.split("\n")[0] ?? "";
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
        : html`<div class="table-scroll" role="region" aria-label="Tabel wijkberichten" tabindex="0"><table>
      <thead><tr><th scope="col">Bericht</th><th scope="col">Wijken</th><th scope="col">Status</th><th scope="col">Verstuurd</th><th scope="col">Wanneer</th></tr></thead>
      <tbody>${input.berichten.map(
        ({ bericht, progress }) => html`<tr>
        <td><a href="/inbox/wijkberichten/${bericht.id}">${firstLine(bericht.text)}</a></td>
        <td>${bericht.wijken.map((w) => w.wijk.name).join(", ")}</td>
        <td>${WIJKBERICHT_STATUS_LABELS[progress.status]}</td>
        <td>${progress.sent} van ${progress.recipients}</td>
        <td>${formatDutchDateTime(bericht.startedAt ?? bericht.scheduledAt ?? bericht.createdAt, input.timeZone)}</td>
      </tr>`,
      )}</tbody>
    </table></div>`
    }
  </section>
  <section aria-labelledby="h-abonnees">
    <h2 id="h-abonnees">Abonnees per wijk</h2>
    <p class="hint">Alleen aantallen: wie er is aangemeld, ziet niemand.</p>
    <div class="table-scroll" role="region" aria-label="Tabel abonnees per wijk" tabindex="0"><table>
      <thead><tr><th scope="col">Wijk</th><th scope="col">Elk bericht</th><th scope="col">Eén keer per week</th></tr></thead>
      <tbody>${input.wijken.map((wijk) => html`<tr><td>${wijk.name}</td><td>${wijk.subscribers.each}</td><td>${wijk.subscribers.weekly}</td></tr>`)}</tbody>
    </table></div>
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
        ${wijkError ? html`<p class="error-message" id="f-wijkIds-error"><span class="visually-hidden">Fout: </span>${wijkError}</p>` : ""}
        ${input.wijken.map(
          (wijk, index) => html`<div class="radio">
          <input type="checkbox" id="${index === 0 ? "f-wijkIds" : `f-wijkIds-${wijk.id}`}" name="wijkIds" value="${wijk.id}"${checked.includes(wijk.id) ? html` checked` : ""}>
          <label for="${index === 0 ? "f-wijkIds" : `f-wijkIds-${wijk.id}`}">${wijk.name} <span class="muted">(${wijk.subscribers.each + wijk.subscribers.weekly} abonnees)</span></label>
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
  channel: string;
  label: string;
  text: string;
  /** The photo's address: sent as a real photo, the text as its caption. */
  image: string | null;
  note: string | null;
}

function previewSection(previews: readonly ChannelPreview[]): SafeHtml {
  return html`<section aria-labelledby="h-voorbeeld">
    <h2 id="h-voorbeeld">Zo ziet het eruit</h2>
    <div class="previews">${previews.map(
      (preview) => html`<figure class="preview preview-${preview.channel}">
        <figcaption>${preview.label}</figcaption>
        <div class="bubble">${preview.image ? html`<p class="preview-photo">Foto (gaat als echte foto, met de tekst eronder): <a href="${preview.image}" rel="noreferrer">${preview.image}</a></p>` : ""}${preview.text.split("\n").map((line, index) => (index === 0 ? html`${line}` : html`<br>${line}`))}</div>
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
      ${figures.weekly > 0 ? html`<div><dt>In het weekoverzicht</dt><dd>${figures.weekly}</dd></div>` : ""}
    </dl>
  </section>`;
}

/** GET /inbox/wijkberichten/:id: the bericht, its preview, and what can be done now. */
export function wijkberichtDetailBody(input: {
  bericht: { id: string; status: string; scheduledAt: Date | null; startedAt: Date | null; finishedAt: Date | null; wijken: Array<{ wijk: { name: string } }>; author: { displayName: string } | null };
  progress: WijkberichtProgress;
  previews: readonly ChannelPreview[];
  /** Where a test goes; demoMailbox: the e-mail lands in the demo mailbox (no mail server). */
  test: { email: boolean; demoMailbox: boolean; telegram: boolean };
  scheduleValue: string;
  errors: Record<string, string>;
  csrfToken: string;
  notice: string | null;
  timeZone: string;
}): SafeHtml {
  const { bericht, progress, timeZone } = input;
  const editable = progress.status === "draft" || progress.status === "scheduled";
  const reach = `${progress.recipients} ${progress.recipients === 1 ? "abonnee" : "abonnees"}`;
  const testTargets = [input.test.email ? (input.test.demoMailbox ? "je demo-postvak" : "je e-mailadres") : null, input.test.telegram ? "je gekoppelde Telegram" : null].filter(Boolean).join(" en ");
  const scheduleError = input.errors.scheduledAt;
  return html`<p><a href="/inbox/wijkberichten">← Alle wijkberichten</a></p>
  <h1>Wijkbericht voor ${bericht.wijken.map((w) => w.wijk.name).join(", ")}</h1>
  ${notice(input.notice)}
  ${errorSummary({ ...input.errors })}
  <dl class="figures">
    <div><dt>Status</dt><dd data-figure="statusLabel">${WIJKBERICHT_STATUS_LABELS[progress.status]}</dd></div>
    <div><dt>Bereik</dt><dd>${reach}${progress.weekly > 0 ? html`, en ${progress.weekly} in het weekoverzicht` : ""}</dd></div>
    ${bericht.author ? html`<div><dt>Geschreven door</dt><dd>${bericht.author.displayName}</dd></div>` : ""}
    ${bericht.scheduledAt && progress.status === "scheduled" ? html`<div><dt>Gaat op</dt><dd>${formatDutchDateTime(bericht.scheduledAt, timeZone)}</dd></div>` : ""}
    ${bericht.startedAt ? html`<div><dt>Begonnen</dt><dd>${formatDutchDateTime(bericht.startedAt, timeZone)}</dd></div>` : ""}
    ${bericht.finishedAt ? html`<div><dt>Klaar</dt><dd>${formatDutchDateTime(bericht.finishedAt, timeZone)}</dd></div>` : ""}
  </dl>
  ${progress.status === "draft" || progress.status === "scheduled" ? "" : progressSection(bericht.id, progress)}
  ${previewSection(input.previews)}
  ${
    editable
      ? html`<section aria-labelledby="h-test">
    <h2 id="h-test">Test</h2>
    ${
      testTargets
        ? html`<p>Stuur het bericht eerst naar jezelf: naar ${testTargets}. Bewoners krijgen niets.</p>
    <form method="post" action="/inbox/wijkberichten/${bericht.id}/test">${csrfField(input.csrfToken)}<button type="submit" class="button">Stuur een test naar mezelf</button></form>
    ${input.test.demoMailbox ? html`<p class="hint">Alleen in de demo: er is geen mailserver, dus de e-mail komt in je <a href="/inbox/dev-mail">demo-postvak</a> in Wijklijn zelf.</p>` : ""}`
        : html`<p>Een test naar jezelf kan naar je e-mail (als e-mail aan staat) of naar je Telegram. <a href="/inbox/account">Koppel Telegram bij je account</a>. Tot dan: bekijk het voorbeeld hierboven.</p>`
    }
  </section>
  <section aria-labelledby="h-versturen">
    <h2 id="h-versturen">Versturen</h2>
    <form method="post" action="/inbox/wijkberichten/${bericht.id}/versturen" class="form">${csrfField(input.csrfToken)}
      <button type="submit" class="button button-primary">Nu versturen naar ${reach}</button>
    </form>
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
    progress.status === "draft" || progress.status === "scheduled" || progress.status === "sending"
      ? html`<form method="post" action="/inbox/wijkberichten/${bericht.id}/annuleren" class="form"${progress.status === "sending" ? html` data-stop-sending` : ""}>${csrfField(input.csrfToken)}
    <button type="submit" class="button button-danger">${progress.status === "sending" ? "Stoppen: de rest niet meer versturen" : "Annuleren"}</button>
  </form>`
      : ""
  }`;
}

/** An unknown bericht, or another tandem's. */
export function wijkberichtNotFoundBody(): SafeHtml {
  return html`<h1>Niet gevonden</h1><p>Dit wijkbericht bestaat niet, of hoort bij een andere tandem.</p><p><a href="/inbox/wijkberichten">Naar de wijkberichten</a></p>`;
}
