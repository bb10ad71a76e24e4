/**
 * The inbound rate limit per resident identity: beyond `INBOUND_LIMIT.messages` messages in
 * `INBOUND_LIMIT.windowMs` from one chat, the extra messages are stored and shown to staff as
 * every message is, but get no bot turn; the first of them gets one friendly notice
 * (flows/globals.yaml `floodNotice`). So one resident sending hundreds of messages costs one turn
 * each for the first few, and never holds up anyone else's reply. A 112/113 message is never
 * limited. Counted from the stored messages in the turn's own transaction (the conversation's
 * turn lock), so it holds across restarts and instances.
 */
import { countRecentInbound, findPreviousInbound } from "../db/inbound.repo.ts";
import { messageText } from "../conversation/messageText.ts";
import { activityFromOutput } from "./activity.ts";
import type { Middleware } from "./turn.ts";

/** More than `messages` in `windowMs` from one identity is a flood. */
export const INBOUND_LIMIT = { messages: 20, windowMs: 60_000 } as const;

/** The middleware: lets the turn go on, or answers a flooding message with the one notice or nothing. */
export const limitFloods: Middleware = async (turn, next) => {
  const identityId = turn.conversation.channelIdentityId;
  const message = { id: turn.message.id, createdAt: turn.message.createdAt };
  const { messages, windowMs } = INBOUND_LIMIT;
  // Read with the message (findNextTurnInput, turnLookups): the exact counts below only for a flood.
  if (!turn.lookups.overFloodLimit) return next();
  const text = turn.context.activity.text;
  if (text && turn.deps.classify(text).emergency) return next();
  // The first message over the limit gets the notice; the ones after it (still over) are quiet.
  const previous = await findPreviousInbound(turn.tx, identityId, message);
  const floodStartsHere = !previous || (await countRecentInbound(turn.tx, identityId, previous, windowMs)) <= messages;
  if (floodStartsHere) await turn.context.sendActivity(activityFromOutput({ text: messageText(turn.flows.globals, "floodNotice", turn.state.language), buttons: [] }));
};
