/**
 * The built-in web chat at /chat: try the bot as a resident in the browser, without any token.
 * A visitor is identified by a random id in an HttpOnly cookie. Messages go in through the same
 * ingest as every channel; replies are read back from the conversation (the outbox "send" only
 * records delivery), and a server-sent event tells the page when to look.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import express, { Router, type Request, type RequestHandler, type Response } from "express";
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import { findWebchatVisitorOfConversation } from "../../db/conversation.repo.ts";
import { findWebchatConversationLanguage, findWebchatResidentLanguage, listWebchatAcknowledgedMessageIds, listWebchatMessages } from "../../db/webchat.repo.ts";
import { HttpError } from "../../http/errors.ts";
import type { Logger } from "../../log.ts";
import type { ChannelAdapter, Ingest } from "../channel.ts";
import { formBody, jsonBody } from "../../http/bodyParsers.ts";
import { declaredPhotoType, detectPhotoType, storeWebchatPhoto, WEBCHAT_MAX_PHOTO_BYTES } from "./webchatPhotos.ts";
import { passedOnInOtherLanguage, renderWebchatPage, WebchatLanguageSchema, type WebchatLanguage } from "./webchatTexts.ts";

const COOKIE = "wl_chat";

/**
 * The web chat as a channel: delivery is reading from the database, so sending always succeeds. A
 * reaction shows as a small "passed on" mark on the resident's bubble (readMessages' `acknowledged`).
 */
