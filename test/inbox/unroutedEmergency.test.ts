/**
 * An emergency or crisis conversation that no tandem holds (the resident's wijk is unknown) is
 * visible to every gebiedsregisseur, not only to admins, and the inbox shows it first until
 * someone takes it.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApiToken } from "../../src/db/staff.repo.ts";
import { listConversationsByWaitingTime } from "../../src/db/inbox.repo.ts";
import { scopeOf, StaffRoleSchema, type StaffAccess } from "../../src/domain/access.ts";
import { createApp } from "../../src/http/app.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

const T0 = new Date("2026-11-30T09:00:00+01:00");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describeEachDatabase("an emergency without a wijk", (provider) => {
  let t: TestDatabase;
  let server: Awaited<ReturnType<typeof listen>>;
  const ids = { emergency: "", crisisTaken: "", plainWithoutWijk: "", withBotWithoutWijk: "", mierloOld: "", mierloEmergency: "" };
  const tokens = { grMierlo: "", grZuid: "", wethouder: "" };

  async function accessOf(email: string): Promise<StaffAccess> {
    const staff = await t.db.staffUser.findUniqueOrThrow({ where: { email }, include: { tandems: true } });
    return { role: StaffRoleSchema.parse(staff.role), gemeenteId: staff.gemeenteId, tandemIds: staff.tandems.map((member) => member.tandemId) };
  }

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    const db = t.db;
    const gemeente = await db.gemeente.findUniqueOrThrow({ where: { slug: "geldrop-mierlo" } });
    const resident = await db.resident.create({ data: { gemeenteId: gemeente.id } });
    const identity = await db.channelIdentity.create({ data: { residentId: resident.id, channel: "telegram", externalId: "777" } });
    let sequence = 0;
    const add = async (input: { wijk: string | null; emergency: string | null; openedAt: Date; assignee?: string; status?: string }) => {
      const wijk = input.wijk ? await db.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId: gemeente.id, slug: input.wijk } } }) : null;
      const assignee = input.assignee ? await db.staffUser.findUniqueOrThrow({ where: { email: input.assignee } }) : null;
      const row = await db.conversation.create({
        data: {
          reference: `WL-2026-${String(++sequence).padStart(5, "0")}`,
          gemeenteId: gemeente.id,
          residentId: resident.id,
          channelIdentityId: identity.id,
          channel: "telegram",
          wijkId: wijk?.id ?? null,
          tandemId: wijk?.tandemId ?? null,
          status: input.status ?? "open",
          // As changeStatus leaves an open conversation: waiting since it became open.
          waitingSince: (input.status ?? "open") === "open" ? input.openedAt : null,
          emergency: input.emergency,
          assigneeId: assignee?.id ?? null,
          createdAt: input.openedAt,
          lastMessageAt: input.openedAt,
        },
      });
      await db.statusChange.create({ data: { conversationId: row.id, fromStatus: "bot", toStatus: "open", at: input.openedAt } });
      return row.id;
    };
    ids.mierloOld = await add({ wijk: "luchen", emergency: null, openedAt: at(0) });
    ids.mierloEmergency = await add({ wijk: "luchen", emergency: "112", openedAt: at(5) });
    ids.crisisTaken = await add({ wijk: null, emergency: "113", openedAt: at(10), assignee: "gr.geldrop-zuid@demo.wijklijn.nl" });
    ids.emergency = await add({ wijk: null, emergency: "112", openedAt: at(30) });
    ids.plainWithoutWijk = await add({ wijk: null, emergency: null, openedAt: at(20) });
    ids.withBotWithoutWijk = await add({ wijk: null, emergency: null, openedAt: at(25), status: "bot" });
    tokens.grMierlo = (await createApiToken(db, { email: "gr.mierlo@demo.wijklijn.nl" })).token;
    tokens.grZuid = (await createApiToken(db, { email: "gr.geldrop-zuid@demo.wijklijn.nl" })).token;
    tokens.wethouder = (await createApiToken(db, { email: "wethouder.c@demo.wijklijn.nl" })).token;
    server = await listen(createApp({ db, provider, logger: captureLogger().logger }));
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  const get = (path: string, token: string) => fetch(`${server.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  const listedIds = async (token: string) => {
    const response = await get("/conversations?limit=100", token);
    expect(response.status).toBe(200);
    const body: unknown = await response.json();
    const items = body && typeof body === "object" && "items" in body && Array.isArray(body.items) ? body.items : [];
    return items.flatMap((item: unknown) => (item && typeof item === "object" && "id" in item && typeof item.id === "string" ? [item.id] : []));
  };

  it("is listed and readable through the API for every gebiedsregisseur", async () => {
    for (const token of [tokens.grMierlo, tokens.grZuid]) {
      const listed = await listedIds(token);
      expect(listed).toContain(ids.emergency);
      expect(listed).toContain(ids.crisisTaken);
      // Handed to staff without a wijk ("mens" at the wijk question): a shared queue too, or nobody would answer.
      expect(listed).toContain(ids.plainWithoutWijk);
      expect((await get(`/conversations/${ids.emergency}`, token)).status).toBe(200);
      expect((await get(`/conversations/${ids.plainWithoutWijk}`, token)).status).toBe(200);
      // Still with the bot (the resident is answering its questions): nothing for staff yet.
      expect(listed).not.toContain(ids.withBotWithoutWijk);
      expect((await get(`/conversations/${ids.withBotWithoutWijk}`, token)).status).toBe(404);
    }
    // Another tandem's conversations stay out of sight.
    expect(await listedIds(tokens.grZuid)).not.toContain(ids.mierloOld);
  });

  it("stays out of a wethouder's view", async () => {
    expect(await listedIds(tokens.wethouder)).not.toContain(ids.emergency);
    expect(await listedIds(tokens.wethouder)).not.toContain(ids.plainWithoutWijk);
    expect((await get(`/conversations/${ids.emergency}`, tokens.wethouder)).status).toBe(404);
  });

  it("comes first in the inbox list until someone takes it", async () => {
    const scope = scopeOf(await accessOf("gr.mierlo@demo.wijklijn.nl"));
    const page = await listConversationsByWaitingTime(t.db, scope, { statuses: [], limit: 50 });
    // The untaken one first although it waits shortest; the taken crisis sorts as any waiting emergency.
    expect(page.items.map((item) => item.id)).toEqual([ids.emergency, ids.mierloEmergency, ids.crisisTaken, ids.mierloOld, ids.plainWithoutWijk]);

    const taker = await t.db.staffUser.findUniqueOrThrow({ where: { email: "gr.mierlo@demo.wijklijn.nl" } });
    await t.db.conversation.update({ where: { id: ids.emergency }, data: { assigneeId: taker.id } });
    const after = await listConversationsByWaitingTime(t.db, scope, { statuses: [], limit: 50 });
    expect(after.items.map((item) => item.id)).toEqual([ids.mierloEmergency, ids.crisisTaken, ids.emergency, ids.mierloOld, ids.plainWithoutWijk]);
  });
});
