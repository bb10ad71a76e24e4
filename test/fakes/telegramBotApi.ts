/**
 * A fake Telegram Bot API server over real HTTP on 127.0.0.1, for running real grammY against:
 * getMe, getUpdates (long polling with offsets and timeout), sendMessage, sendPhoto (a photo by
 * address, caption at most 1024), setMessageReaction,
 * answerCallbackQuery, setWebhook/deleteWebhook, getFile and the file download path. It can be told
 * to fail the next sendMessage calls (429 with retry_after, 5xx, 403, or a dropped connection) and
 * the next setMessageReaction calls.
 */
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { z } from "zod";
import type { TelegramBotInfo } from "../../src/channels/telegram/telegramChannel.ts";

/** The bot the fake pretends to be (pass it as botInfo to skip getMe). */
export const FAKE_BOT_INFO: TelegramBotInfo = {
  id: 7_000_000_001,
  is_bot: true,
  first_name: "Wijklijn",
  username: "WijklijnTestBot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

/** A message the bot sent, as the resident's phone would show it. */
export interface SentMessage {
  chatId: string;
  messageId: number;
  text: string;
  /** sendPhoto: the photo's address (text is then its caption, "" without one). */
  photo?: string;
  /** Inline keyboard buttons, row by row flattened. */
  inlineButtons: Array<{ text: string; callbackData: string | undefined }>;
  /** Reply keyboard buttons (label, and whether it asks for the location). */
  keyboardButtons: Array<{ text: string; requestLocation: boolean }>;
  removesKeyboard: boolean;
}

/** How the next sendMessage calls fail. */
export type SendFailure = { status: 429; retryAfter: number } | { status: 400 | 403 | 500 | 502; description?: string } | { network: true };

/** A running fake. */
export interface FakeTelegramBotApi {
  apiRoot: string;
  token: string;
  /** Queues an update (update_id is assigned) and wakes a waiting getUpdates; returns the update_id. */
  pushUpdate(update: Record<string, unknown>): number;
  /** Updates not yet confirmed by a getUpdates with a higher offset. */
  unconfirmedUpdates(): number;
  sentTo(chatId: number | string): SentMessage[];
  /** Resolves with the messages to a chat once there are at least `count`; rejects after the timeout. */
  waitForSent(chatId: number | string, count: number, timeoutMs?: number): Promise<SentMessage[]>;
  failNextSends(count: number, failure: SendFailure): void;
  /**
   * The next sendMessage is delivered (the resident's phone shows it) but never answered, as when
   * the sender dies mid-request; resolves with that message once it arrived.
   */
  holdNextSend(): Promise<SentMessage>;
  /** sendMessage calls that were answered with a failure. */
  failedSends: number;
  /** Every sendMessage call in order, with what the fake answered. */
  sendAttempts: Array<{ chatId: string; text: string; outcome: "sent" | "failed" }>;
  /** Every delivered message's chat and the moment (Date.now()) the fake received it: for exactly-once and rate checks over many chats. */
  deliveries: Array<{ chatId: string; at: number }>;
  answeredCallbackQueries: string[];
  /** Every reaction the bot set, in order. */
  reactions: Array<{ chatId: string; messageId: number; emoji: string }>;
  /** Resolves with the reactions in a chat once there are at least `count`; rejects after the timeout. */
  waitForReactions(chatId: number | string, count: number, timeoutMs?: number): Promise<Array<{ chatId: string; messageId: number; emoji: string }>>;
  /** Makes the next `count` setMessageReaction calls fail (e.g. 400 REACTION_INVALID). */
  failNextReactions(count: number, failure: SendFailure): void;
  webhook: { url: string; secretToken: string | undefined } | null;
  addFile(fileId: string, file: { path: string; bytes: Buffer }): void;
  /** Every method called, in order. */
  calls: string[];
  close(): Promise<void>;
}

const ChatIdSchema = z.union([z.number().int(), z.string().min(1)]);
const SendMessageSchema = z.object({
  chat_id: ChatIdSchema,
  text: z.string().min(1).max(4096),
  reply_markup: z
    .object({
      inline_keyboard: z.array(z.array(z.object({ text: z.string().min(1), callback_data: z.string().max(64).optional() }))).optional(),
      keyboard: z.array(z.array(z.union([z.string(), z.object({ text: z.string().min(1), request_location: z.boolean().optional() })]))).optional(),
      remove_keyboard: z.boolean().optional(),
    })
    .optional(),
});
const SendPhotoSchema = z.object({
  chat_id: ChatIdSchema,
  photo: z.string().min(1),
  caption: z.string().max(1024).optional(),
  reply_markup: SendMessageSchema.shape.reply_markup,
});
/** Telegram checks the emoji against its allowed set (https://core.telegram.org/bots/api#reactiontypeemoji); the fake knows a few. */
const ALLOWED_REACTIONS = new Set(["👍", "👎", "❤", "🔥", "👏", "🙏", "👌", "🤝", "👀"]);
const SetMessageReactionSchema = z.object({
  chat_id: ChatIdSchema,
  message_id: z.number().int(),
  reaction: z.array(z.object({ type: z.literal("emoji"), emoji: z.string() })).max(1),
});
const GetUpdatesSchema = z.object({ offset: z.number().int().optional(), limit: z.number().int().min(1).max(100).optional(), timeout: z.number().min(0).optional() });
const AnswerCallbackSchema = z.object({ callback_query_id: z.string().min(1) });
const SetWebhookSchema = z.object({ url: z.string().min(1), secret_token: z.string().optional() });
const GetFileSchema = z.object({ file_id: z.string().min(1) });

/** Starts the fake on a free loopback port. */
export async function startFakeTelegramBotApi(options: { token?: string } = {}): Promise<FakeTelegramBotApi> {
  const token = options.token ?? "123456:TEST-token-abcdefghijklmnopqrstuvwxyz";
  const events = new EventEmitter();
  events.setMaxListeners(100);
  const queue: Array<{ update_id: number } & Record<string, unknown>> = [];
  const sent: SentMessage[] = [];
  const failures: SendFailure[] = [];
  const reactionFailures: SendFailure[] = [];
  const holds: Array<(message: SentMessage) => void> = [];
  const files = new Map<string, { path: string; bytes: Buffer }>();
  let nextUpdateId = 100_000;
  let nextMessageId = 1;

  const fake: FakeTelegramBotApi = {
    apiRoot: "",
    token,
    pushUpdate(update) {
      const update_id = ++nextUpdateId;
      queue.push({ ...update, update_id });
      events.emit("update");
      return update_id;
    },
    unconfirmedUpdates: () => queue.length,
    sentTo: (chatId) => sent.filter((message) => message.chatId === String(chatId)),
    waitForSent(chatId, count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const messages = fake.sentTo(chatId);
          if (messages.length < count) return false;
          clearTimeout(timer);
          events.off("sent", check);
          resolve(messages);
          return true;
        };
        const timer = setTimeout(() => {
          events.off("sent", check);
          const got = fake.sentTo(chatId);
          reject(new Error(`expected ${count} message(s) to chat ${chatId} within ${timeoutMs} ms, got ${got.length}: ${JSON.stringify(got.map((m) => m.text.slice(0, 40)))}`));
        }, timeoutMs);
        if (!check()) events.on("sent", check);
      });
    },
    failNextSends(count, failure) {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    holdNextSend() {
      return new Promise((resolve) => holds.push(resolve));
    },
    failedSends: 0,
    sendAttempts: [],
    deliveries: [],
    answeredCallbackQueries: [],
    reactions: [],
    waitForReactions(chatId, count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const inChat = () => fake.reactions.filter((r) => r.chatId === String(chatId));
        const check = () => {
          if (inChat().length < count) return false;
          clearTimeout(timer);
          events.off("reaction", check);
          resolve(inChat());
          return true;
        };
        const timer = setTimeout(() => {
          events.off("reaction", check);
          reject(new Error(`expected ${count} reaction(s) in chat ${chatId} within ${timeoutMs} ms, got ${inChat().length}`));
        }, timeoutMs);
        if (!check()) events.on("reaction", check);
      });
    },
    failNextReactions(count, failure) {
      for (let i = 0; i < count; i++) reactionFailures.push(failure);
    },
    webhook: null,
    addFile(fileId, file) {
      files.set(fileId, file);
    },
    calls: [],
    close: async () => undefined,
  };

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const ok = (res: ServerResponse, result: unknown) => reply(res, 200, { ok: true, result });
  const error = (res: ServerResponse, code: number, description: string, parameters?: Record<string, unknown>) =>
    reply(res, code, { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) });

  const getUpdates = (req: IncomingMessage, res: ServerResponse, params: z.infer<typeof GetUpdatesSchema>) => {
    if (fake.webhook) return error(res, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    // Telegram forgets updates once an offset above them is asked for.
    if (params.offset !== undefined) {
      const offset = params.offset;
      while (queue.length > 0 && (queue[0]?.update_id ?? Infinity) < offset) queue.shift();
    }
    const limit = params.limit ?? 100;
    if (queue.length > 0 || !params.timeout) return ok(res, queue.slice(0, limit));
    const answer = () => {
      cleanup();
      ok(res, queue.slice(0, limit));
    };
    const timer = setTimeout(answer, params.timeout * 1000);
    const cleanup = () => {
      clearTimeout(timer);
      events.off("update", answer);
      req.off("close", onClose);
    };
    const onClose = () => cleanup();
    events.once("update", answer);
    // grammY aborts a long poll when the bot stops.
    req.on("close", onClose);
  };

  const sendMessage = (req: IncomingMessage, res: ServerResponse, params: z.infer<typeof SendMessageSchema> & { photo?: string }) => {
    const failure = failures.shift();
    fake.sendAttempts.push({ chatId: String(params.chat_id), text: params.text, outcome: failure ? "failed" : "sent" });
    if (failure) {
      fake.failedSends++;
      if ("network" in failure) {
        req.socket.destroy();
        return;
      }
      if (failure.status === 429) return error(res, 429, `Too Many Requests: retry after ${failure.retryAfter}`, { retry_after: failure.retryAfter });
      return error(
        res,
        failure.status,
        failure.description ?? (failure.status === 403 ? "Forbidden: bot was blocked by the user" : failure.status === 400 ? "Bad Request: chat not found" : "Internal Server Error"),
      );
    }
    const markup = params.reply_markup;
    const message: SentMessage = {
      chatId: String(params.chat_id),
      messageId: nextMessageId++,
      text: params.text,
      ...(params.photo ? { photo: params.photo } : {}),
      inlineButtons: (markup?.inline_keyboard ?? []).flat().map((b) => ({ text: b.text, callbackData: b.callback_data })),
      keyboardButtons: (markup?.keyboard ?? []).flat().map((b) => (typeof b === "string" ? { text: b, requestLocation: false } : { text: b.text, requestLocation: b.request_location === true })),
      removesKeyboard: markup?.remove_keyboard === true,
    };
    sent.push(message);
    fake.deliveries.push({ chatId: message.chatId, at: Date.now() });
    events.emit("sent");
    const hold = holds.shift();
    if (hold) return hold(message);
    const chatId = typeof params.chat_id === "number" ? params.chat_id : Number(params.chat_id);
    ok(res, { message_id: message.messageId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: "private" }, from: FAKE_BOT_INFO, text: params.text });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const filePrefix = `/file/bot${token}/`;
    if (req.method === "GET" && url.pathname.startsWith(filePrefix)) {
      const path = decodeURIComponent(url.pathname.slice(filePrefix.length));
      const file = [...files.values()].find((f) => f.path === path);
      if (!file) return error(res, 404, "Not Found");
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(file.bytes.length) });
      res.end(file.bytes);
      return;
    }
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    if (!match) return error(res, 404, "Not Found");
    if (match[1] !== token) return error(res, 401, "Unauthorized");
    const method = match[2] ?? "";
    fake.calls.push(method);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown = {};
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      return error(res, 400, "Bad Request: the fake only understands JSON bodies");
    }
    const parse = <T>(schema: z.ZodType<T>): T | null => {
      const parsed = schema.safeParse(body);
      if (parsed.success) return parsed.data;
      error(res, 400, `Bad Request: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
      return null;
    };
    switch (method) {
      case "getMe":
        return ok(res, FAKE_BOT_INFO);
      case "getUpdates": {
        const params = parse(GetUpdatesSchema);
        if (params) getUpdates(req, res, params);
        return;
      }
      case "sendMessage": {
        const params = parse(SendMessageSchema);
        if (params) sendMessage(req, res, params);
        return;
      }
      case "sendPhoto": {
        // A photo counts as a sent message like a text: the same failures, holds and deliveries.
        const params = parse(SendPhotoSchema);
        if (params) sendMessage(req, res, { chat_id: params.chat_id, text: params.caption ?? "", photo: params.photo, ...(params.reply_markup ? { reply_markup: params.reply_markup } : {}) });
        return;
      }
      case "setMessageReaction": {
        const params = parse(SetMessageReactionSchema);
        if (!params) return;
        const failure = reactionFailures.shift();
        if (failure) {
          if ("network" in failure) return void req.socket.destroy();
          if (failure.status === 429) return error(res, 429, `Too Many Requests: retry after ${failure.retryAfter}`, { retry_after: failure.retryAfter });
          return error(res, failure.status, failure.description ?? "Bad Request: message to react not found");
        }
        const emoji = params.reaction[0]?.emoji ?? "";
        if (emoji && !ALLOWED_REACTIONS.has(emoji)) return error(res, 400, "Bad Request: REACTION_INVALID");
        fake.reactions.push({ chatId: String(params.chat_id), messageId: params.message_id, emoji });
        events.emit("reaction");
        return ok(res, true);
      }
      case "answerCallbackQuery": {
        const params = parse(AnswerCallbackSchema);
        if (!params) return;
        fake.answeredCallbackQueries.push(params.callback_query_id);
        return ok(res, true);
      }
      case "setWebhook": {
        const params = parse(SetWebhookSchema);
        if (!params) return;
        fake.webhook = { url: params.url, secretToken: params.secret_token };
        return ok(res, true);
      }
      case "deleteWebhook":
        fake.webhook = null;
        return ok(res, true);
      case "getFile": {
        const params = parse(GetFileSchema);
        if (!params) return;
        const file = files.get(params.file_id);
        if (!file) return error(res, 400, "Bad Request: invalid file_id");
        return ok(res, { file_id: params.file_id, file_unique_id: `u-${params.file_id}`, file_size: file.bytes.length, file_path: file.path });
      }
      default:
        return error(res, 404, "Not Found");
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((cause: unknown) => {
      if (!res.headersSent) error(res, 500, `fake failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the fake Telegram server has no TCP address");
  fake.apiRoot = `http://127.0.0.1:${address.port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return fake;
}
