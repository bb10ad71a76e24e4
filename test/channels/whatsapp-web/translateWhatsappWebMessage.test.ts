import { describe, expect, it } from "vitest";
import { parseCoordinate, translateWhatsappWebMessage } from "../../../src/channels/whatsapp-web/translateWhatsappWebMessage.ts";
import { messageFromRawData, raw, type RawMessageData } from "../../fakes/whatsappWebClient.ts";

const RESIDENT = "31612345678@c.us";
const client = { info: { wid: { _serialized: "31850000000@c.us" } } };

/** What the library's "message" event hands over for this raw data. */
const emitted = (data: RawMessageData) => messageFromRawData(client, data);

function accepted(data: RawMessageData) {
  const result = translateWhatsappWebMessage(emitted(data));
  if (!result.accepted) throw new Error(`expected the message to be accepted, it was ignored: ${result.reason}`);
  return result.message;
}

describe("translating whatsapp-web.js messages", () => {
  it("turns a chat message into text, with the sender as address and the serialized id as message id", () => {
    const data = raw.text(RESIDENT, "  Er ligt afval bij de speeltuin ");
    expect(accepted(data)).toEqual({ channel: "whatsapp", externalId: RESIDENT, channelMessageId: data.id._serialized, text: "Er ligt afval bij de speeltuin" });
  });

  it("keeps a @lid sender as the address to answer", () => {
    expect(accepted(raw.text("183739471937201@lid", "hoi")).externalId).toBe("183739471937201@lid");
  });

  it("parses a location's string coordinates into numbers and ignores the thumbnail in its body", () => {
    const data = raw.location(RESIDENT, "51.4105", "5.555", "Speeltuin Heuvelstraat\nHeuvelstraat 1, Mierlo");
    expect(emitted(data).location?.latitude).toBe("51.4105");
    const message = accepted(data);
    expect(message.location).toEqual({ lat: 51.4105, lon: 5.555 });
    expect(message.text).toBeUndefined();
  });

  it("accepts negative and numeric coordinates too", () => {
    expect(accepted(raw.location(RESIDENT, "-33.8688", "151.2093")).location).toEqual({ lat: -33.8688, lon: 151.2093 });
    expect(translateWhatsappWebMessage({ ...emitted(raw.location(RESIDENT, "0", "0")), location: { latitude: 52.1, longitude: 4.3 } })).toMatchObject({
      accepted: true,
      message: { location: { lat: 52.1, lon: 4.3 } },
    });
  });

  it("ignores a location whose coordinates are not numbers or out of range", () => {
    expect(translateWhatsappWebMessage(emitted(raw.location(RESIDENT, "", "5.5")))).toEqual({ accepted: false, reason: "invalid-location" });
    expect(translateWhatsappWebMessage(emitted(raw.location(RESIDENT, "91", "5.5")))).toEqual({ accepted: false, reason: "invalid-location" });
    expect(parseCoordinate("abc", 90)).toBeNull();
    expect(parseCoordinate(" 5.25 ", 180)).toBe(5.25);
  });

  it("turns an image into a photo referenced by its message id, without downloading it, and keeps the caption", () => {
    const data = raw.image(RESIDENT, "kijk maar");
    expect(accepted(data)).toEqual({ channel: "whatsapp", externalId: RESIDENT, channelMessageId: data.id._serialized, text: "kijk maar", media: { ref: data.id._serialized, kind: "photo" } });
    expect(accepted(raw.image(RESIDENT)).text).toBeUndefined();
  });

  it.each([
    ["a voice note (ptt)", raw.voiceNote(RESIDENT), "voice"],
    ["an audio file", raw.audio(RESIDENT), "voice"],
    ["a video", raw.video(RESIDENT), "video"],
    ["a document", raw.document(RESIDENT, "brief.pdf"), "document"],
    ["a sticker", raw.sticker(RESIDENT), "sticker"],
  ] as const)("turns %s into its media kind", (_name, data, kind) => {
    const message = accepted(data);
    expect(message.media).toEqual({ ref: data.id._serialized, kind });
    expect(message.text).toBeUndefined();
  });

  it("turns a contact card into something the bot asks to type, rather than staying silent", () => {
    expect(accepted(raw.contactCard(RESIDENT)).media?.kind).toBe("document");
  });

  it("ignores our own messages, status updates, groups and system notices", () => {
    expect(translateWhatsappWebMessage(emitted(raw.own(RESIDENT, "Dank je wel!")))).toEqual({ accepted: false, reason: "own-message" });
    expect(translateWhatsappWebMessage(emitted(raw.status(RESIDENT, "op vakantie")))).toEqual({ accepted: false, reason: "status" });
    expect(translateWhatsappWebMessage(emitted(raw.groupText("120363041234567890@g.us", RESIDENT, "hoi")))).toEqual({ accepted: false, reason: "group" });
    expect(translateWhatsappWebMessage(emitted(raw.notice(RESIDENT)))).toEqual({ accepted: false, reason: "system" });
  });

  it("refuses what is not a message at all", () => {
    expect(translateWhatsappWebMessage(null)).toEqual({ accepted: false, reason: "unreadable" });
    expect(translateWhatsappWebMessage({ from: RESIDENT, type: "chat" })).toEqual({ accepted: false, reason: "unreadable" });
  });
});
