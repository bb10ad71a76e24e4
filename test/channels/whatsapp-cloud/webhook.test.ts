/** The webhook Meta calls: verification handshake, signatures, durable acknowledgement. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeEachDatabase } from "../../helpers/db.ts";
import { checkWebhookSignature, secretsMatch, signWebhookBody } from "../../../src/channels/whatsapp-cloud/webhookSignature.ts";
import { APP_SECRET, incoming, postWebhook, statusUpdate, VERIFY_TOKEN, webhookBody } from "./webhookPayloads.ts";
import { startWhatsappRig, type WhatsappRig } from "./whatsappRig.ts";

describe("webhook signatures", () => {
  const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');

  it("accepts Meta's sha256=<hex HMAC> of the exact bytes", () => {
    expect(checkWebhookSignature(APP_SECRET, body, signWebhookBody(APP_SECRET, body))).toBe("valid");
    expect(checkWebhookSignature(APP_SECRET, body, signWebhookBody(APP_SECRET, body).toUpperCase().replace("SHA256=", "sha256="))).toBe("valid");
  });

  it.each([
    ["another secret", signWebhookBody("another-secret", body)],
    ["other bytes", signWebhookBody(APP_SECRET, `${body.toString()} `)],
    ["a sha1 signature", "sha1=0123456789abcdef0123456789abcdef01234567"],
    ["garbage", "sha256=xyz"],
  ])("refuses %s", (_name, header) => {
    expect(checkWebhookSignature(APP_SECRET, body, header)).toBe("invalid");
  });

  it("tells a missing signature apart", () => {
    expect(checkWebhookSignature(APP_SECRET, body, undefined)).toBe("missing");
    expect(checkWebhookSignature(APP_SECRET, body, " ")).toBe("missing");
  });

  it("compares verify tokens of any length", () => {
    expect(secretsMatch(VERIFY_TOKEN, VERIFY_TOKEN)).toBe(true);
    expect(secretsMatch("", VERIFY_TOKEN)).toBe(false);
    expect(secretsMatch(`${VERIFY_TOKEN}x`, VERIFY_TOKEN)).toBe(false);
  });
});

describeEachDatabase("the WhatsApp webhook", (provider) => {
  let rig: WhatsappRig;
  beforeAll(async () => {
    rig = await startWhatsappRig(provider);
  });
  afterAll(async () => rig?.close());

  const storedFrom = (waId: string) => rig.harness.t.db.message.count({ where: { channel: "whatsapp", direction: "in", conversation: { channelIdentity: { externalId: waId } } } });
  const identities = (waId: string) => rig.harness.t.db.channelIdentity.count({ where: { channel: "whatsapp", externalId: waId } });

  describe("verification handshake", () => {
    const verify = (query: Record<string, string>) => fetch(`${rig.url}/webhooks/whatsapp?${new URLSearchParams(query).toString()}`);

    it("echoes hub.challenge as text when the verify token matches", async () => {
      const response = await verify({ "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444" });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(await response.text()).toBe("1158201444");
    });

    it.each([
      ["a wrong verify token", { "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1" }],
      ["another mode", { "hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1" }],
      ["no challenge", { "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN }],
      ["nothing", {}],
    ])("answers 403 to %s", async (_name, query) => {
      const response = await verify(query);
      expect(response.status).toBe(403);
      expect(await response.text()).not.toContain("1158201444");
    });
  });

  describe("signed events", () => {
    it("stores a correctly signed message and answers 200", async () => {
      const waId = "31612350001";
      const message = incoming.text(waId, "hoi");
      const response = await postWebhook(rig.url, webhookBody([message]));
      expect(response.status).toBe(200);
      expect(await rig.harness.t.db.message.count({ where: { channel: "whatsapp", channelMessageId: message.id } })).toBe(1);
      await rig.delivered(waId);
    });

    it("checks the signature over the raw bytes, not re-serialised JSON", async () => {
      const waId = "31612350002";
      const body = webhookBody([incoming.text(waId, "hoi")]);
      const pretty = JSON.stringify(body, null, 2);
      const signedCompact = await postWebhook(rig.url, body, { raw: pretty, signature: signWebhookBody(APP_SECRET, JSON.stringify(body)) });
      expect(signedCompact.status).toBe(403);
      expect(await identities(waId)).toBe(0);
      const signedPretty = await postWebhook(rig.url, body, { raw: pretty });
      expect(signedPretty.status).toBe(200);
      expect(await storedFrom(waId)).toBe(1);
      await rig.delivered(waId);
    });

    it("answers 403 to a wrong signature and stores nothing", async () => {
      const waId = "31612350003";
      const response = await postWebhook(rig.url, webhookBody([incoming.text(waId, "hoi")]), { signature: signWebhookBody("not-the-app-secret", "x") });
      expect(response.status).toBe(403);
      expect(await identities(waId)).toBe(0);
    });

    it("answers 401 to a missing signature and stores nothing", async () => {
      const waId = "31612350004";
      const response = await postWebhook(rig.url, webhookBody([incoming.text(waId, "hoi")]), { signature: null });
      expect(response.status).toBe(401);
      expect(await identities(waId)).toBe(0);
    });

    it("answers 401 to an unsigned call that is not JSON", async () => {
      const response = await fetch(`${rig.url}/webhooks/whatsapp`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: "hoi" });
      expect(response.status).toBe(401);
    });

    it("answers 500 while messages cannot be stored, so that Meta delivers them again", async () => {
      const waId = "31612350005";
      const body = webhookBody([incoming.text(waId, "hoi"), incoming.text(waId, "is daar iemand?")]);
      let calls = 0;
      rig.interceptIngest((real) => async (message) => {
        calls++;
        if (calls === 2) throw new Error("database is locked");
        return real(message);
      });
      const failed = await postWebhook(rig.url, body);
      expect(failed.status).toBe(500);
      rig.interceptIngest(null);
      // Meta redelivers the whole call: the first message is not stored twice, the second now is.
      const retried = await postWebhook(rig.url, body);
      expect(retried.status).toBe(200);
      expect(await storedFrom(waId)).toBe(2);
      await rig.delivered(waId);
    });

    it("ignores messages for another phone number of the app", async () => {
      const waId = "31612350006";
      const response = await postWebhook(rig.url, webhookBody([incoming.text(waId, "hoi")], { phoneNumberId: "999999" }));
      expect(response.status).toBe(200);
      expect(await identities(waId)).toBe(0);
    });

    it("acknowledges a reaction without starting a conversation", async () => {
      const waId = "31612350007";
      const response = await postWebhook(rig.url, webhookBody([incoming.reaction(waId)]));
      expect(response.status).toBe(200);
      expect(await identities(waId)).toBe(0);
    });

    it("answers a message type it cannot read kindly, asking the resident to type", async () => {
      const waId = "31612350008";
      await rig.deliver(incoming.text(waId, "hoi"));
      const before = (await rig.delivered(waId)).length;
      await rig.deliver(incoming.contacts(waId));
      const replies = (await rig.delivered(waId)).slice(before);
      expect(replies.map((m) => m.text).join("\n")).toContain("Wil je het typen?");
    });

    it("accepts delivery statuses and hands them on without the resident's number", async () => {
      const waId = "31612350009";
      const response = await postWebhook(
        rig.url,
        webhookBody([], { statuses: [statusUpdate("wamid.abc", "read", waId), statusUpdate("wamid.def", "failed", waId, [{ code: 131047, title: "Re-engagement message" }])] }),
      );
      expect(response.status).toBe(200);
      expect(await identities(waId)).toBe(0);
      expect(rig.statuses.slice(-2).map((s) => [s.messageId, s.status, s.errors.map((e) => e.code)])).toEqual([
        ["wamid.abc", "read", []],
        ["wamid.def", "failed", [131047]],
      ]);
      const logs = rig.logs.join("\n");
      expect(logs).toContain("131047");
      expect(logs).not.toContain(waId);
      expect(logs).not.toContain("wamid.def");
    });

    it("refuses a signed body that is not a webhook payload it can read", async () => {
      const response = await postWebhook(rig.url, { hello: "world" });
      expect(response.status).toBe(400);
    });
  });

  it("is ready once the bot has started the channel", async () => {
    expect(await rig.whatsapp.readiness.check()).toEqual({ ok: true });
  });
});
