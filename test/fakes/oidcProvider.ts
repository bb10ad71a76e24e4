/**
 * A fake OpenID Connect provider over real HTTP on 127.0.0.1, strict where a real one is:
 * discovery at `/.well-known/openid-configuration`; `/authorize` wants a registered redirect
 * URI, the openid scope, a state, a nonce and an S256 PKCE challenge, and sends the browser
 * straight back with a code for the user the test chose (there is no login form); `/token`
 * checks the client secret (client_secret_basic or client_secret_post, as advertised), the code
 * (once), the redirect URI and the PKCE verifier, and answers with an ID token signed RS256 by a
 * key of its own, published at `/jwks`. A test can have the next ID token carry a wrong nonce,
 * audience or issuer, or be expired, or have /authorize answer with an error.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

/** A client authentication method at the token endpoint. */
export type TokenAuthMethod = "client_secret_basic" | "client_secret_post";

/** How the fake is set up. */
export interface FakeOidcProviderOptions {
  clientId: string;
  clientSecret: string;
  /** Advertised and accepted at /token; both by default. */
  authMethods?: TokenAuthMethod[];
}

/** Changes to the next ID token, to see the client refuse it. */
export interface IdTokenTampering {
  nonce?: string;
  aud?: string;
  iss?: string;
  /** Seconds from now; negative for a token that has expired. */
  expiresIn?: number;
}

/** A token request as the fake saw it. */
export interface TokenRequest {
  authMethod: TokenAuthMethod | null;
  status: number;
  error?: string;
}

/** A running fake provider. */
export interface FakeOidcProvider {
  /** The issuer identifier (http://127.0.0.1:port). */
  issuer: string;
  /** Redirect URIs /authorize accepts (register the app's callback here). */
  redirectUris: Set<string>;
  /** The claims (besides iss, aud, exp, iat, nonce) of whoever signs in next; `sub` is required. */
  signInAs(claims: { sub: string } & Record<string, unknown>): void;
  /** Alters the next ID token issued. */
  tamperNextToken(change: IdTokenTampering): void;
  /** Makes the next /authorize send the browser back with this OAuth error (e.g. access_denied). */
  refuseNextAuthorization(error: string): void;
  /** How often the discovery document was fetched. */
  discoveryRequests(): number;
  /** The query of every /authorize request. */
  readonly authorizeRequests: URLSearchParams[];
  readonly tokenRequests: TokenRequest[];
  close(): Promise<void>;
}

