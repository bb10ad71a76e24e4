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

describe("matchWijkName with the kernen", () => {
  const withKern = demoWijken.map(({ slug, name, kern }) => ({ slug, name, kern }));
  const read = (text: string) => {
    const match = matchWijkName(text, withKern);
    if (match.kind === "one") return match.wijk.slug;
    if (match.kind === "none") return null;
    return { kind: match.kind, ...(match.kind === "kern" ? { kern: match.kern } : {}), slugs: match.wijken.map((w) => w.slug) };
  };

  it.each([
    ["dorp", "mierlo-dorp"],
    ["het dorp", "mierlo-dorp"],
    ["centrum mierlo", "mierlo-dorp"],
    ["in het centrum van Mierlo", "mierlo-dorp"],
    ["centrum geldrop", "centrum"],
  ])("reads %j as the centre wijk %s", (text, slug) => {
    expect(read(text)).toBe(slug);
  });

  it("offers both centres for 'het centrum' without a village", () => {
    expect(read("het centrum")).toEqual({ kind: "several", slugs: ["centrum", "mierlo-dorp"] });
  });

  it("narrows a place in a village to that village's wijken, the buitengebied last", () => {
    expect(read("bij de kerk in mierlo")).toEqual({ kind: "kern", kern: "Mierlo", slugs: ["kerkakkers", "luchen", "mierlo-dorp", "neerakkers", "buitengebied"] });
    expect(read("achter de Albert Heijn in Geldrop")).toEqual({
      kind: "kern",
      kern: "Geldrop",
      slugs: ["braakhuizen-noord", "braakhuizen-zuid", "coevering", "centrum", "genoenhuis", "zesgehuchten", "buitengebied"],
    });
  });

  it("narrows nothing when both villages are named", () => {
    expect(read("tussen geldrop en mierlo")).toBeNull();
  });
});

describe("matchWijkName: a way towards a village", () => {
  it("does not narrow 'bij de rotonde richting mierlo' to Mierlo", () => {
    const withKern = demoWijken.map(({ slug, name, kern }) => ({ slug, name, kern }));
    expect(matchWijkName("bij de rotonde richting mierlo", withKern).kind).toBe("none");
  });
});
