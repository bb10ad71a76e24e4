/**
 * A fake external Open311 GeoReport v2 endpoint (a gemeente's meldingen system) over real HTTP on
 * 127.0.0.1: POST requests.json (form fields, api_key checked) creates a request and answers
 * `[{ service_request_id }]`; GET requests/:id.json answers its status and notes, which a test
 * sets; GET requests.json lists them by service_code and start_date/end_date, with descriptions
 * (or, when told, without them, as some systems do). It can be told to fail the next calls: a 500,
 * a dropped connection, a 400 refusal, or `accept-drop` (the request is made, then the connection
 * drops: the answer is lost); and to hold the next POST after making its request, never answering,
 * so that a test can kill the sender in between.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

/** A failure the fake answers with instead of the real thing. */
export type Open311Failure = "500" | "drop" | "400" | "accept-drop";

/** A request the fake holds. */
export interface FakeOpen311Request {
  id: string;
  fields: Record<string, string>;
  requestedAt: Date;
  status: "open" | "closed";
  notes: string | null;
}

/** The running fake. */
export interface FakeOpen311Server {
  url: string;
  apiKey: string;
  /** Every POST that reached the fake (also the failed ones), as its form fields. */
  posts: Array<Record<string, string>>;
  /** Every GET path that reached it. */
  gets: string[];
  requests: Map<string, FakeOpen311Request>;
  /** Fails the next POSTs (in order) with these. */
  failPosts(...failures: Open311Failure[]): void;
  /** Fails the next GETs of request `id` (in order) with these. */
  failGets(id: string, ...failures: Open311Failure[]): void;
  setStatus(id: string, status: "open" | "closed", notes: string | null): void;
  /** Makes the next POST's request and then holds the call unanswered; resolves with that request. */
  holdNextPost(): Promise<FakeOpen311Request>;
  /** Whether GET requests.json leaves the descriptions out (default false). */
  listWithoutDescriptions: boolean;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

/** Starts the fake on a free loopback port. */
export async function startFakeOpen311Server(options: { apiKey?: string; now?: () => Date } = {}): Promise<FakeOpen311Server> {
  const now = options.now ?? (() => new Date());
  const apiKey = options.apiKey ?? "extern-sleutel";
  const posts: Array<Record<string, string>> = [];
  const gets: string[] = [];
  const requests = new Map<string, FakeOpen311Request>();
  const postFailures: Open311Failure[] = [];
  const getFailures = new Map<string, Open311Failure[]>();
  let counter = 0;
  let hold: ((request: FakeOpen311Request) => void) | null = null;

  const fail = (res: ServerResponse, failure: Open311Failure) => {
    if (failure === "drop") {
      res.socket?.destroy();
      return;
    }
    if (failure === "500") return json(res, 500, [{ code: 500, description: "Interne fout" }]);
    json(res, 400, [{ code: 400, description: "service_code onbekend" }]);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://fake");
      if (req.method === "POST" && url.pathname === "/open311/v2/requests.json") {
        const fields = Object.fromEntries(new URLSearchParams(await readBody(req)));
        posts.push(fields);
        const failure = postFailures.shift();
        if (failure && failure !== "accept-drop") return fail(res, failure);
        if (fields.api_key !== apiKey) return json(res, 403, [{ code: 403, description: "api_key ongeldig" }]);
        counter++;
        const id = `EXT-${counter}`;
        const created: FakeOpen311Request = { id, fields, requestedAt: now(), status: "open", notes: null };
        requests.set(id, created);
        if (failure === "accept-drop") return fail(res, "drop");
        if (hold) {
          const release = hold;
          hold = null;
          release(created);
          return; // never answered
        }
        return json(res, 201, [{ service_request_id: id, service_notice: null, account_id: null }]);
      }
      if (req.method === "GET" && url.pathname === "/open311/v2/requests.json") {
        gets.push(url.pathname + url.search);
        const code = url.searchParams.get("service_code");
        const from = url.searchParams.get("start_date");
        const to = url.searchParams.get("end_date");
        const listed = [...requests.values()].filter(
          (request) => (!code || request.fields.service_code === code) && (!from || request.requestedAt >= new Date(from)) && (!to || request.requestedAt <= new Date(to)),
        );
        return json(
          res,
          200,
          listed.map((request) => ({
            service_request_id: request.id,
            status: request.status,
            service_code: request.fields.service_code,
            ...(fake.listWithoutDescriptions ? {} : { description: request.fields.description ?? "" }),
            requested_datetime: request.requestedAt.toISOString(),
          })),
        );
      }
      const match = /^\/open311\/v2\/requests\/([^/]+)\.json$/.exec(url.pathname);
      if (req.method === "GET" && match?.[1]) {
        gets.push(url.pathname);
        const id = decodeURIComponent(match[1]);
        const failure = getFailures.get(id)?.shift();
        if (failure) return fail(res, failure);
        const found = requests.get(id);
        if (!found) return json(res, 404, [{ code: 404, description: "niet gevonden" }]);
        return json(res, 200, [
          { service_request_id: found.id, status: found.status, status_notes: found.notes, service_code: found.fields.service_code, requested_datetime: "2026-11-30T10:00:00+01:00" },
        ]);
      }
      json(res, 404, [{ code: 404, description: "onbekend" }]);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const fake: FakeOpen311Server = {
    url: `http://127.0.0.1:${port}/open311/v2/`,
    apiKey,
    posts,
    gets,
    requests,
    failPosts: (...failures) => postFailures.push(...failures),
    failGets: (id, ...failures) => getFailures.set(id, [...(getFailures.get(id) ?? []), ...failures]),
    setStatus(id, status, notes) {
      const found = requests.get(id);
      if (!found) throw new Error(`the fake has no request ${id}`);
      found.status = status;
      found.notes = notes;
    },
    holdNextPost: () =>
      new Promise<FakeOpen311Request>((resolve) => {
        hold = resolve;
      }),
    listWithoutDescriptions: false,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return fake;
}
