/** What the built-in web chat (src/channels/webchat) reads back: a visitor's conversation, message by message. */
import { z } from "zod";
import { OutboundPayloadSchema } from "../domain/messages.ts";
import type { DbOrTx } from "./client.ts";

/** One message of a web chat visitor's conversations, with the buttons a bot message was sent with. */
export interface WebchatMessage {
  id: string;
  direction: "in" | "out";
  authorKind: string;
  text: string | null;
  latitude: number | null;
  /** The stored media reference (`photo:…`), or null (none, or forgotten without consent). */
  mediaRef: string | null;
  createdAt: Date;
  buttons: Array<{ label: string; value: string }>;
}

const WebchatDirectionSchema = z.enum(["in", "out"]);
/** An outbox payload as addOutboundMessage stores it: the outbound payload and the message it belongs to. */
const StoredPayloadSchema = OutboundPayloadSchema.extend({ messageId: z.string() });

/**
 * The visitor's messages in and out (never notes) after `after`, oldest first, at most 200;
 * null when the visitor has never written (no web chat identity yet).
 */
export async function listWebchatMessages(db: DbOrTx, visitor: string, after: { at: Date; id: string } | null): Promise<WebchatMessage[] | null> {
  const identity = await db.channelIdentity.findUnique({ where: { channel_externalId: { channel: "webchat", externalId: visitor } } });
  if (!identity) return null;
  const messages = await db.message.findMany({
    where: {
      conversation: { channelIdentityId: identity.id },
      direction: { in: ["in", "out"] },
      ...(after ? { OR: [{ createdAt: { gt: after.at } }, { createdAt: after.at, id: { gt: after.id } }] } : {}),
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: 200,
  });
  const outbox = await db.outboxMessage.findMany({
    where: { channelIdentityId: identity.id, createdAt: { gte: messages[0]?.createdAt ?? new Date(0) } },
    select: { payload: true },
  });
  const buttonsByMessage = new Map<string, Array<{ label: string; value: string }>>();
  for (const row of outbox) {
    const parsed = StoredPayloadSchema.safeParse(safeJson(row.payload));
    if (parsed.success) buttonsByMessage.set(parsed.data.messageId, parsed.data.buttons);
  }
  return messages.map((m) => ({
    id: m.id,
    direction: WebchatDirectionSchema.parse(m.direction),
    authorKind: m.authorKind,
    text: m.text,
    latitude: m.latitude,
    mediaRef: m.mediaRef,
    createdAt: m.createdAt,
    buttons: buttonsByMessage.get(m.id) ?? [],
  }));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The language (Resident.language, "nl" or "en") of the resident behind a web chat visitor; null before their first message. */
export async function findWebchatResidentLanguage(db: DbOrTx, visitor: string): Promise<string | null> {
  const identity = await db.channelIdentity.findUnique({ where: { channel_externalId: { channel: "webchat", externalId: visitor } }, select: { resident: { select: { language: true } } } });
  return identity?.resident.language ?? null;
}

/** The language of the visitor's newest conversation (Conversation.language: "tr", "pl"… once recognised), or null. */
export async function findWebchatConversationLanguage(db: DbOrTx, visitor: string): Promise<string | null> {
  const identity = await db.channelIdentity.findUnique({ where: { channel_externalId: { channel: "webchat", externalId: visitor } }, select: { id: true } });
  if (!identity) return null;
  const newest = await db.conversation.findFirst({ where: { channelIdentityId: identity.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { language: true } });
  return newest?.language ?? null;
}

/** How many of the newest reactions the web chat reads back: enough for every bubble a page shows. */
const ACKNOWLEDGED_LIMIT = 200;

/**
 * The ids of the visitor's own messages that the bot acknowledged with a reaction (newest first,
 * at most 200): what the page marks "passed on". A reaction is an outbox row, never a Message.
 */
export async function listWebchatAcknowledgedMessageIds(db: DbOrTx, visitor: string): Promise<string[]> {
  const identity = await db.channelIdentity.findUnique({ where: { channel_externalId: { channel: "webchat", externalId: visitor } }, select: { id: true } });
  if (!identity) return [];
  const rows = await db.outboxMessage.findMany({
    where: { channelIdentityId: identity.id, payload: { contains: '"reaction"' } },
    select: { payload: true },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: ACKNOWLEDGED_LIMIT,
  });
  const ids = new Set<string>();
  for (const row of rows) {
    const parsed = OutboundPayloadSchema.safeParse(safeJson(row.payload));
    if (parsed.success && parsed.data.reaction) ids.add(parsed.data.reaction.messageId);
  }
  return [...ids];
}
