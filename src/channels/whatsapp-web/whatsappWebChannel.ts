/**
 * WhatsApp through whatsapp-web.js: a WhatsApp Web session in Debian's Chromium, linked to a
 * dedicated pilot phone number by scanning a QR code. The session is kept in a data folder
 * (LocalAuth), so a restart needs no new scan. After a disconnect the client is destroyed and
 * initialized again, with a capped backoff. WhatsApp Web has no buttons: choices go out as a
 * numbered list, and the engine accepts "1", "een" or the option's words.
 *
 * Only this folder imports whatsapp-web.js, and only when the channel is started with the real
 * client: tests pass a fake client that emits the library's message shapes.
 */
import qrcodeTerminal from "qrcode-terminal";
import { z } from "zod";
import type { ReadinessCheck } from "../../http/health.ts";
import type { Logger } from "../../log.ts";
import { ChannelSendError, renderNumberedList, type ChannelAdapter, type ChannelLimits, type Ingest } from "../channel.ts";
import { translateWhatsappWebMessage } from "./translateWhatsappWebMessage.ts";

/**
 * The part of whatsapp-web.js's `Client` that Wijklijn uses. The real client satisfies it as is;
 * a test passes an EventEmitter with these methods.
 */
export interface WhatsappWebClient {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  initialize(): Promise<void>;
  destroy(): Promise<void>;
  /** Resolves to the sent `Message` (or undefined when the chat was not found); a photo goes as media with the text as caption. */
  sendMessage(chatId: string, content: string | WhatsappWebMedia, options?: { caption?: string }): Promise<unknown>;
  /** Puts an emoji on a message by its serialized id, as `Message.react(emoji)` does. */
  sendReaction(messageId: string, reaction: string): Promise<unknown>;
  getState(): Promise<string | null>;
}

/** A photo as whatsapp-web.js's `MessageMedia` carries it (base64 data and its type). */
export interface WhatsappWebMedia {
  mimetype: string;
  data: string;
  filename?: string | null;
  filesize?: number | null;
}

/** Where the WhatsApp Web session is: starting, waiting for a QR scan, ready, disconnected or stopped. */
/** `standby`: another instance runs the session (several instances on PostgreSQL, src/channels/exclusiveChannel.ts). */
export type WhatsappWebState = "starting" | "qr" | "ready" | "disconnected" | "stopped" | "standby";

/** The session's state for /readyz and the admin page. `qr` is set while a scan is awaited. */
export interface WhatsappWebStatus {
  state: WhatsappWebState;
  qr: string | null;
  since: Date;
  /** The last disconnect or start failure, for the admin page; null once ready. */
  lastError: string | null;
}

/** What createWhatsappWebChannel needs. */
export interface WhatsappWebChannelOptions {
  /** The LocalAuth folder that keeps the linked session (WHATSAPP_WEB_DATA_DIR). */
  dataDir: string;
  /** The system's Chromium (CHROMIUM_PATH); puppeteer downloads no browser. */
  chromiumPath: string;
  ingest: Ingest;
  logger: Logger;
  /** Builds the client; the default is the real whatsapp-web.js client. */
  clientFactory?: () => WhatsappWebClient | Promise<WhatsappWebClient>;
  /** Shows a QR code to the operator; the default draws it in the terminal. */
  printQr?: (qr: string) => void;
  /** Backoff between reconnect attempts: doubling from `initialDelayMs`, capped at `maxDelayMs`. */
  reconnect?: { initialDelayMs: number; maxDelayMs: number };
  /** How long the outbox pauses this channel while the session is not ready. */
  notReadyRetryMs?: number;
  /** Sending limits; the default is gentle with a pilot number (5 per second, 1 s per resident). */
  limits?: ChannelLimits;
  /** Fetches a photo by its https address as media; the default is whatsapp-web.js's `MessageMedia.fromUrl`. */
  loadMedia?: (url: string) => Promise<WhatsappWebMedia>;
}

/** A WhatsApp Web channel: the adapter for the outbox, its status, and a readiness check for /readyz. */
export interface WhatsappWebChannel {
  adapter: ChannelAdapter;
  status(): WhatsappWebStatus;
  readiness: ReadinessCheck;
}

const SentMessageSchema = z.object({ id: z.object({ _serialized: z.string().min(1) }) });

/** Ingest attempts for one message before it is given up (WhatsApp Web does not redeliver). */
const INGEST_ATTEMPTS = 3;