export function createWebchatAdapter(): ChannelAdapter {
  return {
    kind: "webchat",
    capabilities: { buttons: true, maxButtons: 12, media: true, location: true, templates: false },
    // Sending only records delivery (the page reads the conversation): a repeat shows nothing twice.
    idempotentSends: true,
    async start() {},
    async stop() {},
    async send() {
      return { externalMessageId: randomUUID() };
    },
    async react() {
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

/** The page's form without JavaScript: a typed text or a tapped button's value, and the form's own message id. */
const FormPostSchema = z
  .object({
    clientMessageId: z.string().regex(/^[\w-]{8,64}$/),
    text: z.string().trim().min(1).max(2000).optional().catch(undefined),
    value: z.string().min(1).max(200).optional().catch(undefined),
  })
  .refine((body) => body.text !== undefined || body.value !== undefined);

/** From a public wijk page: /chat?start=wijkberichten&wijk=Geldrop-Centrum (app.js fills the same). */
const StartQuerySchema = z.object({ start: z.literal("wijkberichten"), wijk: z.string().max(200).optional() });

function startMessage(query: z.infer<typeof StartQuerySchema>): string {
  const wijk = (query.wijk ?? "")
    .replace(/[^\p{L}\p{N} ()'.-]/gu, "")
    .slice(0, 80)
    .trim();
  return wijk ? `Wijkberichten ${wijk}` : "wijkberichten";
}

/** How long a post without JavaScript waits for the bot's answer before the page is shown. */
const NO_SCRIPT_WAIT_MS = 3000;

/**
 * Waits for the bot's turn on one conversation, at most `ms`: listen before the message goes in
 * (the turn may end before ingest returns), then `until(conversationId)` once it is known.
 */
function waitForUpdate(onUpdate: (listener: (conversationId: string) => void) => () => void, ms: number): { until: (conversationId: string) => Promise<void>; cancel: () => void } {
  const seen = new Set<string>();
  let wanted: { id: string; resolve: () => void } | null = null;
  const off = onUpdate((id) => {
    seen.add(id);
    if (wanted?.id === id) wanted.resolve();
  });
  let timer: NodeJS.Timeout | undefined;
  return {
    until: (id) =>
      new Promise<void>((resolve) => {
        if (seen.has(id)) return resolve();
        wanted = { id, resolve };
        timer = setTimeout(resolve, ms);
      }),
    cancel: () => {
      clearTimeout(timer);
      off();
    },
  };
}

const AfterSchema = z.object({ after: z.string().max(100).optional() });

const PhotoQuerySchema = z.object({ clientMessageId: z.string().regex(/^[\w-]{8,64}$/, "clientMessageId: a random id per photo, 8-64 letters, digits, _ or -") });

const MAX_PHOTO_MB = WEBCHAT_MAX_PHOTO_BYTES / (1024 * 1024);

/**
 * Refuses a photo upload by its headers, before any byte is read: a clear 415 for a type that is not
 * a photo we take, a clear 413 for a declared size over the limit (the body parser's limit catches the rest).
 */
const checkPhotoHeaders: RequestHandler = (req, _res, next) => {
  if (!declaredPhotoType(req.headers["content-type"])) {
    throw new HttpError(415, "unsupported_photo_type", "Send a JPEG, PNG or WebP photo as the request body, with its Content-Type (image/jpeg, image/png or image/webp).");
  }
  if (Number(req.headers["content-length"] ?? "0") > WEBCHAT_MAX_PHOTO_BYTES) throw new HttpError(413, "photo_too_large", `The photo is larger than ${MAX_PHOTO_MB} MB; send a smaller one.`);
  next();
};

/** The page's language: the resident's, once known; Dutch before the first message. */
function pageLanguage(stored: string | null): WebchatLanguage {
  const parsed = WebchatLanguageSchema.safeParse(stored);
  return parsed.success ? parsed.data : "nl";
}

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
export function webchatRoutes(deps: {
  db: Db;
  ingest: Ingest;
  onUpdate: (listener: (conversationId: string) => void) => () => void;
  logger: Logger;
  limits?: Partial<StreamLimits>;
  /** Where residents' photos are written (DATA_DIR/media); without it photo uploads answer 503. */
  mediaDir?: string;
}): Router {
  const router = Router();
  const streams = new WebchatStreams(deps, { ...DEFAULT_STREAM_LIMITS, ...deps.limits });
  const page = asset("page.html");
  const script = asset("app.js");
  const style = asset("app.css");

  router.get("/chat", async (req, res) => {
    const known = visitorId(req);
    const visitor = ensureVisitor(req, res);
    const language = pageLanguage(known ? await findWebchatResidentLanguage(deps.db, visitor) : null);
    // For a browser without JavaScript the conversation so far is in the page (inside <noscript>).
    const messages = known ? (await readMessages(deps.db, visitor, undefined)).messages : [];
    const query = StartQuerySchema.safeParse(req.query);
    res.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    res.setHeader("Cache-Control", "no-store");
    res.type("html").send(renderWebchatPage(page, language, { messages, clientMessageId: randomUUID(), prefill: query.success ? startMessage(query.data) : "" }));
  });

  // The form without JavaScript: POST, never GET, so what the resident typed is not in the address
  // (browser history, proxy and server logs). The message goes through the same ingest; then back to
  // the page (303, Post/Redirect/Get), after waiting briefly for the answer so it is there at once.
  router.post("/chat", ...formBody("16kb", 5), async (req, res) => {
    const visitor = ensureVisitor(req, res);
    const parsed = FormPostSchema.safeParse(req.body);
    if (parsed.success) {
      const body = parsed.data;
      // A button: its label as the text, as the script sends it.
      const label = body.value ? (await readMessages(deps.db, visitor, undefined)).messages.at(-1)?.buttons.find((button) => button.value === body.value)?.label : undefined;
      const text = body.text ?? label ?? body.value;
      const answered = waitForUpdate(deps.onUpdate, NO_SCRIPT_WAIT_MS);
      const result = await deps.ingest({
        channel: "webchat",
        externalId: visitor,
        channelMessageId: `${visitor}:${body.clientMessageId}`,
        ...(text !== undefined ? { text } : {}),
        ...(body.value !== undefined ? { value: body.value } : {}),
      });
      if (result.stored && result.conversationId) await answered.until(result.conversationId);
      answered.cancel();
    }
    res.redirect(303, "/chat#text");
  });
  router.get("/chat/app.js", (_req, res) => {
    res.type("application/javascript").send(script);
  });
  router.get("/chat/app.css", (_req, res) => {
    res.type("text/css").send(style);
  });

  router.post("/chat/api/messages", jsonBody("16kb"), async (req, res) => {
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

  router.post("/chat/api/photos", checkPhotoHeaders, express.raw({ type: () => true, limit: WEBCHAT_MAX_PHOTO_BYTES }), async (req, res) => {
    const visitor = ensureVisitor(req, res);
    const query = PhotoQuerySchema.safeParse(req.query);
    if (!query.success) throw new HttpError(400, "invalid_photo", query.error.issues.map((i) => i.message).join("; "));
    if (!deps.mediaDir) throw new HttpError(503, "photos_off", "This Wijklijn has no media directory, so the web chat cannot take photos; describe it in words instead.");
    const bytes: unknown = req.body;
    if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new HttpError(400, "empty_photo", "The photo is empty: send the file's bytes as the request body.");
    const type = detectPhotoType(bytes);
    if (!type) throw new HttpError(415, "unsupported_photo_type", "This file is not a JPEG, PNG or WebP photo.");
    const ref = await storeWebchatPhoto(deps.mediaDir, bytes, type);
    const result = await deps.ingest({
      channel: "webchat",
      externalId: visitor,
      channelMessageId: `${visitor}:${query.data.clientMessageId}`,
      media: { ref, kind: "photo" },
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

  router.get("/chat/api/events", (req, res) => {
    const visitor = visitorId(req);
    // Without a chat cookie there is nothing to follow yet: the stream ends at once, and the
    // browser tries again (with the cookie the page has set by then) after the retry delay.
    if (!visitor) {
      res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-store" });
      res.end("retry: 2000\n\n");
      return;
    }
    const refusal = streams.admit(visitor, req.ip ?? "");
    if (refusal) {
      res.setHeader("Retry-After", "30");
      const message = {
        visitor: "This chat is already open in several tabs; close one and try again.",
        client: "Too many open chats from this address; close some and try again.",
        total: "Too many open chats right now; try again in a moment.",
      }[refusal];
      throw new HttpError(refusal === "total" ? 503 : 429, "too_many_streams", message);
    }
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-store", Connection: "keep-alive" });
    res.write("retry: 2000\n\n");
    const close = streams.open(visitor, req.ip ?? "", res);
    // A heartbeat keeps proxies from closing the stream, and lets several instances stay live.
    const heartbeat = setInterval(() => res.write("event: ping\ndata: {}\n\n"), 15_000);
    req.on("close", () => {
      clearInterval(heartbeat);
      close();
    });
  });
  return router;
}

/** How many live streams the web chat keeps open: per visitor (tabs), per client address, in all. */
export interface StreamLimits {
  perVisitor: number;
  perClient: number;
  total: number;
}

const DEFAULT_STREAM_LIMITS: StreamLimits = { perVisitor: 5, perClient: 50, total: 5000 };

/**
 * The open event streams, by visitor. One listener for the whole process: a changed conversation
 * costs one lookup of its visitor (cached), however many streams are open, and only that
 * visitor's streams are written to. Nothing a stranger opens makes a bot turn slower or can make
 * a lookup fail; a failed lookup is logged, never thrown into the event emitter.
 */
class WebchatStreams {
  private readonly byVisitor = new Map<string, Set<Response>>();
  private readonly byClient = new Map<string, number>();
  private total = 0;
  private unsubscribe: (() => void) | null = null;
  /** conversation id → its web chat visitor, or null for other channels. Conversations never move. */
  private readonly visitorOf = new Map<string, string | null>();

  constructor(
    private readonly deps: { db: Db; onUpdate: (listener: (conversationId: string) => void) => () => void; logger: Logger },
    private readonly limits: StreamLimits,
  ) {}

  /** Why a new stream is refused, or null when it may open. */
  admit(visitor: string, client: string): "visitor" | "client" | "total" | null {
    if ((this.byVisitor.get(visitor)?.size ?? 0) >= this.limits.perVisitor) return "visitor";
    if ((this.byClient.get(client) ?? 0) >= this.limits.perClient) return "client";
    if (this.total >= this.limits.total) return "total";
    return null;
  }

  /** Registers a stream; returns the function that closes it. */
  open(visitor: string, client: string, res: Response): () => void {
    const set = this.byVisitor.get(visitor) ?? new Set<Response>();
    set.add(res);
    this.byVisitor.set(visitor, set);
    this.byClient.set(client, (this.byClient.get(client) ?? 0) + 1);
    this.total += 1;
    this.unsubscribe ??= this.deps.onUpdate((conversationId) => {
      this.notify(conversationId).catch((error: unknown) => this.deps.logger.warn({ err: error, conversationId }, "could not tell a web chat about an update; it catches up on its next poll"));
    });
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      set.delete(res);
      if (set.size === 0) this.byVisitor.delete(visitor);
      const left = (this.byClient.get(client) ?? 1) - 1;
      if (left > 0) this.byClient.set(client, left);
      else this.byClient.delete(client);
      this.total -= 1;
      if (this.total === 0) {
        this.unsubscribe?.();
        this.unsubscribe = null;
      }
    };
  }

  private async notify(conversationId: string): Promise<void> {
    if (this.total === 0) return;
    let visitor = this.visitorOf.get(conversationId);
    if (visitor === undefined) {
      visitor = await findWebchatVisitorOfConversation(this.deps.db, conversationId);
      if (this.visitorOf.size >= 10_000) this.visitorOf.clear();
      this.visitorOf.set(conversationId, visitor);
    }
    if (!visitor) return;
    for (const res of this.byVisitor.get(visitor) ?? []) res.write(`event: update\ndata: ${conversationId}\n\n`);
  }
}

/** The visitor's messages after a cursor, with the buttons of bot messages. */
async function readMessages(db: Db, visitor: string, after: string | undefined) {
  const messages = await listWebchatMessages(db, visitor, after ? decodeCursor(after) : null);
  if (!messages) return { messages: [], cursor: null, language: "nl", passedOn: null, acknowledged: [] };
  const last = messages[messages.length - 1];
  return {
    messages: messages.map((m) => {
      const photo = m.mediaRef?.startsWith("photo:") ?? false;
      return {
        id: m.id,
        direction: m.direction,
        author: m.authorKind,
        text: m.text ?? (m.latitude !== null ? "📍" : ""),
        buttons: m.buttons,
        at: m.createdAt.toISOString(),
        photo,
        // A wijkbericht's photo (an https address staff gave, stored as "image:<url>"): the page shows it as an <img>.
        image: m.direction === "out" && m.mediaRef?.startsWith("image:https://") ? m.mediaRef.slice("image:".length) : null,
        // Without consent what the resident wrote is forgotten once handled: the page shows a neutral placeholder.
        notKept: m.direction === "in" && m.text === null && m.latitude === null && m.mediaRef === null,
      };
    }),
    language: pageLanguage(await findWebchatResidentLanguage(db, visitor)),
    // A conversation in Turkish, Polish…: the "passed on" mark in that language (null: the page's own text).
    passedOn: passedOnInOtherLanguage(await findWebchatConversationLanguage(db, visitor)),
    // The resident's messages the bot acknowledged with a reaction: the page marks those bubbles "passed on".
    acknowledged: await listWebchatAcknowledgedMessageIds(db, visitor),
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
