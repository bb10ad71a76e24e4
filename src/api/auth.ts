/**
 * Who is calling the JSON API. `authenticate` tries a list of strategies (today a bearer API
 * token; the staff web session will be the second) and puts the typed staff principal on
 * `res.locals.staff`; without valid credentials the caller gets 401 with `WWW-Authenticate`.
 */
import type { Request, RequestHandler, Response } from "express";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { StaffRoleSchema } from "../db/staff.repo.ts";
import { findApiTokenHolder, touchApiToken } from "../db/staffAccount.repo.ts";
import { sessionStrategy } from "../inbox/session.ts";

/** The authenticated staff user, as routes see it. */
export const StaffPrincipalSchema = z.object({
  staffUserId: z.string().min(1),
  role: StaffRoleSchema,
  gemeenteId: z.string().min(1),
  /** The tandems the user is a member of (empty for an admin, who sees every tandem). */
  tandemIds: z.array(z.string().min(1)),
});
export type StaffPrincipal = z.infer<typeof StaffPrincipalSchema>;

/**
 * What one strategy concluded about a request: it found valid credentials, found none of its
 * kind (`absent`: let the next strategy try), or found credentials that are not valid.
 */
export type AuthOutcome = { kind: "authenticated"; staff: StaffPrincipal } | { kind: "absent" } | { kind: "rejected"; reason: string };

/** One way in, e.g. a bearer token or the staff session cookie. */
export type AuthStrategy = (req: Request) => Promise<AuthOutcome>;

const MISSING_CREDENTIALS = "Sign in to the inbox, or send Authorization: Bearer <token> (create one with: npm run cli -- token create --email <e>).";

/**
 * Middleware: the first strategy that authenticates wins. Without any credentials, or with
 * credentials that no strategy accepts, the request ends here with 401.
 */
export function authenticate(strategies: readonly AuthStrategy[]): RequestHandler {
  return async (req, res, next) => {
    let rejection: string | null = null;
    for (const strategy of strategies) {
      const outcome = await strategy(req);
      if (outcome.kind === "authenticated") {
        res.locals.staff = outcome.staff;
        next();
        return;
      }
      if (outcome.kind === "rejected") rejection ??= outcome.reason;
    }
    // RFC 6750 §3: a request with a token that is not accepted says so with error="invalid_token".
    res.setHeader("WWW-Authenticate", rejection ? `Bearer realm="wijklijn", error="invalid_token"` : `Bearer realm="wijklijn"`);
    res.status(401).json({ error: { code: "unauthorized", message: rejection ?? MISSING_CREDENTIALS } });
  };
}

/** Middleware for routes that need a staff user: a bearer API token or the inbox session. */
export function requireStaff(db: Db): RequestHandler {
  return authenticate([bearerTokenStrategy(db), sessionStrategy(db)]);
}

/**
 * The staff user that `authenticate` put on the response. Throws when the route was mounted
 * without it: a programming error, never the caller's.
 */
export function staffOf(res: Response): StaffPrincipal {
  const parsed = StaffPrincipalSchema.safeParse(res.locals.staff);
  if (!parsed.success) throw new Error("staffOf: no authenticated staff user on this request; mount requireStaff(db) before the route.");
  return parsed.data;
}

/** An API token as sent: printable, no spaces, bounded (tokens from the CLI are "wl_" + 32 characters). */
const BearerTokenSchema = z.string().regex(/^[\x21-\x7e]{1,512}$/);

/** How stale lastUsedAt may get before a request writes it again: spares a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Accepts `Authorization: Bearer <token>` for an unrevoked API token of an active staff user. */
export function bearerTokenStrategy(db: Db, now: () => Date = () => new Date()): AuthStrategy {
  return async (req) => {
    const header = req.get("authorization");
    if (!header) return { kind: "absent" };
    const match = /^Bearer\s+(.*)$/i.exec(header.trim());
    if (!match) return { kind: "absent" };
    const token = BearerTokenSchema.safeParse(match[1]);
    if (!token.success) return { kind: "rejected", reason: "The bearer token is malformed." };

    const holder = await findApiTokenHolder(db, token.data);
    // One message for unknown, revoked and deactivated: the caller learns nothing about which.
    const invalid: AuthOutcome = { kind: "rejected", reason: "The bearer token is not valid (unknown, revoked, or its staff user is deactivated)." };
    if (!holder || holder.revoked || !holder.staff.active) return invalid;
    const staff = StaffPrincipalSchema.safeParse({ staffUserId: holder.staff.id, role: holder.staff.role, gemeenteId: holder.staff.gemeenteId, tandemIds: holder.staff.tandemIds });
    if (!staff.success) return invalid;

    const at = now();
    if (!holder.lastUsedAt || at.getTime() - holder.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) await touchApiToken(db, holder.tokenId, at, LAST_USED_RESOLUTION_MS);
    return { kind: "authenticated", staff: staff.data };
  };
}
