import express from "express";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import { addNote, changeStatus, createConversation, findOrCreateIdentity, storeInboundMessage } from "../../src/db/conversation.repo.ts";
import { createStaffSession } from "../../src/db/session.repo.ts";
import type { Channel } from "../../src/domain/messages.ts";
import { errorHandler } from "../../src/http/errors.ts";
import { conversationPages, type WhatsappWebStatusView } from "../../src/inbox/pages/conversationPages.ts";
import { loadStaffSession, requireSignedIn, verifyCsrf } from "../../src/inbox/session.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { inboxRequests, rowOf } from "../helpers/inboxPages.ts";
import { captureLogger } from "../helpers/logger.ts";

/** Monday 30 November 2026, 10:00 in Geldrop: the inbox's "now". */
const NOW = new Date("2026-11-30T10:00:00+01:00");
const HOUR = 3_600_000;

interface Visitor {
  cookie: string;
  csrf: string;
  id: string;
}

describeEachDatabase("the inbox pages", (provider) => {
  let t: TestDatabase;
  let url: string;
  let close: () => Promise<void>;
  let gemeenteId: string;
  let whatsappWeb: WhatsappWebStatusView | null = null;
  const logs = captureLogger("error");
  const flows = loadFlows();
  const settings = flows.settings;
  let counter = 0;
  const as: Record<"grNoord" | "grMierlo" | "wethouderNoord" | "admin", Visitor> = {
    grNoord: { cookie: "", csrf: "", id: "" },
    grMierlo: { cookie: "", csrf: "", id: "" },
    wethouderNoord: { cookie: "", csrf: "", id: "" },
    admin: { cookie: "", csrf: "", id: "" },
  };

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    gemeenteId = (await t.db.gemeente.findFirstOrThrow()).id;
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(loadStaffSession(t.db));
    app.use("/inbox", requireSignedIn, verifyCsrf);
    app.use(
      conversationPages({
        db: t.db,
        settings: () => settings,
        globals: () => flows.globals,
        timeZone: "Europe/Amsterdam",
        now: () => NOW,
        whatsappWebStatus: () => whatsappWeb,
        events: { heartbeatMs: 100 },
      }),
    );
    app.use(errorHandler(logs.logger));
    ({ url, close } = await listen(app));
    const emails = { grNoord: "gr.geldrop-noord@demo.wijklijn.nl", grMierlo: "gr.mierlo@demo.wijklijn.nl", wethouderNoord: "wethouder.a@demo.wijklijn.nl", admin: "admin@demo.wijklijn.nl" };
    for (const [key, email] of Object.entries(emails)) {
      const user = await t.db.staffUser.findUniqueOrThrow({ where: { email } });
      const session = await createStaffSession(t.db, user.id);
      const visitor = { cookie: `wl_staff=${session.id}`, csrf: session.csrfToken, id: user.id };
      if (key === "grNoord" || key === "grMierlo" || key === "wethouderNoord" || key === "admin") as[key] = visitor;
    }
  });
  afterAll(async () => {
    await close?.();
    await t?.drop();
  });

  /** A conversation handed over to staff at `handoverAt`, as the bot leaves it. */
  async function handedOver(input: { wijk: string | null; handoverAt: Date; text?: string; channel?: Channel; emergency?: string; photo?: boolean; location?: boolean }) {
    const channel = input.channel ?? "webchat";
    const n = ++counter;
    const started = new Date(input.handoverAt.getTime() - 5 * 60_000);
    return t.db.$transaction(async (tx) => {
      const { identity, resident } = await findOrCreateIdentity(tx, { gemeenteId, channel, externalId: `resident-${n}-abcdefghijklmnop` });
      const wijk = input.wijk ? await tx.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId, slug: input.wijk } } }) : null;
      const conversation = await createConversation(tx, { gemeenteId, residentId: resident.id, channelIdentityId: identity.id, channel, wijkId: wijk?.id ?? null, now: started });
      await storeInboundMessage(
        tx,
        conversation.id,
        {
          channel,
          externalId: identity.externalId,
          channelMessageId: `m-${n}`,
          text: input.text ?? "Er ligt glas bij de bushalte",
          ...(input.photo ? { media: { kind: "photo" as const, ref: "telegram:AgADfile" } } : {}),
          ...(input.location ? { location: { lat: 51.433, lon: 5.575 } } : {}),
        },
        started,
      );
      await addNote(tx, { conversationId: conversation.id, channel, text: "Antwoorden in de chat:\nOmschrijving: glas bij de bushalte", authorKind: "bot", now: input.handoverAt });
      await tx.conversation.update({ where: { id: conversation.id }, data: { intent: "melding", theme: "afval", emergency: input.emergency ?? null, lastMessageAt: input.handoverAt } });
      await changeStatus(tx, conversation.id, "open", { now: input.handoverAt });
      return conversation;
    });
  }

  const { get, post, page } = inboxRequests(() => url);

  it("sends someone without a session to the login page", async () => {
    const response = await fetch(`${url}/inbox`, { redirect: "manual" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/inbox/login?next=%2Finbox");
  });

  it("shows a gebiedsregisseur their own tandem's conversations, and an admin every tandem's", async () => {
    const own = await handedOver({ wijk: "centrum", handoverAt: new Date(NOW.getTime() - HOUR) });
    const other = await handedOver({ wijk: "luchen", handoverAt: new Date(NOW.getTime() - HOUR) });
    const mine = await page("/inbox", as.grNoord);
    expect(mine).toContain(own.reference);
    expect(mine).not.toContain(other.reference);
    expect(mine).toContain("<caption");
    const all = await page("/inbox", as.admin);
    expect(all).toContain(own.reference);
    expect(all).toContain(other.reference);
  });

  it("puts whoever waited longest first, emergencies on top, and marks waits over the service target in office hours", async () => {
    // Thursday 10:00 to Monday 10:00 is 15 working hours (Thu 7, Fri 7, Mon 1): over the 8-hour target.
    const oldest = await handedOver({ wijk: "coevering", handoverAt: new Date("2026-11-26T10:00:00+01:00") });
    // Saturday: outside office hours, so only Monday's hour counts.
    const weekend = await handedOver({ wijk: "coevering", handoverAt: new Date("2026-11-28T12:00:00+01:00") });
    const recent = await handedOver({ wijk: "coevering", handoverAt: new Date("2026-11-30T09:30:00+01:00") });
    const emergency = await handedOver({ wijk: "coevering", handoverAt: new Date("2026-11-30T09:50:00+01:00"), emergency: "112" });
    const html = await page("/inbox?wijk=coevering", as.grNoord);
    const order = [emergency, oldest, weekend, recent].map((c) => html.indexOf(c.reference));
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(rowOf(html, oldest.reference)).toContain("Te laat");
    expect(rowOf(html, oldest.reference)).toContain("15 u 00 min");
    expect(rowOf(html, weekend.reference)).toContain("1 u 00 min");
    expect(rowOf(html, weekend.reference)).not.toContain("Te laat");
    expect(rowOf(html, recent.reference)).not.toContain("Te laat");
    expect(rowOf(html, emergency.reference)).toContain("Spoed: 112");
    expect(html).toContain("1 wacht langer dan 8 werkuren");
  });

  it("says so when nothing matches the filters", async () => {
    const html = await page("/inbox?wijk=genoenhuis&status=resolved", as.grNoord);
    expect(html).toContain("Er wacht niets op je.");
  });

  it("shows the whole history: resident, bot summary, staff notes set apart, photo marker and location link", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: new Date(NOW.getTime() - HOUR), photo: true, location: true });
    expect((await post(`/inbox/c/${conversation.id}/note`, as.grNoord, { text: "Ik bel de aannemer" })).status).toBe(303);
    const html = await page(`/inbox/c/${conversation.id}`, as.grNoord);
    expect(html).toContain("Er ligt glas bij de bushalte");
    expect(html).toContain("Wat de bewoner de bot vertelde");
    expect(html).toContain("Omschrijving: glas bij de bushalte");
    expect(html).toMatch(/class="msg msg-note"><p class="meta"><strong>Interne notitie van Gebiedsregisseur Geldrop-Noord<\/strong>/);
    expect(html).toContain("Ik bel de aannemer");
    expect(html).toContain("<strong>Foto</strong>");
    expect(html).toContain("https://www.openstreetmap.org/?mlat=51.43300&amp;mlon=5.57500#map=18/51.43300/5.57500");
    expect(html).toContain("Geldrop-Centrum");
    expect(html).toContain(conversation.reference);
    expect(html).toContain("Statusgeschiedenis");
  });

  it("sends a reply from the form to the resident's own channel through the outbox, and records the first response", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: new Date(NOW.getTime() - HOUR) });
    const response = await post(`/inbox/c/${conversation.id}/reply`, as.grNoord, { text: "We halen het glas morgen op ({{reference}})." });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/inbox/c/${conversation.id}?gedaan=beantwoord`);
    const outbox = await t.db.outboxMessage.findMany({ where: { conversationId: conversation.id } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]?.channel).toBe("webchat");
    expect(outbox[0]?.channelIdentityId).toBe(conversation.channelIdentityId);
    expect(JSON.parse(outbox[0]?.payload ?? "{}")).toMatchObject({ text: `We halen het glas morgen op (${conversation.reference}).` });
    const after = await t.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    expect(after.firstResponseAt).toEqual(NOW);
    expect(after.status).toBe("waiting");
    expect(await page(`/inbox/c/${conversation.id}?gedaan=beantwoord`, as.grNoord)).toContain("Je antwoord is onderweg naar de bewoner.");
  });

  it("keeps an internal note out of the outbox", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: new Date(NOW.getTime() - HOUR) });
    expect((await post(`/inbox/c/${conversation.id}/note`, as.grNoord, { text: "Alleen voor ons" })).status).toBe(303);
    expect(await t.db.outboxMessage.count({ where: { conversationId: conversation.id } })).toBe(0);
    expect(await t.db.message.count({ where: { conversationId: conversation.id, direction: "note", text: "Alleen voor ons" } })).toBe(1);
  });

  it("refuses an empty reply with a message, sending nothing", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: new Date(NOW.getTime() - HOUR) });
    const response = await post(`/inbox/c/${conversation.id}/reply`, as.grNoord, { text: "   " });
    expect(response.headers.get("location")).toBe(`/inbox/c/${conversation.id}?fout=antwoord-leeg`);
    expect(await t.db.outboxMessage.count({ where: { conversationId: conversation.id } })).toBe(0);
  });

  it("assigns, sets the theme, snoozes (until a time or the next message), resolves and reopens", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: new Date(NOW.getTime() - HOUR) });
    const state = () => t.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    const path = `/inbox/c/${conversation.id}`;

    expect((await post(`${path}/assign`, as.grNoord, { assignee: as.grNoord.id })).headers.get("location")).toBe(`${path}?gedaan=toegewezen`);
    expect((await state()).assigneeId).toBe(as.grNoord.id);
    expect((await post(`${path}/assign`, as.grNoord, { assignee: as.grMierlo.id })).headers.get("location")).toBe(`${path}?fout=collega`);
    expect((await state()).assigneeId).toBe(as.grNoord.id);

    await post(`${path}/theme`, as.grNoord, { theme: "groen" });
    expect((await state()).theme).toBe("groen");

    await post(`${path}/snooze`, as.grNoord, { mode: "tijd", until: "2026-12-01T09:00" });
    expect(await state()).toMatchObject({ status: "snoozed", snoozedUntil: new Date("2026-12-01T08:00:00Z") });
    expect(await page(path, as.grNoord)).toContain("Uitgesteld tot");

    expect((await post(`${path}/snooze`, as.grNoord, { mode: "tijd", until: "2026-11-29T09:00" })).headers.get("location")).toBe(`${path}?fout=tijd`);

    await post(`${path}/snooze`, as.grNoord, { mode: "bericht" });
    expect(await state()).toMatchObject({ status: "snoozed", snoozedUntil: null });

    expect((await post(`${path}/resolve`, as.grNoord)).headers.get("location")).toBe(`${path}?gedaan=afgehandeld`);
    expect(await state()).toMatchObject({ status: "resolved", resolvedAt: NOW });

    expect((await post(`${path}/reopen`, as.grNoord)).headers.get("location")).toBe(`${path}?gedaan=heropend`);
    expect(await state()).toMatchObject({ status: "open", resolvedAt: null });

    const audit = await t.db.auditEvent.findMany({ where: { subjectId: conversation.id }, select: { action: true } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["conversation.assigned", "conversation.theme", "conversation.snoozed", "conversation.resolved", "conversation.reopened"]));
  });

  it("says on the resolve button that the resident gets the feedback question", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: new Date(NOW.getTime() - HOUR) });
    const html = await page(`/inbox/c/${conversation.id}`, as.grNoord);
    expect(html).toContain("De bewoner krijgt dan de vraag of hij zich gehoord voelde.");
  });

  it("asks first before resolving under staff's own unanswered message, showing what the resident will get", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: new Date(NOW.getTime() - HOUR) });
    const path = `/inbox/c/${conversation.id}`;
    await post(`${path}/reply`, as.grNoord, { text: "Welke bushalte bedoel je precies?" });
    const feedbackRows = () => t.db.feedback.count({ where: { conversationId: conversation.id } });

    const first = await post(`${path}/resolve`, as.grNoord);
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe(`${path}/afhandelen`);
    expect((await t.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).status).toBe("waiting");
    expect(await feedbackRows()).toBe(0);

    const confirm = await page(`${path}/afhandelen`, as.grNoord);
    expect(confirm).toContain("Je laatste bericht is nog niet beantwoord. Toch afhandelen?");
    expect(confirm).toContain("Welke bushalte bedoel je precies?");
    expect(confirm).toContain(`Je vraag ${conversation.reference} is afgerond. Voelde je je gehoord door de gemeente?`);
    expect(confirm).toContain('name="bevestigd" value="ja"');
    expect((await get(`${path}/afhandelen`, as.wethouderNoord)).status).toBe(403);
    expect((await get(`${path}/afhandelen`, as.grMierlo)).status).toBe(404);

    const confirmed = await post(`${path}/resolve`, as.grNoord, { bevestigd: "ja" });
    expect(confirmed.headers.get("location")).toBe(`${path}?gedaan=afgehandeld`);
    expect((await t.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).status).toBe("resolved");
    expect(await feedbackRows()).toBe(1);
  });

  it("resolves at once when the resident had the last word", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: new Date(NOW.getTime() - HOUR) });
    const path = `/inbox/c/${conversation.id}`;
    await post(`${path}/note`, as.grNoord, { text: "Notities tellen niet mee" });
    expect((await post(`${path}/resolve`, as.grNoord)).headers.get("location")).toBe(`${path}?gedaan=afgehandeld`);
  });

  it("moves a conversation to another tandem's wijk, after which the first gebiedsregisseur gets a 404", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: new Date(NOW.getTime() - HOUR) });
    const response = await post(`/inbox/c/${conversation.id}/wijk`, as.grNoord, { wijk: "luchen" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/inbox?gedaan=verplaatst");
    expect((await get(`/inbox/c/${conversation.id}`, as.grNoord)).status).toBe(404);
    const there = await page(`/inbox/c/${conversation.id}`, as.grMierlo);
    expect(there).toContain("verplaatste dit gesprek van Geldrop-Centrum naar Luchen");
  });

  it("answers a 404 page for another tandem's conversation by URL, on GET and POST", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: new Date(NOW.getTime() - HOUR) });
    const response = await get(`/inbox/c/${conversation.id}`, as.grMierlo);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("Niet gevonden");
    for (const action of ["reply", "note", "assign", "wijk", "theme", "snooze", "resolve", "reopen"]) {
      expect((await post(`/inbox/c/${conversation.id}/${action}`, as.grMierlo, { text: "x", assignee: "", wijk: "luchen", theme: "groen", mode: "bericht" })).status, action).toBe(404);
    }
    expect((await get("/inbox/c/does-not-exist", as.grNoord)).status).toBe(404);
    expect(await t.db.message.count({ where: { conversationId: conversation.id, direction: { in: ["out", "note"] }, authorKind: "staff" } })).toBe(0);
  });

  it("lets a wethouder read and add notes, but not reply (403) or change anything", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: new Date(NOW.getTime() - HOUR) });
    const html = await page(`/inbox/c/${conversation.id}`, as.wethouderNoord);
    expect(html).toContain("Er ligt glas bij de bushalte");
    expect(html).not.toContain(`/inbox/c/${conversation.id}/reply`);
    expect(html).not.toContain(`/inbox/c/${conversation.id}/resolve`);
    expect(html).toContain(`/inbox/c/${conversation.id}/note`);
    for (const action of ["reply", "assign", "resolve", "snooze"]) {
      expect((await post(`/inbox/c/${conversation.id}/${action}`, as.wethouderNoord, { text: "Hallo", assignee: "", mode: "bericht" })).status, action).toBe(403);
    }
    expect(await t.db.outboxMessage.count({ where: { conversationId: conversation.id } })).toBe(0);
    expect((await post(`/inbox/c/${conversation.id}/note`, as.wethouderNoord, { text: "Ik ken deze straat" })).status).toBe(303);
    expect(await t.db.message.count({ where: { conversationId: conversation.id, direction: "note", authorStaffId: as.wethouderNoord.id } })).toBe(1);
  });

  it("refuses a POST without the CSRF token", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: new Date(NOW.getTime() - HOUR) });
    const response = await post(`/inbox/c/${conversation.id}/reply`, as.grNoord, { text: "Hallo" }, { csrf: false });
    expect(response.status).toBe(403);
    const forged = await post(`/inbox/c/${conversation.id}/reply`, { ...as.grNoord, csrf: "not-the-token" }, { text: "Hallo" });
    expect(forged.status).toBe(403);
    expect(await t.db.outboxMessage.count({ where: { conversationId: conversation.id } })).toBe(0);
  });

  it("renders a resident's script as text", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: new Date(NOW.getTime() - HOUR), text: "<script>alert(1)</script>" });
    const html = await page(`/inbox/c/${conversation.id}`, as.grNoord);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>alert(1)</script>");
  });

  it("streams change events of my own tandem only, with heartbeats", async () => {
    const own = await handedOver({ wijk: "centrum", handoverAt: new Date(NOW.getTime() - HOUR) });
    const other = await handedOver({ wijk: "luchen", handoverAt: new Date(NOW.getTime() - HOUR) });
    const abort = new AbortController();
    const response = await fetch(`${url}/inbox/events`, { headers: { cookie: as.grNoord.cookie }, signal: abort.signal });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no body");
    const decoder = new TextDecoder();
    let received = "";
    const readUntil = async (done: (text: string) => boolean) => {
      while (!done(received)) {
        const chunk = await reader.read();
        if (chunk.done) break;
        received += decoder.decode(chunk.value, { stream: true });
      }
    };
    await readUntil((text) => text.includes(": heartbeat"));
    expect((await post(`/inbox/c/${other.id}/note`, as.admin, { text: "Andere tandem" })).status).toBe(303);
    expect((await post(`/inbox/c/${own.id}/note`, as.grNoord, { text: "Eigen tandem" })).status).toBe(303);
    await readUntil((text) => text.includes(own.id));
    abort.abort();
    expect(received).toContain(`event: change\ndata: {"conversationId":"${own.id}","kind":"note"}`);
    expect(received).not.toContain(other.id);
  });

  it("shows the admin overdue conversations, conversations without a tandem, and dead outbox messages with a retry", async () => {
    const late = await handedOver({ wijk: "mierlo-dorp", handoverAt: new Date("2026-11-25T10:00:00+01:00") });
    const homeless = await handedOver({ wijk: null, handoverAt: new Date(NOW.getTime() - HOUR) });
    const dead = await t.db.outboxMessage.create({
      data: {
        residentId: late.residentId ?? "",
        channelIdentityId: late.channelIdentityId ?? "",
        conversationId: late.id,
        channel: "whatsapp",
        payload: JSON.stringify({ text: "Hallo", buttons: [] }),
        status: "dead",
        attempts: 5,
        lastError: "WhatsApp Web cannot reach this number: 31612345678@c.us is not a valid whatsapp user",
      },
    });
    const html = await page("/inbox/admin", as.admin);
    expect(html).toContain("Te lang wachtend");
    // Wednesday 10:00 to Monday 10:00: 7 + 8 + 7 + 1 working hours.
    expect(rowOf(html, late.reference)).toContain("<td>Mierlo</td><td>Mierlo-Dorp</td>");
    expect(rowOf(html, late.reference)).toContain("23 u 00 min");
    expect(html).toContain(homeless.reference);
    expect(html).toContain("Opnieuw proberen");
    expect(html).toContain("[whatsapp-id]");
    expect(html).not.toContain("31612345678");
    expect(html).toContain("WhatsApp Web staat niet aan");

    const retry = await post(`/inbox/admin/outbox/${dead.id}/retry`, as.admin);
    expect(retry.headers.get("location")).toBe("/inbox/admin?gedaan=opnieuw-proberen");
    expect(await t.db.outboxMessage.findUniqueOrThrow({ where: { id: dead.id } })).toMatchObject({ status: "pending", attempts: 0 });

    expect((await get("/inbox/admin", as.grNoord)).status).toBe(404);
    expect((await post(`/inbox/admin/outbox/${dead.id}/retry`, as.grNoord)).status).toBe(404);
  });

  it("tells a gebiedsregisseur what a conversation without a tandem means and what to do, not that only admins see it", async () => {
    const homeless = await handedOver({ wijk: null, handoverAt: new Date(NOW.getTime() - HOUR) });
    const html = await page(`/inbox/c/${homeless.id}`, as.grNoord);
    expect(html).toContain("<dt>Tandem</dt><dd>Nog geen: de wijk is niet bekend. Kies hieronder bij Acties de wijk");
    expect(html).not.toContain("alleen beheerders");
  });

  it("shows the WhatsApp Web QR code to the admin while a scan is awaited", async () => {
    whatsappWeb = { state: "qr", qr: "2@abcDEF<qr>,xyz==", since: NOW };
    try {
      const html = await page("/inbox/admin", as.admin);
      expect(html).toContain("Wacht op koppeling");
      expect(html).toContain("2@abcDEF&lt;qr&gt;,xyz==");
      expect(html).toContain("Gekoppelde apparaten");
    } finally {
      whatsappWeb = null;
    }
  });

  it("tells whether a WhatsApp conversation is inside the 24-hour window", async () => {
    const inside = await handedOver({ wijk: "centrum", channel: "whatsapp", handoverAt: new Date(NOW.getTime() - 2 * HOUR) });
    const outside = await handedOver({ wijk: "centrum", channel: "whatsapp", handoverAt: new Date(NOW.getTime() - 30 * HOUR) });
    const open = await page(`/inbox/c/${inside.id}`, as.grNoord);
    // The resident wrote at 07:55 (Amsterdam); the window closes 24 hours later.
    expect(open).toContain("Antwoorden kan tot di 1 dec, 07:55");
    const closed = await page(`/inbox/c/${outside.id}`, as.grNoord);
    expect(closed).toContain("Buiten het 24-uursvenster: alleen een goedgekeurd sjabloon kan");
    expect(await page(`/inbox/c/${(await handedOver({ wijk: "centrum", handoverAt: NOW })).id}`, as.grNoord)).not.toContain("24-uursvenster");
  });

  it("shows a WhatsApp number masked on the conversation page, and nowhere in full", async () => {
    const conversation = await handedOver({ wijk: "centrum", channel: "whatsapp", handoverAt: new Date(NOW.getTime() - HOUR) });
    await t.db.channelIdentity.update({ where: { id: conversation.channelIdentityId ?? "" }, data: { externalId: "31612344321" } });
    for (const who of [as.grNoord, as.admin]) {
      const html = await page(`/inbox/c/${conversation.id}`, who);
      expect(html).toContain("+31 6 •••• 4321");
      expect(html).not.toContain("612344321");
      expect(await page("/inbox", who)).not.toContain("612344321");
    }
  });

  it("keeps canned replies per tandem and sends one with its placeholders filled in", async () => {
    const tandem = await t.db.tandem.findFirstOrThrow({ where: { slug: "geldrop-noord" } });
    const created = await post("/inbox/canned", as.grNoord, { tandem: tandem.id, title: "Bedankt", body: "Dank voor je melding {{reference}} in {{wijk}}." });
    expect(created.headers.get("location")).toBe("/inbox/canned?gedaan=standaard-toegevoegd");
    expect(await page("/inbox/canned", as.grNoord)).toContain("Dank voor je melding {{reference}} in {{wijk}}.");
    expect(await page("/inbox/canned", as.grMierlo)).not.toContain("Dank voor je melding");
    const reply = await t.db.cannedReply.findFirstOrThrow({ where: { tandemId: tandem.id, title: "Bedankt" } });

    const conversation = await handedOver({ wijk: "centrum", handoverAt: new Date(NOW.getTime() - HOUR) });
    const html = await page(`/inbox/c/${conversation.id}`, as.grNoord);
    expect(html).toContain(`data-text="Dank voor je melding ${conversation.reference} in Geldrop-Centrum."`);
    await post(`/inbox/c/${conversation.id}/reply`, as.grNoord, { text: "", canned: reply.id });
    const outbox = await t.db.outboxMessage.findFirstOrThrow({ where: { conversationId: conversation.id } });
    expect(JSON.parse(outbox.payload)).toMatchObject({ text: `Dank voor je melding ${conversation.reference} in Geldrop-Centrum.` });

    expect((await post("/inbox/canned", as.wethouderNoord, { tandem: tandem.id, title: "X", body: "Y" })).status).toBe(403);
    const mierlo = await t.db.tandem.findFirstOrThrow({ where: { slug: "mierlo" } });
    expect((await post("/inbox/canned", as.grNoord, { tandem: mierlo.id, title: "X", body: "Y" })).status).toBe(404);
    expect((await post(`/inbox/canned/${reply.id}/delete`, as.grMierlo)).status).toBe(404);
    expect((await post(`/inbox/canned/${reply.id}/delete`, as.grNoord)).headers.get("location")).toBe("/inbox/canned?gedaan=standaard-verwijderd");
    expect(await t.db.cannedReply.count({ where: { id: reply.id } })).toBe(0);
  });

  it("serves inbox.js", async () => {
    const response = await get("/inbox/assets/inbox.js", as.grNoord);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("javascript");
    expect(await response.text()).toContain('new EventSource("/inbox/events")');
  });
});
