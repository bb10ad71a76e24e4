/**
 * Fair and paced delivery, round by round on a fake clock (no waiting on wall-clock time): per
 * resident, order is by creation; across residents, replies first; one resident's queue or
 * rate limit never holds up another.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { ChannelSendError, type ChannelAdapter, type ChannelLimits } from "../../src/channels/channel.ts";
import { addOutboundMessage, createConversation, findOrCreateIdentity } from "../../src/db/conversation.repo.ts";
import type { OutboundPayload } from "../../src/domain/messages.ts";
import { OutboxDispatcher, type DispatcherOptions } from "../../src/jobs/outboxDispatcher.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { captureLogger } from "../helpers/logger.ts";

const REPLY = 0;
const BULK = 10;

/** A clock the test moves by hand. */
function fakeClock(start = new Date("2026-12-01T09:00:00Z")) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

type Clock = ReturnType<typeof fakeClock>;

/** The platform's servers, faked: records every message and refuses the ones the test picks. */
function fakePlatform(clock: Clock, limits?: ChannelLimits) {
  const sent: Array<{ to: string; text: string; at: number }> = [];
  const tried: string[] = [];
  const refusals = new Map<string, Array<ChannelSendError | Error>>();
  let onSend: (text: string) => Promise<void> = async () => {};
  const adapter: ChannelAdapter = {
    kind: "telegram",
    capabilities: { buttons: true, maxButtons: 8, media: true, location: true, templates: false },
    ...(limits ? { limits } : {}),
    async start() {},
    async stop() {},
    async send(to, payload: OutboundPayload) {
      tried.push(to.externalId);
      const failure = refusals.get(to.externalId)?.shift();
      if (failure) throw failure;
      sent.push({ to: to.externalId, text: payload.text, at: clock.now().getTime() });
      await onSend(payload.text);
      return { externalMessageId: `x${sent.length}` };
    },
  };
  return {
    adapter,
    sent,
    tried,
    /** The next sends to `externalId` fail with these errors, in turn. */
    refuse(externalId: string, ...errors: Array<ChannelSendError | Error>) {
      refusals.set(externalId, [...(refusals.get(externalId) ?? []), ...errors]);
    },
    textsTo: (externalId: string) => sent.filter((m) => m.to === externalId).map((m) => m.text),
    afterEachSend(handler: (text: string) => Promise<void>) {
      onSend = handler;
    },
  };
}

