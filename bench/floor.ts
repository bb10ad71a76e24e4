/**
 * The bench's floor: the least a durable Telegram bot can do per message, measured in the same
 * run as Wijklijn. Bare grammY + express; each update does Wijklijn's 5 durable writes (identity,
 * conversation, the inbound message deduplicated on its platform id, the conversation's state,
 * the reply in the outbox) in one transaction with the raw driver (better-sqlite3 / pg), prepared
 * once, and is acknowledged after the commit. Durability as in Wijklijn: SQLite in WAL mode with
 * its default synchronous setting, PostgreSQL with its defaults.
 *
 * Run as its own process by bench/run.ts: FLOOR_DATABASE_URL, PORT.
 */
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import express from "express";
import { Bot, webhookCallback } from "grammy";
import pg from "pg";
import { BENCH_WEBHOOK_SECRET } from "./load.ts";

const url = process.env.FLOOR_DATABASE_URL ?? "";
const port = Number(process.env.PORT ?? "0");

interface Store {
  /** Stores one inbound message and its reply; false for a duplicate delivery. */
  store(input: { chatId: string; messageId: string; text: string; now: Date }): Promise<boolean>;
}

const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS floor_identity (id TEXT PRIMARY KEY, external_id TEXT NOT NULL UNIQUE, last_seen_at TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS floor_conversation (id TEXT PRIMARY KEY, identity_id TEXT NOT NULL UNIQUE, state TEXT NOT NULL, last_message_at TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS floor_message (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, channel_message_id TEXT NOT NULL UNIQUE, text TEXT, created_at TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS floor_outbox (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL)",
];

function sqliteStore(path: string): Store {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 10000");
  for (const statement of SCHEMA) db.exec(statement);
  const identity = db.prepare("INSERT INTO floor_identity (id, external_id, last_seen_at) VALUES (?, ?, ?) ON CONFLICT (external_id) DO UPDATE SET last_seen_at = excluded.last_seen_at RETURNING id");
  const conversation = db.prepare(
    "INSERT INTO floor_conversation (id, identity_id, state, last_message_at) VALUES (?, ?, '{}', ?) ON CONFLICT (identity_id) DO UPDATE SET last_message_at = excluded.last_message_at RETURNING id, state",
  );
  const message = db.prepare("INSERT INTO floor_message (id, conversation_id, channel_message_id, text, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
  const state = db.prepare("UPDATE floor_conversation SET state = ? WHERE id = ?");
  const outbox = db.prepare("INSERT INTO floor_outbox (id, conversation_id, payload, status, created_at) VALUES (?, ?, ?, 'pending', ?)");
  const store = db.transaction((input: { chatId: string; messageId: string; text: string; now: Date }) => {
    const now = input.now.toISOString();
    const { id: identityId } = identity.get(randomUUID(), input.chatId, now) as { id: string };
    const row = conversation.get(randomUUID(), identityId, now) as { id: string; state: string };
    if (message.run(randomUUID(), row.id, input.messageId, input.text, now).changes === 0) throw new Duplicate();
    const turns = ((JSON.parse(row.state) as { turns?: number }).turns ?? 0) + 1;
    state.run(JSON.stringify({ turns }), row.id);
    outbox.run(randomUUID(), row.id, JSON.stringify({ text: `Bericht ${turns} ontvangen.` }), now);
  });
  return {
    async store(input) {
      try {
        store(input);
        return true;
      } catch (error) {
        if (error instanceof Duplicate) return false;
        throw error;
      }
    },
  };
}

class Duplicate extends Error {}

async function postgresStore(connectionString: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString, max: 10 });
  for (const statement of SCHEMA) await pool.query(statement);
  // Named statements: pg prepares each once per connection.
  const q = (name: string, text: string, values: unknown[]) => ({ name, text, values });
  return {
    async store(input) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const now = input.now.toISOString();
        const identity = await client.query(
          q("identity", "INSERT INTO floor_identity (id, external_id, last_seen_at) VALUES ($1, $2, $3) ON CONFLICT (external_id) DO UPDATE SET last_seen_at = excluded.last_seen_at RETURNING id", [
            randomUUID(),
            input.chatId,
            now,
          ]),
        );
        const conversation = await client.query(
          q(
            "conversation",
            "INSERT INTO floor_conversation (id, identity_id, state, last_message_at) VALUES ($1, $2, '{}', $3) ON CONFLICT (identity_id) DO UPDATE SET last_message_at = excluded.last_message_at RETURNING id, state",
            [randomUUID(), identity.rows[0].id, now],
          ),
        );
        const row = conversation.rows[0] as { id: string; state: string };
        const message = await client.query(
          q("message", "INSERT INTO floor_message (id, conversation_id, channel_message_id, text, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", [
            randomUUID(),
            row.id,
            input.messageId,
            input.text,
            now,
          ]),
        );
        if (message.rowCount === 0) {
          await client.query("ROLLBACK");
          return false;
        }
        const turns = ((JSON.parse(row.state) as { turns?: number }).turns ?? 0) + 1;
        await client.query(q("state", "UPDATE floor_conversation SET state = $1 WHERE id = $2", [JSON.stringify({ turns }), row.id]));
        await client.query(
          q("outbox", "INSERT INTO floor_outbox (id, conversation_id, payload, status, created_at) VALUES ($1, $2, $3, 'pending', $4)", [
            randomUUID(),
            row.id,
            JSON.stringify({ text: `Bericht ${turns} ontvangen.` }),
            now,
          ]),
        );
        await client.query("COMMIT");
        return true;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

async function main(): Promise<void> {
  const store = url.startsWith("file:") ? sqliteStore(url.slice("file:".length)) : await postgresStore(url);
  const bot = new Bot("1:bench", {
    botInfo: {
      id: 1,
      is_bot: true,
      first_name: "Floor",
      username: "FloorBot",
      can_join_groups: false,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    },
  });
  bot.on("message", async (ctx) => {
    await store.store({ chatId: String(ctx.chat.id), messageId: `${ctx.chat.id}:${ctx.message.message_id}`, text: ctx.message.text ?? "", now: new Date() });
  });
  const app = express();
  app.use(express.json());
  app.post("/webhooks/telegram", webhookCallback(bot, "express", { secretToken: BENCH_WEBHOOK_SECRET }));
  const server = app.listen(port, "127.0.0.1", () => process.send?.({ ready: true }));
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
