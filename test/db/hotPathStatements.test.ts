/**
 * How many statements the inbound hot path sends to PostgreSQL per message: every statement is a
 * round trip, and round trips are what a message costs there (README, "Fewer round trips on
 * PostgreSQL"). Counted on the driver itself (every `pg` client query: Prisma's adapter, the hot
 * path's SQL, BEGIN and COMMIT), for a resident's first message and a follow-up. The figures are
 * today's counts: a change that adds a round trip to every message fails here and has to say why.
 * The hot-path transactions send BEGIN (and a turn's advisory lock) with their first statement and
 * COMMIT with their last writes (postgresHotTransaction, src/db/sql.ts), so every unit is checked
 * to begin and commit in the queries counted.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createBotHarness, type BotHarness } from "../helpers/botHarness.ts";
import { testProviders } from "../helpers/db.ts";

/** The text of a query as pg got it (a string or a config object). */
function queryText(first: unknown): string {
  if (typeof first === "string") return first;
  if (typeof first === "object" && first !== null && "text" in first && typeof first.text === "string") return first.text;
  return "?";
}

/** Counts the queries sent on every pg connection while `work` runs (the driver's own method, spied on and called through). */
async function countQueries(work: () => Promise<unknown>): Promise<{ count: number; texts: string[] }> {
  const spy = vi.spyOn(pg.Client.prototype, "query");
  try {
    await work();
    const texts = spy.mock.calls.map((call: unknown[]) => queryText(call[0]));
    return { count: texts.length, texts };
  } finally {
    spy.mockRestore();
  }
}

// Round trips are a PostgreSQL cost (SQLite runs in the process): this block exists where the PostgreSQL suite runs.
if (testProviders.includes("postgresql")) {
  describe("statements per inbound message (on postgresql)", () => {
    let h: BotHarness;
    beforeAll(async () => {
      h = await createBotHarness("postgresql");
      // The outbox dispatcher polls on its own; only the store and the turn are counted.
      await h.bot.dispatcher.stop();
    });
    afterAll(() => h.close());

    it("stores a first contact in 2 statements and answers it in 2, a follow-up in 2 and 2, a duplicate in 2", async () => {
      const externalId = "visitor-count-abcdefghijklmnop";
      const ingest = (id: string, text: string) => h.bot.processor.ingest({ channel: "webchat", externalId, channelMessageId: id, text });
      const firstStore = await countQueries(() => ingest("count-1", "hallo"));
      const firstTurn = await countQueries(() => h.bot.processor.idle());
      h.clock.now = new Date(h.clock.now.getTime() + 1000);
      // "ja" to the privacy question: the turn also records the consent.
      const nextStore = await countQueries(() => ingest("count-2", "ja"));
      const nextTurn = await countQueries(() => h.bot.processor.idle());
      const duplicate = await countQueries(() => ingest("count-2", "ja"));
      // Both turns ran and answered: the reply and its outbox row are among the counted statements.
      for (const turn of [firstTurn, nextTurn]) expect(turn.texts.filter((text) => text.includes(`INSERT INTO "OutboxMessage"`))).toHaveLength(1);
      expect(nextTurn.texts.filter((text) => text.includes(`INSERT INTO "Consent"`))).toHaveLength(1);
      // Each is one transaction: BEGIN in its first query, COMMIT in its last.
      for (const unit of [firstStore, firstTurn, nextStore, nextTurn, duplicate]) {
        expect(unit.texts[0]).toMatch(/^BEGIN;/);
        expect(unit.texts.at(-1)).toMatch(/;\s*COMMIT$|^COMMIT$/);
      }
      // A store takes its chat's lock (stores of one chat take turns), a turn its conversation's.
      for (const store of [firstStore, nextStore, duplicate]) expect(store.texts[0]).toMatch(/^BEGIN;[^\n]*pg_advisory_xact_lock\(hashtext\('inbound:webchat:[^']+'\)\);\nSELECT /);
      for (const turn of [firstTurn, nextTurn]) expect(turn.texts[0]).toMatch(/^BEGIN;[^\n]*pg_advisory_xact_lock\(hashtext\('[^']+'\)\);\nSELECT m\."id"/);
      expect({ firstStore: firstStore.count, firstTurn: firstTurn.count, nextStore: nextStore.count, nextTurn: nextTurn.count, duplicate: duplicate.count }).toEqual({
        firstStore: 2,
        firstTurn: 2,
        nextStore: 2,
        nextTurn: 2,
        duplicate: 2,
      });
      const stored = await h.t.db.message.count({ where: { direction: "in", conversation: { channelIdentity: { externalId } } } });
      expect(stored).toBe(2);
    });
  });
}
