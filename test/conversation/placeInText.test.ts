import { describe, expect, it } from "vitest";
import { findPlaceInText, namesStreet } from "../../src/conversation/placeInText.ts";

describe("findPlaceInText", () => {
  it.each([
    ["grofvuil bij de Heuvel 12 in Coevering", "Heuvel 12, Coevering"],
    ["er ligt grofvuil bij de heuvel 12", "Heuvel 12"],
    ["De lantaarnpaal op de Molenstraat 4a is kapot", "Molenstraat 4a"],
    ["de lamp in de molenstraat doet het niet", "Molenstraat"],
    ["losse tegels bij het Marktplein", "Marktplein"],
    ["kapotte bank aan de Burgemeester van Houtlaan 3", "Burgemeester van Houtlaan 3"],
    ["a broken streetlight on Dorpsstraat 10", "Dorpsstraat 10"],
    ["it's on the Heuvel in Geldrop", "Heuvel, Geldrop"],
    ["het afval ligt op de Heuvel in Geldrop", "Heuvel, Geldrop"],
  ])("finds the place in %j", (text, place) => {
    expect(findPlaceInText(text)).toEqual({ kind: "address", text: place });
  });

  it.each([
    "ik wil iets mlden over de stoep die kappot is",
    "er ligt al 3 weken rommel in mijn straat",
    "bij ons in de tuin staat water",
    "vanavond om 8 uur is er herrie",
    "ik woon op 5731 BC",
    "Wanneer is het fietspad klaar",
    "er liggen 12 zakken op de stoep",
    "Bij mij in de buurt is het vies",
  ])("finds no place in %j", (text) => {
    expect(findPlaceInText(text)).toBeNull();
  });

  // A place described by what is there is no street ("bakker" ends as "akker", "supermarkt" as "markt"): kept as written.
  it.each([
    ["Er ligt glas naast de bakker", "naast de bakker"],
    ["naast de Bakker", "naast de bakker"],
    ["de lamp bij de kerk is kapot", "bij de kerk"],
    ["zwerfafval achter de supermarkt", "achter de supermarkt"],
    ["losse tegel voor de bakker in Mierlo", "voor de bakker, Mierlo"],
  ])("keeps the landmark in %j", (text, place) => {
    expect(findPlaceInText(text)).toEqual({ kind: "address", text: place, landmark: true });
  });

  it.each([
    ["glas naast de bakker aan de Heuvel", "Heuvel (naast de bakker)"],
    ["kapotte lamp bij de kerk op de Molenstraat 4", "Molenstraat 4 (bij de kerk)"],
    ["losse tegel op de Hooge Akker", "Hooge Akker"],
  ])("puts the street first, the landmark after it, in %j", (text, place) => {
    expect(findPlaceInText(text)).toEqual({ kind: "address", text: place });
  });
});

describe("namesStreet: a street typed at the wijk question", () => {
  it.each(["molenstraat 20 geldrop", "zei ik toch al heuvel 12", "Dorpsstraat", "ik woon aan de Burgemeester van Houtlaan"])("reads %j as a street", (text) => {
    expect(namesStreet(text)).toBe(true);
  });

  it.each(["braakhuizen zuid", "weet ik niet", "waarom moet ik dat zeggen", "geen idee", "ik woon in 5664"])("reads %j as no street", (text) => {
    expect(namesStreet(text)).toBe(false);
  });
});
