/**
 * The bot's side of the trust pulse (trustPulse.ts): the offer after a feedback score that left
 * the conversation resolved, and the answers to its buttons. A tapped score is recorded and its
 * text in the conversation replaced, so that no staff view shows one resident's trust.
 */
import { activityFromOutput, readActivity } from "../bot/activity.ts";
import type { Middleware, Turn } from "../bot/turn.ts";
import { messageText } from "../conversation/messageText.ts";
import { advanceTrustPulse, createTrustPulseOffer, findTrustPulseOfResident, hasTrustPulseInQuarter, hidePulseAnswerText } from "../db/trustPulse.repo.ts";
import { quarterOf, readTrustPulseTap, shouldOfferTrustPulse, TRUST_SCORES, trustPulseButtonValue } from "./trustPulse.ts";

/** What a hidden score reads as in the conversation. */
export const HIDDEN_PULSE_ANSWER = "(antwoord op de vertrouwensvraag)";

/**
 * The flow variable set when a feedback score left the conversation resolved: the pulse is offered once the resident is
 * done with the thanks' own question ("Wil je er nog iets over zeggen?"), so that one question comes at a time.
 */
export const TRUST_PULSE_DUE_VAR = "trustPulseDue";

/**
 * Offers the pulse at the end of the turn's conversation, when the resident had none this quarter: `lead` first (a
 * short word with no question in it), then the offer. False when it is not offered (nothing is sent then).
 */
export async function offerTrustPulse(turn: Turn, lead?: string): Promise<boolean> {
  const quarter = quarterOf(turn.now, turn.deps.gemeente.timeZone);
  const offeredThisQuarter = await hasTrustPulseInQuarter(turn.tx, turn.resident.id, quarter);
  // The feedback question that came before is never asked after a 112/113 conversation.
  if (!shouldOfferTrustPulse({ consent: turn.resident.privacyConsent === true, emergency: null, offeredThisQuarter })) return false;
  const pulse = await createTrustPulseOffer(turn.tx, {
    gemeenteId: turn.deps.gemeente.id,
    residentId: turn.resident.id,
    wijkId: turn.resident.wijkId,
    conversationId: turn.conversationId,
    quarter,
    now: turn.now,
  });
  const text = (key: "trustPulseOffer" | "trustPulseYes" | "trustPulseNo") => messageText(turn.flows.globals, key, turn.state.language);
  if (lead) await turn.context.sendActivity(activityFromOutput({ text: lead, buttons: [] }));
  await turn.context.sendActivity(
    activityFromOutput({
      text: text("trustPulseOffer"),
      buttons: [
        { label: text("trustPulseYes"), value: trustPulseButtonValue(pulse.id, "yes") },
        { label: text("trustPulseNo"), value: trustPulseButtonValue(pulse.id, "no") },
      ],
    }),
  );
  return true;
}

/** The middleware: answers a tapped pulse button; everything else passes untouched. */
export const answerTrustPulse: Middleware = async (turn, next) => {
  const tap = readTrustPulseTap(readActivity(turn.context.activity).value);
  if (!tap) return next();
  const pulse = await findTrustPulseOfResident(turn.tx, tap.pulseId, turn.resident.id);
  const say = async (key: "trustPulseQuestion" | "trustPulseThanks" | "trustPulseDeclined", buttons: Array<{ label: string; value: string }> = []): Promise<void> => {
    await turn.context.sendActivity(activityFromOutput({ text: messageText(turn.flows.globals, key, turn.state.language), buttons }));
  };
  if (!pulse) return say("trustPulseDeclined");
  if (tap.answer === "yes") {
    if (await advanceTrustPulse(turn.tx, pulse.id, "offered", { status: "asked" })) {
      return say(
        "trustPulseQuestion",
        TRUST_SCORES.map((score) => ({ label: String(score), value: trustPulseButtonValue(pulse.id, score) })),
      );
    }
    return say("trustPulseThanks");
  }
  if (tap.answer === "no") {
    await advanceTrustPulse(turn.tx, pulse.id, "offered", { status: "declined" });
    return say("trustPulseDeclined");
  }
  if (tap.answer !== "score") return next();
  await hidePulseAnswerText(turn.tx, turn.message.id, HIDDEN_PULSE_ANSWER);
  await advanceTrustPulse(turn.tx, pulse.id, "asked", { status: "scored", score: tap.score, now: turn.now });
  return say("trustPulseThanks");
};
