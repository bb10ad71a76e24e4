/**
 * One resident floods the bot: 500 Telegram messages from one chat, over the fake Bot API. Every
 * message is stored and visible to staff, the first few get a turn, the flood gets one friendly
 * notice, a 112 message in the middle is still answered at once, and another resident writing
 * meanwhile is answered in the next round, not behind the flood.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTelegramChannel } from "../../../src/channels/telegram/telegramChannel.ts";
import { INBOUND_LIMIT } from "../../../src/bot/floodLimit.ts";
import { emergency112Text } from "../../../src/conversation/emergencyKinds.ts";
import { loadFlows } from "../../../src/conversation/loadFlows.ts";
import { FAKE_BOT_INFO, startFakeTelegramBotApi, type FakeTelegramBotApi } from "../../fakes/telegramBotApi.ts";
import { createBotHarness, type BotHarness } from "../../helpers/botHarness.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { captureLogger } from "../../helpers/logger.ts";
import { storedForChat, telegramTexts, textUpdate, waitUntilAnswered } from "./telegramTestKit.ts";

const { globals } = loadFlows();
const { messages } = globals;

/** Polls gently (the test shares the bot's database connection, and a flood keeps it busy). */
async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
const FLOODER = 640_001;
const NEIGHBOUR = 640_002;

describeEachDatabase("a resident flooding the bot on Telegram", (provider) => {
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
      // Telegram's own pacing, faster: one message per recipient per 100 ms.
      limits: { perSecond: 30, perRecipientIntervalMs: 100, perRecipientBurst: 1 },
    });
    harness = await createBotHarness(provider, new Date(), { channels: [telegram.adapter], realClock: true });
  });
  afterAll(async () => {
    await harness?.close();
    await fake?.close();
  });

  it("stores all 500 messages, answers the first few and the 112, sends one notice, and answers a neighbour in between", async () => {
    const db = harness.t.db;
    const inbound = (chat: number, where: { processedAt?: null } = {}) => db.message.count({ where: { direction: "in", conversation: { channelIdentity: { externalId: String(chat) } }, ...where } });
    for (let i = 0; i < 500; i++) {
      if (i === 250) fake.pushUpdate(textUpdate(NEIGHBOUR, "hoi"));
      fake.pushUpdate(textUpdate(FLOODER, i === 300 ? "Help, er is brand in de keuken!" : `bericht ${i}`));
    }
    await waitUntil(async () => (await inbound(NEIGHBOUR)) === 1, "the neighbour's message is stored", 60_000);
    const sendsWhenNeighbourStored = fake.sendAttempts.length;
    await waitUntil(async () => (await inbound(FLOODER)) === 500 && (await inbound(FLOODER, { processedAt: null })) === 0, "the flood is handled", 120_000);
    await waitUntilAnswered(harness.t.db, () => fake.sentTo(FLOODER), FLOODER, 500, 120_000);
    await waitUntilAnswered(harness.t.db, () => fake.sentTo(NEIGHBOUR), NEIGHBOUR, 1, 30_000);

    // Nothing lost: every message stored once, handled, and in the conversation staff see.
    const flood = await storedForChat(harness.t.db, FLOODER);
    expect(flood.inbound).toHaveLength(500);
    expect(new Set(flood.inbound.map((m) => m.text)).size).toBe(500);
    expect(flood.inbound.every((m) => m.processedAt !== null)).toBe(true);

    // One notice, the 112 answer, and a turn's replies for each of the first messages only.
    const texts = fake.sentTo(FLOODER).map((m) => m.text);
    expect(texts.filter((t) => t === messages.floodNotice.nl)).toHaveLength(1);
    // The 112 answer for a fire (flows/globals.yaml emergencyKinds).
    expect(texts.filter((t) => t === emergency112Text(globals, "Help, er is brand in de keuken!", "nl"))).toHaveLength(1);
    expect(texts.length).toBeLessThanOrEqual(INBOUND_LIMIT.messages * 3 + 2);
    expect(flood.conversations[0]?.emergency).toBe("112");

    // The neighbour was answered in the round after their message was stored, not behind the flood.
    const firstNeighbourSend = fake.sendAttempts.findIndex((a) => a.chatId === String(NEIGHBOUR));
    expect(firstNeighbourSend).toBeGreaterThanOrEqual(0);
    const floodSendsBefore = fake.sendAttempts.slice(sendsWhenNeighbourStored, firstNeighbourSend).filter((a) => a.chatId === String(FLOODER)).length;
    expect(floodSendsBefore).toBeLessThanOrEqual(3);
  }, 180_000);
});
