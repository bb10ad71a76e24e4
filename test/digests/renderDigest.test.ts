import { describe, expect, it } from "vitest";
import { buildWeeklyDigest } from "../../src/digests/buildWeeklyDigest.ts";
import { renderDigest, renderDigestShort } from "../../src/digests/renderDigest.ts";
import { KERKAKKERS, PERSONAL_DATA, weekOfWethouderC } from "./fixtures.ts";

const archiveUrl = "https://wijklijn.example.nl/inbox/digests/2026-W48";
const digest = buildWeeklyDigest(weekOfWethouderC(), "2026-W48");
const rendered = renderDigest(digest, { archiveUrl });

describe("renderDigest", () => {
  it("puts what matters most in the subject", () => {
    expect(rendered.subject).toBe("Wijklijn weekoverzicht week 48: 1 spoedsignaal, 9 nieuwe gesprekken, 2 wachten te lang");
  });

  it("builds the HTML e-mail the way Outlook and Gmail show it: tables, inline styles, no SVG or images, 640px", () => {
    const html = rendered.html;
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<html lang="nl">');
    for (const forbidden of [/<svg/i, /<img/i, /<link/i, /<style/i, /<script/i, /class=/i, /url\(/i, /@import/i]) expect(html).not.toMatch(forbidden);
    expect(html).toContain("max-width:640px");
    expect(html).toContain('<!--[if mso]><table role="presentation" width="640"');
    // Every table is a layout table.
    const tables = html.match(/<table\b[^>]*>/g) ?? [];
    expect(tables.length).toBeGreaterThan(5);
    for (const table of tables) expect(table).toContain('role="presentation"');
  });

  it("draws the bars as coloured table cells with a width, scaled to the largest value", () => {
    const bars = [...rendered.html.matchAll(/<td width="(\d+)%" height="14" bgcolor="#2b7a9b"/g)].map((m) => Number(m[1]));
    // Themes (one scale across wijken, max 3): 1→33% ×5, 3→100%; trend (max 9): 1→11%, 6→67%, 8→89%, 5→56%, 7→78%.
    expect(bars).toEqual([33, 33, 33, 33, 100, 33, 11, 67, 89, 56, 78]);
    // This week in the trend in the darker colour, full width.
    expect(rendered.html).toContain('<td width="100%" height="14" bgcolor="#14536b"');
    expect(rendered.html).toContain("week 48 (deze week)");
  });

  it("has the sections in order of importance, in HTML and in plain text alike", () => {
    const order = [
      "In het kort",
      "Kerncijfers",
      "Wacht het langst",
      "Onderwerpen per wijk",
      "Nieuwe gesprekken per week",
      "Per wijk",
      "Dialoogtafels",
      "Wijknieuws gepubliceerd",
      "Wat bewoners zeggen",
      "Tevredenheid en vertrouwen",
      "Uitleg",
    ];
    const inHtml = order.map((title) => rendered.html.indexOf(`>${title}</h2>`));
    const inText = order.map((title) => rendered.text.indexOf(`\n${title.toUpperCase()}\n-`));
    for (const positions of [inHtml, inText]) {
      expect(positions.every((p) => p > 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
  });

  it("writes the plain-text version with the same figures", () => {
    expect(rendered.text).toContain("Nieuwe gesprekken      9 (+38% t.o.v. gemiddeld 6,5)");
    expect(rendered.text).toContain("Eerste reactie         mediaan 3 werkuren · 90% binnen 11 werkuren · 80% binnen de norm van 8 werkuren (4 van de 5 met een eerste antwoord deze week)");
    expect(rendered.text).toContain("WL-2026-00107  Kerkakkers, overlast: 24 werkuren (boven de norm)");
    expect(rendered.text).toContain("  Verkeer en parkeren  ■■■■■■■■■■■■■■■■■■■■ 3");
    expect(rendered.text).toContain("  week 48  ■■■■■■■■■■■■■■■■■■■■ 9  (deze week)");
    expect(rendered.text).toContain("Nog niet beschikbaar");
    expect(rendered.text).toContain(`Online lezen: ${archiveUrl}`);
  });

  it("shows no resident's personal data anywhere", () => {
    for (const output of [rendered.html, rendered.text, rendered.json, rendered.subject]) {
      for (const leak of PERSONAL_DATA) expect(output).not.toContain(leak);
    }
  });

  it("escapes names in the HTML", () => {
    const hostile = buildWeeklyDigest(weekOfWethouderC({ wijken: [{ ...KERKAKKERS, name: '<script>alert("x")</script>' }] }), "2026-W48");
    const html = renderDigest(hostile).html;
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
  });

  it("makes a short version for a chat app with a link to the whole digest", () => {
    const short = renderDigestShort(digest, archiveUrl);
    expect(short.split("\n")[0]).toBe("Wijklijn weekoverzicht week 48 (23 t/m 29 november 2026)");
    expect(short).toContain("• 2 gesprekken wachten langer dan de servicenorm");
    expect(short.endsWith(`Het hele overzicht: ${archiveUrl}`)).toBe(true);
    expect(short.length).toBeLessThan(1500);
  });
});
