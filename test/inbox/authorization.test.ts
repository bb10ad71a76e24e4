/**
 * Who may do what, for every route of the inbox and the conversations API, against the real app
 * over loopback (createApp with a running bot), with sessions as the login form creates them.
 *
 * The route tables below classify every /inbox and /api/v1/conversations route the app serves;
 * the first test fails when a route is added without a classification, so that no route escapes
 * these checks: no session → the login page (GET) or 401 (POST); no CSRF token → 403; another
 * tandem's conversation → 404; a wethouder → 403 on everything but reading and notes; the admin
 * page → 404 for everyone but admins. And a resident's script is shown as text.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createStaffSession, deleteStaffSession } from "../../src/db/session.repo.ts";
import { createApiToken } from "../../src/db/staff.repo.ts";
import { createApp } from "../../src/http/app.ts";
import { createBotHarness, type BotHarness } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

/** How a route is guarded. */
type RouteRule =
  /** Reachable without a session: the login form and the static assets. */
  | { kind: "public" }
  /** Reachable without a session, but only with a valid one-time token in the path (a password link): 404 otherwise. */
  | { kind: "token" }
  /** Any signed-in staff user; what they see is scoped by the route itself. */
  | { kind: "signed-in" }
  /** Without a session there is nothing to end: back to the login page (and the cookie cleared). */
  | { kind: "logout" }
  /** One conversation (:id): 404 outside the caller's tandems; `wethouder` says whether a wethouder may. */
  | { kind: "conversation"; wethouder: "allowed" | "forbidden"; fields?: Record<string, string> }
  /** Admins only; everyone else gets 404, as if the page did not exist. */
  | { kind: "admin" };

