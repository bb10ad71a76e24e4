/**
 * GET /inbox/c/:id: one conversation. The history (resident, bot and staff messages; internal
 * notes set apart; photos as a marker; locations as coordinates with an OpenStreetMap link), the
 * bot's summary of the flow answers, the facts, the status history, and the forms staff act with.
 * Wethouders read and add notes only, so they get no other forms. Rendering only.
 */
import type { Settings } from "../../conversation/flowSchema.ts";
import { labelMediaKind, ThemeSchema } from "../../domain/vocabulary.ts";
import type { ConversationDetailView, ConversationMessageView } from "../../db/conversationQuery.repo.ts";
import type { CannedReplyView, Colleague, ConversationContext, WijkOption } from "../../db/inbox.repo.ts";
import { isWithinServiceWindow, serviceWindowEndsAt } from "../../channels/whatsapp-cloud/serviceWindow.ts";
import { html, type SafeHtml } from "../../http/html.ts";
import {
  CHANNEL_LABELS,
  emergencyBadge,
  languageBadge,
  languageLabel,
  otherLanguageNote,
  flashMessage,
  formatDateTime,
  formatWorkingDuration,
  intentLabel,
  multiline,
  overdueBadge,
  roleLabel,
  STATUS_LABELS,
  themeLabel,
  timeElement,
  toDateTimeLocal,
} from "./format.ts";
import { waitingTime } from "./waitingTime.ts";

/** What the conversation page shows. */
export interface ConversationPageInput {
  conversation: ConversationDetailView;
  context: ConversationContext;
  /** May reply, assign, change wijk, theme and status (not a wethouder). */
  canAct: boolean;
  cannedReplies: CannedReplyView[];
  colleagues: Colleague[];
  /**
   * The signed-in user, offered as "Mij" when not among the colleagues: a gebiedsregisseur sees a
   * conversation no tandem holds (its wijk unknown) and may take it on.
   */
  me?: Colleague | null;
  wijken: WijkOption[];
  csrfToken: string;
  settings: Settings;
  timeZone: string;
  now: Date;
  rawQuery: unknown;
  /** "Voelde je je gehoord?" as the inbox names it (src/trust/feedback.ts describeFeedback), when asked or queued. */
  feedback?: string | null;
  /** The public wijk page this conversation's "jullie zeiden, wij deden" item is on, if published. */
  publishedOn?: string | null;
  /** The wijkbericht the resident got shortly before (a reply to it lands here as an ordinary conversation). */
  wijkbericht?: { id: string; text: string; startedAt: Date | null; createdAt: Date } | null;
}

/**
 * True when the newest message the resident can see (notes aside) is a staff member's own: the
 * resident has not answered it yet, so resolving now asks first (GET /inbox/c/:id/afhandelen).
 */
export function awaitsResidentAnswer(messages: readonly ConversationMessageView[]): boolean {
  const last = messages.findLast((message) => message.direction !== "note");
  return last !== undefined && last.direction === "out" && last.author !== "bot" && last.author !== "resident";
}

/** GET /inbox/c/:id/afhandelen: staff's last message is unanswered; resolve anyway? */
export function renderResolveConfirmPage(input: { conversation: ConversationDetailView; csrfToken: string; timeZone: string; question: string | null }): SafeHtml {
  const { conversation } = input;
  const path = `/inbox/c/${encodeURIComponent(conversation.id)}`;
  const last = conversation.messages.findLast((message) => message.direction === "out");
  return html`<p><a href="${path}">← Terug naar het gesprek</a></p>
  <h1>Toch afhandelen?</h1>
  <p class="confirm-question"><strong>Je laatste bericht is nog niet beantwoord. Toch afhandelen?</strong></p>
  ${last?.text ? html`<p>Jouw bericht van ${timeElement(last.at, input.timeZone)}:</p><blockquote class="message-out">${multiline(last.text)}</blockquote>` : ""}
  ${
    input.question
      ? html`<p>De bewoner krijgt dan dit bericht:</p><blockquote class="message-out" id="resolve-question">${multiline(input.question)}</blockquote>`
      : conversation.emergency
        ? html`<p id="resolve-question">De bewoner krijgt geen bericht. Na een gesprek over spoed of crisis (112 of 113) vragen we niet 'Voelde je je gehoord?'.</p>`
        : html`<p>De bewoner krijgt geen bericht.</p>`
  }
  <p class="hint">Antwoordt de bewoner later toch, dan gaat het gesprek vanzelf weer open.</p>
  <form method="post" action="${path}/resolve" class="actions"><input type="hidden" name="_csrf" value="${input.csrfToken}">
    <input type="hidden" name="bevestigd" value="ja">
    <button type="submit" class="button button-primary">Ja, toch afhandelen</button>
    <a href="${path}">Nee, terug</a>
  </form>`;
}

