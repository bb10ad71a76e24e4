import { describe, expect, it } from "vitest";
import { toInboundMessage, TelegramUpdateSchema, type TelegramTranslation } from "../../../src/channels/telegram/toInboundMessage.ts";
import { callbackUpdate, groupUpdate, locationUpdate, photoUpdate, resident, textUpdate } from "./telegramTestKit.ts";

const CHAT = 55501;

function translate(update: Record<string, unknown>): TelegramTranslation {
  return toInboundMessage(TelegramUpdateSchema.parse({ update_id: 1, ...update }));
}

function ingested(update: Record<string, unknown>) {
  const result = translate(update);
  if (result.action !== "ingest") throw new Error(`expected ingest, got ${result.action}`);
  return result;
}

function privateWith(fields: Record<string, unknown>) {
  return { message: { message_id: 77, date: 1, chat: { id: CHAT, type: "private" }, from: resident(CHAT), ...fields } };
}

describe("toInboundMessage", () => {
  it("turns a text message into a Wijklijn message from the chat, with a per-chat message id", () => {
    const update = textUpdate(CHAT, "Er ligt afval bij de speeltuin");
    const { message } = ingested(update);
    expect(message).toEqual({
      channel: "telegram",
      externalId: String(CHAT),
      channelMessageId: `${CHAT}:${update.message.message_id}`,
      text: "Er ligt afval bij de speeltuin",
      locale: "nl",
    });
  });

  it("keeps the resident's name out of the message", () => {
    expect(JSON.stringify(translate(textUpdate(CHAT, "hoi")))).not.toMatch(/Anneke|Verhoeven|anneke_v/);
  });

  it("reads /start as 'start', keeping a deep-link payload aside", () => {
    expect(ingested(textUpdate(CHAT, "/start")).message.text).toBe("start");
    const deepLink = ingested(textUpdate(CHAT, "/start wijk-luchen"));
    expect(deepLink.message.text).toBe("start");
    expect(deepLink.startPayload).toBe("wijk-luchen");
    expect(ingested(textUpdate(CHAT, "/start@WijklijnTestBot")).message.text).toBe("start");
    // The public wijk page's subscribe link opens the chat with the subscribe question.
    expect(ingested(textUpdate(CHAT, "/start wijkberichten")).message.text).toBe("wijkberichten");
    // … and for that wijk: the bot reads "wijkberichten <slug>" and only asks to confirm (src/bot/turn.ts).
    expect(ingested(textUpdate(CHAT, "/start wijkberichten-braakhuizen-noord")).message.text).toBe("wijkberichten braakhuizen-noord");
  });

  it("drops the bot's name from other commands", () => {
    expect(ingested(textUpdate(CHAT, "/help@WijklijnTestBot")).message.text).toBe("/help");
    expect(ingested(textUpdate(CHAT, "/privacy")).message.text).toBe("/privacy");
  });

  it("turns a tapped inline button into its value, with the button's label as text", () => {
    const update = callbackUpdate(CHAT, "yes", [
      { text: "Ja", callbackData: "yes" },
      { text: "Nee", callbackData: "no" },
    ]);
    const result = ingested(update);
    expect(result.message).toEqual({ channel: "telegram", externalId: String(CHAT), channelMessageId: `cb:${update.callback_query.id}`, value: "yes", text: "Ja", locale: "nl" });
    expect(result.callbackQueryId).toBe(update.callback_query.id);
  });

  it("answers a tap on a message Telegram no longer shows in the user's private chat", () => {
    const result = ingested({ callback_query: { id: "cb-old", from: resident(CHAT), chat_instance: "1", data: "melding" } });
    expect(result.message).toMatchObject({ externalId: String(CHAT), value: "melding", channelMessageId: "cb:cb-old" });
    expect(result.message.text).toBeUndefined();
  });

  it("ignores a tap without data but still answers it", () => {
    expect(translate({ callback_query: { id: "cb-game", from: resident(CHAT), chat_instance: "1", game_short_name: "x" } })).toEqual({
      action: "ignore",
      reason: "unsupported",
      callbackQueryId: "cb-game",
    });
  });

  it("turns a shared location into a location", () => {
    expect(ingested(locationUpdate(CHAT, 51.45, 5.62)).message.location).toEqual({ lat: 51.45, lon: 5.62 });
  });

  it("keeps the largest size of a photo as the media reference, with the caption as text", () => {
    const { message } = ingested(photoUpdate(CHAT, ["small", "medium", "large"], "de bank bij de vijver"));
    expect(message.media).toEqual({ ref: "large", kind: "photo" });
    expect(message.text).toBe("de bank bij de vijver");
  });

  it("picks the largest photo by size, not by position", () => {
    const photo = [
      { file_id: "big", width: 1280, height: 960 },
      { file_id: "thumb", width: 90, height: 67 },
    ];
    expect(ingested(privateWith({ photo })).message.media?.ref).toBe("big");
  });

  it.each([
    ["voice", "voice"],
    ["audio", "voice"],
    ["video", "video"],
    ["video_note", "video"],
    ["animation", "video"],
    ["document", "document"],
    ["sticker", "sticker"],
  ] as const)("passes a %s on as media of kind %s (the bot then asks to type)", (field, kind) => {
    const { message } = ingested(privateWith({ [field]: { file_id: `file-${field}`, file_unique_id: "u" } }));
    expect(message.media).toEqual({ ref: `file-${field}`, kind });
    expect(message.text).toBeUndefined();
  });

  it("ignores edited messages: the original was already answered", () => {
    const edited = textUpdate(CHAT, "hoi, ik bedoel hallo");
    expect(translate({ edited_message: edited.message })).toEqual({ action: "ignore", reason: "edited" });
    expect(translate({ edited_channel_post: { message_id: 3, date: 1, chat: { id: -100, type: "channel" }, text: "x" } })).toEqual({ action: "ignore", reason: "edited" });
  });

  it.each(["group", "supergroup"] as const)("refuses a message in a %s, storing nothing", (type) => {
    expect(translate(groupUpdate(-4001, "hallo bot", type))).toEqual({ action: "refuse-group", chatId: -4001 });
  });

  it("refuses a post in a channel", () => {
    expect(translate({ channel_post: { message_id: 9, date: 1, chat: { id: -1009, type: "channel", title: "Nieuws" }, text: "x" } })).toEqual({ action: "refuse-group", chatId: -1009 });
  });

  it("refuses a tap on a button in a group, answering the tap", () => {
    const update = { callback_query: { id: "cb-g", from: resident(1), chat_instance: "1", data: "yes", message: { message_id: 1, date: 1, chat: { id: -4001, type: "group" } } } };
    expect(translate(update)).toEqual({ action: "refuse-group", chatId: -4001, callbackQueryId: "cb-g" });
  });

  it("ignores a shared contact (no question in it, and a phone number we do not keep)", () => {
    expect(translate(privateWith({ contact: { phone_number: "+31612345678", first_name: "Anneke" } }))).toEqual({ action: "ignore", reason: "unsupported" });
  });

  it("ignores updates that are not messages", () => {
    expect(translate({ my_chat_member: { chat: { id: CHAT, type: "private" } } })).toEqual({ action: "ignore", reason: "not-a-message" });
  });

  it("ignores a message Wijklijn could never store, instead of retrying it forever", () => {
    expect(translate(locationUpdate(CHAT, 123, 5))).toEqual({ action: "ignore", reason: "invalid" });
  });
});
