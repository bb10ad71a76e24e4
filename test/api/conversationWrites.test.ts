import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { createStaffSession } from "../../src/db/session.repo.ts";
import { createApiToken } from "../../src/db/staff.repo.ts";
import { createApp } from "../../src/http/app.ts";
import { wakeSnoozedConversations } from "../../src/inbox/conversationActions.ts";
import { createBotHarness, type BotHarness } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

describeEachDatabase("the conversations API: replies, notes and status", (provider) => {
  let harness: BotHarness;
  let server: Awaited<ReturnType<typeof listen>>;
  let conversationId = "";
  const tokens = { gr: "", otherGr: "", wethouder: "", admin: "" };

  beforeAll(async () => {
    harness = await createBotHarness(provider, new Date(), { realClock: true });
    server = await listen(createApp({ db: harness.t.db, provider, logger: captureLogger().logger, bot: harness.bot }));
    const resident = harness.resident();
    for (const step of ["hoi", "ja", "5731 BB", "ja", "mens", "Over de bomen bij de school"]) await resident.say(step);
    const conversation = (await resident.conversations()).find((c) => c.status === "open");
    conversationId = conversation?.id ?? "";
    tokens.gr = (await createApiToken(harness.t.db, { email: "gr.mierlo@demo.wijklijn.nl" })).token;
    tokens.otherGr = (await createApiToken(harness.t.db, { email: "gr.geldrop-zuid@demo.wijklijn.nl" })).token;
    tokens.wethouder = (await createApiToken(harness.t.db, { email: "wethouder.c@demo.wijklijn.nl" })).token;
    tokens.admin = (await createApiToken(harness.t.db, { email: "admin@demo.wijklijn.nl" })).token;
  });
  afterAll(async () => {
    await server?.close();
    await harness?.close();
  });

  const post = (path: string, body: unknown, token: string | null, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/api/v1/conversations/${conversationId}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify(body),
    });

  it("starts from a conversation the bot handed to the Mierlo tandem", () => {
    expect(conversationId).not.toBe("");
  });

  it("delivers a staff reply to the resident's own channel through the outbox, once", async () => {
    const response = await post("/messages", { text: "Dank u, we kijken er morgen naar." }, tokens.gr);
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ direction: "out", text: "Dank u, we kijken er morgen naar." });
    const rows = await harness.t.db.outboxMessage.findMany({ where: { conversationId, payload: { contains: "morgen naar" } } });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.channel).toBe("webchat");
    const conversation = await harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    expect(conversation.status).toBe("waiting");
    expect(conversation.firstResponseAt).not.toBeNull();
    // Delivered by the running dispatcher: wait for it (a loaded machine may take more than one poll), then check it went once.
    await expect.poll(async () => (await harness.t.db.outboxMessage.findFirstOrThrow({ where: { id: rows[0]?.id } })).status, { timeout: 10_000, interval: 50 }).toBe("sent");
    expect(await harness.t.db.outboxMessage.count({ where: { conversationId, payload: { contains: "morgen naar" } } })).toBe(1);
  });

  it("keeps a note internal, and lets a wethouder note but not reply", async () => {
    expect((await post("/notes", { text: "Bel de aannemer." }, tokens.wethouder)).status).toBe(201);
    expect(await harness.t.db.outboxMessage.count({ where: { payload: { contains: "aannemer" } } })).toBe(0);
    const forbidden = await post("/messages", { text: "Hallo" }, tokens.wethouder);
    expect(forbidden.status).toBe(403);
    expect((await post("/status", { status: "resolved" }, tokens.wethouder)).status).toBe(403);
  });

  it("answers 404 for another tandem's conversation on every write route, and 401 without credentials", async () => {
    for (const [path, body] of [
      ["/messages", { text: "x" }],
      ["/notes", { text: "x" }],
      ["/status", { status: "resolved" }],
      ["/assignee", { staffUserId: null }],
      ["/wijk", { wijk: "centrum" }],
      ["/theme", { theme: "groen" }],
    ] as const) {
      expect((await post(path, body, tokens.otherGr)).status, path).toBe(404);
      expect((await post(path, body, null)).status, path).toBe(401);
    }
  });

  it("validates bodies with clear messages", async () => {
    const empty = await post("/messages", { text: "   " }, tokens.gr);
    expect(empty.status).toBe(400);
    expect(z.object({ error: z.object({ message: z.string() }) }).parse(await empty.json()).error.message).toMatch(/empty/);
    expect((await post("/status", { status: "gone" }, tokens.gr)).status).toBe(400);
    expect((await post("/theme", { theme: "weer" }, tokens.gr)).status).toBe(400);
    expect((await post("/status", { status: "snoozed", until: "2000-01-01T00:00:00Z" }, tokens.gr)).status).toBe(400);
  });

  it("snoozes until the resident writes again, then the resident's message reopens it", async () => {
    expect((await post("/status", { status: "snoozed" }, tokens.gr)).status).toBe(204);
    expect((await harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).status).toBe("snoozed");
    const identity = await harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversationId }, include: { channelIdentity: true } });
    await harness.bot.processor.ingest({ channel: "webchat", externalId: identity.channelIdentity?.externalId ?? "", channelMessageId: "after-snooze", text: "Is er al nieuws?" });
    await harness.bot.processor.idle();
    expect((await harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).status).toBe("open");
  });

  it("wakes a conversation snoozed until a time once that time has come", async () => {
    const until = new Date(Date.now() + 3600_000);
    expect((await post("/status", { status: "snoozed", until: until.toISOString() }, tokens.gr)).status).toBe(204);
    expect(await wakeSnoozedConversations(harness.t.db, new Date(until.getTime() - 60_000))).toBe(0);
    expect((await harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).status).toBe("snoozed");
    expect(await wakeSnoozedConversations(harness.t.db, new Date(until.getTime() + 60_000))).toBe(1);
    expect((await harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).status).toBe("open");
  });

  it("moves the conversation to another wijk and tandem with a note, after which the old tandem gets 404", async () => {
    expect((await post("/wijk", { wijk: "genoenhuis" }, tokens.admin)).status).toBe(204);
    const moved = await harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversationId }, include: { tandem: true, messages: { where: { direction: "note" } } } });
    expect(moved.tandem?.slug).toBe("geldrop-zuid");
    expect(moved.messages.some((m) => m.text?.includes("naar Genoenhuis"))).toBe(true);
    expect((await post("/notes", { text: "x" }, tokens.gr)).status).toBe(404);
    expect((await post("/theme", { theme: "groen" }, tokens.otherGr)).status).toBe(204);
    const assignee = await harness.t.db.staffUser.findUniqueOrThrow({ where: { email: "gr.geldrop-zuid@demo.wijklijn.nl" } });
    expect((await post("/assignee", { staffUserId: assignee.id }, tokens.otherGr)).status).toBe(204);
    const wrong = await harness.t.db.staffUser.findUniqueOrThrow({ where: { email: "gr.mierlo@demo.wijklijn.nl" } });
    expect((await post("/assignee", { staffUserId: wrong.id }, tokens.otherGr)).status).toBe(400);
    expect((await post("/status", { status: "resolved" }, tokens.otherGr)).status).toBe(204);
    const resolved = await harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    expect(resolved).toMatchObject({ status: "resolved", theme: "groen", assigneeId: assignee.id });
    expect(resolved.resolvedAt).not.toBeNull();
    expect((await post("/status", { status: "open" }, tokens.otherGr)).status).toBe(204);
    expect((await harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).resolvedAt).toBeNull();
    const audit = await harness.t.db.auditEvent.findMany({ where: { subjectId: conversationId }, select: { action: true } });
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        "conversation.replied",
        "conversation.noted",
        "conversation.snoozed",
        "conversation.rerouted",
        "conversation.theme",
        "conversation.assigned",
        "conversation.resolved",
        "conversation.reopened",
      ]),
    );
  });

  it("accepts the inbox session with its CSRF header, and refuses it without", async () => {
    const staff = await harness.t.db.staffUser.findUniqueOrThrow({ where: { email: "gr.geldrop-zuid@demo.wijklijn.nl" } });
    const session = await createStaffSession(harness.t.db, staff.id);
    const cookie = `wl_staff=${session.id}`;
    expect((await post("/notes", { text: "via de sessie" }, null, { cookie })).status).toBe(401);
    expect((await post("/notes", { text: "via de sessie" }, null, { cookie, "x-csrf-token": session.csrfToken })).status).toBe(201);
    const list = await fetch(`${server.url}/api/v1/conversations`, { headers: { cookie } });
    expect(list.status).toBe(200);
  });
});
