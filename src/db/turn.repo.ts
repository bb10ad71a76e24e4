/**
 * What a bot turn (src/bot/turn.ts, src/bot/actions.ts) reads and writes of its conversation: the
 * stored message with its conversation and resident, the flow state, and the conversation's topic.
 */
import { ChannelSchema, ConversationStatusSchema, type Channel, type ConversationStatus, type OutboundPayload } from "../domain/messages.ts";
import type { Tx } from "./client.ts";
import { outboundMessageStatements, outboxMessageStatement } from "./conversation.repo.ts";
import { dateOf, optionalBooleanOf, optionalDateOf, optionalNumberOf, optionalTextOf, type SqlParam, sqlRows, sqlRunAll, type SqlRow, type SqlStatement, textOf } from "./sql.ts";

/** A stored inbound message with what its turn needs of the conversation and the resident. */
export interface TurnInput {
  /** Another inbound message of the conversation waited behind this one when it was loaded. */
  moreWaiting: boolean;
  /** What the turn's middleware would otherwise ask in statements of their own (TurnLookups). */
  lookups: {
    /** More than `floodMessages` of the identity's inbound messages in `floodWindowMs` up to this one (src/bot/floodLimit.ts). */
    overFloodLimit: boolean;
    /** This message is the score or comment of the conversation's "Voelde je je gehoord?" (src/trust/answerFeedback.ts). */
    answersFeedback: boolean;
    /** A wijkbericht was queued or sent to the identity since `wijkberichtSince`: whether it was the last thing is asked only then. */
    wijkberichtLately: boolean;
  };
  message: { id: string; channel: Channel; text: string | null; value: string | null; mediaRef: string | null; latitude: number | null; longitude: number | null; createdAt: Date };
  conversation: {
    id: string;
    status: ConversationStatus;
    /** The stored flow state, parsed (an empty object when it cannot be read). */
    flowState: unknown;
    /** True while no flow state was saved yet (a new conversation). */
    flowStateEmpty: boolean;
    lastMessageAt: Date;
    tandemId: string | null;
    channel: Channel;
    residentId: string;
    channelIdentityId: string;
    /** The resident's address on the platform. */
    externalId: string;
    /** The language the resident writes in, as last recognised (DetectedLanguage), or null. */
    language: string | null;
  };
  resident: {
    id: string;
    language: string;
    wijkId: string | null;
    wijk: { slug: string; name: string } | null;
    /** The resident's latest privacy consent answer; null when never asked. */
    privacyConsent: boolean | null;
    /** When the resident was last seen (written at most once a minute). */
    lastSeenAt: Date;
  };
}

/** The limits the turn input's look-ups are asked with (src/bot/turn.ts turnLookups). */
export interface TurnLookups {
  floodMessages: number;
  floodWindowMs: number;
  wijkberichtSince: Date;
}

/**
 * Loads the conversation's oldest inbound message the bot has not handled yet, with what its turn
 * needs of the conversation and the resident; null when none waits. One statement: this runs for
 * every message (a round trip on PostgreSQL), and as a Prisma nested include it cost more than the
 * rest of the turn's reads. It also answers the middleware's look-ups (TurnInput `lookups`): the
 * flood limit as the time of the identity's message `floodMessages` before this one (more than
 * `floodMessages` in the window exactly when that one is inside it too), whether the message
 * answers the feedback question, and whether a wijkbericht went out lately.
 */
