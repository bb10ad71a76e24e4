/**
 * Dutch words, dates, durations and flash messages of the inbox pages: one place, so that every
 * page says "Wacht op bewoner" and "do 26 nov, 10:00" the same way.
 */
import { labelDetectedLanguage, labelIntent, labelTheme, parseOtherLanguage } from "../../domain/vocabulary.ts";
import { html, type SafeHtml } from "../../http/html.ts";

/** The statuses and channels as staff read them (one set for the whole service: domain/vocabulary.ts). */
export { CHANNEL_LABELS, STATUS_LABELS } from "../../domain/vocabulary.ts";

/** An intent in Dutch ("—" when there is none yet). */
export function intentLabel(intent: string | null): string {
  return intent === null ? "—" : labelIntent(intent);
}

/** A theme in Dutch ("—" when there is none yet). */
export function themeLabel(theme: string | null): string {
  return theme === null ? "—" : labelTheme(theme);
}

/** A role in Dutch. */
export function roleLabel(role: string): string {
  return role === "admin" ? "beheerder" : role;
}

/** formatDateTime's formatters per time zone: building one costs far more than using it (a page shows hundreds of times). */
const dateTimeFormatters = new Map<string, Intl.DateTimeFormat>();

/** "do 26 nov, 10:00" in the gemeente's time zone. */
export function formatDateTime(date: Date, timeZone: string): string {
  let formatter = dateTimeFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("nl-NL", { timeZone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    dateTimeFormatters.set(timeZone, formatter);
  }
  return formatter.format(date);
}

/** A <time> element with the machine-readable instant. */
export function timeElement(date: Date, timeZone: string): SafeHtml {
  return html`<time datetime="${date.toISOString()}">${formatDateTime(date, timeZone)}</time>`;
}

/** The value of an <input type="datetime-local"> for an instant in `timeZone`: 2026-11-27T09:00. */
export function toDateTimeLocal(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(date);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? "00";
  return `${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}`;
}

/** Working time as "3 u 05 min" or "40 min". */
export function formatWorkingDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return hours > 0 ? `${hours} u ${String(rest).padStart(2, "0")} min` : `${rest} min`;
}

/** The badge of an emergency (112 or 113); text, not colour alone. */
export function emergencyBadge(emergency: string | null): SafeHtml | "" {
  if (emergency === "112") return html`<strong class="badge badge-emergency">Spoed: 112</strong>`;
  if (emergency === "113") return html`<strong class="badge badge-emergency">Crisis: 113</strong>`;
  return "";
}

/** The badge of the language a resident writes in, when it is not Dutch ("Taal: Turks"); nothing for Dutch or unknown. */
export function languageBadge(language: string | null): SafeHtml | "" {
  if (language === null || language === "nl") return "";
  return html`<span class="badge badge-language">Taal: ${labelDetectedLanguage(language)}</span>`;
}

/** The language in the facts of a conversation ("Turks", "Nog niet herkend"). */
export function languageLabel(language: string | null): string {
  return language === null ? "Nog niet herkend" : labelDetectedLanguage(language);
}

/** A note for staff when the resident writes a language the bot only answers with set texts (tr, ar, pl, uk, de). */
export function otherLanguageNote(language: string | null): SafeHtml | "" {
  if (!parseOtherLanguage(language)) return "";
  return html`<p class="language-note" role="note">De bewoner schrijft ${labelDetectedLanguage(language ?? "").toLowerCase()}. De bot heeft in die taal gezegd dat een medewerker hier antwoordt (en bij nood 112 of 113 genoemd). Antwoord in een taal die de bewoner leest, of eenvoudig Nederlands of Engels.</p>`;
}

/** The badge of a resident who waited longer than the service target. */
export function overdueBadge(targetHours: number): SafeHtml {
  return html`<strong class="badge badge-overdue">Te laat <span class="visually-hidden">(langer dan ${targetHours} werkuren)</span></strong>`;
}

