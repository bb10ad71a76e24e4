/**
 * Bench part (3): one wijkbericht to BENCH_SUBSCRIBERS (100,000) Telegram subscribers across the
 * demo gemeente's 11 wijken, sent by the real service (src/main.ts in its own process) through the
 * outbox to the fake Bot API of the tests (test/fakes/telegramBotApi.ts) at a configured rate
 * (TELEGRAM_MAX_MESSAGES_PER_SECOND = BENCH_SEND_RATE, 500 by default: Telegram's own 30/s would
 * take 55 minutes). The floor is that configured rate: the achieved rate is measured from the
 * fake's delivery times (first to last), beside duplicates, missing subscribers and the service's
 * peak RSS.
 */
import type { ChildProcess } from "node:child_process";
import { createDb } from "../src/db/client.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { seedDemoGemeente } from "../src/db/seedDemo.ts";
import { startFakeTelegramBotApi } from "../test/fakes/telegramBotApi.ts";
import { bulkWriterFor } from "./bulkInsert.ts";

/** What part (3) measured. */
export interface WijkberichtFigures {
  subscribers: number;
  configuredRate: number;
  /** Deliveries per second from the first to the last one. */
  achievedRate: number;
  /** Seconds from sending until the last delivery. */
  seconds: number;
  delivered: number;
  duplicates: number;
  missing: number;
  peakRssMb: number;
}

/** How the bench starts and watches the service (bench/run.ts). */
export interface ServiceStarter {
  start(url: string, env: Record<string, string>): Promise<{ child: ChildProcess; stop: () => Promise<void> }>;
  peakRssMbOf(pid: number): number;
}

/** Seeds the subscribers into the empty database at `url`, starts the service and sends one wijkbericht to all of them. */
export async function benchWijkbericht(url: string, options: { subscribers: number; rate: number; starter: ServiceStarter }): Promise<WijkberichtFigures> {
  await migrateDatabase(url);
  const db = createDb(url);
  const telegram = await startFakeTelegramBotApi();
  try {
    await seedDemoGemeente(db);
    const gemeente = await db.gemeente.findFirstOrThrow();
    const wijken = await db.wijk.findMany({ where: { gemeenteId: gemeente.id }, select: { id: true }, orderBy: { slug: "asc" } });
    const writer = await bulkWriterFor(url);
    const now = new Date();
    const chat = (i: number) => String(900_000_000 + i);
    try {
      await writer.insert(
        "Resident",
        ["id", "gemeenteId", "wijkId", "language", "createdAt", "lastSeenAt", "exportGeneration"],
        (function* () {
          for (let i = 0; i < options.subscribers; i++) yield [`br${i}`, gemeente.id, wijken[i % wijken.length]?.id ?? null, "nl", now, now, 0];
        })(),
      );
      await writer.insert(
        "ChannelIdentity",
        ["id", "residentId", "channel", "externalId", "createdAt", "lastSeenAt"],
        (function* () {
          for (let i = 0; i < options.subscribers; i++) yield [`bci${i}`, `br${i}`, "telegram", chat(i), now, now];
        })(),
      );
      await writer.insert(
        "Subscription",
        ["id", "residentId", "wijkId", "channelIdentityId", "frequency", "createdAt"],
        (function* () {
          for (let i = 0; i < options.subscribers; i++) yield [`bs${i}`, `br${i}`, wijken[i % wijken.length]?.id ?? "", `bci${i}`, "each", now];
        })(),
      );
    } finally {
      await writer.close();
    }

    const service = await options.starter.start(url, {
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_MODE: "webhook",
      TELEGRAM_WEBHOOK_SECRET: "wijklijn-bench-secret",
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_MAX_MESSAGES_PER_SECOND: String(options.rate),
    });
    try {
      const sentAt = Date.now();
      await db.wijkbericht.create({
        data: {
          gemeenteId: gemeente.id,
          text: "Zaterdag is de buurtschoonmaak. Doe je mee? We beginnen om 10:00 bij het wijkcentrum.",
          status: "scheduled",
          scheduledAt: new Date(sentAt),
          authorKind: "cli",
          wijken: { create: wijken.map((wijk) => ({ wijkId: wijk.id })) },
        },
      });
      // Until every subscriber has it, or nothing arrived for a minute.
      let last = 0;
      let lastChange = Date.now();
      while (telegram.deliveries.length < options.subscribers && Date.now() - lastChange < 60_000) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        if (telegram.deliveries.length !== last) {
          last = telegram.deliveries.length;
          lastChange = Date.now();
        }
      }
      const deliveries = telegram.deliveries;
      const first = deliveries[0]?.at ?? sentAt;
      const end = deliveries.at(-1)?.at ?? sentAt;
      const unique = new Set(deliveries.map((delivery) => delivery.chatId)).size;
      return {
        subscribers: options.subscribers,
        configuredRate: options.rate,
        achievedRate: deliveries.length > 1 ? (deliveries.length - 1) / ((end - first) / 1000) : 0,
        seconds: (end - sentAt) / 1000,
        delivered: deliveries.length,
        duplicates: deliveries.length - unique,
        missing: options.subscribers - unique,
        peakRssMb: options.starter.peakRssMbOf(service.child.pid ?? 0),
      };
    } finally {
      await service.stop();
    }
  } finally {
    await db.$disconnect();
    await telegram.close();
  }
}
