/** One message per turn where the platform allows (domain/messages.ts mergeBubbles). */
import { describe, expect, it } from "vitest";
import { MAX_TEXT_WITH_BUTTONS, mergeBubbles } from "../../src/domain/messages.ts";

const yesNo = [
  { label: "Ja", value: "yes" },
  { label: "Nee", value: "no" },
];

describe("joining a turn's bubbles", () => {
  it("joins plain texts to the question after them, buttons and expected answer kept", () => {
    expect(
      mergeBubbles([
        { text: "Top, je wijk is Luchen.", buttons: [] },
        { text: "Heb je een foto?", buttons: [{ label: "Geen foto", value: "skip" }], input: "photo" },
      ]),
    ).toEqual([{ text: "Top, je wijk is Luchen.\n\nHeb je een foto?", buttons: [{ label: "Geen foto", value: "skip" }], input: "photo" }]);
  });

  it("never joins onto a bubble that has buttons or expects an answer", () => {
    const first = { text: "Vind je dat goed?", buttons: yesNo };
    const asking = { text: "Wat wil je melden?", buttons: [], input: "text" as const };
    expect(mergeBubbles([first, { text: "Nog iets.", buttons: [] }])).toHaveLength(2);
    expect(mergeBubbles([asking, { text: "Nog iets.", buttons: [] }])).toHaveLength(2);
  });

  it("leaves two bubbles when the joined text would pass the limit for a message with buttons", () => {
    const long = { text: "a".repeat(MAX_TEXT_WITH_BUTTONS - 5), buttons: [] };
    expect(mergeBubbles([long, { text: "Klopt dat?", buttons: yesNo }])).toHaveLength(2);
    expect(mergeBubbles([long, { text: "Dank je.", buttons: [] }])).toHaveLength(1);
  });

  it("joins three plain texts into one", () => {
    expect(mergeBubbles(["Een.", "Twee.", "Drie?"].map((text) => ({ text, buttons: [] })))).toEqual([{ text: "Een.\n\nTwee.\n\nDrie?", buttons: [] }]);
  });

  it("never joins a reaction with a text: it stays its own send, on the resident's message", () => {
    const reaction = { text: "", buttons: [], reaction: { emoji: "👍", messageId: "m1" } };
    expect(mergeBubbles([{ text: "Dank je.", buttons: [] }, reaction, { text: "Nog iets?", buttons: [] }])).toEqual([{ text: "Dank je.", buttons: [] }, reaction, { text: "Nog iets?", buttons: [] }]);
  });
});
