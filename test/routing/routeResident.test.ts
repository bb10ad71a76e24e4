/**
 * Deciding a resident's wijk and tandem (src/routing/routeResident.ts): first the rule on plain
 * wijk values, then with the real lookups of src/db on the demo gemeente, and finally that a new
 * conversation of a resident in an inactive wijk goes to nobody's tandem.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConversation, findOrCreateIdentity, routeConversation } from "../../src/db/conversation.repo.ts";
import { findWijkByLocation, findWijkByPostcode, findWijkRefById, findWijkRefBySlug } from "../../src/db/wijk.repo.ts";
import { routeResident } from "../../src/routing/routeResident.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";

const tandem = { id: "t-noord", name: "Tandem Geldrop-Noord" };
const coevering = { slug: "coevering", active: true, tandem };
const luchen = { slug: "luchen", active: false, tandem };
const nieuw = { slug: "nieuw", active: true, tandem: null };

describe("routing a resident whose wijk is known", () => {
  it("routes an active wijk to the tandem that holds it", async () => {
    expect(await routeResident({ wijk: coevering })).toEqual({ wijk: coevering, tandem, reason: "found" });
  });

  it("keeps the wijk of an inactive wijk but gives it no tandem", async () => {
    expect(await routeResident({ wijk: luchen })).toEqual({ wijk: luchen, tandem: null, reason: "inactive" });
  });

  it("gives an active wijk that no tandem holds no tandem", async () => {
    expect(await routeResident({ wijk: nieuw })).toEqual({ wijk: nieuw, tandem: null, reason: "no-tandem" });
  });

  it("routes a resident without a wijk on record to nobody", async () => {
    expect(await routeResident({ wijk: null })).toEqual({ wijk: null, tandem: null, reason: "unknown" });
  });

  it("routes a chosen wijk by its slug, and an unknown slug to nobody", async () => {
    const findBySlug = async (slug: string) => [coevering, luchen].find((wijk) => wijk.slug === slug) ?? null;
    expect(await routeResident({ wijkSlug: "coevering", findBySlug })).toEqual({ wijk: coevering, tandem, reason: "found" });
    expect(await routeResident({ wijkSlug: "luchen", findBySlug })).toEqual({ wijk: luchen, tandem: null, reason: "inactive" });
    expect(await routeResident({ wijkSlug: "atlantis", findBySlug })).toEqual({ wijk: null, tandem: null, reason: "unknown" });
  });

  it("passes on why a postcode or a point found no wijk", async () => {
    expect(await routeResident({ postcode: "1012 AB", findByPostcode: async () => ({ wijk: null, reason: "outside" }) })).toEqual({ wijk: null, tandem: null, reason: "outside" });
    expect(await routeResident({ postcode: "5660 PB", findByPostcode: async () => ({ wijk: null, reason: "no-wijk" }) })).toEqual({ wijk: null, tandem: null, reason: "no-wijk" });
    expect(await routeResident({ point: { lat: 99, lon: 5 }, findByPoint: async () => ({ wijk: null, reason: "invalid" }) })).toEqual({ wijk: null, tandem: null, reason: "invalid" });
  });

  it("applies the inactive-wijk rule to a wijk found by postcode or point too", async () => {
    expect(await routeResident({ postcode: "5731 BB", findByPostcode: async () => ({ wijk: luchen, reason: "found" }) })).toEqual({ wijk: luchen, tandem: null, reason: "inactive" });
    expect(await routeResident({ point: { lat: 51.43, lon: 5.55 }, findByPoint: async () => ({ wijk: coevering, reason: "found" }) })).toEqual({ wijk: coevering, tandem, reason: "found" });
  });
});

describeEachDatabase("routing residents of the demo gemeente", (provider) => {
  let t: TestDatabase;
  let gemeenteId: string;
  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    gemeenteId = (await t.db.gemeente.findFirstOrThrow()).id;
  });
  afterAll(async () => t?.drop());

  async function setActive(slug: string, active: boolean): Promise<void> {
    await t.db.wijk.update({ where: { gemeenteId_slug: { gemeenteId, slug } }, data: { active } });
  }

  it("routes a 5662 postcode to the Geldrop-Noord tandem", async () => {
    const route = await routeResident({ postcode: "5662 AB", findByPostcode: (text) => findWijkByPostcode(t.db, gemeenteId, text) });
    expect(route).toMatchObject({ reason: "found", wijk: { slug: "coevering" }, tandem: "geldrop-noord" });
  });

  it("routes a chosen wijk to its tandem by id", async () => {
    const tandemId = (await t.db.tandem.findFirstOrThrow({ where: { slug: "mierlo" } })).id;
    const route = await routeResident({ wijkSlug: "luchen", findBySlug: (slug) => findWijkRefBySlug(t.db, gemeenteId, slug) });
    expect(route).toMatchObject({ reason: "found", wijk: { slug: "luchen" }, tandem: { id: tandemId } });
  });

  it("routes a point outside every wijk to nobody", async () => {
    expect(await routeResident({ point: { lat: 52.37, lon: 4.9 }, findByPoint: (point) => findWijkByLocation(t.db, gemeenteId, point.lat, point.lon) })).toEqual({
      wijk: null,
      tandem: null,
      reason: "outside",
    });
  });

  it("gives a postcode in a wijk that is not active yet no tandem", async () => {
    await setActive("luchen", false);
    try {
      const route = await routeResident({ postcode: "5731 BB", findByPostcode: (text) => findWijkByPostcode(t.db, gemeenteId, text) });
      expect(route).toMatchObject({ reason: "inactive", wijk: { slug: "luchen", active: false }, tandem: null });
    } finally {
      await setActive("luchen", true);
    }
  });

  it("starts the conversation of a resident in an inactive wijk without a tandem", async () => {
    await setActive("luchen", false);
    try {
      const wijk = await findWijkRefBySlug(t.db, gemeenteId, "luchen");
      if (!wijk) throw new Error("the demo gemeente has no luchen");
      expect(await findWijkRefById(t.db, wijk.id)).toEqual(wijk);
      const now = new Date("2026-11-26T10:00:00Z");
      const conversation = await t.db.$transaction(async (tx) => {
        const { identity, resident } = await findOrCreateIdentity(tx, { gemeenteId, channel: "webchat", externalId: "route-inactive-visitor-abcdefgh" });
        return createConversation(tx, { gemeenteId, residentId: resident.id, channelIdentityId: identity.id, channel: "webchat", wijkId: wijk.id, now });
      });
      expect(conversation).toMatchObject({ wijkId: wijk.id, tandemId: null });
      await setActive("luchen", true);
      const active = await routeResident({ wijk: await findWijkRefById(t.db, wijk.id) });
      await t.db.$transaction((tx) => routeConversation(tx, conversation.id, { wijkId: active.wijk?.id ?? null, tandemId: active.tandem?.id ?? null }));
      expect(await t.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).toMatchObject({ wijkId: wijk.id, tandemId: wijk.tandem?.id });
    } finally {
      await setActive("luchen", true);
    }
  });
});
