/**
 * The staff web session: an HttpOnly, SameSite=Lax cookie (Secure behind HTTPS) holding a random
 * id whose hash is stored. Pages get the staff user on res.locals; every state-changing request
 * must carry the session's CSRF token (form field `_csrf` or header `X-CSRF-Token`). The JSON
 * API accepts the session as a second way in, besides bearer tokens.
 */
import { timingSafeEqual } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import type { AuthStrategy, StaffPrincipal } from "../api/auth.ts";
import type { Db } from "../db/client.ts";
import { findStaffSession } from "../db/session.repo.ts";
import { StaffRoleSchema } from "../db/staff.repo.ts";

/** The cookie's name. */
export const SESSION_COOKIE = "wl_staff";

/** Reads the session id from the Cookie header. */
export function sessionIdOf(req: Request): string | null {
  const match = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([A-Za-z0-9_-]{20,100})`).exec(req.headers.cookie ?? "");
  return match?.[1] ?? null;
}

/** Sets the session cookie. */
export function setSessionCookie(req: Request, res: Response, id: string): void {
  res.cookie(SESSION_COOKIE, id, { httpOnly: true, sameSite: "lax", secure: req.secure, path: "/", maxAge: 30 * 24 * 3600 * 1000 });
}

/** Clears the session cookie. */
export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: "lax", secure: req.secure, path: "/" });
}

type SessionRow = NonNullable<Awaited<ReturnType<typeof findStaffSession>>>;

function principalOf(session: SessionRow): StaffPrincipal {
  return {
    staffUserId: session.staffUser.id,
    role: StaffRoleSchema.parse(session.staffUser.role),
    gemeenteId: session.staffUser.gemeenteId,
    tandemIds: session.staffUser.tandems.map((m) => m.tandemId),
  };
}

function tokensMatch(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function csrfOf(req: Request): string | null {
  const header = req.get("x-csrf-token");
  if (header) return header;
  const body: unknown = req.body;
  if (body && typeof body === "object" && "_csrf" in body && typeof body._csrf === "string") return body._csrf;
  return null;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Loads the session (if any) onto res.locals: staff, staffName, csrfToken. Never rejects. */
export function loadStaffSession(db: Db): RequestHandler {
  return async (req, res, next) => {
    const id = sessionIdOf(req);
    const session = id ? await findStaffSession(db, id) : null;
    if (session) {
      res.locals.staff = principalOf(session);
      res.locals.staffName = session.staffUser.displayName;
      res.locals.staffEmail = session.staffUser.email;
      res.locals.csrfToken = session.csrfToken;
    }
    next();
  };
}

/** For pages: without a session, go to the login page (and come back after). */
export const requireSignedIn: RequestHandler = (req, res, next) => {
  if (res.locals.staff) return next();
  if (req.method === "GET") {
    res.redirect(303, `/inbox/login?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  res.status(401).type("text/plain; charset=utf-8").send("Je sessie is verlopen. Log opnieuw in.");
};

/** For state-changing requests of a session: the CSRF token must match. */
export const verifyCsrf: RequestHandler = (req, res, next) => {
  if (SAFE_METHODS.has(req.method)) return next();
  const expected = typeof res.locals.csrfToken === "string" ? res.locals.csrfToken : null;
  const given = csrfOf(req);
  if (!expected || !given || !tokensMatch(expected, given)) {
    res.status(403).type("text/plain; charset=utf-8").send("Dit formulier is verlopen of komt niet van Wijklijn. Laad de pagina opnieuw en probeer het nog eens.");
    return;
  }
  next();
};

/** The API's session strategy: the cookie, plus the CSRF header on state-changing calls. */
export function sessionStrategy(db: Db): AuthStrategy {
  return async (req) => {
    const id = sessionIdOf(req);
    if (!id) return { kind: "absent" };
    const session = await findStaffSession(db, id);
    if (!session) return { kind: "rejected", reason: "The session has expired: sign in again." };
    if (!SAFE_METHODS.has(req.method)) {
      const given = req.get("x-csrf-token");
      if (!given || !tokensMatch(given, session.csrfToken)) return { kind: "rejected", reason: "A session call that changes something needs the X-CSRF-Token header." };
    }
    return { kind: "authenticated", staff: principalOf(session) };
  };
}
