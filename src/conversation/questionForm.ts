/**
 * Telling a question about what is going on ("wanneer is da fietspad klaar", "komt er een nieuwe
 * speeltuin?") from a melding: such a question goes to the wijk news, where the wijk's projects
 * are. Pure, over the words in flows/globals.yaml (`questionCues`) and only the triage's result
 * (its intent), so it works with whatever triage is in use.
 */
import { normalise } from "./answers.ts";
import type { Globals } from "./flowSchema.ts";

/** What a resident's question asks for: the wijk news, or unsure between the news and a melding. */
export type QuestionRoute = "wijknieuws" | "ask";

/** Intents a question may be rerouted from: the triage took it for a melding, or did not know. */
const REROUTABLE = new Set(["melding", "onbekend", "groet", "idee"]);

/** True when the text is put as a question: it starts with a question word (questionCues.starts) or ends with "?". */
export function isQuestion(globals: Globals, text: string): boolean {
  const said = normalise(text);
  if (/\?\s*$/.test(text.trim())) return true;
  return (globals.questionCues?.starts ?? []).some((start) => said === normalise(start) || said.startsWith(`${normalise(start)} `));
}

/**
 * Where a question goes: "wijknieuws" for a question about a project or what is happening,
 * "ask" for a question that may be a melding too (offer both), null for no question or one that
 * another flow answers (a person, privacy, dialoogtafels…).
 */
export function routeQuestion(globals: Globals, text: string, triage: { intent: string }): QuestionRoute | null {
  const cues = globals.questionCues;
  if (!cues || !REROUTABLE.has(triage.intent)) return null;
  const said = normalise(text);
  if (!said) return null;
  const padded = ` ${said} `;
  const has = (words: string[]) => words.some((word) => padded.includes(` ${normalise(word)} `));
  if (!isQuestion(globals, text)) return null;
  if (has(cues.report)) return null;
  if (has(cues.project)) return "wijknieuws";
  return triage.intent === "melding" ? "ask" : null;
}

/**
 * True when the text asks when afval is collected ("wanneer wordt het oud papier opgehaald?", "wanneer halen jullie het
 * pmd op", "afvalkalender"): the afvalkalender answers it (globals `wasteCalendar`), not the wijk news. A text with a
 * `not` word ("mijn groene bak is niet geleegd") is about a collection that went wrong: a melding, no calendar question.
 */
export function asksWasteCalendar(globals: Globals, text: string): boolean {
  const cues = globals.wasteCalendar;
  if (!cues) return false;
  const said = normalise(text);
  if (!said) return false;
  const padded = ` ${said} `;
  const has = (words: string[]) => words.some((word) => padded.includes(` ${normalise(word)} `));
  if (has(cues.not)) return false;
  if (has(cues.words)) return true;
  const question = isQuestion(globals, text) || /^(welke|op welke|om welke|hoe laat|om hoe laat|which|what day)\b/.test(said);
  return question && has(cues.kinds) && has(cues.collect);
}

/** Words that may stand around a bare kind of afval in a short question ("maar oud papier?", "hallo?? oud papier"). */
const FILLER = new Set(["maar", "en", "het", "de", "hallo", "hoi", "hey", "and", "but", "the", "what", "about", "nou", "dan"]);

/**
 * As asksWasteCalendar, but read clause by clause, for a resident whose message is also about something else ("nee hoeft
 * niet. maar oud papier?", "nee. ik wil gewoon weten wanneer het oud papier is"): a clause asks for the calendar, says
 * when ("wanneer", "when") with a kind of afval, or is only a kind in a short question. A clause with a `not` word is none.
 * Used where the bot would otherwise not answer the question at all (after a 112/113 moment, beside staff).
 */
export function asksWasteCalendarInClauses(globals: Globals, text: string): boolean {
  const cues = globals.wasteCalendar;
  if (!cues) return false;
  const asked = text.includes("?");
  return text.split(/[.!?;,]+/).some((clause) => {
    const said = normalise(clause);
    if (!said) return false;
    if (asksWasteCalendar(globals, clause)) return true;
    const padded = ` ${said} `;
    const has = (words: string[]) => words.some((word) => padded.includes(` ${normalise(word)} `));
    if (has(cues.not) || !has(cues.kinds)) return false;
    if (/\b(?:wanneer|when|welke dag|what day)\b/.test(said)) return true;
    // Only a kind, perhaps with a filler word, in a message with a question mark: "maar oud papier?".
    let rest = padded;
    for (const kind of [...cues.kinds].sort((a, b) => b.length - a.length)) rest = rest.split(` ${normalise(kind)} `).join(" ");
    return asked && rest.split(" ").every((word) => !word || FILLER.has(word));
  });
}
