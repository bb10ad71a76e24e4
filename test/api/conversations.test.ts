import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { openApiDocument } from "../../src/api/openapi.ts";
import { createApiToken } from "../../src/db/staff.repo.ts";
import { createApp } from "../../src/http/app.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const ConversationJson = z.strictObject({
  id: z.string(),
  reference: z.string(),
  channel: z.string(),
  wijk: z.string().nullable(),
  tandem: z.string().nullable(),
  status: z.string(),
  intent: z.string().nullable(),
  theme: z.string().nullable(),
  emergency: z.string().nullable(),
  language: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastMessageAt: z.iso.datetime(),
  firstResponseAt: z.iso.datetime().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  assignee: z.object({ email: z.string(), name: z.string() }).nullable(),
  channelAddress: z.string().nullable(),
});
const Page = z.strictObject({ items: z.array(ConversationJson), nextCursor: z.string().nullable() });
const Detail = ConversationJson.extend({
  feedback: z
    .strictObject({
      status: z.string(),
      score: z.number().int().min(1).max(5).nullable(),
      reopened: z.boolean(),
      commented: z.boolean(),
      askedAt: z.iso.datetime().nullable(),
      scoredAt: z.iso.datetime().nullable(),
    })
    .nullable(),
  open311: z
    .strictObject({
      status: z.string(),
      serviceRequestId: z.string().nullable(),
      externalStatus: z.string().nullable(),
      statusNotes: z.string().nullable(),
      sentAt: z.iso.datetime().nullable(),
      closedAt: z.iso.datetime().nullable(),
    })
    .nullable(),
  messages: z.array(
    z.strictObject({
      id: z.string(),
      direction: z.enum(["in", "out", "note"]),
      text: z.string().nullable(),
      at: z.iso.datetime(),
      author: z.string(),
      photo: z.object({ mediaRef: z.string() }).optional(),
      location: z.object({ latitude: z.number(), longitude: z.number() }).optional(),
    }),
  ),
});

const T0 = new Date("2026-11-20T09:00:00Z");
const at = (minutes: number, seconds = 0) => new Date(T0.getTime() + minutes * 60_000 + seconds * 1000);