interface IssuedCode {
  redirectUri: string;
  codeChallenge: string;
  nonce: string;
  claims: Record<string, unknown>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

/** RFC 6749 2.3.1: the id and secret are form-urlencoded before base64. */
function decodeBasic(header: string | undefined): { id: string; secret: string } | null {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? "");
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  const decode = (value: string) => decodeURIComponent(value.replace(/\+/g, " "));
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

/** Starts the fake on a free loopback port. */
export async function startFakeOidcProvider(options: FakeOidcProviderOptions): Promise<FakeOidcProvider> {
  const authMethods = options.authMethods ?? ["client_secret_basic", "client_secret_post"];
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const kid = randomBytes(8).toString("hex");
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" }] };

  const codes = new Map<string, IssuedCode>();
  const redirectUris = new Set<string>();
  const authorizeRequests: URLSearchParams[] = [];
  const tokenRequests: TokenRequest[] = [];
  let nextUser: Record<string, unknown> | null = null;
  let tampering: IdTokenTampering = {};
  let refusal: string | null = null;
  let discoveries = 0;
  let issuer = "";

  const authorize = (url: URL, res: ServerResponse) => {
    const q = url.searchParams;
    authorizeRequests.push(q);
    const redirectUri = q.get("redirect_uri") ?? "";
    // An unknown client or redirect URI is shown to the user, never redirected to (RFC 6749 4.1.2.1).
    if (q.get("client_id") !== options.clientId || !redirectUris.has(redirectUri)) {
      res.writeHead(400, { "content-type": "text/plain" }).end("unknown client_id or redirect_uri");
      return;
    }
    const back = new URL(redirectUri);
    const state = q.get("state");
    if (state) back.searchParams.set("state", state);
    back.searchParams.set("iss", issuer);
    const problem =
      refusal ??
      (q.get("response_type") !== "code"
        ? "unsupported_response_type"
        : !(q.get("scope") ?? "").split(" ").includes("openid") || !q.get("nonce") || !state
          ? "invalid_request"
          : q.get("code_challenge_method") !== "S256" || !q.get("code_challenge")
            ? "invalid_request"
            : !nextUser
              ? "login_required"
              : null);
    refusal = null;
    if (problem || !nextUser) {
      back.searchParams.set("error", problem ?? "login_required");
    } else {
      const code = randomBytes(24).toString("base64url");
      codes.set(code, { redirectUri, codeChallenge: q.get("code_challenge") ?? "", nonce: q.get("nonce") ?? "", claims: nextUser });
      back.searchParams.set("code", code);
    }
    res.writeHead(302, { location: back.href }).end();
  };

  const token = async (req: IncomingMessage, res: ServerResponse) => {
    const form = await readForm(req);
    const basic = decodeBasic(req.headers.authorization);
    const authMethod: TokenAuthMethod | null = basic ? "client_secret_basic" : form.has("client_secret") ? "client_secret_post" : null;
    const refuse = (status: number, error: string) => {
      tokenRequests.push({ authMethod, status, error });
      // RFC 6749 5.2: a client that tried Basic gets a challenge back.
      sendJson(res, status, { error }, status === 401 && authMethod === "client_secret_basic" ? { "www-authenticate": 'Basic realm="fake", error="invalid_client"' } : {});
    };
    const id = basic?.id ?? form.get("client_id");
    const secret = basic?.secret ?? form.get("client_secret");
    if (!authMethod || !authMethods.includes(authMethod) || id !== options.clientId || secret !== options.clientSecret) return refuse(401, "invalid_client");
    if (form.get("grant_type") !== "authorization_code") return refuse(400, "unsupported_grant_type");
    const code = form.get("code") ?? "";
    const issued = codes.get(code);
    codes.delete(code);
    if (!issued || form.get("redirect_uri") !== issued.redirectUri) return refuse(400, "invalid_grant");
    const verifier = form.get("code_verifier") ?? "";
    if (createHash("sha256").update(verifier).digest("base64url") !== issued.codeChallenge) return refuse(400, "invalid_grant");

    const change = tampering;
    tampering = {};
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = now + (change.expiresIn ?? 300);
    const idToken = await new SignJWT({ ...issued.claims, nonce: change.nonce ?? issued.nonce })
      .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
      .setIssuer(change.iss ?? issuer)
      .setAudience(change.aud ?? options.clientId)
      .setIssuedAt(Math.min(now, expiresAt - 60))
      .setExpirationTime(expiresAt)
      .sign(privateKey);
    tokenRequests.push({ authMethod, status: 200 });
    sendJson(res, 200, { access_token: randomBytes(24).toString("base64url"), token_type: "Bearer", expires_in: 300, id_token: idToken, scope: "openid email profile" });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const route = `${req.method} ${url.pathname}`;
    if (route === "GET /.well-known/openid-configuration") {
      discoveries += 1;
      sendJson(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        scopes_supported: ["openid", "email", "profile"],
        token_endpoint_auth_methods_supported: authMethods,
        code_challenge_methods_supported: ["S256"],
        claims_supported: ["sub", "email", "email_verified", "name"],
        authorization_response_iss_parameter_supported: true,
      });
    } else if (route === "GET /authorize") {
      authorize(url, res);
    } else if (route === "POST /token") {
      token(req, res).catch((error: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" }).end(String(error));
      });
    } else if (route === "GET /jwks") {
      sendJson(res, 200, jwks);
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  issuer = `http://127.0.0.1:${port}`;

  return {
    issuer,
    redirectUris,
    signInAs(claims) {
      nextUser = claims;
    },
    tamperNextToken(change) {
      tampering = change;
    },
    refuseNextAuthorization(error) {
      refusal = error;
    },
    discoveryRequests: () => discoveries,
    authorizeRequests,
    tokenRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
