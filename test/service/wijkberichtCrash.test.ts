/**
 * A wijkbericht to 10,000 Telegram subscribers through the whole service (src/main.ts, one
 * process) and the fake Bot API: the service is killed halfway, in the middle of a send, and a new
 * one finishes the bericht. Every subscriber's chat shows it exactly once, and the fake never saw
 * more messages in any second than TELEGRAM_MAX_MESSAGES_PER_SECOND (set high here, so the test
 * takes a minute, not six). The one message in flight at the kill reached the phone; the new
 * instance does not send it again (it counts as failed, "in doubt").
 */
import { expect, it } from "vitest";
import { createDb } from "../../src/db/client.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { seedDemoGemeente } from "../../src/db/seedDemo.ts";
import { broadcastWijkbericht, loadWijkbericht } from "../../src/inbox/wijkberichtActions.ts";
import { startFakeTelegramBotApi } from "../fakes/telegramBotApi.ts";
import { createEmptyDatabaseUrl, describeEachDatabase } from "../helpers/db.ts";
import { freePort } from "../helpers/http.ts";
import { exitOf, serviceProcesses, waitUntil } from "../helpers/service.ts";

const SUBSCRIBERS = 10_000;
const RATE = 250;
const FIRST_CHAT = 900_000_000;

/** The most deliveries the fake received within any one second. */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= 1000) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describeEachDatabase("a wijkbericht to 10,000 subscribers with a kill halfway", (provider) => {
  const processes = serviceProcesses("wijkbericht");

  it("reaches every subscriber exactly once, never faster than the configured rate", { timeout: 600_000 }, async () => {
    const telegram = await startFakeTelegramBotApi();
    const { url, drop } = await createEmptyDatabaseUrl(provider);
    await migrateDatabase(url);
    const db = createDb(url);
    const port = await freePort();
    const service = processes.on(port, url);
    const start = () => service.start({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_MODE: "polling", TELEGRAM_API_ROOT: telegram.apiRoot, TELEGRAM_MAX_MESSAGES_PER_SECOND: String(RATE) });
    try {
      await seedDemoGemeente(db);
      const gemeente = await db.gemeente.findFirstOrThrow();
      const luchen = await db.wijk.findFirstOrThrow({ where: { slug: "luchen" } });
      const ids = Array.from({ length: SUBSCRIBERS }, (_, i) => String(i).padStart(5, "0"));
      for (let from = 0; from < SUBSCRIBERS; from += 1000) {
        const slice = ids.slice(from, from + 1000);
        await db.resident.createMany({ data: slice.map((id) => ({ id: `res-${id}`, gemeenteId: gemeente.id, wijkId: luchen.id })) });
        await db.channelIdentity.createMany({ data: slice.map((id, i) => ({ id: `ci-${id}`, residentId: `res-${id}`, channel: "telegram", externalId: String(FIRST_CHAT + from + i) })) });
        await db.subscription.createMany({ data: slice.map((id) => ({ residentId: `res-${id}`, wijkId: luchen.id, channelIdentityId: `ci-${id}` })) });
      }

      const first = await start();
      const actor = { kind: "cli" as const, gemeenteId: gemeente.id };
      const sent = await broadcastWijkbericht(db, actor, { wijkSlugs: ["luchen"], text: "Zaterdag is de buurtschoonmaak in Luchen. Doe je mee?" });
      expect(sent.recipients).toBe(SUBSCRIBERS);
      const id = sent.id ?? "";

      // Halfway, the next message reaches the phone and the service dies before Telegram's answer.
      await waitUntil(() => telegram.deliveries.length >= SUBSCRIBERS / 2, 300_000, "half of the bericht to be delivered");
      const held = telegram.holdNextSend();
      await held;
      first.kill("SIGKILL");
      await exitOf(first);
      const atKill = telegram.deliveries.length;
      expect(atKill).toBeLessThan(SUBSCRIBERS);
      expect((await loadWijkbericht(db, actor, id)).progress.status).toBe("sending");

      await start();
      await waitUntil(async () => (await loadWijkbericht(db, actor, id)).progress.status === "sent", 400_000, "the bericht to be sent");

      const perChat = new Map<string, number>();
      for (const delivery of telegram.deliveries) perChat.set(delivery.chatId, (perChat.get(delivery.chatId) ?? 0) + 1);
      expect(perChat.size).toBe(SUBSCRIBERS);
      expect([...perChat.values()].every((count) => count === 1)).toBe(true);
      expect(telegram.deliveries).toHaveLength(SUBSCRIBERS);
      expect(busiestSecond(telegram.deliveries.map((d) => d.at))).toBeLessThanOrEqual(RATE);
      const { progress } = await loadWijkbericht(db, actor, id);
      // The message in flight at the kill is on the phone; the new instance marked it in doubt instead of sending it twice.
      expect(progress).toMatchObject({ recipients: SUBSCRIBERS, sent: SUBSCRIBERS - 1, failed: 1, queued: 0 });
    } finally {
      await db.$disconnect();
      await telegram.close();
      await drop();
    }
  });
});