/** Every /inbox route of the app. */
const INBOX_ROUTES: Record<string, RouteRule> = {
  "GET /inbox/login": { kind: "public" },
  "POST /inbox/login": { kind: "public" },
  "GET /inbox/assets/inbox.js": { kind: "public" },
  "GET /inbox/assets/inbox.css": { kind: "public" },
  "GET /inbox/wachtwoord/:token": { kind: "token" },
  "POST /inbox/wachtwoord/:token": { kind: "token" },

  "POST /inbox/logout": { kind: "logout" },
  "POST /inbox/logout-everywhere": { kind: "logout" },
  "GET /inbox/account": { kind: "signed-in" },
  "POST /inbox/account/password": { kind: "signed-in" },
  "GET /inbox/account/telegram": { kind: "signed-in" },
  "POST /inbox/account/telegram/ontkoppel": { kind: "signed-in" },

  "GET /inbox": { kind: "signed-in" },
  "GET /inbox/events": { kind: "signed-in" },
  "GET /inbox/c/:id": { kind: "conversation", wethouder: "allowed" },
  "POST /inbox/c/:id/reply": { kind: "conversation", wethouder: "forbidden", fields: { text: "Dit mag niet aankomen." } },
  "POST /inbox/c/:id/note": { kind: "conversation", wethouder: "allowed", fields: { text: "Een notitie." } },
  "POST /inbox/c/:id/assign": { kind: "conversation", wethouder: "forbidden", fields: { assignee: "" } },
  "POST /inbox/c/:id/wijk": { kind: "conversation", wethouder: "forbidden", fields: { wijk: "centrum" } },
  "POST /inbox/c/:id/theme": { kind: "conversation", wethouder: "forbidden", fields: { theme: "groen" } },
  "POST /inbox/c/:id/snooze": { kind: "conversation", wethouder: "forbidden", fields: { mode: "bericht" } },
  "POST /inbox/c/:id/clear-emergency": { kind: "conversation", wethouder: "forbidden", fields: { reason: "" } },
  "GET /inbox/c/:id/afhandelen": { kind: "conversation", wethouder: "forbidden" },
  "POST /inbox/c/:id/resolve": { kind: "conversation", wethouder: "forbidden" },
  "POST /inbox/c/:id/reopen": { kind: "conversation", wethouder: "forbidden" },
  "POST /inbox/c/:id/publish": { kind: "conversation", wethouder: "forbidden", fields: { said: "Jullie zeiden iets.", did: "Wij deden iets." } },
  // Canned replies: scope and role are checked by their own test below.
  "GET /inbox/canned": { kind: "signed-in" },
  "POST /inbox/canned": { kind: "signed-in" },
  "POST /inbox/canned/:id/delete": { kind: "signed-in" },
  "GET /inbox/admin": { kind: "admin" },
  "GET /inbox/digests": { kind: "signed-in" },
  "GET /inbox/evaluatie": { kind: "signed-in" },
  "GET /inbox/evaluatie.csv": { kind: "signed-in" },
  "GET /inbox/digests/:week": { kind: "signed-in" },
  "POST /inbox/admin/outbox/:id/retry": { kind: "admin" },
  "POST /inbox/admin/erase": { kind: "admin" },
  "POST /inbox/admin/medewerkers/:id/wachtwoord": { kind: "admin" },

  // Wijk content: another tandem's item is a 404 there too (test/inbox/content.test.ts).
  "GET /inbox/content": { kind: "signed-in" },
  "GET /inbox/content/nieuws/nieuw": { kind: "signed-in" },
  "POST /inbox/content/nieuws": { kind: "signed-in" },
  "GET /inbox/content/nieuws/:id": { kind: "signed-in" },
  "POST /inbox/content/nieuws/:id": { kind: "signed-in" },
  "GET /inbox/content/tafel/nieuw": { kind: "signed-in" },
  "POST /inbox/content/tafel": { kind: "signed-in" },
  "GET /inbox/content/tafel/:id": { kind: "signed-in" },
  "GET /inbox/content/tafel/:id/bewerken": { kind: "signed-in" },
  "POST /inbox/content/tafel/:id": { kind: "signed-in" },
  "GET /inbox/content/tafel/:id/annuleren": { kind: "signed-in" },
  "POST /inbox/content/tafel/:id/annuleren": { kind: "signed-in" },
  "GET /inbox/content/tafel/:id/export.csv": { kind: "signed-in" },
  // A dialoogtafel's evening and afterwards: another tandem's is a 404 (test/inbox/tafelPages.test.ts).
  "GET /inbox/content/tafel/:id/aanwezig": { kind: "signed-in" },
  "POST /inbox/content/tafel/:id/aanwezig/:registrationId": { kind: "signed-in" },
  "GET /inbox/content/tafel/:id/verslag": { kind: "signed-in" },
  "POST /inbox/content/tafel/:id/verslag": { kind: "signed-in" },
  // Wijkberichten: a wethouder gets 403, another tandem's bericht is a 404 (test/inbox/wijkberichtPages.test.ts).
  "GET /inbox/wijkberichten": { kind: "signed-in" },
  "GET /inbox/wijkberichten/nieuw": { kind: "signed-in" },
  "POST /inbox/wijkberichten": { kind: "signed-in" },
  "POST /inbox/wijkberichten/:id": { kind: "signed-in" },
  "GET /inbox/wijkberichten/:id": { kind: "signed-in" },
  "GET /inbox/wijkberichten/:id/voortgang.json": { kind: "signed-in" },
  "GET /inbox/wijkberichten/:id/bewerken": { kind: "signed-in" },
  "GET /inbox/wijkberichten/:id/versturen": { kind: "signed-in" },
  "POST /inbox/wijkberichten/:id/versturen": { kind: "signed-in" },
  "POST /inbox/wijkberichten/:id/inplannen": { kind: "signed-in" },
  "GET /inbox/wijkberichten/:id/annuleren": { kind: "signed-in" },
  "POST /inbox/wijkberichten/:id/annuleren": { kind: "signed-in" },
  "POST /inbox/wijkberichten/:id/test": { kind: "signed-in" },
};

