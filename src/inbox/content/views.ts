/**
 * The HTML of the wijk content pages (bodies for page() of ../layout.ts). Every dynamic string
 * goes through `html`, so a title like `<script>` shows as text. Forms follow the usual accessible
 * pattern: a label per field, hint and error tied to it with aria-describedby, aria-invalid, and an
 * error summary at the top linking to each field.
 */
import { html, type SafeHtml } from "../../http/html.ts";
import { NewsKindSchema, type NewsKind, type RegistrationStatus } from "../../db/content.repo.ts";
import type { FieldErrors, FormValues } from "./forms.ts";
import { formatDutchDate, formatDutchDateTime, formatDutchTime } from "./localTime.ts";
import { labelChannel } from "../../domain/vocabulary.ts";
import type { ListedSignUp } from "./signUps.ts";

/** Dutch labels of the news kinds, in the order the form offers them. */
export const NEWS_KIND_LABELS: Record<NewsKind, string> = {
  bericht: "Bericht",
  project: "Project",
  werkzaamheden: "Werkzaamheden",
  initiatief: "Initiatief van bewoners",
};

interface WijkOption {
  id: string;
  name: string;
}

const fieldId = (name: string) => `f-${name}`;

function describedBy(name: string, hint: string | undefined, error: string | undefined): SafeHtml | string {
  const ids = [hint ? `${fieldId(name)}-hint` : null, error ? `${fieldId(name)}-error` : null].filter((id) => id !== null);
  return ids.length > 0 ? html` aria-describedby="${ids.join(" ")}"` : "";
}

function fieldParts(name: string, label: string, hint: string | undefined, error: string | undefined, optional: boolean) {
  return html`<label for="${fieldId(name)}">${label}${optional ? html` <span class="muted">(niet verplicht)</span>` : ""}</label>
    ${hint ? html`<p class="hint" id="${fieldId(name)}-hint">${hint}</p>` : ""}
    ${error ? html`<p class="error-message" id="${fieldId(name)}-error"><span class="visually-hidden">Fout: </span>${error}</p>` : ""}`;
}

interface FieldOptions {
  name: string;
  label: string;
  values: FormValues;
  errors: FieldErrors;
  hint?: string;
  optional?: boolean;
}

function inputField(options: FieldOptions & { type?: string; maxlength?: number; min?: number; inputmode?: string }): SafeHtml {
  const error = options.errors[options.name];
  return html`<div class="field${error ? " field-error" : ""}">
    ${fieldParts(options.name, options.label, options.hint, error, options.optional ?? false)}
    <input id="${fieldId(options.name)}" name="${options.name}" type="${options.type ?? "text"}" value="${options.values[options.name] ?? ""}"${options.maxlength ? html` maxlength="${options.maxlength}"` : ""}${options.min !== undefined ? html` min="${options.min}"` : ""}${options.inputmode ? html` inputmode="${options.inputmode}"` : ""}${options.optional ? "" : html` required`}${error ? html` aria-invalid="true"` : ""}${describedBy(options.name, options.hint, error)}>
  </div>`;
}

/** A textarea with its label, hint and error (shared with the dialoogtafel summary form). */
export function textareaField(options: FieldOptions & { maxlength: number; rows?: number }): SafeHtml {
  const error = options.errors[options.name];
  // The limit is told, not enforced by the browser: a maxlength cuts a pasted text off without a word; the server says what is too long and keeps the text.
  const hint = [options.hint, `Hoogstens ${options.maxlength.toLocaleString("nl-NL")} tekens.`].filter(Boolean).join(" ");
  return html`<div class="field${error ? " field-error" : ""}">
    ${fieldParts(options.name, options.label, hint, error, options.optional ?? false)}
    <textarea id="${fieldId(options.name)}" name="${options.name}" rows="${options.rows ?? 5}"${options.optional ? "" : html` required`}${error ? html` aria-invalid="true"` : ""}${describedBy(options.name, hint, error)}>${options.values[options.name] ?? ""}</textarea>
  </div>`;
}