/** Creates the WhatsApp Web channel; nothing starts until `adapter.start()`. */
export function createWhatsappWebChannel(options: WhatsappWebChannelOptions): WhatsappWebChannel {
  const { logger, ingest } = options;
  const log = logger.child({ channel: "whatsapp-web" });
  const clientFactory = options.clientFactory ?? (() => createRealClient(options.dataDir, options.chromiumPath));
  const printQr = options.printQr ?? printQrInTerminal;
  const backoff = options.reconnect ?? { initialDelayMs: 2_000, maxDelayMs: 5 * 60_000 };
  const notReadyRetryMs = options.notReadyRetryMs ?? 5_000;

  let client: WhatsappWebClient | null = null;
  let status: WhatsappWebStatus = { state: "stopped", qr: null, since: new Date(), lastError: null };
  let stopped = true;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let reconnectAttempts = 0;
  const ingesting = new Set<Promise<void>>();

  const setState = (state: WhatsappWebState, changes: Partial<Omit<WhatsappWebStatus, "state" | "since">> = {}) => {
    status = { ...status, ...changes, state, since: state === status.state ? status.since : new Date() };
  };

  const connect = async (current: WhatsappWebClient) => {
    try {
      await current.initialize();
    } catch (error) {
      if (stopped) return;
      const reason = `could not start WhatsApp Web: ${errorMessage(error)}`;
      log.error({ err: error }, `${reason}. Check CHROMIUM_PATH (${options.chromiumPath}) and WHATSAPP_WEB_DATA_DIR; retrying`);
      setState("disconnected", { qr: null, lastError: reason });
      scheduleReconnect();
    }
  };

  const scheduleReconnect = () => {
    if (stopped || reconnectTimer) return;
    const delay = Math.min(backoff.initialDelayMs * 2 ** reconnectAttempts, backoff.maxDelayMs);
    reconnectAttempts++;
    log.info({ delayMs: delay, attempt: reconnectAttempts }, "WhatsApp Web reconnects soon");
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      void reconnect();
    }, delay);
    reconnectTimer.unref();
  };

  const reconnect = async () => {
    const current = client;
    if (stopped || !current) return;
    try {
      // The library destroys the browser itself after most disconnects; a second destroy is harmless.
      await current.destroy();
    } catch (error) {
      log.debug({ err: error }, "destroying the old WhatsApp Web session failed; starting anew anyway");
    }
    if (stopped) return;
    setState("starting", { qr: null });
    await connect(current);
  };

  const handleMessage = async (raw: unknown) => {
    const translation = translateWhatsappWebMessage(raw);
    if (!translation.accepted) {
      // Groups get no reply here: Wijklijn talks with one resident at a time.
      log.debug({ reason: translation.reason }, "ignored a WhatsApp message");
      return;
    }
    const message = translation.message;
    for (let attempt = 1; attempt <= INGEST_ATTEMPTS; attempt++) {
      try {
        await ingest(message);
        return;
      } catch (error) {
        if (attempt === INGEST_ATTEMPTS) {
          log.error({ err: error, channelMessageId: message.channelMessageId }, "could not store a WhatsApp message; it is lost (WhatsApp Web does not deliver it again)");
          return;
        }
        log.warn({ err: error, channelMessageId: message.channelMessageId, attempt }, "storing a WhatsApp message failed; trying again");
        await sleep(500 * attempt);
      }
    }
  };

  const attach = (current: WhatsappWebClient) => {
    current.on("qr", (qr) => {
      if (stopped || typeof qr !== "string") return;
      setState("qr", { qr });
      log.info("WhatsApp Web waits for a QR scan: on the pilot phone open WhatsApp → Linked devices → Link a device");
      try {
        printQr(qr);
      } catch (error) {
        log.warn({ err: error }, "could not draw the QR code; it is on the admin page");
      }
    });
    current.on("authenticated", () => {
      if (stopped) return;
      setState(status.state === "ready" ? "ready" : "starting", { qr: null });
      log.info("WhatsApp Web is authenticated");
    });
    current.on("auth_failure", (message) => {
      if (stopped) return;
      const reason = `authentication failed: ${typeof message === "string" ? message : "unknown reason"}`;
      log.error(`WhatsApp Web ${reason}; the phone may have to be linked again (delete ${options.dataDir} to start over)`);
      setState("disconnected", { qr: null, lastError: reason });
      scheduleReconnect();
    });
    current.on("ready", () => {
      if (stopped) return;
      reconnectAttempts = 0;
      setState("ready", { qr: null, lastError: null });
      log.info("WhatsApp Web is connected");
    });
    current.on("disconnected", (reason) => {
      if (stopped) return;
      const why = `disconnected (${typeof reason === "string" ? reason : "unknown reason"})`;
      log.warn(`WhatsApp Web ${why}; replies wait in the outbox until it is back`);
      setState("disconnected", { qr: null, lastError: why });
      scheduleReconnect();
    });
    current.on("message", (raw) => {
      const task = handleMessage(raw).catch((error: unknown) => log.error({ err: error }, "a WhatsApp message could not be handled"));
      ingesting.add(task);
      void task.finally(() => ingesting.delete(task));
    });
  };

  const adapter: ChannelAdapter = {
    kind: "whatsapp",
    available: () => status.state === "ready",
    capabilities: { buttons: false, maxButtons: 0, media: true, location: true, templates: false },
    // A pilot number on WhatsApp Web: gentle, to stay clear of WhatsApp's spam detection.
    limits: options.limits ?? { perSecond: 5, perRecipientIntervalMs: 1000 },

    async start() {
      if (!stopped) return;
      stopped = false;
      reconnectAttempts = 0;
      setState("starting", { qr: null, lastError: null });
      if (!client) {
        client = await clientFactory();
        attach(client);
      }
      // Not awaited: linking may wait for a QR scan, and the service must not wait for that.
      void connect(client);
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      setState("stopped", { qr: null });
      await Promise.allSettled([...ingesting]);
      // A destroyed client cannot connect again: a later start (this instance taking the session back) makes a new one.
      const closing = client;
      client = null;
      try {
        await closing?.destroy();
      } catch (error) {
        log.warn({ err: error }, "closing WhatsApp Web failed");
      }
    },

    async send(to, payload) {
      const current = client;
      if (status.state !== "ready" || !current) {
        throw new ChannelSendError(`WhatsApp Web is not connected (${status.state}); the message waits until the session is back`, { retryAfterMs: notReadyRetryMs });
      }
      let sent: unknown;
      try {
        // A photo (a wijkbericht's) goes as MessageMedia with the text as its caption.
        const media = payload.image ? await (options.loadMedia ?? loadMediaFromUrl)(payload.image.url) : null;
        sent = media ? await current.sendMessage(to.externalId, media, { caption: renderNumberedList(payload) }) : await current.sendMessage(to.externalId, renderNumberedList(payload));
      } catch (error) {
        throw sendError(error);
      }
      const parsed = SentMessageSchema.safeParse(sent);
      if (!parsed.success) {
        // whatsapp-web.js answers undefined when it cannot find the chat (e.g. still loading after a reconnect).
        throw new ChannelSendError("WhatsApp Web did not send the message: the chat was not found; will retry");
      }
      return { externalMessageId: parsed.data.id._serialized };
    },

    async react(_to, reaction) {
      const current = client;
      if (status.state !== "ready" || !current) {
        throw new ChannelSendError(`WhatsApp Web is not connected (${status.state}); the reaction waits until the session is back`, { retryAfterMs: notReadyRetryMs });
      }
      try {
        // Message.react(emoji) in whatsapp-web.js is this call on the message's serialized id (the id it was stored under).
        await current.sendReaction(reaction.channelMessageId, reaction.emoji);
      } catch (error) {
        throw sendError(error);
      }
      return { externalMessageId: null };
    },
  };

  const readiness: ReadinessCheck = {
    name: "whatsappWeb",
    async check() {
      if (status.state !== "ready" || !client) {
        const detail = status.state === "qr" ? "waiting for a QR scan (see the terminal or the admin page)" : status.lastError ? `${status.state}: ${status.lastError}` : status.state;
        return { ok: false, detail };
      }
      // The page can die without an event: ask it.
      const state = await withTimeout(client.getState(), 2_000).catch(() => null);
      return state === "CONNECTED" ? { ok: true } : { ok: false, detail: `the WhatsApp Web page reports ${state ?? "no state"}` };
    },
  };

  return { adapter, status: () => ({ ...status }), readiness };
}

