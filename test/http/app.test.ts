import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { openApiDocument } from "../../src/api/openapi.ts";
import { createApp } from "../../src/http/app.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

describeEachDatabase("the HTTP service", (provider) => {
  let t: TestDatabase;
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    server = await listen(createApp({ db: t.db, provider, logger: captureLogger().logger }));
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });

  it("answers /healthz and /readyz", async () => {
    expect(await (await get("/healthz")).json()).toEqual({ status: "ok" });
    const ready = await get("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", checks: { database: { ok: true } } });
  });

  it("lists every wijk with its tandem", async () => {
    const response = await get("/api/v1/wijken");
    expect(response.status).toBe(200);
    const wijken = z.array(z.looseObject({ slug: z.string() })).parse(await response.json());
    expect(wijken).toHaveLength(11);
    expect(wijken.find((w) => w.slug === "kerkakkers")).toEqual({ slug: "kerkakkers", name: "Kerkakkers", active: true, tandem: "mierlo" });
  });

  describe("GET /api/v1/wijken/lookup", () => {
    it.each([
      ["postcode=5662AB", { wijk: { slug: "coevering", name: "Coevering", active: true, tandem: "geldrop-noord" }, reason: "found" }],
      ["postcode=5731%20cb", { wijk: { slug: "neerakkers", name: "Neerakkers", active: true, tandem: "mierlo" }, reason: "found" }],
      ["postcode=5660", { wijk: null, reason: "no-wijk" }],
      ["postcode=1012AB", { wijk: null, reason: "outside" }],
      ["postcode=hallo", { wijk: null, reason: "invalid" }],
      ["lat=51.43&lon=5.55", { wijk: { slug: "coevering", name: "Coevering", active: true, tandem: "geldrop-noord" }, reason: "found" }],
      ["lat=52.37&lon=4.89", { wijk: null, reason: "outside" }],
    ])("?%s", async (query, expected) => {
      const response = await get(`/api/v1/wijken/lookup?${query}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(expected);
    });

    it.each(["", "lat=51.4", "lat=abc&lon=5", "postcode=", "lat=95&lon=5"])("answers 400 with a clear message for ?%s", async (query) => {
      const response = await get(`/api/v1/wijken/lookup?${query}`);
      expect(response.status).toBe(400);
      const body = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).parse(await response.json());
      expect(body.error.code).toBe("invalid_query");
      expect(body.error.message).toMatch(/postcode/);
    });
  });

  it("shows a landing page in Dutch that says the data is illustrative", async () => {
    const response = await get("/", { accept: "text/html" });
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('lang="nl"');
    expect(html).toContain("Geldrop-Mierlo");
    expect(html).toMatch(/illustratief/);
    expect(html).toContain('href="/api/docs"');
  });

  it("serves an OpenAPI document whose paths all answer", async () => {
    const response = await get("/api/docs/openapi.json");
    const operation = z.looseObject({ get: z.looseObject({ security: z.array(z.unknown()).optional() }).optional() });
    const doc = z.object({ openapi: z.string(), paths: z.record(z.string(), operation) }).parse(await response.json());
    expect(Object.keys(doc.paths)).toEqual(Object.keys(openApiDocument.paths));
    expect(doc.openapi).toBe("3.1.0");
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!item.get) continue; // POST routes are tested with their bodies elsewhere
      if (path.startsWith("/chat/") || path.startsWith("/privacy/")) continue; // need the running bot: test/service/webchat.test.ts
      const answer = await get(path === "/api/v1/wijken/lookup" ? `${path}?postcode=5662` : path.replace(/\{[^}]+\}/g, "x"));
      // Public paths (no security, or `security: []`) answer; the others want credentials.
      const needsCredentials = (item.get?.security?.length ?? 0) > 0;
      // An Open311 request "x" does not exist: the route answers with the specification's 404.
      const unknownId = path.startsWith("/open311/v2/requests/{");
      expect(answer.status, path).toBe(needsCredentials ? 401 : unknownId ? 404 : 200);
    }
  });

  it("serves Prometheus metrics without resident data", async () => {
    const response = await get("/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toContain("# TYPE wijklijn_conversations gauge");
    expect(text).toMatch(/^wijklijn_inbound_unprocessed 0$/m);
    expect(text).toMatch(/^process_uptime_seconds \d+$/m);
  });

  it("answers unknown routes with a JSON 404", async () => {
    const response = await get("/api/v1/nope");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it("sets protective headers", async () => {
    const response = await get("/healthz");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-powered-by")).toBeNull();
  });
});

describe("readiness", () => {
  it("reports 503 when the database is gone", async () => {
    const t = await createTestDatabase("sqlite");
    const server = await listen(createApp({ db: t.db, provider: "sqlite", logger: captureLogger().logger }));
    try {
      await t.db.$executeRawUnsafe(`DELETE FROM "_prisma_migrations"`);
      const response = await fetch(`${server.url}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: "not ready", checks: { database: { ok: false, detail: expect.stringMatching(/pending migrations/) } } });
    } finally {
      await server.close();
      await t.drop();
    }
  });
});
