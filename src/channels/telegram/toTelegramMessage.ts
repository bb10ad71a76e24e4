/**
 * Where a Wijklijn payload becomes Telegram sendMessage calls: a pure rendering. Buttons become an
 * inline keyboard (tapping sends the value back as callback data); when Telegram cannot carry
 * them (too many, or a value over 64 bytes) the same step is shown as a numbered list, which the
 * engine reads just as well. For a postcode or location question a reply keyboard offers
 * "share my location" next to the buttons' labels.
 */
import type { InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReactionTypeEmoji, ReplyKeyboardMarkup, ReplyKeyboardRemove } from "grammy/types";
import type { OutboundPayload } from "../../domain/messages.ts";
import { renderNumberedList } from "../channel.ts";

/** Telegram's limit on a message's text (https://core.telegram.org/bots/api#sendmessage). */
export const TELEGRAM_MAX_TEXT = 4096;
/** Telegram's limit on callback data, in bytes. */
export const TELEGRAM_MAX_CALLBACK_DATA_BYTES = 64;
/** Labels up to this length fit two to a row on a phone. */
const SHORT_LABEL = 16;

/** Telegram's limit on a photo's caption (https://core.telegram.org/bots/api#sendphoto). */
export const TELEGRAM_MAX_CAPTION = 1024;

/** One sendMessage call, or a sendPhoto call when `photo` is set (`text` is then its caption, possibly empty). */
export interface TelegramMessagePart {
  photo?: string;
  text: string;
  reply_markup?: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove;
}

/** The rendering of one payload, and whether a reply keyboard stays on the resident's screen. */
export interface RenderedTelegramMessage {
  parts: TelegramMessagePart[];
  /** True when this message shows a reply keyboard; false when it removed one or showed none. */
  replyKeyboardShown: boolean;
}

/** How to render. */
export interface TelegramRenderOptions {
  /** More buttons than this become a numbered list. */
  maxButtons: number;
  /** The label of the "share my location" button. */
  locationButtonLabel: string;
  /** A reply keyboard from an earlier message is still shown; remove it when this message can. */
  replyKeyboardShown: boolean;
}

/**
 * Renders a payload as one or more sendMessage calls (long text is split; the keyboard goes on the
 * last). A payload with an image becomes a sendPhoto with the text as its caption; a text longer
 * than a caption (1024) goes as the photo alone, then the text as messages.
 */
export function toTelegramMessage(payload: OutboundPayload, options: TelegramRenderOptions): RenderedTelegramMessage {
  const rendered = toTelegramTextMessage(payload, options);
  if (!payload.image) return rendered;
  const [first, ...rest] = rendered.parts;
  if (first && rest.length === 0 && first.text.length <= TELEGRAM_MAX_CAPTION) return { ...rendered, parts: [{ ...first, photo: payload.image.url }] };
  return { ...rendered, parts: [{ photo: payload.image.url, text: "" }, ...rendered.parts] };
}

