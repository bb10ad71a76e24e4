import { describe, expect, it } from "vitest";
import { quoteForDigest, redactQuote } from "../../src/digests/redactQuote.ts";

describe("redactQuote", () => {
  it.each([
    ["Ik ben Jan de Vries van de Heuvelstraat 12", "Ik ben [naam] van de [adres]"],
    ["bel 06-12345678", "bel [telefoon]"],
    ["De stoep is kapot. Mijn vrouw heeft dementie en valt steeds. Doe er iets aan!", "De stoep is kapot. [gezondheid] Doe er iets aan!"],
    ["mijn bsn is 123456782", "mijn bsn is [bsn]"],
    ["bel me op +31 6 1234 5678 of (040) 123 4567", "bel me op [telefoon] of [telefoon]"],
    ["mijn buurman Pietersen zet zijn afval buiten", "mijn buurman [naam] zet zijn afval buiten"],
    ["kenteken 12-ABC-3 staat al weken op de stoep", "kenteken [kenteken] staat al weken op de stoep"],
    ["Er staat een busje met XX-999-X op het gras", "Er staat een busje met [kenteken] op het gras"],
    ["Mijn postcode is 5662 AB", "Mijn postcode is [postcode]"],
    ["postcode 5731bc graag", "postcode [postcode] graag"],
    ["mail naar jan@example.nl", "mail naar [e-mail]"],
    ["mijn naam is henk de boer en ik ben boos", "mijn naam is [naam] en ik ben boos"],
    ["Mijn naam is Jan-Willem van der Berg.", "Mijn naam is [naam]."],
    ["ik ben jan", "ik ben [naam]"],
    ["Groeten, Piet", "Groeten, [naam]"],
    ["groeten,\nmarieke jansen", "groeten,\n[naam]"],
    ["Met vriendelijke groet,\nA.B. de Groot", "Met vriendelijke groet,\n[naam]"],
    ["Groetjes van Henk", "Groetjes van [naam]"],
    ["Meneer De Groot van nummer 7 maakt herrie", "Meneer [naam] van [huisnummer] maakt herrie"],
    ["De heer J. de Vries belde al drie keer", "De heer [naam] belde al drie keer"],
    ["Ik woon op de Brink 4 in Mierlo", "Ik woon op [adres] in Mierlo"],
    ["Op het fietspad langs de Dorpsstraat 5a ligt glas", "Op het fietspad langs de [adres] ligt glas"],
    ["IBAN NL91ABNA0417164300 of nl91 abna 0417 1643 00", "IBAN [iban] of [iban]"],
    ["Mijn BSN is 123456789", "Mijn BSN is [nummer]"],
    ["Piet zei dat het onderweg kapot ging", "[naam] zei dat het onderweg kapot ging"],
    ["zie https://example.nl/foto?id=3", "zie [link]"],
  ])("pseudonymises %j", (input, expected) => {
    expect(redactQuote(input)).toBe(expected);
  });

  it.each([
    "Ik ben boos over de kapotte lantaarnpaal",
    "De straat is kapot en de stoep ook",
    "In 2026 en daarna wordt het beter",
    "Groeten uit Mierlo",
    "mijn vrouw en ik vinden het fijn dat er 3 bankjes komen",
    "De bus van 8 uur komt te laat, al 2 weken",
  ])("leaves ordinary words alone: %j", (input) => {
    expect(redactQuote(input)).toBe(input);
  });

  it("leaves nothing of a resident who tells everything at once", () => {
    const text =
      "Hallo, mijn naam is Fatima el Amrani, ik woon aan de Kerkakkers 3, 5731 DA Mierlo. Bel 0612345678 of mail f.elamrani@example.nl. Mijn buurman Bakker heeft kenteken 12-ABC-3. Groeten, Fatima";
    const redacted = redactQuote(text);
    for (const leak of ["Fatima", "Amrani", "Kerkakkers 3", "5731", "0612345678", "example.nl", "Bakker", "12-ABC-3"]) expect(redacted).not.toContain(leak);
    expect(redacted).toContain("Mierlo");
  });

  it("quotes only what is worth quoting, shortened at a word", () => {
    expect(quoteForDigest("Groeten, Piet")).toBeNull();
    const long = `Het gras ${"wordt veel te weinig gemaaid ".repeat(20)}`;
    const quote = quoteForDigest(long, 80) ?? "";
    expect(quote.length).toBeLessThanOrEqual(80);
    expect(quote.endsWith("…")).toBe(true);
    expect(quoteForDigest("  Het   gras\nwordt niet gemaaid bij de school  ")).toBe("Het gras wordt niet gemaaid bij de school");
  });
});
