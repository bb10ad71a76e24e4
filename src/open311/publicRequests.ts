/**
 * Which conversations Open311 publishes, and what of them: the rule that keeps a single
 * resident's melding unrecognisable, as on the public wijk pages (src/public/wijkFigures.ts).
 *
 * - Only meldingen and ideas that reached staff; never a 112/113 conversation.
 * - Never the resident's words, location, photo or contact: `description`, `lat`/`long`,
 *   `zipcode`, `media_url` stay empty; `address` is the wijk. (Signalen and FixMyStreet publish
 *   the text and the spot; a chat message is more personal than a pothole report, so we do not.)
 * - A request is listed only when its wijk had at least SMALL_COUNT requests of the same service in
 *   the same calendar month: one or two complaints about the neighbours' dog stay out. The group
 *   is always the whole month, whatever the query, so that two queries cannot be set against
 *   each other to single a request out.
 * - Times are whole days in the gemeente's zone; the status note is a fixed text, or what the
 *   tandem itself published on the wijk page ("wij deden").
 */
import type { Open311RequestFact } from "../db/open311.repo.ts";
import { labelTheme, parseTheme } from "../domain/vocabulary.ts";
import { localDate, zonedTimeToDate } from "../domain/time.ts";
import { SMALL_COUNT } from "../public/wijkFigures.ts";
import { startOfLocalDay, w3cDateTime, type Open311Request } from "./georeport.ts";

/** Intents that are service requests; the rest (wijknieuws, privacy, groet…) are no request to anyone. */
const REQUEST_INTENTS = new Set(["melding", "idee"]);

/** Is this conversation a request at all (before the group rule)? */
export function isOpen311Request(fact: Pick<Open311RequestFact, "emergency" | "intent">): boolean {
  return fact.emergency === null && fact.intent !== null && REQUEST_INTENTS.has(fact.intent);
}

/** The service a conversation falls under: its theme, or `overig`. */
export function serviceCodeOf(fact: Pick<Open311RequestFact, "theme">): string {
  return parseTheme(fact.theme) ?? "overig";
}

/** The calendar month of an instant in the zone, as [start, end). */
export function localMonthBounds(instant: Date, zone: string): { start: Date; end: Date } {
  const [year, month] = localDate(instant, zone);
  return { start: zonedTimeToDate(zone, year, month, 1), end: month === 12 ? zonedTimeToDate(zone, year + 1, 1, 1) : zonedTimeToDate(zone, year, month + 1, 1) };
}

function groupKey(fact: Open311RequestFact, zone: string): string {
  const [year, month] = localDate(fact.createdAt, zone);
  return `${fact.wijkId ?? "-"}|${serviceCodeOf(fact)}|${year}-${month}`;
}

/**
 * The requests that may be published, from the facts of whole months (every fact of each month
 * that any of them falls in, or a group looks smaller than it is and hides too much; never more).
 * `alsoShow` lets through requests the caller filed itself (the website with its api_key).
 */
export function publishableRequests(monthFacts: readonly Open311RequestFact[], zone: string, alsoShow: (fact: Open311RequestFact) => boolean = () => false): Open311RequestFact[] {
  const requests = monthFacts.filter(isOpen311Request);
  const sizes = new Map<string, number>();
  for (const fact of requests) {
    const key = groupKey(fact, zone);
    sizes.set(key, (sizes.get(key) ?? 0) + 1);
  }
  return requests.filter((fact) => (fact.wijkId !== null && (sizes.get(groupKey(fact, zone)) ?? 0) >= SMALL_COUNT) || alsoShow(fact));
}

/** Is the conversation open or closed in Open311's words? */
export function open311Status(status: string): "open" | "closed" {
  return status === "resolved" ? "closed" : "open";
}

/** The published status note: what the tandem wrote for the wijk page, or a fixed text. */
function statusNotes(fact: Open311RequestFact): string {
  if (fact.publishedDid) return fact.publishedDid;
  return open311Status(fact.status) === "closed" ? "Afgehandeld door de gemeente." : "In behandeling bij de gemeente.";
}

/** A published request: the fact without anything that could point at the resident. */
export function toPublicRequest(fact: Open311RequestFact, context: { gemeenteName: string; zone: string }): Open311Request {
  const code = serviceCodeOf(fact);
  return {
    service_request_id: fact.reference,
    status: open311Status(fact.status),
    status_notes: statusNotes(fact),
    service_name: labelTheme(code),
    service_code: code,
    description: null,
    agency_responsible: `Gemeente ${context.gemeenteName}`,
    service_notice: null,
    requested_datetime: w3cDateTime(startOfLocalDay(fact.createdAt, context.zone), context.zone),
    updated_datetime: w3cDateTime(startOfLocalDay(fact.updatedAt, context.zone), context.zone),
    expected_datetime: null,
    address: fact.wijkName ? `${fact.wijkName}, ${context.gemeenteName}` : null,
    address_id: null,
    zipcode: null,
    lat: null,
    long: null,
    media_url: null,
  };
}
