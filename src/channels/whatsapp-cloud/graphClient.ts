/**
 * Sending through the Graph API (`POST {apiRoot}/{version}/{phone-number-id}/messages`) and
 * turning its failures into ChannelSendErrors the outbox dispatcher understands.
 * Error codes: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
 */
import { z } from "zod";
import { redactText } from "../../privacy/redact.ts";
import { ChannelSendError } from "../channel.ts";

/**
 * Codes that mean "slow down", with who has to wait (the dispatcher honours retryAfterMs for that
 * scope). Every one of them is about the app, the business account or the sending number, so the
 * whole channel waits, except the pair rate limit, which is about one business–user pair:
 * https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes#throttling-errors
 */
const RATE_LIMIT_SCOPES = new Map<number, "channel" | "recipient">([
  [4, "channel"], // API Too Many Calls: the app's request limit
  [80007, "channel"], // the WhatsApp Business Account's rate limit
  [130429, "channel"], // the sending number's throughput (messages per second)
  [131048, "channel"], // spam rate limit: the number may send fewer messages for a while
  [131056, "recipient"], // pair rate limit: too many messages to this one user
]);
const PAIR_RATE_LIMIT = 131056;
/** Meta's pair rate limit is about one message per 6 seconds to one user. */
const PAIR_RATE_PAUSE_MS = 6_000;
const RATE_LIMIT_PAUSE_MS = 60_000;
/** An expired or revoked token: pause long enough for an operator to act, keep the messages. */
const AUTH_PAUSE_MS = 5 * 60_000;
const AUTH_CODES = new Set([190]);
const RE_ENGAGEMENT = 131047;

/** The error object the Graph API answers with. */
export const GraphErrorBodySchema = z.object({
  error: z.object({
    message: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    error_data: z.object({ details: z.string().optional() }).optional(),
    fbtrace_id: z.string().optional(),
  }),
});

/** The success answer of POST …/messages. */
export const GraphSendResultSchema = z.object({ messages: z.array(z.object({ id: z.string().min(1) })).min(1) });

/** Milliseconds from a Retry-After header (seconds, fractions accepted, or an HTTP date); null if absent or unreadable. */
export function parseRetryAfter(header: string | null, now: Date): number | null {
  if (header === null || header.trim() === "") return null;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/** Why a Graph API call failed. */
export type GraphFailureReason = "re-engagement" | "rate-limit" | "server" | "auth" | "refused" | "network" | "no-message-id";

/** A failed Graph API call: a ChannelSendError (the dispatcher's contract) that also says why. */
export class GraphSendError extends ChannelSendError {
  constructor(
    message: string,
    readonly reason: GraphFailureReason,
    options: ChannelSendError["options"] = {},
    readonly graphCode: number | null = null,
  ) {
    super(message, options);
    this.name = "GraphSendError";
  }
}

/** The failure of one Graph API call as a GraphSendError: retry when, or never. */
export function sendErrorFromGraphResponse(response: { status: number; retryAfter: string | null; body: unknown }, now: Date): GraphSendError {
  const parsed = GraphErrorBodySchema.safeParse(response.body);
  const error = parsed.success ? parsed.data.error : undefined;
  const code = error?.code;
  const detail = [error?.message, error?.error_data?.details].filter((part) => part !== undefined && part !== "").join(": ");
  const what = redactText(
    `WhatsApp Cloud API answered HTTP ${response.status}${code !== undefined ? `, error ${code}` : ""}${detail ? ` (${detail})` : ""}${error?.fbtrace_id ? ` [fbtrace_id ${error.fbtrace_id}]` : ""}`,
  );

  if (code === RE_ENGAGEMENT) {
    return new GraphSendError(
      `${what}: more than 24 hours have passed since the resident's last WhatsApp message, so WhatsApp only allows an approved template now (an outbox payload with a template); the message is not retried`,
      "re-engagement",
      { permanent: true },
      code,
    );
  }
  const rateLimitScope = code === undefined ? undefined : RATE_LIMIT_SCOPES.get(code);
  if (response.status === 429 || rateLimitScope !== undefined) {
    const retryAfterMs = parseRetryAfter(response.retryAfter, now) ?? (code === PAIR_RATE_LIMIT ? PAIR_RATE_PAUSE_MS : RATE_LIMIT_PAUSE_MS);
    // A 429 without a code we know: one resident waits; the pacer pauses the channel when several in a row are refused.
    const retryAfterScope = rateLimitScope ?? "recipient";
    return new GraphSendError(
      `${what}: rate limited${retryAfterScope === "channel" ? " (the whole number waits)" : ""}; retrying after ${Math.ceil(retryAfterMs / 1000)} s`,
      "rate-limit",
      { retryAfterMs, retryAfterScope },
      code ?? null,
    );
  }
  if (response.status >= 500) return new GraphSendError(`${what}: WhatsApp had a problem on its side; retrying`, "server", {}, code ?? null);
  if (response.status === 401 || (code !== undefined && AUTH_CODES.has(code))) {
    // Not permanent (unlike other 4xx): every reply would otherwise die while the token is being renewed.
    return new GraphSendError(
      `${what}: the access token was refused; set a valid WHATSAPP_CLOUD_TOKEN (a System User token does not expire) and restart`,
      "auth",
      // Every message on this number would be refused alike: the whole channel waits.
      { retryAfterMs: AUTH_PAUSE_MS, retryAfterScope: "channel" },
      code ?? null,
    );
  }
  return new GraphSendError(`${what}: refused; the message is not retried`, "refused", { permanent: true }, code ?? null);
}

/** Where and how to call the Graph API. */
export interface GraphEndpoint {
  apiRoot: string;
  graphVersion: string;
  phoneNumberId: string;
  token: string;
  timeoutMs: number;
}

/** POSTs one message body; resolves to its `wamid…`, throws GraphSendError. */
export async function postGraphMessage(endpoint: GraphEndpoint, body: object, now: () => Date): Promise<string> {
  const url = `${endpoint.apiRoot.replace(/\/+$/, "")}/${endpoint.graphVersion}/${endpoint.phoneNumberId}/messages`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { Authorization: `Bearer ${endpoint.token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(endpoint.timeoutMs),
    });
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new GraphSendError(`could not reach the WhatsApp Cloud API at ${endpoint.apiRoot} (${reason}); retrying`, "network");
  }
  const text = await response.text().catch(() => "");
  const json = safeJson(text);
  if (!response.ok) throw sendErrorFromGraphResponse({ status: response.status, retryAfter: response.headers.get("retry-after"), body: json }, now());
  const result = GraphSendResultSchema.safeParse(json);
  const id = result.success ? result.data.messages[0]?.id : undefined;
  // Accepted but unreadable: WhatsApp has the message, so a retry would send it twice.
  if (!id) throw new GraphSendError(`the WhatsApp Cloud API accepted a message (HTTP ${response.status}) without a message id; not retried to avoid a duplicate`, "no-message-id", { permanent: true });
  return id;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
