/**
 * Delivery through the outbox when Telegram is unwell: a 429 with retry_after, then server errors.
 * Every reply must still reach the resident exactly once, in the order the bot wrote them.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTelegramChannel } from "../../../src/channels/telegram/telegramChannel.ts";
import { FAKE_BOT_INFO, startFakeTelegramBotApi, type FakeTelegramBotApi } from "../../fakes/telegramBotApi.ts";
import { createBotHarness, type BotHarness } from "../../helpers/botHarness.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { captureLogger } from "../../helpers/logger.ts";
import { storedForChat, tapButton, telegramTexts, textUpdate, waitUntilAnswered } from "./telegramTestKit.ts";

describeEachDatabase("Telegram delivery under rate limits and errors", (provider) => {
  let fake: FakeTelegramBotApi;
  let harness: BotHarness;

  beforeAll(async () => {
    fake = await startFakeTelegramBotApi();
    const telegram = createTelegramChannel({
      token: fake.token,
      mode: "polling",
      webhookSecret: undefined,
      apiRoot: fake.apiRoot,
      publicUrl: "http://wijklijn.test",
      ingest: (message) => harness.bot.processor.ingest(message),
      logger: captureLogger().logger,
      botInfo: FAKE_BOT_INFO,
      ...telegramTexts(),
      polling: { timeoutSeconds: 5 },
      limits: { perSecond: 30, perRecipientIntervalMs: 10 },
    });
    harness = await createBotHarness(provider, new Date(), { channels: [telegram.adapter], realClock: true });
  });
  afterAll(async () => {
    await harness?.close();
    await fake?.close();
  });

  it("delivers every reply once and in order through a 429 (retry_after) and two 500s", async () => {
    const chat = 630_001;
    fake.failNextSends(1, { status: 429, retryAfter: 1 });
    fake.failNextSends(2, { status: 500 });
    const started = Date.now();
    fake.pushUpdate(textUpdate(chat, "hoi"));
    await waitUntilAnswered(harness.t.db, () => fake.sentTo(chat), chat, 1, 15_000);
    expect(fake.failedSends).toBe(3);
    // The 429 paused the channel for retry_after.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);

    fake.failNextSends(1, { status: 500 });
    fake.failNextSends(1, { network: true });
    fake.pushUpdate(tapButton(chat, fake.sentTo(chat).at(-1), "Ja"));
    await waitUntilAnswered(harness.t.db, () => fake.sentTo(chat), chat, 2, 15_000);
    expect(fake.failedSends).toBe(5);
    // A third message, so that there are replies enough to show the order (the thanks now goes with the wijk question).
    fake.pushUpdate(textUpdate(chat, "5731 BC"));
    await waitUntilAnswered(harness.t.db, () => fake.sentTo(chat), chat, 3, 15_000);

    const stored = await storedForChat(harness.t.db, chat);
    expect(stored.outbox.every((row) => row.status === "sent")).toBe(true);
    expect(stored.outbound.length).toBeGreaterThanOrEqual(3);
    // In order means: no reply is even tried while an earlier one has not arrived (a success
    // there would reach the phone first). Exactly once means: each is sent once.
    const written = stored.outbound.map((m) => m.text);
    let delivered = 0;
    for (const [index, attempt] of fake.sendAttempts.filter((a) => a.chatId === String(chat)).entries()) {
      expect(attempt.text, `send attempt ${index + 1} should be reply ${delivered + 1}`).toBe(written[delivered]);
      if (attempt.outcome === "sent") delivered++;
    }
    expect(delivered).toBe(written.length);
    expect(fake.sentTo(chat).map((m) => m.text)).toEqual(written);
  });
});
