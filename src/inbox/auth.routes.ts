/**
 * Signing in and out of the inbox, and the account page: the login form (works without
 * JavaScript), throttled from the database per e-mail address and per client address with a
 * delay that grows (src/domain/loginThrottle.ts), except for a browser that signed in to that
 * account before (its device cookie: src/inbox/deviceCookie.ts), logout
 * (here or everywhere) and changing one's password. Every sign-in, failed or not, and every
 * password change is in the audit log; passwords and clear e-mail addresses never are.
 *
 * Mount after `express.urlencoded()` and `loadStaffSession(db)` for the /inbox path.
 */
import { randomBytes } from "node:crypto";
import { Router, type Request, type RequestHandler, type Response } from "express";
import { z } from "zod";
import { staffOf } from "../api/auth.ts";
import { recordAudit } from "../db/audit.repo.ts";
import type { Db } from "../db/client.ts";
import { claimLoginAttempt, countLiveStaffSessions, createStaffSession, deleteAllStaffSessions, deleteStaffSession, markLoginAttemptSucceeded, type LoginClaim } from "../db/session.repo.ts";
import { LOGIN_THROTTLE, waitInDutch } from "../domain/loginThrottle.ts";
import { findStaffAccount, findStaffCredentialsByEmail, findStaffCredentialsById, updatePasswordHash } from "../db/staffAccount.repo.ts";
import type { StaffRole } from "../db/staff.repo.ts";
import type { Logger } from "../log.ts";
import { html, type SafeHtml } from "../http/html.ts";
import { deviceCookieOf, setDeviceCookie } from "./deviceCookie.ts";
import { page } from "./layout.ts";
import { hashEmail, hashPassword, PasswordPolicy, passwordNeedsRehash, setStaffPassword, verifyDummyPassword, verifyPassword } from "./password.ts";
import { clearSessionCookie, requireSignedIn, sessionIdOf, setSessionCookie, verifyCsrf } from "./session.ts";

/** What the routes need; `now` lets tests move the clock. */
export interface AuthRoutesDeps {
  db: Db;
  logger: Logger;
  now?: () => Date;
  /** When OpenID Connect sign-in is configured: the login page offers "Inloggen met <label>". */
  oidcButtonLabel?: string;
  /** Signs device cookies and keys the hashes of e-mail and client addresses (the session secret); without it a random key per process, so device cookies and sign-in delays last until a restart. */
  secret?: string;
}

/** The one answer to a wrong e-mail address or password: it never says which of the two. */
export const LOGIN_FAILED_NL = "E-mailadres of wachtwoord klopt niet.";

/** The answer while sign-in is throttled: how long to wait, in words. */
export function loginThrottledMessage(retryAfterMs: number): string {
  return `Te veel pogingen. Probeer het over ${waitInDutch(retryAfterMs)} opnieuw.`;
}

const DEFAULT_AFTER_LOGIN = "/inbox";

/**
 * The path to return to after signing in, when `value` is a local inbox path (`/inbox`,
 * `/inbox/…`, `/inbox?…`); null for anything else, such as `https://evil.example`,
 * `//evil.example` or `/inbox\..`, so the login form cannot be used as an open redirect.
 */
