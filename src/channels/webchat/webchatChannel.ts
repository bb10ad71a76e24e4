/**
 * The built-in web chat at /chat: try the bot as a resident in the browser, without any token.
 * A visitor is identified by a random id in an HttpOnly cookie. Messages go in through the same
 * ingest as every channel; replies are read back from the conversation (the outbox "send" only
 * records delivery), and a server-sent event tells the page when to look.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import express, { Router, type Request, type Response } from "express";
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import { OutboundPayloadSchema } from "../../domain/messages.ts";
import { HttpError } from "../../http/errors.ts";
import type { ChannelAdapter, Ingest } from "../channel.ts";

const COOKIE = "wl_chat";

/** The web chat as a channel: delivery is reading from the database, so sending always succeeds. */
export function createWebchatAdapter(): ChannelAdapter {
  return {
    kind: "webchat",
    capabilities: { buttons: true, maxButtons: 12, media: false, location: true, templates: false },
    async start() {},
    async stop() {},
    async send() {
      return { externalMessageId: randomUUID() };
    },
  };
}

const PostSchema = z
  .object({
    clientMessageId: z.string().regex(/^[\w-]{8,64}$/, "a random id per message, 8-64 letters, digits, _ or -"),
    text: z.string().trim().min(1).max(2000).optional(),
    value: z.string().min(1).max(200).optional(),
    location: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).optional(),
  })
  .refine((body) => body.text !== undefined || body.value !== undefined || body.location !== undefined, "send text, a button value or a location");

const AfterSchema = z.object({ after: z.string().max(100).optional() });

function visitorId(req: Request): string | null {
  const header = req.headers.cookie ?? "";
  const match = new RegExp(`(?:^|;\\s*)${COOKIE}=([A-Za-z0-9_-]{20,64})`).exec(header);
  return match?.[1] ?? null;
}

function ensureVisitor(req: Request, res: Response): string {
  const existing = visitorId(req);
  if (existing) return existing;
  const id = randomBytes(18).toString("base64url");
  res.cookie(COOKIE, id, { httpOnly: true, sameSite: "lax", secure: req.secure, maxAge: 365 * 24 * 3600 * 1000, path: "/chat" });
  return id;
}

const asset = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), "utf8");

/** The /chat routes. `onUpdate` subscribes to "something changed in this conversation". */
export function webchatRoutes(deps: { db: Db; ingest: Ingest; onUpdate: (listener: (conversationId: string) => void) => () => void }): Router {
  const router = Router();
  const page = asset("page.html");
  const script = asset("app.js");
  const style = asset("app.css");

  router.get("/chat", (req, res) => {
    ensureVisitor(req, res);
    res.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    res.type("html").send(page);
  });
  router.get("/chat/app.js", (_req, res) => {
    res.type("application/javascript").send(script);
  });
  router.get("/chat/app.css", (_req, res) => {
    res.type("text/css").send(style);
  });

  router.post("/chat/api/messages", express.json({ limit: "16kb" }), async (req, res) => {
    const visitor = ensureVisitor(req, res);
    const parsed = PostSchema.safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, "invalid_message", parsed.error.issues.map((i) => i.message).join("; "));
    const body = parsed.data;
    const result = await deps.ingest({
      channel: "webchat",
      externalId: visitor,
      channelMessageId: `${visitor}:${body.clientMessageId}`,
      ...(body.text !== undefined ? { text: body.text } : {}),
      ...(body.value !== undefined ? { value: body.value } : {}),
      ...(body.location ? { location: body.location } : {}),
    });
    res.status(202).json({ stored: result.stored });
  });

  router.get("/chat/api/messages", async (req, res) => {
    const visitor = visitorId(req);
    if (!visitor) {
      res.json({ messages: [], cursor: null });
      return;
    }
    const query = AfterSchema.safeParse(req.query);
    if (!query.success) throw new HttpError(400, "invalid_query", "after must be a cursor from an earlier answer");
    res.json(await readMessages(deps.db, visitor, query.data.after));
  });

  router.get("/chat/api/events", async (req, res) => {
    const visitor = visitorId(req);
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-store", Connection: "keep-alive" });
    res.write("retry: 2000\n\n");
    if (!visitor) return;
    const identity = await deps.db.channelIdentity.findUnique({ where: { channel_externalId: { channel: "webchat", externalId: visitor } }, select: { id: true } });
    let identityId = identity?.id ?? null;
    const unsubscribe = deps.onUpdate(async (conversationId) => {
      if (!identityId) identityId = (await deps.db.channelIdentity.findUnique({ where: { channel_externalId: { channel: "webchat", externalId: visitor } }, select: { id: true } }))?.id ?? null;
      const mine = identityId ? await deps.db.conversation.count({ where: { id: conversationId, channelIdentityId: identityId } }) : 0;
      if (mine > 0) res.write(`event: update\ndata: ${conversationId}\n\n`);
    });
    // A heartbeat keeps proxies from closing the stream, and lets several instances stay live.
    const heartbeat = setInterval(() => res.write("event: ping\ndata: {}\n\n"), 15_000);
    req.on("close", () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
  return router;
}

/** The visitor's messages after a cursor, with the buttons of bot messages. */
async function readMessages(db: Db, visitor: string, after: string | undefined) {
  const identity = await db.channelIdentity.findUnique({ where: { channel_externalId: { channel: "webchat", externalId: visitor } } });
  if (!identity) return { messages: [], cursor: null };
  const cursor = after ? decodeCursor(after) : null;
  const messages = await db.message.findMany({
    where: {
      conversation: { channelIdentityId: identity.id },
      direction: { in: ["in", "out"] },
      ...(cursor ? { OR: [{ createdAt: { gt: cursor.at } }, { createdAt: cursor.at, id: { gt: cursor.id } }] } : {}),
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: 200,
  });
  const outbox = await db.outboxMessage.findMany({ where: { channelIdentityId: identity.id, createdAt: { gte: messages[0]?.createdAt ?? new Date(0) } }, select: { payload: true } });
  const buttonsByMessage = new Map<string, Array<{ label: string; value: string }>>();
  for (const row of outbox) {
    const parsed = OutboundPayloadSchema.extend({ messageId: z.string() }).safeParse(safeJson(row.payload));
    if (parsed.success) buttonsByMessage.set(parsed.data.messageId, parsed.data.buttons);
  }
  const last = messages[messages.length - 1];
  return {
    messages: messages.map((m) => ({
      id: m.id,
      direction: m.direction,
      author: m.authorKind,
      text: m.text ?? (m.latitude !== null ? "📍" : ""),
      buttons: buttonsByMessage.get(m.id) ?? [],
      at: m.createdAt.toISOString(),
    })),
    cursor: last ? encodeCursor(last.createdAt, last.id) : (after ?? null),
  };
}

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString("base64url");
}

function decodeCursor(value: string): { at: Date; id: string } | null {
  const [at, id] = Buffer.from(value, "base64url").toString("utf8").split("|");
  const date = at ? new Date(at) : null;
  return date && !Number.isNaN(date.getTime()) && id ? { at: date, id } : null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
