/**
 * Where a WhatsApp Cloud API webhook becomes Wijklijn messages: pure functions over the parsed
 * JSON, no I/O. The payload format:
 * https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples
 *
 * What is kept: the sender's WhatsApp id (`from`, the resident's address), the message id
 * (`wamid…`, for deduplication), and the content. What is not: the profile name in
 * `contacts[0].profile.name`, a shared location's place name and address, a document's file
 * name; the raw payload is never stored.
 *
 * Message types and what they become:
 * - `text` → text; `interactive` button_reply / list_reply → value = the id we sent, text = its
 *   title; `button` (a template's quick reply) → value = payload, text = its text;
 * - `location` → location; `image` → media photo (ref = the media id, caption as text);
 *   `audio` (voice notes included) → media voice; `video`, `document`, `sticker` → that kind;
 * - `reaction`, `system` and `request_welcome` are not messages from the resident to answer:
 *   acknowledged and skipped (a 👍 on an old message must not restart a dialogue);
 * - anything else (`contacts`, `order`, `unsupported`, future types, or a known type in a shape
 *   we cannot read) → media of kind "document" with ref `unsupported:<type>`, so it is stored
 *   and the bot answers kindly that it can only read typed text (the engine's unsupportedMedia
 *   path), instead of the resident hearing nothing.
 */
import { z } from "zod";
import type { InboundMessage } from "../../domain/messages.ts";

/** The outer envelope of every webhook call (field "messages" carries messages and statuses). */
export const WebhookPayloadSchema = z.object({
  object: z.string(),
  entry: z.array(
    z.object({
      id: z.string().optional(),
      changes: z.array(z.object({ field: z.string(), value: z.unknown() })).default([]),
    }),
  ),
});

const StatusErrorSchema = z.object({ code: z.number(), title: z.string().optional() });

/** A delivery status Meta reports for a message we sent (sent, delivered, read, failed…). */
export const StatusSchema = z.object({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: z.string().optional(),
  errors: z.array(StatusErrorSchema).optional(),
});

/** The value of a "messages" change. */
export const MessagesValueSchema = z.object({
  metadata: z.object({ phone_number_id: z.string().min(1) }),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(StatusErrorSchema).optional(),
});

const BaseMessageSchema = z.object({
  from: z.string().min(1).max(200),
  id: z.string().min(1).max(200),
  type: z.string().min(1),
});

const MediaSchema = z.object({ id: z.string().min(1).max(400), caption: z.string().optional() });
const ReplySchema = z.object({ id: z.string().min(1), title: z.string() });

/** The message types Wijklijn reads; anything else takes the unsupported path. */
const KnownMessageSchema = z.discriminatedUnion("type", [
  BaseMessageSchema.extend({ type: z.literal("text"), text: z.object({ body: z.string() }) }),
  BaseMessageSchema.extend({
    type: z.literal("interactive"),
    interactive: z.discriminatedUnion("type", [z.object({ type: z.literal("button_reply"), button_reply: ReplySchema }), z.object({ type: z.literal("list_reply"), list_reply: ReplySchema })]),
  }),
  BaseMessageSchema.extend({ type: z.literal("button"), button: z.object({ payload: z.string().min(1), text: z.string() }) }),
  BaseMessageSchema.extend({
    type: z.literal("location"),
    location: z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }),
  }),
  BaseMessageSchema.extend({ type: z.literal("image"), image: MediaSchema }),
  BaseMessageSchema.extend({ type: z.literal("audio"), audio: MediaSchema }),
  // Older API versions sent voice notes as their own type.
  BaseMessageSchema.extend({ type: z.literal("voice"), voice: MediaSchema }),
  BaseMessageSchema.extend({ type: z.literal("video"), video: MediaSchema }),
  BaseMessageSchema.extend({ type: z.literal("document"), document: MediaSchema }),
  BaseMessageSchema.extend({ type: z.literal("sticker"), sticker: MediaSchema }),
]);
type KnownMessage = z.infer<typeof KnownMessageSchema>;

/** Types acknowledged without storing anything: not a message from the resident to answer. */
const SKIPPED_TYPES = new Set(["reaction", "system", "request_welcome"]);

/** What one webhook message becomes. */
export type CloudMessageTranslation = { kind: "inbound"; message: InboundMessage } | { kind: "skipped"; type: string } | { kind: "unreadable" };

/** A delivery status without the recipient's number. */
export interface DeliveryStatus {
  /** The `wamid…` Wijklijn got back when sending (the outbox row's externalMessageId). */
  messageId: string;
  status: string;
  at: Date | null;
  errors: Array<{ code: number; title?: string }>;
}

/** Everything a webhook call carries, translated. */
export interface WebhookContents {
  /** In the order Meta listed them; each must be stored before the call is acknowledged. */
  messages: InboundMessage[];
  statuses: DeliveryStatus[];
  /** Messages not stored, with why (types only, never content). */
  skipped: Array<{ reason: "skipped-type" | "unreadable" | "other-number" | "other-object"; type?: string }>;
  /** Errors Meta attached to the change itself (e.g. a problem with our webhook). */
  errors: Array<{ code: number; title?: string }>;
}