/** Every /api/v1/conversations route, with a valid body for the writes. */
const API_ROUTES: Record<string, { body?: unknown; wethouder: "allowed" | "forbidden" }> = {
  "GET /api/v1/conversations": { wethouder: "allowed" },
  "GET /api/v1/conversations/:id": { wethouder: "allowed" },
  "POST /api/v1/conversations/:id/messages": { body: { text: "Dit mag niet aankomen." }, wethouder: "forbidden" },
  "POST /api/v1/conversations/:id/notes": { body: { text: "Een notitie." }, wethouder: "allowed" },
  "POST /api/v1/conversations/:id/status": { body: { status: "resolved" }, wethouder: "forbidden" },
  "POST /api/v1/conversations/:id/assignee": { body: { staffUserId: null }, wethouder: "forbidden" },
  "POST /api/v1/conversations/:id/wijk": { body: { wijk: "centrum" }, wethouder: "forbidden" },
  "POST /api/v1/conversations/:id/theme": { body: { theme: "groen" }, wethouder: "forbidden" },
};

const LayerSchema = z.object({
  rawPath: z.string().nullish(),
  route: z.object({ path: z.string(), methods: z.record(z.string(), z.boolean()) }).nullish(),
  handle: z.unknown(),
});

/** "METHOD /path" of every route in an express router stack, nested routers included. */
function routesOf(stack: readonly unknown[], prefix = ""): string[] {
  return stack.flatMap((entry) => {
    const layer = LayerSchema.parse(entry);
    const route = layer.route;
    if (route) return Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${prefix}${route.path}`);
    const handle = layer.handle;
    if (typeof handle === "function" && "stack" in handle && Array.isArray(handle.stack)) {
      return routesOf(handle.stack, `${prefix}${layer.rawPath && layer.rawPath !== "/" ? layer.rawPath : ""}`);
    }
    return [];
  });
}

const XSS = "<img src=x onerror=alert(1)>";
/** An id that looks real and exists nowhere. */
const MISSING_ID = "cmissing000000000000000000";

/** A browser with a staff session: its cookie and the session's CSRF token. */
interface Visitor {
  cookie: string;
  csrf: string;
}

/** The demo accounts these tests sign in with. */
const STAFF = {
  grMierlo: "gr.mierlo@demo.wijklijn.nl",
  wethouderMierlo: "wethouder.c@demo.wijklijn.nl",
  grNoord: "gr.geldrop-noord@demo.wijklijn.nl",
  wethouderNoord: "wethouder.a@demo.wijklijn.nl",
  admin: "admin@demo.wijklijn.nl",
} as const;
type StaffKey = keyof typeof STAFF;

describeEachDatabase("authorization of every inbox and conversations API route", (provider) => {
  let harness: BotHarness;
  let server: Awaited<ReturnType<typeof listen>>;
  let served: string[] = [];
  /** A conversation the bot handed to the Mierlo tandem; the resident's question is a script. */
  let conversationId = "";
  let reference = "";
  const nobody: Visitor = { cookie: "", csrf: "" };
  const as: Record<StaffKey, Visitor> = { grMierlo: nobody, wethouderMierlo: nobody, grNoord: nobody, wethouderNoord: nobody, admin: nobody };

  /** A fresh session of a demo account, as the login form would start it. */
  async function signIn(email: string): Promise<Visitor> {
    const user = await harness.t.db.staffUser.findUniqueOrThrow({ where: { email } });
    const session = await createStaffSession(harness.t.db, user.id);
    return { cookie: `wl_staff=${session.id}`, csrf: session.csrfToken };
  }

  beforeAll(async () => {
    harness = await createBotHarness(provider, new Date(), { realClock: true });
    const app = createApp({ db: harness.t.db, provider, logger: captureLogger("error").logger, bot: harness.bot, secret: "authorization-test-secret-0123456789", timeZone: "Europe/Amsterdam" });
    served = [...new Set(routesOf(app.router.stack))];
    server = await listen(app);

    const resident = harness.resident();
    for (const text of ["hoi", "ja", "5731 BB", "ja", "mens", XSS]) await resident.say(text);
    const conversation = (await resident.conversations()).find((c) => c.status === "open");
    conversationId = conversation?.id ?? "";
    reference = conversation?.reference ?? "";

    as.grMierlo = await signIn(STAFF.grMierlo);
    as.wethouderMierlo = await signIn(STAFF.wethouderMierlo);
    as.grNoord = await signIn(STAFF.grNoord);
    as.wethouderNoord = await signIn(STAFF.wethouderNoord);
    as.admin = await signIn(STAFF.admin);
  });
  afterAll(async () => {
    await server?.close();
    await harness?.close();
  });

  /** The route's path with a concrete id: the Mierlo conversation on conversation routes, else one that exists nowhere. */
  function pathOf(key: string): string {
    const path = key.slice(key.indexOf(" ") + 1);
    const isConversationRoute = INBOX_ROUTES[key]?.kind === "conversation" || key in API_ROUTES;
    return path.replace(":id", isConversationRoute ? conversationId : MISSING_ID).replace(":token", randomBytes(32).toString("base64url"));
  }

  const methodOf = (key: string) => key.slice(0, key.indexOf(" "));

  /** A request as a browser's form would send it; `csrf: false` leaves the token out. */
  function request(key: string, who: Visitor | null, options: { fields?: Record<string, string>; csrf?: string | false; path?: string } = {}) {
    const method = methodOf(key);
    const path = options.path ?? pathOf(key);
    const headers: Record<string, string> = who ? { cookie: who.cookie } : {};
    if (method === "GET") return fetch(`${server.url}${path}`, { headers, redirect: "manual" });
    const csrf = options.csrf === undefined ? who?.csrf : options.csrf;
    const body = new URLSearchParams({ ...(csrf ? { _csrf: csrf } : {}), ...options.fields });
    return fetch(`${server.url}${path}`, { method, headers: { ...headers, "content-type": "application/x-www-form-urlencoded" }, body, redirect: "manual" });
  }

  const byKind = (kind: RouteRule["kind"]) => Object.keys(INBOX_ROUTES).filter((key) => INBOX_ROUTES[key]?.kind === kind);
  const conversationRoutes = () => Object.entries(INBOX_ROUTES).flatMap(([key, rule]) => (rule.kind === "conversation" ? [{ key, rule }] : []));

  /** What must not change when a request is refused. */
  async function conversationState() {
    const conversation = await harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    return {
      status: conversation.status,
      assigneeId: conversation.assigneeId,
      wijkId: conversation.wijkId,
      tandemId: conversation.tandemId,
      theme: conversation.theme,
      outbound: await harness.t.db.message.count({ where: { conversationId, direction: "out", authorKind: "staff" } }),
      notes: await harness.t.db.message.count({ where: { conversationId, direction: "note", authorKind: "staff" } }),
    };
  }

  it("starts from a conversation the bot handed to the Mierlo tandem", async () => {
    expect(conversationId).not.toBe("");
    const conversation = await harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversationId }, include: { tandem: true } });
    expect(conversation.tandem?.slug).toBe("mierlo");
  });

  it("classifies every /inbox and /api/v1/conversations route the app serves (add new routes to the tables in this file)", () => {
    expect(served.filter((route) => / \/inbox(\/|$)/.test(route)).sort()).toEqual(Object.keys(INBOX_ROUTES).sort());
    expect(served.filter((route) => / \/api\/v1\/conversations(\/|$)/.test(route)).sort()).toEqual(Object.keys(API_ROUTES).sort());
  });

  describe("without a session", () => {
    /** Cookies that open nothing: none, a forged id, an ended session, and a deactivated user's session. */
    const signedOut: Array<{ name: string; who: Visitor | null }> = [];
    beforeAll(async () => {
      const ended = await signIn(STAFF.grMierlo);
      await deleteStaffSession(harness.t.db, ended.cookie.slice("wl_staff=".length));
      const deactivated = await signIn("gr.buitengebied@demo.wijklijn.nl");
      await harness.t.db.staffUser.update({ where: { email: "gr.buitengebied@demo.wijklijn.nl" }, data: { active: false } });
      const forged = { cookie: `wl_staff=${randomBytes(32).toString("base64url")}`, csrf: randomBytes(24).toString("base64url") };
      signedOut.push(
        { name: "no cookie", who: null },
        { name: "a forged cookie", who: forged },
        { name: "a logged-out session", who: ended },
        { name: "a deactivated user's session", who: deactivated },
      );
    });

    it("sends every GET to the login page, with the way back in ?next", async () => {
      for (const key of Object.keys(INBOX_ROUTES).filter((k) => methodOf(k) === "GET" && INBOX_ROUTES[k]?.kind !== "public" && INBOX_ROUTES[k]?.kind !== "token")) {
        for (const { name, who } of signedOut) {
          const response = await request(key, who);
          expect(response.status, `${key} with ${name}`).toBe(303);
          expect(response.headers.get("location"), `${key} with ${name}`).toBe(`/inbox/login?next=${encodeURIComponent(pathOf(key))}`);
        }
      }
    });

    it("refuses every POST with 401 (logging out just returns to the login page)", async () => {
      for (const key of Object.keys(INBOX_ROUTES).filter((k) => methodOf(k) === "POST" && INBOX_ROUTES[k]?.kind !== "public" && INBOX_ROUTES[k]?.kind !== "token")) {
        for (const { name, who } of signedOut) {
          const response = await request(key, who, { fields: { text: "x" } });
          if (INBOX_ROUTES[key]?.kind === "logout") {
            expect(response.status, `${key} with ${name}`).toBe(303);
            expect(response.headers.get("location"), `${key} with ${name}`).toBe("/inbox/login");
          } else {
            expect([401, 403], `${key} with ${name}`).toContain(response.status);
          }
        }
      }
    });

    it("guards a path however it is spelled: capitals, trailing or double slashes, dot segments", async () => {
      for (const path of ["/INBOX", "/Inbox/admin", "/inbox/admin/", "/inbox//admin", "/inbox/./admin", "/inbox/assets/../admin", `/inbox/C/${conversationId}/`]) {
        const response = await fetch(`${server.url}${path}`, { redirect: "manual" });
        expect(response.status, path).toBe(303);
        expect(response.headers.get("location"), path).toMatch(/^\/inbox\/login\?next=/);
      }
      const post = await fetch(`${server.url}/Inbox/C/${conversationId}/reply`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "text=x",
        redirect: "manual",
      });
      expect(post.status).toBe(401);
    });

    it("serves the login form and the assets", async () => {
      for (const key of byKind("public").filter((k) => methodOf(k) === "GET")) expect((await request(key, null)).status, key).toBe(200);
    });
  });

  it("refuses every POST without the session's CSRF token with 403: none, a wrong one, or another session's", async () => {
    const before = await conversationState();
    for (const key of Object.keys(INBOX_ROUTES).filter((k) => methodOf(k) === "POST" && INBOX_ROUTES[k]?.kind !== "public" && INBOX_ROUTES[k]?.kind !== "token")) {
      const rule = INBOX_ROUTES[key];
      const fields = rule?.kind === "conversation" ? rule.fields : { text: "x", title: "x", body: "x" };
      // A fresh session each time: a route that wrongly accepts could end the session (logout).
      const who = await signIn(STAFF.admin);
      const wrongTokens: Array<string | false> = [false, randomBytes(24).toString("base64url"), as.grMierlo.csrf];
      for (const csrf of wrongTokens) {
        const response = await request(key, who, { csrf, ...(fields ? { fields } : {}) });
        expect(response.status, `${key} with csrf ${String(csrf)}`).toBe(403);
      }
    }
    expect(await conversationState()).toEqual(before);
  });

  it("answers 404 for another tandem's conversation on every conversation route, exactly as for a missing one, and changes nothing", async () => {
    const before = await conversationState();
    for (const who of [as.grNoord, as.wethouderNoord]) {
      for (const { key, rule } of conversationRoutes()) {
        const other = await request(key, who, rule.fields ? { fields: rule.fields } : {});
        const missing = await request(key, who, { path: pathOf(key).replace(conversationId, MISSING_ID), ...(rule.fields ? { fields: rule.fields } : {}) });
        expect(other.status, key).toBe(404);
        expect(missing.status, key).toBe(404);
        const [otherPage, missingPage] = await Promise.all([other.text(), missing.text()]);
        expect(otherPage, key).toBe(missingPage);
        expect(otherPage, key).not.toContain(reference);
      }
    }
    expect(await conversationState()).toEqual(before);
  });

  it("lets the tandem's wethouder read and add notes, and answers 403 to every other conversation action", async () => {
    const before = await conversationState();
    for (const { key, rule } of conversationRoutes()) {
      const response = await request(key, as.wethouderMierlo, rule.fields ? { fields: rule.fields } : {});
      if (rule.wethouder === "forbidden") {
        expect(response.status, key).toBe(403);
      } else if (methodOf(key) === "GET") {
        expect(response.status, key).toBe(200);
        const page = await response.text();
        expect(page).toContain(reference);
        expect(page, "a wethouder gets no reply form").not.toContain(`/inbox/c/${conversationId}/reply`);
      } else {
        expect(response.status, key).toBe(303);
        expect(response.headers.get("location"), key).toBe(`/inbox/c/${conversationId}?gedaan=notitie`);
      }
    }
    expect(await conversationState()).toEqual({ ...before, notes: before.notes + 1 });
  });

  it("answers 404 on a password link route with a made-up token, with or without a session, and changes no password", async () => {
    const before = await harness.t.db.staffUser.findMany({ select: { id: true, passwordHash: true }, orderBy: { id: "asc" } });
    for (const key of byKind("token")) {
      for (const who of [null, as.grMierlo]) {
        const response = await request(key, who, { fields: { newPassword: "fietsen langs de Dommel", confirmPassword: "fietsen langs de Dommel" } });
        expect(response.status, key).toBe(404);
      }
    }
    expect(await harness.t.db.staffUser.findMany({ select: { id: true, passwordHash: true }, orderBy: { id: "asc" } })).toEqual(before);
  });

  it("answers 404 on the admin routes to a gebiedsregisseur and a wethouder, and shows the admin page to an admin", async () => {
    for (const who of [as.grMierlo, as.wethouderMierlo]) {
      for (const key of byKind("admin")) expect((await request(key, who)).status, key).toBe(404);
    }
    expect((await request("GET /inbox/admin", as.admin)).status).toBe(200);
  });

  it("keeps canned replies to their tandem: another tandem gets 404, a wethouder 403", async () => {
    const tandem = await harness.t.db.tandem.findFirstOrThrow({ where: { slug: "mierlo" } });
    const fields = { tandem: tandem.id, title: "Ontvangen", body: "We hebben je vraag {{reference}} ontvangen." };
    expect((await request("POST /inbox/canned", as.grMierlo, { fields })).status).toBe(303);
    const canned = await harness.t.db.cannedReply.findFirstOrThrow({ where: { tandemId: tandem.id, title: "Ontvangen" } });
    const deletePath = `/inbox/canned/${canned.id}/delete`;

    expect((await request("POST /inbox/canned", as.grNoord, { fields: { ...fields, title: "Van een ander" } })).status).toBe(404);
    expect((await request("POST /inbox/canned/:id/delete", as.grNoord, { path: deletePath })).status).toBe(404);
    expect((await request("POST /inbox/canned", as.wethouderMierlo, { fields: { ...fields, title: "Van de wethouder" } })).status).toBe(403);
    expect((await request("POST /inbox/canned/:id/delete", as.wethouderMierlo, { path: deletePath })).status).toBe(403);
    expect(await harness.t.db.cannedReply.count({ where: { tandemId: tandem.id } })).toBe(1);
    expect(await (await request("GET /inbox/canned", as.grNoord)).text()).not.toContain("We hebben je vraag");
  });

  it("renders a resident's script as text in the list and in the conversation", async () => {
    const escaped = "&lt;img src=x onerror=alert(1)&gt;";
    for (const who of [as.grMierlo, as.wethouderMierlo, as.admin]) {
      const list = await (await request("GET /inbox", who)).text();
      expect(list).toContain(reference);
      expect(list).not.toContain(XSS);
      const page = await (await request("GET /inbox/c/:id", who)).text();
      expect(page).toContain(escaped);
      expect(page).not.toContain(XSS);
      expect(page).not.toMatch(/<img\b/i);
    }
  });

  describe("the conversations API", () => {
    const tokens = { grNoord: "", wethouderMierlo: "" };
    beforeAll(async () => {
      tokens.grNoord = (await createApiToken(harness.t.db, { email: STAFF.grNoord })).token;
      tokens.wethouderMierlo = (await createApiToken(harness.t.db, { email: STAFF.wethouderMierlo })).token;
    });

    function call(key: string, headers: Record<string, string>, options: { path?: string } = {}) {
      const method = methodOf(key);
      const url = `${server.url}${options.path ?? pathOf(key)}`;
      if (method === "GET") return fetch(url, { headers });
      return fetch(url, { method, headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(API_ROUTES[key]?.body ?? {}) });
    }

    it("answers 401 on every route without credentials, with a forged session cookie, and to a session's write without its X-CSRF-Token", async () => {
      const forged = `wl_staff=${randomBytes(32).toString("base64url")}`;
      for (const key of Object.keys(API_ROUTES)) {
        expect((await call(key, {})).status, key).toBe(401);
        expect((await call(key, { cookie: forged })).status, key).toBe(401);
        if (methodOf(key) === "POST") expect((await call(key, { cookie: as.grMierlo.cookie })).status, key).toBe(401);
      }
    });

    it("answers 404 for another tandem's conversation on every route, by session as by token, and changes nothing", async () => {
      const before = await conversationState();
      const session = { cookie: as.grNoord.cookie, "x-csrf-token": as.grNoord.csrf };
      for (const key of Object.keys(API_ROUTES).filter((k) => k.includes(":id"))) {
        expect((await call(key, session)).status, key).toBe(404);
        expect((await call(key, { authorization: `Bearer ${tokens.grNoord}` })).status, key).toBe(404);
      }
      const list = z.object({ items: z.array(z.object({ id: z.string() }).loose()) }).parse(await (await call("GET /api/v1/conversations", session)).json());
      expect(list.items.map((item) => item.id)).not.toContain(conversationId);
      expect(await conversationState()).toEqual(before);
    });

    it("answers 403 to the tandem's wethouder on every write but a note", async () => {
      const before = await conversationState();
      for (const key of Object.keys(API_ROUTES).filter((k) => API_ROUTES[k]?.wethouder === "forbidden")) {
        expect((await call(key, { authorization: `Bearer ${tokens.wethouderMierlo}` })).status, key).toBe(403);
        expect((await call(key, { cookie: as.wethouderMierlo.cookie, "x-csrf-token": as.wethouderMierlo.csrf })).status, key).toBe(403);
      }
      expect(await conversationState()).toEqual(before);
    });
  });
});
