/**
 * The wijk content actions on their own, on the seeded demo gemeente: scope (another tandem's
 * content is unknown), role, the audit entry beside each change (wijkberichten:
 * wijkberichtActions.test.ts). The pages over these actions are tested end to end in content.test.ts.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { StaffPrincipal } from "../../src/api/auth.ts";
import { addDialoogtafel, addNewsItem, cancelDialoogtafel, editNewsItem } from "../../src/inbox/contentActions.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";

const now = new Date("2026-12-01T10:00:00Z");
const news = { kind: "bericht" as const, title: "Werk aan de weg", body: "De Heuvelstraat is dicht.", link: null, expiresAt: null };

describeEachDatabase("the wijk content actions", (provider) => {
  let t: TestDatabase;
  const staff: Record<"grMierlo" | "grNoord" | "wethouderC" | "admin", StaffPrincipal> = {
    grMierlo: { staffUserId: "", role: "gebiedsregisseur", gemeenteId: "", tandemIds: [] },
    grNoord: { staffUserId: "", role: "gebiedsregisseur", gemeenteId: "", tandemIds: [] },
    wethouderC: { staffUserId: "", role: "wethouder", gemeenteId: "", tandemIds: [] },
    admin: { staffUserId: "", role: "admin", gemeenteId: "", tandemIds: [] },
  };
  let luchen = "";

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    const principal = async (email: string, role: StaffPrincipal["role"]): Promise<StaffPrincipal> => {
      const user = await t.db.staffUser.findUniqueOrThrow({ where: { email }, include: { tandems: true } });
      return { staffUserId: user.id, role, gemeenteId: user.gemeenteId, tandemIds: user.tandems.map((m) => m.tandemId) };
    };
    staff.grMierlo = await principal("gr.mierlo@demo.wijklijn.nl", "gebiedsregisseur");
    staff.grNoord = await principal("gr.geldrop-noord@demo.wijklijn.nl", "gebiedsregisseur");
    staff.wethouderC = await principal("wethouder.c@demo.wijklijn.nl", "wethouder");
    staff.admin = await principal("admin@demo.wijklijn.nl", "admin");
    luchen = (await t.db.wijk.findFirstOrThrow({ where: { slug: "luchen" } })).id;
  });
  afterAll(async () => t?.drop());

  it("publishes a news item with its audit entry, and treats another tandem's item as unknown", async () => {
    const created = await addNewsItem(t.db, staff.grMierlo, { ...news, wijkId: luchen, action: "publish" }, { now });
    if (!created.ok) throw new Error("expected the news item to be created");
    expect(created.value.outcome).toBe("published");
    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { subjectId: created.value.id } });
    expect(audit).toMatchObject({ action: "newsItem.published", actorKind: "staff", actorStaffId: staff.grMierlo.staffUserId, at: now });

    const hijack = editNewsItem(t.db, staff.grNoord, created.value.id, { ...news, title: "Gekaapt", wijkId: luchen, action: "unpublish" }, { now });
    await expect(hijack).rejects.toMatchObject({ status: 404 });
    expect((await t.db.newsItem.findUniqueOrThrow({ where: { id: created.value.id } })).title).toBe("Werk aan de weg");

    const later = new Date(now.getTime() + 60_000);
    const again = await editNewsItem(t.db, staff.grMierlo, created.value.id, { ...news, wijkId: luchen, action: "unpublish" }, { now: later });
    expect(again).toMatchObject({ ok: true, value: { outcome: "unpublished" } });
  });

  it("refuses a wijk of another tandem as a field error, and a past start, changing nothing", async () => {
    const before = await t.db.dialoogtafel.count();
    const tafel = { wijkId: luchen, title: "t", topic: "t", location: "l", startsAt: new Date(now.getTime() - 1), endsAt: null, capacity: 5 };
    const result = await addDialoogtafel(t.db, staff.grNoord, tafel, { now });
    expect(result).toEqual({ ok: false, errors: { wijkId: "Kies een wijk uit de lijst.", startsAt: expect.stringContaining("al voorbij") } });
    expect(await t.db.dialoogtafel.count()).toBe(before);
  });

  it("cancels a dialoogtafel once: a second cancel changes and records nothing", async () => {
    const tafel = { wijkId: luchen, title: "Gaat niet door", topic: "t", location: "l", startsAt: new Date("2026-12-20T18:30:00Z"), endsAt: null, capacity: 5 };
    const created = await addDialoogtafel(t.db, staff.wethouderC, tafel, { now });
    if (!created.ok) throw new Error("expected the dialoogtafel to be created");
    expect(await cancelDialoogtafel(t.db, staff.wethouderC, created.value.id, { now })).toEqual({ id: created.value.id, alreadyCancelled: false });
    expect(await cancelDialoogtafel(t.db, staff.admin, created.value.id, { now })).toEqual({ id: created.value.id, alreadyCancelled: true });
    expect(await t.db.auditEvent.count({ where: { subjectId: created.value.id, action: "dialoogtafel.cancelled" } })).toBe(1);
  });
});