describeEachDatabase("fair, paced outbox delivery", (provider) => {
  let t: TestDatabase;
  let clock: Clock;
  let written = 0;
  const dispatchers: OutboxDispatcher[] = [];
  beforeEach(async () => {
    t = await createTestDatabase(provider, { seed: true });
    clock = fakeClock();
    written = 0;
  });
  afterEach(async () => {
    for (const dispatcher of dispatchers.splice(0)) await dispatcher.stop();
    await t.drop();
  });

  /** Writes messages to residents, each a millisecond after the previous one (creation order is what the test says). */
  async function queue(...items: Array<{ to: string; text: string; priority: number }>) {
    const gemeente = await t.db.gemeente.findFirstOrThrow();
    await t.db.$transaction(
      async (tx) => {
        for (const item of items) {
          const { identity, resident } = await findOrCreateIdentity(tx, { gemeenteId: gemeente.id, channel: "telegram", externalId: item.to });
          const ids = { residentId: resident.id, channelIdentityId: identity.id, channel: "telegram" } as const;
          const conversation =
            (await tx.conversation.findFirst({ where: { channelIdentityId: identity.id } })) ?? (await createConversation(tx, { gemeenteId: gemeente.id, ...ids, wijkId: null, now: clock.now() }));
          const at = new Date(clock.now().getTime() - 60_000 + written++);
          await addOutboundMessage(tx, { conversationId: conversation.id, ...ids, payload: { text: item.text, buttons: [] }, authorKind: "bot", priority: item.priority, now: at });
        }
      },
      { timeout: 60_000 },
    );
  }

  function dispatcherFor(platform: ReturnType<typeof fakePlatform>, options: Partial<DispatcherOptions> = {}) {
    const dispatcher = new OutboxDispatcher(t.db, captureLogger().logger, { pollMs: 10, backoffMs: () => 5_000, ...options }, clock.now);
    dispatcher.register(platform.adapter);
    dispatchers.push(dispatcher);
    return dispatcher;
  }

  async function rounds(dispatcher: OutboxDispatcher, count: number) {
    for (let i = 0; i < count; i++) await dispatcher.runOnce();
  }

  it("sends a reply before a big bulk send that was queued earlier", async () => {
    const platform = fakePlatform(clock);
    await queue(...Array.from({ length: 100 }, (_, i) => ({ to: `bulk-${i}`, text: `wijkbericht ${i}`, priority: BULK })));
    await queue({ to: "vraagsteller", text: "antwoord", priority: REPLY });
    const dispatcher = dispatcherFor(platform, { batchSize: 20 });
    await dispatcher.runOnce();
    expect(platform.sent[0]?.text).toBe("antwoord");
    expect(platform.sent).toHaveLength(20);
  });

  it("ends a bulk round early when a reply is written meanwhile, so the reply goes next", async () => {
    const platform = fakePlatform(clock);
    await queue(...Array.from({ length: 30 }, (_, i) => ({ to: `bulk-${i}`, text: `wijkbericht ${i}`, priority: BULK })));
    const dispatcher = dispatcherFor(platform, { batchSize: 50 });
    platform.afterEachSend(async (text) => {
      if (text !== "wijkbericht 2") return;
      await queue({ to: "vraagsteller", text: "antwoord", priority: REPLY });
      dispatcher.nudge();
    });
    await dispatcher.runOnce();
    expect(platform.sent.map((m) => m.text)).toEqual(["wijkbericht 0", "wijkbericht 1", "wijkbericht 2"]);
    await dispatcher.runOnce();
    expect(platform.sent[3]?.text).toBe("antwoord");
  });

  it("gives every resident a turn in each round, so one long queue does not starve the others", async () => {
    const platform = fakePlatform(clock);
    await queue(...Array.from({ length: 30 }, (_, i) => ({ to: "druk", text: `druk ${i}`, priority: REPLY })));
    await queue({ to: "rustig-1", text: "hallo 1", priority: REPLY }, { to: "rustig-2", text: "hallo 2", priority: REPLY });
    const dispatcher = dispatcherFor(platform, { batchSize: 2 });
    await rounds(dispatcher, 2);
    expect(platform.textsTo("rustig-1")).toEqual(["hallo 1"]);
    expect(platform.textsTo("rustig-2")).toEqual(["hallo 2"]);
    expect(platform.textsTo("druk")).toEqual(["druk 0", "druk 1"]);
    await rounds(dispatcher, 28);
    expect(platform.textsTo("druk")).toEqual(Array.from({ length: 30 }, (_, i) => `druk ${i}`));
  });

  it("keeps each resident's order by creation across priorities, also through a failed send", async () => {
    const platform = fakePlatform(clock);
    await queue(
      { to: "anna", text: "a1 wijkbericht", priority: BULK },
      { to: "bram", text: "b1 wijkbericht", priority: BULK },
      { to: "anna", text: "a2 antwoord", priority: REPLY },
      { to: "anna", text: "a3 wijkbericht", priority: BULK },
      { to: "bram", text: "b2 antwoord", priority: REPLY },
      { to: "cees", text: "c1 antwoord", priority: REPLY },
    );
    platform.refuse("anna", new Error("502 Bad Gateway"));
    const dispatcher = dispatcherFor(platform);
    await rounds(dispatcher, 5);
    // Anna's first message failed: nothing later goes to her before it, the others carry on.
    expect(platform.textsTo("anna")).toEqual([]);
    expect(platform.textsTo("bram")).toEqual(["b1 wijkbericht", "b2 antwoord"]);
    expect(platform.textsTo("cees")).toEqual(["c1 antwoord"]);
    clock.advance(5_000);
    await rounds(dispatcher, 5);
    expect(platform.textsTo("anna")).toEqual(["a1 wijkbericht", "a2 antwoord", "a3 wijkbericht"]);
  });

  it("lets a burst through, then keeps to the sustained per-recipient rate", async () => {
    const platform = fakePlatform(clock, { perSecond: 80, perRecipientIntervalMs: 6_000, perRecipientBurst: 4 });
    await queue(...Array.from({ length: 10 }, (_, i) => ({ to: "whatsapper", text: `${i}`, priority: REPLY })));
    const dispatcher = dispatcherFor(platform);
    await rounds(dispatcher, 10);
    expect(platform.sent).toHaveLength(4);
    clock.advance(5_999);
    await rounds(dispatcher, 3);
    expect(platform.sent).toHaveLength(4);
    clock.advance(1);
    await rounds(dispatcher, 3);
    expect(platform.sent).toHaveLength(5);
    clock.advance(6_000);
    await rounds(dispatcher, 3);
    expect(platform.sent).toHaveLength(6);
    // After a quiet spell the full burst is back, never more.
    clock.advance(60_000);
    await rounds(dispatcher, 10);
    expect(platform.textsTo("whatsapper")).toEqual(Array.from({ length: 10 }, (_, i) => `${i}`));
    const gaps = platform.sent.slice(1).map((m, i) => m.at - (platform.sent[i]?.at ?? 0));
    expect(gaps).toEqual([0, 0, 0, 6_000, 6_000, 60_000, 0, 0, 0]);
  });

  it("keeps to the channel's messages per second over all residents", async () => {
    const platform = fakePlatform(clock, { perSecond: 5, perRecipientIntervalMs: 1_000 });
    await queue(...Array.from({ length: 12 }, (_, i) => ({ to: `chat-${i}`, text: `${i}`, priority: BULK })));
    const dispatcher = dispatcherFor(platform);
    await rounds(dispatcher, 3);
    expect(platform.sent).toHaveLength(5);
    clock.advance(1_000);
    await rounds(dispatcher, 3);
    expect(platform.sent).toHaveLength(10);
  });

  it("backs off one recipient for the platform's retry-after while the others carry on", async () => {
    const platform = fakePlatform(clock, { perSecond: 30, perRecipientIntervalMs: 1_000, perRecipientBurst: 3 });
    platform.refuse("traag", new ChannelSendError("Too Many Requests: retry after 30", { retryAfterMs: 30_000 }));
    await queue(
      { to: "traag", text: "t1", priority: REPLY },
      { to: "traag", text: "t2", priority: REPLY },
      { to: "vlot-1", text: "v1", priority: REPLY },
      { to: "vlot-2", text: "w1", priority: REPLY },
      { to: "vlot-1", text: "v2", priority: REPLY },
    );
    const dispatcher = dispatcherFor(platform);
    await rounds(dispatcher, 5);
    expect(platform.textsTo("vlot-1")).toEqual(["v1", "v2"]);
    expect(platform.textsTo("vlot-2")).toEqual(["w1"]);
    expect(platform.tried.filter((to) => to === "traag")).toHaveLength(1);
    // A refusal is not a failed attempt: the message cannot die of a long rate limit.
    const waiting = await t.db.outboxMessage.findFirstOrThrow({ where: { status: "pending", channelIdentity: { externalId: "traag" } }, orderBy: { createdAt: "asc" } });
    expect(waiting.attempts).toBe(0);
    expect(waiting.nextAttemptAt.getTime()).toBe(clock.now().getTime() + 30_000);

    await queue({ to: "vlot-2", text: "w2", priority: REPLY });
    clock.advance(29_999);
    await rounds(dispatcher, 3);
    expect(platform.textsTo("vlot-2")).toEqual(["w1", "w2"]);
    expect(platform.tried.filter((to) => to === "traag")).toHaveLength(1);
    clock.advance(1);
    await rounds(dispatcher, 3);
    expect(platform.textsTo("traag")).toEqual(["t1", "t2"]);
  });

  it("pauses the whole channel when several recipients in a row are refused, or when the platform says it is channel-wide", async () => {
    const platform = fakePlatform(clock);
    for (const to of ["r1", "r2", "r3"]) platform.refuse(to, new ChannelSendError("app quota reached", { retryAfterMs: 60_000 }));
    await queue(...["r1", "r2", "r3", "r4", "r5"].map((to) => ({ to, text: to, priority: REPLY })));
    const dispatcher = dispatcherFor(platform);
    await rounds(dispatcher, 3);
    expect(platform.tried).toEqual(["r1", "r2", "r3"]);
    clock.advance(59_999);
    await rounds(dispatcher, 2);
    expect(platform.tried).toEqual(["r1", "r2", "r3"]);
    clock.advance(1);
    await rounds(dispatcher, 2);
    expect(platform.sent.map((m) => m.to).sort()).toEqual(["r1", "r2", "r3", "r4", "r5"]);

    platform.refuse("r6", new ChannelSendError("token revoked", { retryAfterMs: 300_000, retryAfterScope: "channel" }));
    await queue({ to: "r6", text: "r6", priority: REPLY }, { to: "r7", text: "r7", priority: REPLY });
    await rounds(dispatcher, 2);
    expect(platform.tried.slice(-1)).toEqual(["r6"]);
    clock.advance(300_000);
    await rounds(dispatcher, 2);
    expect(platform.textsTo("r6")).toEqual(["r6"]);
    expect(platform.textsTo("r7")).toEqual(["r7"]);
  });

  it("delivers every message once and in order per resident with two instances running rounds at the same time", async () => {
    const platform = fakePlatform(clock, { perSecond: 1_000, perRecipientIntervalMs: 1_000, perRecipientBurst: 2 });
    // Interleaved over residents, replies and bulk mixed: 0-0, 1-0, …, 7-0, 0-1, …
    const items = Array.from({ length: 4 }, (_, m) => Array.from({ length: 8 }, (_, r) => ({ to: `multi-${r}`, text: `${r}-${m}`, priority: (r + m) % 2 === 0 ? REPLY : BULK }))).flat();
    await queue(...items);
    const first = dispatcherFor(platform);
    const second = dispatcherFor(platform);
    for (let i = 0; i < 12; i++) {
      await Promise.all([first.runOnce(), second.runOnce()]);
      if (i % 3 === 2) clock.advance(1_000);
    }
    expect(platform.sent).toHaveLength(32);
    expect(new Set(platform.sent.map((m) => m.text)).size).toBe(32);
    for (let r = 0; r < 8; r++) expect(platform.textsTo(`multi-${r}`)).toEqual([`${r}-0`, `${r}-1`, `${r}-2`, `${r}-3`]);
  });
});
