/**
 * One resident floods the Telegram webhook with more than a hundred messages; another resident who writes
 * meanwhile is answered promptly, and the flooder gets one notice instead of hundreds of answers.
 * Through the real webhook, the real bot and the outbox to the fake Bot API.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/db.ts";
import { type AbuseRig, startAbuseRig } from "./abuseRig.ts";

const FLOODER = 740_001;
const NEIGHBOUR = 740_002;

const update = (updateId: number, chatId: number, messageId: number, text: string) => ({
  update_id: updateId,
  message: { message_id: messageId, date: 1_764_700_000, chat: { id: chatId, type: "private" }, from: { id: chatId, is_bot: false, first_name: "Bewoner" }, text },
});

describeEachDatabase("abuse: a resident's flood while another resident writes", (provider) => {
  let rig: AbuseRig;
  beforeAll(async () => {
    rig = await startAbuseRig(provider);
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  it("answers the other resident within seconds while one chat sends 120 messages, and sends the flooder far fewer replies than messages", async () => {
    let sent = 0;
    const flood = (async () => {
      // Four at a time, as Telegram delivers a busy chat's updates.
      await Promise.all(
        Array.from({ length: 4 }, async (_, lane) => {
          for (let i = lane; i < 120; i += 4) {
            const res = await rig.postTelegram(update(1_000 + i, FLOODER, i + 1, `bericht ${i} hallo hallo`));
            expect(res.status).toBe(200);
            sent++;
          }
        }),
      );
    })();
    // The neighbour writes once the flood is well under way.
    while (sent < 30) await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    expect((await rig.postTelegram(update(99_999, NEIGHBOUR, 1, "hoi"))).status).toBe(200);
    await rig.telegram.waitForSent(NEIGHBOUR, 1, 15_000);
    const waited = Date.now() - started;
    await flood;
    expect(waited, `the neighbour waited ${waited} ms`).toBeLessThan(5_000);

    await rig.service.bot.processor.idle();
    const stored = await rig.service.db.message.count({ where: { channel: "telegram", direction: "in", channelMessageId: { startsWith: `${FLOODER}:` } } });
    expect(stored).toBe(120);
    const replies = await rig.service.db.outboxMessage.count({ where: { channelIdentity: { externalId: String(FLOODER) } } });
    expect(replies).toBeLessThan(30);
  }, 180_000);
});
