import { describe, expect, it } from "vitest";
import { renderGraphMessages, renderGraphReaction, shorten, splitText, type GraphMessage } from "../../../src/channels/whatsapp-cloud/renderOutbound.ts";
import { GraphRequestSchema } from "../../fakes/graphApi.ts";

const TO = "31612345678";
/** The list button's text as flows/globals.yaml has it. */
const TEXTS = { listButton: "Kies" };
const buttons = (...labels: string[]) => labels.map((label, index) => ({ label, value: `v${index + 1}` }));

/** The single rendered body, checked against the limits the fake Graph API enforces. */
function one(messages: GraphMessage[]): GraphMessage {
  expect(messages).toHaveLength(1);
  const [message] = messages;
  if (!message) throw new Error("nothing rendered");
  GraphRequestSchema.parse(message);
  return message;
}

describe("rendering outbound messages for WhatsApp", () => {
  it("sends a photo as an image message by link with the text as its caption, or the photo and then the text when it is too long for a caption", () => {
    const image = { url: "https://www.geldrop-mierlo.nl/speeltuin.jpg" };
    expect(one(renderGraphMessages(TO, { text: "De speeltuin is open.", buttons: [], image }, TEXTS))).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: TO,
      type: "image",
      image: { link: image.url, caption: "De speeltuin is open." },
    });
    const long = "Lang. ".repeat(300).trim();
    const [photo, ...text] = renderGraphMessages(TO, { text: long, buttons: [], image }, TEXTS);
    expect(photo).toMatchObject({ type: "image", image: { link: image.url } });
    expect(photo && "image" in photo ? photo.image.caption : "none").toBeUndefined();
    expect(text).toMatchObject([{ type: "text", text: { body: long } }]);
    for (const body of [photo, ...text]) expect(GraphRequestSchema.safeParse(body).success).toBe(true);
  });

  it("sends plain text without link previews", () => {
    expect(one(renderGraphMessages(TO, { text: "Dank je wel!", buttons: [] }, TEXTS))).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: TO,
      type: "text",
      text: { body: "Dank je wel!", preview_url: false },
    });
  });

  it("renders up to three short choices as reply buttons", () => {
    const message = one(
      renderGraphMessages(
        TO,
        {
          text: "Vind je dat goed?",
          buttons: [
            { label: "Ja", value: "yes" },
            { label: "Nee", value: "no" },
          ],
        },
        TEXTS,
      ),
    );
    expect(message).toMatchObject({
      type: "interactive",
      interactive: {
        type: "button",
        body: { text: "Vind je dat goed?" },
        action: {
          buttons: [
            { type: "reply", reply: { id: "yes", title: "Ja" } },
            { type: "reply", reply: { id: "no", title: "Nee" } },
          ],
        },
      },
    });
  });

  it("uses a list when one of three labels is longer than a button title (20)", () => {
    const message = one(renderGraphMessages(TO, { text: "Hoe?", buttons: buttons("Ja", "Yes, with my neighbours", "Nee") }, TEXTS));
    expect(message).toMatchObject({
      type: "interactive",
      interactive: {
        type: "list",
        action: {
          button: "Kies",
          sections: [
            {
              rows: [
                { id: "v1", title: "Ja" },
                { id: "v2", title: "Yes, with my neighbours" },
                { id: "v3", title: "Nee" },
              ],
            },
          ],
        },
      },
    });
  });

  it("renders four to ten choices as a list behind a 'Kies' button", () => {
    const labels = ["Iets melden", "Een idee delen", "Wat speelt er?", "Dialoogtafels", "Wijkberichten", "Praten met een mens", "Mijn gegevens"];
    const message = one(renderGraphMessages(TO, { text: "Waarmee kan ik je helpen?", buttons: buttons(...labels) }, TEXTS));
    if (message.type !== "interactive" || message.interactive.type !== "list") throw new Error("expected a list");
    expect(message.interactive.action.button).toBe("Kies");
    expect(message.interactive.action.sections[0]?.rows.map((r) => r.title)).toEqual(labels);
  });

  it("shortens a long row title and gives the whole label in the description", () => {
    const long = "Straat, stoep of lantaarnpaal";
    const message = one(renderGraphMessages(TO, { text: "Waar gaat het over?", buttons: buttons("Afval", "Groen", "Verkeer", long) }, TEXTS));
    if (message.type !== "interactive" || message.interactive.type !== "list") throw new Error("expected a list");
    const row = message.interactive.action.sections[0]?.rows[3];
    expect(row?.title).toBe("Straat, stoep of lantaa…");
    expect(row?.title.length).toBeLessThanOrEqual(24);
    expect(row?.description).toBe(long);
  });

  it("keeps a row description within 72 characters", () => {
    const message = one(renderGraphMessages(TO, { text: "Kies", buttons: buttons("a", "b", "c", "d".repeat(100)) }, TEXTS));
    if (message.type !== "interactive" || message.interactive.type !== "list") throw new Error("expected a list");
    expect(message.interactive.action.sections[0]?.rows[3]?.description).toHaveLength(72);
  });

  it("falls back to a numbered list in text for more than ten choices", () => {
    const labels = Array.from({ length: 11 }, (_, i) => `Wijk ${i + 1}`);
    const message = one(renderGraphMessages(TO, { text: "Kies je wijk:", buttons: buttons(...labels) }, TEXTS));
    expect(message).toMatchObject({ type: "text", text: { body: expect.stringContaining("Kies je wijk:\n\n1. Wijk 1\n") } });
    expect(message.type === "text" && message.text.body.endsWith("11. Wijk 11")).toBe(true);
  });

  it("falls back to a numbered list when the question is longer than an interactive body (1024)", () => {
    const text = "x".repeat(1025);
    const message = one(
      renderGraphMessages(
        TO,
        {
          text,
          buttons: [
            { label: "Ja", value: "yes" },
            { label: "Nee", value: "no" },
          ],
        },
        TEXTS,
      ),
    );
    expect(message).toMatchObject({ type: "text", text: { body: `${text}\n\n1. Ja\n2. Nee` } });
  });

  it("splits text longer than 4096 characters at word boundaries", () => {
    const text = Array.from({ length: 1500 }, (_, i) => `woord${i}`).join(" ");
    const messages = renderGraphMessages(TO, { text, buttons: [] }, TEXTS);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) GraphRequestSchema.parse(message);
    expect(messages.map((m) => (m.type === "text" ? m.text.body : "")).join(" ")).toBe(text);
  });
});

describe("shortening and splitting", () => {
  it("never cuts an emoji in half", () => {
    expect(shorten("Praten met een mens 🙂🙂🙂", 22)).toBe("Praten met een mens…");
    expect(shorten("abc🙂def", 5)).toBe("abc…");
    expect(splitText("🙂".repeat(3000), 4096).every((piece) => !/[\ud800-\udbff]$/.test(piece))).toBe(true);
  });

  it("leaves short text alone", () => {
    expect(shorten("Ja", 20)).toBe("Ja");
    expect(splitText("hoi")).toEqual(["hoi"]);
  });
});

describe("renderGraphReaction", () => {
  it("reacts on the resident's message by its wamid, as the Graph API takes it", () => {
    const body = renderGraphReaction(TO, "wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQUI000001A", "👍");
    expect(body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: TO,
      type: "reaction",
      reaction: { message_id: "wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQUI000001A", emoji: "👍" },
    });
    GraphRequestSchema.parse(body);
  });
});
