/**
 * A resident's whole journey on Telegram: real grammY long-polling the fake Bot API over HTTP, the
 * real bot, processor and outbox on a real database. Every answer must reach the fake, in order.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../../src/channels/telegram/telegramChannel.ts";
import { FAKE_BOT_INFO, startFakeTelegramBotApi, type FakeTelegramBotApi, type SentMessage } from "../../fakes/telegramBotApi.ts";
import { createBotHarness, type BotHarness } from "../../helpers/botHarness.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { captureLogger } from "../../helpers/logger.ts";
import {
  callbackUpdate,
  groupUpdate,
  locationUpdate,
  photoUpdate,
  storedForChat,
  tapButton,
  telegramTexts,
  textUpdate,
  waitUntil,
  waitUntilAnswered,
  deliveredText,
  writtenText,
} from "./telegramTestKit.ts";

const texts = (messages: SentMessage[]) => messages.map((m) => m.text).join("\n");

describeEachDatabase("Telegram over long polling", (provider) => {
  let fake: FakeTelegramBotApi;
  let harness: BotHarness;
  let telegram: TelegramChannel;
  const channelLog = captureLogger("debug");

  beforeAll(async () => {
    fake = await startFakeTelegramBotApi();
    telegram = createTelegramChannel({
      token: fake.token,
      mode: "polling",
      webhookSecret: undefined,
      apiRoot: fake.apiRoot,
      publicUrl: "http://wijklijn.test",
      // The harness builds the bot with this channel; updates only arrive once it exists.
      ingest: (message) => harness.bot.processor.ingest(message),
      logger: channelLog.logger,
      botInfo: FAKE_BOT_INFO,
      ...telegramTexts(),
      polling: { timeoutSeconds: 5, backoffMs: () => 50 },
      // Telegram's 1 s per chat would make this journey take half a minute.
      limits: { perSecond: 30, perRecipientIntervalMs: 10 },
    });
    harness = await createBotHarness(provider, new Date(), { channels: [telegram.adapter], realClock: true });
  });
  afterAll(async () => {
    await harness?.close();
    await fake?.close();
  });

  /** Sends one update as the resident and returns the bot's answers to it, once all are delivered. */
  const conversation = (chatId: number) => {
    let inbound = 0;
    return async (update: Record<string, unknown>): Promise<SentMessage[]> => {
      const before = fake.sentTo(chatId).length;
      fake.pushUpdate(update);
      inbound++;
      await waitUntilAnswered(harness.t.db, () => fake.sentTo(chatId), chatId, inbound);
      return fake.sentTo(chatId).slice(before);
    };
  };

  it("takes a resident from 'hoi' to a melding with photo and location in the Mierlo tandem's inbox", async () => {
    const chat = 610_001;
    const send = conversation(chat);

    let replies = await send(textUpdate(chat, "hoi"));
    expect(texts(replies)).toContain("Ik ben Wijklijn");
    expect(replies.at(-1)?.inlineButtons).toEqual([
      { text: "Ja", callbackData: "yes" },
      { text: "Nee", callbackData: "no" },
    ]);

    const yes = tapButton(chat, replies.at(-1), "Ja");
    replies = await send(yes);
    expect(texts(replies)).toContain("Dank je wel");
    expect(texts(replies)).toContain("postcode");
    expect(replies.at(-1)?.keyboardButtons).toEqual([
      { text: "📍 Deel mijn locatie", requestLocation: true },
      { text: "Weet ik niet", requestLocation: false },
      { text: "Kies uit lijst", requestLocation: false },
    ]);
    await waitUntil(() => fake.answeredCallbackQueries.includes(yes.callback_query.id), "the tap on Ja was answered");

    replies = await send(textUpdate(chat, "ik woon op 5731 bc 12"));
    expect(texts(replies)).toContain("Luchen. Klopt dat?");

    replies = await send(tapButton(chat, replies.at(-1), "Ja"));
    expect(texts(replies)).toContain("je wijk is Luchen");
    expect(texts(replies)).toContain("Waarmee kan ik je helpen?");
    expect(
      replies.some((m) => m.removesKeyboard),
      "the location keyboard is taken away",
    ).toBe(true);

    replies = await send(tapButton(chat, replies.at(-1), "Iets melden"));
    expect(texts(replies)).toContain("Wat wil je melden?");

    replies = await send(textUpdate(chat, "Er ligt al een week een berg zwerfafval bij de speeltuin"));
    expect(texts(replies)).toContain("foto");
    expect(replies.at(-1)?.inlineButtons.map((b) => b.text)).toEqual(["Geen foto"]);

    replies = await send(photoUpdate(chat, ["AgAC-small", "AgAC-medium", "AgAC-large"]));
    expect(texts(replies)).toContain("Waar is het precies?");
    expect(replies.at(-1)?.keyboardButtons[0]).toEqual({ text: "📍 Deel mijn locatie", requestLocation: true });

    // The theme is clear from the description (afval): filed under it without a question.
    replies = await send(locationUpdate(chat, 51.45, 5.62));
    expect(texts(replies)).toContain("met buren meehelpen");
    expect(texts(replies)).not.toContain("Klopt dat?");

    replies = await send(tapButton(chat, replies.at(-1), "Ja, met mijn buren"));
    expect(texts(replies)).toContain("reactie van de gemeente");

    replies = await send(tapButton(chat, replies.at(-1), "Ja, hier in de chat"));
    expect(texts(replies)).toContain("gebiedsregisseur van Luchen");
    expect(texts(replies)).toMatch(/WL-\d{4}-\d+/);

    const stored = await storedForChat(harness.t.db, chat);
    const [newest] = stored.conversations;
    expect(newest).toMatchObject({ status: "open", intent: "melding", theme: "afval", channel: "telegram" });
    expect(newest?.wijk?.slug).toBe("luchen");
    expect(newest?.tandem?.slug).toBe("mierlo");
    expect(stored.inbound.find((m) => m.mediaRef !== null)?.mediaRef).toBe("photo:AgAC-large");
    expect(stored.inbound.find((m) => m.latitude !== null)).toMatchObject({ latitude: 51.45, longitude: 5.62 });
    // A tap is stored with its button's label, so staff read "Ja" rather than "yes".
    expect(stored.inbound[1]).toMatchObject({ text: "Ja", value: "yes" });

    // Every answer the bot wrote arrived once, in the order it was written.
    expect(deliveredText(fake.sentTo(chat))).toEqual(writtenText(stored.outbound));
  });

  it("answers a voice note kindly, asking to type", async () => {
    const chat = 610_002;
    const send = conversation(chat);
    await send(textUpdate(chat, "/start"));
    const replies = await send({ message: { message_id: 9001, date: 1, chat: { id: chat, type: "private" }, voice: { file_id: "voice-1", file_unique_id: "v1", duration: 3 } } });
    expect(texts(replies)).toContain("spraakberichten");
  });

  it("ignores an edited message: nothing stored, no answer", async () => {
    const chat = 610_003;
    const edited = textUpdate(chat, "hoi");
    fake.pushUpdate({ edited_message: edited.message });
    fake.pushUpdate(callbackUpdate(chat, "yes"));
    await waitUntil(async () => (await storedForChat(harness.t.db, chat)).inbound.length === 1, "the tap after the edit stored");
    const stored = await storedForChat(harness.t.db, chat);
    expect(stored.inbound.map((m) => m.value)).toEqual(["yes"]);
  });

  it("refuses a group chat politely, once, and stores nothing about it", async () => {
    const group = -4_001;
    fake.pushUpdate(groupUpdate(group, "hallo bot, er is overlast in de Dorpsstraat"));
    const [refusal] = await fake.waitForSent(group, 1);
    expect(refusal?.text).toBe(telegramTexts().groupRefusalText());

    fake.pushUpdate(groupUpdate(group, "hallo?", "group"));
    await waitUntil(() => fake.unconfirmedUpdates() === 0, "the second group message handled");
    expect(fake.sentTo(group)).toHaveLength(1);
    const identities = await harness.t.db.channelIdentity.count({ where: { channel: "telegram", externalId: { in: [String(group), "4242"] } } });
    expect(identities).toBe(0);
  });

  it("never logs what residents wrote or what they are called", () => {
    const log = channelLog.lines.join("\n");
    expect(log).toContain("Stored a Telegram message");
    for (const secret of ["Anneke", "Verhoeven", "anneke_v", "zwerfafval", "5731", "overlast", "Dorpsstraat"]) expect(log).not.toContain(secret);
  });
});
