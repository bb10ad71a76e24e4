import { describe, expect, it } from "vitest";
import { previewSegments } from "../../src/wijkberichten/previewSegments.ts";

const TEXT = "Zaterdag is de *buurtschoonmaak*, om _10 uur_. ~Vrijdag~\nKijk op https://www.geldrop-mierlo.nl/schoonmaak.";

describe("how a wijkbericht's text shows per channel", () => {
  it("formats *bold*, _italic_ and ~struck~ on WhatsApp, and makes the address a link without its full stop", () => {
    expect(previewSegments(TEXT, "whatsapp")).toEqual([
      { kind: "text", text: "Zaterdag is de " },
      { kind: "bold", text: "buurtschoonmaak" },
      { kind: "text", text: ", om " },
      { kind: "italic", text: "10 uur" },
      { kind: "text", text: ". " },
      { kind: "strike", text: "Vrijdag" },
      { kind: "break" },
      { kind: "text", text: "Kijk op " },
      { kind: "link", text: "https://www.geldrop-mierlo.nl/schoonmaak" },
      { kind: "text", text: "." },
    ]);
  });

  it("keeps the markers as typed on Telegram and in the web chat (plain text), links still tappable", () => {
    for (const channel of ["telegram", "webchat"] as const) {
      const segments = previewSegments(TEXT, channel);
      expect(segments.filter((s) => s.kind === "bold" || s.kind === "italic" || s.kind === "strike")).toEqual([]);
      expect(segments[0]).toEqual({ kind: "text", text: "Zaterdag is de *buurtschoonmaak*, om _10 uur_. ~Vrijdag~" });
      expect(segments).toContainEqual({ kind: "link", text: "https://www.geldrop-mierlo.nl/schoonmaak" });
    }
  });

  it("leaves a lone asterisk, snake_case words and a bare site alone on WhatsApp, except that the site is a link", () => {
    expect(previewSegments("5 * 3 en pad_naar_huis op www.geldrop-mierlo.nl", "whatsapp")).toEqual([
      { kind: "text", text: "5 * 3 en pad_naar_huis op " },
      { kind: "link", text: "www.geldrop-mierlo.nl" },
    ]);
  });
});
