/**
 * What a bot turn (src/bot/turn.ts, src/bot/actions.ts) reads and writes of its conversation: the
 * stored message with its conversation and resident, the flow state, and the conversation's topic.
 */
import { ChannelSchema, ConversationStatusSchema, type Channel, type ConversationStatus } from "../domain/messages.ts";
import type { Tx } from "./client.ts";

/** A stored inbound message with what its turn needs of the conversation and the resident. */
export interface TurnInput {
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
  };
}

/** Loads a stored inbound message for its turn, with its conversation and resident. */
export async function findTurnInput(tx: Tx, messageId: string): Promise<TurnInput> {
  const message = await tx.message.findUniqueOrThrow({
    where: { id: messageId },
    include: {
      conversation: { include: { channelIdentity: true, resident: { include: { wijk: true, consents: { where: { kind: "privacy" }, orderBy: { at: "desc" }, take: 1 } } } } },
    },
  });
  const { conversation } = message;
  const { resident, channelIdentity } = conversation;
  // An erased resident's conversation keeps no messages, so no turn can reach one; say so if it does.
  if (!resident || !channelIdentity) throw new Error(`message ${message.id} belongs to an erased resident's conversation`);
  return {
    message: {
      id: message.id,
      channel: ChannelSchema.parse(message.channel),
      text: message.text,
      value: message.value,
      mediaRef: message.mediaRef,
      latitude: message.latitude,
      longitude: message.longitude,
      createdAt: message.createdAt,
    },
    conversation: {
      id: conversation.id,
      status: ConversationStatusSchema.parse(conversation.status),
      flowState: parseJson(conversation.state),
      flowStateEmpty: conversation.state === "{}",
      lastMessageAt: conversation.lastMessageAt,
      tandemId: conversation.tandemId,
      channel: ChannelSchema.parse(conversation.channel),
      residentId: resident.id,
      channelIdentityId: channelIdentity.id,
      externalId: channelIdentity.externalId,
      language: conversation.language,
    },
    resident: {
      id: resident.id,
      language: resident.language,
      wijkId: resident.wijkId,
      wijk: resident.wijk ? { slug: resident.wijk.slug, name: resident.wijk.name } : null,
      privacyConsent: resident.consents[0]?.granted ?? null,
    },
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

/**
 * Saves what a turn leaves of a conversation: its flow state, the time of its last message, an
 * emergency when one was raised, and the resident's language when it was recognised.
 */
export async function saveTurnState(tx: Tx, conversationId: string, input: { state: object; lastMessageAt: Date; emergency?: string | undefined; language?: string | undefined }): Promise<void> {
  await tx.conversation.update({
    where: { id: conversationId },
    data: {
      state: JSON.stringify(input.state),
      lastMessageAt: input.lastMessageAt,
      ...(input.emergency ? { emergency: input.emergency } : {}),
      ...(input.language ? { language: input.language } : {}),
    },
  });
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
