/**
 * A fake WhatsApp Cloud (Graph) API over real HTTP on 127.0.0.1: records what Wijklijn POSTs to
 * `/:version/:phoneNumberId/messages`, checks the bearer token and WhatsApp's limits on message
 * bodies (so a body the real API would refuse fails here too), answers `{ messages: [{ id }] }`,
 * and can be told to fail the next calls with a rate limit (any of Meta's throttling codes), an
 * expired token (190), a 500, a 131047 (24-hour window closed) or a refusal (131009, e.g. a
 * reaction on a message too old to react to).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { z } from "zod";

const ReplyButtonSchema = z.object({ type: z.literal("reply"), reply: z.object({ id: z.string().min(1).max(256), title: z.string().min(1).max(20) }) });
const RowSchema = z.object({ id: z.string().min(1).max(200), title: z.string().min(1).max(24), description: z.string().max(72).optional() });

const common = { messaging_product: z.literal("whatsapp"), recipient_type: z.literal("individual").optional(), to: z.string().min(1) };

/** The message bodies the fake accepts, with WhatsApp's documented limits. */
export const GraphRequestSchema = z.discriminatedUnion("type", [
  z.object({ ...common, type: z.literal("text"), text: z.object({ body: z.string().min(1).max(4096), preview_url: z.boolean().optional() }) }),
  z.object({
    ...common,
    type: z.literal("interactive"),
    interactive: z.discriminatedUnion("type", [
      z.object({
        type: z.literal("button"),
        body: z.object({ text: z.string().min(1).max(1024) }),
        action: z.object({ buttons: z.array(ReplyButtonSchema).min(1).max(3) }),
      }),
      z.object({
        type: z.literal("list"),
        body: z.object({ text: z.string().min(1).max(4096) }),
        action: z.object({
          button: z.string().min(1).max(20),
          sections: z
            .array(z.object({ title: z.string().max(24).optional(), rows: z.array(RowSchema).min(1) }))
            .min(1)
            .max(10),
        }),
      }),
    ]),
  }),
  // An image by link (https only, as Wijklijn sends it); the caption is at most 1024 characters.
  z.object({ ...common, type: z.literal("image"), image: z.object({ link: z.url({ protocol: /^https$/ }), caption: z.string().max(1024).optional() }) }),
  z.object({ ...common, type: z.literal("reaction"), reaction: z.object({ message_id: z.string().regex(/^wamid\./), emoji: z.string() }) }),
  z.object({
    ...common,
    type: z.literal("template"),
    template: z.object({ name: z.string().min(1), language: z.object({ code: z.string().min(2) }), components: z.array(z.unknown()).optional() }),
  }),
]);
/** A message body the fake accepted. */
export type GraphRequest = z.infer<typeof GraphRequestSchema>;

/** A message the fake accepted. */
export interface SentMessage {
  id: string;
  to: string;
  body: GraphRequest;
  /** The visible text: text body, interactive body or template name. */
  text: string;
  /** Reply button titles, or list row titles; empty for plain text. */
  options: string[];
  /** "text", "button", "list", "template", "image" (text: the caption) or "reaction" (text: the emoji). */
  kind: "text" | "button" | "list" | "template" | "image" | "reaction";
}

/** One call as the fake saw it, accepted or not. */
export interface RecordedCall {
  path: string;
  status: number;
  authorization: string | null;
  to: string | null;
}

/** A failure to answer with instead of accepting. */
export type FakeFailure =
  | { kind: "rate-limit"; retryAfterSeconds?: number; code?: 4 | 80007 | 130429 | 131048 | 131056; status?: 400 | 429 }
  | { kind: "server-error" }
  | { kind: "re-engagement" }
  | { kind: "token-expired" }
  | { kind: "refused" };

/** A running fake Graph API. */
export interface FakeGraphApi {
  /** Use as apiRoot. */
  url: string;
  calls: RecordedCall[];
  sent: SentMessage[];
  /** Makes the next `count` message calls fail this way (queued after earlier failures). */
  failNext(count: number, failure: FakeFailure): void;
  sentTo(waId: string): SentMessage[];
  /** Resolves once `count` messages were accepted for `waId`; rejects after `timeoutMs`. */
  waitForSent(waId: string, count: number, timeoutMs?: number): Promise<SentMessage[]>;
  close(): Promise<void>;
}

