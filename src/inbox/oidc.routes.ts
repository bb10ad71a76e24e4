/**
 * Signing in to the inbox with OpenID Connect (Entra ID and similar), beside the local login:
 * `/inbox/oidc/start` sends the browser to the identity provider, `/inbox/oidc/callback` takes
 * it back. Only an existing, active staff user with the e-mail address of the ID token gets a
 * session, exactly like a password sign-in; nobody is created here, because roles and tandems
 * are an admin's decision. Every attempt that reaches the callback is in the audit log (failures
 * by a hash of the e-mail address); tokens never are, nor in the logs.
 *
 * Mount after `express.urlencoded()` and `loadStaffSession(db)` for the /inbox path, before the
 * routes that require a session.
 */
import { Router, type Request, type Response } from "express";
import { recordAudit } from "../db/audit.repo.ts";
import type { Db } from "../db/client.ts";
import { createStaffSession, deleteStaffSession } from "../db/session.repo.ts";
import { findStaffCredentialsByEmail } from "../db/staffAccount.repo.ts";
import type { Logger } from "../log.ts";
import { safeNextPath } from "./auth.routes.ts";
import { html } from "../http/html.ts";
import { page } from "./layout.ts";
import {
  createOidcClient,
  describeOidcError,
  isEntraIdIssuer,
  newOidcChecks,
  OIDC_FLOW_COOKIE,
  OIDC_FLOW_TTL_MS,
  openOidcFlow,
  sealOidcFlow,
  staffEmailOf,
  type IdTokenClaims,
  type OidcClient,
  type OidcFailureReason,
  type OidcSettings,
} from "./oidc.ts";
import { hashEmail } from "./password.ts";
import { sessionIdOf, setSessionCookie } from "./session.ts";

/** What the routes need; `now` lets tests move the clock. */
export interface OidcRoutesDeps {
  db: Db;
  logger: Logger;
  settings: OidcSettings;
  /** The session secret: it signs the cookie that carries a sign-in attempt. */
  secret: string;
  now?: () => Date;
}

/** The answer to someone the identity provider knows but Wijklijn does not. */
export const OIDC_UNKNOWN_USER_NL = "Je account is niet bekend in Wijklijn. Vraag een beheerder om je toe te voegen.";

/** The answer to a deactivated staff user. */
export const OIDC_INACTIVE_USER_NL = "Je account in Wijklijn is uitgezet. Vraag een beheerder om het weer aan te zetten.";

/** The answer when the callback does not belong to a sign-in this browser started (or it took too long). */
export const OIDC_FLOW_INVALID_NL = "Deze inlogpoging is verlopen of is niet in deze browser begonnen. Probeer het opnieuw.";

const DEFAULT_AFTER_LOGIN = "/inbox";
const FLOW_COOKIE_PATH = "/inbox/oidc";

/** Why a callback did not lead to a session, as recorded in the audit log. */
type RefusalReason = OidcFailureReason | "flow_invalid" | "state_mismatch" | "no_email" | "email_unverified" | "unknown_email" | "inactive";

function flowCookieOf(req: Request): string | null {
  const match = new RegExp(`(?:^|;\\s*)${OIDC_FLOW_COOKIE}=([A-Za-z0-9_.-]{1,4096})`).exec(req.headers.cookie ?? "");
  return match?.[1] ?? null;
}

function clearFlowCookie(req: Request, res: Response): void {
  res.clearCookie(OIDC_FLOW_COOKIE, { httpOnly: true, sameSite: "lax", secure: req.secure, path: FLOW_COOKIE_PATH });
}

function failurePage(options: { buttonLabel: string; message: string; next: string | null; retry: boolean }): string {
  const loginHref = options.next ? `/inbox/login?next=${encodeURIComponent(options.next)}` : "/inbox/login";
  const retryHref = options.next ? `/inbox/oidc/start?next=${encodeURIComponent(options.next)}` : "/inbox/oidc/start";
  const body = html`<div class="narrow">
<h1>Inloggen lukt niet</h1>
<p class="flash flash-error" role="alert">${options.message}</p>
<p class="buttons">
  ${options.retry ? html`<a class="button button-primary" href="${retryHref}">Opnieuw inloggen met ${options.buttonLabel}</a>` : ""}
  <a class="button" href="${loginHref}">Naar de inlogpagina</a>
</p>
</div>`;
  return page({ title: "Fout: Inloggen", user: null, body });
}

