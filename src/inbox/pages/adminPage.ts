/**
 * GET /inbox/admin: what an admin must keep an eye on across tandems. Residents who waited too
 * long, conversations that belong to no tandem, outbox messages that could not be delivered (with
 * a retry button), the staff accounts (with "Nieuw wachtwoord instellen"), and the WhatsApp Web
 * session with its QR code. Rendering only.
 */
import type { Settings } from "../../conversation/flowSchema.ts";
import type { DeadOutboxMessage, InboxListItem, UnroutedConversation } from "../../db/inbox.repo.ts";
import type { StaffAccountRow } from "../../db/staffAccount.repo.ts";
import { labelChannel } from "../../domain/vocabulary.ts";
import { redactText } from "../../privacy/redact.ts";
import { html, SafeHtml } from "../../http/html.ts";
import { CHANNEL_LABELS, emergencyBadge, flashMessage, formatWorkingDuration, STATUS_LABELS, timeElement } from "./format.ts";
import { waitingTime } from "./waitingTime.ts";

/** The WhatsApp Web session as the admin page shows it. */
export interface WhatsappWebStatusView {
  /** starting | qr | ready | disconnected | stopped | standby (another instance runs it) */
  state: string;
  /** The text to encode in the QR code while a scan is awaited. */
  qr: string | null;
  since: Date;
  lastError?: string | null;
}

/** What the admin page shows. */
export interface AdminPageInput {
  /** Open conversations, longest wait first (the page keeps the overdue ones). */
  open: InboxListItem[];
  withoutTandem: UnroutedConversation[];
  deadOutbox: DeadOutboxMessage[];
  /** Every staff account of the gemeente. */
  staffAccounts?: StaffAccountRow[];
  /** undefined: the service gave no WhatsApp Web status (channel off). */
  whatsappWeb: WhatsappWebStatusView | null | undefined;
  /** An SVG image of the QR code, when a QR library renders it. */
  qrSvg: string | null;
  csrfToken: string;
  settings: Settings;
  timeZone: string;
  now: Date;
  rawQuery: unknown;
}

const WHATSAPP_STATES: Record<string, string> = {
  starting: "Wordt gestart",
  qr: "Wacht op koppeling: scan de QR-code",
  ready: "Verbonden",
  disconnected: "Verbinding verbroken; er wordt opnieuw verbonden",
  stopped: "Gestopt",
  standby: "Draait op een andere instantie van Wijklijn; deze neemt het over als die stopt",
};

function conversationLink(id: string | null, reference: string | null): SafeHtml | string {
  if (!id || !reference) return "—";
  return html`<a href="/inbox/c/${encodeURIComponent(id)}">${reference}</a>`;
}

function overdueSection(input: AdminPageInput): SafeHtml {
  const target = input.settings.responseTargetWorkingHours;
  const rows = input.open.flatMap((item) => {
    const wait = waitingTime(item.waitingSince, input.now, input.settings, input.timeZone);
    return wait?.overdue ? [{ item, wait }] : [];
  });
  const body =
    rows.length === 0
      ? html`<p>Geen enkele bewoner wacht langer dan ${target} werkuren.</p>`
      : html`<div class="table-scroll" role="region" aria-labelledby="te-laat-caption" tabindex="0"><table>
  <caption id="te-laat-caption">${rows.length} ${rows.length === 1 ? "gesprek wacht" : "gesprekken wachten"} langer dan ${target} werkuren, langst wachtende eerst</caption>
  <thead><tr><th scope="col">Kenmerk</th><th scope="col">Tandem</th><th scope="col">Wijk</th><th scope="col">Wacht (werktijd)</th><th scope="col">Toegewezen aan</th></tr></thead>
  <tbody>${rows.map(
    ({
      item,
      wait,
    }) => html`<tr><th scope="row">${conversationLink(item.id, item.reference)} ${emergencyBadge(item.emergency)}</th><td>${item.tandemName ?? "—"}</td><td>${item.wijkName ?? "Onbekend"}</td>
    <td>${formatWorkingDuration(wait.workingMs)}${item.waitingSince ? html`<br><span class="since">sinds ${timeElement(item.waitingSince, input.timeZone)}</span>` : ""}</td><td>${item.assignee?.name ?? "Niemand"}</td></tr>`,
  )}</tbody></table></div>`;
  return html`<section aria-labelledby="te-laat-kop"><h2 id="te-laat-kop">Te lang wachtend, alle tandems</h2>${body}</section>`;
}

