/**
 * OpenID Connect for staff sign-in (Entra ID and similar): the authorization code flow with
 * PKCE, state and nonce. The only place `openid-client` is imported. What a sign-in has to
 * remember between leaving for the identity provider and coming back lives in a short-lived
 * signed cookie (sealOidcFlow/openOidcFlow), not in server memory, so several instances of
 * Wijklijn can share the work. The routes are in oidc.routes.ts.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import {
  allowInsecureRequests,
  AuthorizationResponseError,
  authorizationCodeGrant,
  buildAuthorizationUrl,
  calculatePKCECodeChallenge,
  ClientError,
  ClientSecretBasic,
  ClientSecretPost,
  discovery,
  randomNonce,
  randomPKCECodeVerifier,
  randomState,
  ResponseBodyError,
  WWWAuthenticateChallengeError,
  type ClientAuth,
  type Configuration,
} from "openid-client";
import { z } from "zod";

/** How Wijklijn talks to the identity provider (from OIDC_* and PUBLIC_URL). */
export interface OidcSettings {
  /** The issuer identifier, e.g. https://login.microsoftonline.com/<tenant-id>/v2.0. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Shown on the login page as "Inloggen met <buttonLabel>". */
  buttonLabel: string;
  /** PUBLIC_URL/inbox/oidc/callback, as registered at the identity provider. */
  redirectUri: string;
  /** Only for tests against a local fake identity provider over http://. */
  allowInsecureRequests?: boolean;
}

/** The scopes asked for: the ID token then carries the e-mail address and the name. */
export const OIDC_SCOPES = "openid email profile";

/** The path of the callback, below PUBLIC_URL. */
export const OIDC_CALLBACK_PATH = "/inbox/oidc/callback";

/** The secrets of one sign-in attempt: checked when the identity provider sends the browser back. */
export interface OidcChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Fresh random state, nonce and PKCE code verifier for one sign-in attempt. */
export function newOidcChecks(): OidcChecks {
  return { state: randomState(), nonce: randomNonce(), codeVerifier: randomPKCECodeVerifier() };
}

/** The claims of a validated ID token. */
export type IdTokenClaims = Readonly<Record<string, unknown>>;

/** Talks to one identity provider; discovery happens at first use and is kept. */
export interface OidcClient {
  /** Where to send the browser to sign in, bound to `checks`. */
  authorizationUrl(checks: OidcChecks): Promise<URL>;
  /**
   * Exchanges the code of the callback (`callbackUrl` with its query) for tokens and returns the
   * claims of the ID token, once openid-client has checked the state, the signature, the issuer,
   * the audience, the expiry and the nonce. Throws otherwise (see describeOidcError).
   */
  exchangeCode(callbackUrl: URL, checks: OidcChecks): Promise<IdTokenClaims>;
}

/** Raised when the identity provider's discovery document cannot be fetched or is not valid. */
export class OidcDiscoveryError extends Error {
  constructor(issuer: string, cause: unknown) {
    super(`OpenID Connect discovery at ${issuer} failed: ${messageOf(cause)}. Check OIDC_ISSUER and that the service can reach it.`, { cause });
    this.name = "OidcDiscoveryError";
  }
}

/**
 * The client authentication at the token endpoint: client_secret_post when the provider lists
 * it (Entra ID does; openid-client's default), otherwise client_secret_basic, which the OpenID
 * Connect spec makes the default for a provider that lists nothing.
 */
function clientAuthentication(clientSecret: string): ClientAuth {
  const basic = ClientSecretBasic(clientSecret);
  const post = ClientSecretPost(clientSecret);
  return (as, client, body, headers) => {
    const supported = as.token_endpoint_auth_methods_supported;
    (supported?.includes("client_secret_post") ? post : basic)(as, client, body, headers);
  };
}

