/**
 * Platform-free messages: what every channel turns its platform message into (inbound), and
 * what the bot and staff send (outbound payload, stored in the outbox).
 */
import { z } from "zod";
import { toStorableText } from "./storableText.ts";
import { ChannelSchema, MediaKindSchema } from "./vocabulary.ts";

export { ChannelSchema, ConversationStatusSchema, MediaKindSchema, type Channel, type ConversationStatus, type MediaKind } from "./vocabulary.ts";

/** A text field of an inbound message (ids and media references too): anything a platform sends is made storable (NUL, lone surrogates). */
const storable = (max: number) => z.string().transform(toStorableText).pipe(z.string().max(max));

/** A message from a resident, as a channel hands it to Wijklijn. */
export const InboundMessageSchema = z.object({
  channel: ChannelSchema,
  /** The resident's address on the platform (chat id, WhatsApp id, web chat visitor id). */
  externalId: storable(200).pipe(z.string().min(1)),
  /** The platform's message id: a second delivery with the same id changes nothing. */
  channelMessageId: storable(200).pipe(z.string().min(1)),
  text: storable(4096).optional(),
  /** The value of a tapped button. */
  value: storable(200).optional(),
  location: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).optional(),
  media: z.object({ ref: storable(500), kind: MediaKindSchema }).optional(),
  /** Channel data needed to answer later (Bot Framework conversation reference), JSON text. */
  reference: storable(10_000).optional(),
  /** The language the platform reports for the user, if any. */
  locale: storable(20).optional(),
  receivedAt: z.date().optional(),
});
export type InboundMessage = z.infer<typeof InboundMessageSchema>;

/** A button in an outgoing message. */
export const ButtonSchema = z.object({ label: z.string().min(1).max(200), value: z.string().min(1).max(200) });

/**
 * An emoji reaction on the resident's own message (a visible acknowledgement that is not a chat
 * bubble). `messageId` is our stored inbound Message id; the dispatcher looks up the platform's id.
 */
export const ReactionSchema = z.object({ emoji: z.string().min(1).max(16), messageId: z.string().min(1).max(200) });
export type Reaction = z.infer<typeof ReactionSchema>;

/**
 * An approved WhatsApp template to send instead of the text (WhatsApp Cloud outside the 24-hour
 * window): its name and language, the body's {{1}}, {{2}}… in order, and the payload of each
 * quick-reply button, which comes back as the tapped button's value. Other channels send the text.
 */
export const TemplatePayloadSchema = z.object({
  name: z.string().regex(/^[a-z0-9_]{1,512}$/),
  language: z.string().min(2).max(10),
  bodyParameters: z.array(z.string().min(1).max(1024)).default([]),
  quickReplyPayloads: z.array(z.string().min(1).max(200)).max(10).default([]),
});
export type TemplatePayload = z.infer<typeof TemplatePayloadSchema>;

/**
 * A photo sent with the message (a wijkbericht's image): an https address the platform fetches.
 * Channels with media send it as a real photo with the text as its caption (Telegram sendPhoto,
 * WhatsApp image message, whatsapp-web.js MessageMedia, the web chat's <img>); a channel without
 * media puts the address under the text.
 */
export const OutboundImageSchema = z.object({ url: z.url({ protocol: /^https$/ }).max(500) });
export type OutboundImage = z.infer<typeof OutboundImageSchema>;

/**
 * What an outbox row sends: text, buttons (rendered as each channel can), and what answer is
 * expected; or a reaction, whose text is empty. `image`: a photo with the text as its caption.
 */
export const OutboundPayloadSchema = z
  .object({
    text: z.string(),
    buttons: z.array(ButtonSchema).default([]),
    input: z.enum(["text", "choice", "yesno", "postcode", "location", "photo", "number", "date"]).optional(),
    reaction: ReactionSchema.optional(),
    template: TemplatePayloadSchema.optional(),
    image: OutboundImageSchema.optional(),
  })
  .refine((payload) => payload.text.length > 0 || payload.reaction !== undefined, { message: "a message needs text (only a reaction has none)", path: ["text"] });
export type OutboundPayload = z.infer<typeof OutboundPayloadSchema>;

/** The longest text a bubble with buttons may have on every channel (WhatsApp's interactive body allows 1024). */
export const MAX_TEXT_WITH_BUTTONS = 1024;
/** The longest plain text bubble merged from several (Telegram allows 4096, WhatsApp 4096). */
export const MAX_MERGED_TEXT = 4096;

/**
 * One message per turn where the platform allows: a plain text without buttons is joined to the
 * bubble after it ("Top, je wijk is Luchen." and the next question become one), so a turn does
 * not wait out the platform's per-person burst between bubbles. A text is never split, and a
 * join that would pass the platforms' length limits is left as two bubbles.
 */
export function mergeBubbles(payloads: readonly OutboundPayload[]): OutboundPayload[] {
  const merged: OutboundPayload[] = [];
  for (const payload of payloads) {
    const previous = merged.at(-1);
    const joinable = previous && previous.buttons.length === 0 && previous.input === undefined && previous.text.length > 0 && payload.text.length > 0;
    const text = joinable ? `${previous.text}\n\n${payload.text}` : "";
    const limit = payload.buttons.length > 0 ? MAX_TEXT_WITH_BUTTONS : MAX_MERGED_TEXT;
    if (joinable && text.length <= limit) merged[merged.length - 1] = { ...payload, text };
    else merged.push(payload);
  }
  return merged;
}