/** `/inbox/oidc/start` and `/inbox/oidc/callback`. Discovery waits for the first sign-in. */
export function oidcRoutes(deps: OidcRoutesDeps): Router {
  const { db, logger, settings, secret } = deps;
  const now = deps.now ?? (() => new Date());
  const client: OidcClient = createOidcClient(settings);
  const entraId = isEntraIdIssuer(settings.issuer);
  const router = Router();

  const sendPage = (res: Response, status: number, body: string) => {
    res.setHeader("Cache-Control", "no-store");
    res.status(status).type("html").send(body);
  };

  const unavailable = (res: Response, next: string | null) =>
    sendPage(
      res,
      502,
      failurePage({
        buttonLabel: settings.buttonLabel,
        message: `Inloggen met ${settings.buttonLabel} lukt nu niet: Wijklijn kan de inlogdienst niet goed bereiken. Probeer het later opnieuw, of log in met je wachtwoord als je dat hebt.`,
        next,
        retry: true,
      }),
    );

  router.get("/inbox/oidc/start", async (req, res) => {
    const next = safeNextPath(req.query.next);
    if (res.locals.staff) {
      res.redirect(303, next ?? DEFAULT_AFTER_LOGIN);
      return;
    }
    const checks = newOidcChecks();
    let destination: URL;
    try {
      destination = await client.authorizationUrl(checks);
    } catch (error) {
      const failure = describeOidcError(error);
      logger.error({ reason: failure.reason, code: failure.code, issuer: settings.issuer }, `OpenID Connect sign-in cannot start: ${failure.detail}`);
      unavailable(res, next);
      return;
    }
    const flow = { ...checks, next, exp: now().getTime() + OIDC_FLOW_TTL_MS };
    res.cookie(OIDC_FLOW_COOKIE, sealOidcFlow(flow, secret), { httpOnly: true, sameSite: "lax", secure: req.secure, path: FLOW_COOKIE_PATH, maxAge: OIDC_FLOW_TTL_MS });
    res.setHeader("Cache-Control", "no-store");
    res.redirect(303, destination.href);
  });

  router.get("/inbox/oidc/callback", async (req, res) => {
    // The cookie serves one attempt only, whatever happens next.
    const flow = openOidcFlow(flowCookieOf(req), secret, now());
    clearFlowCookie(req, res);

    const refuse = async (status: number, reason: RefusalReason, message: string, extra: { email?: string; user?: { id: string; gemeenteId: string }; code?: string } = {}) => {
      await recordAudit(db, {
        gemeenteId: extra.user?.gemeenteId ?? null,
        actorKind: "staff",
        actorStaffId: null,
        action: "staff.login_failed",
        subjectType: "StaffUser",
        subjectId: extra.user?.id ?? null,
        data: { method: "oidc", reason, ...(extra.email ? { emailHash: hashEmail(extra.email, secret) } : {}), ...(extra.code ? { code: extra.code } : {}) },
        at: now(),
      });
      const retry = reason !== "unknown_email" && reason !== "inactive";
      sendPage(res, status, failurePage({ buttonLabel: settings.buttonLabel, message, next: flow?.next ?? null, retry }));
    };

    if (!flow) {
      await refuse(400, "flow_invalid", OIDC_FLOW_INVALID_NL);
      return;
    }
    // openid-client checks the state too; checking it here first tells a callback that belongs
    // to another browser's sign-in (login CSRF) apart from a misbehaving provider.
    if (req.query.state !== flow.state) {
      logger.warn("OpenID Connect callback with a state that this browser did not start");
      await refuse(400, "state_mismatch", OIDC_FLOW_INVALID_NL);
      return;
    }

    const callbackUrl = new URL(settings.redirectUri);
    callbackUrl.search = new URL(req.originalUrl, "http://wijklijn.invalid").search;
    let claims: IdTokenClaims;
    try {
      claims = await client.exchangeCode(callbackUrl, flow);
    } catch (error) {
      const failure = describeOidcError(error);
      // A user who cancels at the provider is no operator's concern; anything else may be.
      logger[failure.reason === "idp_refused" ? "info" : "warn"]({ reason: failure.reason, code: failure.code, issuer: settings.issuer }, `OpenID Connect sign-in failed: ${failure.detail}`);
      if (failure.reason === "idp_refused") {
        await refuse(
          403,
          failure.reason,
          `Inloggen met ${settings.buttonLabel} is afgebroken of geweigerd. Probeer het opnieuw, of vraag je beheerder of je toegang hebt tot Wijklijn.`,
          failure.code ? { code: failure.code } : {},
        );
        return;
      }
      if (failure.reason === "discovery_failed" || failure.reason === "idp_unreachable") {
        await refuse(502, failure.reason, `Inloggen met ${settings.buttonLabel} lukt nu niet: Wijklijn kan de inlogdienst niet goed bereiken. Probeer het later opnieuw.`);
        return;
      }
      await refuse(
        502,
        failure.reason,
        `Inloggen met ${settings.buttonLabel} lukt niet: het antwoord van de inlogdienst klopt niet. Probeer het opnieuw; lukt het dan nog niet, meld het aan een beheerder.`,
        failure.code ? { code: failure.code } : {},
      );
      return;
    }

    const vouched = staffEmailOf(claims, { entraId });
    if (!vouched.ok) {
      logger.warn({ reason: vouched.reason, issuer: settings.issuer }, "OpenID Connect sign-in without a usable e-mail address in the ID token (is the email scope granted?)");
      await refuse(403, vouched.reason, `${settings.buttonLabel} gaf geen bevestigd e-mailadres aan Wijklijn door, en daaraan herkent Wijklijn je account. Vraag een beheerder om hulp.`);
      return;
    }
    const email = vouched.email;
    const user = await findStaffCredentialsByEmail(db, email);
    if (!user) {
      await refuse(403, "unknown_email", OIDC_UNKNOWN_USER_NL, { email });
      return;
    }
    if (!user.active) {
      await refuse(403, "inactive", OIDC_INACTIVE_USER_NL, { email, user });
      return;
    }

    // As the local login: a fresh session id, and an older session of this browser ends.
    const at = now();
    const previous = sessionIdOf(req);
    if (previous) await deleteStaffSession(db, previous);
    const session = await createStaffSession(db, user.id, at);
    await recordAudit(db, {
      gemeenteId: user.gemeenteId,
      actorKind: "staff",
      actorStaffId: user.id,
      action: "staff.login",
      subjectType: "StaffUser",
      subjectId: user.id,
      data: { method: "oidc" },
      at,
    });
    logger.info({ staffUserId: user.id, method: "oidc" }, "staff signed in");
    setSessionCookie(req, res, session.id);
    res.setHeader("Cache-Control", "no-store");
    res.redirect(303, flow.next ?? DEFAULT_AFTER_LOGIN);
  });

  return router;
}
