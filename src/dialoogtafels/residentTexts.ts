/**
 * What a resident reads about a dialoogtafel outside a chat turn (a place from the waitlist, the
 * reminder, the summary) and in its calendar file. The words are the bot's own texts in
 * flows/globals.yaml; here they get the dialoogtafel's facts in the resident's language. Pure.
 */
import type { Globals, Language } from "../conversation/flowSchema.ts";
import { messageText } from "../conversation/messageText.ts";

/** When a dialoogtafel is, as residents read it: "donderdag 10 december om 19:30" (en: "Thursday 10 December at 19:30"). */
export function formatTafelWhen(startsAt: Date, language: Language, timeZone: string): string {
  return new Intl.DateTimeFormat(language === "en" ? "en-GB" : "nl-NL", {
    timeZone,
    weekday: "long",
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(startsAt);
}

/** The facts of a dialoogtafel a text needs. */
export interface TafelFacts {
  title: string;
  topic: string;
  location: string;
  startsAt: Date;
}

/** A resident's language as the texts know it (anything else reads Dutch). */
export function textLanguage(language: string | null | undefined): Language {
  return language === "en" ? "en" : "nl";
}

/** "You have a place now", with the sign-up number and the calendar link. */
export function promotedText(globals: Globals, tafel: TafelFacts, language: Language, timeZone: string, calendarLink: string, number: string): string {
  return messageText(globals, "tafelPromoted", language, { title: tafel.title, when: formatTafelWhen(tafel.startsAt, language, timeZone), where: tafel.location, calendarLink, number });
}

/** The reminder the day before. */
export function reminderText(globals: Globals, tafel: TafelFacts, language: Language, timeZone: string): string {
  return messageText(globals, "tafelReminder", language, { title: tafel.title, when: formatTafelWhen(tafel.startsAt, language, timeZone), where: tafel.location });
}

/** The dialoogtafel is cancelled: for those signed up and on the waitlist. */
export function cancelledText(globals: Globals, tafel: TafelFacts, language: Language, timeZone: string): string {
  return messageText(globals, "tafelCancelled", language, { title: tafel.title, when: formatTafelWhen(tafel.startsAt, language, timeZone), where: tafel.location });
}

/** The summary for those who came. */
export function summaryText(globals: Globals, tafel: TafelFacts, summary: { heard: string; next: string }, language: Language): string {
  return messageText(globals, "tafelSummary", language, { title: tafel.title, heard: summary.heard, next: summary.next });
}

/** The description in the calendar file: the topic and how to cancel. */
export function calendarDescription(globals: Globals, tafel: TafelFacts, language: Language): string {
  return messageText(globals, "tafelCalendarDescription", language, { topic: tafel.topic });
}
