/**
 * GET /inbox/canned: the canned replies of my tandems (every tandem for an admin), with forms
 * to add and delete them for gebiedsregisseurs and admins; wethouders read. Rendering only.
 */
import type { CannedReplyView, TandemOption } from "../../db/inbox.repo.ts";
import { html, type SafeHtml } from "../../http/html.ts";
import { flashMessage, multiline } from "./format.ts";

/** What the canned-replies page shows. */
export interface CannedPageInput {
  tandems: TandemOption[];
  replies: CannedReplyView[];
  canEdit: boolean;
  csrfToken: string;
  rawQuery: unknown;
}

function tandemSection(input: CannedPageInput, tandem: TandemOption): SafeHtml {
  const replies = input.replies.filter((reply) => reply.tandemId === tandem.id);
  const csrf = html`<input type="hidden" name="_csrf" value="${input.csrfToken}">`;
  const headingId = `tandem-${tandem.slug}`;
  const list =
    replies.length === 0
      ? html`<p>Deze tandem heeft nog geen standaardantwoorden.</p>`
      : html`<ul class="canned">${replies.map(
          (reply) => html`<li><h3>${reply.title}</h3><div class="text">${multiline(reply.body)}</div>
          ${input.canEdit ? html`<form method="post" action="/inbox/canned/${encodeURIComponent(reply.id)}/delete">${csrf}<button type="submit">Verwijderen<span class="visually-hidden">: ${reply.title}</span></button></form>` : ""}</li>`,
        )}</ul>`;
  const form = input.canEdit
    ? html`<form method="post" action="/inbox/canned" class="canned-new">
    ${csrf}<input type="hidden" name="tandem" value="${tandem.id}">
    <fieldset><legend>Nieuw standaardantwoord voor ${tandem.name}</legend>
      <div class="field"><label for="title-${tandem.slug}">Titel</label><input id="title-${tandem.slug}" name="title" maxlength="100" required></div>
      <div class="field"><label for="body-${tandem.slug}">Tekst</label><textarea id="body-${tandem.slug}" name="body" rows="4" maxlength="4000" required aria-describedby="hint-${tandem.slug}"></textarea>
        <p class="hint" id="hint-${tandem.slug}">{{reference}} wordt het kenmerk van het gesprek (WL-2026-00042), {{wijk}} de naam van de wijk.</p></div>
    </fieldset>
    <button type="submit">Toevoegen</button>
  </form>`
    : "";
  return html`<section aria-labelledby="${headingId}"><h2 id="${headingId}">Tandem ${tandem.name}</h2>${list}${form}</section>`;
}

/** The whole canned-replies page body. */
export function renderCannedPage(input: CannedPageInput): SafeHtml {
  return html`<p class="back"><a href="/inbox">Alle gesprekken</a></p>
<h1>Standaardantwoorden</h1>
${flashMessage(input.rawQuery)}
<p>Kies een standaardantwoord bij het beantwoorden van een gesprek; je kunt de tekst daarna nog aanpassen.</p>
${input.tandems.length === 0 ? html`<p>Je hoort bij geen enkele tandem.</p>` : input.tandems.map((tandem) => tandemSection(input, tandem))}`;
}
