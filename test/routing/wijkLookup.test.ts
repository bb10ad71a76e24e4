import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findWijkByLocation, findWijkByPostcode } from "../../src/db/wijk.repo.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";

describeEachDatabase("finding a resident's wijk in the demo gemeente", (provider) => {
  let t: TestDatabase;
  let gemeenteId: string;
  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    gemeenteId = (await t.db.gemeente.findFirstOrThrow()).id;
  });
  afterAll(async () => t?.drop());

  describe("by postcode", () => {
    it.each([
      ["5661AA", "centrum", "geldrop-noord"],
      ["5662AB", "coevering", "geldrop-noord"],
      ["5662 ab", "coevering", "geldrop-noord"],
      ["5662-AB", "coevering", "geldrop-noord"],
      ["5662", "coevering", "geldrop-noord"],
      ["ik woon op 5662 AB nummer 3", "coevering", "geldrop-noord"],
      ["5663 KL", "genoenhuis", "geldrop-zuid"],
      ["5664", "zesgehuchten", "geldrop-zuid"],
      ["5665 ZZ", "braakhuizen-noord", "geldrop-noord"],
      ["5666AA", "braakhuizen-zuid", "geldrop-zuid"],
      ["5667 XB", "buitengebied", "buitengebied"],
      ["5731 AA", "mierlo-dorp", "mierlo"],
      ["5731AZ", "mierlo-dorp", "mierlo"],
      ["5731 BA", "luchen", "mierlo"],
      ["5731bz", "luchen", "mierlo"],
      ["5731 CK", "neerakkers", "mierlo"],
      ["5731 DZ", "kerkakkers", "mierlo"],
      ["5731 EA", "mierlo-dorp", "mierlo"],
      ["5731 XY", "mierlo-dorp", "mierlo"],
      ["5731", "mierlo-dorp", "mierlo"],
    ])("routes %j to %s (tandem %s)", async (text, wijk, tandem) => {
      const result = await findWijkByPostcode(t.db, gemeenteId, text);
      expect(result.reason).toBe("found");
      expect(result.wijk).toMatchObject({ slug: wijk, tandem, active: true });
    });

    it.each(["5660 AB", "5660", "5730 AA", "Postbus 10, 5730 AA Mierlo"])("says a post-office box postcode %j has no wijk", async (text) => {
      expect(await findWijkByPostcode(t.db, gemeenteId, text)).toMatchObject({ wijk: null, reason: "no-wijk" });
    });

    it.each(["5611 AB", "1012AB", "9999", "5668 AA"])("says %j is outside the gemeente", async (text) => {
      expect(await findWijkByPostcode(t.db, gemeenteId, text)).toMatchObject({ wijk: null, reason: "outside" });
    });

    it.each(["", "geen idee", "0123AB", "hallo"])("says %j is not a postcode", async (text) => {
      expect(await findWijkByPostcode(t.db, gemeenteId, text)).toMatchObject({ wijk: null, reason: "invalid" });
    });
  });

  describe("by shared location", () => {
    it.each([
      [51.422, 5.56, "centrum"],
      [51.433, 5.55, "coevering"],
      [51.433, 5.575, "braakhuizen-noord"],
      [51.41, 5.55, "genoenhuis"],
      [51.41, 5.57, "zesgehuchten"],
      [51.422, 5.575, "braakhuizen-zuid"],
      [51.433, 5.615, "neerakkers"],
      [51.441, 5.615, "mierlo-dorp"],
      [51.441, 5.63, "kerkakkers"],
      [51.45, 5.62, "luchen"],
      [51.395, 5.53, "buitengebied"],
      [51.433, 5.595, "buitengebied"],
      [51.455, 5.65, "buitengebied"],
    ])("places (%f, %f) in %s", async (lat, lon, wijk) => {
      expect(await findWijkByLocation(t.db, gemeenteId, lat, lon)).toMatchObject({ reason: "found", wijk: { slug: wijk } });
    });

    it.each([
      [51.44, 5.47],
      [51.38, 5.56],
      [52.37, 4.9],
    ])("says (%f, %f) is outside the gemeente", async (lat, lon) => {
      expect(await findWijkByLocation(t.db, gemeenteId, lat, lon)).toEqual({ wijk: null, reason: "outside" });
    });

    it("refuses impossible coordinates", async () => {
      expect(await findWijkByLocation(t.db, gemeenteId, 123, 5)).toEqual({ wijk: null, reason: "invalid" });
      expect(await findWijkByLocation(t.db, gemeenteId, Number.NaN, 5)).toEqual({ wijk: null, reason: "invalid" });
    });
  });

  it("reports a wijk that is not active yet as found but inactive", async () => {
    await t.db.wijk.update({ where: { gemeenteId_slug: { gemeenteId, slug: "luchen" } }, data: { active: false } });
    try {
      expect(await findWijkByPostcode(t.db, gemeenteId, "5731 BB")).toMatchObject({ reason: "found", wijk: { slug: "luchen", active: false } });
    } finally {
      await t.db.wijk.update({ where: { gemeenteId_slug: { gemeenteId, slug: "luchen" } }, data: { active: true } });
    }
  });
});