export async function findNextTurnInput(tx: Tx, conversationId: string, lookups: TurnLookups): Promise<TurnInput | null> {
  const rows = await sqlRows(
    tx,
    `SELECT m."id", m."channel", m."text", m."value", m."mediaRef", m."latitude", m."longitude", m."createdAt",
      c."id" AS "conversationId", c."status", c."state", c."lastMessageAt", c."tandemId", c."channel" AS "conversationChannel", c."language" AS "conversationLanguage",
      c."residentId", c."channelIdentityId", i."externalId",
      r."language" AS "residentLanguage", r."wijkId" AS "residentWijkId", r."lastSeenAt" AS "residentLastSeenAt",
      w."slug" AS "wijkSlug", w."name" AS "wijkName",
      (SELECT k."granted" FROM "Consent" k WHERE k."residentId" = r."id" AND k."kind" = 'privacy' ORDER BY k."at" DESC LIMIT 1) AS "privacyConsent",
      (SELECT e."createdAt" FROM "Message" e JOIN "Conversation" ec ON ec."id" = e."conversationId"
        WHERE ec."channelIdentityId" = c."channelIdentityId" AND e."direction" = 'in' AND (e."createdAt" < m."createdAt" OR (e."createdAt" = m."createdAt" AND e."id" <= m."id"))
        ORDER BY e."createdAt" DESC, e."id" DESC LIMIT 1 OFFSET ?) AS "floodEdgeAt",
      (SELECT 1 FROM "Feedback" f WHERE f."conversationId" = c."id" AND (f."scoreMessageId" = m."id" OR f."commentMessageId" = m."id") LIMIT 1) AS "answersFeedback",
      (SELECT 1 FROM "WijkberichtDelivery" d WHERE d."channelIdentityId" = c."channelIdentityId" AND d."status" IN ('queued', 'sent') AND d."createdAt" >= ? LIMIT 1) AS "wijkberichtLately"
    FROM "Message" m
    JOIN "Conversation" c ON c."id" = m."conversationId"
    LEFT JOIN "ChannelIdentity" i ON i."id" = c."channelIdentityId"
    LEFT JOIN "Resident" r ON r."id" = c."residentId"
    LEFT JOIN "Wijk" w ON w."id" = r."wijkId"
    WHERE m."conversationId" = ? AND m."direction" = 'in' AND m."processedAt" IS NULL
    ORDER BY m."createdAt" ASC, m."id" ASC
    LIMIT 2`,
    [lookups.floodMessages, lookups.wijkberichtSince, conversationId],
  );
  if (!rows[0]) return null;
  const row = turnInputRow(rows[0]);
  // An erased resident's conversation keeps no messages, so no turn can reach one; say so if it does.
  if (row.residentId === null || row.channelIdentityId === null || row.externalId === null || row.residentLanguage === null || row.residentLastSeenAt === null) {
    throw new Error(`message ${row.id} belongs to an erased resident's conversation`);
  }
  return {
    // A second row: the next turn's message is there already (no statement at the end of the turn to ask).
    moreWaiting: rows.length > 1,
    lookups: {
      overFloodLimit: row.floodEdgeAt !== null && row.floodEdgeAt.getTime() > row.createdAt.getTime() - lookups.floodWindowMs,
      answersFeedback: row.answersFeedback,
      wijkberichtLately: row.wijkberichtLately,
    },
    message: {
      id: row.id,
      channel: ChannelSchema.parse(row.channel),
      text: row.text,
      value: row.value,
      mediaRef: row.mediaRef,
      latitude: row.latitude,
      longitude: row.longitude,
      createdAt: new Date(row.createdAt),
    },
    conversation: {
      id: row.conversationId,
      status: ConversationStatusSchema.parse(row.status),
      flowState: parseJson(row.state),
      flowStateEmpty: row.state === "{}",
      lastMessageAt: new Date(row.lastMessageAt),
      tandemId: row.tandemId,
      channel: ChannelSchema.parse(row.conversationChannel),
      residentId: row.residentId,
      channelIdentityId: row.channelIdentityId,
      externalId: row.externalId,
      language: row.conversationLanguage,
    },
    resident: {
      id: row.residentId,
      language: row.residentLanguage,
      wijkId: row.residentWijkId,
      wijk: row.wijkSlug !== null && row.wijkName !== null ? { slug: row.wijkSlug, name: row.wijkName } : null,
      privacyConsent: row.privacyConsent,
      lastSeenAt: new Date(row.residentLastSeenAt),
    },
  };
}

