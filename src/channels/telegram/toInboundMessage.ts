/**
 * Where a Telegram update becomes a Wijklijn message: a pure translation, tested update kind by
 * update kind. Only private chats reach the bot; groups, supergroups and channels are refused;
 * edited messages are ignored (the original was already answered).
 */
import { z } from "zod";
import { InboundMessageSchema, type InboundMessage } from "../../domain/messages.ts";

const ChatSchema = z.object({ id: z.number().int(), type: z.string() });
const UserSchema = z.object({ id: z.number().int(), language_code: z.string().optional() });
const FileSchema = z.object({ file_id: z.string().min(1) });
const PhotoSizeSchema = z.object({ file_id: z.string().min(1), width: z.number(), height: z.number(), file_size: z.number().optional() });
const InlineButtonSchema = z.object({ text: z.string(), callback_data: z.string().optional() });

/** The parts of a Telegram Message that Wijklijn reads (https://core.telegram.org/bots/api#message). */
export const TelegramMessageSchema = z.object({
  message_id: z.number().int(),
  chat: ChatSchema,
  from: UserSchema.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  photo: z.array(PhotoSizeSchema).optional(),
  location: z.object({ latitude: z.number(), longitude: z.number() }).optional(),
  voice: FileSchema.optional(),
  audio: FileSchema.optional(),
  video: FileSchema.optional(),
  video_note: FileSchema.optional(),
  animation: FileSchema.optional(),
  document: FileSchema.optional(),
  sticker: FileSchema.optional(),
  reply_markup: z.object({ inline_keyboard: z.array(z.array(InlineButtonSchema)) }).optional(),
});
export type TelegramMessage = z.infer<typeof TelegramMessageSchema>;

/** The parts of a Telegram Update that Wijklijn reads; other update kinds parse and are ignored. */
export const TelegramUpdateSchema = z.object({
  update_id: z.number().int(),
  message: TelegramMessageSchema.optional(),
  edited_message: TelegramMessageSchema.optional(),
  channel_post: TelegramMessageSchema.optional(),
  edited_channel_post: TelegramMessageSchema.optional(),
  callback_query: z
    .object({
      id: z.string().min(1),
      from: UserSchema,
      // Absent for buttons of inline-mode messages; an "inaccessible message" (date 0) still has chat and id.
      message: TelegramMessageSchema.optional(),
      data: z.string().optional(),
    })
    .optional(),
});
export type TelegramUpdate = z.infer<typeof TelegramUpdateSchema>;

/** Why an update is not handed to the bot. */
export type IgnoreReason = "edited" | "unsupported" | "not-a-message" | "invalid";

/** What to do with one update: ingest it, refuse it politely (a group), or ignore it. */
export type TelegramTranslation =
  | { action: "ingest"; message: InboundMessage; callbackQueryId?: string; startPayload?: string }
  | { action: "refuse-group"; chatId: number; callbackQueryId?: string }
  | { action: "ignore"; reason: IgnoreReason; callbackQueryId?: string };

type MediaKind = NonNullable<InboundMessage["media"]>["kind"];

/**
 * Translates one update. `channelMessageId` is `${chat.id}:${message_id}` (message ids are per
 * chat), or `cb:${id}` for a tapped button; `externalId` is the chat id. Resident text is never
 * logged by the callers: only the returned action and reason are.
 */
