/**
 * Where a Bot Framework Activity (Web Chat, Teams, the Emulator) becomes a Wijklijn message: a
 * pure translation of an incoming message activity into an InboundMessage, keeping the
 * conversation reference so that the outbox can answer later. botbuilder types its loose parts
 * (value, entities, attachments) as `any`; zod reads them.
 */
import { createHash } from "node:crypto";
import { ActivityTypes, TurnContext, type Activity } from "botbuilder-core";
import { z } from "zod";
import type { InboundMessage } from "../../domain/messages.ts";

/** Why an activity is not handed to Wijklijn. */
export type IgnoredActivityReason = "not-a-message" | "no-conversation" | "group" | "empty";

/** The outcome of translating one activity. */
export type BotFrameworkTranslation = { accepted: true; message: InboundMessage } | { accepted: false; reason: IgnoredActivityReason };

const MAX_ID = 200;
const MAX_TEXT = 4096;
const MAX_VALUE = 200;
const MAX_REFERENCE = 10_000;

/** A tapped button: messageBack/postBack carry `{ choice }` (what Wijklijn sends), a bare string, or `{ value }`. */
const ValueSchema = z.union([
  z.string().trim().min(1).max(MAX_VALUE),
  z.object({ choice: z.string().trim().min(1).max(MAX_VALUE) }).transform((value) => value.choice),
  z.object({ value: z.string().trim().min(1).max(MAX_VALUE) }).transform((value) => value.value),
]);

const CoordinateSchema = z.union([z.number(), z.string().trim().min(1).transform(Number)]).pipe(z.number());
const GeoSchema = z.object({ latitude: CoordinateSchema.pipe(z.number().min(-90).max(90)), longitude: CoordinateSchema.pipe(z.number().min(-180).max(180)) });
/** A shared location: a schema.org GeoCoordinates entity, or a Place entity with one inside. */
const LocationEntitySchema = z.union([
  GeoSchema.extend({ type: z.literal("GeoCoordinates") }).transform(({ latitude, longitude }) => ({ lat: latitude, lon: longitude })),
  z.object({ type: z.literal("Place"), geo: GeoSchema }).transform(({ geo }) => ({ lat: geo.latitude, lon: geo.longitude })),
]);

const AttachmentSchema = z.object({ contentType: z.string(), contentUrl: z.string().optional(), name: z.string().optional() });

type MediaKind = NonNullable<InboundMessage["media"]>["kind"];

/** What an attachment is to Wijklijn; null for copies of the text (Teams adds text/html) and cards. */
function mediaKindOf(contentType: string): MediaKind | null {
  const type = contentType.toLowerCase();
  if (type.startsWith("image/")) return "photo";
  if (type.startsWith("audio/")) return "voice";
  if (type.startsWith("video/")) return "video";
  if (type === "application/vnd.microsoft.teams.file.download.info") return "document";
  if (type.startsWith("text/") || type.startsWith("application/vnd.microsoft.")) return null;
  return "document";
}

/** Translates one incoming activity; only message activities of one-to-one conversations are accepted. */
export function inboundFromActivity(activity: Partial<Activity>): BotFrameworkTranslation {
  if (activity.type !== ActivityTypes.Message) return { accepted: false, reason: "not-a-message" };
  const conversationId = activity.conversation?.id;
  if (!conversationId) return { accepted: false, reason: "no-conversation" };
  // Teams group chats and channels: Wijklijn talks with one resident at a time.
  if (activity.conversation?.isGroup === true) return { accepted: false, reason: "group" };

  const text = activity.text?.trim().slice(0, MAX_TEXT) ?? "";
  const value = ValueSchema.safeParse(activity.value);
  const location = (activity.entities ?? []).map((entity) => LocationEntitySchema.safeParse(entity)).find((parsed) => parsed.success)?.data;
  const channelMessageId = messageIdOf(activity, conversationId);
  const media = mediaOf(activity.attachments ?? [], channelMessageId);
  if (!text && !value.success && !location && !media) return { accepted: false, reason: "empty" };

  const reference = JSON.stringify(referenceOf(activity));
  return {
    accepted: true,
    message: {
      channel: "botframework",
      externalId: fitId(conversationId),
      channelMessageId,
      ...(text ? { text } : {}),
      ...(value.success ? { value: value.data } : {}),
      ...(location ? { location } : {}),
      ...(media ? { media } : {}),
      // Without it no reply can reach the resident; an absurdly long one is refused by the schema.
      ...(reference.length <= MAX_REFERENCE ? { reference } : {}),
      ...(activity.locale ? { locale: activity.locale.slice(0, 20) } : {}),
    },
  };
}

/**
 * Where replies go, without what identifies the resident beyond the platform's address: Teams puts
 * the resident's full name (and Azure AD id) in `from`, and that is not Wijklijn's to keep.
 */
function referenceOf(activity: Partial<Activity>) {
  const reference = TurnContext.getConversationReference(activity);
  const { user, conversation } = reference;
  return {
    ...reference,
    ...(user ? { user: { id: user.id, name: "", ...(user.role ? { role: user.role } : {}) } } : {}),
    ...(conversation ? { conversation: { ...conversation, name: "" } } : {}),
  };
}

/**
 * The platform's id for deduplication. Activity ids are unique within a conversation only (Teams
 * uses timestamps), so they are scoped by the conversation; without an id, a hash of the content
 * makes a redelivery of the same activity recognisable.
 */
function messageIdOf(activity: Partial<Activity>, conversationId: string): string {
  if (activity.id) return fitId(activity.id.startsWith(`${conversationId}|`) ? activity.id : `${conversationId}|${activity.id}`);
  const timestamp: unknown = activity.timestamp;
  const fingerprint = JSON.stringify([activity.channelId, conversationId, activity.from?.id, timestamp instanceof Date ? timestamp.toISOString() : timestamp, activity.text, activity.value]);
  return `sha256:${hash(fingerprint)}`;
}

function mediaOf(attachments: unknown[], channelMessageId: string): InboundMessage["media"] | undefined {
  for (const [index, raw] of attachments.entries()) {
    const attachment = AttachmentSchema.safeParse(raw);
    if (!attachment.success) continue;
    const kind = mediaKindOf(attachment.data.contentType);
    if (!kind) continue;
    const url = attachment.data.contentUrl;
    // A data: URL (the Emulator's uploads) or an overlong one is not a reference to keep.
    const ref = url && url.length <= 500 && !url.startsWith("data:") ? url : `${channelMessageId.slice(0, 400)}#attachment-${index}`;
    return { ref, kind };
  }
  return undefined;
}

/** Ids longer than the database keeps are replaced by their hash (stable, so deduplication still works). */
function fitId(id: string): string {
  return id.length <= MAX_ID ? id : `sha256:${hash(id)}`;
}

function hash(text: string): string {
  return createHash("sha256").update(text).digest("base64url");
}