/** The real client: LocalAuth in `dataDir`, the system's Chromium, headless. Loaded only when used. */
async function createRealClient(dataDir: string, chromiumPath: string): Promise<WhatsappWebClient> {
  const { default: wwebjs } = await import("whatsapp-web.js");
  return new wwebjs.Client({
    authStrategy: new wwebjs.LocalAuth({ dataPath: dataDir }),
    puppeteer: {
      executablePath: chromiumPath,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    },
  });
}

/** A photo by its address as whatsapp-web.js media (the library downloads it; at most 5 MB, as the web chat takes). */
async function loadMediaFromUrl(url: string): Promise<WhatsappWebMedia> {
  const { default: wwebjs } = await import("whatsapp-web.js");
  return wwebjs.MessageMedia.fromUrl(url, { unsafeMime: true, reqOptions: { size: 5 * 1024 * 1024 } });
}

/** Draws the QR code in the terminal with qrcode-terminal. */
function printQrInTerminal(qr: string): void {
  qrcodeTerminal.generate(qr, { small: true }, (art) => {
    process.stdout.write(`\nWhatsApp Web: scan this code with the pilot phone (WhatsApp → Linked devices → Link a device):\n${art}\n`);
  });
}

/** A send failure: a number that is not on WhatsApp is permanent; anything else is retried. */
function sendError(error: unknown): ChannelSendError {
  const message = errorMessage(error);
  if (/invalid wid|not a valid whatsapp|no lid for user/i.test(message)) {
    return new ChannelSendError(`WhatsApp Web cannot reach this number: ${message}`, { permanent: true });
  }
  return new ChannelSendError(`WhatsApp Web could not send: ${message}`);
}

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "unknown error";
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
