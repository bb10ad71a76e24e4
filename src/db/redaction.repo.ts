/**
 * Removing data a resident shared but the bot did not need (src/bot/minimiseData.ts): the
 * resident's own message, and every copy made of it since — form answers in the flow state, the
 * note staff got at the handover, a bot reply or outbox payload that quotes it.
 */
import { redactStrings } from "../privacy/sensitiveData.ts";
import type { Tx } from "./client.ts";

/** One of the resident's inbound messages, if it is theirs (never another resident's). */
export async function findResidentInbound(tx: Tx, input: { residentId: string; messageId: string }): Promise<{ id: string; text: string | null; createdAt: Date } | null> {
  return tx.message.findFirst({
    where: { id: input.messageId, direction: "in", conversation: { residentId: input.residentId } },
    select: { id: true, text: true, createdAt: true },
  });
}

/**
 * Applies `redact` to every text of the resident's conversations written at or after `since`:
 * messages (resident, bot, staff and notes), flow states and outbox payloads. Returns how many
 * rows changed. `redact` returns its input unchanged when there is nothing to remove.
 */
export async function redactResidentTexts(tx: Tx, input: { residentId: string; since: Date; redact: (text: string) => string }): Promise<{ messages: number; states: number; outbox: number }> {
  const counts = { messages: 0, states: 0, outbox: 0 };
  const messages = await tx.message.findMany({
    where: { conversation: { residentId: input.residentId }, createdAt: { gte: input.since }, text: { not: null } },
    select: { id: true, text: true },
  });
  for (const message of messages) {
    const text = message.text ?? "";
    const redacted = input.redact(text);
    if (redacted === text) continue;
    await tx.message.update({ where: { id: message.id }, data: { text: redacted } });
    counts.messages++;
  }
  const conversations = await tx.conversation.findMany({ where: { residentId: input.residentId }, select: { id: true, state: true } });
  for (const conversation of conversations) {
    const state = redactJsonText(conversation.state, input.redact);
    if (state === null) continue;
    await tx.conversation.update({ where: { id: conversation.id }, data: { state } });
    counts.states++;
  }
  const outbox = await tx.outboxMessage.findMany({ where: { residentId: input.residentId, createdAt: { gte: input.since } }, select: { id: true, payload: true } });
  for (const row of outbox) {
    const payload = redactJsonText(row.payload, input.redact);
    if (payload === null) continue;
    await tx.outboxMessage.update({ where: { id: row.id }, data: { payload } });
    counts.outbox++;
  }
  return counts;
}

/** The JSON text with `redact` applied to every string in it; null when nothing changed (or it is not JSON). */
function redactJsonText(json: string, redact: (text: string) => string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  const result = redactStrings(parsed, redact);
  return result.changed ? JSON.stringify(result.value) : null;
}
