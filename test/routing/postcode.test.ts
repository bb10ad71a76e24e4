import { describe, expect, it } from "vitest";
import { normalisePostcode, parsePostcode } from "../../src/routing/postcode.ts";

describe("parsePostcode", () => {
  it.each([
    ["5662AB", "5662", "AB"],
    ["5662 ab", "5662", "AB"],
    ["5662-AB", "5662", "AB"],
    ["5662  AB", "5662", "AB"],
    ["  5662ab  ", "5662", "AB"],
    ["mijn postcode is 5662 AB, huisnummer 12", "5662", "AB"],
    ["Ik woon op 5731bc 4 in Mierlo", "5731", "BC"],
    ["5662", "5662", null],
    ["postcode 5662 graag", "5662", null],
    ["5662 en ik woon hier al lang", "5662", null],
    ["ik woon in 5662 EN", "5662", "EN"],
    ["In 2025 ben ik verhuisd naar 5663 XY", "5663", "XY"],
  ])("reads %j as %s %s", (text, postcode4, letters) => {
    expect(parsePostcode(text)).toMatchObject({ postcode4, letters });
  });

  it.each(["", "geen idee", "0662AB", "56621", "bel 0612345678", "het kost 12345 euro", "5662SA"])("finds no usable postcode with letters in %j", (text) => {
    const parsed = parsePostcode(text);
    expect(parsed === null || parsed.letters === null).toBe(true);
    if (text === "5662SA") expect(parsed).toMatchObject({ postcode4: "5662", letters: null });
    else expect(parsed).toBeNull();
  });
});

describe("normalisePostcode", () => {
  it("formats a valid postcode", () => {
    expect(normalisePostcode("5662ab")).toEqual({ postcode4: "5662", letters: "AB", formatted: "5662 AB" });
    expect(normalisePostcode("5662")).toEqual({ postcode4: "5662", letters: null, formatted: "5662" });
  });
  it("refuses what is not a postcode", () => {
    for (const value of ["abc", "0123AB", "5662 SS", "56 62AB", "5662ABC"]) expect(normalisePostcode(value)).toBeNull();
  });
});
