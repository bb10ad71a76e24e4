/**
 * Who waits when WhatsApp says "slow down": the outbox dispatcher with the real WhatsApp Cloud
 * channel against the fake Graph API, on a fake clock. Meta's app, account, number and token
 * limits hold back the whole number; the pair rate limit (131056) only the one resident.
 * https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes#throttling-errors
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { createWhatsappCloudChannel, type WhatsappCloudChannel } from "../../../src/channels/whatsapp-cloud/whatsappCloudChannel.ts";
import { addOutboundMessage, createConversation, findOrCreateIdentity } from "../../../src/db/conversation.repo.ts";
import { OutboxDispatcher } from "../../../src/jobs/outboxDispatcher.ts";
import { startFakeGraphApi, type FakeFailure, type FakeGraphApi } from "../../fakes/graphApi.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../../helpers/db.ts";
import { captureLogger } from "../../helpers/logger.ts";
import { ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN } from "./webhookPayloads.ts";

const FIRST = "31611111111";
const SECOND = "31622222222";

describeEachDatabase("the scope of a WhatsApp Cloud rate limit", (provider) => {
  let t: TestDatabase;
  let fake: FakeGraphApi;
  let whatsapp: WhatsappCloudChannel;
  let now: number;
  let dispatcher: OutboxDispatcher;
  beforeEach(async () => {
    fake = await startFakeGraphApi({ token: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    t = await createTestDatabase(provider, { seed: true });
    now = new Date("2026-12-01T09:00:00Z").getTime();
    whatsapp = createWhatsappCloudChannel({
      token: ACCESS_TOKEN,
      phoneNumberId: PHONE_NUMBER_ID,
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      apiRoot: fake.url,
      ingest: async () => ({ stored: false, conversationId: null }),
      logger: captureLogger().logger,
      listButtonLabel: () => "Kies",
      limits: { perSecond: 80, perRecipientIntervalMs: 0 },
    });
    await whatsapp.adapter.start();
    dispatcher = new OutboxDispatcher(t.db, captureLogger().logger, { pollMs: 10 }, () => new Date(now));
    dispatcher.register(whatsapp.adapter);
  });
  afterEach(async () => {
    await dispatcher?.stop();
    await whatsapp?.adapter.stop();
    await t?.drop();
    await fake?.close();
  });

  /** One reply waiting for each resident, the first resident's oldest. */
  async function queueReplies() {
    const gemeente = await t.db.gemeente.findFirstOrThrow();
    for (const [index, waId] of [FIRST, SECOND].entries()) {
      const { identity, resident } = await findOrCreateIdentity(t.db, { gemeenteId: gemeente.id, channel: "whatsapp", externalId: waId });
      const ids = { residentId: resident.id, channelIdentityId: identity.id, channel: "whatsapp" } as const;
      const conversation = await createConversation(t.db, { gemeenteId: gemeente.id, ...ids, wijkId: null, now: new Date(now) });
      await addOutboundMessage(t.db, {
        conversationId: conversation.id,
        ...ids,
        payload: { text: `Antwoord ${index + 1}`, buttons: [] },
        authorKind: "bot",
        priority: 0,
        now: new Date(now - 60_000 + index),
      });
    }
  }

  const channelWide: Array<[string, FakeFailure]> = [
    ["4 (the app's request limit)", { kind: "rate-limit", code: 4, status: 400, retryAfterSeconds: 30 }],
    ["80007 (the business account's limit)", { kind: "rate-limit", code: 80007, status: 400, retryAfterSeconds: 30 }],
    ["130429 (the number's throughput)", { kind: "rate-limit", code: 130429, retryAfterSeconds: 30 }],
    ["131048 (the spam rate limit)", { kind: "rate-limit", code: 131048, status: 400, retryAfterSeconds: 30 }],
    ["190 (an expired token)", { kind: "token-expired" }],
  ];

  it.each(channelWide)("holds back every resident on error %s, and sends both once it has passed", async (_name, failure) => {
    await queueReplies();
    fake.failNext(1, failure);
    await dispatcher.runOnce();
    await dispatcher.runOnce();
    // The first resident was refused; the second one was not even tried: the whole number waits.
    expect(fake.calls.at(-1)?.to).toBe(FIRST);
    expect(fake.sentTo(SECOND)).toHaveLength(0);
    now += 5 * 60_000;
    await dispatcher.runOnce();
    expect(fake.sent.map((m) => [m.to, m.text])).toEqual([
      [FIRST, "Antwoord 1"],
      [SECOND, "Antwoord 2"],
    ]);
  });

  it("holds back only that resident on the pair rate limit (131056)", async () => {
    await queueReplies();
    fake.failNext(1, { kind: "rate-limit", code: 131056, status: 400 });
    await dispatcher.runOnce();
    expect(fake.sentTo(FIRST)).toHaveLength(0);
    expect(fake.sentTo(SECOND).map((m) => m.text)).toEqual(["Antwoord 2"]);
    now += 6_000;
    await dispatcher.runOnce();
    expect(fake.sentTo(FIRST).map((m) => m.text)).toEqual(["Antwoord 1"]);
  });
});
