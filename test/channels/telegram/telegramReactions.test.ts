/**
 * While staff handle a conversation on Telegram, the bot acknowledges in words once per quiet
 * period and puts a 👍 on every further message (setMessageReaction), over real grammY and the
 * fake Bot API. A reaction Telegram refuses is dropped at once and holds up nothing.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../../src/channels/telegram/telegramChannel.ts";
import { FAKE_BOT_INFO, startFakeTelegramBotApi, type FakeTelegramBotApi, type SentMessage } from "../../fakes/telegramBotApi.ts";
import { createBotHarness, type BotHarness } from "../../helpers/botHarness.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { captureLogger } from "../../helpers/logger.ts";
import { isReactionRow, storedForChat, tapButton, telegramTexts, textUpdate, waitUntil, waitUntilAnswered } from "./telegramTestKit.ts";

const texts = (messages: SentMessage[]) => messages.map((m) => m.text).join("\n");

describeEachDatabase("Telegram reactions while staff handle a conversation", (provider) => {
  let fake: FakeTelegramBotApi;
  let harness: BotHarness;
  let telegram: TelegramChannel;

  beforeAll(async () => {
    fake = await startFakeTelegramBotApi();
    telegram = createTelegramChannel({
      token: fake.token,
      mode: "polling",
      webhookSecret: undefined,
      apiRoot: fake.apiRoot,
      publicUrl: "http://wijklijn.test",
      ingest: (message) => harness.bot.processor.ingest(message),
      logger: captureLogger("debug").logger,
      botInfo: FAKE_BOT_INFO,
      ...telegramTexts(),
      polling: { timeoutSeconds: 5, backoffMs: () => 50 },
      limits: { perSecond: 30, perRecipientIntervalMs: 10 },
    });
    harness = await createBotHarness(provider, new Date(), { channels: [telegram.adapter], realClock: true });
  });
  afterAll(async () => {
    await harness?.close();
    await fake?.close();
  });

  /** A resident whose melding-free question is with the Mierlo tandem's gebiedsregisseur. */
  async function handedOver(chat: number) {
    let inbound = 0;
    /** One update; with `reply`, waits for at least one new message at the fake too (a reaction-only turn has none). */
    const send = async (update: ReturnType<typeof textUpdate> | ReturnType<typeof tapButton>, reply = true) => {
      const before = fake.sentTo(chat).length;
      fake.pushUpdate(update);
      inbound++;
      if (reply) await fake.waitForSent(chat, before + 1);
      await waitUntilAnswered(harness.t.db, () => fake.sentTo(chat), chat, inbound);
      // The outbox is empty once answered; reactions (no messages at the fake) are done too.
      return fake.sentTo(chat).slice(before);
    };
    let replies = await send(textUpdate(chat, "hoi"));
    replies = await send(tapButton(chat, replies.at(-1), "Ja"));
    replies = await send(textUpdate(chat, "5731 BC"));
    replies = await send(tapButton(chat, replies.at(-1), "Ja"));
    replies = await send(textUpdate(chat, "mens"));
    expect(texts(replies)).toContain("Waar gaat je vraag over?");
    replies = await send(textUpdate(chat, "over de speeltuin"));
    expect(texts(replies)).toMatch(/WL-\d{4}-\d+/);
    return send;
  }

  it("acknowledges the first of three messages in words and puts a 👍 on the other two, on the resident's own messages", async () => {
    const chat = 620_001;
    const send = await handedOver(chat);

    const first = textUpdate(chat, "is daar nog iemand?");
    expect(texts(await send(first))).toContain("gebiedsregisseur van Luchen");
    const second = textUpdate(chat, "de stoep ligt er ook slecht bij");
    expect(await send(second, false), "no bubble for the second message").toEqual([]);
    const third = textUpdate(chat, "en het hek is kapot");
    expect(await send(third, false), "no bubble for the third message").toEqual([]);

    const reactions = await fake.waitForReactions(chat, 2);
    expect(reactions).toEqual([
      { chatId: String(chat), messageId: second.message.message_id, emoji: "👍" },
      { chatId: String(chat), messageId: third.message.message_id, emoji: "👍" },
    ]);
    expect(fake.calls.filter((method) => method === "setMessageReaction")).toHaveLength(2);

    // Staff read the resident's three messages; the bot's 👍 is no message of the conversation.
    const stored = await storedForChat(harness.t.db, chat);
    expect(stored.inbound.map((m) => m.text).slice(-3)).toEqual(["is daar nog iemand?", "de stoep ligt er ook slecht bij", "en het hek is kapot"]);
    expect(stored.outbound.some((m) => m.text === "" || m.text === "👍")).toBe(false);
    expect(stored.outbox.filter(isReactionRow).map((row) => row.status)).toEqual(["sent", "sent"]);
  });

  it("drops a reaction Telegram refuses, without retrying it or holding up the next reply", async () => {
    const chat = 620_002;
    const send = await handedOver(chat);
    expect(texts(await send(textUpdate(chat, "hallo?")))).toContain("gebiedsregisseur van Luchen");

    fake.failNextReactions(1, { status: 400, description: "Bad Request: REACTION_INVALID" });
    await send(textUpdate(chat, "nog iets"), false);
    await waitUntil(async () => (await storedForChat(harness.t.db, chat)).outbox.some((row) => isReactionRow(row) && row.status === "dead"), "the refused reaction is dropped");

    fake.failNextReactions(1, { status: 500 });
    await send(textUpdate(chat, "en nog iets"), false);
    // A person already has it: said in words, at once, after the two failed reactions.
    const replies = await send(textUpdate(chat, "mens"));
    expect(texts(replies)).toContain("Je bericht ligt bij de gebiedsregisseur van Luchen");

    const stored = await storedForChat(harness.t.db, chat);
    const reactions = stored.outbox.filter(isReactionRow);
    expect(reactions.map((row) => [row.status, row.attempts])).toEqual([
      ["dead", 1],
      ["dead", 1],
    ]);
    expect(reactions[0]?.lastError).toContain("REACTION_INVALID");
    expect(fake.reactions.filter((r) => r.chatId === String(chat))).toEqual([]);
  });
});
