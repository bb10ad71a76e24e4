/**
 * The wijk content pages end to end: the real router behind the real session, sign-in and CSRF
 * middleware over loopback, on a seeded database shared with a running bot, so that what staff
 * publish is checked through what a resident hears.
 */
import express from "express";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createStaffSession } from "../../src/db/session.repo.ts";
import { registerForDialoogtafel } from "../../src/db/wijkContent.repo.ts";
import { contentRoutes } from "../../src/inbox/content.routes.ts";
import { signUpNumber } from "../../src/inbox/content/signUps.ts";
import { loadStaffSession, requireSignedIn, verifyCsrf } from "../../src/inbox/session.ts";
import { createBotHarness, joined, type BotHarness } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";

interface Session {
  id: string;
  csrfToken: string;
  staffUserId: string;
}

describeEachDatabase("the wijk content pages", (provider) => {
  let h: BotHarness;
  let server: Awaited<ReturnType<typeof listen>>;
  const who: Record<"grMierlo" | "wethouderC" | "grNoord" | "admin", Session> = {
    grMierlo: { id: "", csrfToken: "", staffUserId: "" },
    wethouderC: { id: "", csrfToken: "", staffUserId: "" },
    grNoord: { id: "", csrfToken: "", staffUserId: "" },
    admin: { id: "", csrfToken: "", staffUserId: "" },
  };
  const wijk = { luchen: "", centrum: "" };

  beforeAll(async () => {
    h = await createBotHarness(provider);
    const db = h.t.db;
    const signIn = async (email: string): Promise<Session> => {
      const user = await db.staffUser.findUniqueOrThrow({ where: { email } });
      return { ...(await createStaffSession(db, user.id)), staffUserId: user.id };
    };
    who.grMierlo = await signIn("gr.mierlo@demo.wijklijn.nl");
    who.wethouderC = await signIn("wethouder.c@demo.wijklijn.nl");
    who.grNoord = await signIn("gr.geldrop-noord@demo.wijklijn.nl");
    who.admin = await signIn("admin@demo.wijklijn.nl");
    wijk.luchen = (await db.wijk.findFirstOrThrow({ where: { slug: "luchen" } })).id;
    wijk.centrum = (await db.wijk.findFirstOrThrow({ where: { slug: "centrum" } })).id;

    // Mounted as src/http/app.ts mounts the inbox: form parser, session, sign-in, CSRF, then the pages.
    const app = express();
    app.use(express.urlencoded({ extended: false }), loadStaffSession(db));
    app.use("/inbox", requireSignedIn, verifyCsrf);
    app.use(contentRoutes({ db, timeZone: "Europe/Amsterdam", now: () => h.clock.now }));
    server = await listen(app);
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  const get = (path: string, as: Session) => fetch(`${server.url}${path}`, { headers: { cookie: `wl_staff=${as.id}` }, redirect: "manual" });
  const post = (path: string, as: Session, fields: Record<string, string>, options: { csrf?: boolean } = {}) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { cookie: `wl_staff=${as.id}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...(options.csrf === false ? {} : { _csrf: as.csrfToken }), ...fields }),
      redirect: "manual",
    });
  const idFrom = (location: string | null) => /\/tafel\/([^/?#]+)/.exec(location ?? "")?.[1] ?? "";

  async function residentInLuchen() {
    const resident = h.resident();
    await resident.say("hoi");
    await resident.tap("yes");
    await resident.say("ik woon op 5731 bc 12");
    await resident.say("ja");
    return resident;
  }

  it("publishes a news item that the bot shows residents at once, and keeps a draft from them", async () => {
    const published = await post("/inbox/content/nieuws", who.grMierlo, {
      wijkId: wijk.luchen,
      kind: "project",
      title: "Nieuwe speeltuin aan de Heuvelstraat",
      body: "In het voorjaar komt er een nieuwe speeltuin.",
      link: "https://www.geldrop-mierlo.nl/speeltuin",
      expires: "",
      action: "publish",
    });
    expect(published.status).toBe(303);
    expect(published.headers.get("location")).toMatch(/^\/inbox\/content\/nieuws\/[^/?]+\?klaar=nieuws-gepubliceerd$/);
    const draft = await post("/inbox/content/nieuws", who.grMierlo, {
      wijkId: wijk.luchen,
      kind: "bericht",
      title: "Geheim concept over de Luchen",
      body: "Nog niet af.",
      link: "",
      expires: "",
      action: "draft",
    });
    expect(draft.status).toBe(303);

    const resident = await residentInLuchen();
    const news = joined(await resident.say("wat speelt er"));
    expect(news).toContain("Nieuwe speeltuin aan de Heuvelstraat");
    expect(news).not.toContain("Geheim concept");

    const overview = await (await get("/inbox/content", who.grMierlo)).text();
    expect(overview).toContain("Nieuwe speeltuin aan de Heuvelstraat");
    expect(overview).toMatch(/Geheim concept over de Luchen<\/a><\/td>[\s\S]*?Concept/);
    const audit = await h.t.db.auditEvent.findMany({ where: { subjectType: "NewsItem", actorStaffId: who.grMierlo.staffUserId }, orderBy: { at: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["newsItem.published", "newsItem.created"]);

    // Unpublishing takes it away from residents again.
    const item = await h.t.db.newsItem.findFirstOrThrow({ where: { title: "Nieuwe speeltuin aan de Heuvelstraat" } });
    const form = await (await get(`/inbox/content/nieuws/${item.id}`, who.grMierlo)).text();
    expect(form).toContain('value="https://www.geldrop-mierlo.nl/speeltuin"');
    const unpublished = await post(`/inbox/content/nieuws/${item.id}`, who.grMierlo, {
      wijkId: wijk.luchen,
      kind: "project",
      title: item.title,
      body: item.body,
      link: item.link ?? "",
      expires: "",
      action: "unpublish",
    });
    expect(unpublished.status).toBe(303);
    expect((await h.t.db.newsItem.findUniqueOrThrow({ where: { id: item.id } })).publishedAt).toBeNull();
    expect(joined(await resident.say("wat speelt er"))).not.toContain("Nieuwe speeltuin");
  });

  it("shows form errors next to the fields, and accepts only https links", async () => {
    const response = await post("/inbox/content/nieuws", who.grMierlo, {
      wijkId: wijk.luchen,
      kind: "bericht",
      title: "  ",
      body: "Tekst",
      link: "http://onveilig.example/pagina",
      expires: "",
      action: "publish",
    });
    expect(response.status).toBe(400);
    const body = await response.text();
    expect(body).toContain('role="alert"');
    expect(body).toMatch(/<p class="error-message" id="f-title-error">[\s\S]*?Vul een titel in\.<\/p>\s*<input id="f-title"[^>]*aria-invalid="true"[^>]*aria-describedby="f-title-error"/);
    expect(body).toMatch(/id="f-link-error">[\s\S]*?https:\/\//);
    expect(body).toContain('value="http://onveilig.example/pagina"');
    expect(await h.t.db.newsItem.count({ where: { body: "Tekst" } })).toBe(0);
  });

  it("renders an XSS payload in a title as text", async () => {
    const payload = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
    expect((await post("/inbox/content/nieuws", who.grMierlo, { wijkId: wijk.luchen, kind: "bericht", title: payload, body: "b", link: "", expires: "", action: "draft" })).status).toBe(303);
    const item = await h.t.db.newsItem.findFirstOrThrow({ where: { title: payload } });
    for (const path of ["/inbox/content", `/inbox/content/nieuws/${item.id}`]) {
      const body = await (await get(path, who.grMierlo)).text();
      expect(body).not.toContain("<script>alert");
      expect(body).not.toContain("<img src=x");
      expect(body).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    }
  });

  it("stores a dialoogtafel's Amsterdam wall-clock time as the right instant after the change to summer time", async () => {
    const response = await post("/inbox/content/tafel", who.grMierlo, {
      wijkId: wijk.luchen,
      title: "Zomertijd-tafel",
      topic: "Groen",
      location: "De Smelen",
      startsAt: "2027-03-30T19:30",
      endsAt: "2027-03-30T21:30",
      capacity: "10",
    });
    expect(response.status).toBe(303);
    const tafel = await h.t.db.dialoogtafel.findUniqueOrThrow({ where: { id: idFrom(response.headers.get("location")) } });
    expect(tafel.startsAt.toISOString()).toBe("2027-03-30T17:30:00.000Z"); // CEST, UTC+2
    expect(tafel.endsAt?.toISOString()).toBe("2027-03-30T19:30:00.000Z");
    const winter = await post("/inbox/content/tafel", who.grMierlo, {
      wijkId: wijk.luchen,
      title: "Wintertijd-tafel",
      topic: "Groen",
      location: "De Smelen",
      startsAt: "2027-03-20T19:30",
      endsAt: "",
      capacity: "10",
    });
    expect((await h.t.db.dialoogtafel.findUniqueOrThrow({ where: { id: idFrom(winter.headers.get("location")) } })).startsAt.toISOString()).toBe("2027-03-20T18:30:00.000Z"); // CET, UTC+1

    const detail = await (await get(`/inbox/content/tafel/${tafel.id}`, who.grMierlo)).text();
    expect(detail).toContain("30 maart 2027 om 19:30");
    const edit = await (await get(`/inbox/content/tafel/${tafel.id}/bewerken`, who.grMierlo)).text();
    expect(edit).toContain('value="2027-03-30T19:30"');

    // 02:30 on 28 March 2027 does not exist in Amsterdam: refused, not silently moved.
    const gap = await post("/inbox/content/tafel", who.grMierlo, { wijkId: wijk.luchen, title: "Nachttafel", topic: "x", location: "y", startsAt: "2027-03-28T02:30", endsAt: "", capacity: "5" });
    expect(gap.status).toBe(400);
    expect(await gap.text()).toContain("bestaat niet");
  });

  it("never removes a registered resident when capacity goes down, and promotes the waitlist in order when it goes up", async () => {
    const db = h.t.db;
    const created = await post("/inbox/content/tafel", who.grMierlo, {
      wijkId: wijk.luchen,
      title: "Kleine tafel",
      topic: "Verkeer",
      location: "Buurthuis",
      startsAt: "2026-12-15T19:30",
      endsAt: "",
      capacity: "2",
    });
    const tafelId = idFrom(created.headers.get("location"));
    const gemeente = await db.gemeente.findFirstOrThrow();
    const residents: string[] = [];
    for (let i = 0; i < 4; i++) {
      const resident = await db.resident.create({ data: { gemeenteId: gemeente.id } });
      residents.push(resident.id);
      await db.$transaction((tx) => registerForDialoogtafel(tx, tafelId, resident.id, new Date(h.clock.now.getTime() + i * 1000)));
    }
    const statuses = async () => Object.fromEntries((await db.registration.findMany({ where: { dialoogtafelId: tafelId } })).map((r) => [residents.indexOf(r.residentId), r.status]));
    expect(await statuses()).toEqual({ 0: "registered", 1: "registered", 2: "waitlist", 3: "waitlist" });

    const fields = { wijkId: wijk.luchen, title: "Kleine tafel", topic: "Verkeer", location: "Buurthuis", startsAt: "2026-12-15T19:30", endsAt: "" };
    const lowered = await post(`/inbox/content/tafel/${tafelId}`, who.grMierlo, { ...fields, capacity: "1" });
    expect(lowered.status).toBe(303);
    expect(await statuses()).toEqual({ 0: "registered", 1: "registered", 2: "waitlist", 3: "waitlist" });

    const raised = await post(`/inbox/content/tafel/${tafelId}`, who.grMierlo, { ...fields, capacity: "3" });
    expect(raised.headers.get("location")).toContain("doorgeschoven=1");
    expect(await statuses()).toEqual({ 0: "registered", 1: "registered", 2: "registered", 3: "waitlist" });
    const page = await (await get(raised.headers.get("location") ?? "", who.grMierlo)).text();
    expect(page).toContain("1 persoon van de wachtlijst heeft een plaats gekregen");

    const audit = await db.auditEvent.findMany({ where: { subjectType: "Dialoogtafel", subjectId: tafelId, action: "dialoogtafel.updated" }, orderBy: { at: "asc" } });
    expect(audit.map((a) => JSON.parse(a.data ?? "{}"))).toMatchObject([
      { capacity: { from: 2, to: 1 }, promotedFromWaitlist: 0 },
      { capacity: { from: 1, to: 3 }, promotedFromWaitlist: 1 },
    ]);
  });

  it("lists sign-ups in order under pseudonymous numbers and exports them as CSV for Excel", async () => {
    const db = h.t.db;
    const created = await post("/inbox/content/tafel", who.grMierlo, {
      wijkId: wijk.luchen,
      title: 'Praat mee; "Groen" plein',
      topic: "Groen",
      location: "Dorpshuis, zaal 2",
      startsAt: "2026-12-17T19:30",
      endsAt: "",
      capacity: "1",
    });
    const tafelId = idFrom(created.headers.get("location"));
    const gemeente = await db.gemeente.findFirstOrThrow();
    const channels = ["telegram", "whatsapp", "webchat"] as const;
    const registrations: Array<{ id: string }> = [];
    for (const [i, channel] of channels.entries()) {
      const resident = await db.resident.create({ data: { gemeenteId: gemeente.id } });
      await db.channelIdentity.create({ data: { residentId: resident.id, channel, externalId: `csv-${channel}-${i}` } });
      await db.$transaction((tx) => registerForDialoogtafel(tx, tafelId, resident.id, new Date(h.clock.now.getTime() + i * 1000)));
      registrations.push(await db.registration.findFirstOrThrow({ where: { dialoogtafelId: tafelId, residentId: resident.id } }));
    }
    await db.registration.update({ where: { id: registrations[2]?.id ?? "" }, data: { status: "cancelled" } });

    const detail = await (await get(`/inbox/content/tafel/${tafelId}`, who.grMierlo)).text();
    expect(detail).toContain("Aangemeld (1)");
    expect(detail).toContain("Wachtlijst (1)");
    expect(detail).toContain("Afgemeld (1)");
    for (const registration of registrations) expect(detail).toContain(signUpNumber(registration.id));
    expect(detail).not.toContain("csv-telegram-0");

    const response = await get(`/inbox/content/tafel/${tafelId}/export.csv`, who.grMierlo);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="aanmeldingen-luchen-2026-12-17.csv"');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder("utf-8", { ignoreBOM: true })
      .decode(bytes)
      .replace(/^\uFEFF/, "")
      .split("\r\n");
    expect(lines).toEqual([
      "Dialoogtafel;Wijk;Begint;Status;Volgorde;Nummer;Kanaal;Aangemeld op",
      `"Praat mee; ""Groen"" plein";Luchen;2026-12-17 19:30;aangemeld;1;${signUpNumber(registrations[0]?.id ?? "")};Telegram;2026-11-26 10:00`,
      `"Praat mee; ""Groen"" plein";Luchen;2026-12-17 19:30;wachtlijst;1;${signUpNumber(registrations[1]?.id ?? "")};WhatsApp;2026-11-26 10:00`,
      `"Praat mee; ""Groen"" plein";Luchen;2026-12-17 19:30;afgemeld;1;${signUpNumber(registrations[2]?.id ?? "")};Webchat;2026-11-26 10:00`,
      "",
    ]);
    expect(await db.auditEvent.count({ where: { subjectId: tafelId, action: "dialoogtafel.signUps.exported", actorStaffId: who.grMierlo.staffUserId } })).toBe(1);
  });

  it("answers 404 for another tandem's news and dialoogtafels, by any URL, and lets the tandem's wethouder and the admin in", async () => {
    const tafelResponse = await post("/inbox/content/tafel", who.grMierlo, {
      wijkId: wijk.luchen,
      title: "Alleen Mierlo",
      topic: "t",
      location: "l",
      startsAt: "2026-12-20T19:30",
      endsAt: "",
      capacity: "5",
    });
    const tafelId = idFrom(tafelResponse.headers.get("location"));
    await post("/inbox/content/nieuws", who.grMierlo, { wijkId: wijk.luchen, kind: "bericht", title: "Alleen voor Mierlo", body: "b", link: "", expires: "", action: "draft" });
    const newsId = (await h.t.db.newsItem.findFirstOrThrow({ where: { title: "Alleen voor Mierlo" } })).id;

    const attempts = [
      get(`/inbox/content/tafel/${tafelId}`, who.grNoord),
      get(`/inbox/content/tafel/${tafelId}/bewerken`, who.grNoord),
      get(`/inbox/content/tafel/${tafelId}/export.csv`, who.grNoord),
      post(`/inbox/content/tafel/${tafelId}`, who.grNoord, { wijkId: wijk.centrum, title: "Gekaapt", topic: "t", location: "l", startsAt: "2026-12-20T19:30", endsAt: "", capacity: "5" }),
      post(`/inbox/content/tafel/${tafelId}/annuleren`, who.grNoord, {}),
      get(`/inbox/content/nieuws/${newsId}`, who.grNoord),
      post(`/inbox/content/nieuws/${newsId}`, who.grNoord, { wijkId: wijk.centrum, kind: "bericht", title: "Gekaapt", body: "b", link: "", expires: "", action: "publish" }),
      get("/inbox/content/tafel/bestaat-niet", who.grNoord),
    ];
    const responses = await Promise.all(attempts);
    expect(responses.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404, 404, 404]);
    const tafel = await h.t.db.dialoogtafel.findUniqueOrThrow({ where: { id: tafelId } });
    expect([tafel.title, tafel.status]).toEqual(["Alleen Mierlo", "planned"]);
    expect((await h.t.db.newsItem.findUniqueOrThrow({ where: { id: newsId } })).publishedAt).toBeNull();

    const overview = await (await get("/inbox/content", who.grNoord)).text();
    expect(overview).not.toContain("Alleen Mierlo");
    expect(overview).not.toContain("Alleen voor Mierlo");
    // Nor can a wijk of another tandem be chosen in a form.
    const foreign = await post("/inbox/content/nieuws", who.grNoord, { wijkId: wijk.luchen, kind: "bericht", title: "In Luchen", body: "b", link: "", expires: "", action: "publish" });
    expect(foreign.status).toBe(400);
    expect(await foreign.text()).toContain("Kies een wijk uit de lijst.");

    expect((await get(`/inbox/content/tafel/${tafelId}`, who.wethouderC)).status).toBe(200);
    expect((await get(`/inbox/content/tafel/${tafelId}`, who.admin)).status).toBe(200);
  });

  it("refuses a POST without the CSRF token with 403 and changes nothing", async () => {
    const response = await post(
      "/inbox/content/nieuws",
      who.grMierlo,
      { wijkId: wijk.luchen, kind: "bericht", title: "Zonder token", body: "b", link: "", expires: "", action: "publish" },
      { csrf: false },
    );
    expect(response.status).toBe(403);
    expect(await h.t.db.newsItem.count({ where: { title: "Zonder token" } })).toBe(0);
    expect((await fetch(`${server.url}/inbox/content`, { redirect: "manual" })).status).toBe(303);
  });

  it("cancels a dialoogtafel: the bot stops listing it and it cannot be edited any more", async () => {
    const created = await post("/inbox/content/tafel", who.grMierlo, {
      wijkId: wijk.luchen,
      title: "Gaat niet door",
      topic: "t",
      location: "l",
      startsAt: "2026-12-22T19:30",
      endsAt: "",
      capacity: "5",
    });
    const tafelId = idFrom(created.headers.get("location"));
    const resident = await residentInLuchen();
    expect(joined(await resident.say("wat speelt er"))).toContain("Gaat niet door");
    // The page's button asks first, on a page of its own; only its form cancels.
    const detail = await (await get(`/inbox/content/tafel/${tafelId}`, who.grMierlo)).text();
    expect(detail).toContain(`href="/inbox/content/tafel/${tafelId}/annuleren"`);
    expect(detail).not.toContain(`action="/inbox/content/tafel/${tafelId}/annuleren"`);
    const confirm = await get(`/inbox/content/tafel/${tafelId}/annuleren`, who.grMierlo);
    expect(confirm.status).toBe(200);
    const confirmPage = await confirm.text();
    expect(confirmPage).toContain("Gaat niet door annuleren?");
    expect(confirmPage).toContain("Dit kun je niet ongedaan maken.");
    expect(confirmPage).toContain(`action="/inbox/content/tafel/${tafelId}/annuleren"`);
    expect((await h.t.db.dialoogtafel.findUniqueOrThrow({ where: { id: tafelId } })).status).not.toBe("cancelled");
    // Another tandem's gebiedsregisseur gets nothing.
    expect((await get(`/inbox/content/tafel/${tafelId}/annuleren`, who.grNoord)).status).toBe(404);
    expect((await post(`/inbox/content/tafel/${tafelId}/annuleren`, who.grMierlo, {})).status).toBe(303);
    expect((await h.t.db.dialoogtafel.findUniqueOrThrow({ where: { id: tafelId } })).status).toBe("cancelled");
    expect(joined(await resident.say("wat speelt er"))).not.toContain("Gaat niet door");
    expect((await get(`/inbox/content/tafel/${tafelId}/bewerken`, who.grMierlo)).status).toBe(409);
    expect(await h.t.db.auditEvent.count({ where: { subjectId: tafelId, action: "dialoogtafel.cancelled" } })).toBe(1);
  });
});