/** An OpenID Connect client for `settings`; nothing is fetched until the first sign-in. */
export function createOidcClient(settings: OidcSettings): OidcClient {
  let discovered: Promise<Configuration> | undefined;
  const configuration = (): Promise<Configuration> => {
    if (discovered) return discovered;
    const pending = discovery(new URL(settings.issuer), settings.clientId, { client_secret: settings.clientSecret }, clientAuthentication(settings.clientSecret), {
      timeout: 10,
      ...(settings.allowInsecureRequests ? { execute: [allowInsecureRequests] } : {}),
    }).catch((error: unknown) => {
      // Not cached: the next sign-in tries again (the provider may have been down briefly).
      if (discovered === pending) discovered = undefined;
      throw new OidcDiscoveryError(settings.issuer, error);
    });
    discovered = pending;
    return pending;
  };

  return {
    async authorizationUrl(checks) {
      const config = await configuration();
      return buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUri,
        scope: OIDC_SCOPES,
        code_challenge: await calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: "S256",
        state: checks.state,
        nonce: checks.nonce,
      });
    },
    async exchangeCode(callbackUrl, checks) {
      const config = await configuration();
      const tokens = await authorizationCodeGrant(config, callbackUrl, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new Error("the token response has no ID token");
      return claims;
    },
  };
}

/** Why a sign-in with the identity provider failed, for the audit log, the log and the page. */
export type OidcFailureReason =
  /** The discovery document could not be fetched or was not valid. */
  | "discovery_failed"
  /** The provider sent the browser back with an error (the user cancelled, or has no access). */
  | "idp_refused"
  /** The token endpoint refused the code (e.g. invalid_client: a wrong OIDC_CLIENT_SECRET). */
  | "token_refused"
  /** The response or the ID token did not pass validation (issuer, audience, nonce, expiry, signature). */
  | "token_invalid"
  /** The provider could not be reached in time. */
  | "idp_unreachable";

