/**
 * Characters a database cannot store (NUL on PostgreSQL, lone surrogates on both) in every field
 * of a platform message, not only its text: ids, media references, the message type, the
 * language. A platform that got a 5xx would deliver the message again, forever.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/db.ts";
import { type AbuseRig, startAbuseRig, WHATSAPP_PHONE_NUMBER_ID, waitUntil } from "./abuseRig.ts";

const ODD = "\u0000\uDC00\uD83Dx";

describeEachDatabase("abuse: unstorable characters in every field of a platform message", (provider) => {
  let rig: AbuseRig;
  beforeAll(async () => {
    rig = await startAbuseRig(provider);
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  // Messages that came in from a platform (the demo gemeente's illustrative history has no platform id).
  const storedIn = (channel: string) =>
    rig.service.db.message.findMany({ where: { channel, direction: "in", channelMessageId: { not: null } }, select: { text: true, mediaRef: true, channelMessageId: true, processedAt: true } });

  it("stores and handles a WhatsApp message of an unknown type, with odd characters in its type, id, sender and text", async () => {
    const messages = [
      { from: "31612349901", id: `wamid.odd.1${ODD}`, timestamp: "1764700000", type: `nieuw${ODD}`, [`nieuw${ODD}`]: {} },
      { from: `3161234\u00009902`, id: "wamid.odd.2", timestamp: "1764700000", type: "text", text: { body: `hoi${ODD}` } },
      { from: "31612349903", id: "wamid.odd.3", timestamp: "1764700000", type: "image", image: { id: `media${ODD}`, mime_type: "image/jpeg", caption: ODD } },
    ];
    const body = {
      object: "whatsapp_business_account",
      entry: [
        { id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "31402345678", phone_number_id: WHATSAPP_PHONE_NUMBER_ID }, messages } }] },
      ],
    };
    const res = await rig.postWhatsapp(body);
    expect(res.status).toBe(200);
    await waitUntil(async () => (await storedIn("whatsapp")).length === 3 && (await storedIn("whatsapp")).every((m) => m.processedAt !== null), "the three messages are stored and handled");
    const stored = await storedIn("whatsapp");
    expect(stored.map((m) => m.mediaRef)).toContain("document:unsupported:nieuw\uFFFD\uFFFDx");
    expect(stored.map((m) => m.mediaRef)).toContain("photo:media\uFFFD\uFFFDx");
    expect(stored.map((m) => m.text)).toContain("hoi\uFFFD\uFFFDx");
    // Delivered again, it is recognised as the same message.
    expect((await rig.postWhatsapp(body)).status).toBe(200);
    expect(await storedIn("whatsapp")).toHaveLength(3);
  });

  it("stores and handles Telegram messages with odd characters in the text, a file id and the language", async () => {
    const from = { id: 730_001, is_bot: false, first_name: "Anneke", language_code: `n${ODD}` };
    const chat = { id: 730_001, type: "private" };
    const updates = [
      { update_id: 1, message: { message_id: 1, date: 1_764_700_000, chat, from, text: `hoi${ODD}` } },
      { update_id: 2, message: { message_id: 2, date: 1_764_700_000, chat, from, sticker: { file_id: `sticker${ODD}`, file_unique_id: "u" } } },
      { update_id: 3, callback_query: { id: `cb${ODD}`, from, chat_instance: "1", data: `ja${ODD}` } },
    ];
    for (const update of updates) expect((await rig.postTelegram(update)).status).toBe(200);
    await waitUntil(async () => (await storedIn("telegram")).length === 3 && (await storedIn("telegram")).every((m) => m.processedAt !== null), "the three messages are stored and handled");
    const stored = await storedIn("telegram");
    expect(stored.map((m) => m.text)).toContain("hoi\uFFFD\uFFFDx");
    expect(stored.map((m) => m.mediaRef)).toContain("sticker:sticker\uFFFD\uFFFDx");
  });
});