function turnInputRow(row: SqlRow) {
  return {
    id: textOf(row, "id"),
    channel: textOf(row, "channel"),
    text: optionalTextOf(row, "text"),
    value: optionalTextOf(row, "value"),
    mediaRef: optionalTextOf(row, "mediaRef"),
    latitude: optionalNumberOf(row, "latitude"),
    longitude: optionalNumberOf(row, "longitude"),
    createdAt: dateOf(row, "createdAt"),
    conversationId: textOf(row, "conversationId"),
    status: textOf(row, "status"),
    state: textOf(row, "state"),
    lastMessageAt: dateOf(row, "lastMessageAt"),
    tandemId: optionalTextOf(row, "tandemId"),
    conversationChannel: textOf(row, "conversationChannel"),
    conversationLanguage: optionalTextOf(row, "conversationLanguage"),
    residentId: optionalTextOf(row, "residentId"),
    channelIdentityId: optionalTextOf(row, "channelIdentityId"),
    externalId: optionalTextOf(row, "externalId"),
    residentLanguage: optionalTextOf(row, "residentLanguage"),
    residentWijkId: optionalTextOf(row, "residentWijkId"),
    residentLastSeenAt: optionalDateOf(row, "residentLastSeenAt"),
    wijkSlug: optionalTextOf(row, "wijkSlug"),
    wijkName: optionalTextOf(row, "wijkName"),
    privacyConsent: optionalBooleanOf(row, "privacyConsent"),
    floodEdgeAt: optionalDateOf(row, "floodEdgeAt"),
    answersFeedback: optionalBooleanOf(row, "answersFeedback") === true,
    wijkberichtLately: optionalBooleanOf(row, "wijkberichtLately") === true,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** Saves a conversation's flow state. */
export async function saveFlowState(tx: Tx, conversationId: string, state: object): Promise<void> {
  await tx.conversation.update({ where: { id: conversationId }, data: { state: JSON.stringify(state) } });
}

/** What a turn leaves of a conversation: its flow state, the time of its last message, an emergency when one was raised, the language when recognised. */
interface TurnState {
  state: object;
  lastMessageAt: Date;
  emergency?: string | undefined;
  language?: string | undefined;
}

function turnStateUpdate(conversationId: string, input: TurnState): SqlStatement {
  // `updatedAt` as Prisma's @updatedAt would set it.
  const sets = [`"state" = ?`, `"lastMessageAt" = ?`, `"updatedAt" = ?`];
  const params: Array<string | Date> = [JSON.stringify(input.state), input.lastMessageAt, new Date()];
  if (input.emergency) {
    sets.push(`"emergency" = ?`);
    params.push(input.emergency);
  }
  if (input.language) {
    sets.push(`"language" = ?`);
    params.push(input.language);
  }
  return { text: `UPDATE "Conversation" SET ${sets.join(", ")} WHERE "id" = ?`, params: [...params, conversationId] };
}

/**
 * Writes what every turn ends with, in one round trip on PostgreSQL (sqlRunAll): the
 * conversation's state, the message marked handled, the resident's language and `lastSeenAt`
 * when they changed, and the replies with their outbox rows (in the order given, one `now`).
 * Returns how many chat messages it wrote (reactions are not counted).
 */
export async function saveTurnOutcome(
  tx: Tx,
  input: {
    conversationId: string;
    turnState: TurnState;
    handledMessageId: string;
    resident: { id: string; language?: string | undefined; seenAt?: Date | undefined };
    reply: { residentId: string; channelIdentityId: string; channel: Channel; sends: readonly OutboundPayload[] };
    now: Date;
  },
): Promise<number> {
  const { now } = input;
  const statements: SqlStatement[] = [turnStateUpdate(input.conversationId, input.turnState), { text: `UPDATE "Message" SET "processedAt" = ? WHERE "id" = ?`, params: [now, input.handledMessageId] }];
  const residentSets: string[] = [];
  const residentParams: SqlParam[] = [];
  if (input.resident.language !== undefined) {
    residentSets.push(`"language" = ?`);
    residentParams.push(input.resident.language);
  }
  if (input.resident.seenAt !== undefined) {
    residentSets.push(`"lastSeenAt" = ?`);
    residentParams.push(input.resident.seenAt);
  }
  if (residentSets.length > 0) statements.push({ text: `UPDATE "Resident" SET ${residentSets.join(", ")} WHERE "id" = ?`, params: [...residentParams, input.resident.id] });
  let replies = 0;
  for (const payload of input.reply.sends) {
    const outbound = { ...input.reply, conversationId: input.conversationId, payload, now };
    // A reaction leaves through the outbox like every send (order, once, pacing), but is no chat message for staff to read.
    if (payload.reaction) {
      statements.push(outboxMessageStatement({ ...outbound, priority: 0 }));
      continue;
    }
    statements.push(...outboundMessageStatements({ ...outbound, authorKind: "bot" }).statements);
    replies++;
  }
  await sqlRunAll(tx, statements);
  return replies;
}

/** Records that a conversation had a message now. */
export async function touchConversation(tx: Tx, conversationId: string, now: Date): Promise<void> {
  await tx.conversation.update({ where: { id: conversationId }, data: { lastMessageAt: now } });
}

/** A conversation's status. */
export async function findConversationStatus(tx: Tx, conversationId: string): Promise<ConversationStatus> {
  const conversation = await tx.conversation.findUniqueOrThrow({ where: { id: conversationId }, select: { status: true } });
  return ConversationStatusSchema.parse(conversation.status);
}

/** Gives a conversation its wijk, tandem, intent and theme as the bot hands it to staff; returns its reference. */
export async function recordConversationTopic(
  tx: Tx,
  conversationId: string,
  input: { wijkId: string | null; tandemId: string | null; intent: string; theme: string; now: Date },
): Promise<{ reference: string }> {
  return tx.conversation.update({
    where: { id: conversationId },
    data: { wijkId: input.wijkId, tandemId: input.tandemId, intent: input.intent, theme: input.theme, lastMessageAt: input.now },
    select: { reference: true },
  });
}
