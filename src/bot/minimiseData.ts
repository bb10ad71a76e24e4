/**
 * Data minimisation in the chat (AVG art. 5(1)(c)). The bot never asks for a BSN, a bank account
 * number or health details; when a resident sends one anyway, the bot answers as usual and then
 * says, in one short message, that it does not need it, with two buttons: "Verwijder het" and
 * "Laat maar staan". "Verwijder het" masks it in the resident's message and in every copy made of
 * it since (form answers, the note staff got, bot replies, the outbox), and the audit log records
 * that it happened (which kinds, how many rows), never what was removed.
 *
 * The buttons carry the message's id, so a tap works later too; the id is only honoured for the
 * resident's own messages. Channels without buttons (WhatsApp Web) get a numbered list: in the
 * message right after the warning the resident can type the button's words, or its number when
 * no question of a flow is open (a number then answers the flow's question).
 */
import { matchChoice } from "../conversation/answers.ts";
import { messageText, type MessageKey } from "../conversation/messageText.ts";
import { recordAudit } from "../db/audit.repo.ts";
import { findResidentInbound, redactResidentTexts } from "../db/redaction.repo.ts";
import { findSensitiveData, redactStrings, redactorFor, sensitiveKinds, type SensitiveKind } from "../privacy/sensitiveData.ts";
import { activityFromOutput, readActivity } from "./activity.ts";
import type { Middleware, Turn } from "./turn.ts";

/** The button values: `privacy:remove:<message id>` and `privacy:keep:<message id>`. */
const CHOICE_VALUE = /^privacy:(remove|keep):([A-Za-z0-9_-]{1,64})$/;

/** The flow variable that remembers the last warning, for typed answers (a `keep_` variable outlives a flow). */
const PENDING_VAR = "keep_sensitiveMessage";

const KIND_TEXTS: Record<SensitiveKind, MessageKey> = { bsn: "sensitiveBsn", iban: "sensitiveIban", medisch: "sensitiveMedical" };

function text(turn: Turn, key: MessageKey, vars: Record<string, string> = {}): string {
  return messageText(turn.flows.globals, key, turn.state.language, vars);
}

/** The middleware: handles an answer to an earlier warning, or runs the turn and warns after it. */
export const offerToRemoveSensitiveData: Middleware = async (turn, next) => {
  const read = readActivity(turn.context.activity);
  const choice = readChoice(turn, read);
  if (choice) {
    await handleChoice(turn, choice);
    return;
  }
  // Typed answers count only right after the warning; the buttons keep working later.
  delete turn.state.vars[PENDING_VAR];
  await next();
  // Without consent nothing the resident wrote is kept anyway; after an erasure there is nothing left.
  if (read.value || !read.text || turn.erased || turn.residentFacts.consent === false) return;
  const kinds = sensitiveKinds(findSensitiveData(read.text));
  if (kinds.length === 0) return;
  const what = kinds.map((kind) => text(turn, KIND_TEXTS[kind])).join(text(turn, "sensitiveAnd"));
  const id = turn.message.id;
  await turn.context.sendActivity(
    activityFromOutput({
      text: text(turn, "sensitiveWarning", { what }),
      buttons: [
        { label: text(turn, "sensitiveRemoveButton"), value: `privacy:remove:${id}` },
        { label: text(turn, "sensitiveKeepButton"), value: `privacy:keep:${id}` },
      ],
    }),
  );
  turn.state.vars[PENDING_VAR] = id;
};

/** The resident's answer to a warning: a tapped button, or (after a warning) its words or number. */
function readChoice(turn: Turn, read: ReturnType<typeof readActivity>): { action: "remove" | "keep"; messageId: string } | null {
  const tapped = read.value ? CHOICE_VALUE.exec(read.value) : null;
  if (tapped?.[1] && tapped[2]) return { action: tapped[1] === "remove" ? "remove" : "keep", messageId: tapped[2] };
  const pending = turn.state.vars[PENDING_VAR];
  if (typeof pending !== "string" || !read.text || read.value) return null;
  const labels = (key: MessageKey) => [turn.flows.globals.messages[key].nl, turn.flows.globals.messages[key].en];
  const choices = [
    // Not "verwijderen": that is "Alles wissen" in the privacy flow.
    { value: "remove", labels: [...labels("sensitiveRemoveButton"), "weghalen", "haal het weg", "remove"] },
    { value: "keep", labels: labels("sensitiveKeepButton") },
  ];
  // A number belongs to the flow's own question while one is open.
  if (/^\s*\d+\s*$/.test(read.text) && turn.state.waiting === "ask") return null;
  const matched = matchChoice(read.text, choices, { inSentence: false });
  return matched ? { action: matched.value === "remove" ? "remove" : "keep", messageId: pending } : null;
}

async function handleChoice(turn: Turn, choice: { action: "remove" | "keep"; messageId: string }): Promise<void> {
  delete turn.state.vars[PENDING_VAR];
  const send = (key: MessageKey) => turn.context.sendActivity(activityFromOutput({ text: text(turn, key), buttons: [] }));
  if (choice.action === "keep") {
    await send("sensitiveKept");
    return;
  }
  const message = await findResidentInbound(turn.tx, { residentId: turn.resident.id, messageId: choice.messageId });
  const findings = message?.text ? findSensitiveData(message.text) : [];
  if (message && findings.length > 0) {
    const redact = redactorFor(findings);
    const counts = await redactResidentTexts(turn.tx, { residentId: turn.resident.id, since: message.createdAt, redact });
    // The flow state in memory is written at the end of the turn: it must lose the copies too.
    turn.state.vars = redactVars(turn.state.vars, redact);
    await recordAudit(turn.tx, {
      gemeenteId: turn.deps.gemeente.id,
      actorKind: "resident",
      action: "resident.redacted",
      subjectType: "Message",
      subjectId: message.id,
      data: { kinds: sensitiveKinds(findings), ...counts },
      at: turn.now,
    });
    turn.events.push({ conversationId: turn.conversationId, tandemId: turn.conversation.tandemId, kind: "message" });
  }
  await send("sensitiveRemoved");
}

function redactVars(vars: Record<string, unknown>, redact: (text: string) => string): Record<string, unknown> {
  const result = redactStrings(vars, redact).value;
  return result && typeof result === "object" && !Array.isArray(result) ? Object.fromEntries(Object.entries(result)) : vars;
}
