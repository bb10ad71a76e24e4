import { Readable } from "node:stream";
import express from "express";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoPassword, demoTandems } from "../../prisma/demo/geldrop-mierlo.ts";
import { runCli } from "../../src/cli/run.ts";
import { findDemoSignIn, seedDemoGemeente } from "../../src/db/seedDemo.ts";
import { authRoutes, LOGIN_FAILED_NL, loginThrottledMessage, safeNextPath } from "../../src/inbox/auth.routes.ts";
import { hashEmail, hashPassword, PasswordPolicy, verifyPassword } from "../../src/inbox/password.ts";
import { DEVICE_COOKIE_MAX_AGE_MS, makeDeviceCookieValue, readDeviceCookieValue } from "../../src/inbox/deviceCookie.ts";
import { loadStaffSession, requireSignedIn } from "../../src/inbox/session.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

describe("the password policy", () => {
  const email = "gr.mierlo@demo.wijklijn.nl";
  it.each([
    ["kort-ww", /minstens 12 tekens/],
    ["gr.mierlo@demo.wijklijn.nl", /niet je e-mailadres/],
    ["GR.MIERLO@demo.wijklijn.nl", /niet je e-mailadres/],
    ["Wachtwoord1", /minstens 12 tekens/],
    ["Wachtwoord123", /te bekend/],
    ["wachtwoord1234", /te bekend/],
    ["Welkom123456", /te bekend/],
    ["wijklijn-demo", /te bekend/],
    ["aaaaaaaaaaaaaaaa", /te bekend/],
  ])("refuses %j with a Dutch reason", (password, message) => {
    const verdict = PasswordPolicy.check(password, { email });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.message).toMatch(message);
  });

  it("accepts a passphrase of twelve characters or more", () => {
    expect(PasswordPolicy.check("fietsen langs de Dommel", { email })).toEqual({ ok: true });
    expect(PasswordPolicy.check("🚲🚲🚲🚲🚲🚲abcdef", { email })).toEqual({ ok: true });
  });

  it("hashes with argon2id and a salt of its own per hash", async () => {
    const first = await hashPassword("fietsen langs de Dommel");
    const second = await hashPassword("fietsen langs de Dommel");
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(first).not.toBe(second);
    expect(await verifyPassword(first, "fietsen langs de Dommel")).toBe(true);
    expect(await verifyPassword(first, "fietsen langs de dommel")).toBe(false);
    expect(await verifyPassword("not a hash", "x")).toBe(false);
  });
});

