/**
 * The wijkbericht pages end to end: the real router behind the real session, sign-in and CSRF
 * middleware over loopback, plain form posts as a phone without JavaScript sends them. Write (with
 * errors beside the fields), preview per channel, a test to oneself (a fake mail server's
 * stand-in: the sender the service gives the pages), send and cancel each after a confirmation
 * page, progress after the sender's round, what a cancelled bericht's page says; a wethouder may
 * not, another tandem's bericht is unknown.
 */
import express from "express";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import { createStaffSession } from "../../src/db/session.repo.ts";
import { loadStaffSession, requireSignedIn, verifyCsrf } from "../../src/inbox/session.ts";
import { conversationPages } from "../../src/inbox/pages/conversationPages.ts";
import { wijkberichtRoutes } from "../../src/inbox/wijkberichten/wijkbericht.routes.ts";
import { runWijkberichtRound } from "../../src/jobs/wijkberichtSender.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

interface Session {
  id: string;
  csrfToken: string;
}

const flows = loadFlows();

describeEachDatabase("the wijkbericht pages", (provider) => {
  let t: TestDatabase;
  let server: Awaited<ReturnType<typeof listen>>;
  const who: Record<"grMierlo" | "grNoord" | "wethouder", Session> = { grMierlo: { id: "", csrfToken: "" }, grNoord: { id: "", csrfToken: "" }, wethouder: { id: "", csrfToken: "" } };
  const mails: Array<{ to: string; subject: string; text: string }> = [];
  let luchen = "";
  let mierloDorp = "";

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    const db = t.db;
    const signIn = async (email: string): Promise<Session> => {
      const user = await db.staffUser.findUniqueOrThrow({ where: { email } });
      return createStaffSession(db, user.id);
    };
    who.grMierlo = await signIn("gr.mierlo@demo.wijklijn.nl");
    who.grNoord = await signIn("gr.geldrop-noord@demo.wijklijn.nl");
    who.wethouder = await signIn("wethouder.c@demo.wijklijn.nl");
    luchen = (await db.wijk.findFirstOrThrow({ where: { slug: "luchen" } })).id;
    mierloDorp = (await db.wijk.findFirstOrThrow({ where: { slug: "mierlo-dorp" } })).id;
    const gemeente = await db.gemeente.findFirstOrThrow();
    for (const [i, wijkId] of [luchen, luchen, mierloDorp].entries()) {
      const resident = await db.resident.create({ data: { gemeenteId: gemeente.id, wijkId } });
      const identity = await db.channelIdentity.create({ data: { residentId: resident.id, channel: "telegram", externalId: String(7000 + i) } });
      await db.subscription.create({ data: { residentId: resident.id, wijkId, channelIdentityId: identity.id } });
    }
    // One weekly subscriber in Mierlo-Dorp: counted apart (the weekly bundle), never in "Nu versturen naar …".
    const weeklyResident = await db.resident.create({ data: { gemeenteId: gemeente.id, wijkId: mierloDorp } });
    const weeklyIdentity = await db.channelIdentity.create({ data: { residentId: weeklyResident.id, channel: "telegram", externalId: "7100" } });
    await db.subscription.create({ data: { residentId: weeklyResident.id, wijkId: mierloDorp, channelIdentityId: weeklyIdentity.id, frequency: "weekly" } });
    const app = express();
    app.use(express.urlencoded({ extended: false }), loadStaffSession(db));
    app.use("/inbox", requireSignedIn, verifyCsrf);
    app.use(
      wijkberichtRoutes({
        db,
        timeZone: "Europe/Amsterdam",
        globals: () => flows.globals,
        whatsappCloud: { template: "wijkbericht" },
        test: { mail: async (to, subject, text) => void mails.push({ to, subject, text }), demoMailbox: false, telegram: null },
      }),
    );
    app.use(conversationPages({ db, settings: () => flows.settings, timeZone: "Europe/Amsterdam" }));
    server = await listen(app);
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  const get = (path: string, as: Session) => fetch(`${server.url}${path}`, { headers: { cookie: `wl_staff=${as.id}` }, redirect: "manual" });
  const post = (path: string, as: Session, fields: Array<[string, string]>) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { cookie: `wl_staff=${as.id}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams([["_csrf", as.csrfToken], ...fields]),
      redirect: "manual",
    });

  it("writes, previews, tests, sends and follows a wijkbericht for two wijken of the own tandem", async () => {
    const list = await (await get("/inbox/wijkberichten", who.grMierlo)).text();
    expect(list).toMatch(/<td data-label="Wijk">Luchen<\/td><td data-label="Meteen">2<\/td><td data-label="Weekoverzicht">0<\/td>/);
    // The form counts per wijk and frequency, from the same source as the send button.
    const form = await (await get("/inbox/wijkberichten/nieuw", who.grMierlo)).text();
    expect(form).toContain('Mierlo-Dorp <span class="muted">(1 meteen, 1 in het weekoverzicht)</span>');
    expect(form).toContain("Wie voor twee wijken is aangemeld, telt één keer.");
    // No names, numbers or chat ids of subscribers anywhere.
    expect(list).not.toContain("7000");

    const invalid = await post("/inbox/wijkberichten", who.grMierlo, [
      ["text", ""],
      ["link", "geen link"],
    ]);
    expect(invalid.status).toBe(400);
    const errors = await invalid.text();
    expect(errors).toContain("Schrijf het bericht.");
    expect(errors).toContain("Kies minstens één wijk.");
    expect(errors).toContain('aria-invalid="true"');

    const created = await post("/inbox/wijkberichten", who.grMierlo, [
      ["text", "Zaterdag is de buurtschoonmaak.\nDoe je mee?"],
      ["link", "https://www.geldrop-mierlo.nl/schoonmaak"],
      ["imageUrl", ""],
      ["wijkIds", luchen],
      ["wijkIds", mierloDorp],
    ]);
    expect(created.status).toBe(303);
    const location = created.headers.get("location") ?? "";
    const id = /\/inbox\/wijkberichten\/([^?]+)\?klaar=opgeslagen/.exec(location)?.[1] ?? "";
    expect(id).not.toBe("");

    const detail = await (await get(`/inbox/wijkberichten/${id}`, who.grMierlo)).text();
    expect(detail).toContain("Concept");
    for (const channel of ["WhatsApp", "WhatsApp, na 24 uur stilte (sjabloon)", "Telegram", "Webchat"]) expect(detail).toContain(`<figcaption>${channel}</figcaption>`);
    expect(detail).toContain("Wijkbericht van de gemeente voor Luchen en Mierlo-Dorp");
    expect(detail).toContain("Sjabloon «wijkbericht»");
    expect(detail).toContain("3 abonnees krijgen het meteen; 1 abonnee met «één keer per week» krijgt het in het weekoverzicht.");
    expect(detail).toContain("Nu versturen naar 3 abonnees…");
    expect(await (await get(`/inbox/wijkberichten/${id}`, who.grNoord)).status).toBe(404);
    expect(await (await get("/inbox/wijkberichten/nieuw", who.wethouder)).status).toBe(403);

    const test = await post(`/inbox/wijkberichten/${id}/test`, who.grMierlo, []);
    expect(test.headers.get("location")).toContain("klaar=test");
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      to: "gr.mierlo@demo.wijklijn.nl",
      subject: "Test: wijkbericht voor Luchen en Mierlo-Dorp",
      text: expect.stringContaining("Zaterdag is de buurtschoonmaak.\nDoe je mee?\n\nhttps://www.geldrop-mierlo.nl/schoonmaak"),
    });
    // A test e-mail is the bericht with a note, without the chat's footer lines and without configuration hints.
    expect(mails[0]?.text).toMatch(/^Dit is een test\. Bewoners hebben niets gekregen\./);
    for (const chatOnly of ["Reageren kan hier", "Stuur 'stop'", "SMTP"]) expect(mails[0]?.text).not.toContain(chatOnly);
    expect(await t.db.outboxMessage.count()).toBe(0);

    // Sending without the CSRF token is refused.
    const forged = await fetch(`${server.url}/inbox/wijkberichten/${id}/versturen`, {
      method: "POST",
      headers: { cookie: `wl_staff=${who.grMierlo.id}`, "content-type": "application/x-www-form-urlencoded" },
      body: "",
      redirect: "manual",
    });
    expect(forged.status).toBe(403);
    // "Nu versturen" asks first, on a page that works without JavaScript; a post without the confirmation only leads there.
    const unconfirmed = await post(`/inbox/wijkberichten/${id}/versturen`, who.grMierlo, []);
    expect(unconfirmed.status).toBe(303);
    expect(unconfirmed.headers.get("location")).toBe(`/inbox/wijkberichten/${id}/versturen`);
    expect((await t.db.wijkbericht.findUniqueOrThrow({ where: { id } })).status).toBe("draft");
    const confirm = await (await get(`/inbox/wijkberichten/${id}/versturen`, who.grMierlo)).text();
    expect(confirm).toContain("Dit bericht gaat nu naar 3 abonnees in Luchen en Mierlo-Dorp.");
    expect(confirm).toContain("Versturen?");
    expect(confirm).toContain('<input type="hidden" name="bevestigd" value="ja">');
    expect((await get(`/inbox/wijkberichten/${id}/versturen`, who.grNoord)).status).toBe(404);
    const sent = await post(`/inbox/wijkberichten/${id}/versturen`, who.grMierlo, [["bevestigd", "ja"]]);
    expect(sent.headers.get("location")).toContain("klaar=verstuurd");
    // Sent: its confirmation page only says so.
    expect((await get(`/inbox/wijkberichten/${id}/versturen`, who.grMierlo)).headers.get("location")).toContain("klaar=al-klaar");
    await runWijkberichtRound({ db: t.db, logger: captureLogger("error").logger, globals: () => flows.globals, channels: ["telegram"], whatsappCloud: null });
    const progress = await (await get(`/inbox/wijkberichten/${id}`, who.grMierlo)).text();
    expect(progress).toContain("Wordt verstuurd");
    expect(progress).toMatch(/<dt>Wacht nog<\/dt><dd data-figure="waiting">3<\/dd>/);
    expect(progress).toContain("Stoppen: de rest niet meer versturen");
    // While it is sent the page reloads itself without JavaScript, and offers its figures as JSON for the script.
    expect(progress).toContain('<noscript><meta http-equiv="refresh" content="3"></noscript>');
    expect(progress).toContain(`data-wijkbericht-progress="/inbox/wijkberichten/${id}/voortgang.json" data-running="true"`);
    const figures = await get(`/inbox/wijkberichten/${id}/voortgang.json`, who.grMierlo);
    expect(figures.headers.get("content-type")).toContain("application/json");
    expect(await figures.json()).toMatchObject({ status: "sending", running: true, waiting: 3, done: 0, total: 3 });
    expect((await get(`/inbox/wijkberichten/${id}/voortgang.json`, who.grNoord)).status).toBe(404);

    // One copy reaches its platform before the stop.
    const first = await t.db.outboxMessage.findFirstOrThrow({ where: { status: "pending" }, orderBy: { id: "asc" } });
    await t.db.outboxMessage.update({ where: { id: first.id }, data: { status: "sent", sentAt: new Date() } });
    await runWijkberichtRound({ db: t.db, logger: captureLogger("error").logger, globals: () => flows.globals, channels: ["telegram"], whatsappCloud: null });

    const notYet = await post(`/inbox/wijkberichten/${id}/annuleren`, who.grMierlo, []);
    expect(notYet.headers.get("location")).toBe(`/inbox/wijkberichten/${id}/annuleren`);
    expect((await t.db.wijkbericht.findUniqueOrThrow({ where: { id } })).status).toBe("sending");
    const stopPage = await (await get(`/inbox/wijkberichten/${id}/annuleren`, who.grMierlo)).text();
    expect(stopPage).toContain("Stoppen met versturen?");
    expect(stopPage).toContain("1 abonnee in Luchen en Mierlo-Dorp heeft het al. De andere 2 abonnees krijgen het niet meer.");
    const cancelled = await post(`/inbox/wijkberichten/${id}/annuleren`, who.grMierlo, [["bevestigd", "ja"]]);
    expect(cancelled.headers.get("location")).toContain("klaar=geannuleerd");
    const after = await (await get(`/inbox/wijkberichten/${id}`, who.grMierlo)).text();
    // The page of a cancelled bericht says when and by whom, how many had it, and that the rest will not get it.
    expect(after).toMatch(/<h2 id="h-geannuleerd">Geannuleerd op \w+dag \d+ \w+ \d{4} om \d\d:\d\d door Gebiedsregisseur Mierlo\.<\/h2>/);
    expect(after).toContain("<strong>1 abonnee had het al gekregen</strong>");
    expect(after).toContain("De rest krijgt het niet meer (2 abonnees teruggehaald). Ook in het weekoverzicht komt het niet.");
    expect(after).toMatch(/<dt>Teruggehaald \(geannuleerd\)<\/dt><dd data-figure="cancelled">2<\/dd>/);
    // Done: no more reloading.
    expect(after).not.toContain('http-equiv="refresh"');
    expect(await (await get(`/inbox/wijkberichten/${id}/voortgang.json`, who.grMierlo)).json()).toMatchObject({ status: "cancelled", running: false, cancelled: 2, sent: 1, done: 3 });
  });

  it("shows the photo itself in each channel's preview (allowed by the page's CSP), and takes addresses typed as www.…", async () => {
    const created = await post("/inbox/wijkberichten", who.grMierlo, [
      ["text", "De nieuwe speeltuin is open."],
      ["link", "www.geldrop-mierlo.nl/speeltuin"],
      ["imageUrl", "www.geldrop-mierlo.nl/niet-bestaand.jpg"],
      ["wijkIds", luchen],
    ]);
    expect(created.status).toBe(303);
    const id = /\/inbox\/wijkberichten\/([^?]+)\?/.exec(created.headers.get("location") ?? "")?.[1] ?? "";
    expect(await t.db.wijkbericht.findUniqueOrThrow({ where: { id } })).toMatchObject({
      link: "https://www.geldrop-mierlo.nl/speeltuin",
      imageUrl: "https://www.geldrop-mierlo.nl/niet-bestaand.jpg",
    });

    const response = await get(`/inbox/wijkberichten/${id}`, who.grMierlo);
    expect(response.headers.get("content-security-policy")).toContain("img-src 'self' data: https:");
    const detail = await response.text();
    const images = detail.match(/<img src="https:\/\/www\.geldrop-mierlo\.nl\/niet-bestaand\.jpg" alt="Foto bij het wijkbericht" data-preview-photo>/g) ?? [];
    // WhatsApp, Telegram and the web chat get the photo itself (the template carries the address in its text).
    expect(images.length).toBeGreaterThanOrEqual(3);
    expect(detail).not.toContain("Foto: https://");
    expect(detail).toContain("Deze foto laadt niet. Klopt het adres?");

    // Not a photo address at all: refused beside the field.
    const invalid = await post("/inbox/wijkberichten", who.grMierlo, [
      ["text", "Tekst"],
      ["imageUrl", "foto.jpg"],
      ["wijkIds", luchen],
    ]);
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain("Een foto-adres begint met https://.");
  });

  it("schedules a bericht for later, and refuses a time in the past beside the field", async () => {
    const created = await post("/inbox/wijkberichten", who.grMierlo, [
      ["text", "Vanavond is er een inloopavond."],
      ["wijkIds", luchen],
    ]);
    const id = /\/inbox\/wijkberichten\/([^?]+)/.exec(created.headers.get("location") ?? "")?.[1] ?? "";
    const past = await post(`/inbox/wijkberichten/${id}/inplannen`, who.grMierlo, [["scheduledAt", "2020-01-01T09:00"]]);
    expect(past.status).toBe(400);
    expect(await past.text()).toContain("Dit moment is al voorbij");
    const later = await post(`/inbox/wijkberichten/${id}/inplannen`, who.grMierlo, [["scheduledAt", "2099-01-01T09:00"]]);
    expect(later.headers.get("location")).toContain("klaar=ingepland");
    expect(await t.db.wijkbericht.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "scheduled", scheduledAt: new Date("2099-01-01T08:00:00Z") });
  });

  it("shows staff that a resident's conversation may answer the wijkbericht they just got", async () => {
    const db = t.db;
    const gemeente = await db.gemeente.findFirstOrThrow();
    const resident = await db.resident.create({ data: { gemeenteId: gemeente.id, wijkId: luchen } });
    const identity = await db.channelIdentity.create({ data: { residentId: resident.id, channel: "telegram", externalId: "7777" } });
    await db.subscription.create({ data: { residentId: resident.id, wijkId: luchen, channelIdentityId: identity.id } });
    const tandem = await db.tandem.findFirstOrThrow({ where: { slug: "mierlo" } });
    const conversation = await db.conversation.create({
      data: { reference: "WL-2026-07777", gemeenteId: gemeente.id, residentId: resident.id, channelIdentityId: identity.id, channel: "telegram", wijkId: luchen, tandemId: tandem.id, status: "open" },
    });
    await db.message.create({ data: { conversationId: conversation.id, direction: "in", authorKind: "resident", text: "Eerder", channel: "telegram" } });
    const plain = await (await get(`/inbox/c/${conversation.id}`, who.grMierlo)).text();
    expect(plain).not.toContain("antwoord op wijkbericht");

    const created = await post("/inbox/wijkberichten", who.grMierlo, [
      ["text", "De speeltuin aan de Heuvel gaat open."],
      ["wijkIds", luchen],
    ]);
    const id = /\/inbox\/wijkberichten\/([^?]+)/.exec(created.headers.get("location") ?? "")?.[1] ?? "";
    await post(`/inbox/wijkberichten/${id}/versturen`, who.grMierlo, [["bevestigd", "ja"]]);
    const deps = { db, logger: captureLogger("error").logger, globals: () => flows.globals, channels: ["telegram" as const], whatsappCloud: null };
    await runWijkberichtRound(deps);
    await db.outboxMessage.updateMany({ where: { channelIdentityId: identity.id, status: "pending" }, data: { status: "sent", sentAt: new Date() } });
    await runWijkberichtRound(deps);
    // The bericht is in the resident's conversation too, so staff see it above the reply.
    expect(await db.message.count({ where: { conversationId: conversation.id, direction: "out", text: { startsWith: "De speeltuin aan de Heuvel gaat open." } } })).toBe(1);
    const page = await (await get(`/inbox/c/${conversation.id}`, who.grMierlo)).text();
    expect(page).toContain(`Mogelijk een antwoord op wijkbericht <a href="/inbox/wijkberichten/${id}">«De speeltuin aan de Heuvel gaat open.»</a>`);
  });

  it("cancels a scheduled bericht after its confirmation page, and its page says nobody got it", async () => {
    const created = await post("/inbox/wijkberichten", who.grMierlo, [
      ["text", "De markt is volgende week op het Wilhelminaplein."],
      ["wijkIds", luchen],
    ]);
    const id = /\/inbox\/wijkberichten\/([^?]+)/.exec(created.headers.get("location") ?? "")?.[1] ?? "";
    await post(`/inbox/wijkberichten/${id}/inplannen`, who.grMierlo, [["scheduledAt", "2099-03-02T09:00"]]);
    const confirm = await (await get(`/inbox/wijkberichten/${id}/annuleren`, who.grMierlo)).text();
    expect(confirm).toContain("Wijkbericht annuleren?");
    expect(confirm).toContain("Het bericht voor Luchen gaat dan niet op");
    expect(confirm).toContain("Niemand krijgt het.");
    await post(`/inbox/wijkberichten/${id}/annuleren`, who.grMierlo, [["bevestigd", "ja"]]);
    const after = await (await get(`/inbox/wijkberichten/${id}`, who.grMierlo)).text();
    expect(after).toContain("door Gebiedsregisseur Mierlo.</h2>");
    expect(after).toContain("Het is geannuleerd voordat het werd verstuurd. Niemand heeft het gekregen, en niemand krijgt het nog.");
    // No progress of a bericht that never went.
    expect(after).not.toContain("Voortgang");
  });

  it("without mail says in one sentence that the test mail is off, with no setting names for the gebiedsregisseur", async () => {
    const app = express();
    app.use(express.urlencoded({ extended: false }), loadStaffSession(t.db));
    app.use("/inbox", requireSignedIn, verifyCsrf);
    app.use(wijkberichtRoutes({ db: t.db, timeZone: "Europe/Amsterdam", globals: () => flows.globals, whatsappCloud: { template: null }, test: { mail: null, demoMailbox: false, telegram: null } }));
    const noMail = await listen(app);
    try {
      const created = await post("/inbox/wijkberichten", who.grMierlo, [
        ["text", "Proef zonder mail."],
        ["wijkIds", luchen],
      ]);
      const id = /\/inbox\/wijkberichten\/([^?]+)/.exec(created.headers.get("location") ?? "")?.[1] ?? "";
      const page = await (await fetch(`${noMail.url}/inbox/wijkberichten/${id}`, { headers: { cookie: `wl_staff=${who.grMierlo.id}` } })).text();
      expect(page).toContain("Testmail staat uit; vraag de beheerder.");
      expect(page).not.toContain("Stuur een test naar mezelf");
      expect(page).toContain("er is nog geen WhatsApp-sjabloon. Vraag de beheerder.");
      for (const setting of ["SMTP_URL", "WHATSAPP_CLOUD_WIJKBERICHT_TEMPLATE"]) expect(page).not.toContain(setting);
    } finally {
      await noMail.close();
    }
  });
});
