import { afterAll, beforeAll, expect, it } from "vitest";
import { demoDialoogtafels, demoNews, demoPostcodeRules, demoTandems, demoWijken } from "../../prisma/demo/geldrop-mierlo.ts";
import { seedDemoGemeente } from "../../src/db/seedDemo.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";

describeEachDatabase("the demo gemeente seed", (provider) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
  });
  afterAll(async () => t?.drop());

  const counts = async () => ({
    gemeenten: await t.db.gemeente.count(),
    wijken: await t.db.wijk.count(),
    tandems: await t.db.tandem.count(),
    staff: await t.db.staffUser.count(),
    members: await t.db.tandemMember.count(),
    rules: await t.db.postcodeRule.count(),
    news: await t.db.newsItem.count(),
    tafels: await t.db.dialoogtafel.count(),
  });

  it("creates the gemeente, its wijken, tandems, staff, postcodes, news and dialoogtafels", async () => {
    expect(await counts()).toEqual({
      gemeenten: 1,
      wijken: demoWijken.length,
      tandems: demoTandems.length,
      staff: 8, // four gebiedsregisseurs, three wethouders (C holds two tandems), one admin
      members: 8,
      rules: demoPostcodeRules.length,
      news: demoNews.length,
      tafels: demoDialoogtafels.length,
    });
    const wethouderC = await t.db.staffUser.findUnique({ where: { email: "wethouder.c@demo.wijklijn.nl" }, include: { tandems: { include: { tandem: true } } } });
    expect(wethouderC?.role).toBe("wethouder");
    expect(wethouderC?.tandems.map((m) => m.tandem.slug).sort()).toEqual(["buitengebied", "mierlo"]);
    expect((await t.db.staffUser.findUnique({ where: { email: "admin@demo.wijklijn.nl" } }))?.role).toBe("admin");
  });

  it("gives every tandem at least two news items and an upcoming dialoogtafel a few weeks ahead", async () => {
    const tandems = await t.db.tandem.findMany({ include: { wijken: { include: { newsItems: true, dialoogtafels: true } } } });
    for (const tandem of tandems) {
      const news = tandem.wijken.flatMap((w) => w.newsItems);
      const tafels = tandem.wijken.flatMap((w) => w.dialoogtafels);
      expect(news.length, tandem.slug).toBeGreaterThanOrEqual(2);
      expect(tafels.length, tandem.slug).toBeGreaterThanOrEqual(1);
      for (const tafel of tafels) {
        const weeks = (tafel.startsAt.getTime() - new Date("2026-11-26T10:00:00Z").getTime()) / (7 * 24 * 3600 * 1000);
        expect(weeks).toBeGreaterThan(2);
        expect(weeks).toBeLessThan(6);
        // 19:30 in Amsterdam (UTC+1 in winter)
        expect(tafel.startsAt.getUTCHours()).toBe(18);
        expect(tafel.startsAt.getUTCMinutes()).toBe(30);
        expect(tafel.capacity).toBeGreaterThan(0);
      }
    }
  });

  it("is idempotent: seeding again creates nothing", async () => {
    const before = await counts();
    const report = await seedDemoGemeente(t.db);
    expect(report).toEqual({ gemeenteCreated: false, wijken: 0, tandems: 0, staff: 0, postcodeRules: 0, newsItems: 0, dialoogtafels: 0 });
    expect(await counts()).toEqual(before);
  });
});
