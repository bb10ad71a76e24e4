/**
 * Telegram long polling on two instances (src/main.ts, each its own process) on one PostgreSQL
 * database: exactly one polls, the holder of the channel's advisory lock. Each instance talks to
 * its own fake Bot API (same token), so the test can see which one polls; the real Telegram would
 * answer a second poller with 409 Conflict. The poller is killed (SIGKILL: its connection, and so
 * its lock, simply end); the other takes over within a few seconds and answers the update that
 * waited meanwhile.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { EXCLUSIVE_LOCK_RETRY_MS } from "../../src/db/exclusiveLock.ts";
import { startFakeTelegramBotApi, type FakeTelegramBotApi } from "../fakes/telegramBotApi.ts";
import { waitUntil } from "../abuse/abuseRig.ts";
import { createEmptyDatabaseUrl, testProviders } from "../helpers/db.ts";
import { freePort } from "../helpers/http.ts";
import { exitOf } from "../helpers/service.ts";

interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  telegram: FakeTelegramBotApi;
  logs: string[];
}

const TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz";

function message(chat: number, text: string): Record<string, unknown> {
  return { message: { message_id: 1, date: 1_764_700_000, chat: { id: chat, type: "private" }, from: { id: chat, is_bot: false, first_name: "Buur" }, text } };
}

// Several instances need PostgreSQL (SQLite is one process's file, so one instance is its only mode).
if (testProviders.includes("postgresql")) defineExclusiveChannelTest();

function defineExclusiveChannelTest(): void {
  describe("Telegram long polling on two instances of one PostgreSQL database (on postgresql)", () => {
    let database: { url: string; drop: () => Promise<void> };
    let dir: string;
    const instances: Instance[] = [];

    async function startInstance(name: string): Promise<Instance> {
      const telegram = await startFakeTelegramBotApi({ token: TOKEN });
      const port = await freePort();
      const child = fork(join(import.meta.dirname, "../../src/main.ts"), [], {
        execArgv: ["--import", "tsx"],
        stdio: "pipe",
        env: {
          ...process.env,
          DATABASE_URL: database.url,
          DATA_DIR: join(dir, name),
          PORT: String(port),
          HOST: "127.0.0.1",
          NODE_ENV: "test",
          LOG_LEVEL: "info",
          DEMO_DATA: "true",
          SESSION_SECRET: "exclusive-channels-session-secret-0123456789",
          TELEGRAM_BOT_TOKEN: TOKEN,
          TELEGRAM_MODE: "polling",
          TELEGRAM_API_ROOT: telegram.apiRoot,
        },
      });
      const logs: string[] = [];
      child.stdout?.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
      child.stderr?.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
      const instance = { name, url: `http://127.0.0.1:${port}`, child, telegram, logs };
      instances.push(instance);
      await waitUntil(async () => (await fetch(`${instance.url}/readyz`).catch(() => null))?.status === 200, `instance ${name} is ready`, 90_000);
      return instance;
    }

    const polls = (instance: Instance) => instance.telegram.calls.filter((method) => method === "getUpdates").length;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "wijklijn-exclusive-"));
      database = await createEmptyDatabaseUrl("postgresql");
      await migrateDatabase(database.url);
      // One after the other: the first seeds the demo gemeente (and takes the lock), the second finds both taken.
      await startInstance("a");
      await startInstance("b");
    }, 240_000);

    afterAll(async () => {
      await Promise.all(
        instances.map((instance) => {
          const exited = exitOf(instance.child);
          instance.child.kill("SIGKILL");
          return exited;
        }),
      );
      for (const instance of instances) await instance.telegram.close();
      await database?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("polls on one instance only, and the other takes over within a few seconds when it is killed", async () => {
      const [a, b] = instances;
      if (!a || !b) throw new Error("two instances expected");
      await waitUntil(() => polls(a) > 0, "the first instance polls", 20_000);
      // Longer than a retry: the second instance tried and found the lock taken, more than once.
      await new Promise((resolve) => setTimeout(resolve, 2 * EXCLUSIVE_LOCK_RETRY_MS + 500));
      expect(polls(b), b.logs.join("").slice(-2000)).toBe(0);
      const bHealth: unknown = await (await fetch(`${b.url}/readyz`)).json();
      expect(JSON.stringify(bHealth)).toContain("standby");

      // The holder receives and answers as usual.
      a.telegram.pushUpdate(message(810_001, "hallo"));
      await a.telegram.waitForSent(810_001, 1, 20_000);

      // While the holder dies, an update waits at "Telegram" for the next poller.
      b.telegram.pushUpdate(message(810_002, "hallo"));
      const killedAt = Date.now();
      const exited = exitOf(a.child);
      a.child.kill("SIGKILL");
      await exited;
      await waitUntil(() => polls(b) > 0, "the second instance takes over polling", 20_000);
      const takeoverMs = Date.now() - killedAt;
      expect(takeoverMs).toBeLessThan(2 * EXCLUSIVE_LOCK_RETRY_MS + 2_000);
      await b.telegram.waitForSent(810_002, 1, 20_000);
      expect(b.logs.join("")).toContain("holds channel:telegram-polling");
    }, 120_000);
  });
}
