import { afterAll, beforeAll, expect, it } from "vitest";
import { buildWeeklyDigest } from "../../src/digests/buildWeeklyDigest.ts";
import { loadDigestData, loadGemeenteDigestData } from "../../src/digests/loadDigestData.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { conversation, testSettings, weekOfWethouderC } from "./fixtures.ts";
import { seedWeekOfWethouderC, storeConversation } from "./seedDigestWeek.ts";

const WEEK = "2026-W48";
const now = new Date("2026-11-30T07:00:00Z");

describeEachDatabase("loadDigestData", (provider) => {
  let t: TestDatabase;
  let wethouderC: string;
  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    await seedWeekOfWethouderC(t.db);
    wethouderC = (await t.db.staffUser.findUniqueOrThrow({ where: { email: "wethouder.c@demo.wijklijn.nl" } })).id;
    // A wijk whose tandem has no wethouder (only a gebiedsregisseur), with one conversation this week.
    const gemeente = await t.db.gemeente.findFirstOrThrow();
    const tandem = await t.db.tandem.create({ data: { gemeenteId: gemeente.id, slug: "heide", name: "Heide" } });
    const regisseur = await t.db.staffUser.create({ data: { gemeenteId: gemeente.id, email: "gr.heide@demo.wijklijn.nl", displayName: "Gebiedsregisseur Heide", role: "gebiedsregisseur" } });
    await t.db.tandemMember.create({ data: { tandemId: tandem.id, staffUserId: regisseur.id, role: "gebiedsregisseur" } });
    await t.db.wijk.create({ data: { gemeenteId: gemeente.id, slug: "heide", name: "Heide", tandemId: tandem.id } });
    await storeConversation(t.db, conversation({ reference: "WL-2026-00300", wijkId: "w-heide", intent: "melding", theme: "groen", created: "2026-11-25 10:00", open: "2026-11-25 10:00" }), "heide");
  });
  afterAll(async () => t?.drop());

  it("loads what the hand-computed week expects, for Wethouder C's wijken only", async () => {
    const data = await loadDigestData(t.db, wethouderC, WEEK, { settings: testSettings, now });
    expect(data.audience).toEqual({ kind: "wethouder", name: "Wethouder C", email: "wethouder.c@demo.wijklijn.nl" });
    expect(data.wijken.map((w) => w.slug)).toEqual(["buitengebied", "kerkakkers", "luchen", "mierlo-dorp", "neerakkers"]);
    const fromDb = buildWeeklyDigest(data, WEEK);
    const expected = buildWeeklyDigest(weekOfWethouderC(), WEEK);
    expect(fromDb.total).toEqual(expected.total);
    expect(fromDb.waitingLongest).toEqual(expected.waitingLongest);
    expect(fromDb.quotes).toEqual(expected.quotes);
    for (const slug of ["luchen", "kerkakkers"]) {
      const { wethouder: _a, ...fromDbSection } = fromDb.wijken.find((w) => w.slug === slug) ?? {};
      const { wethouder: _b, ...expectedSection } = expected.wijken.find((w) => w.slug === slug) ?? {};
      expect(fromDbSection).toEqual(expectedSection);
    }
    expect(fromDb.wijken.find((w) => w.slug === "neerakkers")?.newConversations.count).toBe(0);
    expect(fromDb.wijken.map((w) => w.slug)).not.toContain("heide");
  });

  it("lists the demo's dialoogtafel and news of Mierlo, not those of other tandems", async () => {
    const digest = buildWeeklyDigest(await loadDigestData(t.db, wethouderC, WEEK, { settings: testSettings, now }), WEEK);
    // The demo seed (26 November) publishes its news that day and plans Dialoogtafel Mierlo three weeks on.
    expect(digest.news.map((n) => n.wijk).sort()).toEqual(["buitengebied", "buitengebied", "luchen", "mierlo-dorp", "neerakkers"]);
    expect(digest.dialoogtafels.coming.map((d) => d.title)).toEqual(["Dialoogtafel Mierlo"]);
  });

  it("puts a wijk without a wethouder in no wethouder's digest, and in the gemeente overview", async () => {
    for (const email of ["wethouder.a@demo.wijklijn.nl", "wethouder.b@demo.wijklijn.nl", "wethouder.c@demo.wijklijn.nl"]) {
      const id = (await t.db.staffUser.findUniqueOrThrow({ where: { email } })).id;
      const data = await loadDigestData(t.db, id, WEEK, { settings: testSettings, now });
      expect(data.wijken.map((w) => w.slug)).not.toContain("heide");
    }
    const gemeente = await t.db.gemeente.findFirstOrThrow();
    const overview = buildWeeklyDigest(await loadGemeenteDigestData(t.db, gemeente.id, WEEK, { settings: testSettings, now }), WEEK);
    expect(overview.audience).toEqual({ kind: "gemeente" });
    expect(overview.wijkenWithoutWethouder).toEqual([{ slug: "heide", name: "Heide" }]);
    expect(overview.wijken).toHaveLength(12);
    expect(overview.wijken.find((w) => w.slug === "heide")).toMatchObject({ wethouder: null, newConversations: { count: 1 } });
    expect(overview.wijken.find((w) => w.slug === "luchen")?.wethouder).toBe("Wethouder C");
    // Every wijk's new conversations: C's 9, the one in Geldrop-Centrum, the one in Heide (not the one without a wijk).
    expect(overview.total.newConversations.count).toBe(11);
  });

  it("refuses someone who is not a wethouder", async () => {
    const admin = await t.db.staffUser.findUniqueOrThrow({ where: { email: "admin@demo.wijklijn.nl" } });
    await expect(loadDigestData(t.db, admin.id, WEEK, { settings: testSettings, now })).rejects.toThrow(/no wethouder/);
  });
});
