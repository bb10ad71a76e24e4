/**
 * A client for an external Open311 GeoReport v2 endpoint (the gemeente's meldingen system), in
 * JSON: file a request, read one back, turn a token into an id. Answers are parsed with zod;
 * every failure says whether trying again can help (`permanent`: a 4xx, the endpoint refuses
 * this request as it is) and carries the endpoint's own error description, never our input.
 */
import { z } from "zod";

/** Where the endpoint is and how Wijklijn signs in to it. */
export interface Open311Endpoint {
  /** The base, e.g. https://meldingen.example.nl/open311/v2/ */
  url: string;
  apiKey: string;
  jurisdiction: string | null;
  /** How long one call may take (default 10 seconds). */
  timeoutMs?: number;
}

/** A call that failed: `permanent` when the endpoint refused it (4xx), else worth another try. */
export class Open311CallError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = "Open311CallError";
  }
}

/** The fields of a new request (GeoReport v2 POST requests). */
export interface NewOpen311Request {
  serviceCode: string;
  description: string;
  lat: number | null;
  long: number | null;
  addressString: string | null;
}

const ErrorsSchema = z.array(z.object({ code: z.union([z.number(), z.string()]).optional(), description: z.string().optional() }));
const CreatedSchema = z
  .array(z.object({ service_request_id: z.union([z.string(), z.number()]).nullish(), token: z.union([z.string(), z.number()]).nullish(), service_notice: z.string().nullish() }))
  .min(1);
const RequestSchema = z
  .array(z.object({ service_request_id: z.union([z.string(), z.number()]), status: z.enum(["open", "closed"]), status_notes: z.string().nullish(), updated_datetime: z.string().nullish() }))
  .min(1);
const TokenSchema = z.array(z.object({ service_request_id: z.union([z.string(), z.number()]).nullish(), token: z.union([z.string(), z.number()]).nullish() }));

/** What the endpoint said about a request. */
export interface ExternalStatus {
  status: "open" | "closed";
  notes: string | null;
}

function resource(endpoint: Open311Endpoint, path: string, query: Record<string, string> = {}): string {
  const url = new URL(path, endpoint.url.endsWith("/") ? endpoint.url : `${endpoint.url}/`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  if (endpoint.jurisdiction) url.searchParams.set("jurisdiction_id", endpoint.jurisdiction);
  return url.toString();
}

async function call(endpoint: Open311Endpoint, url: string, init: RequestInit): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(endpoint.timeoutMs ?? 10_000), headers: { accept: "application/json", ...init.headers } });
  } catch (error) {
    throw new Open311CallError(`the Open311 endpoint did not answer (${error instanceof Error ? error.name : "network error"})`, false);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const errors = ErrorsSchema.safeParse(body);
    const description = errors.success ? errors.data.map((error) => error.description ?? "").join("; ") : "";
    // 408 and 429 are the endpoint asking for patience; other 4xx refuse the request as it is.
    const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
    throw new Open311CallError(`the Open311 endpoint answered ${response.status}${description ? `: ${description.slice(0, 300)}` : ""}`, permanent);
  }
  return body;
}

/** Files a request; the endpoint's id, or its token when it has no id yet. */
export async function postOpen311Request(endpoint: Open311Endpoint, request: NewOpen311Request): Promise<{ id: string | null; token: string | null }> {
  const form = new URLSearchParams({ api_key: endpoint.apiKey, service_code: request.serviceCode, description: request.description });
  if (endpoint.jurisdiction) form.set("jurisdiction_id", endpoint.jurisdiction);
  if (request.lat !== null && request.long !== null) {
    form.set("lat", String(request.lat));
    form.set("long", String(request.long));
  }
  if (request.addressString) form.set("address_string", request.addressString);
  const body = await call(endpoint, resource(endpoint, "requests.json"), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() });
  const parsed = CreatedSchema.safeParse(body);
  const first = parsed.success ? parsed.data[0] : undefined;
  const id = first?.service_request_id;
  const token = first?.token;
  if (!first || ((id === null || id === undefined) && (token === null || token === undefined))) {
    // The request may exist now: the next try looks it up by its kenmerk before posting again.
    throw new Open311CallError("the Open311 endpoint accepted the request but gave no service_request_id or token", false);
  }
  return { id: id === null || id === undefined ? null : String(id), token: token === null || token === undefined ? null : String(token) };
}

const ListedSchema = z.array(z.object({ service_request_id: z.union([z.string(), z.number()]).nullish(), description: z.string().nullish() }));

/**
 * What a look-up by kenmerk found: the request (`found`), certainly none (`absent`: the endpoint
 * listed the service's requests of the period with their descriptions, and none carries it), or
 * `unknown` (it lists requests without descriptions, so a request of ours could hide among them).
 */
export type Open311LookUp = { kind: "found"; id: string } | { kind: "absent" } | { kind: "unknown" };

/**
 * Looks for the request whose description carries `marker` (GET requests with service_code and
 * start_date/end_date, as GeoReport v2 has no search by any field Wijklijn sends).
 */
export async function findOpen311RequestByMarker(endpoint: Open311Endpoint, input: { serviceCode: string; marker: string; from: Date; to: Date }): Promise<Open311LookUp> {
  const body = await call(endpoint, resource(endpoint, "requests.json", { service_code: input.serviceCode, start_date: input.from.toISOString(), end_date: input.to.toISOString() }), {
    method: "GET",
  });
  const parsed = ListedSchema.safeParse(body);
  if (!parsed.success) throw new Open311CallError("the Open311 endpoint answered GET requests with something else than a list of requests", false);
  const match = parsed.data.find((request) => request.description?.includes(input.marker));
  if (match) {
    if (match.service_request_id === null || match.service_request_id === undefined) return { kind: "unknown" };
    return { kind: "found", id: String(match.service_request_id) };
  }
  return parsed.data.every((request) => typeof request.description === "string") ? { kind: "absent" } : { kind: "unknown" };
}

/** The id behind a token (GET tokens/:token), or null while the endpoint has none yet. */
export async function resolveOpen311Token(endpoint: Open311Endpoint, token: string): Promise<string | null> {
  const body = await call(endpoint, resource(endpoint, `tokens/${encodeURIComponent(token)}.json`), { method: "GET" });
  const parsed = TokenSchema.safeParse(body);
  const id = parsed.success ? parsed.data[0]?.service_request_id : undefined;
  return id === null || id === undefined ? null : String(id);
}

/** A request's status and notes (GET requests/:id). */
export async function getOpen311Status(endpoint: Open311Endpoint, id: string): Promise<ExternalStatus> {
  const body = await call(endpoint, resource(endpoint, `requests/${encodeURIComponent(id)}.json`), { method: "GET" });
  const parsed = RequestSchema.safeParse(body);
  const first = parsed.success ? parsed.data[0] : undefined;
  if (!first) throw new Open311CallError("the Open311 endpoint answered a request without a status", false);
  const notes = first.status_notes?.trim();
  return { status: first.status, notes: notes ? notes.slice(0, 1000) : null };
}
