/**
 * Injection and XSS in every field the inbox and the public pages show. A resident writes SQL,
 * template and script payloads; staff put them in a note, a reply and a canned reply; an import
 * puts them in the gemeente, wijk, tandem and staff names, a news item and a dialoogtafel. Then
 * every GET page the router lists (walked, so a new page is covered) is read as an admin, a
 * gebiedsregisseur and a wethouder: no payload comes back as markup in HTML (JSON is served as
 * JSON with nosniff), and the SQL and template
 * strings come back verbatim from the API (stored as written, never run).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createStaffSession } from "../../src/db/session.repo.ts";
import { escapeHtml } from "../../src/http/html.ts";
import { createApp } from "../../src/http/app.ts";
import { createBotHarness, type BotHarness } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";
import { routesOf } from "./abuseRig.ts";

/** Script payloads, and the markup that must never come back unescaped. */
const XSS = [
  "<img src=x onerror=alert(1)>",
  "<script>alert(1)</script>",
  "<svg/onload=alert(1)>",
  '"><iframe src=javascript:alert(1)>',
  "</textarea><script>alert(2)</script>",
  "' onmouseover='alert(1)",
];
const FORBIDDEN = [/<img src=x/i, /<script>alert/i, /<svg\/onload/i, /<iframe src=javascript/i, /' onmouseover='/];
/** Strings that must be stored and shown exactly as written. */
const VERBATIM = ['\'; DROP TABLE "Message"; --', "1' OR '1'='1", `{{7*7}} $${"{"}7*7} <%= 7*7 %> #{7*7}`, "{{constructor.constructor('return process')()}}"];

const collectStrings = (value: unknown): string[] =>
  typeof value === "string" ? [value] : Array.isArray(value) ? value.flatMap(collectStrings) : value && typeof value === "object" ? Object.values(value).flatMap(collectStrings) : [];