function wijkField(values: FormValues, errors: FieldErrors, wijken: readonly WijkOption[]): SafeHtml {
  const error = errors.wijkId;
  const selected = values.wijkId ?? (wijken.length === 1 ? wijken[0]?.id : undefined);
  return html`<div class="field${error ? " field-error" : ""}">
    ${fieldParts("wijkId", "Wijk", undefined, error, false)}
    <select id="${fieldId("wijkId")}" name="wijkId" required${error ? html` aria-invalid="true"` : ""}${describedBy("wijkId", undefined, error)}>
      <option value="">Kies een wijk</option>
      ${wijken.map((wijk) => html`<option value="${wijk.id}"${wijk.id === selected ? html` selected` : ""}>${wijk.name}</option>`)}
    </select>
  </div>`;
}

function kindField(values: FormValues, errors: FieldErrors): SafeHtml {
  const error = errors.kind;
  const current = values.kind ?? "bericht";
  return html`<div class="field${error ? " field-error" : ""}">
    <fieldset${error ? html` aria-describedby="${fieldId("kind")}-error"` : ""}>
      <legend>Soort bericht</legend>
      ${error ? html`<p class="error-message" id="${fieldId("kind")}-error"><span class="visually-hidden">Fout: </span>${error}</p>` : ""}
      ${Object.entries(NEWS_KIND_LABELS).map(
        ([kind, label], index) => html`<div class="radio">
          <input type="radio" id="${index === 0 ? fieldId("kind") : `${fieldId("kind")}-${kind}`}" name="kind" value="${kind}"${kind === current ? html` checked` : ""}>
          <label for="${index === 0 ? fieldId("kind") : `${fieldId("kind")}-${kind}`}">${label}</label>
        </div>`,
      )}
    </fieldset>
  </div>`;
}

const FIELD_ORDER = ["wijkId", "kind", "title", "body", "topic", "location", "startsAt", "endsAt", "capacity", "link", "expires", "heard", "next", "action", "form"];

/** The error summary at the top of a form, linking to each field. */
export function errorSummary(errors: FieldErrors): SafeHtml | string {
  const entries = Object.entries(errors).sort(([a], [b]) => FIELD_ORDER.indexOf(a) - FIELD_ORDER.indexOf(b));
  if (entries.length === 0) return "";
  return html`<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
    <h2 id="error-summary-title">Controleer het formulier</h2>
    <ul>${entries.map(([field, message]) => html`<li><a href="#${fieldId(field === "form" ? "title" : field)}">${message}</a></li>`)}</ul>
  </div>`;
}

/** The CSRF token of the session, for every form that changes something. */
export function csrfField(csrfToken: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${csrfToken}">`;
}

/** A confirmation after an action (role=status). */
export function notice(message: string | null): SafeHtml | string {
  return message ? html`<div class="flash flash-ok" role="status"><p>${message}</p></div>` : "";
}

/** A news item's state as staff read it. */
export function newsState(item: { publishedAt: Date | null; expiresAt: Date | null }, now: Date): "concept" | "gepland" | "gepubliceerd" | "verlopen" {
  if (!item.publishedAt) return "concept";
  if (item.expiresAt && item.expiresAt <= now) return "verlopen";
  return item.publishedAt > now ? "gepland" : "gepubliceerd";
}

const NEWS_STATE_LABELS = { concept: "Concept", gepland: "Gepland", gepubliceerd: "Gepubliceerd", verlopen: "Verlopen" } as const;

interface OverviewNews {
  id: string;
  title: string;
  kind: string;
  publishedAt: Date | null;
  expiresAt: Date | null;
  updatedAt: Date;
  wijk: { name: string };
}

interface OverviewTafel {
  id: string;
  title: string;
  startsAt: Date;
  capacity: number;
  status: string;
  wijk: { name: string };
  signUps: { registered: number; waitlist: number; cancelled: number };
}

