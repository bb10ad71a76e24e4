import { describe, expect, it } from "vitest";
import { findSensitiveData, maskSensitiveData, passesElfproef, passesIbanCheck, redactorFor, sensitiveKinds } from "../../src/privacy/sensitiveData.ts";

const kinds = (text: string) => findSensitiveData(text).map((finding) => finding.kind);
const mask = (text: string) => maskSensitiveData(text, findSensitiveData(text));

describe("the elfproef and the IBAN check", () => {
  it("accepts real-looking BSNs and refuses numbers that fail the elfproef", () => {
    expect(passesElfproef("111222333")).toBe(true);
    expect(passesElfproef("123456782")).toBe(true);
    expect(passesElfproef("123456789")).toBe(false);
    expect(passesElfproef("000000000")).toBe(false);
    expect(passesElfproef("12345678")).toBe(false);
  });

  it("accepts valid IBANs and refuses a changed digit or a wrong length", () => {
    expect(passesIbanCheck("NL91ABNA0417164300")).toBe(true);
    expect(passesIbanCheck("BE68539007547034")).toBe(true);
    expect(passesIbanCheck("DE89370400440532013000")).toBe(true);
    expect(passesIbanCheck("NL91ABNA0417164301")).toBe(false);
    expect(passesIbanCheck("NL91ABNA041716430")).toBe(false);
  });
});

describe("findSensitiveData", () => {
  it.each([
    ["mijn bsn is 123456782", ["bsn"]],
    ["BSN: 1234.56.782 graag", ["bsn"]],
    ["burgerservicenummer 123 456 782.", ["bsn"]],
    ["stort het op NL91ABNA0417164300 alsjeblieft", ["iban"]],
    ["rekening nl91 abna 0417 1643 00 is van mij", ["iban"]],
    ["mijn buurman heeft dementie en dwaalt 's nachts rond", ["medisch"]],
    ["Ik gebruik medicijnen en kan niet slapen van de herrie", ["medisch"]],
    ["My doctor gave me a diagnosis of cancer", ["medisch", "medisch"]],
    ["bsn 111222333 en NL02ABNA0123456789", ["bsn", "iban"]],
  ])("finds what %j holds", (text, expected) => {
    expect(kinds(text)).toEqual(expected);
  });

  it.each([
    ["bel me op 0612345678"],
    ["mijn nummer is +31 6 12345678"],
    ["+31 612 345 678"],
    ["06-12345678 of 040-2345678"],
    ["ik woon op 5662 AB 12"],
    ["mijn melding WL-2026-00042 is nog niet opgelost"],
    ["bestelnummer 123456789 is niet geleverd"],
    ["ordernummer 987654321"],
    ["factuur 2026-123456782-1"],
    ["de lantaarnpaal bij nummer 14 is al 3 weken kapot"],
    ["ik ben ziek van de herrie, ik heb pijn in mijn oren, de dokter zegt rust"],
    ["de zorgcoördinator heeft een diagnostisch gesprek gehad"],
    ["kenteken NL-123-AB staat al weken op de stoep"],
    ["NL12 is geen rekeningnummer"],
  ])("finds nothing in the look-alike %j", (text) => {
    expect(findSensitiveData(text)).toEqual([]);
  });

  it("names each kind once, in a fixed order", () => {
    expect(sensitiveKinds(findSensitiveData("diabetes, NL91ABNA0417164300, 123456782 en 111222333"))).toEqual(["bsn", "iban", "medisch"]);
  });
});

describe("maskSensitiveData", () => {
  it("masks a BSN and an IBAN by their marks and keeps the rest", () => {
    expect(mask("Mijn BSN is 123456782 en mijn rekening NL91 ABNA 0417 1643 00. De stoep is kapot.")).toBe("Mijn BSN is [BSN verwijderd] en mijn rekening [IBAN verwijderd]. De stoep is kapot.");
  });

  it("removes the sentence with a health word, and keeps the others", () => {
    expect(mask("De stoep is kapot. Mijn moeder heeft dementie en valt snel. Kunt u iets doen?")).toBe("De stoep is kapot. [medische gegevens verwijderd] Kunt u iets doen?");
    expect(mask("Ik heb diabetes. En ik slik medicijnen. De lift doet het niet.")).toBe("[medische gegevens verwijderd] De lift doet het niet.");
  });

  it("redacts the same data in a copy that is formatted differently, and nothing else", () => {
    const redact = redactorFor(findSensitiveData("mijn bsn is 123456782"));
    expect(redact("Omschrijving: mijn bsn is 1234.56.782 (en 111222333)")).toBe("Omschrijving: mijn bsn is [BSN verwijderd] (en 111222333)");
    expect(redact("niets bijzonders")).toBe("niets bijzonders");
  });
});
