/**
 * The Telegram channel (grammY): long polling for local use, or a webhook at
 * POST /webhooks/telegram whose secret-token header is checked. Every update is stored through
 * `ingest` before Telegram is told it arrived (the poll offset moves on, or the webhook answers
 * 200); a failure to store leaves the update at Telegram, which delivers it again. Replies leave
 * through the outbox and `send`. grammY is imported only in this folder.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Router } from "express";
import { Bot, GrammyError, HttpError } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { z } from "zod";
import type { ReadinessCheck } from "../../http/health.ts";
import type { Logger } from "../../log.ts";
import { ChannelSendError, type ChannelAdapter, type ChannelCapabilities, type ChannelLimits, type Ingest, type Recipient } from "../channel.ts";
import { createTelegramMediaFetcher, downloadTelegramFile, type TelegramFile } from "./downloadTelegramFile.ts";
import { describeTelegramError, grammySignal, startTelegramLongPolling, TELEGRAM_ALLOWED_UPDATES, type TelegramLongPolling } from "./telegramLongPolling.ts";
import { toInboundMessage, TelegramUpdateSchema, type TelegramTranslation } from "./toInboundMessage.ts";
import { toTelegramMessage, toTelegramReaction } from "./toTelegramMessage.ts";
import { jsonBody } from "../../http/bodyParsers.ts";

/** The path Telegram posts updates to in webhook mode. */
export const TELEGRAM_WEBHOOK_PATH = "/webhooks/telegram";

/** What Telegram can show: inline keyboards (up to 8 buttons here, then a numbered list), photos, locations. */
export const TELEGRAM_CAPABILITIES: ChannelCapabilities = { buttons: true, maxButtons: 8, media: true, location: true, templates: false };

/** Telegram's broadcast limits: about 30 messages per second overall, 1 per second per chat. */
export const TELEGRAM_LIMITS: ChannelLimits = { perSecond: 30, perRecipientIntervalMs: 1000, perRecipientBurst: 3 };

/** The bot's own user as getMe returns it (pass it as botInfo to skip getMe). */
export type TelegramBotInfo = UserFromGetMe;

/** Settings of the Telegram channel (config.telegram plus what the service wires in). */
export interface TelegramChannelOptions {
  token: string;
  mode: "polling" | "webhook";
  /** Required in webhook mode: Telegram sends it back in X-Telegram-Bot-Api-Secret-Token. */
  webhookSecret: string | undefined;
  /** https://api.telegram.org, or a local fake in tests (no trailing slash needed). */
  apiRoot: string;
  /** The service's public URL; the webhook is `${publicUrl}/webhooks/telegram`. */
  publicUrl: string;
  ingest: Ingest;
  logger: Logger;
  /** The bot's own user (tests): skips getMe. */
  botInfo?: TelegramBotInfo;
  /** The polite refusal sent to group chats (flows/globals.yaml, messages.groupChat), read when it is sent. */
  groupRefusalText: () => string;
  /** The "share my location" button label (flows/globals.yaml, messages.shareLocation), read when it is shown. */
  shareLocationLabel: () => string;
  /** At most one refusal per group within this time (a busy group would otherwise hear it all day). */
  groupRefusalIntervalMs?: number;
  limits?: ChannelLimits;
  /** Handles a staff command (e.g. linking Telegram for notifications); returns the reply, or null when it is no such command. */
  staffCommand?: (chatId: string, text: string) => Promise<string | null>;
  /** Long-poll timeout in seconds (30) and the pause after failures; tests shorten them. */
  polling?: { timeoutSeconds?: number; backoffMs?: (failures: number) => number };
}

/** A Telegram channel: the adapter for the dispatcher, the webhook routes, readiness and file downloads. */
export interface TelegramChannel {
  adapter: ChannelAdapter;
  /** POST /webhooks/telegram (webhook mode only; empty in polling mode). Mount before any global body parser. */
  webhook: Router;
  readiness: ReadinessCheck;
  /** Downloads a file a resident sent (getFile, then the file path) by its file_id. */
  downloadFile(fileId: string): Promise<TelegramFile>;
  /** Downloads a stored media reference such as `photo:<file_id>`; null when it is not one. */
  fetchMedia(mediaRef: string): Promise<TelegramFile | null>;
  /** The bot's @username once connected (for t.me links), or null before. */
  username(): string | null;
}