function withoutTandemSection(input: AdminPageInput): SafeHtml {
  const body =
    input.withoutTandem.length === 0
      ? html`<p>Alle gesprekken bij medewerkers horen bij een tandem.</p>`
      : html`<div class="table-scroll" role="region" aria-labelledby="zonder-caption" tabindex="0"><table>
  <caption id="zonder-caption">Gesprekken zonder tandem: wijk onbekend of niet actief. Kies in het gesprek de juiste wijk.</caption>
  <thead><tr><th scope="col">Kenmerk</th><th scope="col">Wijk</th><th scope="col">Kanaal</th><th scope="col">Status</th><th scope="col">Laatste bericht</th></tr></thead>
  <tbody>${input.withoutTandem.map(
    (row) => html`<tr><th scope="row">${conversationLink(row.id, row.reference)}</th><td>${row.wijkName ? html`${row.wijkName}${row.wijkActive === false ? " (niet actief)" : ""}` : "Onbekend"}</td>
    <td>${CHANNEL_LABELS[row.channel]}</td><td>${STATUS_LABELS[row.status]}</td><td>${timeElement(row.lastMessageAt, input.timeZone)}</td></tr>`,
  )}</tbody></table></div>`;
  return html`<section aria-labelledby="zonder-kop"><h2 id="zonder-kop">Zonder tandem</h2>${body}</section>`;
}

function deadOutboxSection(input: AdminPageInput): SafeHtml {
  const body =
    input.deadOutbox.length === 0
      ? html`<p>Alle berichten zijn bezorgd of onderweg.</p>`
      : html`<div class="table-scroll" role="region" aria-labelledby="dood-caption" tabindex="0"><table>
  <caption id="dood-caption">Berichten aan bewoners die na herhaalde pogingen niet bezorgd zijn, nieuwste eerst</caption>
  <thead><tr><th scope="col">Kanaal</th><th scope="col">Gesprek</th><th scope="col">Pogingen</th><th scope="col">Laatste fout</th><th scope="col">Aangemaakt</th><th scope="col">Actie</th></tr></thead>
  <tbody>${input.deadOutbox.map(
    (row) => html`<tr><td>${labelChannel(row.channel)}</td><td>${conversationLink(row.conversationId, row.reference)}</td><td>${row.attempts}</td>
    <td>${row.lastError ? html`<code>${redactText(row.lastError)}</code>` : "—"}</td><td>${timeElement(row.createdAt, input.timeZone)}</td>
    <td><form method="post" action="/inbox/admin/outbox/${encodeURIComponent(row.id)}/retry"><input type="hidden" name="_csrf" value="${input.csrfToken}">
      <button type="submit">Opnieuw proberen<span class="visually-hidden"> (${row.reference ?? "bericht"}, ${labelChannel(row.channel)})</span></button></form></td></tr>`,
  )}</tbody></table></div>`;
  return html`<section aria-labelledby="dood-kop"><h2 id="dood-kop">Niet bezorgde berichten</h2>${body}</section>`;
}

function whatsappSection(input: AdminPageInput): SafeHtml {
  const status = input.whatsappWeb;
  if (!status) {
    return html`<section aria-labelledby="wa-kop"><h2 id="wa-kop">WhatsApp Web</h2><p>WhatsApp Web staat niet aan. Je technisch beheerder kan het aanzetten (instelling <code>WHATSAPP_WEB_ENABLED=true</code>).</p></section>`;
  }
  let qr: SafeHtml | "" = "";
  if (status.state === "qr" && status.qr) {
    qr = input.qrSvg
      ? html`<figure class="qr"><div role="img" aria-label="QR-code om WhatsApp Web te koppelen">${new SafeHtml(input.qrSvg)}</div>
        <figcaption>Open WhatsApp op de telefoon van de gemeente, kies <strong>Gekoppelde apparaten</strong> en dan <strong>Apparaat koppelen</strong>, en scan deze code. De code vernieuwt zich; laad de pagina opnieuw als het scannen mislukt.</figcaption></figure>`
      : html`<div class="qr-text"><p>Deze installatie kan de QR-code niet als afbeelding tonen. Zo koppel je toch:</p>
        <ol><li>Bekijk de uitvoer (het log of de terminal) van de server: daar staat de QR-code als blokjes.</li>
        <li>Open WhatsApp op de telefoon van de gemeente, kies <strong>Gekoppelde apparaten</strong> en dan <strong>Apparaat koppelen</strong>, en scan die code.</li>
        <li>Plak de tekst hieronder niet in een QR-website: wie die code scant, leest alle WhatsApp-gesprekken mee.</li></ol>
        <pre class="qr-raw" aria-label="De tekst van de QR-code">${status.qr}</pre></div>`;
  }
  return html`<section aria-labelledby="wa-kop"><h2 id="wa-kop">WhatsApp Web</h2>
  <p><strong>${WHATSAPP_STATES[status.state] ?? status.state}</strong> sinds ${timeElement(status.since, input.timeZone)}.</p>
  ${status.lastError ? html`<p>Laatste fout: <code>${redactText(status.lastError)}</code></p>` : ""}
  ${qr}
</section>`;
}

