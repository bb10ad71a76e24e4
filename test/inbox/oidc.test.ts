import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/env.ts";
import { createApp } from "../../src/http/app.ts";
import { isEntraIdIssuer, OIDC_FLOW_TTL_MS, openOidcFlow, sealOidcFlow, staffEmailOf, type OidcSettings } from "../../src/inbox/oidc.ts";
import { OIDC_UNKNOWN_USER_NL } from "../../src/inbox/oidc.routes.ts";
import { hashEmail } from "../../src/inbox/password.ts";
import { startFakeOidcProvider, type FakeOidcProvider, type FakeOidcProviderOptions } from "../fakes/oidcProvider.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { captureLogger } from "../helpers/logger.ts";

const SECRET = "a-session-secret-of-the-oidc-tests-0123456789";
const CLIENT = { clientId: "wijklijn-test", clientSecret: "geheim+van/de test" };
const LABEL = "Gemeente Test-ID";

/** A browser, as far as these tests need one: a cookie jar for Wijklijn, redirects followed by hand. */
class Browser {
  readonly cookies = new Map<string, string>();
  constructor(private readonly appBase: string) {}

  async get(url: string): Promise<Response> {
    const toApp = url.startsWith(this.appBase);
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const res = await fetch(url, { redirect: "manual", headers: toApp && cookie ? { cookie } : {} });
    if (toApp) {
      for (const header of res.headers.getSetCookie()) {
        const [pair = ""] = header.split(";");
        const name = pair.slice(0, pair.indexOf("="));
        const value = pair.slice(pair.indexOf("=") + 1);
        if (value === "") this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
    }
    return res;
  }
}

interface Wijklijn {
  base: string;
  logLines: string[];
  close(): Promise<void>;
}

/** The real app on loopback; its redirect URI (which needs the port) is registered at the fake. */
async function startWijklijn(t: TestDatabase, oidc: ((base: string) => OidcSettings) | null): Promise<Wijklijn> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  const { logger, lines } = captureLogger("info");
  server.on("request", createApp({ db: t.db, provider: t.provider, logger, secret: SECRET, ...(oidc ? { oidc: oidc(base) } : {}) }));
  return {
    base,
    logLines: lines,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function settingsFor(idp: { issuer: string; redirectUris?: Set<string> }, overrides: Partial<OidcSettings> = {}): (base: string) => OidcSettings {
  return (base) => {
    const redirectUri = `${base}/inbox/oidc/callback`;
    idp.redirectUris?.add(redirectUri);
    return { issuer: idp.issuer, ...CLIENT, buttonLabel: LABEL, redirectUri, allowInsecureRequests: true, ...overrides };
  };
}

/** Start, the provider's immediate answer, and the callback: the three steps of a sign-in. */
async function signIn(browser: Browser, base: string, next?: string) {
  const start = await browser.get(`${base}/inbox/oidc/start${next === undefined ? "" : `?next=${encodeURIComponent(next)}`}`);
  expect(start.status).toBe(303);
  const authorize = await browser.get(start.headers.get("location") ?? "");
  expect(authorize.status).toBe(302);
  const callbackUrl = authorize.headers.get("location") ?? "";
  const callback = await browser.get(callbackUrl);
  return { start, authorize, callbackUrl, callback };
}

const gr = { sub: "entra-object-id-gr-mierlo", email: "gr.mierlo@demo.wijklijn.nl", email_verified: true, name: "Gebiedsregisseur Mierlo" };

describe("signing in to the inbox with OpenID Connect", () => {
  let t: TestDatabase;
  let idp: FakeOidcProvider;
  let app: Wijklijn;
  const started: Array<{ close(): Promise<void> }> = [];

  /** Another fake provider and app, closed after the tests. */
  const startPair = async (options: Partial<FakeOidcProviderOptions> = {}, overrides: Partial<OidcSettings> = {}) => {
    const otherIdp = await startFakeOidcProvider({ ...CLIENT, ...options });
    const otherApp = await startWijklijn(t, settingsFor(otherIdp, overrides));
    started.push(otherIdp, otherApp);
    otherIdp.signInAs(gr);
    return { idp: otherIdp, app: otherApp };
  };

  const auditOf = async (action: string) =>
    (await t.db.auditEvent.findMany({ where: { action }, orderBy: { at: "asc" } })).map((event) => {
      const data: unknown = event.data ? JSON.parse(event.data) : null;
      return { ...event, data };
    });
  const lastFailure = async () => (await auditOf("staff.login_failed")).at(-1)?.data;

  beforeAll(async () => {
    t = await createTestDatabase("sqlite", { seed: true });
    idp = await startFakeOidcProvider(CLIENT);
    app = await startWijklijn(t, settingsFor(idp));
  });
  afterAll(async () => {
    for (const server of started) await server.close();
    await app?.close();
    await idp?.close();
    await t?.drop();
  });

  it("signs in gr.mierlo@demo.wijklijn.nl with code, PKCE, state and nonce, and lands on /inbox with a session", async () => {
    expect(idp.discoveryRequests()).toBe(0);
    idp.signInAs(gr);
    const browser = new Browser(app.base);
    const { start, callback } = await signIn(browser, app.base);

    const flowCookie = start.headers.getSetCookie().find((c) => c.startsWith("wl_oidc=")) ?? "";
    expect(flowCookie).toMatch(/; HttpOnly/);
    expect(flowCookie).toMatch(/; SameSite=Lax/);
    expect(flowCookie).toMatch(/; Path=\/inbox\/oidc/);
    expect(flowCookie).toMatch(/; Max-Age=600/);
    const request = idp.authorizeRequests.at(-1);
    expect(request?.get("scope")).toBe("openid email profile");
    expect(request?.get("code_challenge_method")).toBe("S256");
    expect(request?.get("redirect_uri")).toBe(`${app.base}/inbox/oidc/callback`);
    expect(request?.get("state")).toBeTruthy();
    expect(request?.get("nonce")).toBeTruthy();

    expect(callback.status).toBe(303);
    expect(callback.headers.get("location")).toBe("/inbox");
    expect(callback.headers.getSetCookie().find((c) => c.startsWith("wl_staff="))).toMatch(/; HttpOnly; SameSite=Lax/);
    expect(browser.cookies.has("wl_oidc")).toBe(false);
    const account = await browser.get(`${app.base}/inbox/account`);
    expect(account.status).toBe(200);
    expect(await account.text()).toContain("gr.mierlo@demo.wijklijn.nl");

    const user = await t.db.staffUser.findUniqueOrThrow({ where: { email: "gr.mierlo@demo.wijklijn.nl" } });
    const logins = (await auditOf("staff.login")).filter((event) => event.actorStaffId === user.id);
    expect(logins.map((event) => event.data)).toEqual([{ method: "oidc" }]);
    expect(idp.tokenRequests.at(-1)).toEqual({ authMethod: "client_secret_post", status: 200 });
  });

  it("discovers the provider once, at the first sign-in, and keeps it", async () => {
    idp.signInAs(gr);
    await signIn(new Browser(app.base), app.base);
    await signIn(new Browser(app.base), app.base);
    expect(idp.discoveryRequests()).toBe(1);
  });

  it("returns to a local next path, and never to another site", async () => {
    idp.signInAs(gr);
    const local = await signIn(new Browser(app.base), app.base, "/inbox/conversations/c1?status=open");
    expect(local.callback.headers.get("location")).toBe("/inbox/conversations/c1?status=open");
    const evil = await signIn(new Browser(app.base), app.base, "https://evil.example");
    expect(evil.callback.status).toBe(303);
    expect(evil.callback.headers.get("location")).toBe("/inbox");
    const slashes = await signIn(new Browser(app.base), app.base, "//evil.example/inbox");
    expect(slashes.callback.headers.get("location")).toBe("/inbox");
  });

  it("refuses a callback that belongs to another browser's sign-in (login CSRF)", async () => {
    // The attacker signs in as themselves and hands the victim the callback link.
    idp.signInAs({ sub: "attacker", email: "gr.geldrop-zuid@demo.wijklijn.nl", email_verified: true });
    const attacker = new Browser(app.base);
    const start = await attacker.get(`${app.base}/inbox/oidc/start`);
    const authorize = await attacker.get(start.headers.get("location") ?? "");
    const attackersCallback = authorize.headers.get("location") ?? "";

    const victim = new Browser(app.base);
    await victim.get(`${app.base}/inbox/oidc/start`);
    const res = await victim.get(attackersCallback);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Deze inlogpoging is verlopen of is niet in deze browser begonnen.");
    expect(victim.cookies.has("wl_staff")).toBe(false);
    expect(await lastFailure()).toEqual({ method: "oidc", reason: "state_mismatch" });

    const stranger = new Browser(app.base);
    expect((await stranger.get(attackersCallback)).status).toBe(400);
    expect(stranger.cookies.has("wl_staff")).toBe(false);
    expect(await lastFailure()).toEqual({ method: "oidc", reason: "flow_invalid" });
  });

  it("refuses a flow cookie that was altered", async () => {
    idp.signInAs(gr);
    const browser = new Browser(app.base);
    const start = await browser.get(`${app.base}/inbox/oidc/start?next=/inbox`);
    const [payload = "", mac = ""] = (browser.cookies.get("wl_oidc") ?? "").split(".");
    const flow: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    expect(flow).toMatchObject({ next: "/inbox" });
    const altered = { ...(typeof flow === "object" ? flow : {}), next: "/inbox/admin" };
    browser.cookies.set("wl_oidc", `${Buffer.from(JSON.stringify(altered)).toString("base64url")}.${mac}`);
    const authorize = await browser.get(start.headers.get("location") ?? "");
    const res = await browser.get(authorize.headers.get("location") ?? "");
    expect(res.status).toBe(400);
    expect(browser.cookies.has("wl_staff")).toBe(false);
  });

  it.each([
    ["a wrong nonce", { nonce: "a-nonce-from-another-sign-in" }, /\\"nonce\\"/],
    ["a wrong audience", { aud: "another-application" }, /\\"aud\\"/],
    ["a wrong issuer", { iss: "https://idp.evil.example" }, /\\"iss\\"/],
    ["an expired token", { expiresIn: -600 }, /\\"exp\\"/],
  ])("refuses an ID token with %s", async (_name, tampering, claim) => {
    idp.signInAs(gr);
    idp.tamperNextToken(tampering);
    const browser = new Browser(app.base);
    const { callback } = await signIn(browser, app.base);
    expect(callback.status).toBe(502);
    expect(await callback.text()).toContain("het antwoord van de inlogdienst klopt niet");
    expect(browser.cookies.has("wl_staff")).toBe(false);
    expect(await lastFailure()).toMatchObject({ method: "oidc", reason: "token_invalid" });
    expect(app.logLines.at(-1)).toContain("OpenID Connect sign-in failed");
    expect(app.logLines.at(-1)).toMatch(claim);
  });

  it("answers an e-mail address Wijklijn does not know with 403 and a clear Dutch page, and creates no account", async () => {
    idp.signInAs({ sub: "nieuw", email: "Nieuwe.Collega@demo.wijklijn.nl", email_verified: true });
    const usersBefore = await t.db.staffUser.count();
    const browser = new Browser(app.base);
    const { callback } = await signIn(browser, app.base);
    expect(callback.status).toBe(403);
    const page = await callback.text();
    expect(page).toContain(OIDC_UNKNOWN_USER_NL);
    expect(page).toContain('<html lang="nl">');
    expect(browser.cookies.has("wl_staff")).toBe(false);
    expect(await t.db.staffUser.count()).toBe(usersBefore);
    expect(await lastFailure()).toEqual({ method: "oidc", reason: "unknown_email", emailHash: hashEmail("nieuwe.collega@demo.wijklijn.nl", SECRET) });
    const failures = (await t.db.auditEvent.findMany({ where: { action: "staff.login_failed" } })).map((event) => event.data ?? "").join("\n");
    expect(failures).not.toContain("nieuwe.collega");
  });

  it("matches the e-mail address case-insensitively", async () => {
    idp.signInAs({ ...gr, email: "GR.Mierlo@Demo.Wijklijn.NL" });
    const { callback } = await signIn(new Browser(app.base), app.base);
    expect(callback.status).toBe(303);
  });

  it("refuses an e-mail address the provider has not verified", async () => {
    idp.signInAs({ ...gr, email_verified: false });
    const browser = new Browser(app.base);
    const { callback } = await signIn(browser, app.base);
    expect(callback.status).toBe(403);
    expect(browser.cookies.has("wl_staff")).toBe(false);
    expect(await lastFailure()).toEqual({ method: "oidc", reason: "email_unverified" });
  });

  it("refuses a deactivated staff user", async () => {
    await t.db.staffUser.update({ where: { email: "wethouder.b@demo.wijklijn.nl" }, data: { active: false } });
    idp.signInAs({ sub: "wethouder-b", email: "wethouder.b@demo.wijklijn.nl", email_verified: true });
    const browser = new Browser(app.base);
    const { callback } = await signIn(browser, app.base);
    expect(callback.status).toBe(403);
    expect(await callback.text()).toContain("uitgezet");
    expect(browser.cookies.has("wl_staff")).toBe(false);
    expect(await lastFailure()).toMatchObject({ method: "oidc", reason: "inactive" });
  });

  it("says so when the user cancels at the provider", async () => {
    idp.refuseNextAuthorization("access_denied");
    const browser = new Browser(app.base);
    const { callback } = await signIn(browser, app.base);
    expect(callback.status).toBe(403);
    expect(await callback.text()).toContain("afgebroken of geweigerd");
    expect(await lastFailure()).toEqual({ method: "oidc", reason: "idp_refused", code: "access_denied" });
  });

  it("sends an already signed-in user straight on", async () => {
    idp.signInAs(gr);
    const browser = new Browser(app.base);
    await signIn(browser, app.base);
    const again = await browser.get(`${app.base}/inbox/oidc/start?next=/inbox/account`);
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe("/inbox/account");
  });

  it("never writes a token to the log", async () => {
    expect(app.logLines.length).toBeGreaterThan(0);
    expect(app.logLines.join("\n")).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });

  it("authenticates with client_secret_basic when the provider offers only that", async () => {
    const pair = await startPair({ authMethods: ["client_secret_basic"] });
    const { callback } = await signIn(new Browser(pair.app.base), pair.app.base);
    expect(callback.status).toBe(303);
    expect(pair.idp.tokenRequests).toEqual([{ authMethod: "client_secret_basic", status: 200 }]);
  });

  it("refuses the sign-in, and logs why, when the client secret is wrong", async () => {
    const pair = await startPair({}, { clientSecret: "not-the-secret" });
    const browser = new Browser(pair.app.base);
    const { callback } = await signIn(browser, pair.app.base);
    expect(callback.status).toBe(502);
    expect(browser.cookies.has("wl_staff")).toBe(false);
    expect(pair.app.logLines.join("\n")).toMatch(/"reason":"token_refused","code":"invalid_client"/);

    const basic = await startPair({ authMethods: ["client_secret_basic"] }, { clientSecret: "not-the-secret" });
    expect((await signIn(new Browser(basic.app.base), basic.app.base)).callback.status).toBe(502);
    expect(basic.app.logLines.join("\n")).toMatch(/"reason":"token_refused","code":"invalid_client".*check OIDC_CLIENT_ID and OIDC_CLIENT_SECRET/);
  });

  it("shows a friendly page, and logs a line, when the provider cannot be reached", async () => {
    const gone = await startFakeOidcProvider(CLIENT);
    await gone.close();
    const unreachable = await startWijklijn(t, settingsFor({ issuer: gone.issuer }));
    started.push(unreachable);
    const res = await new Browser(unreachable.base).get(`${unreachable.base}/inbox/oidc/start?next=/inbox/account`);
    expect(res.status).toBe(502);
    const page = await res.text();
    expect(page).toContain(`Inloggen met ${LABEL} lukt nu niet`);
    expect(page).toContain('href="/inbox/login?next=%2Finbox%2Faccount"');
    expect(unreachable.logLines.join("\n")).toMatch(/OpenID Connect sign-in cannot start: OpenID Connect discovery at http:\/\/127\.0\.0\.1:\d+ failed/);
  });

  it("offers the button on the login page only when OpenID Connect is configured", async () => {
    const withOidc = await (await fetch(`${app.base}/inbox/login?next=%2Finbox%2Fconversations%2Fc1`)).text();
    expect(withOidc).toContain(`<a class="button" href="/inbox/oidc/start?next=%2Finbox%2Fconversations%2Fc1">Inloggen met ${LABEL}</a>`);
    const plain = await startWijklijn(t, null);
    started.push(plain);
    const withoutOidc = await (await fetch(`${plain.base}/inbox/login`)).text();
    expect(withoutOidc).toContain('action="/inbox/login"');
    expect(withoutOidc).not.toContain("/inbox/oidc/start");
    // Not mounted: a page behind the session, like any unknown inbox path.
    expect((await fetch(`${plain.base}/inbox/oidc/start`, { redirect: "manual" })).headers.get("location")).toMatch(/^\/inbox\/login\?next=/);
  });
});

describe("the e-mail address an ID token vouches for", () => {
  it("takes a verified email claim, lower-cased", () => {
    expect(staffEmailOf({ sub: "1", email: " GR.Mierlo@Demo.Wijklijn.nl ", email_verified: true }, { entraId: false })).toEqual({ ok: true, email: "gr.mierlo@demo.wijklijn.nl" });
    expect(staffEmailOf({ sub: "1", email: "gr@x.nl", email_verified: "true" }, { entraId: false })).toEqual({ ok: true, email: "gr@x.nl" });
  });

  it("refuses an unverified or missing email claim outside Entra ID", () => {
    expect(staffEmailOf({ sub: "1", email: "gr@x.nl" }, { entraId: false })).toEqual({ ok: false, reason: "email_unverified" });
    expect(staffEmailOf({ sub: "1", email: "gr@x.nl", email_verified: false }, { entraId: false })).toEqual({ ok: false, reason: "email_unverified" });
    expect(staffEmailOf({ sub: "1", preferred_username: "gr@x.nl" }, { entraId: false })).toEqual({ ok: false, reason: "no_email" });
    expect(staffEmailOf({ sub: "1", email: 42, email_verified: true }, { entraId: false })).toEqual({ ok: false, reason: "no_email" });
  });

  it("takes Entra ID's email claim, or else the user principal name", () => {
    expect(staffEmailOf({ sub: "1", email: "GR@Gemeente.nl", preferred_username: "other@gemeente.nl" }, { entraId: true })).toEqual({ ok: true, email: "gr@gemeente.nl" });
    expect(staffEmailOf({ sub: "1", preferred_username: "GR.Mierlo@gemeente.nl" }, { entraId: true })).toEqual({ ok: true, email: "gr.mierlo@gemeente.nl" });
    expect(staffEmailOf({ sub: "1", upn: "gr.mierlo@gemeente.nl" }, { entraId: true })).toEqual({ ok: true, email: "gr.mierlo@gemeente.nl" });
    expect(staffEmailOf({ sub: "1", preferred_username: "+31612345678" }, { entraId: true })).toEqual({ ok: false, reason: "no_email" });
  });

  it("recognises Entra ID by its issuer", () => {
    expect(isEntraIdIssuer("https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0")).toBe(true);
    expect(isEntraIdIssuer("https://sts.windows.net/9188040d-6c67-4c5b-b112-36a304b66dad/")).toBe(true);
    expect(isEntraIdIssuer("https://login.microsoftonline.com.evil.example/t/v2.0")).toBe(false);
    expect(isEntraIdIssuer("https://keycloak.gemeente.nl/realms/medewerkers")).toBe(false);
  });
});

describe("the cookie that carries a sign-in attempt", () => {
  const flow = { state: "s", nonce: "n", codeVerifier: "v".repeat(43), next: "/inbox", exp: Date.parse("2026-11-26T10:10:00Z") };

  it("opens only with the same secret, unaltered and in time", () => {
    const sealed = sealOidcFlow(flow, SECRET);
    expect(openOidcFlow(sealed, SECRET, new Date("2026-11-26T10:00:00Z"))).toEqual(flow);
    expect(openOidcFlow(sealed, `${SECRET}-other`, new Date("2026-11-26T10:00:00Z"))).toBeNull();
    expect(openOidcFlow(sealed, SECRET, new Date(flow.exp))).toBeNull();
    expect(openOidcFlow(`${sealed.slice(0, 5)}x${sealed.slice(6)}`, SECRET, new Date("2026-11-26T10:00:00Z"))).toBeNull();
    expect(openOidcFlow(null, SECRET, new Date())).toBeNull();
    expect(OIDC_FLOW_TTL_MS).toBe(10 * 60 * 1000);
  });
});

describe("the OpenID Connect settings", () => {
  const complete = {
    PUBLIC_URL: "https://wijklijn.gemeente.nl",
    OIDC_ISSUER: "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
    OIDC_CLIENT_ID: "app-id",
    OIDC_CLIENT_SECRET: "secret",
  };
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it("is off without settings, and on when all three are given", () => {
    expect(loadConfig({}).oidc).toEqual({ enabled: false });
    expect(loadConfig(complete).oidc).toEqual({ enabled: true, issuer: complete.OIDC_ISSUER, clientId: "app-id", clientSecret: "secret", buttonLabel: "je gemeenteaccount" });
    expect(loadConfig({ ...complete, OIDC_BUTTON_LABEL: "Microsoft" }).oidc).toMatchObject({ buttonLabel: "Microsoft" });
  });

  it("names the missing variables when only some are given", () => {
    const problems = problemsOf({ PUBLIC_URL: complete.PUBLIC_URL, OIDC_ISSUER: complete.OIDC_ISSUER });
    expect(problems).toHaveLength(2);
    expect(problems.join("\n")).toMatch(/OIDC_CLIENT_ID: required/);
    expect(problems.join("\n")).toMatch(/OIDC_CLIENT_SECRET: required/);
    expect(problemsOf({ OIDC_CLIENT_SECRET: "secret" }).join("\n")).toMatch(/OIDC_ISSUER[\s\S]*OIDC_CLIENT_ID/);
  });

  it("requires PUBLIC_URL, an https issuer, and a tenant of one's own at Entra ID", () => {
    expect(problemsOf({ ...complete, PUBLIC_URL: "" })).toEqual([expect.stringMatching(/^PUBLIC_URL: .*\/inbox\/oidc\/callback/)]);
    expect(problemsOf({ ...complete, OIDC_ISSUER: "http://keycloak.local/realms/x" }).join()).toMatch(/OIDC_ISSUER: use the https:\/\/ issuer/);
    expect(problemsOf({ ...complete, OIDC_ISSUER: "https://login.microsoftonline.com/common/v2.0" }).join()).toMatch(/OIDC_ISSUER: use your own tenant's issuer/);
  });
});