/** Replaces {{reference}} and {{wijk}} in a canned reply (or any staff text). */
export function fillPlaceholders(text: string, values: { reference: string; wijkName: string | null }): string {
  return text.replace(/\{\{\s*(reference|wijk)\s*\}\}/g, (_, name: string) => (name === "reference" ? values.reference : (values.wijkName ?? "je wijk")));
}

function attachment(message: ConversationMessageView): SafeHtml | "" {
  const parts: SafeHtml[] = [];
  // A wijkbericht's photo (image:<https address>, sent by the gemeente): a link to it.
  const sentPhoto = message.photo?.mediaRef.startsWith("image:https://") ? message.photo.mediaRef.slice("image:".length) : null;
  if (sentPhoto) {
    parts.push(html`<p class="attachment"><span aria-hidden="true">📷</span> <strong>Foto bij het wijkbericht</strong> <a href="${sentPhoto}" rel="noreferrer">${sentPhoto}</a></p>`);
  } else if (message.photo) {
    const kind = message.photo.mediaRef.split(":")[0] ?? "photo";
    parts.push(
      html`<p class="attachment"><span aria-hidden="true">📷</span> <strong>${labelMediaKind(kind)}</strong> <span class="muted">(referentie <code>${message.photo.mediaRef}</code>)</span></p>`,
    );
  }
  if (message.location) {
    const lat = message.location.latitude.toFixed(5);
    const lon = message.location.longitude.toFixed(5);
    const href = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`;
    parts.push(html`<p class="attachment"><span aria-hidden="true">📍</span> <strong>Locatie</strong> ${lat}, ${lon} · <a href="${href}">bekijk op OpenStreetMap</a></p>`);
  }
  return parts.length > 0 ? html`${parts}` : "";
}

function authorLabel(message: ConversationMessageView): string {
  if (message.author === "resident") return "Bewoner";
  if (message.author === "bot") return "Wijklijn-bot";
  return message.author;
}

function messageItem(message: ConversationMessageView, timeZone: string): SafeHtml {
  const text = message.text ? html`<div class="text">${multiline(message.text)}</div>` : "";
  if (message.direction === "note") {
    const who = message.author === "bot" ? "Samenvatting van de bot" : `Interne notitie van ${message.author}`;
    return html`<li class="msg msg-note"><p class="meta"><strong>${who}</strong> <span class="tag">alleen voor medewerkers</span> · ${timeElement(message.at, timeZone)}</p>${text}${attachment(message)}</li>`;
  }
  const kind = message.direction === "in" ? "msg-in" : message.author === "bot" ? "msg-bot" : "msg-staff";
  const direction = message.direction === "in" ? "van" : "aan bewoner, door";
  return html`<li class="msg ${kind}"><p class="meta"><strong><span class="visually-hidden">${direction} </span>${authorLabel(message)}</strong> · ${timeElement(message.at, timeZone)}</p>${text}${attachment(message)}</li>`;
}

/**
 * What "Tandem" says when no tandem has the conversation. Not "only admins see this": a
 * gebiedsregisseur sees it too once it needs a person (src/db/conversationQuery.repo.ts), so
 * the words say what it means and what the reader can do about it.
 */
function noTandemText(canAct: boolean): string {
  return canAct ? "Nog geen: de wijk is niet bekend. Kies hieronder bij Acties de wijk, dan gaat het gesprek naar het team van die wijk." : "Nog geen: de wijk is niet bekend.";
}

/** The facts block, updated live (id "over"). */
function factsPart(input: ConversationPageInput): SafeHtml {
  const { conversation, context, settings, timeZone } = input;
  const wait = waitingTime(conversation.status === "open" ? (context.waitingSince ?? context.lastOpenedAt ?? conversation.lastMessageAt) : null, input.now, settings, timeZone);
  return html`<section id="over" data-live-part aria-labelledby="over-kop">
  <h2 id="over-kop">Over dit gesprek</h2>
  <dl class="facts">
    <dt>Status</dt><dd>${STATUS_LABELS[conversation.status]}${conversation.status === "snoozed" ? (context.snoozedUntil ? html` tot ${timeElement(context.snoozedUntil, timeZone)}` : " tot de bewoner reageert") : ""}</dd>
    ${wait ? html`<dt>Wacht op ons</dt><dd>${formatWorkingDuration(wait.workingMs)} werktijd ${wait.overdue ? overdueBadge(settings.responseTargetWorkingHours) : ""}</dd>` : ""}
    <dt>Kenmerk</dt><dd>${conversation.reference}</dd>
    <dt>Wijk</dt><dd>${context.wijkName ?? "Onbekend"}</dd>
    <dt>Tandem</dt><dd>${context.tandemName ?? noTandemText(input.canAct)}</dd>
    <dt>Kanaal</dt><dd>${CHANNEL_LABELS[conversation.channel]}${conversation.channelAddress ? html` · <span class="address" title="Afgeschermd: alleen de laatste cijfers">${conversation.channelAddress}</span>` : ""}</dd>
    <dt>Taal van de bewoner</dt><dd>${languageLabel(conversation.language)}</dd>
    <dt>Soort</dt><dd>${intentLabel(conversation.intent)}</dd>
    <dt>Thema</dt><dd>${themeLabel(conversation.theme)}</dd>
    <dt>Toegewezen aan</dt><dd>${conversation.assignee?.name ?? "Niemand"}</dd>
    <dt>Begonnen</dt><dd>${timeElement(conversation.createdAt, timeZone)}</dd>
    <dt>Eerste antwoord</dt><dd>${conversation.firstResponseAt ? timeElement(conversation.firstResponseAt, timeZone) : "Nog niet"}</dd>
    ${input.feedback ? html`<dt>Feedback</dt><dd>${input.feedback}</dd>` : ""}
  </dl>
</section>`;
}

/** The message history, updated live (id "geschiedenis"). */
function historyPart(input: ConversationPageInput): SafeHtml {
  const { conversation, timeZone } = input;
  return html`<section id="geschiedenis" data-live-part aria-labelledby="geschiedenis-kop">
  <h2 id="geschiedenis-kop">Berichten</h2>
  ${conversation.messages.length === 0 ? html`<p>Nog geen berichten.</p>` : html`<ol class="messages">${conversation.messages.map((message) => messageItem(message, timeZone))}</ol>`}
</section>`;
}

function flowAnswers(input: ConversationPageInput): SafeHtml | "" {
  const summary = input.conversation.messages.filter((message) => message.direction === "note" && message.author === "bot" && message.text).at(-1);
  if (!summary?.text) return "";
  return html`<section class="flow-answers" aria-labelledby="antwoorden-kop">
  <h2 id="antwoorden-kop">Wat de bewoner de bot vertelde</h2>
  <div class="text">${multiline(summary.text)}</div>
</section>`;
}

function serviceWindowNotice(input: ConversationPageInput): SafeHtml | "" {
  if (input.conversation.channel !== "whatsapp") return "";
  const last = input.context.lastInboundOnIdentityAt;
  const endsAt = serviceWindowEndsAt(last);
  if (endsAt && isWithinServiceWindow(last, input.now)) {
    return html`<p class="window window-open" id="venster"><strong>Antwoorden kan tot ${formatDateTime(endsAt, input.timeZone)}.</strong> Daarna sluit het 24-uursvenster van WhatsApp, tot de bewoner weer schrijft.</p>`;
  }
  return html`<p class="window window-closed" id="venster"><strong>Buiten het 24-uursvenster: alleen een goedgekeurd sjabloon kan de bewoner nu bereiken.</strong> Een gewoon antwoord wordt door WhatsApp geweigerd tot de bewoner weer schrijft. Gaf de bewoner zelf een telefoonnummer of e-mailadres in het gesprek? Gebruik dat als het nodig is.</p>`;
}

function hidden(csrfToken: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${csrfToken}">`;
}

function replyForm(input: ConversationPageInput, action: string): SafeHtml {
  const { conversation, context } = input;
  const values = { reference: conversation.reference, wijkName: context.wijkName };
  return html`<section aria-labelledby="antwoord-kop">
  <h2 id="antwoord-kop">Antwoorden aan de bewoner</h2>
  ${serviceWindowNotice(input)}
  <form method="post" action="${action}/reply" class="reply">
    ${hidden(input.csrfToken)}
    ${
      input.cannedReplies.length > 0
        ? html`<div class="field"><label for="canned">Standaardantwoord</label>
      <select id="canned" name="canned" data-canned-for="reply-text" aria-describedby="canned-hint">
        <option value="">Geen</option>
        ${input.cannedReplies.map((reply) => html`<option value="${reply.id}" data-text="${fillPlaceholders(reply.body, values)}">${reply.title}</option>`)}
      </select>
      <p class="hint" id="canned-hint">Zonder eigen tekst wordt het gekozen standaardantwoord verstuurd. <a href="/inbox/canned">Standaardantwoorden beheren</a></p></div>`
        : html`<p class="hint"><a href="/inbox/canned">Standaardantwoorden maken</a> voor je tandem.</p>`
    }
    <div class="field"><label for="reply-text">Je antwoord</label>
      <textarea id="reply-text" name="text" rows="5" maxlength="4000" aria-describedby="reply-hint"></textarea>
      <p class="hint" id="reply-hint">Gaat via ${CHANNEL_LABELS[conversation.channel]} naar de bewoner. Schrijf je {{reference}} of {{wijk}}, dan komt daar het kenmerk of de naam van de wijk.</p></div>
    <button type="submit">Versturen</button>
  </form>
</section>`;
}

function noteForm(input: ConversationPageInput, action: string): SafeHtml {
  return html`<section aria-labelledby="notitie-kop">
  <h2 id="notitie-kop">Interne notitie</h2>
  <form method="post" action="${action}/note" class="note">
    ${hidden(input.csrfToken)}
    <div class="field"><label for="note-text">Notitie</label>
      <textarea id="note-text" name="text" rows="3" maxlength="4000" aria-describedby="note-hint"></textarea>
      <p class="hint" id="note-hint">Alleen zichtbaar voor medewerkers; de bewoner ziet dit nooit.</p></div>
    <button type="submit">Notitie opslaan</button>
  </form>
</section>`;
}

function actionForms(input: ConversationPageInput, action: string): SafeHtml {
  const { conversation, context, timeZone } = input;
  const assigneeEmail = conversation.assignee?.email ?? null;
  const csrf = hidden(input.csrfToken);
  const statusButtons: SafeHtml[] = [];
  if (conversation.status !== "resolved") {
    // The resolve button says what happens: the resident gets "Voelde je je gehoord?" (src/trust).
    // Not after a 112/113 conversation: planFeedbackQuestion skips the question there.
    const asksFeedback = conversation.status !== "bot" && !input.feedback;
    const hint = conversation.emergency
      ? "De bewoner krijgt geen vraag of hij zich gehoord voelde: dat vragen we niet na spoed of crisis."
      : "De bewoner krijgt dan de vraag of hij zich gehoord voelde.";
    statusButtons.push(
      asksFeedback
        ? html`<form method="post" action="${action}/resolve" class="inline">${csrf}<button type="submit" aria-describedby="resolve-hint">Afhandelen</button> <span class="hint" id="resolve-hint">${hint}</span></form>`
        : html`<form method="post" action="${action}/resolve" class="inline">${csrf}<button type="submit">Afhandelen</button></form>`,
    );
  }
  if (conversation.status === "resolved" || conversation.status === "snoozed" || conversation.status === "waiting") {
    statusButtons.push(
      html`<form method="post" action="${action}/reopen" class="inline">${csrf}<button type="submit">${conversation.status === "resolved" ? "Heropenen" : "Weer open zetten"}</button></form>`,
    );
  }
  const suggested = toDateTimeLocal(new Date(input.now.getTime() + 24 * 3_600_000), timeZone);
  return html`<section aria-labelledby="acties-kop" class="conversation-actions">
  <h2 id="acties-kop">Acties</h2>
  <div class="status-actions">${statusButtons}</div>

  <form method="post" action="${action}/assign">
    ${csrf}
    <div class="field"><label for="assignee">Toewijzen aan</label>
      <select id="assignee" name="assignee">
        <option value="">Niemand</option>
        ${input.me && !input.colleagues.some((colleague) => colleague.id === input.me?.id) ? html`<option value="${input.me.id}"${input.me.email === assigneeEmail ? html` selected` : ""}>Mij (${input.me.name})</option>` : ""}
        ${input.colleagues.map((colleague) => html`<option value="${colleague.id}"${colleague.email === assigneeEmail ? html` selected` : ""}>${colleague.name} (${roleLabel(colleague.role)})</option>`)}
      </select></div>
    <button type="submit">Toewijzen</button>
  </form>

  <form method="post" action="${action}/theme">
    ${csrf}
    <div class="field"><label for="theme">Thema</label>
      <select id="theme" name="theme">
        ${conversation.theme === null ? html`<option value="" selected>— kies een thema —</option>` : ""}
        ${ThemeSchema.options.map((theme) => html`<option value="${theme}"${conversation.theme === theme ? html` selected` : ""}>${themeLabel(theme)}</option>`)}
      </select></div>
    <button type="submit">Thema opslaan</button>
  </form>

  <form method="post" action="${action}/wijk">
    ${csrf}
    <div class="field"><label for="wijk">Wijk</label>
      <select id="wijk" name="wijk" aria-describedby="wijk-hint">
        ${context.wijkSlug === null ? html`<option value="" selected disabled>Onbekend: kies een wijk</option>` : ""}
        ${input.wijken.map((wijk) => html`<option value="${wijk.slug}"${context.wijkSlug === wijk.slug ? html` selected` : ""}>${wijk.name}${wijk.active ? (wijk.tandemName ? ` (tandem ${wijk.tandemName})` : "") : " (niet actief)"}</option>`)}
      </select>
      <p class="hint" id="wijk-hint">Een wijk van een andere tandem geeft het gesprek aan die tandem; er komt een notitie bij.</p></div>
    <button type="submit">Wijk wijzigen</button>
  </form>

  <form method="post" action="${action}/snooze">
    ${csrf}
    <fieldset>
      <legend>Uitstellen</legend>
      <div class="choice"><input type="radio" id="snooze-bericht" name="mode" value="bericht" checked> <label for="snooze-bericht">tot de bewoner reageert</label></div>
      <div class="choice"><input type="radio" id="snooze-tijd" name="mode" value="tijd"> <label for="snooze-tijd">tot een tijdstip</label></div>
      <div class="field"><label for="snooze-until">Tijdstip (als je 'tot een tijdstip' kiest)</label>
        <p class="hint" id="snooze-until-hint">Al ingevuld: morgen om deze tijd. Pas het aan als je een ander moment wilt.</p>
        <input type="datetime-local" id="snooze-until" name="until" value="${suggested}" aria-describedby="snooze-until-hint"></div>
    </fieldset>
    <p class="hint">Een uitgesteld gesprek staat niet meer bij Open. Het komt terug als de bewoner reageert of als het tijdstip komt.</p>
    <button type="submit">Uitstellen</button>
  </form>
  ${publishForm(input, action)}
</section>`;
}

/** "Jullie zeiden, wij deden" (src/trust/publishWijDeden.ts): on a resolved conversation with a wijk. */
function publishForm(input: ConversationPageInput, action: string): SafeHtml | "" {
  if (input.publishedOn) return html`<p>Dit gesprek staat op de <a href="${input.publishedOn}">wijkpagina</a> bij 'Jullie zeiden, wij deden'.</p>`;
  if (input.conversation.status !== "resolved" || !input.context.wijkSlug) return "";
  return html`<form method="post" action="${action}/publish">
    ${hidden(input.csrfToken)}
    <fieldset>
      <legend>Op de wijkpagina zetten: jullie zeiden, wij deden</legend>
      <p class="hint" id="publish-hint">Iedereen kan dit lezen. Schrijf in je eigen woorden, zonder namen, adressen, telefoonnummers of andere gegevens waaraan iemand te herkennen is.</p>
      <div class="field"><label for="said">Jullie zeiden</label>
        <textarea id="said" name="said" rows="2" maxlength="500" required aria-describedby="publish-hint"></textarea></div>
      <div class="field"><label for="did">Wij deden</label>
        <textarea id="did" name="did" rows="2" maxlength="500" required aria-describedby="publish-hint"></textarea></div>
    </fieldset>
    <button type="submit">Op de wijkpagina zetten</button>
  </form>`;
}

function statusHistory(input: ConversationPageInput): SafeHtml {
  const { context, timeZone } = input;
  return html`<section aria-labelledby="status-kop">
  <h2 id="status-kop">Statusgeschiedenis</h2>
  <div class="table-scroll" role="region" aria-labelledby="status-caption" tabindex="0">
  <table>
    <caption id="status-caption">Statuswijzigingen van ${context.reference}, oudste eerst</caption>
    <thead><tr><th scope="col">Wanneer</th><th scope="col">Van</th><th scope="col">Naar</th><th scope="col">Door</th></tr></thead>
    <tbody>${context.statusHistory.map(
      (change) =>
        html`<tr><td>${timeElement(change.at, timeZone)}</td><td>${change.from ? STATUS_LABELS[change.from] : "—"}</td><td>${STATUS_LABELS[change.to]}</td><td>${change.actor ?? "Wijklijn"}</td></tr>`,
    )}</tbody>
  </table></div>
</section>`;
}

/** The live container: facts and history are swapped by inbox.js on a change event; the bot's summary stays. */
export function renderConversationLiveParts(input: ConversationPageInput): SafeHtml {
  return html`${factsPart(input)}${flowAnswers(input)}${historyPart(input)}`;
}

/**
 * "Geen crisis: vlag weghalen": the bot's emergency check can be wrong, and a false flag would
 * otherwise stay on top of the inbox for good. A one-line reason is optional; it goes in the note.
 */
function clearEmergencyForm(input: ConversationPageInput, action: string): SafeHtml | "" {
  const { emergency } = input.conversation;
  if (!emergency) return "";
  const label = emergency === "113" ? "Geen crisis: vlag weghalen" : "Geen noodgeval: vlag weghalen";
  return html`<form method="post" action="${action}/clear-emergency" class="clear-emergency">
  ${hidden(input.csrfToken)}
  <div class="field"><label for="clear-reason">Reden (mag leeg blijven)</label>
    <input type="text" id="clear-reason" name="reason" maxlength="200" aria-describedby="clear-hint"></div>
  <p class="hint" id="clear-hint">Was het toch geen ${emergency === "113" ? "crisis" : "noodgeval"}? Dan gaan de vlag en deze melding weg. Er komt een notitie bij, met je naam en de reden.</p>
  <button type="submit">${label}</button>
</form>`;
}

/** The whole conversation page body. */
/** "Antwoord op wijkbericht «…»": the bericht this resident got shortly before, with a link to it. */
function wijkberichtNote(input: ConversationPageInput): SafeHtml | string {
  const bericht = input.wijkbericht;
  if (!bericht) return "";
  const line = bericht.text.split("\n")[0] ?? "";
  const short = line.length > 80 ? `${line.slice(0, 79)}…` : line;
  const when = new Intl.DateTimeFormat("nl-NL", { timeZone: input.timeZone, day: "numeric", month: "long" }).format(bericht.startedAt ?? bericht.createdAt);
  return html`<p class="note" role="note">Mogelijk een antwoord op wijkbericht <a href="/inbox/wijkberichten/${bericht.id}">«${short}»</a>: de bewoner kreeg het op ${when}.</p>`;
}

export function renderConversationPage(input: ConversationPageInput): SafeHtml {
  const { conversation } = input;
  const action = `/inbox/c/${encodeURIComponent(conversation.id)}`;
  return html`<p class="back"><a href="/inbox">Alle gesprekken</a></p>
<h1>Gesprek ${conversation.reference} ${emergencyBadge(conversation.emergency)} ${languageBadge(conversation.language)}</h1>
${flashMessage(input.rawQuery)}
<p class="jump"><a href="${input.canAct ? "#antwoord-kop" : "#notitie-kop"}">${input.canAct ? "Naar het antwoordformulier" : "Naar de notitie"}</a></p>
${conversation.emergency ? html`<p class="emergency-note" role="note">De bewoner noemde een noodsituatie; de bot heeft ${conversation.emergency === "113" ? "113 (0800-0113)" : "112"} genoemd. Kijk dit gesprek eerst na.</p>` : ""}
${input.canAct ? clearEmergencyForm(input, action) : ""}
${otherLanguageNote(conversation.language)}
${wijkberichtNote(input)}
<p class="live-status" data-live-status role="status" aria-live="polite"></p>
<div data-live="conversation" data-conversation-id="${conversation.id}">${renderConversationLiveParts(input)}</div>
${input.canAct ? replyForm(input, action) : html`<p class="note">Als wethouder lees je mee en kun je interne notities toevoegen; antwoorden en de status wijzigen doet de gebiedsregisseur.</p>`}
${noteForm(input, action)}
${input.canAct ? actionForms(input, action) : ""}
${statusHistory(input)}`;
}