/** Erasing a resident on request (by phone, mail or at the desk): by the reference they were given. */
function eraseSection(input: AdminPageInput): SafeHtml {
  return html`<section aria-labelledby="wissen-kop"><h2 id="wissen-kop">Gegevens van een bewoner wissen</h2>
  <p>Vraagt een bewoner buiten de chat om alles te wissen? Vul het kenmerk van een van hun gesprekken in. Wijklijn wist dan hun berichten, foto's, telefoonnummers en chat-ids, aanmeldingen, wijkberichten en citaten in weekoverzichten. Hun gesprekken tellen alleen nog mee als aantallen. Dit kan niet terug.</p>
  <form method="post" action="/inbox/admin/erase"><input type="hidden" name="_csrf" value="${input.csrfToken}">
    <label for="wissen-kenmerk">Kenmerk</label> <input id="wissen-kenmerk" name="reference" required pattern="WL-[0-9]{4}-[0-9]{5,}" placeholder="WL-2026-00042" autocomplete="off">
    <label><input type="checkbox" name="confirm" value="ja" required> Ik weet het zeker</label>
    <button type="submit">Alles van deze bewoner wissen</button></form></section>`;
}

const ROLE_NAMES = { gebiedsregisseur: "Gebiedsregisseur", wethouder: "Wethouder", admin: "Beheerder" } as const;

/** The staff accounts, and a one-time link for a new password (src/inbox/passwordReset.ts). */
function staffSection(input: AdminPageInput): SafeHtml | "" {
  const accounts = input.staffAccounts;
  if (!accounts) return "";
  return html`<section aria-labelledby="medewerkers-kop" id="medewerkers"><h2 id="medewerkers-kop">Medewerkers</h2>
  <p>Wachtwoord vergeten? Maak met <strong>Nieuw wachtwoord instellen</strong> een link die één keer werkt, 24 uur lang. Geef die persoonlijk door; de collega kiest dan zelf een nieuw wachtwoord en wordt overal uitgelogd.</p>
  <div class="table-wrap"><table>
    <thead><tr><th scope="col">Naam</th><th scope="col">E-mailadres</th><th scope="col">Rol</th><th scope="col">Tandem en wijken</th><th scope="col">Wachtwoord</th></tr></thead>
    <tbody>${accounts.map(
      (account) => html`<tr>
      <td>${account.displayName}${account.active ? "" : html` <span class="muted">(uitgeschakeld)</span>`}</td>
      <td>${account.email}</td>
      <td>${account.role ? ROLE_NAMES[account.role] : "Onbekend"}</td>
      <td>${
        account.role === "admin"
          ? "Alle tandems"
          : account.tandems.length === 0
            ? html`<span class="muted">Geen tandem</span>`
            : account.tandems.map((tandem, i) => html`${i > 0 ? html`<br>` : ""}${tandem.name}${tandem.wijken.length > 0 ? `: ${tandem.wijken.join(", ")}` : ""}`)
      }</td>
      <td>${
        account.active
          ? html`<form method="post" action="/inbox/admin/medewerkers/${account.id}/wachtwoord" class="inline"><input type="hidden" name="_csrf" value="${input.csrfToken}"><button type="submit" aria-label="Nieuw wachtwoord instellen voor ${account.displayName}">Nieuw wachtwoord instellen</button></form>`
          : html`<span class="muted">Uitgeschakeld</span>`
      }</td>
    </tr>`,
    )}</tbody>
  </table></div></section>`;
}

/** The whole admin page body. */
export function renderAdminPage(input: AdminPageInput): SafeHtml {
  return html`<h1>Beheer</h1>
${flashMessage(input.rawQuery)}
${overdueSection(input)}
${withoutTandemSection(input)}
${deadOutboxSection(input)}
${staffSection(input)}
${eraseSection(input)}
${whatsappSection(input)}`;
}
