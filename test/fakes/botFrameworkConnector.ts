/**
 * A fake Bot Framework service URL (the Connector API a channel such as Web Chat or the Emulator
 * exposes): a real HTTP server on loopback that accepts
 * `POST /v3/conversations/:conversationId/activities[/:replyToId]`, records every activity and
 * answers `{ id }`, as Azure Bot Service does. Failures can be queued (429 with Retry-After, 403…).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";

/** One activity the bot sent, as the connector received it. */
export interface RecordedActivity {
  conversationId: string;
  replyToId: string | null;
  authorization: string | null;
  id: string;
  activity: Record<string, unknown>;
}

/** A queued answer instead of success. */
export interface FakeFailure {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** The running fake. */
export interface FakeBotFrameworkConnector {
  /** The serviceUrl to put in incoming activities. */
  url: string;
  /** Every activity accepted, in order. */
  activities: RecordedActivity[];
  /** Every request, including failed ones. */
  requests: number;
  /** Answers the next requests with these failures, one each, before succeeding again. */
  failNext(...failures: FakeFailure[]): void;
  close(): Promise<void>;
}

const PATH = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?\/?$/;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startFakeBotFrameworkConnector(): Promise<FakeBotFrameworkConnector> {
  const activities: RecordedActivity[] = [];
  const failures: FakeFailure[] = [];
  let requests = 0;
  let counter = 0;

  const server: Server = createServer((req, res) => {
    void (async () => {
      requests++;
      const match = PATH.exec(new URL(req.url ?? "/", "http://fake").pathname);
      if (req.method !== "POST" || !match?.[1]) {
        res.writeHead(404, { "Content-Type": "application/json" }).end(JSON.stringify({ error: { code: "NotFound", message: "no such route" } }));
        return;
      }
      const body = await readJson(req).catch(() => null);
      const failure = failures.shift();
      if (failure) {
        res
          .writeHead(failure.status, { "Content-Type": "application/json", ...failure.headers })
          .end(JSON.stringify(failure.body ?? { error: { code: "Failure", message: `fake failure ${failure.status}` } }));
        return;
      }
      if (!isRecord(body) || typeof body.type !== "string") {
        res.writeHead(400, { "Content-Type": "application/json" }).end(JSON.stringify({ error: { code: "BadArgument", message: "an activity is required" } }));
        return;
      }
      const conversationId = decodeURIComponent(match[1]);
      const id = `${conversationId}|${String(++counter).padStart(7, "0")}`;
      activities.push({ conversationId, replyToId: match[2] ? decodeURIComponent(match[2]) : null, authorization: req.headers.authorization ?? null, id, activity: body });
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ id }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("the fake connector is not listening on a port");
  return {
    url: `http://127.0.0.1:${address.port}/`,
    activities,
    get requests() {
      return requests;
    },
    failNext: (...next) => {
      failures.push(...next);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
