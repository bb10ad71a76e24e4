/**
 * The HTML of a dialoogtafel's evening and afterwards (bodies for page() of ../layout.ts): the
 * check-in list, made for a phone at the door and working without JavaScript (one form and one
 * large button per person), and the summary form. Every dynamic string goes through `html`.
 */
import { html, type SafeHtml } from "../../http/html.ts";
import type { FieldErrors, FormValues } from "../content/forms.ts";
import { formatDutchDateTime } from "../content/localTime.ts";
import { csrfField, errorSummary, notice, textareaField } from "../content/views.ts";
import type { CheckInRow } from "../tafelActions.ts";
import { SUMMARY_PART_MAX } from "../tafelActions.ts";

interface TafelHeading {
  id: string;
  title: string;
  location: string;
  startsAt: Date;
  status: string;
  wijk: { name: string };
}

/** The check-in list: who signed up (number and masked address), present or not, a tap to change it. */
export function checkInBody(input: { tafel: TafelHeading; rows: readonly CheckInRow[]; csrfToken: string; notice: string | null; timeZone: string }): SafeHtml {
  const { tafel, rows } = input;
  const present = rows.filter((row) => row.checkedIn).length;
  const cancelled = tafel.status === "cancelled";
  return html`<p><a href="/inbox/content/tafel/${tafel.id}">← ${tafel.title}</a></p>
  <h1>Aanwezig bij ${tafel.title}</h1>
  ${notice(input.notice)}
  <p>${formatDutchDateTime(tafel.startsAt, input.timeZone)}, ${tafel.location}.</p>
  <p id="telling" role="status"><strong>${present} van ${rows.length}</strong> aanwezig.</p>
  ${cancelled ? html`<p class="warning"><strong>Deze dialoogtafel is geannuleerd.</strong></p>` : ""}
  <p class="hint">Vraag bij de deur naar het aanmeldnummer: bewoners kregen het in de chat bij hun aanmelding. Of vraag naar de laatste cijfers van hun telefoonnummer. Bewoners staan in Wijklijn niet met hun naam.</p>
  ${
    rows.length === 0
      ? html`<p class="empty">Nog niemand aangemeld.</p>`
      : html`<ul class="check-in" aria-label="Aanmeldingen">
    ${rows.map(
      (row) => html`<li id="r-${row.registrationId}">
      <form method="post" action="/inbox/content/tafel/${tafel.id}/aanwezig/${row.registrationId}">
        ${csrfField(input.csrfToken)}
        <input type="hidden" name="present" value="${row.checkedIn ? "0" : "1"}">
        <span class="who"><span class="number">${row.number}</span> ${row.who}${row.checkedIn ? html`<span class="state">✓ Aanwezig</span>` : ""}</span>
        ${
          cancelled
            ? ""
            : row.checkedIn
              ? html`<button type="submit">Toch niet <span class="visually-hidden">aanwezig: ${row.number}</span></button>`
              : html`<button type="submit" class="primary">Aanwezig <span class="visually-hidden">: ${row.number}</span></button>`
        }
      </form>
    </li>`,
    )}
  </ul>`
  }
  <p><a href="/inbox/content/tafel/${tafel.id}/verslag">Na afloop: het verslag schrijven</a></p>`;
}

/** The summary form: what we heard, what we will do; a draft, or published and sent. */
export function summaryBody(input: {
  tafel: TafelHeading & { summaryPublishedAt: Date | null };
  values: FormValues;
  errors: FieldErrors;
  checkedIn: number;
  csrfToken: string;
  notice: string | null;
  timeZone: string;
  now: Date;
}): SafeHtml {
  const { tafel, values, errors } = input;
  const published = tafel.summaryPublishedAt;
  const begun = tafel.startsAt <= input.now;
  const people = input.checkedIn === 1 ? "1 bewoner" : `${input.checkedIn} bewoners`;
  return html`<p><a href="/inbox/content/tafel/${tafel.id}">← ${tafel.title}</a></p>
  <h1>Verslag van ${tafel.title}</h1>
  ${notice(input.notice)}
  ${errorSummary(errors)}
  ${errors.form ? html`<p class="error-message" id="f-title">${errors.form}</p>` : ""}
  <dl class="facts">
    <dt>Wanneer</dt><dd>${formatDutchDateTime(tafel.startsAt, input.timeZone)}</dd>
    <dt>Wijk</dt><dd>${tafel.wijk.name}</dd>
    <dt>Aanwezig</dt><dd>${people} (<a href="/inbox/content/tafel/${tafel.id}/aanwezig">aanwezigheid</a>)</dd>
    ${published ? html`<dt>Gepubliceerd</dt><dd>${formatDutchDateTime(published, input.timeZone)}: in het wijknieuws en naar wie er was</dd>` : ""}
  </dl>
  ${
    published
      ? html`<p>Je kunt de tekst nog verbeteren. Het wijknieuws verandert mee; bewoners krijgen het bericht niet nog een keer.</p>`
      : html`<p>Publiceren zet het verslag in het wijknieuws van ${tafel.wijk.name} en stuurt het naar de ${people} die aanwezig ${input.checkedIn === 1 ? "was" : "waren"}, elk via hun eigen kanaal. Dat gebeurt één keer.</p>`
  }
  ${!begun ? html`<p class="warning">Deze dialoogtafel is nog niet begonnen. Een verslag kan pas daarna.</p>` : ""}
  <form method="post" action="/inbox/content/tafel/${tafel.id}/verslag" class="form" novalidate>
    ${csrfField(input.csrfToken)}
    ${textareaField({ name: "heard", label: "Wat we hoorden", values, errors, maxlength: SUMMARY_PART_MAX, rows: 6, hint: "Kort en in gewone taal: de belangrijkste punten van bewoners." })}
    ${textareaField({ name: "next", label: "Wat we gaan doen", values, errors, maxlength: SUMMARY_PART_MAX, rows: 6, hint: "Wat de gemeente en de wijk gaan doen, en wanneer bewoners weer iets horen." })}
    <div class="buttons">
      ${
        published
          ? html`<button type="submit" name="action" value="publish" class="primary">Verbetering opslaan</button>`
          : html`<button type="submit" name="action" value="publish" class="primary">Publiceren en versturen</button>
      <button type="submit" name="action" value="save">Opslaan als concept</button>`
      }
    </div>
  </form>`;
}