export function toInboundMessage(update: TelegramUpdate): TelegramTranslation {
  if (update.edited_message || update.edited_channel_post) return { action: "ignore", reason: "edited" };
  if (update.callback_query) return fromCallbackQuery(update.callback_query);
  const message = update.message ?? update.channel_post;
  if (!message) return { action: "ignore", reason: "not-a-message" };
  if (message.chat.type !== "private") return { action: "refuse-group", chatId: message.chat.id };

  const base = {
    channel: "telegram" as const,
    externalId: String(message.chat.id),
    channelMessageId: `${message.chat.id}:${message.message_id}`,
    ...(message.from?.language_code ? { locale: message.from.language_code } : {}),
  };
  const photo = largestPhoto(message.photo);
  const media = photo ? { ref: photo, kind: "photo" as const } : otherMedia(message);
  const location = message.location ? { lat: message.location.latitude, lon: message.location.longitude } : undefined;

  if (message.text !== undefined) {
    const start = /^\/start(?:@\w+)?(?:\s+(\S.*))?$/s.exec(message.text.trim());
    // A deep link from the public wijk page (t.me/<bot>?start=wijkberichten-<wijk slug>) opens the chat in the subscribe flow for that wijk.
    if (start) return validated({ ...base, text: subscribeTextOf(start[1]) ?? "start" }, undefined, start[1]);
    return validated({ ...base, text: stripBotMention(message.text) });
  }
  if (media || location) {
    return validated({
      ...base,
      ...(message.caption ? { text: message.caption } : {}),
      ...(media ? { media } : {}),
      ...(location ? { location } : {}),
    });
  }
  // Contacts, polls, dice, service messages: nothing a resident's question is in (and a shared
  // contact would carry a phone number we do not want to keep).
  return { action: "ignore", reason: "unsupported" };
}

/** "wijkberichten" or "wijkberichten-centrum" (the public wijk page's deep link) as the resident's message; null for any other start parameter. */
function subscribeTextOf(startParameter: string | undefined): string | null {
  const match = /^wijkberichten(?:-([a-z0-9-]{1,50}))?$/.exec(startParameter?.trim() ?? "");
  if (!match) return null;
  return match[1] ? `wijkberichten ${match[1]}` : "wijkberichten";
}

function fromCallbackQuery(query: NonNullable<TelegramUpdate["callback_query"]>): TelegramTranslation {
  const callbackQueryId = query.id;
  if (query.message && query.message.chat.type !== "private") return { action: "refuse-group", chatId: query.message.chat.id, callbackQueryId };
  if (query.data === undefined || query.data === "") return { action: "ignore", reason: "unsupported", callbackQueryId };
  // In a private chat the chat id is the user's id, also when the message is no longer accessible.
  const chatId = query.message?.chat.id ?? query.from.id;
  const label = query.message?.reply_markup?.inline_keyboard.flat().find((button) => button.callback_data === query.data)?.text;
  return validated(
    {
      channel: "telegram",
      externalId: String(chatId),
      channelMessageId: `cb:${query.id}`,
      value: query.data,
      ...(label ? { text: label } : {}),
      ...(query.from.language_code ? { locale: query.from.language_code } : {}),
    },
    callbackQueryId,
  );
}

/** The biggest size Telegram offers of a photo (it sends several). */
function largestPhoto(sizes: TelegramMessage["photo"]): string | null {
  if (!sizes || sizes.length === 0) return null;
  let best = sizes[0];
  for (const size of sizes) if (best && size.width * size.height > best.width * best.height) best = size;
  return best?.file_id ?? null;
}

function otherMedia(message: TelegramMessage): { ref: string; kind: MediaKind } | null {
  const kinds: Array<[TelegramMessage["voice"], MediaKind]> = [
    [message.voice, "voice"],
    [message.audio, "voice"],
    [message.video_note, "video"],
    [message.video, "video"],
    [message.animation, "video"],
    [message.sticker, "sticker"],
    [message.document, "document"],
  ];
  for (const [file, kind] of kinds) if (file) return { ref: file.file_id, kind };
  return null;
}

/** "/help@WijklijnBot" → "/help": commands in Telegram may name the bot. */
function stripBotMention(text: string): string {
  return text.replace(/^(\/\w+)@\w+/, "$1");
}

/** A message that the processor would refuse (out of range, too long) is ignored rather than retried forever. */
function validated(message: InboundMessage, callbackQueryId?: string, startPayload?: string): TelegramTranslation {
  const parsed = InboundMessageSchema.safeParse(message);
  if (!parsed.success) return { action: "ignore", reason: "invalid", ...(callbackQueryId ? { callbackQueryId } : {}) };
  return {
    action: "ingest",
    message: parsed.data,
    ...(callbackQueryId ? { callbackQueryId } : {}),
    ...(startPayload ? { startPayload: startPayload.trim() } : {}),
  };
}
