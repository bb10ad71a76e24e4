import { describe, expect, it } from "vitest";
import { translateCloudMessage, translateWebhookPayload } from "../../../src/channels/whatsapp-cloud/translateInbound.ts";
import { InboundMessageSchema } from "../../../src/domain/messages.ts";
import { incoming, PHONE_NUMBER_ID, PROFILE_NAME, statusUpdate, webhookBody } from "./webhookPayloads.ts";

const RESIDENT = "31612345678";

/** The translated message, checked against Wijklijn's own schema. */
function inbound(raw: unknown) {
  const result = translateCloudMessage(raw);
  if (result.kind !== "inbound") throw new Error(`expected an inbound message, got ${result.kind}`);
  return InboundMessageSchema.parse(result.message);
}

describe("translating WhatsApp Cloud messages", () => {
  it("keeps the sender's WhatsApp id as the address and the wamid as the message id", () => {
    const raw = incoming.text(RESIDENT, "hoi");
    expect(inbound(raw)).toEqual({ channel: "whatsapp", externalId: RESIDENT, channelMessageId: raw.id, text: "hoi" });
  });

  it("reads a reply button: the id we sent is the value, its title the text", () => {
    expect(inbound(incoming.buttonReply(RESIDENT, "yes", "Ja"))).toMatchObject({ value: "yes", text: "Ja" });
  });

  it("reads a list choice the same way", () => {
    expect(inbound(incoming.listReply(RESIDENT, "melding", "Iets melden", "Iets melden"))).toMatchObject({ value: "melding", text: "Iets melden" });
  });

  it("reads a template's quick reply: payload as value, its text as text", () => {
    expect(inbound(incoming.templateButton(RESIDENT, "reopen", "Verder praten"))).toMatchObject({ value: "reopen", text: "Verder praten" });
  });

  it("reads a shared location as numbers, without the place's name or address", () => {
    const message = inbound(incoming.location(RESIDENT, 51.4412, 5.6101));
    expect(message.location).toEqual({ lat: 51.4412, lon: 5.6101 });
    expect(JSON.stringify(message)).not.toContain("Heuvelstraat");
  });

  it("reads a photo as a media reference to the image id, with its caption as text", () => {
    expect(inbound(incoming.image(RESIDENT, "1479537139650973", "kapotte lantaarnpaal"))).toMatchObject({
      media: { ref: "1479537139650973", kind: "photo" },
      text: "kapotte lantaarnpaal",
    });
    expect(inbound(incoming.image(RESIDENT, "1479537139650973")).text).toBeUndefined();
  });

  it.each([
    ["a voice note", incoming.audio(RESIDENT, "m-audio"), { ref: "m-audio", kind: "voice" }],
    ["a voice note of the older 'voice' type", { from: RESIDENT, id: "wamid.v1", timestamp: "1", type: "voice", voice: { id: "m-voice" } }, { ref: "m-voice", kind: "voice" }],
    ["a video", incoming.video(RESIDENT, "m-video"), { ref: "m-video", kind: "video" }],
    ["a document", incoming.document(RESIDENT, "m-doc"), { ref: "m-doc", kind: "document" }],
    ["a sticker", incoming.sticker(RESIDENT, "m-sticker"), { ref: "m-sticker", kind: "sticker" }],
  ])("reads %s as media of its kind", (_name, raw, media) => {
    expect(inbound(raw).media).toEqual(media);
  });

  it("does not keep a document's file name", () => {
    expect(JSON.stringify(inbound(incoming.document(RESIDENT, "m-doc")))).not.toContain("brief-van-jantje");
  });

  it.each([
    ["contacts", incoming.contacts(RESIDENT)],
    ["unsupported", incoming.unsupported(RESIDENT)],
    ["order", { from: RESIDENT, id: "wamid.o1", timestamp: "1", type: "order", order: { catalog_id: "1", product_items: [] } }],
    ["a future type", { from: RESIDENT, id: "wamid.f1", timestamp: "1", type: "hologram", hologram: {} }],
    ["interactive", { from: RESIDENT, id: "wamid.n1", timestamp: "1", type: "interactive", interactive: { type: "nfm_reply", nfm_reply: { response_json: "{}" } } }],
    ["image", { from: RESIDENT, id: "wamid.i1", timestamp: "1", type: "image", image: { mime_type: "image/jpeg" } }],
  ])("stores a %s message it cannot read as an unsupported document, so the bot asks to type", (type, raw) => {
    const message = inbound(raw);
    expect(message.media).toEqual({ ref: `unsupported:${type === "a future type" ? "hologram" : type}`, kind: "document" });
    expect(message.text).toBeUndefined();
    expect(JSON.stringify(message)).not.toContain("11112222");
  });

  it.each([
    ["reaction", incoming.reaction(RESIDENT)],
    ["system", { from: RESIDENT, id: "wamid.s1", timestamp: "1", type: "system", system: { body: "changed number" } }],
  ])("skips a %s: nothing to answer", (type, raw) => {
    expect(translateCloudMessage(raw)).toEqual({ kind: "skipped", type });
  });

  it("calls a message without sender or id unreadable", () => {
    expect(translateCloudMessage({ type: "text", text: { body: "x" } })).toEqual({ kind: "unreadable" });
    expect(translateCloudMessage("nonsense")).toEqual({ kind: "unreadable" });
  });

  it("cuts an overlong text to Wijklijn's limit instead of refusing the webhook", () => {
    expect(inbound(incoming.text(RESIDENT, "a".repeat(5000))).text).toHaveLength(4096);
  });
});