describe("the device cookie", () => {
  const secret = "d".repeat(40);
  const at = new Date("2026-12-01T09:00:00Z");
  it("names the account it was set for, and only with the right signature, spelling and age", () => {
    const value = makeDeviceCookieValue(secret, "staff-1", at);
    const read = readDeviceCookieValue(secret, value, at);
    expect(read?.staffUserId).toBe("staff-1");
    expect(read?.deviceId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(readDeviceCookieValue("e".repeat(40), value, at)).toBeNull();
    const [user, issued, device, mac] = value.split(".");
    expect(readDeviceCookieValue(secret, [Buffer.from("staff-2").toString("base64url"), issued, device, mac].join("."), at)).toBeNull();
    // The last character of a 32-byte MAC carries two spare bits: another spelling of the same bytes is refused too.
    const last = mac?.at(-1) ?? "A";
    const respelled = `${mac?.slice(0, -1)}${String.fromCharCode(last.charCodeAt(0) ^ 1)}`;
    expect(readDeviceCookieValue(secret, [user, issued, device, respelled].join("."), at)).toBeNull();
    expect(readDeviceCookieValue(secret, value, new Date(at.getTime() + DEVICE_COOKIE_MAX_AGE_MS + 1))).toBeNull();
    expect(readDeviceCookieValue(secret, "not-a-cookie", at)).toBeNull();
  });
});

describe("the next parameter of the login form", () => {
  it.each(["/inbox", "/inbox/", "/inbox/conversations/c1?status=open", "/inbox?wijk=coevering#lijst"])("keeps the local inbox path %j", (path) => {
    expect(safeNextPath(path)).toBe(path);
  });
  it.each(["https://evil.example", "//evil.example", "/\\evil.example", "/inbox\\..\\x", "/inboxes", "/inbox/../admin", "/inbox/%2e%2e/admin", "javascript:alert(1)", "/inbox/\nx", "", 42, undefined])(
    "ignores %j",
    (value) => {
      expect(safeNextPath(value)).toBeNull();
    },
  );
});

/** The session secret of the sign-in tests: it keys the stored hashes of addresses. */
const AUTH_SECRET = "the-session-secret-of-the-sign-in-tests-0123";

describeEachDatabase("signing in to the inbox", (provider) => {
  let t: TestDatabase;
  let base: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    const app = express();
    // As behind a reverse proxy: X-Forwarded-For gives each test its own client address, and
    // X-Forwarded-Proto: https makes the request secure.
    app.set("trust proxy", true);
    app.use(express.urlencoded({ extended: false }), loadStaffSession(t.db), authRoutes({ db: t.db, logger: captureLogger().logger, secret: AUTH_SECRET }));
    app.get("/inbox/probe", requireSignedIn, (_req, res) => {
      res.type("text/plain").send(`signed in as ${String(res.locals.staffEmail)}`);
    });
    ({ url: base, close } = await listen(app));
  });
  afterAll(async () => {
    await close?.();
    await t?.drop();
  });

  type Options = { cookie?: string | null; ip?: string; headers?: Record<string, string> };
  const headersOf = (options: Options) => ({
    "x-forwarded-for": options.ip ?? "192.0.2.1",
    ...(options.cookie ? { cookie: options.cookie } : {}),
    ...options.headers,
  });
  const get = (path: string, options: Options = {}) => fetch(`${base}${path}`, { redirect: "manual", headers: headersOf(options) });
  const post = (path: string, form: Record<string, string>, options: Options = {}) =>
    fetch(`${base}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headersOf(options) },
      body: new URLSearchParams(form).toString(),
    });

  /** The session cookie a response sets, as a Cookie header value; null when it sets none. */
  const sessionCookieOf = (res: Response): string | null => {
    const header = res.headers.getSetCookie().find((c) => c.startsWith("wl_staff="));
    const value = header?.split(";")[0];
    return value && value !== "wl_staff=" ? value : null;
  };
  const login = async (email: string, password: string, options: Options & { next?: string } = {}) => {
    const res = await post("/inbox/login", { email, password, ...(options.next ? { next: options.next } : {}) }, options);
    return { res, cookie: sessionCookieOf(res) };
  };
  const signedIn = async (cookie: string | null) => {
    const res = await get("/inbox/probe", { cookie });
    return res.status === 200;
  };
  const csrfTokenOf = async (cookie: string) => {
    const page = await (await get("/inbox/account", { cookie })).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
    if (!token) throw new Error("the account page has no CSRF token");
    return token;
  };
  const errorOf = (page: string) => /role="alert"[^>]*>([^<]*)</.exec(page)?.[1];

  it("shows an accessible login form that works without JavaScript", async () => {
    const res = await get("/inbox/login");
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<html lang="nl">');
    expect(page).toMatch(/<form method="post" action="\/inbox\/login"/);
    expect(page).toMatch(/<label for="email">E-mailadres<\/label>/);
    expect(page).toMatch(/<label for="password">Wachtwoord<\/label>/);
    expect(page).toMatch(/id="email" name="email" type="email"[^>]*autocomplete="username"/);
    expect(page).toMatch(/id="password" name="password" type="password" autocomplete="current-password"/);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("signs in with the demo password: an HttpOnly, SameSite=Lax cookie that reaches a protected page", async () => {
    expect(await signedIn(null)).toBe(false);
    const { res, cookie } = await login("gr.geldrop-noord@demo.wijklijn.nl", demoPassword);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/inbox");
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith("wl_staff=")) ?? "";
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).not.toMatch(/; Secure/);
    const probe = await get("/inbox/probe", { cookie });
    expect(probe.status).toBe(200);
    expect(await probe.text()).toBe("signed in as gr.geldrop-noord@demo.wijklijn.nl");

    const user = await t.db.staffUser.findUniqueOrThrow({ where: { email: "gr.geldrop-noord@demo.wijklijn.nl" } });
    expect(await t.db.auditEvent.count({ where: { action: "staff.login", actorStaffId: user.id } })).toBe(1);
  });

  it("matches the e-mail address case-insensitively and returns to a local next path", async () => {
    const { res } = await login(" GR.Geldrop-Noord@demo.wijklijn.nl ", demoPassword, { next: "/inbox/conversations/c1?status=open" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/inbox/conversations/c1?status=open");
  });

  it("ignores a next parameter that leads elsewhere (no open redirect)", async () => {
    const form = await (await get("/inbox/login?next=https%3A%2F%2Fevil.example")).text();
    expect(form).not.toContain("evil.example");
    const { res } = await login("gr.geldrop-noord@demo.wijklijn.nl", demoPassword, { next: "https://evil.example" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/inbox");
    const { res: slashes } = await login("gr.geldrop-noord@demo.wijklijn.nl", demoPassword, { next: "//evil.example/inbox" });
    expect(slashes.headers.get("location")).toBe("/inbox");
  });

  it("sends a signed-out visitor of a protected page to the login form and back", async () => {
    const res = await get("/inbox/probe");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/inbox/login?next=%2Finbox%2Fprobe");
    const form = await (await get(res.headers.get("location") ?? "")).text();
    expect(form).toContain('<input type="hidden" name="next" value="/inbox/probe">');
  });

  it("answers a wrong password and an unknown e-mail address the same: 401 and one generic message, audited without the password", async () => {
    const ip = "192.0.2.10";
    const wrong = await login("wethouder.a@demo.wijklijn.nl", "niet-het-goede-wachtwoord", { ip });
    const unknown = await login("niemand@demo.wijklijn.nl", "niet-het-goede-wachtwoord", { ip });
    expect(wrong.res.status).toBe(401);
    expect(unknown.res.status).toBe(401);
    expect(wrong.cookie).toBeNull();
    expect(unknown.cookie).toBeNull();
    const wrongPage = await wrong.res.text();
    const unknownPage = await unknown.res.text();
    expect(errorOf(wrongPage)).toBe(LOGIN_FAILED_NL);
    expect(wrongPage.replace("wethouder.a@demo.wijklijn.nl", "X")).toBe(unknownPage.replace("niemand@demo.wijklijn.nl", "X"));
    expect(wrongPage).toContain("<title>Fout: Inloggen · Wijklijn</title>");
    expect(wrongPage).not.toContain("niet-het-goede-wachtwoord");

    const failures = await t.db.auditEvent.findMany({ where: { action: "staff.login_failed" } });
    const data = failures.map((event) => event.data ?? "").join("\n");
    expect(data).toContain(hashEmail("niemand@demo.wijklijn.nl", AUTH_SECRET));
    expect(data).toContain(hashEmail("wethouder.a@demo.wijklijn.nl", AUTH_SECRET));
    expect(data).not.toContain("niemand@");
    expect(data).not.toContain("niet-het-goede-wachtwoord");
    expect(await t.db.loginAttempt.count({ where: { success: false } })).toBeGreaterThanOrEqual(4);
  });

  it("keeps e-mail and client addresses only as hashes keyed with the session secret: a plain hash of them is stored nowhere", async () => {
    const email = "gezouten.adres@demo.wijklijn.nl";
    const ip = "192.0.2.77";
    expect((await login(email, "niet-het-goede-wachtwoord", { ip })).res.status).toBe(401);
    const plain = (value: string) => createHash("sha256").update(value).digest("hex");
    const attempts = (await t.db.loginAttempt.findMany()).map((a) => a.key).join("\n");
    const audit = (await t.db.auditEvent.findMany({ where: { action: "staff.login_failed" } })).map((e) => e.data ?? "").join("\n");
    for (const stored of [attempts, audit]) {
      expect(stored).not.toContain(plain(email));
      expect(stored).not.toContain(plain(ip));
      expect(stored).not.toContain(email);
    }
    expect(audit).toContain(hashEmail(email, AUTH_SECRET));
    expect(hashEmail(email, AUTH_SECRET)).not.toBe(hashEmail(email, "another-installation-secret-0123456789"));
  });

  it("refuses an empty form with 400 and says what to fill in", async () => {
    const res = await post("/inbox/login", { email: "gr.mierlo@demo.wijklijn.nl" });
    expect(res.status).toBe(400);
    expect(errorOf(await res.text())).toMatch(/Vul je e-mailadres en je wachtwoord in/);
  });

  it("makes an e-mail address wait after 5 failures, even with the right password, and only that address", async () => {
    const email = "gr.geldrop-zuid@demo.wijklijn.nl";
    for (let i = 0; i < 5; i++) expect((await login(email, `fout-${i}-fout-fout`, { ip: `192.0.2.${20 + i}` })).res.status).toBe(401);
    const locked = await login(email, demoPassword, { ip: "192.0.2.30" });
    expect(locked.res.status).toBe(429);
    expect(Number(locked.res.headers.get("retry-after"))).toBeGreaterThan(25);
    expect(Number(locked.res.headers.get("retry-after"))).toBeLessThanOrEqual(30);
    expect(locked.cookie).toBeNull();
    expect(errorOf(await locked.res.text())).toBe(loginThrottledMessage(30_000));
    const user = await t.db.staffUser.findUniqueOrThrow({ where: { email } });
    expect(await t.db.auditEvent.count({ where: { action: "staff.login", actorStaffId: user.id } })).toBe(0);
    expect(await t.db.auditEvent.count({ where: { action: "staff.login_failed", data: { contains: "throttled" } } })).toBeGreaterThanOrEqual(1);

    // Another account from the same address is not affected.
    expect((await login("wethouder.b@demo.wijklijn.nl", demoPassword, { ip: "192.0.2.30" })).res.status).toBe(303);
  });

  it("cannot be raced: of 40 parallel guesses for one address (the correct one last), only five are checked", async () => {
    const admin = await t.db.staffUser.findUniqueOrThrow({ where: { email: "admin@demo.wijklijn.nl" } });
    const email = "race.target@demo.wijklijn.nl";
    await t.db.staffUser.create({ data: { gemeenteId: admin.gemeenteId, email, displayName: "Race", role: "gebiedsregisseur", passwordHash: admin.passwordHash } });
    const guesses = Array.from({ length: 39 }, (_, i) => `parallel-gok-${i}-fout`);
    const answers = await Promise.all([...guesses, demoPassword].map((password, i) => login(email, password, { ip: `192.0.2.${100 + (i % 50)}` })));
    const statuses = answers.map((a) => a.res.status);
    // Only the first five claimed attempts are checked against the password at all.
    expect(statuses.filter((s) => s !== 429)).toHaveLength(5);
    expect(answers.filter((a) => a.cookie !== null).length).toBeLessThanOrEqual(1);
  });

  it("checks at most five of 200 parallel guesses against the password", async () => {
    const email = "niemand.anders@demo.wijklijn.nl";
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => login(email, `gok-nummer-${i}-fout`, { ip: `198.18.${i % 200}.1` })));
    expect(answers.filter((a) => a.res.status === 401)).toHaveLength(5);
    expect(answers.filter((a) => a.res.status === 429)).toHaveLength(195);
  });

  it("throttles a client address after 20 failures, whatever e-mail addresses it tries", async () => {
    const ip = "198.51.100.7";
    for (let i = 0; i < 20; i++) expect((await login(`gok${i}@example.nl`, "geraden-wachtwoord", { ip })).res.status).toBe(401);
    expect((await login("gr.buitengebied@demo.wijklijn.nl", demoPassword, { ip })).res.status).toBe(429);
    expect((await login("gr.buitengebied@demo.wijklijn.nl", demoPassword, { ip: "198.51.100.8" })).res.status).toBe(303);
  });

  it("sets the Secure flag when the request came in over HTTPS", async () => {
    const { res } = await login("gr.geldrop-noord@demo.wijklijn.nl", demoPassword, { headers: { "x-forwarded-proto": "https" } });
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().find((c) => c.startsWith("wl_staff="))).toMatch(/; Secure/);
  });

  it("refuses a login form posted from another site", async () => {
    const { res } = await login("gr.geldrop-noord@demo.wijklijn.nl", demoPassword, { headers: { "sec-fetch-site": "cross-site" } });
    expect(res.status).toBe(403);
  });

  it("logs out: the session ends and the cookie is cleared", async () => {
    const { cookie } = await login("wethouder.c@demo.wijklijn.nl", demoPassword);
    if (!cookie) throw new Error("no session cookie");
    const res = await post("/inbox/logout", { _csrf: await csrfTokenOf(cookie) }, { cookie });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/inbox/login?uitgelogd=1");
    expect(res.headers.getSetCookie().find((c) => c.startsWith("wl_staff="))).toMatch(/^wl_staff=;.*Expires=Thu, 01 Jan 1970/);
    expect(await signedIn(cookie)).toBe(false);
    expect(await (await get("/inbox/login?uitgelogd=1")).text()).toContain("Je bent uitgelogd.");
  });

  it("refuses a logout without the CSRF token (403) and keeps the session", async () => {
    const { cookie } = await login("wethouder.c@demo.wijklijn.nl", demoPassword);
    expect((await post("/inbox/logout", {}, { cookie })).status).toBe(403);
    expect((await post("/inbox/logout", { _csrf: "a-token-from-somewhere-else" }, { cookie })).status).toBe(403);
    expect(await signedIn(cookie)).toBe(true);
  });

  it("logs out everywhere: every session of the user ends, other users' sessions stay", async () => {
    const here = await login("gr.mierlo@demo.wijklijn.nl", demoPassword);
    const there = await login("gr.mierlo@demo.wijklijn.nl", demoPassword);
    const colleague = await login("wethouder.c@demo.wijklijn.nl", demoPassword);
    if (!here.cookie) throw new Error("no session cookie");
    expect(await signedIn(there.cookie)).toBe(true);
    const res = await post("/inbox/logout-everywhere", { _csrf: await csrfTokenOf(here.cookie) }, { cookie: here.cookie });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/inbox/login?uitgelogd=overal");
    expect(await signedIn(here.cookie)).toBe(false);
    expect(await signedIn(there.cookie)).toBe(false);
    expect(await signedIn(colleague.cookie)).toBe(true);
    expect(await t.db.auditEvent.count({ where: { action: "staff.logout_everywhere" } })).toBe(1);
  });

  it("shows who you are on the account page: role and tandems", async () => {
    const { cookie } = await login("wethouder.c@demo.wijklijn.nl", demoPassword);
    const page = await (await get("/inbox/account", { cookie })).text();
    expect(page).toContain("<h1>Mijn account</h1>");
    expect(page).toContain("<dd>Wethouder C</dd>");
    expect(page).toContain("<dd>Wethouder</dd>");
    expect(page).toMatch(/Buitengebied[\s\S]*Mierlo/);
    expect(page).toContain('action="/inbox/logout-everywhere"');
    expect(page).toMatch(/id="currentPassword" name="currentPassword" type="password" autocomplete="current-password"/);
    expect(page).toMatch(/id="newPassword" name="newPassword" type="password" autocomplete="new-password"/);
  });

  it("changes the password: the current one is required, the policy applies, other sessions end", async () => {
    const email = "gr.mierlo@demo.wijklijn.nl";
    const here = await login(email, demoPassword, { ip: "203.0.113.5" });
    const there = await login(email, demoPassword, { ip: "203.0.113.6" });
    if (!here.cookie) throw new Error("no session cookie");
    const _csrf = await csrfTokenOf(here.cookie);
    const change = (form: Record<string, string>) => post("/inbox/account/password", { _csrf, ...form }, { cookie: here.cookie, ip: "203.0.113.5" });
    const newPassword = "de Luchen in de lente";

    const wrongCurrent = await change({ currentPassword: "niet-mijn-wachtwoord", newPassword, confirmPassword: newPassword });
    expect(wrongCurrent.status).toBe(400);
    expect(errorOf(await wrongCurrent.text())).toBe("Je huidige wachtwoord klopt niet.");

    const weak = await change({ currentPassword: demoPassword, newPassword: "kort", confirmPassword: "kort" });
    expect(weak.status).toBe(400);
    expect(errorOf(await weak.text())).toMatch(/minstens 12 tekens/);

    const known = await change({ currentPassword: demoPassword, newPassword: "Welkom123456", confirmPassword: "Welkom123456" });
    expect(errorOf(await known.text())).toMatch(/te bekend/);

    const mismatch = await change({ currentPassword: demoPassword, newPassword, confirmPassword: `${newPassword}!` });
    expect(errorOf(await mismatch.text())).toMatch(/niet gelijk/);

    expect(await post("/inbox/account/password", { currentPassword: demoPassword, newPassword, confirmPassword: newPassword }, { cookie: here.cookie }).then((r) => r.status)).toBe(403);
    expect(await signedIn(there.cookie)).toBe(true);

    const done = await change({ currentPassword: demoPassword, newPassword, confirmPassword: newPassword });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/inbox/account?gewijzigd=1");
    const fresh = sessionCookieOf(done);
    expect(fresh).not.toBeNull();
    expect(fresh).not.toBe(here.cookie);
    expect(await signedIn(there.cookie)).toBe(false);
    expect(await signedIn(here.cookie)).toBe(false);
    expect(await signedIn(fresh)).toBe(true);
    expect(await (await get("/inbox/account?gewijzigd=1", { cookie: fresh })).text()).toContain("Je wachtwoord is gewijzigd.");

    expect((await login(email, demoPassword, { ip: "203.0.113.7" })).res.status).toBe(401);
    expect((await login(email, newPassword, { ip: "203.0.113.7" })).res.status).toBe(303);
    const user = await t.db.staffUser.findUniqueOrThrow({ where: { email } });
    const audit = await t.db.auditEvent.findMany({ where: { subjectId: user.id, action: { startsWith: "staff.password" } } });
    expect(audit.map((e) => e.action).sort()).toEqual(["staff.password_change_refused", "staff.password_changed"]);
    expect(audit.map((e) => e.data ?? "").join()).not.toContain(newPassword);
  });

  it("sets a password with the CLI from standard input, ends the user's sessions, and a re-seed keeps it", async () => {
    const email = "wethouder.b@demo.wijklijn.nl";
    const { cookie } = await login(email, demoPassword, { ip: "203.0.113.20" });
    expect(await signedIn(cookie)).toBe(true);
    const out: string[] = [];
    const err: string[] = [];
    const io = (input: string) => ({ out: (line: string) => out.push(line), err: (line: string) => err.push(line), env: { DATABASE_URL: t.url }, stdin: Readable.from([input]) });

    expect(await runCli(["user", "password", "--email", email], io("kort\n"))).toBe(1);
    expect(err.join("\n")).toMatch(/nothing was changed: Kies een wachtwoord van minstens 12 tekens/);
    expect(await runCli(["user", "password", "--email", email], io(""))).toBe(1);
    expect(err.join("\n")).toMatch(/no password on standard input/);
    expect(await runCli(["user", "password", "--email", "niemand@demo.wijklijn.nl"], io("een goed lang wachtwoord\n"))).toBe(1);
    expect(await signedIn(cookie)).toBe(true);

    expect(await runCli(["user", "password", "--email", "Wethouder.B@demo.wijklijn.nl"], io("het raadhuis van Geldrop\r\n"))).toBe(0);
    expect(out.join("\n")).toMatch(/Set the inbox password of wethouder\.b@demo\.wijklijn\.nl; ended [1-9]\d* sessions?\./);
    expect(await signedIn(cookie)).toBe(false);
    expect((await login(email, "het raadhuis van Geldrop", { ip: "203.0.113.21" })).res.status).toBe(303);
    const user = await t.db.staffUser.findUniqueOrThrow({ where: { email } });
    expect(await t.db.auditEvent.count({ where: { action: "staff.password_set", actorKind: "cli", subjectId: user.id } })).toBe(1);

    await seedDemoGemeente(t.db);
    expect((await login(email, "het raadhuis van Geldrop", { ip: "203.0.113.21" })).res.status).toBe(303);
  });

  it("lists the password command in the CLI help", async () => {
    const out: string[] = [];
    expect(await runCli(["--help"], { out: (line) => out.push(line), err: () => {}, env: {} })).toBe(0);
    expect(out.join("\n")).toMatch(/user password --email <e>/);
  });

  it("gives every demo account the demo password as an argon2id hash, and start-up can say so", async () => {
    const emails = ["admin@demo.wijklijn.nl", ...demoTandems.flatMap((tandem) => [tandem.gebiedsregisseur.email, tandem.wethouder.email])];
    const untouched = emails.filter((email) => !["gr.mierlo@demo.wijklijn.nl", "wethouder.b@demo.wijklijn.nl"].includes(email));
    for (const email of new Set(untouched)) {
      const user = await t.db.staffUser.findUniqueOrThrow({ where: { email } });
      expect(user.passwordHash, email).toMatch(/^\$argon2id\$/);
      expect(await verifyPassword(user.passwordHash ?? "", demoPassword), email).toBe(true);
    }
    expect(await findDemoSignIn(t.db)).toEqual({ email: "gr.geldrop-noord@demo.wijklijn.nl", password: demoPassword });
  });
});

describeEachDatabase("the demo sign-in hint", (provider) => {
  it("is absent once the demo account has a password of its own", async () => {
    const t = await createTestDatabase(provider, { seed: true });
    try {
      await t.db.staffUser.update({ where: { email: "gr.geldrop-noord@demo.wijklijn.nl" }, data: { passwordHash: await hashPassword("een eigen wachtwoord hier") } });
      expect(await findDemoSignIn(t.db)).toBeNull();
    } finally {
      await t.drop();
    }
  });
});

describeEachDatabase("the sign-in throttle, which an attacker cannot turn against a staff member", (provider) => {
  let t: TestDatabase;
  let base: string;
  let close: () => Promise<void>;
  let clock = new Date("2026-12-01T09:00:00Z").getTime();
  const staffIp = "203.0.113.50";
  const attackerIp = "198.51.100.66";

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    const app = express();
    app.set("trust proxy", true);
    app.use(express.urlencoded({ extended: false }), loadStaffSession(t.db), authRoutes({ db: t.db, logger: captureLogger().logger, now: () => new Date(clock), secret: "s".repeat(40) }));
    ({ url: base, close } = await listen(app));
  });
  afterAll(async () => {
    await close?.();
    await t?.drop();
  });

  const login = async (email: string, password: string, options: { ip: string; cookie?: string | null }) => {
    const res = await fetch(`${base}/inbox/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": options.ip, ...(options.cookie ? { cookie: options.cookie } : {}) },
      body: new URLSearchParams({ email, password }).toString(),
    });
    const device = res.headers
      .getSetCookie()
      .find((c) => c.startsWith("wl_device="))
      ?.split(";")[0];
    return { status: res.status, retryAfter: res.headers.get("retry-after"), device: device ?? null, setCookies: res.headers.getSetCookie(), page: await res.text() };
  };
  const newAccount = async (email: string) => {
    const admin = await t.db.staffUser.findUniqueOrThrow({ where: { email: "admin@demo.wijklijn.nl" } });
    await t.db.staffUser.create({ data: { gemeenteId: admin.gemeenteId, email, displayName: email, role: "gebiedsregisseur", passwordHash: admin.passwordHash } });
  };

  it("sets an HttpOnly, SameSite=Lax device cookie for the inbox at a sign-in, Secure over HTTPS", async () => {
    const email = "apparaat@demo.wijklijn.nl";
    await newAccount(email);
    const signIn = await login(email, demoPassword, { ip: staffIp });
    expect(signIn.status).toBe(303);
    const header = signIn.setCookies.find((c) => c.startsWith("wl_device=")) ?? "";
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Lax/);
    expect(header).toMatch(/; Path=\/inbox/);
    expect(header).not.toMatch(/; Secure/);
    const secure = await fetch(`${base}/inbox/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": staffIp, "x-forwarded-proto": "https" },
      body: new URLSearchParams({ email, password: demoPassword }).toString(),
    });
    expect(secure.headers.getSetCookie().find((c) => c.startsWith("wl_device="))).toMatch(/; Secure/);
    // A failed sign-in sets none.
    expect((await login(email, "niet-het-wachtwoord", { ip: staffIp })).device).toBeNull();
  });

  it("lets the staff member in on a known device after an attacker's 50 wrong guesses from elsewhere", async () => {
    const email = "doelwit@demo.wijklijn.nl";
    await newAccount(email);
    const earlier = await login(email, demoPassword, { ip: staffIp });
    expect(earlier.status).toBe(303);
    expect(earlier.device).not.toBeNull();

    const attack: number[] = [];
    for (let i = 0; i < 50; i++) attack.push((await login(email, `raad-${i}-raad-raad`, { ip: attackerIp })).status);
    expect(attack.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(attack.slice(5).every((status) => status === 429)).toBe(true);

    // Without the device cookie, even from the staff member's own network, the address has to wait.
    expect((await login(email, demoPassword, { ip: staffIp })).status).toBe(429);
    // With it: straight in, and a typo first changes nothing.
    expect((await login(email, "een-typfout-erin", { ip: staffIp, cookie: earlier.device })).status).toBe(401);
    const known = await login(email, demoPassword, { ip: staffIp, cookie: earlier.device });
    expect(known.status).toBe(303);
    // A device cookie of another account, or a forged one, is no way around the wait.
    const other = await login("gr.geldrop-noord@demo.wijklijn.nl", demoPassword, { ip: attackerIp });
    expect(other.status).toBe(303);
    expect((await login(email, demoPassword, { ip: attackerIp, cookie: other.device })).status).toBe(429);
    const flipped = earlier.device?.replace(/\.(.)([^.]*)$/, (_, c: string, tail: string) => `.${c === "A" ? "B" : "A"}${tail}`) ?? null;
    expect((await login(email, demoPassword, { ip: attackerIp, cookie: flipped })).status).toBe(429);
  });

  it("makes a client without the device cookie wait longer after each failure, and waiting out a delay is enough", async () => {
    const email = "geduld@demo.wijklijn.nl";
    await newAccount(email);
    for (let i = 0; i < 5; i++) expect((await login(email, `fout-${i}-fout-fout`, { ip: attackerIp })).status).toBe(401);
    const waits: number[] = [];
    for (let round = 0; round < 5; round++) {
      const refused = await login(email, "nog-een-gok-fout", { ip: attackerIp });
      expect(refused.status).toBe(429);
      const wait = Number(refused.retryAfter);
      waits.push(wait);
      expect(refused.page).toContain(loginThrottledMessage(wait * 1000));
      // Hammering on during the wait does not make it longer.
      clock += (wait * 1000) / 2;
      expect(Number((await login(email, "hamer-hamer-hamer", { ip: attackerIp })).retryAfter)).toBe(wait / 2);
      clock += (wait * 1000) / 2;
      expect((await login(email, `gok-na-wachten-${round}`, { ip: attackerIp })).status).toBe(401);
    }
    expect(waits).toEqual([30, 60, 120, 240, 480]);
    const refused = await login(email, demoPassword, { ip: attackerIp });
    expect(Number(refused.retryAfter)).toBe(900);
    clock += 900_000;
    expect((await login(email, demoPassword, { ip: attackerIp })).status).toBe(303);
    // The sign-in forgets the address's failures: a typo afterwards costs no wait.
    expect((await login(email, "weer-een-typfout", { ip: attackerIp })).status).toBe(401);
    expect((await login(email, demoPassword, { ip: attackerIp })).status).toBe(303);
  });

  it("counts parallel guesses on a known device atomically too: of 30 at once, five are checked", async () => {
    const email = "parallel.apparaat@demo.wijklijn.nl";
    await newAccount(email);
    const { device } = await login(email, demoPassword, { ip: staffIp });
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => login(email, `parallel-fout-${i}`, { ip: staffIp, cookie: device })));
    expect(answers.filter((a) => a.status === 401)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(25);
  });
});