/** Messages after a successful action (?gedaan=…); a fixed list, so a link cannot put words in our mouth. */
const DONE_MESSAGES = {
  beantwoord: "Je antwoord is onderweg naar de bewoner.",
  notitie: "Je notitie is opgeslagen. De bewoner ziet die niet.",
  toegewezen: "De toewijzing is opgeslagen.",
  wijk: "Het gesprek hoort nu bij een andere wijk; er staat een notitie bij.",
  verplaatst: "Het gesprek is naar de wijk van een andere tandem verplaatst. Je ziet het daarom niet meer.",
  thema: "Het thema is opgeslagen.",
  "geen-nood": "De vlag is weggehaald; er staat een notitie bij.",
  "geen-nood-weg": "De vlag is weggehaald; er staat een notitie bij. Het gesprek hoort bij geen tandem, daarom zie je het niet meer.",
  uitgesteld: "Het gesprek is uitgesteld. In de lijst staat het nu niet bij Open maar bij de status Uitgesteld; het komt vanzelf terug bij Open.",
  afgehandeld: "Het gesprek is afgehandeld.",
  heropend: "Het gesprek is weer open.",
  gepubliceerd: "Het staat op de wijkpagina, bij 'Jullie zeiden, wij deden'.",
  "opnieuw-proberen": "Het bericht staat weer in de wachtrij en wordt opnieuw verstuurd.",
  "standaard-toegevoegd": "Het standaardantwoord is toegevoegd.",
  "standaard-verwijderd": "Het standaardantwoord is verwijderd.",
  gewist: "De gegevens van de bewoner zijn gewist. Hun gesprekken tellen alleen nog mee als aantallen.",
} as const;

/** Messages after a failed action (?fout=…). */
const FAILED_MESSAGES = {
  "antwoord-leeg": "Je antwoord is leeg. Schrijf een tekst of kies een standaardantwoord.",
  "antwoord-te-lang": "Je antwoord is te lang: maximaal 4000 tekens.",
  "notitie-leeg": "Je notitie is leeg.",
  "notitie-te-lang": "Je notitie is te lang: maximaal 4000 tekens.",
  collega: "Kies iemand van de tandem van dit gesprek.",
  wijk: "Kies een wijk uit de lijst.",
  thema: "Kies een thema uit de lijst.",
  "geen-vlag": "Dit gesprek heeft geen vlag voor 112 of 113 (meer).",
  reden: "De reden is te lang: maximaal 200 tekens.",
  tijd: "Kies een datum en tijd in de toekomst, of kies 'tot de bewoner reageert'.",
  "bij-bot": "De bot praat nog met de bewoner. Je kunt dit gesprek nu alleen afhandelen.",
  standaard: "Vul een titel (maximaal 100 tekens) en een tekst (maximaal 4000 tekens) in.",
  "niet-gevonden": "Dat bestaat niet (meer).",
  mislukt: "Dat lukte niet. Probeer het nog eens.",
  publiceren: "Vul beide teksten in (maximaal 500 tekens), zonder namen, adressen, telefoonnummers of andere persoonsgegevens.",
  "al-gepubliceerd": "Dit gesprek staat al op de wijkpagina.",
  "niet-afgehandeld": "Alleen een afgehandeld gesprek met een wijk kan op de wijkpagina.",
  "account-inactief": "Dit account is uitgeschakeld. Een nieuw wachtwoord kan alleen voor een account dat aan staat.",
  "wissen-bevestigen": "Vul een kenmerk in (zoals WL-2026-00042) en vink aan dat je het zeker weet.",
} as const;

/** A flash code of a successful action (?gedaan=). */
export type DoneCode = keyof typeof DONE_MESSAGES;
/** A flash code of a failed action (?fout=). */
export type FailedCode = keyof typeof FAILED_MESSAGES;

const DONE: Readonly<Record<string, string>> = DONE_MESSAGES;
const FAILED: Readonly<Record<string, string>> = FAILED_MESSAGES;

/** The flash message for the page's query (?gedaan= or ?fout=), as an accessible status or alert. */
export function flashMessage(query: unknown): SafeHtml | "" {
  if (!query || typeof query !== "object") return "";
  const done = "gedaan" in query && typeof query.gedaan === "string" && Object.hasOwn(DONE, query.gedaan) ? DONE[query.gedaan] : undefined;
  const failed = "fout" in query && typeof query.fout === "string" && Object.hasOwn(FAILED, query.fout) ? FAILED[query.fout] : undefined;
  if (failed) return html`<div class="flash flash-error" role="alert"><p><strong>Niet gelukt:</strong> ${failed}</p></div>`;
  if (done) return html`<div class="flash flash-ok" role="status"><p>${done}</p></div>`;
  return "";
}

/** Text with line breaks kept (escaped, each line break a <br>). */
export function multiline(text: string): SafeHtml {
  const lines = text.split(/\r\n|\r|\n/);
  return html`${lines.map((line, i) => (i === 0 ? html`${line}` : html`<br>${line}`))}`;
}
