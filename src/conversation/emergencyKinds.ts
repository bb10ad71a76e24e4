/**
 * Which kind of emergency a 112 message is about (gas, fire, someone not breathing, violence), so
 * the answer fits it: flows/globals.yaml `emergencyKinds` holds the words and the texts. Pure; it
 * does not decide whether there is an emergency (the triage does), only which answer to give.
 */
import { normalise } from "./answers.ts";
import type { Globals, Language } from "./flowSchema.ts";

/** The first emergency kind whose words occur in the text as whole words, or null. */
export function findEmergencyKind(globals: Globals, text: string): Globals["emergencyKinds"][number] | null {
  const said = ` ${normalise(text)} `;
  for (const kind of globals.emergencyKinds) {
    if (kind.words.some((word) => said.includes(` ${normalise(word)} `))) return kind;
  }
  return null;
}

/** The 112 answer for this message: its kind's text when one matches, else messages.emergency112. */
export function emergency112Text(globals: Globals, text: string, language: Language): string {
  const kind = findEmergencyKind(globals, text);
  return kind ? kind.text[language] : globals.messages.emergency112[language];
}
