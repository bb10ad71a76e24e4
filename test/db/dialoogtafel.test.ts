import { afterAll, beforeAll, expect, it } from "vitest";
import { cancelRegistration, registerForDialoogtafel } from "../../src/db/wijkContent.repo.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";

describeEachDatabase("dialoogtafel sign-ups", (provider) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
  });
  afterAll(async () => t?.drop());

  it("fills the places, then the waitlist in order, and moves the first up when someone cancels", async () => {
    const now = new Date("2026-11-26T10:00:00Z");
    const gemeente = await t.db.gemeente.findFirstOrThrow();
    const wijk = await t.db.wijk.findFirstOrThrow({ where: { slug: "luchen" } });
    const tafel = await t.db.dialoogtafel.create({ data: { wijkId: wijk.id, title: "Kleine tafel", topic: "Test", location: "Buurthuis", startsAt: new Date("2026-12-10T18:30:00Z"), capacity: 2 } });
    const residents = await Promise.all(Array.from({ length: 4 }, () => t.db.resident.create({ data: { gemeenteId: gemeente.id } })));
    const ids = residents.map((r) => r.id);
    const outcomes = [];
    for (const id of ids) outcomes.push(await t.db.$transaction((tx) => registerForDialoogtafel(tx, tafel.id, id, now)));
    expect(outcomes.map((o) => [o.outcome, o.position])).toEqual([
      ["registered", 0],
      ["registered", 0],
      ["waitlist", 1],
      ["waitlist", 2],
    ]);
    expect((await t.db.$transaction((tx) => registerForDialoogtafel(tx, tafel.id, ids[0] ?? "", now))).outcome).toBe("already");

    const cancelled = await t.db.$transaction((tx) => cancelRegistration(tx, tafel.id, ids[1] ?? ""));
    expect(cancelled).toMatchObject({ cancelled: true, promotedResidentIds: [ids[2]] });
    const statuses = await t.db.registration.findMany({ where: { dialoogtafelId: tafel.id }, orderBy: { createdAt: "asc" } });
    expect(Object.fromEntries(statuses.map((r) => [ids.indexOf(r.residentId), r.status]))).toEqual({ 0: "registered", 1: "cancelled", 2: "registered", 3: "waitlist" });

    // Signing up again after cancelling works, at the back of the queue.
    expect((await t.db.$transaction((tx) => registerForDialoogtafel(tx, tafel.id, ids[1] ?? "", now))).outcome).toBe("waitlist");
    // A past or cancelled dialoogtafel takes no sign-ups.
    expect((await t.db.$transaction((tx) => registerForDialoogtafel(tx, tafel.id, ids[3] ?? "", new Date("2027-01-01T00:00:00Z")))).outcome).toBe("gone");
  });
});