/** GET /inbox/content: dialoogtafels (upcoming first) and news of the user's wijken. */
export function overviewBody(input: {
  news: readonly OverviewNews[];
  tafels: readonly OverviewTafel[];
  wijken: readonly WijkOption[];
  isAdmin: boolean;
  notice: string | null;
  timeZone: string;
  now: Date;
}): SafeHtml {
  const { timeZone, now } = input;
  const order = { concept: 0, gepland: 1, gepubliceerd: 2, verlopen: 3 };
  const news = [...input.news].sort((a, b) => order[newsState(a, now)] - order[newsState(b, now)] || (b.publishedAt ?? b.updatedAt).getTime() - (a.publishedAt ?? a.updatedAt).getTime());
  const scope = input.isAdmin ? "alle wijken" : input.wijken.length > 0 ? input.wijken.map((w) => w.name).join(", ") : "geen wijken (je hoort nog bij geen tandem)";
  return html`<h1>Wijknieuws en dialoogtafels</h1>
  ${notice(input.notice)}
  <p>Wat je hier publiceert, laat de bot meteen aan bewoners zien. Je beheert: ${scope}.</p>
  ${
    input.wijken.length > 0
      ? html`<ul class="actions">
    <li><a class="button button-primary" href="/inbox/content/nieuws/nieuw">Nieuw bericht</a></li>
    <li><a class="button" href="/inbox/content/tafel/nieuw">Nieuwe dialoogtafel</a></li>
  </ul>`
      : ""
  }
  <section aria-labelledby="h-tafels">
    <h2 id="h-tafels">Dialoogtafels</h2>
    ${
      input.tafels.length === 0
        ? html`<p>Er zijn nog geen dialoogtafels.</p>`
        : html`<div class="table-scroll" role="region" aria-label="Tabel dialoogtafels" tabindex="0"><table>
      <thead><tr><th scope="col">Wanneer</th><th scope="col">Dialoogtafel</th><th scope="col">Wijk</th><th scope="col">Aangemeld</th><th scope="col">Wachtlijst</th><th scope="col">Status</th></tr></thead>
      <tbody>${input.tafels.map(
        (tafel) => html`<tr>
        <td>${formatDutchDateTime(tafel.startsAt, timeZone)}</td>
        <td><a href="/inbox/content/tafel/${tafel.id}">${tafel.title}</a></td>
        <td>${tafel.wijk.name}</td>
        <td>${tafel.signUps.registered} van ${tafel.capacity}</td>
        <td>${tafel.signUps.waitlist}</td>
        <td>${tafel.status === "cancelled" ? "Geannuleerd" : tafel.startsAt <= now ? "Geweest" : "Gepland"}</td>
      </tr>`,
      )}</tbody>
    </table></div>`
    }
  </section>
  <section aria-labelledby="h-nieuws">
    <h2 id="h-nieuws">Wijknieuws</h2>
    ${
      news.length === 0
        ? html`<p>Er zijn nog geen berichten.</p>`
        : html`<div class="table-scroll" role="region" aria-label="Tabel wijknieuws" tabindex="0"><table>
      <thead><tr><th scope="col">Bericht</th><th scope="col">Soort</th><th scope="col">Wijk</th><th scope="col">Status</th><th scope="col">Zichtbaar tot en met</th></tr></thead>
      <tbody>${news.map(
        (item) => html`<tr>
        <td><a href="/inbox/content/nieuws/${item.id}">${item.title}</a></td>
        <td>${NEWS_KIND_LABELS[NewsKindSchema.catch("bericht").parse(item.kind)]}</td>
        <td>${item.wijk.name}</td>
        <td>${NEWS_STATE_LABELS[newsState(item, now)]}${item.publishedAt && newsState(item, now) === "gepubliceerd" ? html` <span class="muted">sinds ${formatDutchDate(item.publishedAt, timeZone)}</span>` : ""}</td>
        <td>${item.expiresAt ? formatDutchDate(new Date(item.expiresAt.getTime() - 1), timeZone) : "geen einddatum"}</td>
      </tr>`,
      )}</tbody>
    </table></div>`
    }
  </section>`;
}