function toTelegramTextMessage(payload: OutboundPayload, options: TelegramRenderOptions): RenderedTelegramMessage {
  const fitsInline = payload.buttons.length <= options.maxButtons && payload.buttons.every((button) => Buffer.byteLength(button.value, "utf8") <= TELEGRAM_MAX_CALLBACK_DATA_BYTES);
  const asksForPlace = payload.input === "location" || payload.input === "postcode";

  let text = payload.text;
  let markup: TelegramMessagePart["reply_markup"];
  let replyKeyboardShown = options.replyKeyboardShown;

  if (asksForPlace) {
    // Reply-keyboard buttons send their label as text; the engine matches labels as well as values.
    const labels: KeyboardButton[] = payload.buttons.length <= options.maxButtons ? payload.buttons.map((button) => ({ text: button.label })) : [];
    if (labels.length < payload.buttons.length) text = renderNumberedList(payload);
    markup = {
      keyboard: [
        [{ text: options.locationButtonLabel, request_location: true }],
        ...inRows(
          labels,
          payload.buttons.map((b) => b.label),
        ),
      ],
      resize_keyboard: true,
      one_time_keyboard: true,
    };
    replyKeyboardShown = true;
  } else if (payload.buttons.length > 0 && fitsInline) {
    const buttons: InlineKeyboardButton[] = payload.buttons.map((button) => ({ text: button.label, callback_data: button.value }));
    markup = {
      inline_keyboard: inRows(
        buttons,
        payload.buttons.map((b) => b.label),
      ),
    };
  } else {
    if (payload.buttons.length > 0) text = renderNumberedList(payload);
    if (options.replyKeyboardShown) {
      markup = { remove_keyboard: true };
      replyKeyboardShown = false;
    }
  }

  // Inline buttons cannot also remove a reply keyboard: a text joined from two bubbles ("Top, je wijk
  // is Luchen." and the menu) is sent as its two paragraphs again, the first taking the keyboard away.
  const breakAt = text.lastIndexOf("\n\n");
  if (markup && "inline_keyboard" in markup && options.replyKeyboardShown && breakAt > 0) {
    const head = splitText(text.slice(0, breakAt), TELEGRAM_MAX_TEXT).map((chunk): TelegramMessagePart => ({ text: chunk }));
    const last = head.at(-1);
    if (last) last.reply_markup = { remove_keyboard: true };
    const tail = splitText(text.slice(breakAt + 2), TELEGRAM_MAX_TEXT);
    const parts = [...head, ...tail.map((chunk, index): TelegramMessagePart => (index === tail.length - 1 ? { text: chunk, reply_markup: markup } : { text: chunk }))];
    return { parts, replyKeyboardShown: false };
  }

  const chunks = splitText(text, TELEGRAM_MAX_TEXT);
  const parts = chunks.map((chunk, index): TelegramMessagePart => (index === chunks.length - 1 && markup ? { text: chunk, reply_markup: markup } : { text: chunk }));
  return { parts, replyKeyboardShown };
}

/** Two buttons to a row when every label is short, else one. */
function inRows<T>(buttons: T[], labels: string[]): T[][] {
  const perRow = buttons.length > 1 && labels.every((label) => label.length <= SHORT_LABEL) ? 2 : 1;
  const rows: T[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  return rows;
}

/** Splits text into pieces of at most `max` characters, at a paragraph, line or word break when there is one. */
export function splitText(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const at = Math.max(window.lastIndexOf("\n\n"), window.lastIndexOf("\n"), window.lastIndexOf(" "));
    const cut = at > max / 2 ? at : max;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

/** The emoji a bot may react with, among those Telegram allows (https://core.telegram.org/bots/api#reactiontypeemoji). */
const TELEGRAM_REACTIONS: ReadonlyArray<ReactionTypeEmoji["emoji"]> = ["👍", "👌", "🙏", "❤", "🤝", "👀"];

/** One setMessageReaction call. */
export interface TelegramReaction {
  chatId: number;
  messageId: number;
  reaction: ReactionTypeEmoji[];
}

/**
 * A reaction on the resident's message as a setMessageReaction call, from the id the message was
 * stored under (`${chat.id}:${message_id}`, see toInboundMessage.ts). `none`: nothing to react to
 * (a button tap, stored as `cb:<id>`); `refused`: an emoji Telegram does not allow bots.
 */
export function toTelegramReaction(channelMessageId: string, emoji: string): { kind: "call"; call: TelegramReaction } | { kind: "none" } | { kind: "refused" } {
  const match = /^(-?\d+):(\d+)$/.exec(channelMessageId);
  if (!match) return { kind: "none" };
  const allowed = TELEGRAM_REACTIONS.find((candidate) => candidate === emoji);
  if (!allowed) return { kind: "refused" };
  return { kind: "call", call: { chatId: Number(match[1]), messageId: Number(match[2]), reaction: [{ type: "emoji", emoji: allowed }] } };
}