const graphError = (code: number, message: string, type = "OAuthException") => ({
  error: { message, type, code, error_data: { messaging_product: "whatsapp", details: message }, fbtrace_id: "AbCdEfGh123" },
});

function summarise(body: GraphRequest): Pick<SentMessage, "text" | "options" | "kind"> {
  switch (body.type) {
    case "text":
      return { kind: "text", text: body.text.body, options: [] };
    case "interactive":
      return body.interactive.type === "button"
        ? { kind: "button", text: body.interactive.body.text, options: body.interactive.action.buttons.map((b) => b.reply.title) }
        : { kind: "list", text: body.interactive.body.text, options: body.interactive.action.sections.flatMap((s) => s.rows.map((r) => r.title)) };
    case "template":
      return { kind: "template", text: body.template.name, options: [] };
    case "image":
      return { kind: "image", text: body.image.caption ?? "", options: [] };
    case "reaction":
      return { kind: "reaction", text: body.reaction.emoji, options: [] };
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

/** Starts the fake on a free loopback port. Only `token` and `phoneNumberId` are accepted. */
export async function startFakeGraphApi(options: { token: string; phoneNumberId: string }): Promise<FakeGraphApi> {
  const calls: RecordedCall[] = [];
  const sent: SentMessage[] = [];
  const failures: FakeFailure[] = [];
  let counter = 0;

  const answer = (res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(JSON.stringify(json));
  };

  const server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? "/", "http://fake").pathname;
      const raw = await readBody(req);
      const record = (status: number, to: string | null) => calls.push({ path, status, authorization: req.headers.authorization ?? null, to });
      const route = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/.exec(path);
      if (req.method !== "POST" || !route) {
        record(404, null);
        answer(res, 404, graphError(100, "Unknown path components", "GraphMethodException"));
        return;
      }
      if (req.headers.authorization !== `Bearer ${options.token}`) {
        record(401, null);
        answer(res, 401, graphError(190, "Invalid OAuth access token - Cannot parse access token"));
        return;
      }
      if (route[2] !== options.phoneNumberId) {
        record(400, null);
        answer(res, 400, graphError(100, `Unsupported post request. Object with ID '${route[2]}' does not exist`, "GraphMethodException"));
        return;
      }
      let json: unknown = null;
      try {
        json = JSON.parse(raw);
      } catch {
        // answered below as an invalid parameter
      }
      const parsed = GraphRequestSchema.safeParse(json);
      if (!parsed.success) {
        record(400, null);
        answer(res, 400, graphError(131009, `Parameter value is not valid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`));
        return;
      }
      const to = parsed.data.to;
      const failure = failures.shift();
      if (failure?.kind === "rate-limit") {
        const status = failure.status ?? 429;
        record(status, to);
        const code = failure.code ?? 130429;
        answer(res, status, graphError(code, "Rate limit hit"), failure.retryAfterSeconds !== undefined ? { "Retry-After": String(failure.retryAfterSeconds) } : {});
        return;
      }
      if (failure?.kind === "server-error") {
        record(500, to);
        answer(res, 500, graphError(131000, "Something went wrong"));
        return;
      }
      if (failure?.kind === "refused") {
        record(400, to);
        answer(res, 400, graphError(131009, "Parameter value is not valid: the message to react to is too old or unknown"));
        return;
      }
      if (failure?.kind === "token-expired") {
        record(401, to);
        answer(res, 401, graphError(190, "Error validating access token: Session has expired"));
        return;
      }
      if (failure?.kind === "re-engagement") {
        record(400, to);
        answer(res, 400, graphError(131047, "Re-engagement message"));
        return;
      }
      const id = `wamid.${++counter}`;
      sent.push({ id, to, body: parsed.data, ...summarise(parsed.data) });
      record(200, to);
      answer(res, 200, { messaging_product: "whatsapp", contacts: [{ input: to, wa_id: to }], messages: [{ id }] });
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the fake Graph API has no TCP address");
  const { port } = address;

  const sentTo = (waId: string) => sent.filter((message) => message.to === waId);
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    sent,
    failNext(count, failure) {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    sentTo,
    async waitForSent(waId, count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (sentTo(waId).length < count) {
        if (Date.now() > deadline) {
          const got = sentTo(waId)
            .map((m) => `  ${m.kind}: ${m.text.slice(0, 60)}`)
            .join("\n");
          throw new Error(`the fake Graph API got ${sentTo(waId).length} of ${count} messages for ${waId} within ${timeoutMs} ms:\n${got}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return sentTo(waId);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
