/**
 * Scale-out on PostgreSQL: three service instances (src/main.ts, each its own process) on one
 * database, Telegram in webhook mode against one fake Bot API. A burst of messages from many chats
 * goes to whichever instance (as behind a load balancer); midway one instance is killed (SIGKILL:
 * no graceful stop, its open transactions and leases simply end), and an update it did not answer
 * is delivered again to another instance, as Telegram redelivers. Promised: every message stored
 * exactly once, in each chat's order, every one handled in that order, and no reply sent twice.
 * The per-conversation turn lock (an advisory lock), the outbox leases and the recovery sweep are
 * what make this hold; nothing here is timed.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../src/db/client.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { startFakeTelegramBotApi, type FakeTelegramBotApi } from "../fakes/telegramBotApi.ts";
import { createEmptyDatabaseUrl, testProviders } from "../helpers/db.ts";
import { waitUntil } from "../abuse/abuseRig.ts";
import { exitOf } from "../helpers/service.ts";

const SECRET = "three-instances-webhook-secret";
const CHATS = 24;
const MESSAGES_PER_CHAT = 12;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

interface Instance {
  url: string;
  child: ChildProcess;
  alive: boolean;
}

// Several instances need PostgreSQL (SQLite is one process's file): this block exists where the PostgreSQL suite runs.
if (testProviders.includes("postgresql")) defineThreeInstanceTest();

function defineThreeInstanceTest(): void {
  describe("three instances on one PostgreSQL database (on postgresql)", () => {
    let telegram: FakeTelegramBotApi;
    let database: { url: string; drop: () => Promise<void> };
    let db: Db;
    let dir: string;
    const instances: Instance[] = [];
    const instanceLogs: string[][] = [];

    async function startInstance(name: string): Promise<Instance> {
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
          LOG_LEVEL: "error",
          DEMO_DATA: "true",
          PUBLIC_URL: "https://wijklijn.example",
          SESSION_SECRET: "three-instances-session-secret-0123456789",
          TELEGRAM_BOT_TOKEN: telegram.token,
          TELEGRAM_MODE: "webhook",
          TELEGRAM_WEBHOOK_SECRET: SECRET,
          TELEGRAM_API_ROOT: telegram.apiRoot,
        },
      });
      // What an instance logs (errors only) is kept for a failure message.
      const logs: string[] = [];
      child.stdout?.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
      child.stderr?.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
      instanceLogs.push(logs);
      const instance = { url: `http://127.0.0.1:${port}`, child, alive: true };
      child.on("exit", () => {
        instance.alive = false;
      });
      await waitUntil(async () => (await fetch(`${instance.url}/readyz`).catch(() => null))?.status === 200, `instance ${name} is ready`, 90_000);
      return instance;
    }

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "wijklijn-three-"));
      telegram = await startFakeTelegramBotApi();
      database = await createEmptyDatabaseUrl("postgresql");
      await migrateDatabase(database.url);
      db = createDb(database.url);
      // One after the other: the first seeds the demo gemeente, the others find it.
      for (const name of ["a", "b", "c"]) instances.push(await startInstance(name));
    }, 240_000);

    afterAll(async () => {
      // Killed and waited for: the run checks that no process of it is left behind.
      await Promise.all(
        instances.map((instance) => {
          if (!instance.alive) return Promise.resolve();
          const exited = exitOf(instance.child);
          instance.child.kill("SIGKILL");
          return exited;
        }),
      );
      await db?.$disconnect();
      await telegram?.close();
      await database?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("stores, handles and answers every message of a burst exactly once and in order, with one instance killed midway", async () => {
      let posted = 0;
      const total = CHATS * MESSAGES_PER_CHAT;
      const statuses: number[] = [];
      const post = async (update: unknown, attempt: number): Promise<void> => {
        // A load balancer's choice among the live instances.
        const live = instances.filter((instance) => instance.alive);
        const target = live[(posted + attempt) % live.length];
        if (!target) throw new Error("no instance left");
        const res = await fetch(`${target.url}/webhooks/telegram`, {
          method: "POST",
          headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET },
          body: JSON.stringify(update),
        }).catch(() => null);
        if (res) {
          statuses.push(res.status);
          await res.body?.cancel();
        }
        // Not answered 200 (the instance died on it): Telegram delivers the same update again.
        if (res?.status !== 200) return post(update, attempt + 1);
      };
      await Promise.all(
        Array.from({ length: CHATS }, async (_, c) => {
          const chat = 730_000 + c;
          for (let m = 0; m < MESSAGES_PER_CHAT; m++) {
            if (posted === Math.floor(total / 2)) instances[0]?.child.kill("SIGKILL");
            posted += 1;
            const update = {
              update_id: 5_000_000 + c * 1000 + m,
              message: { message_id: m + 1, date: 1_764_700_000 + m, chat: { id: chat, type: "private" }, from: { id: chat, is_bot: false, first_name: "Buur" }, text: `bericht ${m} over de stoep` },
            };
            await post(update, 0);
          }
        }),
      );
      expect(instances[0]?.alive).toBe(false);
      expect(
        statuses.filter((status) => status >= 500),
        instanceLogs.map((logs) => logs.join("").slice(-3000)).join("\n---\n"),
      ).toEqual([]);

      // Every message handled (the killed instance's leftovers by the others' recovery sweep) and every reply out.
      await waitUntil(async () => (await db.message.count({ where: { direction: "in", processedAt: null } })) === 0, "every message is handled", 120_000);
      await waitUntil(async () => (await db.outboxMessage.count({ where: { status: "pending" } })) === 0, "every reply is sent", 120_000);

      for (let c = 0; c < CHATS; c++) {
        const chat = String(730_000 + c);
        const inbound = await db.message.findMany({
          where: { direction: "in", conversation: { channelIdentity: { channel: "telegram", externalId: chat } } },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          select: { text: true, channelMessageId: true, processedAt: true },
        });
        // Stored exactly once each, in the chat's order.
        expect(inbound.map((message) => message.text)).toEqual(Array.from({ length: MESSAGES_PER_CHAT }, (_, m) => `bericht ${m} over de stoep`));
        // Handled in that order: a later message never before an earlier one.
        const handledAt = inbound.map((message) => message.processedAt?.getTime() ?? Number.NaN);
        for (let m = 1; m < handledAt.length; m++) expect(handledAt[m], `chat ${chat} message ${m}`).toBeGreaterThanOrEqual(handledAt[m - 1] ?? 0);
        // No reply sent twice: every reply was claimed and sent once (a second send would be a second attempt); one that was
        // mid-send on the killed instance is marked dead "in doubt", never sent again.
        const recipient = { channel: "telegram", externalId: chat };
        const replies = await db.outboxMessage.findMany({ where: { channelIdentity: recipient }, select: { status: true, attempts: true, lastError: true } });
        expect(replies.length).toBeGreaterThan(0);
        for (const reply of replies) {
          if (reply.status === "sent") expect(reply.attempts, `chat ${chat}`).toBe(1);
          else expect(reply.lastError ?? "", `chat ${chat}`).toMatch(/^in doubt/);
        }
        // The platform got every reply (a reply may go as more than one Telegram message: a keyboard is shown or removed apart).
        expect(telegram.sentTo(chat).length).toBeGreaterThanOrEqual(replies.filter((reply) => reply.status === "sent").length);
      }
    }, 300_000);
  });
}
