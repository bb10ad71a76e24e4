import { afterAll, beforeAll, expect, it } from "vitest";
import type { StaffPrincipal } from "../../src/api/auth.ts";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import { createStaffSession } from "../../src/db/session.repo.ts";
import { createApp } from "../../src/http/app.ts";
import { ActionError } from "../../src/inbox/conversationActions.ts";
import { publishWijDeden } from "../../src/trust/publishWijDeden.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

const settings = loadFlows("flows").settings;

describeEachDatabase("jullie zeiden, wij deden", (provider) => {
  let t: TestDatabase;
  let server: Awaited<ReturnType<typeof listen>>;
  let gemeenteId = "";
  const staff: Record<"grMierlo" | "grNoord" | "wethouderC", StaffPrincipal> = {
    grMierlo: { staffUserId: "", role: "gebiedsregisseur", gemeenteId: "", tandemIds: [] },
    grNoord: { staffUserId: "", role: "gebiedsregisseur", gemeenteId: "", tandemIds: [] },
    wethouderC: { staffUserId: "", role: "wethouder", gemeenteId: "", tandemIds: [] },
  };

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    gemeenteId = (await t.db.gemeente.findFirstOrThrow()).id;
    const principal = async (email: string, role: StaffPrincipal["role"]): Promise<StaffPrincipal> => {
      const user = await t.db.staffUser.findUniqueOrThrow({ where: { email }, include: { tandems: true } });
      return { staffUserId: user.id, role, gemeenteId: user.gemeenteId, tandemIds: user.tandems.map((m) => m.tandemId) };
    };
    staff.grMierlo = await principal("gr.mierlo@demo.wijklijn.nl", "gebiedsregisseur");
    staff.grNoord = await principal("gr.geldrop-noord@demo.wijklijn.nl", "gebiedsregisseur");
    staff.wethouderC = await principal("wethouder.c@demo.wijklijn.nl", "wethouder");
    server = await listen(createApp({ db: t.db, provider, logger: captureLogger().logger, settings: () => settings, timeZone: "Europe/Amsterdam" }));
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  let counter = 0;
  async function conversationIn(wijkSlug: string, status: "open" | "resolved") {
    const wijk = await t.db.wijk.findFirstOrThrow({ where: { slug: wijkSlug } });
    const resident = await t.db.resident.create({ data: { gemeenteId, wijkId: wijk.id } });
    const identity = await t.db.channelIdentity.create({ data: { residentId: resident.id, channel: "telegram", externalId: `wd-${++counter}` } });
    return t.db.conversation.create({
      data: {
        reference: `WL-2026-9${String(counter).padStart(4, "0")}`,
        gemeenteId,
        residentId: resident.id,
        channelIdentityId: identity.id,
        channel: "telegram",
        wijkId: wijk.id,
        tandemId: wijk.tandemId,
        status,
        intent: "melding",
        theme: "groen",
        resolvedAt: status === "resolved" ? new Date() : null,
        messages: { create: [{ direction: "in", authorKind: "resident", text: "De bomen bij Kerkstraat 4 zijn te hoog", channel: "telegram" }] },
      },
    });
  }

  const rejected = async (promise: Promise<unknown>) => {
    const error = await promise.catch((e: unknown) => e);
    if (!(error instanceof ActionError)) throw new Error("expected an ActionError");
    return { status: error.status, code: error.code };
  };
  const item = { said: "De bomen langs het speelveld waren te hoog en namen het licht weg.", did: "We hebben de bomen in november gesnoeid." };

  it("publishes from a resolved conversation onto its wijk page, with an audit entry, and only once", async () => {
    const conversation = await conversationIn("luchen", "resolved");
    await publishWijDeden(t.db, staff.grMierlo, conversation.id, item);
    const page = await (await fetch(`${server.url}/wijk/luchen`)).text();
    expect(page).toContain("Jullie zeiden, wij deden");
    expect(page).toContain(item.said);
    expect(page).toContain(item.did);
    expect(page).not.toContain("Kerkstraat");
    expect(page).not.toContain(conversation.reference);
    expect(await t.db.auditEvent.count({ where: { action: "conversation.published", subjectId: conversation.id } })).toBe(1);
    expect(await rejected(publishWijDeden(t.db, staff.grMierlo, conversation.id, item))).toEqual({ status: 409, code: "already_published" });
    // Another wijk's page does not show it.
    expect(await (await fetch(`${server.url}/wijk/centrum`)).text()).not.toContain(item.did);
  });

  it("refuses a conversation that is not resolved, another tandem's, a wethouder, and text with personal details", async () => {
    const open = await conversationIn("luchen", "open");
    expect(await rejected(publishWijDeden(t.db, staff.grMierlo, open.id, item))).toEqual({ status: 409, code: "not_resolved" });
    const resolved = await conversationIn("luchen", "resolved");
    expect(await rejected(publishWijDeden(t.db, staff.grNoord, resolved.id, item))).toEqual({ status: 404, code: "not_found" });
    expect(await rejected(publishWijDeden(t.db, staff.wethouderC, resolved.id, item))).toEqual({ status: 403, code: "forbidden" });
    expect(await rejected(publishWijDeden(t.db, staff.grMierlo, resolved.id, { said: "Mevrouw Jansen van de Kerkstraat 4 belde 06-12345678", did: "Gesnoeid." }))).toEqual({
      status: 400,
      code: "personal_details",
    });
    expect(await rejected(publishWijDeden(t.db, staff.grMierlo, resolved.id, { said: "", did: "Gesnoeid." }))).toEqual({ status: 400, code: "invalid_body" });
    expect(await t.db.wijDedenItem.count({ where: { conversationId: resolved.id } })).toBe(0);
  });

  it("is an action in the inbox on a resolved conversation", async () => {
    const conversation = await conversationIn("kerkakkers", "resolved");
    const session = await createStaffSession(t.db, staff.grMierlo.staffUserId);
    const cookie = `wl_staff=${session.id}`;
    const before = await (await fetch(`${server.url}/inbox/c/${conversation.id}`, { headers: { cookie } })).text();
    expect(before).toContain("Op de wijkpagina zetten: jullie zeiden, wij deden");
    const response = await fetch(`${server.url}/inbox/c/${conversation.id}/publish`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: session.csrfToken, said: "Er lag veel zwerfafval bij de bushalte.", did: "Er staat nu een extra afvalbak." }),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toContain("gedaan=gepubliceerd");
    const after = await (await fetch(`${server.url}/inbox/c/${conversation.id}`, { headers: { cookie } })).text();
    expect(after).toContain('href="/wijk/kerkakkers"');
    expect(await (await fetch(`${server.url}/wijk/kerkakkers`)).text()).toContain("Er staat nu een extra afvalbak.");
  });
});
