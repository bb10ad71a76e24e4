/**
 * A new chat's first messages arriving at once (several webhooks, several pooled connections on
 * PostgreSQL): the first contact is written in one round trip there (src/db/inbound.repo.ts,
 * storeFirstContact), and stores of one chat take turns on an advisory lock, so the later ones find
 * what the first stored (should one still fail on the identity's unique key, it is run again).
 * Promised: one resident, one identity, one conversation; every message stored once, even a
 * redelivery racing its original, and each answered; on PostgreSQL no statement fails on the way
 * (its log would show a failing statement with the resident's text in it).
 */
import pg from "pg";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createBotHarness, type BotHarness } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";

describeEachDatabase("a new chat's first messages at once", (provider) => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await createBotHarness(provider);
  });
  afterAll(() => h.close());

  it("makes one resident, identity and conversation, stores each message once and answers each", async () => {
    const externalId = "visitor-race-abcdefghijklmnop";
    const residentsBefore = await h.t.db.resident.count();
    const ingest = (id: string, text: string) => h.bot.processor.ingest({ channel: "webchat", externalId, channelMessageId: id, text });
    const queries = vi.spyOn(pg.Client.prototype, "query");
    let failedQueries = 0;
    try {
      const results = await Promise.all([ingest("race-1", "hallo"), ingest("race-2", "hoi"), ingest("race-1", "hallo"), ingest("race-3", "ja")]);
      await h.bot.processor.idle();
      expect(results.filter((r) => r.stored)).toHaveLength(3);
      const settled = await Promise.allSettled(queries.mock.results.map((result) => result.value));
      failedQueries = settled.filter((outcome) => outcome.status === "rejected").length;
    } finally {
      queries.mockRestore();
    }
    expect(failedQueries).toBe(0);
    const identities = await h.t.db.channelIdentity.findMany({ where: { channel: "webchat", externalId } });
    expect(identities).toHaveLength(1);
    const identity = identities[0];
    if (!identity) throw new Error("no identity");
    // A race's loser leaves no resident behind: its writes were undone with it.
    expect(await h.t.db.resident.count()).toBe(residentsBefore + 1);
    const conversations = await h.t.db.conversation.findMany({ where: { channelIdentityId: identity.id }, include: { messages: true } });
    expect(conversations).toHaveLength(1);
    const inbound = conversations.flatMap((c) => c.messages.filter((m) => m.direction === "in"));
    expect(inbound.map((m) => m.channelMessageId).sort()).toEqual(["race-1", "race-2", "race-3"]);
    expect(inbound.every((m) => m.processedAt !== null)).toBe(true);
    expect(conversations.flatMap((c) => c.messages.filter((m) => m.direction === "out")).length).toBeGreaterThanOrEqual(3);
  });
});
