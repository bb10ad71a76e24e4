/**
 * Helpers for the Telegram tests: updates shaped as Telegram sends them (names included, so the
 * tests can check they go nowhere), and reading what Wijklijn stored for a Telegram chat.
 */
import { loadFlows } from "../../../src/conversation/loadFlows.ts";
import type { Db } from "../../../src/db/client.ts";
import { OutboundPayloadSchema } from "../../../src/domain/messages.ts";
import type { SentMessage } from "../../fakes/telegramBotApi.ts";

let messageIds = 1000;
let callbackIds = 5000;

/** A resident as Telegram describes them; the name must never be stored or logged. */
export function resident(chatId: number) {
  return { id: chatId, is_bot: false, first_name: "Anneke", last_name: "Verhoeven", username: "anneke_v", language_code: "nl" };
}

function privateMessage(chatId: number, fields: Record<string, unknown>) {
  return { message_id: ++messageIds, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: "private", first_name: "Anneke" }, from: resident(chatId), ...fields };
}

/** A text message in a private chat. */
export function textUpdate(chatId: number, text: string) {
  return { message: privateMessage(chatId, { text }) };
}

/** A photo in a private chat (Telegram sends several sizes, smallest first). */
export function photoUpdate(chatId: number, fileIds: string[], caption?: string) {
  const photo = fileIds.map((file_id, index) => ({ file_id, file_unique_id: `u${file_id}`, width: 90 * (index + 1), height: 60 * (index + 1), file_size: 1000 * (index + 1) }));
  return { message: privateMessage(chatId, { photo, ...(caption ? { caption } : {}) }) };
}

/** A shared location in a private chat. */
export function locationUpdate(chatId: number, latitude: number, longitude: number) {
  return { message: privateMessage(chatId, { location: { latitude, longitude } }) };
}

/** A tap on an inline button of a message the bot sent (its keyboard is echoed back, as Telegram does). */
export function callbackUpdate(chatId: number, data: string, keyboard: Array<{ text: string; callbackData: string | undefined }> = []) {
  return {
    callback_query: {
      id: String(++callbackIds),
      from: resident(chatId),
      chat_instance: "-123456789",
      data,
      message: {
        message_id: ++messageIds,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: "private", first_name: "Anneke" },
        text: "(the bot's question)",
        reply_markup: { inline_keyboard: keyboard.map((button) => [{ text: button.text, callback_data: button.callbackData }]) },
      },
    },
  };
}

/** A tap on one of the buttons of a message the fake recorded; throws when the message has no such button. */
export function tapButton(chatId: number, message: SentMessage | undefined, label: string) {
  const button = message?.inlineButtons.find((b) => b.text === label);
  if (!message || !button?.callbackData) throw new Error(`no button "${label}" on ${JSON.stringify(message?.inlineButtons ?? null)}`);
  return callbackUpdate(chatId, button.callbackData, message.inlineButtons);
}

/** A message in a group chat (or a supergroup). */
export function groupUpdate(chatId: number, text: string, type: "group" | "supergroup" = "group") {
  return { message: { message_id: ++messageIds, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type, title: "Buurtapp Luchen" }, from: resident(4242), text } };
}

/** Resolves once `condition` holds; rejects with `what` after the timeout. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What Wijklijn holds for one Telegram chat. */
export async function storedForChat(db: Db, chatId: number) {
  const identity = await db.channelIdentity.findUnique({ where: { channel_externalId: { channel: "telegram", externalId: String(chatId) } } });
  if (!identity) return { identity: null, inbound: [], outbound: [], outbox: [], conversations: [] };
  const where = { conversation: { channelIdentityId: identity.id } };
  const [inbound, outbound, outbox, conversations] = await Promise.all([
    db.message.findMany({ where: { ...where, direction: "in" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    db.message.findMany({ where: { ...where, direction: "out" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    db.outboxMessage.findMany({ where: { channelIdentityId: identity.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    db.conversation.findMany({ where: { channelIdentityId: identity.id }, orderBy: { createdAt: "desc" }, include: { wijk: true, tandem: true } }),
  ]);
  return { identity, inbound, outbound, outbox, conversations };
}

/** True for an outbox row that is a reaction (setMessageReaction), not a message. */
export function isReactionRow(row: { payload: string }): boolean {
  return OutboundPayloadSchema.safeParse(JSON.parse(row.payload)).data?.reaction !== undefined;
}

/**
 * Waits until everything a chat sent was stored and answered, and every answer reached the fake:
 * at least `inboundCount` messages stored, none waiting for the bot, nothing pending in the
 * outbox, and at least as many messages at the fake as the outbox sent (reactions are no messages).
 */
export async function waitUntilAnswered(db: Db, sentTo: () => SentMessage[], chatId: number, inboundCount: number, timeoutMs = 10_000): Promise<void> {
  await waitUntil(
    async () => {
      const stored = await storedForChat(db, chatId);
      if (stored.inbound.length < inboundCount || stored.inbound.some((m) => m.processedAt === null)) return false;
      if (stored.outbox.some((row) => row.status === "pending")) return false;
      // One outbox row may arrive as two Telegram messages (a joined bubble that also takes a reply keyboard away).
      return sentTo().length >= stored.outbox.filter((row) => row.status === "sent" && !isReactionRow(row)).length;
    },
    `chat ${chatId} has ${inboundCount} message(s) stored and every answer delivered`,
    timeoutMs,
  );
}

/** The channel's texts as the service passes them: from flows/globals.yaml. */
export function telegramTexts() {
  const { messages } = loadFlows().globals;
  return { groupRefusalText: () => messages.groupChat.nl, shareLocationLabel: () => messages.shareLocation.nl };
}

/** What reached the chat, as one text: bubbles joined as Wijklijn joins them, so a row sent as two messages reads the same. */
export function deliveredText(sent: SentMessage[]): string {
  return sent.map((m) => m.text).join("\n\n");
}

/** What Wijklijn wrote, as one text (see deliveredText). */
export function writtenText(outbound: Array<{ text: string | null }>): string {
  return outbound.map((m) => m.text ?? "").join("\n\n");
}