/** The news item form (new or edit). */
export function newsFormBody(input: {
  item: { id: string; publishedAt: Date | null; expiresAt: Date | null } | null;
  values: FormValues;
  errors: FieldErrors;
  wijken: readonly WijkOption[];
  csrfToken: string;
  notice?: string | null;
  timeZone: string;
  now: Date;
}): SafeHtml {
  const { item, values, errors } = input;
  const state = item ? newsState(item, input.now) : null;
  const published = state === "gepubliceerd" || state === "gepland";
  return html`<p><a href="/inbox/content">← Wijknieuws en dialoogtafels</a></p>
  <h1>${item ? "Bericht bewerken" : "Nieuw bericht"}</h1>
  ${notice(input.notice ?? null)}
  ${errorSummary(errors)}
  ${item && state ? html`<p>Status: <strong>${NEWS_STATE_LABELS[state]}</strong>${item.publishedAt && published ? html`, gepubliceerd op ${formatDutchDateTime(item.publishedAt, input.timeZone)}` : ""}.</p>` : ""}
  <form method="post" action="${item ? `/inbox/content/nieuws/${item.id}` : "/inbox/content/nieuws"}" novalidate>
    ${csrfField(input.csrfToken)}
    ${wijkField(values, errors, input.wijken)}
    ${kindField(values, errors)}
    ${inputField({ name: "title", label: "Titel", values, errors, maxlength: 120 })}
    ${textareaField({ name: "body", label: "Tekst", hint: "Kort en in gewone taal: de bot stuurt dit zo naar bewoners.", values, errors, maxlength: 1000, rows: 6 })}
    ${inputField({ name: "link", label: "Link naar meer informatie", hint: "Alleen links die met https:// beginnen.", type: "url", values, errors, optional: true, maxlength: 500 })}
    ${inputField({ name: "expires", label: "Zichtbaar tot en met", hint: "Na deze dag laat de bot het bericht niet meer zien.", type: "date", values, errors, optional: true })}
    ${errors.action ? html`<p class="error-message" id="${fieldId("action")}-error">${errors.action}</p>` : ""}
    <div class="buttons">
      ${
        published
          ? html`<button type="submit" id="${fieldId("action")}" name="action" value="publish" class="primary">Opslaan</button>
      <button type="submit" name="action" value="unpublish">Publicatie intrekken</button>`
          : html`<button type="submit" id="${fieldId("action")}" name="action" value="publish" class="primary">Nu publiceren</button>
      <button type="submit" name="action" value="draft">Opslaan als concept</button>`
      }
    </div>
  </form>`;
}

/** The dialoogtafel form (new or edit). */
export function tafelFormBody(input: {
  tafel: { id: string; title: string } | null;
  values: FormValues;
  errors: FieldErrors;
  wijken: readonly WijkOption[];
  csrfToken: string;
  timeZone: string;
}): SafeHtml {
  const { tafel, values, errors } = input;
  return html`<p><a href="${tafel ? `/inbox/content/tafel/${tafel.id}` : "/inbox/content"}">← ${tafel ? tafel.title : "Wijknieuws en dialoogtafels"}</a></p>
  <h1>${tafel ? "Dialoogtafel bewerken" : "Nieuwe dialoogtafel"}</h1>
  ${errorSummary(errors)}
  <form method="post" action="${tafel ? `/inbox/content/tafel/${tafel.id}` : "/inbox/content/tafel"}" novalidate>
    ${csrfField(input.csrfToken)}
    ${wijkField(values, errors, input.wijken)}
    ${inputField({ name: "title", label: "Titel", values, errors, maxlength: 120 })}
    ${textareaField({ name: "topic", label: "Onderwerp", hint: "Waar gaat het gesprek over? De bot noemt dit bij de uitnodiging.", values, errors, maxlength: 300, rows: 3 })}
    ${inputField({ name: "location", label: "Locatie", hint: "Bijvoorbeeld: Buurthuis De Burgt, Burgtstraat 1.", values, errors, maxlength: 200 })}
    ${inputField({ name: "startsAt", label: "Begint op", hint: `Datum en tijd in Nederland (${input.timeZone}).`, type: "datetime-local", values, errors })}
    ${inputField({ name: "endsAt", label: "Eindigt op", type: "datetime-local", values, errors, optional: true })}
    ${inputField({
      name: "capacity",
      label: "Aantal plaatsen",
      hint: tafel
        ? "Minder plaatsen haalt niemand van de lijst af. Meer plaatsen geeft mensen op de wachtlijst een plaats, in volgorde van aanmelden."
        : "Wie zich aanmeldt als alle plaatsen vol zijn, komt op de wachtlijst.",
      type: "number",
      min: 1,
      inputmode: "numeric",
      values,
      errors,
    })}
    <div class="buttons"><button type="submit" class="primary">${tafel ? "Opslaan" : "Dialoogtafel aanmaken"}</button></div>
  </form>`;
}