const UpdateEnvelopeSchema = z.object({ update_id: z.number().int() });

/** Builds the Telegram channel; nothing talks to Telegram until `adapter.start()`. */
export function createTelegramChannel(options: TelegramChannelOptions): TelegramChannel {
  if (options.mode === "webhook" && !options.webhookSecret) throw new Error("TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_MODE=webhook");
  const apiRoot = options.apiRoot.replace(/\/+$/, "");
  const logger = options.logger.child({ channel: "telegram" });
  const bot = new Bot(options.token, {
    client: { apiRoot, timeoutSeconds: 60 },
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
  });
  const refusalInterval = options.groupRefusalIntervalMs ?? 60 * 60_000;
  const lastRefusal = new Map<number, number>();
  const replyKeyboardShown = new Set<string>();
  const background = new Set<Promise<void>>();
  let polling: TelegramLongPolling | null = null;
  let webhookState: { ok: boolean; detail?: string } = { ok: false, detail: "not started" };
  let stopping: AbortController | null = null;

  /** Side work (answering a button, refusing a group) that must not hold up storing. */
  const inBackground = (work: () => Promise<unknown>, what: string) => {
    const task = work()
      .then(() => undefined)
      .catch((error: unknown) => logger.warn({ detail: describeTelegramError(error) }, `Telegram ${what} failed`));
    background.add(task);
    void task.finally(() => background.delete(task));
  };

  const refuseGroup = (chatId: number) => {
    const now = Date.now();
    if (now - (lastRefusal.get(chatId) ?? 0) < refusalInterval) return;
    if (lastRefusal.size > 10_000) for (const [id, at] of lastRefusal) if (now - at >= refusalInterval) lastRefusal.delete(id);
    lastRefusal.set(chatId, now);
    inBackground(() => bot.api.sendMessage(chatId, options.groupRefusalText()), "group refusal");
  };

  /** Stores one update (resolves once stored or deliberately skipped; rejects when storing failed). */
  const handleUpdate = async (raw: unknown): Promise<void> => {
    const parsed = TelegramUpdateSchema.safeParse(raw);
    if (!parsed.success) {
      logger.warn({ updateId: UpdateEnvelopeSchema.safeParse(raw).data?.update_id ?? null }, "Ignoring a Telegram update that does not have the expected shape");
      return;
    }
    const updateId = parsed.data.update_id;
    const translation: TelegramTranslation = toInboundMessage(parsed.data);
    switch (translation.action) {
      case "ingest": {
        // Staff linking their Telegram for notifications (/koppel <code>, or a t.me deep link):
        // answered directly, never stored as a resident message.
        if (options.staffCommand) {
          const command = translation.startPayload !== undefined ? `/start ${translation.startPayload}` : (translation.message.text ?? "");
          const reply = command ? await options.staffCommand(translation.message.externalId, command) : null;
          if (reply) {
            inBackground(() => bot.api.sendMessage(translation.message.externalId, reply), "staff command reply");
            logger.debug({ updateId }, "Answered a staff command");
            break;
          }
        }
        const result = await options.ingest(translation.message);
        logger.debug(
          { updateId, stored: result.stored, kind: kindOf(translation.message), deepLink: translation.startPayload !== undefined },
          result.stored ? "Stored a Telegram message" : "A Telegram message arrived again; it was stored before",
        );
        break;
      }
      case "refuse-group":
        logger.debug({ updateId }, "A message in a group chat: refused politely, nothing stored");
        refuseGroup(translation.chatId);
        break;
      case "ignore":
        logger.debug({ updateId, reason: translation.reason }, "Ignored a Telegram update");
        break;
      default:
        assertNever(translation);
    }
    const callbackQueryId = translation.callbackQueryId;
    // Stops the spinner on the tapped button; the answer itself arrives as a message.
    if (callbackQueryId) inBackground(() => bot.api.answerCallbackQuery(callbackQueryId), "answering a button tap");
  };

  const connect = async () => {
    if (bot.isInited()) return;
    try {
      await bot.init();
      logger.info({ bot: bot.botInfo.username }, "Connected to Telegram");
    } catch (error) {
      if (isTokenRefused(error)) throw new Error(`Telegram refused TELEGRAM_BOT_TOKEN (${describeTelegramError(error)}): check the token with BotFather.`);
      logger.warn({ detail: describeTelegramError(error) }, "Could not reach Telegram at start; the channel keeps trying");
    }
  };

  const registerWebhook = async (signal: AbortSignal) => {
    const url = `${options.publicUrl.replace(/\/+$/, "")}${TELEGRAM_WEBHOOK_PATH}`;
    for (let failures = 0; !signal.aborted; ) {
      try {
        await bot.api.setWebhook(url, { secret_token: options.webhookSecret, allowed_updates: [...TELEGRAM_ALLOWED_UPDATES], drop_pending_updates: false }, grammySignal(signal));
        webhookState = { ok: true };
        logger.info({ url }, "Telegram webhook registered");
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (isTokenRefused(error)) throw new Error(`Telegram refused TELEGRAM_BOT_TOKEN (${describeTelegramError(error)}): check the token with BotFather.`);
        failures++;
        webhookState = { ok: false, detail: describeTelegramError(error) };
        logger.warn({ failures, detail: webhookState.detail }, "Registering the Telegram webhook failed; retrying");
        await sleep(Math.min(1000 * 2 ** (failures - 1), 60_000), undefined, { signal }).catch(() => undefined);
      }
    }
  };

  const adapter: ChannelAdapter = {
    kind: "telegram",
    capabilities: TELEGRAM_CAPABILITIES,
    limits: options.limits ?? TELEGRAM_LIMITS,
    async start() {
      stopping = new AbortController();
      await connect();
      if (options.mode === "polling") {
        polling = startTelegramLongPolling({ api: bot.api, handle: handleUpdate, logger, ...options.polling });
        logger.info("Telegram: receiving updates by long polling");
        return;
      }
      const signal = stopping.signal;
      // Awaited for a few seconds, so that a refused token stops start-up; while Telegram is
      // unreachable the retries go on in the background (readiness says so).
      const registering = registerWebhook(signal);
      await Promise.race([registering, sleep(5_000, undefined, { signal }).catch(() => undefined)]);
      inBackground(() => registering, "registering the webhook");
    },
    async stop() {
      stopping?.abort();
      await polling?.stop();
      polling = null;
      await Promise.all([...background]);
    },
    async send(to: Recipient, payload) {
      const chatId = /^-?\d+$/.test(to.externalId) ? Number(to.externalId) : to.externalId;
      const rendered = toTelegramMessage(payload, {
        maxButtons: TELEGRAM_CAPABILITIES.maxButtons,
        locationButtonLabel: options.shareLocationLabel(),
        replyKeyboardShown: replyKeyboardShown.has(to.externalId),
      });
      let last: { chat: { id: number }; message_id: number } | null = null;
      try {
        for (const part of rendered.parts) {
          last = part.photo
            ? await bot.api.sendPhoto(chatId, part.photo, { ...(part.text ? { caption: part.text } : {}), ...(part.reply_markup ? { reply_markup: part.reply_markup } : {}) })
            : await bot.api.sendMessage(chatId, part.text, {
                link_preview_options: { is_disabled: true },
                ...(part.reply_markup ? { reply_markup: part.reply_markup } : {}),
              });
        }
      } catch (error) {
        throw toChannelSendError(error);
      }
      if (rendered.replyKeyboardShown) replyKeyboardShown.add(to.externalId);
      else replyKeyboardShown.delete(to.externalId);
      if (!last) throw new ChannelSendError("Telegram: nothing to send", { permanent: true });
      return { externalMessageId: `${last.chat.id}:${last.message_id}` };
    },
    async react(_to, reaction) {
      const rendered = toTelegramReaction(reaction.channelMessageId, reaction.emoji);
      if (rendered.kind === "none") return { externalMessageId: null };
      if (rendered.kind === "refused") throw new ChannelSendError("Telegram does not let bots react with this emoji", { permanent: true });
      const { chatId, messageId, reaction: emoji } = rendered.call;
      try {
        await bot.api.setMessageReaction(chatId, messageId, emoji);
      } catch (error) {
        throw toChannelSendError(error);
      }
      return { externalMessageId: null };
    },
  };

  const webhook = Router();
  if (options.mode === "webhook" && options.webhookSecret) {
    const expected = digest(options.webhookSecret);
    webhook.post(
      TELEGRAM_WEBHOOK_PATH,
      (req, res, next) => {
        const given = req.get("X-Telegram-Bot-Api-Secret-Token");
        // Compared as digests: constant time, whatever the lengths.
        if (given === undefined || !timingSafeEqual(digest(given), expected)) {
          logger.warn("A Telegram webhook call with a missing or wrong secret token was refused");
          res.status(401).json({ error: "unauthorized", message: "X-Telegram-Bot-Api-Secret-Token does not match TELEGRAM_WEBHOOK_SECRET" });
          return;
        }
        next();
      },
      jsonBody("1mb"),
      async (req, res) => {
        const body: unknown = req.body;
        const envelope = UpdateEnvelopeSchema.safeParse(body);
        if (!envelope.success) {
          res.status(400).json({ error: "invalid_update", message: "expected a Telegram Update with an update_id" });
          return;
        }
        try {
          await handleUpdate(body);
        } catch (error) {
          // Not stored: a non-2xx answer makes Telegram deliver the update again.
          logger.error({ error: describeTelegramError(error), updateId: envelope.data.update_id }, "Could not store a Telegram update; Telegram will deliver it again");
          res.status(500).json({ error: "not_stored", message: "the update could not be stored; retry later" });
          return;
        }
        res.status(200).json({ ok: true });
      },
    );
  }

  const downloadFile = (fileId: string) => downloadTelegramFile({ api: bot.api, token: options.token, apiRoot }, fileId);
  return {
    adapter,
    webhook,
    readiness: {
      name: "telegram",
      async check() {
        if (options.mode === "polling") return polling ? polling.status() : { ok: false, detail: "not started" };
        return webhookState;
      },
    },
    downloadFile,
    fetchMedia: createTelegramMediaFetcher(downloadFile),
    username() {
      // grammY's botInfo getter throws until getMe has answered.
      try {
        return bot.botInfo.username;
      } catch {
        return null;
      }
    },
  };
}

