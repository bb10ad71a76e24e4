import { describe, expect, it } from "vitest";
import { demoWijken } from "../../prisma/demo/geldrop-mierlo.ts";
import { matchWijkName } from "../../src/routing/matchWijkName.ts";

const wijken = demoWijken.map(({ slug, name }) => ({ slug, name }));
const slugOf = (text: string) => {
  const match = matchWijkName(text, wijken);
  return match.kind === "one" ? match.wijk.slug : match.kind === "several" ? match.wijken.map((w) => w.slug) : null;
};

describe("matchWijkName", () => {
  it.each([
    ["braakhuizen zuid", "braakhuizen-zuid"],
    ["Braakhuizen-Zuid", "braakhuizen-zuid"],
    ["braakhuize zuid", "braakhuizen-zuid"],
    ["Coeverign", "coevering"],
    ["ik woon in luchen", "luchen"],
    ["mierlo dorp", "mierlo-dorp"],
    ["Gijzenrooi", "buitengebied"],
    ["geldrop centrum", "centrum"],
  ])("reads %j as %s", (text, slug) => {
    expect(slugOf(text)).toBe(slug);
  });

  it("offers both Braakhuizens for 'braakhuizen'", () => {
    expect(slugOf("braakhuizen")).toEqual(["braakhuizen-noord", "braakhuizen-zuid"]);
  });

  it.each(["wat is mijn wijk?", "waarom moet ik dat zeggen", "weet ik niet", "geldrop", "ik woon in mierlo", "ja", "zuid"])("finds no wijk in %j", (text) => {
    expect(slugOf(text)).toBeNull();
  });
});