/** A failure described for a log line: never a token, never the claims. */
export interface OidcFailure {
  reason: OidcFailureReason;
  /** The OAuth error code (access_denied, invalid_grant, …) or openid-client's error code. */
  code: string | undefined;
  /** What went wrong, for operators. */
  detail: string;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Describes an error of createOidcClient's methods. Only messages and codes are kept: the
 * errors' `cause` can hold the claims of a rejected ID token, which must not reach the logs.
 */
export function describeOidcError(error: unknown): OidcFailure {
  if (error instanceof OidcDiscoveryError) return { reason: "discovery_failed", code: undefined, detail: error.message };
  if (error instanceof AuthorizationResponseError) {
    return { reason: "idp_refused", code: error.error, detail: error.error_description ?? error.message };
  }
  if (error instanceof ResponseBodyError) {
    return { reason: "token_refused", code: error.error, detail: `${error.status}: ${error.error_description ?? error.message}` };
  }
  if (error instanceof WWWAuthenticateChallengeError) {
    // A 401 with a challenge, as RFC 6749 5.2 prescribes for a client that authenticated with Basic.
    const challenge = error.cause[0];
    const detail = `${error.status}: ${challenge?.parameters.error_description ?? "the token endpoint does not accept the client's credentials"}; check OIDC_CLIENT_ID and OIDC_CLIENT_SECRET`;
    return { reason: "token_refused", code: challenge?.parameters.error ?? "invalid_client", detail };
  }
  if (error instanceof ClientError) {
    // openid-client's message is generic ("unexpected JWT claim value encountered"); its cause says which claim.
    const detail = error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
    return { reason: "token_invalid", code: error.code, detail };
  }
  return { reason: "idp_unreachable", code: error instanceof Error ? error.name : undefined, detail: messageOf(error) };
}

/** Microsoft Entra ID's sign-in hosts (global and national clouds), and its v1 token issuer. */
const ENTRA_ID_HOSTS = new Set(["login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn", "sts.windows.net"]);

/** True when the issuer is Microsoft Entra ID, which sends no `email_verified` claim. */
export function isEntraIdIssuer(issuer: string): boolean {
  try {
    return ENTRA_ID_HOSTS.has(new URL(issuer).hostname.toLowerCase());
  } catch {
    return false;
  }
}

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const EmailClaimsSchema = z.object({
  email: z.string().optional().catch(undefined),
  // Some providers send the flag as a string.
  email_verified: z
    .union([z.boolean(), z.enum(["true", "false"]).transform((value) => value === "true")])
    .optional()
    .catch(undefined),
  preferred_username: z.string().optional().catch(undefined),
  upn: z.string().optional().catch(undefined),
});

/** The staff e-mail address an ID token vouches for, or why it vouches for none. */
export type StaffEmailResult = { ok: true; email: string } | { ok: false; reason: "no_email" | "email_unverified" };

/**
 * The e-mail address (lower-cased) to look the staff user up by: the `email` claim, which must
 * be verified (`email_verified: true`). Entra ID sends no `email_verified`; there the address is
 * managed by the municipality's own tenant (OIDC_ISSUER names the tenant, so tokens of other
 * tenants fail the issuer check), and when `email` is absent the user principal name in
 * `preferred_username` or `upn` is the address.
 * https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference
 */
export function staffEmailOf(claims: IdTokenClaims, options: { entraId: boolean }): StaffEmailResult {
  const parsed = EmailClaimsSchema.safeParse(claims);
  if (!parsed.success) return { ok: false, reason: "no_email" };
  const { email, email_verified: verified, preferred_username: preferredUsername, upn } = parsed.data;
  const normalised = (value: string | undefined) => {
    const trimmed = value?.trim().toLowerCase();
    return trimmed && trimmed.length <= 320 && EMAIL_SHAPE.test(trimmed) ? trimmed : undefined;
  };
  const fromEmail = normalised(email);
  if (fromEmail) {
    if (options.entraId || verified === true) return { ok: true, email: fromEmail };
    return { ok: false, reason: "email_unverified" };
  }
  if (options.entraId) {
    const principal = normalised(preferredUsername) ?? normalised(upn);
    if (principal) return { ok: true, email: principal };
  }
  return { ok: false, reason: "no_email" };
}

/** The cookie that carries a sign-in attempt from /inbox/oidc/start to the callback. */
export const OIDC_FLOW_COOKIE = "wl_oidc";

/** How long a sign-in at the identity provider may take. */
export const OIDC_FLOW_TTL_MS = 10 * 60 * 1000;

const OidcFlowSchema = z.object({
  state: z.string().min(1),
  nonce: z.string().min(1),
  codeVerifier: z.string().min(43).max(128),
  /** Where to go after signing in (already checked by safeNextPath). */
  next: z.string().nullable(),
  /** Expiry, in milliseconds since the epoch. */
  exp: z.number(),
});

/** A sign-in attempt in progress, as kept in the cookie. */
export type OidcFlow = z.infer<typeof OidcFlowSchema>;

function flowKey(secret: string): Buffer {
  // A key of its own, derived from the session secret, so this MAC can serve nothing else.
  return createHmac("sha256", secret).update("wijklijn:oidc-flow-cookie:v1").digest();
}

function macOf(payload: string, secret: string): Buffer {
  return createHmac("sha256", flowKey(secret)).update(payload).digest();
}

/** The cookie value for `flow`: its JSON, base64url, and an HMAC-SHA256 under the session secret. */
export function sealOidcFlow(flow: OidcFlow, secret: string): string {
  const payload = Buffer.from(JSON.stringify(flow)).toString("base64url");
  return `${payload}.${macOf(payload, secret).toString("base64url")}`;
}

/** The sign-in attempt in a cookie value; null when it is absent, altered, malformed or expired. */
export function openOidcFlow(value: string | null | undefined, secret: string, now: Date): OidcFlow | null {
  const [payload, mac, ...rest] = (value ?? "").split(".");
  if (!payload || !mac || rest.length > 0) return null;
  const given = Buffer.from(mac, "base64url");
  const expected = macOf(payload, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const flow = OidcFlowSchema.safeParse(json);
  if (!flow.success || flow.data.exp <= now.getTime()) return null;
  return flow.data;
}