// Wijklijn's own limits (InboundMessageSchema): longer content is cut rather than refused, so one
// overlong message can never make Meta redeliver the whole webhook for days.
const MAX_TEXT = 4096;
const MAX_VALUE = 200;

/** Cuts `text` to at most `max` UTF-16 units without splitting a character. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let result = "";
  for (const char of text) {
    if (result.length + char.length > max) break;
    result += char;
  }
  return result;
}

/** Translates one entry of `value.messages` (already known to come from Meta). */
export function translateCloudMessage(raw: unknown): CloudMessageTranslation {
  const base = BaseMessageSchema.safeParse(raw);
  if (!base.success) return { kind: "unreadable" };
  if (SKIPPED_TYPES.has(base.data.type)) return { kind: "skipped", type: base.data.type };
  const common = { channel: "whatsapp" as const, externalId: base.data.from, channelMessageId: base.data.id };
  const known = KnownMessageSchema.safeParse(raw);
  if (!known.success) return { kind: "inbound", message: { ...common, media: { ref: `unsupported:${cut(base.data.type, 100)}`, kind: "document" } } };
  return { kind: "inbound", message: { ...common, ...content(known.data) } };
}

/** The platform-free content of a known message. */
function content(message: KnownMessage): Pick<InboundMessage, "text" | "value" | "location" | "media"> {
  const caption = (media: { caption?: string | undefined }) => (media.caption?.trim() ? { text: cut(media.caption, MAX_TEXT) } : {});
  switch (message.type) {
    case "text":
      return { text: cut(message.text.body, MAX_TEXT) };
    case "interactive": {
      const reply = message.interactive.type === "button_reply" ? message.interactive.button_reply : message.interactive.list_reply;
      return { text: cut(reply.title, MAX_TEXT), value: cut(reply.id, MAX_VALUE) };
    }
    case "button":
      return { text: cut(message.button.text, MAX_TEXT), value: cut(message.button.payload, MAX_VALUE) };
    case "location":
      return { location: { lat: message.location.latitude, lon: message.location.longitude } };
    case "image":
      return { media: { ref: message.image.id, kind: "photo" }, ...caption(message.image) };
    case "audio":
      return { media: { ref: message.audio.id, kind: "voice" } };
    case "voice":
      return { media: { ref: message.voice.id, kind: "voice" } };
    case "video":
      return { media: { ref: message.video.id, kind: "video" }, ...caption(message.video) };
    case "document":
      return { media: { ref: message.document.id, kind: "document" }, ...caption(message.document) };
    case "sticker":
      return { media: { ref: message.sticker.id, kind: "sticker" } };
    default:
      return assertNever(message);
  }
}

function assertNever(value: never): never {
  throw new Error(`Unhandled WhatsApp message type: ${JSON.stringify(value)}`);
}

/** Translates one delivery status; null when it is unreadable. */
export function translateCloudStatus(raw: unknown): DeliveryStatus | null {
  const parsed = StatusSchema.safeParse(raw);
  if (!parsed.success) return null;
  const seconds = parsed.data.timestamp !== undefined ? Number(parsed.data.timestamp) : Number.NaN;
  return {
    messageId: parsed.data.id,
    status: parsed.data.status,
    at: Number.isFinite(seconds) ? new Date(seconds * 1000) : null,
    errors: (parsed.data.errors ?? []).map((error) => ({ code: error.code, ...(error.title !== undefined ? { title: error.title } : {}) })),
  };
}

/**
 * Translates a whole (signature-checked) webhook body. Returns null when its envelope cannot be
 * read at all; an event about another kind of object (not "whatsapp_business_account") yields
 * nothing to store. Messages sent to another phone number of the same app are skipped:
 * answering them from our number would be wrong.
 */
export function translateWebhookPayload(body: unknown, phoneNumberId: string): WebhookContents | null {
  const payload = WebhookPayloadSchema.safeParse(body);
  if (!payload.success) return null;
  const contents: WebhookContents = { messages: [], statuses: [], skipped: [], errors: [] };
  if (payload.data.object !== "whatsapp_business_account") {
    contents.skipped.push({ reason: "other-object" });
    return contents;
  }
  for (const entry of payload.data.entry) {
    for (const change of entry.changes) {
      if (change.field !== "messages") continue;
      const value = MessagesValueSchema.safeParse(change.value);
      if (!value.success) {
        contents.skipped.push({ reason: "unreadable" });
        continue;
      }
      contents.errors.push(...(value.data.errors ?? []));
      const ours = value.data.metadata.phone_number_id === phoneNumberId;
      for (const raw of value.data.messages ?? []) {
        if (!ours) {
          contents.skipped.push({ reason: "other-number" });
          continue;
        }
        const translated = translateCloudMessage(raw);
        if (translated.kind === "inbound") contents.messages.push(translated.message);
        else if (translated.kind === "skipped") contents.skipped.push({ reason: "skipped-type", type: translated.type });
        else contents.skipped.push({ reason: "unreadable" });
      }
      if (!ours) continue;
      for (const raw of value.data.statuses ?? []) {
        const status = translateCloudStatus(raw);
        if (status) contents.statuses.push(status);
      }
    }
  }
  return contents;
}
