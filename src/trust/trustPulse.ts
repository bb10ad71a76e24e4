/**
 * The trust pulse: "Hoeveel vertrouwen heb je in de gemeente?" 1–5, the one measure of trust in
 * the wijkdialoog (Signalen and FixMyStreet only ask whether it was fixed). Pure rules, no I/O:
 *
 * - Offered at the end of a conversation: after the resident scored "Voelde je je gehoord?" and the
 *   conversation stayed resolved (answerTrustPulse.ts). Opt-in: first "Mag ik je nog één korte vraag
 *   stellen?" with Ja / Nee; only after Ja the question itself.
 * - At most once a quarter per resident (the quarter in the gemeente's zone), whatever they answer.
 * - Answers only by button (values `pulse:<id>:yes|no|1…5`): a typed "4" stays the feedback's or
 *   the conversation's, never a trust score by accident.
 * - Results per wijk and over time, never per person (src/trust/pilotFigures.ts).
 */
import { localDate } from "../domain/time.ts";

/** The scores, 1 (very little trust) to 5 (a lot). */
export const TRUST_SCORES = [1, 2, 3, 4, 5] as const;

/** The quarter of an instant in the zone: "2026-Q4". */
export function quarterOf(instant: Date, zone: string): string {
  const [year, month] = localDate(instant, zone);
  return `${year}-Q${Math.floor((month - 1) / 3) + 1}`;
}

/** What a tapped pulse button says. */
export type TrustPulseTap = { pulseId: string; answer: "yes" | "no" } | { pulseId: string; answer: "score"; score: number };

const BUTTON_VALUE = /^pulse:([A-Za-z0-9_-]{1,64}):(yes|no|[1-5])$/;

/** The value of a pulse button. */
export function trustPulseButtonValue(pulseId: string, answer: "yes" | "no" | number): string {
  return `pulse:${pulseId}:${answer}`;
}

/** Reads a tapped pulse button; null for any other value. */
export function readTrustPulseTap(value: string | null | undefined): TrustPulseTap | null {
  const match = value ? BUTTON_VALUE.exec(value) : null;
  if (!match?.[1] || !match[2]) return null;
  if (match[2] === "yes" || match[2] === "no") return { pulseId: match[1], answer: match[2] };
  return { pulseId: match[1], answer: "score", score: Number(match[2]) };
}

/** What is known when a pulse could be offered. */
export interface PulseFacts {
  /** The resident agreed to their conversations being stored. */
  consent: boolean;
  emergency: string | null;
  /** The resident already had an offer this quarter. */
  offeredThisQuarter: boolean;
}

/** Whether to offer the pulse now. */
export function shouldOfferTrustPulse(facts: PulseFacts): boolean {
  return facts.consent && facts.emergency === null && !facts.offeredThisQuarter;
}
