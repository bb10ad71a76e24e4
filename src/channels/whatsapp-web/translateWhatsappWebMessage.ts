/**
 * Where a whatsapp-web.js message becomes a Wijklijn message: a pure translation of the library's
 * `Message` (node_modules/whatsapp-web.js/src/structures/Message.js) into an InboundMessage, or
 * the reason it is not one (our own echo, a status update, a group, a system notice).
 */
import { z } from "zod";
import type { InboundMessage } from "../../domain/messages.ts";

/** A coordinate as whatsapp-web.js hands it: a string in 1.x (`Location.latitude: string`), a number in some builds. */
const CoordinateSchema = z.union([z.string(), z.number()]);

/**
 * The fields of a whatsapp-web.js `Message` that Wijklijn reads. The library's objects carry many
 * more (and a back reference to the client); zod keeps only these.
 */
export const WhatsappWebMessageSchema = z.object({
  id: z.object({ _serialized: z.string().min(1), fromMe: z.boolean().nullish(), remote: z.string().nullish() }),
  /** The chat the message came from: "31612345678@c.us", "…@lid", "…@g.us" (group), "status@broadcast". */
  from: z.string().min(1),
  type: z.string(),
  /** The text, or the caption of a media message; for a location the library puts a JPEG thumbnail here. */
  body: z.string().nullish(),
  hasMedia: z.boolean().nullish(),
  fromMe: z.boolean().nullish(),
  isStatus: z.boolean().nullish(),
  /** In a group, the member who wrote it. */
  author: z.string().nullish(),
  location: z.object({ latitude: CoordinateSchema, longitude: CoordinateSchema }).nullish(),
});
/** A whatsapp-web.js message, as far as Wijklijn reads it. */
export type WhatsappWebMessage = z.infer<typeof WhatsappWebMessageSchema>;

/** Why a message is not handed to Wijklijn. */
export type IgnoredReason = "own-message" | "status" | "group" | "broadcast" | "newsletter" | "system" | "invalid-location" | "unreadable";

/** The outcome of translating one message. */
export type WhatsappWebTranslation = { accepted: true; message: InboundMessage } | { accepted: false; reason: IgnoredReason };

/** Message types the phone shows as notices, not as something the resident wrote. */
const SYSTEM_TYPES = new Set([
  "e2e_notification",
  "notification",
  "notification_template",
  "gp2",
  "group_notification",
  "call_log",
  "protocol",
  "revoked",
  "ciphertext",
  "reaction",
  "debug",
  "broadcast_notification",
  "oversized",
  // The pictures of an album arrive as separate "image" messages.
  "album",
]);

/** Replies to (legacy) interactive messages: their body is the chosen text. */
const TEXT_TYPES = new Set(["chat", "buttons_response", "list_response", "template_button_reply"]);

const MEDIA_KINDS = {
  image: "photo",
  ptt: "voice",
  audio: "voice",
  video: "video",
  document: "document",
  sticker: "sticker",
} as const satisfies Record<string, NonNullable<InboundMessage["media"]>["kind"]>;

function isMediaType(type: string): type is keyof typeof MEDIA_KINDS {
  return Object.hasOwn(MEDIA_KINDS, type);
}

/** Types with a caption worth keeping as text (never a sticker's or voice note's body). */
const CAPTIONED = new Set(["image", "video", "document"]);

const MAX_TEXT = 4096;

/** Translates a message the library emitted ("message" event); `raw` is checked with zod first. */
export function translateWhatsappWebMessage(raw: unknown): WhatsappWebTranslation {
  const parsed = WhatsappWebMessageSchema.safeParse(raw);
  if (!parsed.success) return { accepted: false, reason: "unreadable" };
  const message = parsed.data;

  if (message.fromMe === true || message.id.fromMe === true) return { accepted: false, reason: "own-message" };
  if (message.isStatus === true || message.from === "status@broadcast" || message.id.remote === "status@broadcast") return { accepted: false, reason: "status" };
  if (message.from.endsWith("@g.us")) return { accepted: false, reason: "group" };
  if (message.from.endsWith("@broadcast")) return { accepted: false, reason: "broadcast" };
  if (message.from.endsWith("@newsletter")) return { accepted: false, reason: "newsletter" };
  if (SYSTEM_TYPES.has(message.type)) return { accepted: false, reason: "system" };

  const base = { channel: "whatsapp" as const, externalId: message.from, channelMessageId: message.id._serialized };
  const body = (message.body ?? "").trim().slice(0, MAX_TEXT);

  if (TEXT_TYPES.has(message.type)) return { accepted: true, message: { ...base, text: body } };

  if (message.type === "location") {
    const lat = parseCoordinate(message.location?.latitude, 90);
    const lon = parseCoordinate(message.location?.longitude, 180);
    // The body of a location message is a base64 thumbnail of the map, never text.
    if (lat === null || lon === null) return { accepted: false, reason: "invalid-location" };
    return { accepted: true, message: { ...base, location: { lat, lon } } };
  }

  if (isMediaType(message.type)) {
    // The media is not downloaded here: the message id is the reference to fetch it by later.
    const caption = CAPTIONED.has(message.type) && message.hasMedia === true && body ? { text: body } : {};
    return { accepted: true, message: { ...base, ...caption, media: { ref: message.id._serialized, kind: MEDIA_KINDS[message.type] } } };
  }

  // Contact cards, polls, orders and types newer than this code: not readable, so the bot asks
  // the resident to type it (a "document" gets that answer) instead of staying silent.
  return { accepted: true, message: { ...base, media: { ref: message.id._serialized, kind: "document" } } };
}

/** A coordinate from the library's string (or number), within ±limit; null when it is not one. */
export function parseCoordinate(value: string | number | undefined, limit: number): number | null {
  if (value === undefined) return null;
  const number = typeof value === "number" ? value : value.trim() === "" ? Number.NaN : Number(value.trim());
  return Number.isFinite(number) && Math.abs(number) <= limit ? number : null;
}