function signUpTable(id: string, caption: string, rows: readonly ListedSignUp[], timeZone: string, empty: string): SafeHtml {
  return html`<section aria-labelledby="${id}">
    <h3 id="${id}">${caption} (${rows.length})</h3>
    ${
      rows.length === 0
        ? html`<p>${empty}</p>`
        : html`<div class="table-scroll" role="region" aria-label="Tabel ${caption.toLowerCase()}" tabindex="0"><table>
      <thead><tr><th scope="col">Volgorde</th><th scope="col">Nummer</th><th scope="col">Kanaal</th><th scope="col">Aangemeld op</th></tr></thead>
      <tbody>${rows.map(
        (row) =>
          html`<tr><td>${row.position}</td><td><span class="pseudonym">${row.number}</span></td><td>${row.channel ? labelChannel(row.channel) : "onbekend"}</td><td>${formatDutchDateTime(row.signedUpAt, timeZone)}</td></tr>`,
      )}</tbody>
    </table></div>`
    }
  </section>`;
}

/** A dialoogtafel with its sign-up list, export link and cancel button. */
export function tafelDetailBody(input: {
  tafel: { id: string; title: string; topic: string; location: string; startsAt: Date; endsAt: Date | null; capacity: number; status: string; wijk: { name: string } };
  groups: Record<RegistrationStatus, ListedSignUp[]>;
  csrfToken: string;
  notice: string | null;
  timeZone: string;
  now: Date;
}): SafeHtml {
  const { tafel, groups, timeZone } = input;
  const cancelled = tafel.status === "cancelled";
  const over = groups.registered.length - tafel.capacity;
  return html`<p><a href="/inbox/content">← Wijknieuws en dialoogtafels</a></p>
  <h1>${tafel.title}</h1>
  ${notice(input.notice)}
  ${cancelled ? html`<p class="warning"><strong>Deze dialoogtafel is geannuleerd.</strong> De bot laat hem niet meer zien en neemt geen aanmeldingen meer aan. Wie aangemeld was of op de wachtlijst stond, kreeg van de bot een bericht dat hij niet doorgaat.</p>` : ""}
  <dl class="facts">
    <dt>Wijk</dt><dd>${tafel.wijk.name}</dd>
    <dt>Wanneer</dt><dd>${formatDutchDateTime(tafel.startsAt, timeZone)}${tafel.endsAt ? html` tot ${formatDutchTime(tafel.endsAt, timeZone)}` : ""}</dd>
    <dt>Waar</dt><dd>${tafel.location}</dd>
    <dt>Onderwerp</dt><dd>${tafel.topic}</dd>
    <dt>Plaatsen</dt><dd>${groups.registered.length} van ${tafel.capacity} bezet${over > 0 ? html` (${over} meer dan het aantal plaatsen: niemand wordt van de lijst gehaald)` : ""}; ${groups.waitlist.length} op de wachtlijst</dd>
  </dl>
  <ul class="actions">
    ${cancelled ? "" : html`<li><a class="button" href="/inbox/content/tafel/${tafel.id}/bewerken">Bewerken</a></li>`}
    <li><a class="button" href="/inbox/content/tafel/${tafel.id}/export.csv" download>Lijst downloaden (CSV, voor Excel)</a></li>
    ${
      cancelled
        ? ""
        : html`<li><a class="button" href="/inbox/content/tafel/${tafel.id}/aanwezig">Aanwezigheid bijhouden</a></li>
    <li><a class="button" href="/inbox/content/tafel/${tafel.id}/verslag">Verslag schrijven</a></li>`
    }
  </ul>
  <section aria-labelledby="h-aanmeldingen">
    <h2 id="h-aanmeldingen">Aanmeldingen</h2>
    <p>Bewoners staan in Wijklijn niet met hun naam. Elke aanmelding heeft een eigen nummer: de bewoner krijgt het bij de bevestiging en kan het bij de deur laten zien.</p>
    ${signUpTable("h-aangemeld", "Aangemeld", groups.registered, timeZone, "Nog niemand aangemeld.")}
    ${signUpTable("h-wachtlijst", "Wachtlijst", groups.waitlist, timeZone, "Niemand op de wachtlijst.")}
    ${signUpTable("h-afgemeld", "Afgemeld", groups.cancelled, timeZone, "Niemand afgemeld.")}
  </section>
  ${
    cancelled
      ? ""
      : html`<section aria-labelledby="h-annuleren">
    <h2 id="h-annuleren">Annuleren</h2>
    <p>Na annuleren laat de bot deze dialoogtafel niet meer zien. ${tellsOnCancel(groups.registered.length + groups.waitlist.length)} Dit kun je niet ongedaan maken.</p>
    <p><a class="button button-danger" href="/inbox/content/tafel/${tafel.id}/annuleren">Dialoogtafel annuleren…</a></p>
  </section>`
  }`;
}