describeEachDatabase("abuse: injection and XSS in every field shown", (provider) => {
  let harness: BotHarness;
  let server: Awaited<ReturnType<typeof listen>>;
  let routes: string[] = [];
  let conversationId = "";
  const ids: string[] = [];

  const sessionOf = async (email: string) => {
    const user = await harness.t.db.staffUser.findUniqueOrThrow({ where: { email } });
    const session = await createStaffSession(harness.t.db, user.id);
    return { cookie: `wl_staff=${session.id}`, csrf: session.csrfToken };
  };
  const postForm = (path: string, who: { cookie: string; csrf: string }, fields: Record<string, string>) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { cookie: who.cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: who.csrf, ...fields }),
      redirect: "manual",
    });

  beforeAll(async () => {
    harness = await createBotHarness(provider, new Date(), { realClock: true });
    const db = harness.t.db;
    const app = createApp({ db, provider, logger: captureLogger("error").logger, bot: harness.bot, secret: "injection-test-secret-0123456789abcdef", timeZone: "Europe/Amsterdam" });
    routes = [...new Set(routesOf(app.router.stack))];
    server = await listen(app);

    // What an import or an admin could put in names.
    const payload = XSS[0] ?? "";
    await db.gemeente.updateMany({ data: { name: `Geldrop-Mierlo ${payload}` } });
    for (const found of await db.wijk.findMany({ where: { tandem: { slug: "mierlo" } } })) await db.wijk.update({ where: { id: found.id }, data: { name: `${found.name} ${XSS[1]}` } });
    const wijk = await db.wijk.findFirstOrThrow({ where: { slug: "mierlo-dorp" } });
    await db.tandem.updateMany({ where: { slug: "mierlo" }, data: { name: `Tandem ${XSS[2]}` } });
    await db.staffUser.updateMany({ where: { email: "gr.mierlo@demo.wijklijn.nl" }, data: { displayName: `Gerrit ${XSS[3]}` } });
    ids.push((await db.newsItem.create({ data: { wijkId: wijk.id, title: `Nieuws ${XSS[4]}`, body: `Tekst ${XSS[5]} ${VERBATIM[2]}`, publishedAt: new Date() } })).id);
    ids.push(
      (
        await db.dialoogtafel.create({
          data: { wijkId: wijk.id, title: `Tafel ${XSS[0]}`, topic: `Onderwerp ${XSS[1]}`, location: `Zaal ${XSS[2]}`, startsAt: new Date(Date.now() + 7 * 86_400_000), capacity: 10 },
        })
      ).id,
    );

    const resident = harness.resident();
    for (const text of ["hoi", "ja", "5731 BB", "ja", "mens", ...XSS, ...VERBATIM]) await resident.say(text);
    const conversation = (await resident.conversations()).find((c) => c.status === "open");
    conversationId = conversation?.id ?? "";
    ids.push(conversationId);

    const gr = await sessionOf("gr.mierlo@demo.wijklijn.nl");
    expect((await postForm(`/inbox/c/${conversationId}/note`, gr, { text: `Notitie ${XSS.join(" ")}` })).status).toBe(303);
    expect((await postForm(`/inbox/c/${conversationId}/reply`, gr, { text: `Antwoord ${XSS[1]} ${VERBATIM[0]}` })).status).toBe(303);
    const tandem = await db.tandem.findFirstOrThrow({ where: { slug: "mierlo" } });
    expect((await postForm("/inbox/canned", gr, { tandem: tandem.id, title: `Kort ${XSS[2]}`, body: `Standaard ${XSS[3]}` })).status).toBe(303);
    ids.push((await db.cannedReply.findFirstOrThrow({ where: { tandemId: tandem.id } })).id);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await harness?.close();
  });

  it("starts from a conversation handed to the Mierlo tandem that holds every payload", async () => {
    expect(conversationId).not.toBe("");
    const texts = (await harness.t.db.message.findMany({ where: { conversationId } })).map((m) => m.text ?? "");
    for (const payload of [...XSS, ...VERBATIM]) expect(texts).toContain(payload);
  });

  it("shows no payload as markup on any page, to an admin, a gebiedsregisseur or a wethouder", async () => {
    const pages = routes.filter((route) => route.startsWith("GET ") && !route.endsWith("/events") && !route.includes("/assets/") && !/\.(csv|js|css|ico)$/.test(route));
    expect(pages).toContain("GET /inbox/c/:id");
    expect(pages).toContain("GET /privacy");
    const leaks: string[] = [];
    let shownSomewhere = 0;
    for (const email of ["admin@demo.wijklijn.nl", "gr.mierlo@demo.wijklijn.nl", "wethouder.c@demo.wijklijn.nl"]) {
      const who = await sessionOf(email);
      for (const route of pages) {
        const pattern = route.slice(4);
        const paths = pattern.includes(":") ? ids.map((id) => pattern.replace(/:week\b/, "2026-W49").replace(/:\w+/g, id)) : [pattern];
        for (const path of paths) {
          const res = await fetch(`${server.url}${path}`, { headers: { cookie: who.cookie } });
          const body = await res.text();
          if (res.status >= 500) leaks.push(`${path} as ${email}: ${res.status}`);
          const type = res.headers.get("content-type") ?? "";
          // JSON carries the text as written; a browser never renders it (its type, and nosniff).
          if (!type.startsWith("text/html")) {
            if (!/^application\/(json|geo\+json)|^text\/(plain|csv)/.test(type) || res.headers.get("x-content-type-options") !== "nosniff") leaks.push(`${path} as ${email}: served as ${type}`);
            continue;
          }
          for (const forbidden of FORBIDDEN) if (forbidden.test(body)) leaks.push(`${path} as ${email}: ${forbidden.source}`);
          if (body.includes(escapeHtml(XSS[0] ?? ""))) shownSomewhere++;
        }
      }
    }
    expect(leaks).toEqual([]);
    // The payloads were on the pages, escaped: the check above read real content.
    expect(shownSomewhere).toBeGreaterThan(5);
    const page = await (await fetch(`${server.url}/inbox/c/${conversationId}`, { headers: { cookie: (await sessionOf("gr.mierlo@demo.wijklijn.nl")).cookie } })).text();
    for (const payload of [...XSS, ...VERBATIM]) expect(page, payload).toContain(escapeHtml(payload));
    expect(page).not.toContain(">49<");
  });

  it("answers another tandem's ids on every route with an id exactly as ids that exist nowhere, and changes nothing", async () => {
    const withId = routes.filter((route) => /:\w+/.test(route) && !route.includes(":week") && !route.includes("/privacy/export/"));
    expect(withId).toContain("POST /inbox/c/:id/reply");
    const state = async () => ({
      messages: await harness.t.db.message.count(),
      news: (await harness.t.db.newsItem.findMany({ orderBy: { id: "asc" } })).map((n) => [n.title, n.body, n.publishedAt?.toISOString() ?? null]),
      tafels: (await harness.t.db.dialoogtafel.findMany({ orderBy: { id: "asc" } })).map((t) => [t.title, t.status]),
      canned: await harness.t.db.cannedReply.count(),
      conversation: await harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversationId }, select: { status: true, assigneeId: true, wijkId: true, theme: true } }),
    });
    const before = await state();
    const differences: string[] = [];
    for (const email of ["gr.geldrop-noord@demo.wijklijn.nl", "wethouder.a@demo.wijklijn.nl"]) {
      for (const route of withId) {
        const method = route.slice(0, route.indexOf(" "));
        const pattern = route.slice(route.indexOf(" ") + 1);
        const fields = {
          text: "Dit mag niet aankomen.",
          title: "Overgenomen",
          body: "x",
          assignee: "",
          wijk: "centrum",
          theme: "groen",
          mode: "bericht",
          topic: "x",
          location: "x",
          startsAt: "2027-01-01T19:00",
          capacity: "5",
        };
        const who = await sessionOf(email);
        const answer = async (id: string) => {
          const url = `${server.url}${pattern.replace(/:\w+/g, id)}`;
          const res = method === "GET" ? await fetch(url, { headers: { cookie: who.cookie }, redirect: "manual" }) : await postForm(pattern.replace(/:\w+/g, id), who, fields);
          return { status: res.status, body: (await res.text()).replaceAll(id, "ID") };
        };
        const missing = await answer("cmissing000000000000000000");
        for (const id of ids) {
          const other = await answer(id);
          if (other.status !== missing.status || other.body !== missing.body) differences.push(`${route} as ${email}: ${other.status} for another tandem's id, ${missing.status} for a missing one`);
        }
      }
    }
    expect(differences).toEqual([]);
    expect(await state()).toEqual(before);
  });

  it("gives the SQL and template strings back from the API exactly as written", async () => {
    const who = await sessionOf("gr.mierlo@demo.wijklijn.nl");
    const json: unknown = await (await fetch(`${server.url}/api/v1/conversations/${conversationId}`, { headers: { cookie: who.cookie } })).json();
    const strings = collectStrings(json);
    for (const payload of [...VERBATIM, ...XSS]) expect(strings, payload).toContain(payload);
    // And the tables are all still there.
    expect(await harness.t.db.message.count()).toBeGreaterThan(10);
  });
});