describe("translating a webhook body", () => {
  it("returns the messages in order, without the profile name", () => {
    const first = incoming.text(RESIDENT, "hoi");
    const second = incoming.text(RESIDENT, "ik wil iets melden");
    const contents = translateWebhookPayload(webhookBody([first, second]), PHONE_NUMBER_ID);
    expect(contents?.messages.map((m) => m.channelMessageId)).toEqual([first.id, second.id]);
    expect(JSON.stringify(contents)).not.toContain(PROFILE_NAME);
  });

  it("skips messages for another phone number of the same app", () => {
    const contents = translateWebhookPayload(webhookBody([incoming.text(RESIDENT, "hoi")], { phoneNumberId: "999" }), PHONE_NUMBER_ID);
    expect(contents?.messages).toEqual([]);
    expect(contents?.skipped).toEqual([{ reason: "other-number" }]);
  });

  it("reads delivery statuses without the recipient's number", () => {
    const contents = translateWebhookPayload(
      webhookBody([], { statuses: [statusUpdate("wamid.1", "delivered", RESIDENT), statusUpdate("wamid.2", "failed", RESIDENT, [{ code: 131047, title: "Re-engagement message" }])] }),
      PHONE_NUMBER_ID,
    );
    expect(contents?.messages).toEqual([]);
    expect(contents?.statuses).toEqual([
      { messageId: "wamid.1", status: "delivered", at: expect.any(Date), errors: [] },
      { messageId: "wamid.2", status: "failed", at: expect.any(Date), errors: [{ code: 131047, title: "Re-engagement message" }] },
    ]);
    expect(JSON.stringify(contents)).not.toContain(RESIDENT);
  });

  it("ignores other objects and fields, and refuses an unreadable envelope", () => {
    expect(translateWebhookPayload({ object: "page", entry: [] }, PHONE_NUMBER_ID)?.messages).toEqual([]);
    expect(translateWebhookPayload({ object: "whatsapp_business_account", entry: [{ id: "1", changes: [{ field: "account_update", value: {} }] }] }, PHONE_NUMBER_ID)).toEqual({
      messages: [],
      statuses: [],
      skipped: [],
      errors: [],
    });
    expect(translateWebhookPayload({ hello: "world" }, PHONE_NUMBER_ID)).toBeNull();
  });
});
