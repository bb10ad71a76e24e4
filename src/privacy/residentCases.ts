/**
 * A resident's own cases read back to them, in the chat ("wat heb ik gemeld?", flows/mijnmeldingen.yaml)
 * and in "Mijn gegevens" (flows/privacy.yaml): reference, date, what they wrote, wijk, status and who has it.
 */
import type { Globals, Language } from "../conversation/flowSchema.ts";
import { messageText, type MessageKey } from "../conversation/messageText.ts";
import type { ResidentCase } from "../db/residentData.repo.ts";
import { parseConversationStatus, type ConversationStatus } from "../domain/vocabulary.ts";

/** How much of what the resident wrote is read back: enough to recognise it. */
const SHORT_TEXT_LENGTH = 80;

/** The lines that describe one case; what the resident wrote only when `withText` (consent given, and it was stored). */
export function describeResidentCase(globals: Globals, item: ResidentCase, options: { language: Language; timeZone: string; withText: boolean }): string[] {
  const { language } = options;
  const date = new Intl.DateTimeFormat(language === "en" ? "en-GB" : "nl-NL", { day: "numeric", month: "long", year: "numeric", timeZone: options.timeZone }).format(item.createdAt);
  const lines = [messageText(globals, "myCaseHeading", language, { reference: item.reference, date })];
  const wrote = options.withText ? whatTheyWrote(globals, item) : null;
  if (wrote) lines.push(messageText(globals, "myCaseWrote", language, { text: wrote }));
  const handler = item.hasTandem && item.wijkName ? messageText(globals, "myCaseHandlerWijk", language, { wijk: item.wijkName }) : messageText(globals, "myCaseHandlerGemeente", language);
  lines.push(messageText(globals, "myCaseDetails", language, { wijk: item.wijkName ?? "-", status: messageText(globals, statusKey(item.status), language), handler }));
  return lines;
}

/** The cases still with the gemeente (not resolved). */
export function openCases(cases: ResidentCase[]): ResidentCase[] {
  return cases.filter((item) => item.status !== "resolved");
}

/** The description the form passed to staff (the handover note), else the first message of some length the resident typed. */
function whatTheyWrote(globals: Globals, item: ResidentCase): string | null {
  const labels = [globals.handoverNote.labels.description, globals.handoverNote.labels.question].filter((label): label is string => typeof label === "string");
  for (const note of item.notes) {
    for (const line of note.split("\n")) {
      const label = labels.find((l) => line.startsWith(`${l}: `));
      if (label) return shorten(line.slice(label.length + 2));
    }
  }
  const typed = item.typed.find((text) => text.trim().split(/\s+/).length >= 4);
  return typed ? shorten(typed) : null;
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= SHORT_TEXT_LENGTH ? flat : `${flat.slice(0, SHORT_TEXT_LENGTH - 1).trimEnd()}…`;
}

function statusKey(status: string): MessageKey {
  const known: ConversationStatus | null = parseConversationStatus(status);
  switch (known) {
    case "bot":
    case "open":
    case null:
      return "myCaseOpen";
    case "waiting":
      return "myCaseWaiting";
    case "snoozed":
      return "myCaseSnoozed";
    case "resolved":
      return "myCaseResolved";
    default:
      return assertNever(known);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected status ${JSON.stringify(value)}`);
}
