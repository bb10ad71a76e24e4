/**
 * A resident on WhatsApp, end to end over HTTP: signed webhooks in, the real bot and database,
 * replies out through the fake Graph API.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { SentMessage } from "../../fakes/graphApi.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { incoming, PROFILE_NAME, webhookBody, postWebhook } from "./webhookPayloads.ts";
import { startWhatsappRig, type WhatsappRig } from "./whatsappRig.ts";

const texts = (messages: SentMessage[]) => messages.map((m) => m.text).join("\n");

describeEachDatabase("a WhatsApp Cloud API resident", (provider) => {
  let rig: WhatsappRig;
  beforeAll(async () => {
    rig = await startWhatsappRig(provider);
  });
  afterAll(async () => rig?.close());

  it("reports a melding with a photo and a location, and lands in the right tandem", async () => {
    const waId = "31612340001";
    let seen = 0;
    /** Delivers one message and returns the bot's new replies as WhatsApp received them. */
    const turn = async (message: Record<string, unknown>) => {
      await rig.deliver(message);
      const all = await rig.delivered(waId);
      const fresh = all.slice(seen);
      seen = all.length;
      expect(fresh.length, "the bot should answer").toBeGreaterThan(0);
      return fresh;
    };

    const welcome = await turn(incoming.text(waId, "hoi"));
    expect(texts(welcome)).toContain("Ik ben Wijklijn");
    expect(welcome.at(-1)).toMatchObject({ kind: "button", options: ["Ja", "Nee"], text: expect.stringContaining("Vind je dat goed?") });

    const consent = await turn(incoming.buttonReply(waId, "yes", "Ja"));
    expect(texts(consent)).toContain("Dank je wel");
    expect(consent.at(-1)).toMatchObject({ kind: "button", options: ["Weet ik niet", "Kies uit lijst"], text: expect.stringContaining("postcode") });

    const place = await turn(incoming.text(waId, "ik woon op 5731 bc 12"));
    expect(place.at(-1)).toMatchObject({ kind: "button", options: ["Ja", "Nee"], text: expect.stringContaining("Luchen. Klopt dat?") });

    const menu = await turn(incoming.buttonReply(waId, "yes", "Ja"));
    expect(texts(menu)).toContain("je wijk is Luchen");
    const list = menu.at(-1);
    expect(list).toMatchObject({ kind: "list", text: expect.stringContaining("Waarmee kan ik je helpen?") });
    expect(list?.options).toEqual(expect.arrayContaining(["Iets melden", "Praten met een mens"]));
    expect(list?.body).toMatchObject({ interactive: { action: { button: "Kies" } } });

    const askWhat = await turn(incoming.listReply(waId, "melding", "Iets melden"));
    expect(texts(askWhat)).toContain("Wat wil je melden?");

    const photo = await turn(incoming.text(waId, "Er ligt al een week een berg zwerfafval bij de speeltuin"));
    expect(photo.at(-1)).toMatchObject({ kind: "button", options: ["Geen foto"], text: expect.stringContaining("foto") });

    const where = await turn(incoming.image(waId, "1479537139650973"));
    expect(texts(where)).toContain("Waar is het precies?");

    const involve = await turn(incoming.location(waId, 51.4501, 5.6193));
    expect(involve.at(-1)).toMatchObject({ kind: "button", options: ["Ja, ik help mee", "Ja, met mijn buren", "Nee, liever niet"] });

    const contact = await turn(incoming.buttonReply(waId, "buren", "Ja, met mijn buren"));
    expect(contact.at(-1)).toMatchObject({ kind: "button", options: ["Ja, hier in de chat", "Nee, alleen melden"], text: expect.stringContaining("reactie van de gemeente") });

    const done = await turn(incoming.buttonReply(waId, "chat", "Ja, hier in de chat"));
    expect(texts(done)).toContain("gebiedsregisseur van Luchen");
    expect(texts(done)).toMatch(/WL-\d{4}-\d+/);

    const db = rig.harness.t.db;
    const identity = await db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "whatsapp", externalId: waId } } });
    const conversation = await db.conversation.findFirstOrThrow({
      where: { channelIdentityId: identity.id },
      orderBy: { createdAt: "desc" },
      include: { wijk: true, tandem: true, messages: { where: { direction: "in" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] } },
    });
    expect(conversation).toMatchObject({ channel: "whatsapp", status: "open", intent: "melding", theme: "afval" });
    expect(conversation.wijk?.slug).toBe("luchen");
    expect(conversation.tandem?.slug).toBe("mierlo");
    expect(conversation.messages.some((m) => m.mediaRef === "photo:1479537139650973")).toBe(true);
    expect(conversation.messages.some((m) => m.latitude === 51.4501 && m.longitude === 5.6193)).toBe(true);
    expect(conversation.messages.find((m) => m.value === "buren")?.text).toBe("Ja, met mijn buren");

    // Privacy: the profile name is not stored, and the channel logged neither number nor text.
    expect(JSON.stringify(await db.message.findMany())).not.toContain(PROFILE_NAME);
    expect(JSON.stringify(await db.channelIdentity.findMany())).not.toContain(PROFILE_NAME);
    const logs = rig.logs.join("\n");
    expect(logs).not.toContain(waId);
    expect(logs).not.toContain("zwerfafval");
  });

  it("stores a webhook delivered twice once, and answers once", async () => {
    const waId = "31612340002";
    const body = webhookBody([incoming.text(waId, "hoi")]);
    const first = await postWebhook(rig.url, body);
    expect(first.status).toBe(200);
    const answered = await rig.delivered(waId);
    expect(answered.length).toBeGreaterThan(0);

    const again = await postWebhook(rig.url, body);
    expect(again.status).toBe(200);
    expect(await rig.delivered(waId)).toEqual(answered);
    expect(await rig.harness.t.db.message.count({ where: { channel: "whatsapp", direction: "in", conversation: { channelIdentity: { externalId: waId } } } })).toBe(1);
  });

  it("delivers every reply once and in order while WhatsApp answers 429 and then 500s", async () => {
    const waId = "31612340003";
    rig.fake.failNext(1, { kind: "rate-limit", retryAfterSeconds: 0.2 });
    rig.fake.failNext(3, { kind: "server-error" });
    await rig.deliver(incoming.text(waId, "hoi"));
    const welcome = await rig.delivered(waId);
    rig.fake.failNext(2, { kind: "server-error" });
    await rig.deliver(incoming.buttonReply(waId, "yes", "Ja"));
    const all = await rig.delivered(waId);

    expect(texts(welcome)).toContain("Ik ben Wijklijn");
    expect(texts(all.slice(welcome.length))).toContain("Dank je wel");
    const refused = rig.fake.calls.filter((call) => call.to === waId && call.status !== 200).map((call) => call.status);
    expect(refused).toEqual([429, 500, 500, 500, 500, 500]);
    // Once each: no text reached the resident twice.
    expect(new Set(all.map((m) => m.text)).size).toBe(all.length);
  });

  it("stores several messages of one webhook in their order", async () => {
    const waId = "31612340004";
    const first = incoming.text(waId, "hoi");
    const second = incoming.buttonReply(waId, "yes", "Ja");
    await rig.deliver(first, second);
    await rig.delivered(waId);
    const stored = await rig.harness.t.db.message.findMany({
      where: { direction: "in", conversation: { channelIdentity: { externalId: waId } } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    expect(stored.map((m) => m.channelMessageId)).toEqual([first.id, second.id]);
  });
});
