/**
 * The welcome and the consent question are short together (fresh-eyes test, session 5: a 90-word
 * wall before anything else). At most 40 words in Dutch and in English (M12: shorter still, the privacy link on its own line); the rest is on the privacy page.
 */
import { describe, expect, it } from "vitest";
import { loadFlows } from "../../src/conversation/loadFlows.ts";

describe("the welcome with the consent question", () => {
  const welkom = loadFlows().flows.get("welkom");
  const text = (id: string, lang: "nl" | "en"): string => {
    const step = welkom?.steps[id];
    return step && (step.type === "say" || step.type === "ask") ? step.text[lang] : "";
  };
  for (const lang of ["nl", "en"] as const) {
    it(`is at most 40 words (${lang}) and says it is a bot, what it keeps, where to read more and asks`, () => {
      const both = `${text("intro", lang)} ${text("consent", lang)}`.replace(/\{\{resident\.gemeente\}\}/g, "Geldrop-Mierlo");
      expect(both.split(/\s+/).filter(Boolean).length).toBeLessThanOrEqual(40);
      expect(both).toMatch(lang === "nl" ? /chatbot.*geen mens/ : /chatbot.*not a person/);
      // A person is reachable, and 112 in an emergency.
      expect(both).toMatch(lang === "nl" ? /Typ 'mens'/ : /Type 'human'/);
      expect(both).toContain("112");
      expect(both).toMatch(lang === "nl" ? /bewaar je berichten/ : /keep your messages/);
      // The privacy link on a line of its own with a short label, not in the middle of a sentence.
      expect(text("intro", lang)).toMatch(/\nPrivacy: \{\{resident\.privacyUrl\}\}$/);
      expect(text("consent", lang)).not.toContain("{{resident.privacyUrl}}");
      expect(both).toMatch(lang === "nl" ? /Vind je dat goed\?$/ : /Is that okay\?$/);
    });
  }
});
