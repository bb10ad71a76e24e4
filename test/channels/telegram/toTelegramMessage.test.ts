import { describe, expect, it } from "vitest";
import { splitText, toTelegramMessage, toTelegramReaction } from "../../../src/channels/telegram/toTelegramMessage.ts";
import type { OutboundPayload } from "../../../src/domain/messages.ts";

const options = { maxButtons: 8, locationButtonLabel: "📍 Deel mijn locatie", replyKeyboardShown: false };
const payload = (fields: Partial<OutboundPayload> & { text: string }): OutboundPayload => ({ buttons: [], ...fields });

describe("toTelegramMessage", () => {
  it("sends a photo with the text as its caption (sendPhoto)", () => {
    const rendered = toTelegramMessage(payload({ text: "De nieuwe speeltuin.", image: { url: "https://example.nl/speeltuin.jpg" } }), options);
    expect(rendered.parts).toEqual([{ photo: "https://example.nl/speeltuin.jpg", text: "De nieuwe speeltuin." }]);
  });

  it("sends a photo alone, then the text, when the text is longer than a caption may be (1024)", () => {
    const text = "Lang bericht. ".repeat(100).trim();
    const rendered = toTelegramMessage(payload({ text, image: { url: "https://example.nl/speeltuin.jpg" } }), options);
    expect(rendered.parts).toEqual([{ photo: "https://example.nl/speeltuin.jpg", text: "" }, { text }]);
  });

  it("sends plain text as it is, without a keyboard", () => {
    expect(toTelegramMessage(payload({ text: "Dank je wel!" }), options)).toEqual({ parts: [{ text: "Dank je wel!" }], replyKeyboardShown: false });
  });

  it("puts short buttons two to a row, with the value as callback data", () => {
    const rendered = toTelegramMessage(
      payload({
        text: "Klopt dat?",
        buttons: [
          { label: "Ja", value: "yes" },
          { label: "Nee", value: "no" },
        ],
        input: "yesno",
      }),
      options,
    );
    expect(rendered.parts).toEqual([
      {
        text: "Klopt dat?",
        reply_markup: {
          inline_keyboard: [
            [
              { text: "Ja", callback_data: "yes" },
              { text: "Nee", callback_data: "no" },
            ],
          ],
        },
      },
    ]);
  });

  it("puts long labels one to a row", () => {
    const rendered = toTelegramMessage(
      payload({
        text: "Waarmee kan ik je helpen?",
        buttons: [
          { label: "Iets melden", value: "melding" },
          { label: "Praten met een mens", value: "contact" },
        ],
      }),
      options,
    );
    expect(rendered.parts[0]?.reply_markup).toEqual({ inline_keyboard: [[{ text: "Iets melden", callback_data: "melding" }], [{ text: "Praten met een mens", callback_data: "contact" }]] });
  });

  it("shows more buttons than fit as a numbered list", () => {
    const buttons = Array.from({ length: 9 }, (_, i) => ({ label: `Wijk ${i + 1}`, value: `wijk-${i + 1}` }));
    const rendered = toTelegramMessage(payload({ text: "Kies je wijk:", buttons }), options);
    expect(rendered.parts).toEqual([{ text: expect.stringContaining("9. Wijk 9") }]);
    expect(rendered.parts[0]?.text).toMatch(/^Kies je wijk:\n\n1\. Wijk 1\n/);
  });

  it("falls back to a numbered list when a value is longer than Telegram's 64 bytes of callback data", () => {
    const rendered = toTelegramMessage(
      payload({
        text: "Kies:",
        buttons: [
          { label: "Kort", value: "a" },
          { label: "Lang", value: "é".repeat(40) },
        ],
      }),
      options,
    );
    expect(rendered.parts).toEqual([{ text: "Kies:\n\n1. Kort\n2. Lang" }]);
  });

  it("offers 'share my location' on a reply keyboard for a postcode question, with the buttons as labels", () => {
    const rendered = toTelegramMessage(payload({ text: "Stuur je postcode of deel je locatie.", buttons: [{ label: "Kies uit lijst", value: "skip" }], input: "postcode" }), options);
    expect(rendered.replyKeyboardShown).toBe(true);
    expect(rendered.parts[0]?.reply_markup).toEqual({
      keyboard: [[{ text: "📍 Deel mijn locatie", request_location: true }], [{ text: "Kies uit lijst" }]],
      resize_keyboard: true,
      one_time_keyboard: true,
    });
  });

  it("removes a reply keyboard with the next message that has no buttons", () => {
    const rendered = toTelegramMessage(payload({ text: "Top, je wijk is Luchen." }), { ...options, replyKeyboardShown: true });
    expect(rendered).toEqual({ parts: [{ text: "Top, je wijk is Luchen.", reply_markup: { remove_keyboard: true } }], replyKeyboardShown: false });
  });

  it("keeps inline buttons when a reply keyboard is still shown (a message has one keyboard)", () => {
    const rendered = toTelegramMessage(payload({ text: "Klopt dat?", buttons: [{ label: "Ja", value: "yes" }] }), { ...options, replyKeyboardShown: true });
    expect(rendered.replyKeyboardShown).toBe(true);
    expect(rendered.parts[0]?.reply_markup).toEqual({ inline_keyboard: [[{ text: "Ja", callback_data: "yes" }]] });
  });

  it("sends a joined bubble as its two paragraphs when a reply keyboard must go and inline buttons come", () => {
    const rendered = toTelegramMessage(payload({ text: "Top, je wijk is Luchen.\n\nWaarmee kan ik je helpen?", buttons: [{ label: "Iets melden", value: "melding" }] }), {
      ...options,
      replyKeyboardShown: true,
    });
    expect(rendered).toEqual({
      parts: [
        { text: "Top, je wijk is Luchen.", reply_markup: { remove_keyboard: true } },
        { text: "Waarmee kan ik je helpen?", reply_markup: { inline_keyboard: [[{ text: "Iets melden", callback_data: "melding" }]] } },
      ],
      replyKeyboardShown: false,
    });
  });

  it("splits text longer than 4096 characters, with the keyboard on the last part", () => {
    const text = `${"Een lange zin over de wijk. ".repeat(200)}Klopt dat?`;
    const rendered = toTelegramMessage(payload({ text, buttons: [{ label: "Ja", value: "yes" }] }), options);
    expect(rendered.parts).toHaveLength(2);
    expect(rendered.parts[0]?.reply_markup).toBeUndefined();
    expect(rendered.parts[1]?.reply_markup).toBeDefined();
    expect(rendered.parts.every((part) => part.text.length <= 4096)).toBe(true);
    expect(rendered.parts.map((p) => p.text).join(" ")).toBe(text.replace(/\s+$/, ""));
  });
});

describe("splitText", () => {
  it("breaks at a space, never inside a word", () => {
    expect(splitText("aaaa bbbb cccc", 10)).toEqual(["aaaa bbbb", "cccc"]);
  });

  it("cuts a word longer than the limit", () => {
    expect(splitText("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
  });
});

describe("toTelegramReaction", () => {
  it("reacts on the resident's message by the chat and message id it was stored under", () => {
    expect(toTelegramReaction("610001:1042", "👍")).toEqual({ kind: "call", call: { chatId: 610001, messageId: 1042, reaction: [{ type: "emoji", emoji: "👍" }] } });
  });

  it("has nothing to react to for a button tap (stored by its callback id)", () => {
    expect(toTelegramReaction("cb:5001", "👍")).toEqual({ kind: "none" });
  });

  it("refuses an emoji Telegram does not let bots use, rather than sending it", () => {
    expect(toTelegramReaction("610001:1042", "✅")).toEqual({ kind: "refused" });
  });
});
