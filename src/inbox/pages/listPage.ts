/**
 * GET /inbox: the conversations of my tandems, whoever waited longest first, with a filter form
 * (a plain GET form) and the waiting time in office hours. Rendering only; the router loads.
 */
import { ThemeSchema } from "../../conversation/triage.ts";
import type { Settings } from "../../conversation/flowSchema.ts";
import type { InboxListPage, WijkOption } from "../../db/inbox.repo.ts";
import { ChannelSchema, ConversationStatusSchema } from "../../domain/messages.ts";
import { html, type SafeHtml } from "../../http/html.ts";
import { CHANNEL_LABELS, emergencyBadge, flashMessage, languageBadge, formatWorkingDuration, intentLabel, overdueBadge, STATUS_LABELS, themeLabel, timeElement } from "./format.ts";
import type { ListQuery } from "./forms.ts";
import { waitingTime } from "./waitingTime.ts";

/** What the list page shows. */
export interface ListPageInput {
  page: InboxListPage;
  query: ListQuery;
  /** The raw query, for the flash message. */
  rawQuery: unknown;
  wijken: WijkOption[];
  settings: Settings;
  timeZone: string;
  now: Date;
  isAdmin: boolean;
}

/** The query string of the list with `changes` applied (defaults left out). */
export function listHref(query: ListQuery, changes: Partial<ListQuery> = {}): string {
  const merged = { ...query, ...changes };
  const params = new URLSearchParams();
  if (merged.status !== "actief") params.set("status", merged.status);
  if (merged.wijk) params.set("wijk", merged.wijk);
  if (merged.theme) params.set("theme", merged.theme);
  if (merged.channel) params.set("channel", merged.channel);
  if (merged.limit !== 50) params.set("limit", String(merged.limit));
  const text = params.toString();
  return text ? `/inbox?${text}` : "/inbox";
}

function option(value: string, label: string, selected: boolean): SafeHtml {
  return html`<option value="${value}"${selected ? html` selected` : ""}>${label}</option>`;
}

function filterForm(input: ListPageInput): SafeHtml {
  const { query } = input;
  return html`<form method="get" action="/inbox" class="filters" role="search" aria-label="Gesprekken filteren">
  <div class="field"><label for="f-status">Status</label>
    <select id="f-status" name="status">
      ${option("actief", "Open en wacht op bewoner", query.status === "actief")}
      ${ConversationStatusSchema.options.map((status) => option(status, STATUS_LABELS[status], query.status === status))}
      ${option("alle", "Alle statussen", query.status === "alle")}
    </select></div>
  <div class="field"><label for="f-wijk">Wijk</label>
    <select id="f-wijk" name="wijk">
      ${option("", "Alle wijken", query.wijk === undefined)}
      ${input.wijken.map((wijk) => option(wijk.slug, wijk.active ? wijk.name : `${wijk.name} (niet actief)`, query.wijk === wijk.slug))}
    </select></div>
  <div class="field"><label for="f-theme">Thema</label>
    <select id="f-theme" name="theme">
      ${option("", "Alle thema's", query.theme === undefined)}
      ${ThemeSchema.options.map((theme) => option(theme, themeLabel(theme), query.theme === theme))}
    </select></div>
  <div class="field"><label for="f-channel">Kanaal</label>
    <select id="f-channel" name="channel">
      ${option("", "Alle kanalen", query.channel === undefined)}
      ${ChannelSchema.options.map((channel) => option(channel, CHANNEL_LABELS[channel], query.channel === channel))}
    </select></div>
  <div class="actions"><button type="submit">Filteren</button> <a href="/inbox">Filters wissen</a></div>
</form>`;
}

function isDefaultQuery(query: ListQuery): boolean {
  return query.status === "actief" && query.wijk === undefined && query.theme === undefined && query.channel === undefined;
}

/** The part of the page that live updates replace (id "gesprekken"). */
export function renderListPart(input: ListPageInput): SafeHtml {
  const { page, settings } = input;
  const rows = page.items.map((item) => ({ item, wait: waitingTime(item.waitingSince, input.now, settings, input.timeZone) }));
  const overdue = rows.filter((row) => row.wait?.overdue).length;
  const target = settings.responseTargetWorkingHours;
  let body: SafeHtml;
  if (rows.length === 0) {
    body = html`<div class="empty"><p><strong>Er wacht niets op je.</strong> Er zijn geen gesprekken ${isDefaultQuery(input.query) ? "die open staan of op de bewoner wachten" : "met deze filters"}.</p>
      ${isDefaultQuery(input.query) ? "" : html`<p><a href="/inbox">Toon alle open gesprekken</a></p>`}</div>`;
  } else {
    body = html`<p class="summary">${rows.length}${page.hasMore ? "+" : ""} ${rows.length === 1 ? "gesprek" : "gesprekken"}${overdue > 0 ? html`; <strong>${overdue} ${overdue === 1 ? "wacht" : "wachten"} langer dan ${target} werkuren</strong>` : ""}.</p>
    <div class="table-scroll" role="region" aria-labelledby="gesprekken-caption" tabindex="0">
    <table class="conversations">
      <caption id="gesprekken-caption">Gesprekken, wie het langst wacht staat bovenaan (wachttijd in werkuren, servicenorm ${target} werkuren)</caption>
      <thead><tr>
        <th scope="col">Kenmerk</th><th scope="col">Wijk</th><th scope="col">Thema</th><th scope="col">Soort</th>
        <th scope="col">Kanaal</th><th scope="col">Status</th><th scope="col">Wacht (werktijd)</th><th scope="col">Toegewezen aan</th>
      </tr></thead>
      <tbody>
      ${rows.map(
        ({ item, wait }) => html`<tr${wait?.overdue ? html` class="overdue"` : ""}>
        <th scope="row"><a href="/inbox/c/${encodeURIComponent(item.id)}">${item.reference}</a> ${emergencyBadge(item.emergency)} ${languageBadge(item.language)}</th>
        <td>${item.wijkName ?? "Onbekend"}</td>
        <td>${themeLabel(item.theme)}</td>
        <td>${intentLabel(item.intent)}</td>
        <td>${CHANNEL_LABELS[item.channel]}</td>
        <td>${STATUS_LABELS[item.status]}</td>
        <td>${wait && item.waitingSince ? html`${formatWorkingDuration(wait.workingMs)} ${wait.overdue ? overdueBadge(target) : ""}<br><span class="since">sinds ${timeElement(item.waitingSince, input.timeZone)}</span>` : html`<span class="muted">—</span>`}</td>
        <td>${item.assignee?.name ?? html`<span class="muted">Niemand</span>`}</td>
      </tr>`,
      )}
      </tbody>
    </table></div>
    ${page.hasMore ? html`<p class="more"><a href="${listHref(input.query, { limit: Math.min(input.query.limit + 50, 1000) })}">Meer gesprekken tonen</a></p>` : ""}`;
  }
  return html`<div id="gesprekken" data-live-part>${body}</div>`;
}

/** The whole list page body. */
export function renderListPage(input: ListPageInput): SafeHtml {
  return html`<h1>Gesprekken</h1>
${flashMessage(input.rawQuery)}
${filterForm(input)}
<p class="tools"><a href="/inbox/canned">Standaardantwoorden</a>${input.isAdmin ? html` · <a href="/inbox/admin">Beheer: te laat, zonder tandem, niet bezorgd</a>` : ""}
  <button type="button" class="notify" data-notify hidden>Meldingen aanzetten</button></p>
<p class="live-status" data-live-status role="status" aria-live="polite"></p>
<div data-live="list">${renderListPart(input)}</div>`;
}
