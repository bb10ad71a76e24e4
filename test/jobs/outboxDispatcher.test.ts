import { afterEach, beforeEach, expect, it } from "vitest";
import { ChannelSendError, type ChannelAdapter } from "../../src/channels/channel.ts";
import { addOutboundMessage, addOutboxMessage, createConversation, findOrCreateIdentity } from "../../src/db/conversation.repo.ts";
import type { OutboundPayload } from "../../src/domain/messages.ts";
import { OutboxDispatcher } from "../../src/jobs/outboxDispatcher.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { captureLogger } from "../helpers/logger.ts";

/** A platform that records what it gets and fails on demand (the outside world, faked). */
function fakePlatform(limits?: ChannelAdapter["limits"]) {
  const sent: Array<{ to: string; text: string; at: number }> = [];
  const failures: Array<ChannelSendError | Error> = [];
  const reactions: Array<{ to: string; emoji: string; channelMessageId: string }> = [];
  const reactionFailures: Array<ChannelSendError | Error> = [];
  /** Texts and reactions in the order the platform got them. */
  const order: string[] = [];
  const adapter: ChannelAdapter & { react: NonNullable<ChannelAdapter["react"]> } = {
    kind: "telegram",
    capabilities: { buttons: true, maxButtons: 8, media: true, location: true, templates: false },
    ...(limits ? { limits } : {}),
    async start() {},
    async stop() {},
    async send(to, payload: OutboundPayload) {
      const failure = failures.shift();
      if (failure) throw failure;
      sent.push({ to: to.externalId, text: payload.text, at: Date.now() });
      order.push(payload.text);
      return { externalMessageId: `x${sent.length}` };
    },
    async react(to, reaction) {
      const failure = reactionFailures.shift();
      if (failure) throw failure;
      reactions.push({ to: to.externalId, ...reaction });
      order.push(reaction.emoji);
      return { externalMessageId: null };
    },
  };
  return { adapter, sent, failures, reactions, reactionFailures, order };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeEachDatabase("the outbox dispatcher", (provider) => {
  let t: TestDatabase;
  let dispatcher: OutboxDispatcher | null = null;
  beforeEach(async () => {
    t = await createTestDatabase(provider, { seed: true });
  });
  afterEach(async () => {
    await dispatcher?.stop();
    dispatcher = null;
    await t.drop();
  });

  async function queue(externalId: string, texts: string[], priority = 0) {
    const gemeente = await t.db.gemeente.findFirstOrThrow();
    return t.db.$transaction(async (tx) => {
      const { identity, resident } = await findOrCreateIdentity(tx, { gemeenteId: gemeente.id, channel: "telegram", externalId });
      const conversation = await createConversation(tx, { gemeenteId: gemeente.id, residentId: resident.id, channelIdentityId: identity.id, channel: "telegram", wijkId: null, now: new Date() });
      for (const [i, text] of texts.entries()) {
        await addOutboundMessage(tx, {
          conversationId: conversation.id,
          residentId: resident.id,
          channelIdentityId: identity.id,
          channel: "telegram",
          payload: { text, buttons: [] },
          authorKind: "bot",
          priority,
          now: new Date(Date.now() + i),
        });
      }
    });
  }

  /** A resident's message (platform id `platformId`), then a 👍 reaction on it and a reply, in that order. */
  async function queueReactionAndReply(externalId: string, platformId: string) {
    const gemeente = await t.db.gemeente.findFirstOrThrow();
    return t.db.$transaction(async (tx) => {
      const { identity, resident } = await findOrCreateIdentity(tx, { gemeenteId: gemeente.id, channel: "telegram", externalId });
      const conversation = await createConversation(tx, { gemeenteId: gemeente.id, residentId: resident.id, channelIdentityId: identity.id, channel: "telegram", wijkId: null, now: new Date() });
      const inbound = await tx.message.create({
        data: { conversationId: conversation.id, direction: "in", authorKind: "resident", text: "nog iets", channel: "telegram", channelMessageId: platformId, processedAt: new Date() },
      });
      const common = { conversationId: conversation.id, residentId: resident.id, channelIdentityId: identity.id, channel: "telegram" as const, priority: 0 };
      await addOutboxMessage(tx, { ...common, payload: { text: "", buttons: [], reaction: { emoji: "👍", messageId: inbound.id } }, now: new Date() });
      await addOutboundMessage(tx, { ...common, payload: { text: "Fijn dat je het laat weten.", buttons: [] }, authorKind: "staff", now: new Date(Date.now() + 1) });
    });
  }

  it("puts a reaction on the resident's message by its platform id, before the reply written after it", async () => {
    const platform = fakePlatform();
    await queueReactionAndReply("chat-r1", "chat-r1:77");
    dispatcher = new OutboxDispatcher(t.db, captureLogger().logger, { pollMs: 10, backoffMs: () => 10 });
    dispatcher.register(platform.adapter);
    dispatcher.start();
    await until(() => platform.sent.length === 1);
    expect(platform.reactions).toEqual([{ to: "chat-r1", emoji: "👍", channelMessageId: "chat-r1:77" }]);
    expect(platform.order).toEqual(["👍", "Fijn dat je het laat weten."]);
    const rows = await t.db.outboxMessage.findMany({ orderBy: { createdAt: "asc" } });
    expect(rows.map((row) => [row.status, row.externalMessageId])).toEqual([
      ["sent", null],
      ["sent", "x1"],
    ]);
  });

  it("drops a refused reaction at once, so the next reply does not wait behind its retries", async () => {
    const platform = fakePlatform();
    platform.reactionFailures.push(new Error("502 Bad Gateway"));
    await queueReactionAndReply("chat-r2", "chat-r2:78");
    // A failed message would wait an hour before its retry, and hold the resident's next one that long.
    dispatcher = new OutboxDispatcher(t.db, captureLogger().logger, { pollMs: 10, backoffMs: () => 3_600_000 });
    dispatcher.register(platform.adapter);
    dispatcher.start();
    // The platform has the reply a moment before its row is marked sent.
    await until(async () => platform.sent.length === 1 && (await t.db.outboxMessage.count({ where: { status: { in: ["pending", "sending"] } } })) === 0, 5_000);
    const rows = await t.db.outboxMessage.findMany({ orderBy: { createdAt: "asc" } });
    expect(rows.map((row) => [row.status, row.attempts])).toEqual([
      ["dead", 1],
      ["sent", 1],
    ]);
    expect(rows[0]?.lastError).toContain("reaction dropped");
    expect(platform.reactions).toEqual([]);
  });

  it("marks a reaction done without sending on a platform that shows no bot reactions", async () => {
    const platform = fakePlatform();
    const { react: _react, ...withoutReactions } = platform.adapter;
    await queueReactionAndReply("chat-r3", "chat-r3:79");
    dispatcher = new OutboxDispatcher(t.db, captureLogger().logger, { pollMs: 10, backoffMs: () => 10 });
    dispatcher.register(withoutReactions);
    dispatcher.start();
    await until(async () => platform.sent.length === 1 && (await t.db.outboxMessage.count({ where: { status: { in: ["pending", "sending"] } } })) === 0);
    const rows = await t.db.outboxMessage.findMany({ orderBy: { createdAt: "asc" } });
    expect(rows.map((row) => row.status)).toEqual(["sent", "sent"]);
    expect(platform.reactions).toEqual([]);
  });

  it("delivers every message once, in order per resident, retrying 500s and pausing on 429", async () => {
    const platform = fakePlatform();
    platform.failures.push(new ChannelSendError("Too Many Requests", { retryAfterMs: 200 }), new Error("500 Internal Server Error"), new Error("socket hang up"));
    await queue("chat-1", ["een", "twee", "drie"]);
    await queue("chat-2", ["a", "b"]);
    dispatcher = new OutboxDispatcher(t.db, captureLogger().logger, { pollMs: 10, backoffMs: () => 20 });
    dispatcher.register(platform.adapter);
    dispatcher.start();
    await until(() => platform.sent.length === 5);
    await until(async () => (await t.db.outboxMessage.count({ where: { status: "sent" } })) === 5);
    expect(platform.sent.filter((m) => m.to === "chat-1").map((m) => m.text)).toEqual(["een", "twee", "drie"]);
    expect(platform.sent.filter((m) => m.to === "chat-2").map((m) => m.text)).toEqual(["a", "b"]);
    const rows = await t.db.outboxMessage.findMany();
    expect(rows.every((row) => row.externalMessageId?.startsWith("x"))).toBe(true);
  });

  it("marks a message dead after repeated failures, and a permanent failure at once", async () => {
    const platform = fakePlatform();
    for (let i = 0; i < 3; i++) platform.failures.push(new Error("502 Bad Gateway"));
    await queue("chat-3", ["blijft hangen"]);
    dispatcher = new OutboxDispatcher(t.db, captureLogger().logger, { pollMs: 10, backoffMs: () => 10, maxAttempts: 3 });
    dispatcher.register(platform.adapter);
    dispatcher.start();
    await until(async () => (await t.db.outboxMessage.count({ where: { status: "dead" } })) === 1);
    const dead = await t.db.outboxMessage.findFirstOrThrow({ where: { status: "dead" } });
    expect(dead.attempts).toBe(3);
    expect(dead.lastError).toContain("502");

    platform.failures.push(new ChannelSendError("Forbidden: bot was blocked by the user", { permanent: true }));
    await queue("chat-4", ["geblokkeerd"]);
    await until(async () => (await t.db.outboxMessage.count({ where: { status: "dead" } })) === 2);
    expect(platform.sent).toEqual([]);
  });

  it("sends replies before bulk messages", async () => {
    const platform = fakePlatform();
    await queue("chat-5", ["nieuwsbrief 1", "nieuwsbrief 2"], 10);
    await queue("chat-6", ["antwoord"], 0);
    dispatcher = new OutboxDispatcher(t.db, captureLogger().logger, { pollMs: 10 });
    dispatcher.register(platform.adapter);
    await dispatcher.runOnce();
    expect(platform.sent[0]?.text).toBe("antwoord");
  });

  it("sends a resident's older bulk message and then the newer reply, instead of neither", async () => {
    const platform = fakePlatform();
    await queue("chat-9", ["wijkbericht"], 10);
    await queue("chat-9", ["antwoord"], 0);
    dispatcher = new OutboxDispatcher(t.db, captureLogger().logger, { pollMs: 10 });
    dispatcher.register(platform.adapter);
    for (let round = 0; round < 3; round++) await dispatcher.runOnce();
    expect(platform.sent.map((m) => m.text)).toEqual(["wijkbericht", "antwoord"]);
  });

  it("keeps the per-recipient interval of the platform", async () => {
    const platform = fakePlatform({ perSecond: 30, perRecipientIntervalMs: 150 });
    await queue("chat-7", ["1", "2", "3"]);
    dispatcher = new OutboxDispatcher(t.db, captureLogger().logger, { pollMs: 10 });
    dispatcher.register(platform.adapter);
    dispatcher.start();
    await until(() => platform.sent.length === 3);
    const gaps = platform.sent.slice(1).map((m, i) => m.at - (platform.sent[i]?.at ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(140);
  });

  it("never writes a phone number from a platform error into the outbox", async () => {
    const platform = fakePlatform();
    platform.failures.push(new ChannelSendError("recipient +31 6 12345678 not on WhatsApp", { permanent: true }));
    await queue("chat-8", ["hallo"]);
    dispatcher = new OutboxDispatcher(t.db, captureLogger().logger, { pollMs: 10 });
    dispatcher.register(platform.adapter);
    await dispatcher.runOnce();
    const row = await t.db.outboxMessage.findFirstOrThrow({ where: { status: "dead" } });
    expect(row.lastError).not.toContain("12345678");
  });
});

describeEachDatabase("two service instances delivering the same outbox", (provider) => {
  it("send every message exactly once between them", async () => {
    const t = await createTestDatabase(provider, { seed: true });
    const platform = fakePlatform();
    const gemeente = await t.db.gemeente.findFirstOrThrow();
    await t.db.$transaction(async (tx) => {
      for (let r = 0; r < 10; r++) {
        const { identity, resident } = await findOrCreateIdentity(tx, { gemeenteId: gemeente.id, channel: "telegram", externalId: `multi-${r}` });
        const conversation = await createConversation(tx, { gemeenteId: gemeente.id, residentId: resident.id, channelIdentityId: identity.id, channel: "telegram", wijkId: null, now: new Date() });
        for (let m = 0; m < 3; m++) {
          await addOutboundMessage(tx, {
            conversationId: conversation.id,
            residentId: resident.id,
            channelIdentityId: identity.id,
            channel: "telegram",
            payload: { text: `${r}-${m}`, buttons: [] },
            authorKind: "bot",
            now: new Date(Date.now() + m),
          });
        }
      }
    });
    const first = new OutboxDispatcher(t.db, captureLogger().logger, { pollMs: 5 });
    const second = new OutboxDispatcher(t.db, captureLogger().logger, { pollMs: 5 });
    first.register(platform.adapter);
    second.register(platform.adapter);
    first.start();
    second.start();
    try {
      await until(async () => (await t.db.outboxMessage.count({ where: { status: "sent" } })) === 30);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(platform.sent).toHaveLength(30);
      expect(new Set(platform.sent.map((m) => m.text)).size).toBe(30);
      for (let r = 0; r < 10; r++) expect(platform.sent.filter((m) => m.to === `multi-${r}`).map((m) => m.text)).toEqual([`${r}-0`, `${r}-1`, `${r}-2`]);
    } finally {
      await first.stop();
      await second.stop();
      await t.drop();
    }
  });
});

describeEachDatabase("the outbox lease, which ends with the process that holds it", (provider) => {
  let t: TestDatabase;
  const dispatchers: OutboxDispatcher[] = [];
  beforeEach(async () => {
    t = await createTestDatabase(provider, { seed: true });
  });
  afterEach(async () => {
    for (const dispatcher of dispatchers.splice(0)) await dispatcher.stop();
    await t.drop();
  });

  async function queue(externalId: string, texts: string[]) {
    const gemeente = await t.db.gemeente.findFirstOrThrow();
    const { identity, resident } = await findOrCreateIdentity(t.db, { gemeenteId: gemeente.id, channel: "telegram", externalId });
    const conversation = await createConversation(t.db, { gemeenteId: gemeente.id, residentId: resident.id, channelIdentityId: identity.id, channel: "telegram", wijkId: null, now: new Date() });
    for (const [i, text] of texts.entries()) {
      await addOutboundMessage(t.db, {
        conversationId: conversation.id,
        residentId: resident.id,
        channelIdentityId: identity.id,
        channel: "telegram",
        payload: { text, buttons: [] },
        authorKind: "bot",
        now: new Date(Date.now() - 1000 + i),
      });
    }
  }
  /** What a crashed instance leaves behind: the resident's first message claimed, its lease no longer renewed. */
  async function crashedMidSend(externalId: string, leaseEndedMsAgo: number) {
    const first = await t.db.outboxMessage.findFirstOrThrow({ where: { channelIdentity: { externalId } }, orderBy: { createdAt: "asc" } });
    await t.db.outboxMessage.update({ where: { id: first.id }, data: { lockedBy: "crashed-instance", lockedUntil: new Date(Date.now() - leaseEndedMsAgo), attempts: 1 } });
    return first.id;
  }
  function dispatcherFor(adapter: ChannelAdapter, leaseMs = 10_000) {
    const dispatcher = new OutboxDispatcher(t.db, captureLogger().logger, { pollMs: 10, leaseMs });
    dispatcher.register(adapter);
    dispatchers.push(dispatcher);
    return dispatcher;
  }

  it("never takes a live instance's claim, however long its send takes", async () => {
    await queue("traag", ["een", "twee"]);
    const platform = fakePlatform();
    let release: () => void = () => {};
    const slow: ChannelAdapter = {
      ...platform.adapter,
      async send(to, payload) {
        if (payload.text === "een") await new Promise<void>((resolve) => (release = resolve));
        return platform.adapter.send(to, payload);
      },
    };
    const busy = dispatcherFor(slow, 150);
    const other = dispatcherFor(platform.adapter, 150);
    const round = busy.runOnce();
    await until(async () => (await t.db.outboxMessage.count({ where: { lockedBy: { not: null } } })) === 1);
    // Four lease lengths later the other instance still keeps its hands off.
    for (let i = 0; i < 12; i++) {
      await other.runOnce();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(platform.sent).toEqual([]);
    release();
    await round;
    await other.runOnce();
    expect(platform.sent.map((m) => m.text)).toEqual(["een", "twee"]);
  });

  it("takes over a crashed instance's claim at once: the message in doubt is not sent twice, the next one goes", async () => {
    await queue("vastgelopen", ["Dank je wel!", "Wat wil je doen?"]);
    await queue("ander", ["Hallo"]);
    const inDoubt = await crashedMidSend("vastgelopen", 1);
    const platform = fakePlatform();
    const survivor = dispatcherFor(platform.adapter);
    await survivor.runOnce();
    await survivor.runOnce();
    expect(platform.sent.filter((m) => m.to === "vastgelopen").map((m) => m.text)).toEqual(["Wat wil je doen?"]);
    expect(platform.sent.filter((m) => m.to === "ander").map((m) => m.text)).toEqual(["Hallo"]);
    const row = await t.db.outboxMessage.findUniqueOrThrow({ where: { id: inDoubt } });
    expect(row.status).toBe("dead");
    expect(row.lastError).toMatch(/in doubt/);
    expect(row.lockedBy).toBeNull();
  });

  it("sends a crashed instance's message again where the platform recognises a repeat", async () => {
    await queue("webchat-achtig", ["Dank je wel!", "Wat wil je doen?"]);
    await crashedMidSend("webchat-achtig", 1);
    const platform = fakePlatform();
    const keys: string[] = [];
    const idempotent: ChannelAdapter = {
      ...platform.adapter,
      idempotentSends: true,
      async send(to, payload, options) {
        keys.push(options?.idempotencyKey ?? "none");
        return platform.adapter.send(to, payload);
      },
    };
    const survivor = dispatcherFor(idempotent);
    await survivor.runOnce();
    await survivor.runOnce();
    expect(platform.sent.map((m) => m.text)).toEqual(["Dank je wel!", "Wat wil je doen?"]);
    const rows = await t.db.outboxMessage.findMany({ orderBy: { createdAt: "asc" } });
    expect(keys).toEqual(rows.map((row) => row.id));
    expect(rows.map((row) => row.status)).toEqual(["sent", "sent"]);
  });

  it("lets exactly one of two instances take over a crashed claim", async () => {
    await queue("gedeeld", ["Dank je wel!"]);
    await crashedMidSend("gedeeld", 1);
    const platform = fakePlatform();
    const idempotent: ChannelAdapter = { ...platform.adapter, idempotentSends: true };
    const first = dispatcherFor(idempotent);
    const second = dispatcherFor(idempotent);
    await Promise.all([first.runOnce(), second.runOnce(), first.runOnce(), second.runOnce()]);
    expect(platform.sent.map((m) => m.text)).toEqual(["Dank je wel!"]);
    expect((await t.db.outboxMessage.findFirstOrThrow()).attempts).toBe(2);
  });
});
