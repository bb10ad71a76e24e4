/**
 * Webhook mode: Telegram posts updates to POST /webhooks/telegram on a real express app over
 * loopback. The secret-token header is checked, and 200 means "stored": a failure to store
 * answers 500, so that Telegram delivers the update again.
 */
import express from "express";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../../src/channels/telegram/telegramChannel.ts";
import { FAKE_BOT_INFO, startFakeTelegramBotApi, type FakeTelegramBotApi } from "../../fakes/telegramBotApi.ts";
import { createBotHarness, type BotHarness } from "../../helpers/botHarness.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { listen } from "../../helpers/http.ts";
import { captureLogger } from "../../helpers/logger.ts";
import { storedForChat, telegramTexts, textUpdate, waitUntilAnswered } from "./telegramTestKit.ts";

const SECRET = "wijklijn-webhook-secret_123";

describeEachDatabase("Telegram over a webhook", (provider) => {
  let fake: FakeTelegramBotApi;
  let harness: BotHarness;
  let telegram: TelegramChannel;
  let server: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    fake = await startFakeTelegramBotApi();
    telegram = createTelegramChannel({
      token: fake.token,
      mode: "webhook",
      webhookSecret: SECRET,
      apiRoot: fake.apiRoot,
      publicUrl: "https://wijklijn.example/",
      ingest: (message) => harness.bot.processor.ingest(message),
      logger: captureLogger("debug").logger,
      botInfo: FAKE_BOT_INFO,
      ...telegramTexts(),
      limits: { perSecond: 30, perRecipientIntervalMs: 10 },
    });
    harness = await createBotHarness(provider, new Date(), { channels: [telegram.adapter], realClock: true });
    const app = express();
    app.use(telegram.webhook);
    server = await listen(app);
  });
  afterAll(async () => {
    await server?.close();
    await harness?.close();
    await fake?.close();
  });

  const post = (body: unknown, secret?: string) =>
    fetch(`${server.url}/webhooks/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(secret !== undefined ? { "X-Telegram-Bot-Api-Secret-Token": secret } : {}) },
      body: JSON.stringify(body),
    });
  const telegramMessages = () => harness.t.db.message.count({ where: { channel: "telegram" } });

  it("registers the webhook with Telegram, with the secret token", async () => {
    expect(fake.webhook).toEqual({ url: "https://wijklijn.example/webhooks/telegram", secretToken: SECRET });
    expect(await telegram.readiness.check()).toEqual({ ok: true });
  });

  it("refuses an update without the secret token with 401, storing nothing", async () => {
    const response = await post({ update_id: 1, ...textUpdate(620_001, "hoi") });
    expect(response.status).toBe(401);
    expect(await telegramMessages()).toBe(0);
  });

  it("refuses an update with a wrong secret token with 401, storing nothing", async () => {
    for (const wrong of ["wijklijn-webhook-secret_124", "", "x".repeat(300)]) {
      const response = await post({ update_id: 2, ...textUpdate(620_001, "hoi") }, wrong);
      expect(response.status).toBe(401);
    }
    expect(await telegramMessages()).toBe(0);
  });

  it("answers 200 only once the update is stored", async () => {
    const chat = 620_002;
    const response = await post({ update_id: 3, ...textUpdate(chat, "hoi") }, SECRET);
    expect(response.status).toBe(200);
    // No waiting: by the time Telegram hears 200, the message is in the database.
    expect((await storedForChat(harness.t.db, chat)).inbound).toHaveLength(1);
    await waitUntilAnswered(harness.t.db, () => fake.sentTo(chat), chat, 1);
    expect(
      fake
        .sentTo(chat)
        .map((m) => m.text)
        .join("\n"),
    ).toContain("Ik ben Wijklijn");
  });

  it("stores an update delivered twice once, and answers it once", async () => {
    const chat = 620_003;
    const update = { update_id: 4, ...textUpdate(chat, "hoi") };
    expect((await post(update, SECRET)).status).toBe(200);
    await waitUntilAnswered(harness.t.db, () => fake.sentTo(chat), chat, 1);
    const answers = fake.sentTo(chat).length;
    expect(answers).toBeGreaterThan(0);

    // Telegram retries (e.g. our 200 got lost), twice at once.
    const retries = await Promise.all([post(update, SECRET), post(update, SECRET)]);
    expect(retries.map((r) => r.status)).toEqual([200, 200]);
    await harness.bot.processor.idle();
    await harness.bot.dispatcher.runOnce();
    const stored = await storedForChat(harness.t.db, chat);
    expect(stored.inbound).toHaveLength(1);
    expect(stored.outbox).toHaveLength(answers);
    expect(fake.sentTo(chat)).toHaveLength(answers);
  });

  it("answers 400 to a body that is not a Telegram update", async () => {
    const response = await post({ hello: "world" }, SECRET);
    expect(response.status).toBe(400);
  });
});

describeEachDatabase("Telegram webhook when storing fails", () => {
  it("answers 500, so that Telegram delivers the update again", async () => {
    const fake = await startFakeTelegramBotApi();
    const telegram = createTelegramChannel({
      token: fake.token,
      mode: "webhook",
      webhookSecret: SECRET,
      apiRoot: fake.apiRoot,
      publicUrl: "https://wijklijn.example",
      ingest: async () => {
        throw new Error("database unavailable");
      },
      logger: captureLogger().logger,
      botInfo: FAKE_BOT_INFO,
      ...telegramTexts(),
    });
    const app = express();
    app.use(telegram.webhook);
    const server = await listen(app);
    try {
      const response = await fetch(`${server.url}/webhooks/telegram`, {
        method: "POST",
        headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET },
        body: JSON.stringify({ update_id: 9, ...textUpdate(620_009, "hoi") }),
      });
      expect(response.status).toBe(500);
    } finally {
      await server.close();
      await fake.close();
    }
  });
});
