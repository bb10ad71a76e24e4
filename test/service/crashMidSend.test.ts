/**
 * Exactly once across a crash in the middle of a send: the service (src/main.ts, one process) is
 * killed while Telegram (the fake Bot API) has received a reply but not yet answered. The next
 * instance takes the dead one's claim over within seconds (not after a fixed minute), does not
 * send the reply in doubt again, and the resident's conversation carries on.
 */
import { expect, it } from "vitest";
import { createDb } from "../../src/db/client.ts";
import { startFakeTelegramBotApi } from "../fakes/telegramBotApi.ts";
import { textUpdate } from "../channels/telegram/telegramTestKit.ts";
import { createEmptyDatabaseUrl, describeEachDatabase } from "../helpers/db.ts";
import { freePort } from "../helpers/http.ts";
import { exitOf, serviceProcesses, waitUntil } from "../helpers/service.ts";

describeEachDatabase("a crash in the middle of a send", (provider) => {
  const processes = serviceProcesses("midsend");

  it("sends no resident anything twice, and the stalled chat carries on within seconds", async () => {
    const telegram = await startFakeTelegramBotApi();
    const { url, drop } = await createEmptyDatabaseUrl(provider);
    const port = await freePort();
    const service = processes.on(port, url);
    const start = () => service.start({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_MODE: "polling", TELEGRAM_API_ROOT: telegram.apiRoot });
    const stalled = 5_550_001;
    const bystander = 5_550_002;
    const db = createDb(url);
    const outboxEmpty = async () => (await db.outboxMessage.count({ where: { status: "pending" } })) === 0;
    try {
      const first = await start();
      telegram.pushUpdate(textUpdate(bystander, "hoi"));
      await telegram.waitForSent(bystander, 1, 30_000);
      await waitUntil(outboxEmpty, 30_000, "the bystander's replies to be sent");

      // The stalled resident's first reply reaches Telegram, and the service dies before the answer.
      const held = telegram.holdNextSend();
      telegram.pushUpdate(textUpdate(stalled, "hoi"));
      const inDoubt = await held;
      first.kill("SIGKILL");
      await exitOf(first);
      const killedAt = Date.now();
      const claimed = await db.outboxMessage.findMany({ where: { channelIdentity: { externalId: String(stalled) }, lockedBy: { not: null } } });
      expect(claimed).toHaveLength(1);

      await start();
      // The resident writes again: the answer comes within seconds of the crash, not after a minute's lease.
      const before = telegram.sentTo(stalled).length;
      telegram.pushUpdate(textUpdate(stalled, "menu"));
      await telegram.waitForSent(stalled, before + 1, 60_000);
      expect(Date.now() - killedAt).toBeLessThan(30_000);

      await waitUntil(outboxEmpty, 30_000, "the outbox to be empty");
      await waitUntil(async () => (await db.message.count({ where: { direction: "in", processedAt: null } })) === 0, 30_000, "every message to be handled");
      // The reply in doubt was not sent again, and an admin can see why.
      expect(telegram.sentTo(stalled).filter((m) => m.text === inDoubt.text)).toHaveLength(1);
      const dead = await db.outboxMessage.findMany({ where: { status: "dead" } });
      expect(dead.map((row) => row.id)).toEqual(claimed.map((row) => row.id));
      expect(dead[0]?.lastError).toMatch(/in doubt/);
      // Nobody got anything twice: every message reached Telegram once.
      for (const chat of [stalled, bystander]) {
        const texts = telegram.sentTo(chat).map((m) => m.text);
        expect(texts, `chat ${chat}`).toEqual([...new Set(texts)]);
      }
      expect(telegram.sendAttempts.every((attempt) => attempt.outcome === "sent")).toBe(true);
    } finally {
      await service.killAll();
      await db.$disconnect();
      await telegram.close();
      await drop();
    }
  }, 180_000);
});