export function safeNextPath(value: unknown): string | null {
  if (typeof value !== "string" || value.length > 2000) return null;
  if (!/^\/inbox(?:[/?#][\x21-\x7e]*)?$/.test(value) || value.includes("\\")) return null;
  const base = "http://wijklijn.invalid";
  const url = new URL(value, base);
  if (url.origin !== base || !/^\/inbox(?:\/|$)/.test(url.pathname)) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

const LoginFormSchema = z.object({
  email: z.string().trim().toLowerCase().min(1).max(320),
  password: z.string().min(1).max(4096),
  next: z.string().optional(),
});

const PasswordChangeFormSchema = z.object({
  currentPassword: z.string().max(4096),
  newPassword: z.string().max(4096),
  confirmPassword: z.string().max(4096),
});

const ROLE_LABELS: Record<StaffRole, string> = { gebiedsregisseur: "Gebiedsregisseur", wethouder: "Wethouder", admin: "Beheerder" };

const LOGOUT_NOTICES: Record<string, string> = {
  "1": "Je bent uitgelogd.",
  overal: "Je bent op alle apparaten uitgelogd.",
  "nieuw-wachtwoord": "Je nieuwe wachtwoord is ingesteld. Log in met je nieuwe wachtwoord.",
};

function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? "unknown";
}

function noStore(res: Response): void {
  res.setHeader("Cache-Control", "no-store");
}

/** Pages with forms full of secrets are not cached, and not framed (set app-wide already). */
function sendPage(res: Response, status: number, body: string): void {
  noStore(res);
  res.status(status).type("html").send(body);
}

function loginPage(options: { email?: string; next: string | null; error?: string; notice?: string; oidcButtonLabel?: string | undefined }): string {
  const error = options.error;
  const oidcHref = options.next ? `/inbox/oidc/start?next=${encodeURIComponent(options.next)}` : "/inbox/oidc/start";
  const invalid = error ? html`aria-invalid="true" aria-describedby="login-error"` : "";
  const body = html`<div class="narrow">
<h1>Inloggen</h1>
<p>Voor gebiedsregisseurs, wethouders en beheerders van de gemeente.</p>
${options.notice ? html`<p class="flash flash-ok" role="status">${options.notice}</p>` : ""}
${error ? html`<p class="flash flash-error" role="alert" id="login-error">${error}</p>` : ""}
${
  options.oidcButtonLabel
    ? html`<p><a class="button" href="${oidcHref}">Inloggen met ${options.oidcButtonLabel}</a></p>
<p>Of log in met je e-mailadres en wachtwoord:</p>`
    : ""
}
<form method="post" action="/inbox/login" class="form">
  ${options.next ? html`<input type="hidden" name="next" value="${options.next}">` : ""}
  <div class="field">
    <label for="email">E-mailadres</label>
    <input id="email" name="email" type="email" inputmode="email" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${options.email ?? ""}" ${options.email ? "" : html`autofocus`} ${invalid}>
  </div>
  <div class="field">
    <label for="password">Wachtwoord</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required ${options.email ? html`autofocus` : ""} ${invalid}>
  </div>
  <button type="submit" class="button button-primary">Inloggen</button>
</form>
<p class="hint">Wachtwoord vergeten? Vraag een beheerder om een link voor een nieuw wachtwoord (via Beheer).</p>
</div>`;
  return page({ title: error ? "Fout: Inloggen" : "Inloggen", user: null, body });
}

type AccountField = "currentPassword" | "newPassword" | "confirmPassword";

interface AccountView {
  name: string;
  email: string;
  role: StaffRole;
  tandems: Array<{ name: string; role: string }>;
  sessions: number;
  csrfToken: string;
  notice?: string;
  error?: { field: AccountField | null; message: string };
}

function passwordField(view: AccountView, field: AccountField, label: string, autocomplete: string, hint?: SafeHtml): SafeHtml {
  const hasError = view.error?.field === field;
  const describedBy = [hint ? `${field}-hint` : null, hasError ? "password-error" : null].filter(Boolean).join(" ");
  return html`<div class="field">
    <label for="${field}">${label}</label>
    ${hint ? html`<p class="hint" id="${field}-hint">${hint}</p>` : ""}
    <input id="${field}" name="${field}" type="password" autocomplete="${autocomplete}" required
      ${field === "currentPassword" ? "" : html`minlength="${PasswordPolicy.minLength}"`}
      ${describedBy ? html`aria-describedby="${describedBy}"` : ""} ${hasError ? html`aria-invalid="true"` : ""}>
  </div>`;
}

function accountPage(view: AccountView): string {
  const tandems =
    view.role === "admin"
      ? html`Alle tandems (als beheerder)`
      : view.tandems.length === 0
        ? html`Nog geen tandem. Vraag een beheerder om je aan een tandem toe te voegen.`
        : html`<ul class="plain">${view.tandems.map((t) => html`<li>${t.name} <span class="muted">(${t.role})</span></li>`)}</ul>`;
  const body = html`<h1>Mijn account</h1>
${view.notice ? html`<p class="flash flash-ok" role="status">${view.notice}</p>` : ""}
<dl class="details">
  <dt>Naam</dt><dd>${view.name}</dd>
  <dt>E-mailadres</dt><dd>${view.email}</dd>
  <dt>Rol</dt><dd>${ROLE_LABELS[view.role]}</dd>
  <dt>Tandems</dt><dd>${tandems}</dd>
</dl>

<p><a href="/inbox/account/telegram">Meldingen via Telegram instellen</a></p>

<section aria-labelledby="sessions-heading">
  <h2 id="sessions-heading">Ingelogde apparaten</h2>
  <p>Je bent nu ingelogd in ${view.sessions === 1 ? "1 browser" : `${view.sessions} browsers`}. Ben je een telefoon kwijt, of ingelogd op een computer van een ander? Log dan overal uit.</p>
  <form method="post" action="/inbox/logout-everywhere">
    <input type="hidden" name="_csrf" value="${view.csrfToken}">
    <button type="submit" class="button">Overal uitloggen</button>
  </form>
</section>

<section aria-labelledby="password-heading">
  <h2 id="password-heading">Wachtwoord wijzigen</h2>
  ${view.error ? html`<p class="flash flash-error" role="alert" id="password-error">${view.error.message}</p>` : ""}
  <form method="post" action="/inbox/account/password" class="form">
    <input type="hidden" name="_csrf" value="${view.csrfToken}">
    <input type="text" autocomplete="username" value="${view.email}" hidden>
    ${passwordField(view, "currentPassword", "Huidig wachtwoord", "current-password")}
    ${passwordField(view, "newPassword", "Nieuw wachtwoord", "new-password", html`Minstens ${PasswordPolicy.minLength} tekens. Een zin van een paar woorden is sterk en goed te onthouden.`)}
    ${passwordField(view, "confirmPassword", "Herhaal het nieuwe wachtwoord", "new-password")}
    <p class="hint">Daarna word je op alle andere apparaten uitgelogd.</p>
    <button type="submit" class="button button-primary">Wachtwoord wijzigen</button>
  </form>
</section>`;
  return page({ title: view.error ? "Fout: Mijn account" : "Mijn account", user: { name: view.name, role: view.role, csrfToken: view.csrfToken }, current: "account", body });
}

/** Login, logout, logout everywhere, and the account page with its password change. */
export function authRoutes(deps: AuthRoutesDeps): Router {
  const { db, logger, oidcButtonLabel } = deps;
  const now = deps.now ?? (() => new Date());
  const secret = deps.secret ?? randomBytes(32).toString("base64url");
  const router = Router();

  /** The keys an attempt for `staffUserId`'s account counts under: its own device when this browser signed in to that account before. */
  const attemptKeys = (req: Request, email: string, staffUserId: string | null, at: Date) => {
    const device = deviceCookieOf(req, secret, at);
    return { email, ip: clientAddress(req), deviceId: device && staffUserId !== null && device.staffUserId === staffUserId ? device.deviceId : null, hashKey: secret };
  };
  const retryAfterSeconds = (claim: Extract<LoginClaim, { throttled: true }>) => String(Math.max(1, Math.ceil(claim.retryAfterMs / 1000)));

  const loadAccount = async (staffUserId: string) => {
    const user = await findStaffAccount(db, staffUserId);
    const sessions = await countLiveStaffSessions(db, staffUserId, now());
    return user ? { user, sessions } : null;
  };

  const auditLogin = (input: { success: boolean; email: string; user: { id: string; gemeenteId: string } | null; reason?: string; at: Date }) =>
    recordAudit(db, {
      gemeenteId: input.user?.gemeenteId ?? null,
      actorKind: "staff",
      actorStaffId: input.success ? (input.user?.id ?? null) : null,
      action: input.success ? "staff.login" : "staff.login_failed",
      subjectType: "StaffUser",
      subjectId: input.user?.id ?? null,
      data: input.success ? {} : { emailHash: hashEmail(input.email, secret), reason: input.reason ?? "credentials" },
      at: input.at,
    });

  router.get("/inbox/login", (req, res) => {
    const next = safeNextPath(req.query.next);
    if (res.locals.staff) {
      res.redirect(303, next ?? DEFAULT_AFTER_LOGIN);
      return;
    }
    const notice = typeof req.query.uitgelogd === "string" ? LOGOUT_NOTICES[req.query.uitgelogd] : undefined;
    sendPage(res, 200, loginPage({ next, oidcButtonLabel, ...(notice ? { notice } : {}) }));
  });

  router.post("/inbox/login", async (req, res) => {
    // Fetch metadata: a login form posted from another site is login CSRF (signing a colleague
    // into the attacker's account); browsers send this header, attackers' pages cannot forge it.
    if (req.get("sec-fetch-site") === "cross-site") {
      res.status(403).type("text/plain; charset=utf-8").send("Inloggen kan alleen via het inlogformulier van Wijklijn.");
      return;
    }
    const nextRaw: unknown = req.body && typeof req.body === "object" && "next" in req.body ? req.body.next : undefined;
    const next = safeNextPath(nextRaw);
    const form = LoginFormSchema.safeParse(req.body ?? {});
    if (!form.success) {
      const email = req.body && typeof req.body === "object" && "email" in req.body && typeof req.body.email === "string" ? req.body.email.slice(0, 320) : "";
      sendPage(res, 400, loginPage({ email, next, oidcButtonLabel, error: "Vul je e-mailadres en je wachtwoord in." }));
      return;
    }
    const { email, password } = form.data;
    const at = now();
    const user = await findStaffCredentialsByEmail(db, email);
    const keys = attemptKeys(req, email, user?.id ?? null, at);

    const claim = await claimLoginAttempt(db, keys, LOGIN_THROTTLE, at);
    if (claim.throttled) {
      // Not counted as a failure (no password was checked), so hammering on does not make the wait longer.
      await auditLogin({ success: false, email, user: null, reason: "throttled", at });
      logger.warn({ emailHash: hashEmail(email, secret), knownDevice: keys.deviceId !== null }, "sign-in throttled after too many failures");
      res.setHeader("Retry-After", retryAfterSeconds(claim));
      sendPage(res, 429, loginPage({ email, next, oidcButtonLabel, error: loginThrottledMessage(claim.retryAfterMs) }));
      return;
    }

    const usable = user?.active && user.passwordHash ? { ...user, passwordHash: user.passwordHash } : null;
    const valid = usable ? await verifyPassword(usable.passwordHash, password) : await verifyDummyPassword(password);
    if (!usable || !valid) {
      const reason = !user ? "unknown_email" : !user.active ? "inactive" : !user.passwordHash ? "no_password" : "wrong_password";
      await auditLogin({ success: false, email, user, reason, at });
      sendPage(res, 401, loginPage({ email, next, oidcButtonLabel, error: LOGIN_FAILED_NL }));
      return;
    }

    await markLoginAttemptSucceeded(db, claim);
    if (passwordNeedsRehash(usable.passwordHash)) {
      await updatePasswordHash(db, usable.id, await hashPassword(password));
    }
    // A fresh session id at every sign-in; an older session of this browser ends.
    const previous = sessionIdOf(req);
    if (previous) await deleteStaffSession(db, previous);
    const session = await createStaffSession(db, usable.id, at);
    await auditLogin({ success: true, email, user: usable, at });
    logger.info({ staffUserId: usable.id, knownDevice: keys.deviceId !== null }, "staff signed in");
    setSessionCookie(req, res, session.id);
    setDeviceCookie(req, res, secret, usable.id, at);
    noStore(res);
    res.redirect(303, next ?? DEFAULT_AFTER_LOGIN);
  });

  // Without a session there is nothing to protect: just forget the cookie.
  const endIfSignedOut: RequestHandler = (req, res, next) => {
    if (res.locals.staff) return next();
    clearSessionCookie(req, res);
    res.redirect(303, "/inbox/login");
  };

  router.post("/inbox/logout", endIfSignedOut, verifyCsrf, async (req, res) => {
    const staff = staffOf(res);
    const id = sessionIdOf(req);
    if (id) await deleteStaffSession(db, id);
    await recordAudit(db, {
      gemeenteId: staff.gemeenteId,
      actorKind: "staff",
      actorStaffId: staff.staffUserId,
      action: "staff.logout",
      subjectType: "StaffUser",
      subjectId: staff.staffUserId,
      at: now(),
    });
    clearSessionCookie(req, res);
    res.redirect(303, "/inbox/login?uitgelogd=1");
  });

  router.post("/inbox/logout-everywhere", endIfSignedOut, verifyCsrf, async (req, res) => {
    const staff = staffOf(res);
    const sessionsEnded = await deleteAllStaffSessions(db, staff.staffUserId);
    await recordAudit(db, {
      gemeenteId: staff.gemeenteId,
      actorKind: "staff",
      actorStaffId: staff.staffUserId,
      action: "staff.logout_everywhere",
      subjectType: "StaffUser",
      subjectId: staff.staffUserId,
      data: { sessionsEnded },
      at: now(),
    });
    clearSessionCookie(req, res);
    res.redirect(303, "/inbox/login?uitgelogd=overal");
  });

  const renderAccount = async (res: Response, status: number, extra: Pick<AccountView, "notice" | "error"> = {}) => {
    const staff = staffOf(res);
    const account = await loadAccount(staff.staffUserId);
    const csrfToken = typeof res.locals.csrfToken === "string" ? res.locals.csrfToken : "";
    if (!account) {
      res.status(401).type("text/plain; charset=utf-8").send("Je sessie is verlopen. Log opnieuw in.");
      return;
    }
    const { user, sessions } = account;
    sendPage(
      res,
      status,
      accountPage({
        name: user.displayName,
        email: user.email,
        role: user.role ?? staff.role,
        tandems: user.tandems.map((member) => ({ name: member.name, role: ROLE_LABELS[member.role].toLowerCase() })),
        sessions,
        csrfToken,
        ...extra,
      }),
    );
  };

  router.get("/inbox/account", requireSignedIn, async (req, res) => {
    await renderAccount(res, 200, req.query.gewijzigd === "1" ? { notice: "Je wachtwoord is gewijzigd. Op je andere apparaten ben je uitgelogd." } : {});
  });

  router.post("/inbox/account/password", requireSignedIn, verifyCsrf, async (req, res) => {
    const staff = staffOf(res);
    const refuse = (status: number, field: AccountField | null, message: string) => renderAccount(res, status, { error: { field, message } });
    const form = PasswordChangeFormSchema.safeParse(req.body ?? {});
    if (!form.success) return refuse(400, null, "Vul je huidige wachtwoord en twee keer je nieuwe wachtwoord in.");
    const { currentPassword, newPassword, confirmPassword } = form.data;
    const user = await findStaffCredentialsById(db, staff.staffUserId);
    if (!user) return refuse(401, null, "Je sessie is verlopen. Log opnieuw in.");
    const at = now();
    const keys = attemptKeys(req, user.email, user.id, at);
    const auditRefusal = (reason: string) =>
      recordAudit(db, {
        gemeenteId: user.gemeenteId,
        actorKind: "staff",
        actorStaffId: user.id,
        action: "staff.password_change_refused",
        subjectType: "StaffUser",
        subjectId: user.id,
        data: { reason },
        at,
      });

    // Guessing the current password from a stolen session is sign-in guessing too: same throttle.
    const claim = await claimLoginAttempt(db, keys, LOGIN_THROTTLE, at);
    if (claim.throttled) {
      await auditRefusal("throttled");
      res.setHeader("Retry-After", retryAfterSeconds(claim));
      return refuse(429, "currentPassword", loginThrottledMessage(claim.retryAfterMs));
    }
    if (!user.passwordHash || !(await verifyPassword(user.passwordHash, currentPassword))) {
      await auditRefusal("current_password");
      return refuse(400, "currentPassword", "Je huidige wachtwoord klopt niet.");
    }
    await markLoginAttemptSucceeded(db, claim);
    if (newPassword !== confirmPassword) return refuse(400, "confirmPassword", "De twee nieuwe wachtwoorden zijn niet gelijk. Typ het nieuwe wachtwoord nog eens.");
    if (newPassword === currentPassword) return refuse(400, "newPassword", "Kies een ander wachtwoord dan je huidige.");
    const verdict = PasswordPolicy.check(newPassword, { email: user.email });
    if (!verdict.ok) return refuse(400, "newPassword", verdict.message);

    await setStaffPassword(db, user, newPassword, { kind: "staff", staffUserId: user.id }, at);
    // Every session ended with the old password; this browser continues on a fresh one.
    const session = await createStaffSession(db, user.id, at);
    setSessionCookie(req, res, session.id);
    logger.info({ staffUserId: user.id }, "staff password changed");
    noStore(res);
    res.redirect(303, "/inbox/account?gewijzigd=1");
  });

  return router;
}