describeEachDatabase("the conversations API", (provider) => {
  let t: TestDatabase;
  let server: Awaited<ReturnType<typeof listen>>;
  const tokens = { grMierlo: "", wethouderC: "", admin: "", grZuid: "", revoked: "", deactivated: "" };
  const ids = { mierlo: "", buitengebied: "", noord: "", tandemless: "" };
  const zuidIds: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    const db = t.db;
    const gemeente = await db.gemeente.findUniqueOrThrow({ where: { slug: "geldrop-mierlo" } });
    const staffId = async (email: string) => (await db.staffUser.findUniqueOrThrow({ where: { email } })).id;
    const grMierloId = await staffId("gr.mierlo@demo.wijklijn.nl");

    const resident = await db.resident.create({ data: { gemeenteId: gemeente.id } });
    const telegram = await db.channelIdentity.create({ data: { residentId: resident.id, channel: "telegram", externalId: "4242" } });
    const whatsapp = await db.channelIdentity.create({ data: { residentId: resident.id, channel: "whatsapp", externalId: "31612345678" } });

    let sequence = 0;
    const addConversation = async (input: {
      wijk: string | null;
      status: string;
      lastMessageAt: Date;
      channel?: "telegram" | "whatsapp";
      theme?: string;
      intent?: string;
      assigneeId?: string;
      firstResponseAt?: Date;
      resolvedAt?: Date;
    }) => {
      const wijk = input.wijk ? await db.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId: gemeente.id, slug: input.wijk } } }) : null;
      const identity = input.channel === "whatsapp" ? whatsapp : telegram;
      sequence += 1;
      const row = await db.conversation.create({
        data: {
          reference: `WL-2026-${String(sequence).padStart(5, "0")}`,
          gemeenteId: gemeente.id,
          residentId: resident.id,
          channelIdentityId: identity.id,
          channel: identity.channel,
          wijkId: wijk?.id ?? null,
          tandemId: wijk?.tandemId ?? null,
          status: input.status,
          theme: input.theme ?? null,
          intent: input.intent ?? null,
          assigneeId: input.assigneeId ?? null,
          createdAt: at(0),
          lastMessageAt: input.lastMessageAt,
          firstResponseAt: input.firstResponseAt ?? null,
          resolvedAt: input.resolvedAt ?? null,
        },
      });
      return row.id;
    };

    ids.mierlo = await addConversation({ wijk: "kerkakkers", status: "open", theme: "afval", intent: "melding", lastMessageAt: at(30), assigneeId: grMierloId, firstResponseAt: at(0, 5) });
    ids.buitengebied = await addConversation({ wijk: "buitengebied", status: "waiting", theme: "groen", intent: "idee", channel: "whatsapp", lastMessageAt: at(29) });
    ids.noord = await addConversation({ wijk: "coevering", status: "resolved", theme: "verkeer", intent: "melding", lastMessageAt: at(28), resolvedAt: at(28) });
    ids.tandemless = await addConversation({ wijk: null, status: "bot", lastMessageAt: at(27) });
    // 23 in Geldrop-Zuid, three at a time sharing lastMessageAt, so page boundaries fall inside ties.
    for (let i = 0; i < 23; i++) {
      zuidIds.push(await addConversation({ wijk: "genoenhuis", status: i % 2 === 0 ? "open" : "snoozed", theme: "overlast", lastMessageAt: at(10 - Math.floor(i / 3)) }));
    }

    // Written out of order on purpose: the API sorts by time, not by insertion.
    const message = (data: { direction: string; authorKind: string; at: Date; text?: string; authorStaffId?: string; mediaRef?: string; latitude?: number; longitude?: number }) =>
      db.message.create({
        data: {
          conversationId: ids.mierlo,
          channel: "telegram",
          direction: data.direction,
          authorKind: data.authorKind,
          authorStaffId: data.authorStaffId ?? null,
          text: data.text ?? null,
          mediaRef: data.mediaRef ?? null,
          latitude: data.latitude ?? null,
          longitude: data.longitude ?? null,
          createdAt: data.at,
        },
      });
    await message({ direction: "out", authorKind: "staff", authorStaffId: grMierloId, text: "We ruimen het morgen op.", at: at(0, 50) });
    await message({ direction: "in", authorKind: "resident", text: "Er ligt zwerfafval bij de speeltuin.", at: at(0, 0) });
    await message({ direction: "note", authorKind: "staff", authorStaffId: grMierloId, text: "Doorgezet naar de buitendienst.", at: at(0, 40) });
    await message({ direction: "out", authorKind: "bot", text: "Dank je. Wil je er een foto van sturen?", at: at(0, 10) });
    await message({ direction: "in", authorKind: "resident", mediaRef: "telegram:photo-1", at: at(0, 20) });
    await message({ direction: "in", authorKind: "resident", latitude: 51.441, longitude: 5.63, at: at(0, 30) });

    tokens.grMierlo = (await createApiToken(db, { email: "gr.mierlo@demo.wijklijn.nl" })).token;
    tokens.wethouderC = (await createApiToken(db, { email: "wethouder.c@demo.wijklijn.nl" })).token;
    tokens.admin = (await createApiToken(db, { email: "admin@demo.wijklijn.nl" })).token;
    tokens.grZuid = (await createApiToken(db, { email: "gr.geldrop-zuid@demo.wijklijn.nl" })).token;
    const revoked = await createApiToken(db, { email: "admin@demo.wijklijn.nl", name: "old laptop" });
    await db.apiToken.update({ where: { id: revoked.id }, data: { revokedAt: at(1) } });
    tokens.revoked = revoked.token;
    await db.staffUser.create({ data: { gemeenteId: gemeente.id, email: "vertrokken@demo.wijklijn.nl", displayName: "Vertrokken", role: "admin" } });
    tokens.deactivated = (await createApiToken(db, { email: "vertrokken@demo.wijklijn.nl" })).token;
    await db.staffUser.update({ where: { email: "vertrokken@demo.wijklijn.nl" }, data: { active: false } });

    server = await listen(createApp({ db, provider, logger: captureLogger().logger }));
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/api/v1${path}`, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  const list = async (query: string, token: string) => {
    const response = await get(`/conversations${query}`, token);
    expect(response.status, query).toBe(200);
    return Page.parse(await response.json());
  };
  const idsOf = (page: { items: { id: string }[] }) => page.items.map((item) => item.id).sort();

  describe("phone numbers and chat ids", () => {
    it("are masked in the list and the detail, for every role", async () => {
      for (const token of [tokens.admin, tokens.wethouderC]) {
        const response = await get("/conversations?limit=100", token);
        const text = await response.text();
        expect(text).not.toContain("612345678");
        const page = Page.parse(JSON.parse(text));
        expect(page.items.find((item) => item.id === ids.buitengebied)?.channelAddress).toBe("+31 6 •••• 5678");
        expect(page.items.find((item) => item.id === ids.mierlo)?.channelAddress).toBe("••••");
      }
      const detail = await get(`/conversations/${ids.buitengebied}`, tokens.admin);
      const text = await detail.text();
      expect(text).not.toContain("612345678");
      expect(Detail.parse(JSON.parse(text)).channelAddress).toBe("+31 6 •••• 5678");
    });
  });

  describe("authentication", () => {
    it("answers 401 with WWW-Authenticate when no token is sent", async () => {
      const response = await get("/conversations");
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(ErrorBody.parse(await response.json()).error.code).toBe("unauthorized");
    });

    it.each([
      ["a wrong token", "wl_not-a-real-token"],
      ["a token with spaces", "wl_a b"],
    ])("answers 401 for %s", async (_name, token) => {
      const response = await get("/conversations", token);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
      expect(ErrorBody.parse(await response.json()).error.code).toBe("unauthorized");
    });

    it("answers 401 for a revoked token and for a deactivated staff user", async () => {
      for (const token of [tokens.revoked, tokens.deactivated]) {
        const response = await get("/conversations", token);
        expect(response.status).toBe(401);
        expect(ErrorBody.parse(await response.json()).error.code).toBe("unauthorized");
      }
    });

    it("answers 401 for another scheme than Bearer, also on the detail route", async () => {
      const response = await get(`/conversations/${ids.mierlo}`, undefined, { authorization: `Basic ${Buffer.from("admin:x").toString("base64")}` });
      expect(response.status).toBe(401);
    });

    it("records when a token was last used", async () => {
      const { token, id } = await createApiToken(t.db, { email: "gr.mierlo@demo.wijklijn.nl", name: "usage" });
      expect((await t.db.apiToken.findUniqueOrThrow({ where: { id } })).lastUsedAt).toBeNull();
      await list("", token);
      expect((await t.db.apiToken.findUniqueOrThrow({ where: { id } })).lastUsedAt).toBeInstanceOf(Date);
    });

    it("keeps unknown /api/v1 routes a 404, not a 401", async () => {
      expect((await get("/nope")).status).toBe(404);
    });
  });

  describe("who sees what", () => {
    it("shows a gebiedsregisseur only their tandem's conversations", async () => {
      const page = await list("", tokens.grMierlo);
      expect(page.items.map((item) => item.tandem)).toEqual(["mierlo"]);
      expect(idsOf(page)).toEqual([ids.mierlo]);
    });

    it("shows a wethouder with two tandems the conversations of both", async () => {
      expect(idsOf(await list("", tokens.wethouderC))).toEqual([ids.mierlo, ids.buitengebied].sort());
    });

    it("shows an admin every conversation, also those without a tandem", async () => {
      const page = await list("?limit=100", tokens.admin);
      expect(idsOf(page)).toEqual([ids.mierlo, ids.buitengebied, ids.noord, ids.tandemless, ...zuidIds].sort());
      expect(page.items.find((item) => item.id === ids.tandemless)).toMatchObject({ wijk: null, tandem: null, status: "bot" });
      expect(page.nextCursor).toBeNull();
    });

    it("answers 404 for another tandem's conversation, exactly as for a missing one", async () => {
      const outside = await get(`/conversations/${ids.buitengebied}`, tokens.grMierlo);
      const missing = await get("/conversations/cnotthereatall0000000000", tokens.grMierlo);
      const malformed = await get(`/conversations/${encodeURIComponent("../etc")}`, tokens.grMierlo);
      expect([outside.status, missing.status, malformed.status]).toEqual([404, 404, 404]);
      const bodies = await Promise.all([outside.json(), missing.json(), malformed.json()]);
      expect(bodies[0]).toEqual(bodies[1]);
      expect(bodies[0]).toEqual(bodies[2]);
      expect(ErrorBody.parse(bodies[0]).error.code).toBe("not_found");
    });

    it("answers 404 to a gebiedsregisseur for a conversation without a tandem", async () => {
      expect((await get(`/conversations/${ids.tandemless}`, tokens.grMierlo)).status).toBe(404);
      expect((await get(`/conversations/${ids.tandemless}`, tokens.admin)).status).toBe(200);
    });
  });

  describe("filters", () => {
    it("filters on a list of statuses, comma-separated or repeated", async () => {
      const expected = [ids.mierlo, ids.buitengebied].sort();
      expect(idsOf(await list("?status=open,waiting&wijk=kerkakkers", tokens.admin))).toEqual([ids.mierlo]);
      expect(idsOf(await list("?status=waiting,resolved&limit=100", tokens.admin))).toEqual([ids.buitengebied, ids.noord].sort());
      expect(idsOf(await list("?status=open&status=waiting", tokens.wethouderC))).toEqual(expected);
      const snoozed = await list("?status=snoozed&limit=100", tokens.admin);
      expect(snoozed.items).toHaveLength(11);
      expect(new Set(snoozed.items.map((item) => item.status))).toEqual(new Set(["snoozed"]));
    });

    it("filters on wijk, theme and channel", async () => {
      expect(idsOf(await list("?wijk=coevering", tokens.admin))).toEqual([ids.noord]);
      expect(idsOf(await list("?theme=groen", tokens.admin))).toEqual([ids.buitengebied]);
      expect(idsOf(await list("?channel=whatsapp", tokens.admin))).toEqual([ids.buitengebied]);
      expect(idsOf(await list("?channel=telegram&theme=afval", tokens.admin))).toEqual([ids.mierlo]);
      expect((await list("?wijk=nergens", tokens.admin)).items).toEqual([]);
    });

    it("does not widen a caller's scope through a filter", async () => {
      expect((await list("?wijk=coevering", tokens.grMierlo)).items).toEqual([]);
    });
  });

  describe("pagination", () => {
    it("walks every conversation once, in order, even when lastMessageAt ties at page boundaries", async () => {
      const all = await list("?limit=100", tokens.grZuid);
      expect(all.items).toHaveLength(23);
      const walked: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: z.infer<typeof Page> = await list(`?limit=5${cursor ? `&cursor=${cursor}` : ""}`, tokens.grZuid);
        expect(page.items.length).toBeLessThanOrEqual(5);
        walked.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 20);
      expect(pages).toBe(5);
      expect(walked).toEqual(all.items.map((item) => item.id));
      expect(new Set(walked).size).toBe(23);
      expect(walked.slice().sort()).toEqual(zuidIds.slice().sort());
      const times = all.items.map((item) => Date.parse(item.lastMessageAt));
      expect(times).toEqual(times.slice().sort((a, b) => b - a));
    });

    it("keeps the filters while paging and defaults to 25 items", async () => {
      const first = await list("?status=open&limit=4", tokens.grZuid);
      const second = await list(`?status=open&limit=4&cursor=${first.nextCursor ?? ""}`, tokens.grZuid);
      const third = await list(`?status=open&limit=4&cursor=${second.nextCursor ?? ""}`, tokens.grZuid);
      expect([first.items.length, second.items.length, third.items.length]).toEqual([4, 4, 4]);
      expect(third.nextCursor).toBeNull();
      expect(new Set([...first.items, ...second.items, ...third.items].map((item) => item.status))).toEqual(new Set(["open"]));
      const byDefault = await list("", tokens.admin);
      expect(byDefault.items).toHaveLength(25);
      expect(byDefault.nextCursor).not.toBeNull();
    });
  });

  describe("invalid queries", () => {
    it.each([
      ["limit=0", "limit"],
      ["limit=101", "limit"],
      ["limit=abc", "limit"],
      ["limit=2.5", "limit"],
      ["status=closed", "status"],
      ["status=open,", "status"],
      ["theme=fietsen", "theme"],
      ["channel=sms", "channel"],
      ["wijk=Geen%20Slug", "wijk"],
      ["wijk=a&wijk=b", "wijk"],
      ["cursor=not-a-cursor", "cursor"],
      [`cursor=${Buffer.from('["yesterday","x"]').toString("base64url")}`, "cursor"],
      ["stauts=open", "stauts"],
    ])("answers 400 naming the parameter for ?%s", async (query, parameter) => {
      const response = await get(`/conversations?${query}`, tokens.admin);
      expect(response.status).toBe(400);
      const body = ErrorBody.parse(await response.json());
      expect(body.error.code).toBe("invalid_query");
      expect(body.error.message).toContain(`"${parameter}"`);
    });
  });

  describe("one conversation", () => {
    it("returns the conversation with its messages in order, with authors, photo and location", async () => {
      const response = await get(`/conversations/${ids.mierlo}`, tokens.grMierlo);
      expect(response.status).toBe(200);
      const detail = Detail.parse(await response.json());
      expect(detail).toMatchObject({
        id: ids.mierlo,
        reference: "WL-2026-00001",
        channel: "telegram",
        wijk: "kerkakkers",
        tandem: "mierlo",
        status: "open",
        intent: "melding",
        theme: "afval",
        emergency: null,
        language: null,
        createdAt: at(0).toISOString(),
        lastMessageAt: at(30).toISOString(),
        firstResponseAt: at(0, 5).toISOString(),
        resolvedAt: null,
        assignee: { email: "gr.mierlo@demo.wijklijn.nl", name: "Gebiedsregisseur Mierlo" },
      });
      expect(detail.messages.map(({ id: _id, ...message }) => message)).toEqual([
        { direction: "in", text: "Er ligt zwerfafval bij de speeltuin.", at: at(0, 0).toISOString(), author: "resident" },
        { direction: "out", text: "Dank je. Wil je er een foto van sturen?", at: at(0, 10).toISOString(), author: "bot" },
        { direction: "in", text: null, at: at(0, 20).toISOString(), author: "resident", photo: { mediaRef: "telegram:photo-1" } },
        { direction: "in", text: null, at: at(0, 30).toISOString(), author: "resident", location: { latitude: 51.441, longitude: 5.63 } },
        { direction: "note", text: "Doorgezet naar de buitendienst.", at: at(0, 40).toISOString(), author: "Gebiedsregisseur Mierlo" },
        { direction: "out", text: "We ruimen het morgen op.", at: at(0, 50).toISOString(), author: "Gebiedsregisseur Mierlo" },
      ]);
    });

    it("gives the conversation's feedback and Open311 forward in the detail (null without), never in the list", async () => {
      const before = Detail.parse(await (await get(`/conversations/${ids.mierlo}`, tokens.grMierlo)).json());
      expect(before).toMatchObject({ feedback: null, open311: null });
      const gemeenteId = (await t.db.gemeente.findFirstOrThrow()).id;
      await t.db.feedback.create({ data: { conversationId: ids.mierlo, gemeenteId, status: "scored", score: 4, askedAt: at(60), scoredAt: at(61) } });
      await t.db.open311Forward.create({
        data: { conversationId: ids.mierlo, status: "sent", serviceCode: "AFV", nextAttemptAt: at(1), createdAt: at(1), externalId: "EXT-9", externalStatus: "open", sentAt: at(2) },
      });
      try {
        const detail = Detail.parse(await (await get(`/conversations/${ids.mierlo}`, tokens.grMierlo)).json());
        expect(detail.feedback).toEqual({ status: "scored", score: 4, reopened: false, commented: false, askedAt: at(60).toISOString(), scoredAt: at(61).toISOString() });
        expect(detail.open311).toEqual({ status: "sent", serviceRequestId: "EXT-9", externalStatus: "open", statusNotes: null, sentAt: at(2).toISOString(), closedAt: null });
        const page = await list("?wijk=kerkakkers", tokens.grMierlo);
        expect(page.items[0]).not.toHaveProperty("feedback");
      } finally {
        await t.db.feedback.deleteMany({ where: { conversationId: ids.mierlo } });
        await t.db.open311Forward.deleteMany({ where: { conversationId: ids.mierlo } });
      }
    });

    it("lists a conversation with exactly the CONTRACTS fields (and the masked channel address), dates as ISO strings", async () => {
      const page = await list("?wijk=coevering", tokens.admin);
      expect(page.items[0]).toEqual({
        id: ids.noord,
        reference: "WL-2026-00003",
        channel: "telegram",
        wijk: "coevering",
        tandem: "geldrop-noord",
        status: "resolved",
        intent: "melding",
        theme: "verkeer",
        emergency: null,
        language: null,
        createdAt: at(0).toISOString(),
        lastMessageAt: at(28).toISOString(),
        firstResponseAt: null,
        resolvedAt: at(28).toISOString(),
        assignee: null,
        // Not in CONTRACTS' list, an extension: the Telegram chat id "4242", masked.
        channelAddress: "••••",
      });
    });
  });

  it("documents the conversation routes in the OpenAPI document", async () => {
    const doc = z.object({ paths: z.record(z.string(), z.unknown()) }).parse(await (await fetch(`${server.url}/api/docs/openapi.json`)).json());
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/conversations", "/api/v1/conversations/{id}"]));
    expect(Object.keys(openApiDocument.components.schemas)).toEqual(expect.arrayContaining(["Conversation", "ConversationDetail"]));
  });
});
