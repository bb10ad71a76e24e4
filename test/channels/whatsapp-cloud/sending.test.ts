import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChannelSendError } from "../../../src/channels/channel.ts";
import { GraphSendError, parseRetryAfter, sendErrorFromGraphResponse } from "../../../src/channels/whatsapp-cloud/graphClient.ts";
import { createWhatsappCloudChannel, WHATSAPP_CLOUD_LIMITS, type WhatsappCloudChannel } from "../../../src/channels/whatsapp-cloud/whatsappCloudChannel.ts";
import { OutboundPayloadSchema } from "../../../src/domain/messages.ts";
import { startFakeGraphApi, type FakeGraphApi } from "../../fakes/graphApi.ts";
import { captureLogger } from "../../helpers/logger.ts";
import { ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN } from "./webhookPayloads.ts";

const RESIDENT = { externalId: "31612345678", reference: null };
const now = new Date("2026-11-26T10:00:00Z");

function channel(apiRoot: string, token = ACCESS_TOKEN): WhatsappCloudChannel {
  return createWhatsappCloudChannel({
    token,
    phoneNumberId: PHONE_NUMBER_ID,
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    apiRoot,
    ingest: async () => ({ stored: false, conversationId: null }),
    logger: captureLogger().logger,
    listButtonLabel: () => "Kies",
  });
}

/** The error a promise rejects with, as a GraphSendError. */
async function failure(promise: Promise<unknown>): Promise<GraphSendError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  if (!(error instanceof GraphSendError)) throw new Error(`expected a GraphSendError, got ${String(error)}`);
  return error;
}

