/**
 * What a resident's words say about a case staff just resolved: they carry it on ("het ligt er nog
 * steeds", "alweer afval", "not fixed"), they bring up something new ("er ligt nu ook glas op de stoep"),
 * they only thank or close ("nee hoor, bedankt"), or neither. One rule for both places that ask: which conversation a message belongs to
 * (pickConversation.ts: only a continuation reopens the case) and whether words after the feedback
 * score are a comment on it (src/trust/feedback.ts: a new concern is not).
 */
import { normalise } from "../conversation/answers.ts";

/** How the words relate to the resolved case. */
export type CaseFollowUp = "continues" | "new-concern" | "closing" | "unclear";

/** Words that say the matter is not over: still there, back again, not fixed, or the case's own reference. */
const CONTINUES =
  /\b(nog steeds|nog altijd|nog (niet|steeds niet) (opgelost|gemaakt|gedaan|weg|opgeruimd|verholpen|gerepareerd)|niet opgelost|niet verholpen|niet gemaakt|niet gerepareerd|niet opgeruimd|niet weg|is er nog|ligt er nog|liggen er nog|staat er nog|staan er nog|zit er nog|zitten er nog|hangt er nog|alweer|weer terug|is terug|opnieuw (kapot|vol|neergelegd|gedumpt)|nog steeds niet|still|not fixed|not solved|is back|again|wl-?\d{4}-?\d+)\b/;

/** Words that add another matter: "nu ook", "er staat ook", "iets anders", "another problem". */
const NEW_CONCERN =
  /\b(nu ook|ook nog|(er )?(ligt|liggen|staat|staan|zit|zitten|hangt|hangen|is|zijn) (er )?(nu )?ook|nog een (ander|andere|nieuw|nieuwe)|iets anders|ander probleem|andere melding|nieuwe melding|nieuw probleem|something else|another (problem|issue|thing)|there is also|there are also)\b/;

/** A whole message that only thanks, agrees or says there is nothing to add: "nee hoor, bedankt", "top!", "ok dank je". */
const CLOSING =
  /^(?:(?:nee|neen|nope|no|nee hoor|nee dank je|nee dank u|nee bedankt|nee hoor bedankt|niks|niets|nothing|niet nodig|hoeft niet|is goed|oke|ok|okay|prima|top|super|mooi|fijn|goed zo|helemaal goed|perfect|bedankt|dank je|dank je wel|dankjewel|dankuwel|dank u|dank u wel|thanks|thank you|thx|merci|groetjes|doei|fijne dag)[\s,.!]*)+$/u;

/**
 * Words that ask to close the case because it is solved: "kunnen jullie mijn melding afsluiten? is opgelost",
 * "de melding mag gesloten worden", "it's fixed now". "Niet opgelost" is no such request (CONTINUES wins).
 */
const CLOSE_CASE =
  /\b(melding|meldingen|zaak|ticket|vraag|klacht|report|case)\b.{0,40}\b(afsluiten|sluiten|gesloten|afgesloten|dicht|intrekken|ingetrokken|close|closed)\b|\b(afsluiten|sluiten|close)\b.{0,25}\b(melding|zaak|ticket|vraag|klacht|report|case)\b|\b(is|zijn|al|inmiddels|intussen) (al |inmiddels |intussen |nu )?(opgelost|verholpen|gerepareerd|opgeruimd|weggehaald)\b|\b(is|its|has been|already|now) (already |now )?(fixed|solved|resolved)\b/;

/** Whether the words ask to close the case because it is solved (see CLOSE_CASE). */
export function asksToCloseCase(text: string | undefined): boolean {
  const said = normalise(text ?? "");
  if (!said || said.split(" ").length > 20) return false;
  return !CONTINUES.test(said) && CLOSE_CASE.test(said);
}

/** Reads the words after a resolution against the case (see CaseFollowUp). */
export function readCaseFollowUp(text: string | undefined): CaseFollowUp {
  const said = normalise(text ?? "");
  if (!said) return "unclear";
  if (CONTINUES.test(said)) return "continues";
  if (CLOSING.test(said)) return "closing";
  // "kunnen jullie mijn melding afsluiten? is opgelost" after the resolution: it is closed already, nothing new.
  if (asksToCloseCase(said)) return "closing";
  if (NEW_CONCERN.test(said)) return "new-concern";
  return "unclear";
}
