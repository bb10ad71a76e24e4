/**
 * Start-up only: read config, start the service, stop gracefully on SIGTERM/SIGINT.
 */
import "dotenv/config";
import { ConfigError, loadConfig } from "./config/env.ts";
import { findDemoSignIn } from "./db/seedDemo.ts";
import { createLogger } from "./log.ts";
import { startService } from "./service.ts";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, pretty: config.env === "development" && process.stdout.isTTY });
  // A bug in one background task must not take the service down for every resident: log it
  // (the err serializer redacts resident text) and keep serving.
  process.on("unhandledRejection", (reason: unknown) => {
    logger.error({ err: reason }, "an unhandled promise rejection; the service keeps running");
  });
  const service = await startService(config, logger);
  const base = config.env === "development" ? service.url : config.http.publicUrl;
  logger.info(`Wijklijn is running at ${base}`);
  logger.info(`  Start page:  ${base}/`);
  logger.info(`  Wijk lookup: ${base}/api/v1/wijken/lookup?postcode=5662AB`);
  logger.info(`  API docs:    ${base}/api/docs`);
  logger.info(`  Inbox:       ${base}/inbox`);
  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info(`${signal} received: finishing open requests and stopping`);
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "stopping failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  // After the signal handlers: checking the demo password takes a moment, and a SIGTERM meanwhile must stop cleanly.
  const demo = await findDemoSignIn(service.db).catch((error: unknown) => {
    if (shuttingDown) return null;
    throw error;
  });
  // Printed, not logged: the logger redacts every e-mail address, and this one is public demo data.
  if (demo && !shuttingDown) console.log(`  Demo inbox: ${base}/inbox: log in as ${demo.email} (or another demo account) with password ${demo.password}`);
}

main().catch((error: unknown) => {
  console.error("Wijklijn could not start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