/** Maps a Bot API failure to what the outbox should do: pause (429), give up (blocked, bad request), or retry. */
export function toChannelSendError(error: unknown): ChannelSendError {
  if (error instanceof GrammyError) {
    const what = `Telegram ${error.method} failed (${error.error_code}: ${error.description})`;
    if (error.error_code === 429) return new ChannelSendError(what, { retryAfterMs: Math.max(1, error.parameters.retry_after ?? 1) * 1000 });
    // 403: the resident blocked the bot or deleted their account; 400: chat not found or a message Telegram refuses.
    if (error.error_code === 403 || error.error_code === 400) return new ChannelSendError(what, { permanent: true });
    return new ChannelSendError(what);
  }
  if (error instanceof HttpError) return new ChannelSendError(`Telegram could not be reached (${error.message})`);
  return new ChannelSendError(`Telegram send failed (${error instanceof Error ? error.name : "unknown error"})`);
}

function isTokenRefused(error: unknown): boolean {
  return error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404);
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

function kindOf(message: { value?: string; location?: unknown; media?: { kind: string } }): string {
  if (message.media) return message.media.kind;
  if (message.location) return "location";
  if (message.value !== undefined) return "button";
  return "text";
}

function assertNever(value: never): never {
  // Only the action is named: the rest may hold resident text.
  const seen: unknown = value;
  const action: unknown = typeof seen === "object" && seen !== null && "action" in seen ? seen.action : "unknown";
  throw new Error(`Unexpected Telegram translation: ${String(action)}`);
}
