import express from "express";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { digestsRoutes } from "../../src/api/digests.routes.ts";
import { openApiDocument } from "../../src/api/openapi.ts";
import { createStaffSession } from "../../src/db/session.repo.ts";
import { createApiToken } from "../../src/db/staff.repo.ts";
import { digestPages } from "../../src/digests/digest.pages.ts";
import { sendDigest } from "../../src/digests/sendDigest.ts";
import { WeeklyDigestSchema } from "../../src/digests/weeklyDigest.ts";
import { errorHandler } from "../../src/http/errors.ts";
import { loadStaffSession, requireSignedIn, SESSION_COOKIE } from "../../src/inbox/session.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";
import { testSettings } from "./fixtures.ts";
import { seedWeekOfWethouderC } from "./seedDigestWeek.ts";

const now = () => new Date("2026-11-30T07:00:00Z");
const C = "wethouder.c@demo.wijklijn.nl";
const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

describeEachDatabase("GET /api/v1/digests and the inbox archive", (provider) => {
  let t: TestDatabase;
  let server: { url: string; close: () => Promise<void> };
  const tokens: Record<string, string> = {};
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    await seedWeekOfWethouderC(t.db);
    for (const email of [C, "wethouder.a@demo.wijklijn.nl", "admin@demo.wijklijn.nl", "gr.mierlo@demo.wijklijn.nl"]) {
      tokens[email] = (await createApiToken(t.db, { email })).token;
      const staff = await t.db.staffUser.findUniqueOrThrow({ where: { email } });
      cookies[email] = `${SESSION_COOKIE}=${(await createStaffSession(t.db, staff.id)).id}`;
    }
    // Mounted as src/http/app.ts will: the API under /api/v1, the pages behind the inbox session.
    const app = express();
    app.use("/api/v1", digestsRoutes({ db: t.db, settings: () => testSettings, now }));
    app.use("/inbox", loadStaffSession(t.db), requireSignedIn, digestPages({ db: t.db, settings: () => testSettings, now }));
    app.use(errorHandler(captureLogger("silent").logger));
    server = await listen(app);
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  const api = (query: string, as?: string) => fetch(`${server.url}/api/v1/digests${query}`, { headers: as ? { authorization: `Bearer ${tokens[as]}` } : {} });
  const pageAs = (path: string, as: string) => fetch(`${server.url}/inbox${path}`, { headers: { cookie: cookies[as] ?? "" }, redirect: "manual" });

  it("asks for credentials first", async () => {
    const response = await api("?wethouder=x&week=nope");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("gives a wethouder their own digest, with or without their address", async () => {
    for (const query of [`?wethouder=${C}&week=2026-W48`, "?week=2026-W48", `?wethouder=${C.toUpperCase()}&week=2026-W48`]) {
      const response = await api(query, C);
      expect(response.status, query).toBe(200);
      const digest = WeeklyDigestSchema.parse(await response.json());
      expect(digest.audience).toEqual({ kind: "wethouder", name: "Wethouder C", email: C });
      expect(digest.total.newConversations.count).toBe(9);
      expect(digest.total.responseTimes.medianWorkingHours).toBe(3);
    }
  });

  it("refuses a wethouder another wethouder's digest, and a gebiedsregisseur any", async () => {
    const other = await api(`?wethouder=${C}&week=2026-W48`, "wethouder.a@demo.wijklijn.nl");
    expect(other.status).toBe(403);
    expect(ErrorSchema.parse(await other.json()).error.code).toBe("forbidden");
    // Even an address that does not exist: a wethouder learns nothing about other accounts.
    expect((await api("?wethouder=niemand@demo.wijklijn.nl&week=2026-W48", "wethouder.a@demo.wijklijn.nl")).status).toBe(403);
    expect((await api(`?wethouder=${C}&week=2026-W48`, "gr.mierlo@demo.wijklijn.nl")).status).toBe(403);
  });

  it("lets an admin read any wethouder's digest, or the overview of the gemeente", async () => {
    const response = await api(`?wethouder=${C}&week=2026-W48`, "admin@demo.wijklijn.nl");
    expect(response.status).toBe(200);
    expect(WeeklyDigestSchema.parse(await response.json()).audience).toMatchObject({ kind: "wethouder", email: C });
    const unknown = await api("?wethouder=niemand@demo.wijklijn.nl&week=2026-W48", "admin@demo.wijklijn.nl");
    expect(unknown.status).toBe(404);
    expect((await api("?wethouder=gr.mierlo@demo.wijklijn.nl&week=2026-W48", "admin@demo.wijklijn.nl")).status).toBe(404);
    const overview = WeeklyDigestSchema.parse(await (await api("?week=2026-W48", "admin@demo.wijklijn.nl")).json());
    expect(overview.audience).toEqual({ kind: "gemeente" });
    expect(overview.wijken).toHaveLength(11);
  });

  it.each([
    ["?wethouder=wethouder.c@demo.wijklijn.nl&week=2026-48", /week/],
    ["?wethouder=wethouder.c@demo.wijklijn.nl&week=2025-W53", /ISO week/],
    ["?wethouder=wethouder.c@demo.wijklijn.nl", /week/],
    ["?wethouder=not-an-address&week=2026-W48", /e-mail/],
    ["?wethouder=wethouder.c@demo.wijklijn.nl&week=2026-W48&format=pdf", /format/],
    ["?wethouder=wethouder.c@demo.wijklijn.nl&week=2026-W50", /has not started/],
  ])("answers 400 for %s", async (query, message) => {
    const response = await api(query, C);
    expect(response.status).toBe(400);
    expect(ErrorSchema.parse(await response.json()).error.message).toMatch(message);
  });

  it("returns a sent digest exactly as it was sent", async () => {
    const wethouder = await t.db.staffUser.findUniqueOrThrow({ where: { email: "wethouder.a@demo.wijklijn.nl" } });
    await sendDigest(t.db, { send: async () => undefined }, wethouder.id, "2026-W47", { publicUrl: "https://x.test", settings: testSettings, now: () => new Date("2026-11-23T08:00:00Z") });
    const digest = WeeklyDigestSchema.parse(await (await api("?week=2026-W47", "wethouder.a@demo.wijklijn.nl")).json());
    expect(digest.generatedAt).toBe("2026-11-23T08:00:00.000Z");
  });

  it("is documented in the OpenAPI document", () => {
    expect(openApiDocument.paths["/api/v1/digests"].get.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(openApiDocument.paths["/api/v1/digests"].get.responses)).toEqual(["200", "400", "401", "403", "404"]);
    expect(openApiDocument.components.schemas.WeeklyDigest).toMatchObject({ type: "object" });
  });

  it("shows a wethouder their archive and a digest as a page", async () => {
    const archive = await pageAs("/digests", C);
    expect(archive.status).toBe(200);
    const list = await archive.text();
    expect(list).toContain("<h1>Weekoverzichten</h1>");
    expect(list).toContain('href="/inbox/digests/2026-W48"');
    expect(list).not.toContain("<select"); // no chooser for a wethouder

    const response = await pageAs("/digests/2026-W48", C);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<h1>Weekoverzicht week 48</h1>");
    expect(html).toContain("Niet verstuurd; zo ziet het overzicht er nu uit.");
    expect(html).toMatch(/<meter min="0" max="3" value="3">3<\/meter>/);
    expect(html).toContain('href="/api/v1/digests?wethouder=wethouder.c%40demo.wijklijn.nl&amp;week=2026-W48"');
    expect(html).not.toMatch(/ style=/); // nothing a strict Content-Security-Policy would block
    for (const leak of ["Jan de Vries", "06-12345678", "Pietersen"]) expect(html).not.toContain(leak);
  });

  it("shows the archive page of a sent week as it was sent", async () => {
    const html = await (await pageAs("/digests/2026-W47", "wethouder.a@demo.wijklijn.nl")).text();
    expect(html).toMatch(/Verstuurd op maandag 23 november, 09:00/);
    const list = await (await pageAs("/digests", "wethouder.a@demo.wijklijn.nl")).text();
    expect(list).toMatch(/verstuurd op maandag 23 november, 09:00/);
  });

  it("lets an admin choose a wethouder, and keeps gebiedsregisseurs out", async () => {
    const chooser = await (await pageAs("/digests", "admin@demo.wijklijn.nl")).text();
    expect(chooser).toContain("<select");
    expect(chooser).toContain("Wethouder C (wethouder.c@demo.wijklijn.nl)");
    expect(chooser).toContain("Hele gemeente (alle wijken)");
    const chosen = await (await pageAs(`/digests?wethouder=${encodeURIComponent(C)}`, "admin@demo.wijklijn.nl")).text();
    expect(chosen).toContain(`href="/inbox/digests/2026-W48?wethouder=wethouder.c%40demo.wijklijn.nl"`);
    const page = await pageAs(`/digests/2026-W48?wethouder=${encodeURIComponent(C)}`, "admin@demo.wijklijn.nl");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Voor Wethouder C");
    expect((await pageAs("/digests", "gr.mierlo@demo.wijklijn.nl")).status).toBe(403);
    expect((await pageAs("/digests/2026-W48", "gr.mierlo@demo.wijklijn.nl")).status).toBe(403);
    expect((await pageAs("/digests/2026-W48", "wethouder.a@demo.wijklijn.nl")).status).toBe(200);
    expect((await pageAs("/digests/2026-W99", C)).status).toBe(404);
    expect((await pageAs("/digests/2027-W10", C)).status).toBe(404);
  });

  it("sends a visitor without a session to the login page", async () => {
    const response = await fetch(`${server.url}/inbox/digests/2026-W48`, { redirect: "manual" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/inbox/login?next=%2Finbox%2Fdigests%2F2026-W48");
  });
});
