/**
 * The running service: database migrated and connected, demo data seeded when the database is
 * empty, HTTP listening. Used by src/main.ts and by the tests (the same start-up, over loopback).
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describeChannels, type Config } from "./config/env.ts";
import { resolveSessionSecret } from "./config/sessionSecret.ts";
import { createDb, type Db } from "./db/client.ts";
import { migrateDatabase } from "./db/migrate.ts";
import { seedDemoGemeente } from "./db/seedDemo.ts";
import { createApp } from "./http/app.ts";
import type { Logger } from "./log.ts";

/** A started service. */
export interface Service {
  db: Db;
  server: Server;
  url: string;
  stop(): Promise<void>;
}

/** Migrates, connects, seeds (when enabled and empty) and starts listening. */
export async function startService(config: Config, logger: Logger): Promise<Service> {
  const { generated } = resolveSessionSecret(config.sessionSecret, config.dataDir);
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

  const app = createApp({ db, provider: config.database.provider, logger });
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
      await db.$disconnect();
    })();
    return stopping;
  };
  return { db, server, url, stop };
}
