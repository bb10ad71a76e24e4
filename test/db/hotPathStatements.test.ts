/**
 * How many statements the inbound hot path sends to PostgreSQL per message: every statement is a
 * round trip, and round trips are what a message costs there (README, "Fewer round trips on
 * PostgreSQL"). Counted on the driver itself (every `pg` client query: Prisma's adapter, the hot
 * path's SQL, BEGIN and COMMIT), for a resident's first message and a follow-up. The figures are
 * today's counts: a change that adds a round trip to every message fails here and has to say why.
 * The hot-path transactions send BEGIN and their advisory lock in one simple query and COMMIT in
 * one (postgresHotTransaction, src/db/sql.ts), so every unit is checked to begin and commit in the
 * queries counted; every other statement binds its values, so no statement's text holds a
 * resident's message, the chat's address or the conversation's state (PostgreSQL's server log
 * writes a failing statement's text, pg_stat_activity shows the running one's).
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

/** The values bound to a query (a config object's `values`, or the second argument). */
function queryValues(call: unknown[]): unknown[] {
  const [first, second] = call;
  if (typeof first === "object" && first !== null && "values" in first && Array.isArray(first.values)) return first.values;
  return Array.isArray(second) ? second : [];
}

/** Counts the queries sent on every pg connection while `work` runs (the driver's own method, spied on and called through). */
async function countQueries(work: () => Promise<unknown>): Promise<{ count: number; texts: string[]; values: unknown[] }> {
  const spy = vi.spyOn(pg.Client.prototype, "query");
  try {
    await work();
    const texts = spy.mock.calls.map((call: unknown[]) => queryText(call[0]));
    return { count: texts.length, texts, values: spy.mock.calls.flatMap((call: unknown[]) => queryValues(call)) };
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

    it("stores a first contact in 4 statements and answers it in 4, a follow-up in 4 and 4, a duplicate in 3, no value in any statement's text", async () => {
      const externalId = "visitor-count-abcdefghijklmnop";
      const firstText = "hallo, mijn stoep is kapot";
      const ingest = (id: string, text: string) => h.bot.processor.ingest({ channel: "webchat", externalId, channelMessageId: id, text });
      const firstStore = await countQueries(() => ingest("count-1", firstText));
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
      // A store takes its chat's lock (stores of one chat take turns), a turn its conversation's: a number, computed in the process.
      for (const unit of [firstStore, nextStore, duplicate, firstTurn, nextTurn]) expect(unit.texts[0]).toMatch(/^BEGIN;[^\n]*; SELECT pg_advisory_xact_lock\(-?\d+\)$/);
      // No resident's value is ever in a statement's text (PostgreSQL logs a failing statement's text,
      // pg_stat_activity shows it): the message, the chat's address, the state's resident text are bound.
      const conversation = await h.t.db.conversation.findFirstOrThrow({ where: { channelIdentity: { externalId } }, select: { id: true, state: true } });
      // The flow keeps the first message in the state (keep_text): the turn's state write carries resident text.
      expect(JSON.stringify(conversation.state)).toContain(firstText);
      const values = [firstText, externalId, conversation.id];
      for (const unit of [firstStore, firstTurn, nextStore, nextTurn, duplicate]) {
        for (const text of unit.texts) for (const value of values) expect(text).not.toContain(value);
        // The values did reach the database, bound: the spy sees them beside the text.
        expect(unit.values.some((value) => value === externalId || value === conversation.id)).toBe(true);
      }
      expect(firstStore.values).toContain(firstText);
      expect(firstTurn.values.some((value) => typeof value === "string" && value.includes(`"keep_text":"${firstText}"`))).toBe(true);
      expect({ firstStore: firstStore.count, firstTurn: firstTurn.count, nextStore: nextStore.count, nextTurn: nextTurn.count, duplicate: duplicate.count }).toEqual({
        firstStore: 4,
        firstTurn: 4,
        nextStore: 4,
        nextTurn: 4,
        duplicate: 3,
      });
      const stored = await h.t.db.message.count({ where: { direction: "in", conversation: { channelIdentity: { externalId } } } });
      expect(stored).toBe(2);
    });
  });
}
