import { describe, expect, it } from "vitest";
import { describesMatter } from "../../src/conversation/engine.ts";

describe("describesMatter: whether a request also says what the matter is", () => {
  it.each([
    ["ik wil iets melden over de weg", "verkeer"],
    ["Ik wil graag iets melden over afval", "afval"],
    ["I want to report the park", "groen"],
    ["ik heb een melding", "overig"],
  ] as const)("reads %j as the topic only", (text, theme) => {
    expect(describesMatter(text, { theme })).toBe(false);
  });

  it.each([
    ["ik wil iets mlden over de stoep die kappot is", "onderhoud"],
    ["Hello, I would like to report a broken streetlight", "onderhoud"],
    ["er ligt al 3 weken rommel in mijn straat", "afval"],
    ["auto's rijden veel te hard", "verkeer"],
  ] as const)("reads %j as a description", (text, theme) => {
    expect(describesMatter(text, { theme })).toBe(true);
  });
});
