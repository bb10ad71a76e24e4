/**
 * The triage the bot and POST /api/v1/triage use: the Dutch triage (src/conversation/triage.ts)
 * plus the message's detected language and the safety net in the other languages, which is
 * checked first. An emergency from either side counts, 113 over 112: the layers only add recall.
 */
import type { DetectedLanguage, OtherLanguage } from "../domain/vocabulary.ts";
import { parseOtherLanguage } from "../domain/vocabulary.ts";
import { detectResidentLanguage } from "./detectLanguage.ts";
import { checkSafetyInLanguages, type SafetyLanguages } from "./safetyLanguages.ts";
import { triageText, type TriageLexicon, type TriageResult } from "./triage.ts";
import type { TriageModel } from "./triageModel.ts";

/** A triage result with the language the resident wrote in. */
export type ResidentTriage = TriageResult & {
  /** The language of the text (nl when unsure); `language` stays the conversation language (nl/en). */
  detectedLanguage: DetectedLanguage;
  /** Whether the detected language is sure enough to answer in. */
  languageConfident: boolean;
  /**
   * The other language to answer this message in with its set texts (the 112/113 answers, "a
   * person will help you"), or null to answer in the conversation language.
   */
  answerLanguage: OtherLanguage | null;
};

/** Everything the triage reads: the trained model, the Dutch lexicon and the other languages' cues. */
export type TriageRules = { model: TriageModel; lexicon: TriageLexicon; languages: SafetyLanguages };

/** Triages a resident's text: other languages' safety cues first, then the Dutch triage. */
export function triageResidentText(text: string, rules: TriageRules): ResidentTriage {
  const guess = detectResidentLanguage(text, rules.languages, rules.lexicon.language);
  const safety = checkSafetyInLanguages(text, rules.languages, guess.language);
  const dutch = triageText(text, rules.lexicon, rules.model);
  const detected = guess.confident ? parseOtherLanguage(guess.language) : null;
  // An emergency cue in another language tells the language when the model was unsure.
  const cueLanguage = safety.emergency && (!guess.confident || guess.language === "other") ? parseOtherLanguage(safety.language) : null;
  const answerLanguage = detected ?? cueLanguage;
  const base = { ...dutch, detectedLanguage: cueLanguage ?? guess.language, languageConfident: guess.confident || cueLanguage !== null, answerLanguage };

  // The Dutch lexicon has no sense of time in other languages: their calm words ("last week") count for its 112 too.
  const dutchEmergency = dutch.emergency === "112" && safety.calm && guess.confident && guess.language !== "nl" ? null : dutch.emergency;
  const emergency = dutchEmergency === "113" || safety.emergency === "113" ? "113" : (dutchEmergency ?? safety.emergency);
  if (!emergency) return dutch.emergency ? { ...base, intent: "onbekend", theme: "overig", emergency: null, possibleEmergency: null, confidence: { intent: 0, theme: 0 } } : base;
  if (emergency === dutch.emergency) return base;
  return {
    ...base,
    intent: emergency === "113" ? "crisis" : "spoed",
    theme: rules.lexicon.emergencies[emergency === "113" ? "crisis" : "spoed"].theme,
    emergency,
    possibleEmergency: null,
    confidence: { intent: 0.9, theme: 1 },
  };
}
