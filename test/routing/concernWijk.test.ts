import { describe, expect, it } from "vitest";
import { placeConcern } from "../../src/routing/concernWijk.ts";

const coevering = { slug: "coevering", tandem: "geldrop-noord" };
const luchen = { slug: "luchen", tandem: "mierlo" };
const mierloDorp = { slug: "mierlo-dorp", tandem: "mierlo" };
const kerkakkers = { slug: "kerkakkers", tandem: "mierlo" };
const buitengebied = { slug: "buitengebied", tandem: "buitengebied" };
const centrum = { slug: "centrum", tandem: "geldrop-noord" };

describe("placeConcern", () => {
  it("keeps the resident's own wijk when the place names no wijk", () => {
    expect(placeConcern(coevering, { wijken: [] })).toEqual({ kind: "home" });
  });

  it("sends a melding in Luchen from a resident of Coevering to Luchen", () => {
    expect(placeConcern(coevering, { wijken: [luchen] })).toEqual({ kind: "elsewhere", wijk: luchen });
  });

  it("keeps the own wijk when the place is in it", () => {
    expect(placeConcern(luchen, { wijken: [luchen] })).toEqual({ kind: "home" });
  });

  it("keeps the own wijk when it is one of several the place may be in ('in Mierlo' from Luchen)", () => {
    expect(placeConcern(luchen, { wijken: [kerkakkers, luchen, mierloDorp, buitengebied], core: [kerkakkers, luchen, mierloDorp] })).toEqual({ kind: "home" });
  });

  it("asks which of several, with the tandem the village's own wijken share", () => {
    expect(placeConcern(coevering, { wijken: [kerkakkers, mierloDorp, buitengebied], core: [kerkakkers, mierloDorp] })).toEqual({
      kind: "ask",
      wijken: [kerkakkers, mierloDorp, buitengebied],
      tandem: "mierlo",
    });
  });

  it("asks without a tandem when the wijken are held by different tandems", () => {
    expect(placeConcern(luchen, { wijken: [centrum, mierloDorp] })).toEqual({ kind: "ask", wijken: [centrum, mierloDorp], tandem: null });
  });

  it("gives no tandem for 'weet ik niet' when it is the resident's own", () => {
    expect(placeConcern(luchen, { wijken: [kerkakkers, mierloDorp] })).toEqual({ kind: "ask", wijken: [kerkakkers, mierloDorp], tandem: null });
  });

  it("routes a resident without a wijk by the place alone", () => {
    expect(placeConcern(null, { wijken: [luchen] })).toEqual({ kind: "elsewhere", wijk: luchen });
  });
});
