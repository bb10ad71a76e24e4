/**
 * Messages a crashed instance stored but never handled: with several instances the others pick
 * them up within seconds, without waiting for a restart.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { recordInbound } from "../../src/db/inbound.repo.ts";
import { createBotHarness, type BotHarness } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";

describeEachDatabase("messages another instance stored but did not handle", (provider) => {
  let harness: BotHarness;
  beforeAll(async () => {
    harness = await createBotHarness(provider, new Date(), { realClock: true, recoverEveryMs: 200 });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it("are answered within seconds by a running instance", async () => {
    const db = harness.t.db;
    const gemeente = await db.gemeente.findFirstOrThrow();
    // What an instance that died right after storing (and acknowledging) leaves behind.
    const stored = await recordInbound(db, {
      gemeenteId: gemeente.id,
      message: { channel: "webchat", externalId: "wees-bericht-visitor-abcdefgh", channelMessageId: "wees-1", text: "hoi" },
      now: () => new Date(),
      staleBotConversationMs: 30 * 24 * 3600 * 1000,
    });
    expect(stored.stored).toBe(true);
    const deadline = Date.now() + 10_000;
    while ((await db.message.count({ where: { conversationId: stored.conversationId ?? "", direction: "out" } })) === 0) {
      if (Date.now() > deadline) throw new Error("the stored message was never answered");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await db.message.count({ where: { conversationId: stored.conversationId ?? "", direction: "in", processedAt: null } })).toBe(0);
  });
});