/**
 * GET /inbox/content/tafel/:id/annuleren: asks first, on a page of its own (works without
 * JavaScript), because cancelling cannot be undone and messages everyone signed up.
 */
export function tafelCancelConfirmBody(input: { tafel: { id: string; title: string; startsAt: Date; location: string }; people: number; csrfToken: string; timeZone: string }): SafeHtml {
  const { tafel } = input;
  return html`<p><a href="/inbox/content/tafel/${tafel.id}">← Terug naar de dialoogtafel</a></p>
  <h1>${tafel.title} annuleren?</h1>
  <p>${formatDutchDateTime(tafel.startsAt, input.timeZone)}, ${tafel.location}.</p>
  <p>Na annuleren laat de bot deze dialoogtafel niet meer zien. ${tellsOnCancel(input.people)} <strong>Dit kun je niet ongedaan maken.</strong></p>
  <form method="post" action="/inbox/content/tafel/${tafel.id}/annuleren">
    ${csrfField(input.csrfToken)}
    <div class="buttons"><button type="submit" class="danger">Ja, annuleren</button> <a class="button" href="/inbox/content/tafel/${tafel.id}">Nee, niet annuleren</a></div>
  </form>`;
}

/** What cancelling tells residents: everyone signed up or on the waitlist gets a message on their own channel (src/jobs/dialoogtafelNotices.ts). */
function tellsOnCancel(people: number): string {
  if (people === 0) return "Er is nog niemand aangemeld, dus niemand krijgt een bericht.";
  const who = people === 1 ? "De bewoner die aangemeld is of op de wachtlijst staat, krijgt" : `De ${people} bewoners die aangemeld zijn of op de wachtlijst staan, krijgen`;
  return `${who} van de bot een bericht dat de dialoogtafel niet doorgaat, via het kanaal waarmee ze zich aanmeldden.`;
}

/** The 404 body: the same for unknown ids and for another tandem's content, so ids reveal nothing. */
export function notFoundBody(): SafeHtml {
  return html`<h1>Niet gevonden</h1><p>Dit bericht of deze dialoogtafel bestaat niet, of hoort niet bij de wijken van jouw tandem.</p><p><a href="/inbox/content">Naar wijknieuws en dialoogtafels</a></p>`;
}

/** The page shown when a cancelled dialoogtafel is edited. */
export function cancelledBody(tafelId: string): SafeHtml {
  return html`<h1>Geannuleerd</h1><p>Deze dialoogtafel is geannuleerd en kan niet meer worden gewijzigd.</p><p><a href="/inbox/content/tafel/${tafelId}">Terug naar de dialoogtafel</a></p>`;
}