describe("sending through the Graph API", () => {
  let fake: FakeGraphApi;
  let whatsapp: WhatsappCloudChannel;
  beforeAll(async () => {
    fake = await startFakeGraphApi({ token: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    whatsapp = channel(fake.url);
    await whatsapp.adapter.start();
  });
  afterAll(async () => {
    await whatsapp?.adapter.stop();
    await fake?.close();
  });

  it("declares WhatsApp's capabilities and Meta's rate limits", () => {
    expect(whatsapp.adapter.kind).toBe("whatsapp");
    expect(whatsapp.adapter.capabilities).toEqual({ buttons: true, maxButtons: 10, media: true, location: true, templates: true });
    expect(whatsapp.adapter.limits).toEqual({ perSecond: 80, perRecipientIntervalMs: 6000, perRecipientBurst: 4 });
    expect(WHATSAPP_CLOUD_LIMITS).toEqual(whatsapp.adapter.limits);
  });

  it("posts to /{version}/{phone-number-id}/messages with the bearer token and returns the wamid", async () => {
    const result = await whatsapp.adapter.send(RESIDENT, { text: "Dank je wel!", buttons: [] });
    expect(result.externalMessageId).toMatch(/^wamid\./);
    const call = fake.calls.at(-1);
    expect(call).toMatchObject({ path: `/v21.0/${PHONE_NUMBER_ID}/messages`, status: 200, authorization: `Bearer ${ACCESS_TOKEN}` });
    expect(fake.sent.at(-1)).toMatchObject({ id: result.externalMessageId, to: RESIDENT.externalId, kind: "text", text: "Dank je wel!" });
  });

  it("sends an approved template from an outbox payload, for outside the 24-hour window", async () => {
    const result = await whatsapp.adapter.send(RESIDENT, {
      text: "Er is een reactie op je bericht WL-2026-00042.",
      buttons: [],
      template: { name: "wijklijn_reactie", language: "nl", bodyParameters: ["WL-2026-00042"], quickReplyPayloads: [] },
    });
    expect(fake.sent.at(-1)).toMatchObject({
      id: result.externalMessageId,
      kind: "template",
      body: { type: "template", template: { name: "wijklijn_reactie", language: { code: "nl" }, components: [{ type: "body", parameters: [{ type: "text", text: "WL-2026-00042" }] }] } },
    });
  });

  it("refuses a template that is not a valid name before it reaches the outbox", () => {
    expect(OutboundPayloadSchema.safeParse({ text: "hoi", template: { name: "Wijklijn Reactie!", language: "nl" } }).success).toBe(false);
  });

  it("pauses the channel on a 429, for as long as Retry-After says", async () => {
    fake.failNext(1, { kind: "rate-limit", retryAfterSeconds: 2 });
    const error = await failure(whatsapp.adapter.send(RESIDENT, { text: "hoi", buttons: [] }));
    expect(error).toBeInstanceOf(ChannelSendError);
    expect(error.options).toEqual({ retryAfterMs: 2000, retryAfterScope: "channel" });
    expect(error.reason).toBe("rate-limit");
  });

  it("pauses 6 s for the per-user pair rate limit (131056) without Retry-After, 60 s for others", async () => {
    fake.failNext(1, { kind: "rate-limit", code: 131056 });
    expect((await failure(whatsapp.adapter.send(RESIDENT, { text: "hoi", buttons: [] }))).options).toEqual({ retryAfterMs: 6000, retryAfterScope: "recipient" });
    fake.failNext(1, { kind: "rate-limit", code: 130429 });
    expect((await failure(whatsapp.adapter.send(RESIDENT, { text: "hoi", buttons: [] }))).options).toEqual({ retryAfterMs: 60000, retryAfterScope: "channel" });
  });

  it("retries after a 500", async () => {
    fake.failNext(1, { kind: "server-error" });
    const error = await failure(whatsapp.adapter.send(RESIDENT, { text: "hoi", buttons: [] }));
    expect(error.options).toEqual({});
    expect(error.reason).toBe("server");
  });

  it("gives up with a clear message when the 24-hour window has closed (131047)", async () => {
    fake.failNext(1, { kind: "re-engagement" });
    const error = await failure(whatsapp.adapter.send(RESIDENT, { text: "Een reactie van de gemeente", buttons: [] }));
    expect(error.options).toEqual({ permanent: true });
    expect(error.reason).toBe("re-engagement");
    expect(error.graphCode).toBe(131047);
    expect(error.message).toMatch(/24 hours.*template/);
  });

  it("keeps messages when the token is refused, and says so on /readyz", async () => {
    expect(await whatsapp.readiness.check()).toEqual({ ok: true });
    const wrong = channel(fake.url, "expired-token");
    await wrong.adapter.start();
    const error = await failure(wrong.adapter.send(RESIDENT, { text: "hoi", buttons: [] }));
    expect(error.reason).toBe("auth");
    expect(error.options.permanent).toBeUndefined();
    expect(error.options.retryAfterMs).toBe(5 * 60_000);
    expect(error.message).toContain("WHATSAPP_CLOUD_TOKEN");
    expect(await wrong.readiness.check()).toMatchObject({ ok: false, detail: expect.stringContaining("WHATSAPP_CLOUD_TOKEN") });
  });

  it("retries when the Graph API cannot be reached", async () => {
    const closed = await startFakeGraphApi({ token: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    await closed.close();
    const error = await failure(channel(closed.url).adapter.send(RESIDENT, { text: "hoi", buttons: [] }));
    expect(error.reason).toBe("network");
    expect(error.options).toEqual({});
  });

  it("is not ready before it is started", async () => {
    expect(await channel(fake.url).readiness.check()).toMatchObject({ ok: false });
  });
});

describe("reading Graph API failures", () => {
  const fail = (status: number, code?: number, retryAfter: string | null = null) =>
    sendErrorFromGraphResponse({ status, retryAfter, body: code === undefined ? null : { error: { message: "x", code, fbtrace_id: "T" } } }, now);

  it.each([
    [429, undefined, { retryAfterMs: 60000, retryAfterScope: "recipient" }],
    [400, 4, { retryAfterMs: 60000, retryAfterScope: "channel" }],
    [400, 80007, { retryAfterMs: 60000, retryAfterScope: "channel" }],
    [400, 130429, { retryAfterMs: 60000, retryAfterScope: "channel" }],
    [400, 131048, { retryAfterMs: 60000, retryAfterScope: "channel" }],
    [400, 131056, { retryAfterMs: 6000, retryAfterScope: "recipient" }],
    [401, 190, { retryAfterMs: 300000, retryAfterScope: "channel" }],
    [400, 190, { retryAfterMs: 300000, retryAfterScope: "channel" }],
    [500, 131000, {}],
    [503, undefined, {}],
    [400, 131047, { permanent: true }],
    [400, 131026, { permanent: true }],
    [404, 100, { permanent: true }],
  ])("HTTP %s with error %s → %o", (status, code, options) => {
    expect(fail(status, code).options).toEqual(options);
  });

  it("honours Retry-After in seconds or as a date", () => {
    expect(fail(429, 130429, "3").options).toEqual({ retryAfterMs: 3000, retryAfterScope: "channel" });
    expect(parseRetryAfter("0.25", now)).toBe(250);
    expect(parseRetryAfter(new Date(now.getTime() + 10_000).toUTCString(), now)).toBe(10_000);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it("names the HTTP status, the error code and Meta's trace id, without phone numbers", () => {
    const error = sendErrorFromGraphResponse(
      { status: 400, retryAfter: null, body: { error: { message: "Recipient +31 6 12345678 is not a valid WhatsApp user", code: 131026, fbtrace_id: "AbC" } } },
      now,
    );
    expect(error.message).toContain("HTTP 400, error 131026");
    expect(error.message).toContain("fbtrace_id AbC");
    expect(error.message).not.toContain("12345678");
  });
});
