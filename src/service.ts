/**
 * The running service: database migrated and connected, demo data seeded when the database is
 * empty, HTTP listening. Used by src/main.ts and by the tests (the same start-up, over loopback).
 */
import type { Server } from "node:http";
import { resolve } from "node:path";
import type { AddressInfo } from "node:net";
import { describeChannels, type Config } from "./config/env.ts";
import { resolveSessionSecret } from "./config/sessionSecret.ts";
import { createDb, type Db } from "./db/client.ts";
import { migrateDatabase } from "./db/migrate.ts";
import { seedDemoGemeente } from "./db/seedDemo.ts";
import { startBot, type WijklijnBot } from "./bot/wijklijnBot.ts";
import { createWebchatAdapter } from "./channels/webchat/webchatChannel.ts";
import { findDefaultGemeente } from "./db/gemeente.repo.ts";
import { createApp } from "./http/app.ts";
import type { Logger } from "./log.ts";

/** A started service. */
export interface Service {
  db: Db;
  bot: WijklijnBot;
  server: Server;
  url: string;
  stop(): Promise<void>;
}

/** Migrates, connects, seeds (when enabled and empty) and starts listening. */
export async function startService(config: Config, logger: Logger, options: { flowsDir?: string; now?: () => Date } = {}): Promise<Service> {
  const { secret, generated } = resolveSessionSecret(config.sessionSecret, config.dataDir);
  if (generated) logger.info("Generated a session secret in the data folder (set SESSION_SECRET in production).");

  const migration = await migrateDatabase(config.database.url);
  if (migration.applied.length > 0) logger.info({ applied: migration.applied }, `Applied ${migration.applied.length} database migration(s)`);
  for (const name of migration.modified) logger.warn({ migration: name }, "An applied migration file was changed afterwards; the database keeps the old version");

  const db = createDb(config.database.url);
  if (config.database.provider === "sqlite") {
    await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
    await db.$queryRawUnsafe("PRAGMA busy_timeout = 10000");
  }
  if (config.demoData && (await db.gemeente.count()) === 0) {
    const report = await seedDemoGemeente(db);
    logger.info({ wijken: report.wijken, tandems: report.tandems }, "Seeded the demo gemeente Geldrop-Mierlo (illustrative data)");
  }
  for (const line of describeChannels(config)) logger.info(line);

  const gemeente = await findDefaultGemeente(db);
  if (!gemeente) {
    await db.$disconnect();
    throw new Error("The database has no gemeente. Start with DEMO_DATA=true, or run `npm run cli -- seed demo`, or import your wijken first.");
  }
  const bot = await startBot({
    db,
    provider: config.database.provider,
    logger,
    gemeente,
    publicUrl: config.http.publicUrl,
    secret,
    watchFlows: config.env === "development",
    channels: [createWebchatAdapter()],
    flowsDir: options.flowsDir ?? resolve(config.flowsDir),
    ...(options.now ? { now: options.now } : {}),
  });

  const app = createApp({ db, provider: config.database.provider, logger, bot, secret });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.http.port, config.http.host, () => resolve(listening));
    listening.once("error", reject);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${config.http.host === "0.0.0.0" ? "localhost" : config.http.host}:${address.port}`;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
      await bot.stop();
      await db.$disconnect();
    })();
    return stopping;
  };
  return { db, bot, server, url, stop };
}
