/**
 * The WhatsApp Business Cloud API channel (kind "whatsapp"): the webhook Meta calls
 * (`GET/POST /webhooks/whatsapp`), and sending through the Graph API. Translation both ways lives
 * in translateInbound.ts and renderOutbound.ts; this file is the I/O around them.
 *
 * Inbound is durable: the webhook answers 200 only after every message in the call is stored
 * (through `ingest`), so a failure makes Meta deliver the call again, and the platform's message
 * id makes a second delivery change nothing.
 */
import { createHash } from "node:crypto";
import express, { Router, type Request } from "express";
import { z } from "zod";
import type { Logger } from "../../log.ts";
import type { ReadinessCheck } from "../../http/health.ts";
import { HttpError } from "../../http/errors.ts";
import type { ChannelAdapter, ChannelLimits, Ingest } from "../channel.ts";
import { GraphSendError, postGraphMessage, type GraphEndpoint } from "./graphClient.ts";
import { renderGraphMessages, renderGraphReaction } from "./renderOutbound.ts";
import { translateWebhookPayload, type DeliveryStatus } from "./translateInbound.ts";
import { checkWebhookSignature, secretsMatch } from "./webhookSignature.ts";

/** The webhook's path, for Meta's "Callback URL": `${PUBLIC_URL}/webhooks/whatsapp`. */
export const WHATSAPP_WEBHOOK_PATH = "/webhooks/whatsapp";

/**
 * Meta's documented limits: 80 messages per second per number, about one per 6 s per user on
 * average; a short burst (one bot turn of a few messages) is allowed before the interval applies.
 */
export const WHATSAPP_CLOUD_LIMITS: ChannelLimits = { perSecond: 80, perRecipientIntervalMs: 6_000, perRecipientBurst: 4 };

/** What the channel needs (config.whatsappCloud plus the bot's ingest). */
export interface WhatsappCloudOptions {
  /** A System User access token with whatsapp_business_messaging permission. */
  token: string;
  phoneNumberId: string;
  /** The Meta app's secret: signs every webhook call (X-Hub-Signature-256). */
  appSecret: string;
  /** The "Verify token" typed into the app's webhook settings. */
  verifyToken: string;
  /** `https://graph.facebook.com`, or a local fake in tests. */
  apiRoot: string;
  graphVersion?: string;
  ingest: Ingest;
  logger: Logger;
  /** The text on the button that opens a list of options (flows/globals.yaml, messages.listButton), read when it is shown. */
  listButtonLabel: () => string;
  now?: () => Date;
  /** Overrides the sending limits (tests shorten the per-recipient interval). */
  limits?: ChannelLimits;
  /** Called for each delivery status Meta reports (sent, delivered, read, failed). */
  onStatus?: (status: DeliveryStatus) => Promise<void> | void;
  /** Time allowed for one Graph API call. */
  requestTimeoutMs?: number;
}

/**
 * The channel adapter. Outside the 24-hour window only an approved template reaches the resident
 * (free-form sends then fail with 131047): a template goes as an outbox payload with `template`
 * (renderOutbound.ts turns it into the Graph API's template message), through the outbox like every
 * other message, so it is paced, retried, and sent once. Wijkberichten (src/jobs/wijkberichtSender.ts)
 * and the feedback question (src/trust) choose the template when `isWithinServiceWindow` is false.
 */
export interface WhatsappCloudAdapter extends ChannelAdapter {
  readonly kind: "whatsapp";
}

/** A configured channel: mount `webhook` before any JSON body parser; add `readiness` to /readyz. */
export interface WhatsappCloudChannel {
  adapter: WhatsappCloudAdapter;
  webhook: Router;
  readiness: ReadinessCheck;
}

const VerificationQuerySchema = z.object({
  "hub.mode": z.literal("subscribe"),
  "hub.verify_token": z.string(),
  "hub.challenge": z.string().min(1).max(200),
});

/**
 * A short stable reference to a `wamid…` for logs. Not the id itself: a wamid is a base64
 * structure that contains the resident's phone number.
 */
function logRef(id: string): string {
  return createHash("sha256").update(id).digest("hex").slice(0, 12);
}

/** Builds the WhatsApp Cloud API channel: adapter, webhook router and readiness check. */
export function createWhatsappCloudChannel(options: WhatsappCloudOptions): WhatsappCloudChannel {
  const now = options.now ?? (() => new Date());
  const { logger } = options;
  const endpoint: GraphEndpoint = {
    apiRoot: options.apiRoot,
    graphVersion: options.graphVersion ?? "v21.0",
    phoneNumberId: options.phoneNumberId,
    token: options.token,
    timeoutMs: options.requestTimeoutMs ?? 15_000,
  };
  let started = false;
  let tokenRefused: string | null = null;

  /** Posts one body, keeping the readiness state in step with what the Graph API said. */
  const post = async (body: object): Promise<string> => {
    try {
      const id = await postGraphMessage(endpoint, body, now);
      tokenRefused = null;
      return id;
    } catch (error) {
      if (error instanceof GraphSendError && error.reason === "auth") tokenRefused = error.message;
      throw error;
    }
  };

  const adapter: WhatsappCloudAdapter = {
    kind: "whatsapp",
    capabilities: { buttons: true, maxButtons: 10, media: true, location: true, templates: true },
    limits: options.limits ?? WHATSAPP_CLOUD_LIMITS,
    async start() {
      started = true;
    },
    async stop() {
      started = false;
    },
    async send(to, payload) {
      // Usually one body; several only for text over 4096 characters. If a later part fails, the
      // retry sends the earlier parts again: rare, and better than losing the end of a reply.
      let externalMessageId = "";
      for (const body of renderGraphMessages(to.externalId, payload, { listButton: options.listButtonLabel() })) externalMessageId = await post(body);
      return { externalMessageId };
    },
    async react(to, reaction) {
      return { externalMessageId: await post(renderGraphReaction(to.externalId, reaction.channelMessageId, reaction.emoji)) };
    },
  };

  const readiness: ReadinessCheck = {
    name: "whatsappCloud",
    async check() {
      if (!started) return { ok: false, detail: "the WhatsApp Cloud API channel is not started" };
      if (tokenRefused) return { ok: false, detail: "the Graph API refused the access token: set a valid WHATSAPP_CLOUD_TOKEN and restart" };
      return { ok: true };
    },
  };

  const webhook = Router();

  // Meta's subscription handshake: echo hub.challenge when the verify token is ours.
  // https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
  webhook.get(WHATSAPP_WEBHOOK_PATH, (req, res) => {
    const query = VerificationQuerySchema.safeParse(req.query);
    if (!query.success || !secretsMatch(query.data["hub.verify_token"], options.verifyToken)) {
      logger.warn("Refused a WhatsApp webhook verification: wrong hub.mode or hub.verify_token (compare WHATSAPP_CLOUD_VERIFY_TOKEN with the app's webhook settings)");
      throw new HttpError(403, "verification_failed", "hub.mode must be subscribe and hub.verify_token must match");
    }
    res.status(200).type("text/plain").send(query.data["hub.challenge"]);
  });

  webhook.post(WHATSAPP_WEBHOOK_PATH, express.raw({ type: "application/json", limit: "1mb" }), async (req, res) => {
    const rawBody = rawBodyOf(req, logger);
    const signature = checkWebhookSignature(options.appSecret, rawBody, req.get("x-hub-signature-256"));
    if (signature === "missing") throw new HttpError(401, "signature_missing", "X-Hub-Signature-256 is required");
    if (signature === "invalid") {
      logger.warn("Refused a WhatsApp webhook call with a wrong X-Hub-Signature-256 (check WHATSAPP_CLOUD_APP_SECRET)");
      throw new HttpError(403, "signature_invalid", "X-Hub-Signature-256 does not match the body");
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString("utf8"));
    } catch {
      throw new HttpError(400, "invalid_json", "The request body is not valid JSON.");
    }
    const contents = translateWebhookPayload(body, options.phoneNumberId);
    if (!contents) {
      // Answered with an error so that Meta keeps the call and redelivers it after a fix.
      logger.error("A signed WhatsApp webhook call had an envelope Wijklijn cannot read; Meta will redeliver it");
      throw new HttpError(400, "unreadable_payload", "Not a WhatsApp webhook payload Wijklijn can read");
    }

    // In order, one after the other: the order of a resident's messages matters.
    let stored = 0;
    for (const message of contents.messages) {
      try {
        if ((await options.ingest(message)).stored) stored++;
      } catch (error) {
        logger.error({ err: error, messageRef: logRef(message.channelMessageId) }, "Could not store a WhatsApp message; answering 500 so that Meta delivers it again");
        throw new HttpError(500, "not_stored", "The message could not be stored; please deliver it again");
      }
    }

    for (const skipped of contents.skipped) {
      if (skipped.reason === "other-number") logger.warn("Ignored a WhatsApp message for another phone number id of this app (this service answers only WHATSAPP_CLOUD_PHONE_NUMBER_ID)");
      else if (skipped.reason === "unreadable") logger.warn("Ignored a WhatsApp message that has no readable sender or id");
      else logger.debug({ reason: skipped.reason, type: skipped.type }, "Skipped a WhatsApp event that needs no answer");
    }
    for (const error of contents.errors) logger.warn({ code: error.code, title: error.title }, "WhatsApp reported an error with the webhook");
    for (const status of contents.statuses) await reportStatus(status);
    if (contents.messages.length > 0) logger.debug({ messages: contents.messages.length, stored }, "Stored WhatsApp messages");
    res.status(200).type("text/plain").send("ok");
  });

  /** Statuses are informational: a failure to handle one never makes Meta resend messages. */
  async function reportStatus(status: DeliveryStatus): Promise<void> {
    if (status.status === "failed") {
      logger.warn({ messageRef: logRef(status.messageId), codes: status.errors.map((e) => e.code) }, "WhatsApp could not deliver a message (a code 131047 means the 24-hour window had closed)");
    } else {
      logger.debug({ messageRef: logRef(status.messageId), status: status.status }, "WhatsApp delivery status");
    }
    try {
      await options.onStatus?.(status);
    } catch (error) {
      logger.warn({ err: error, messageRef: logRef(status.messageId) }, "Handling a WhatsApp delivery status failed");
    }
  }

  return { adapter, webhook, readiness };
}

/** The exact bytes Meta signed; they are gone if a JSON parser ran before this router. */
function rawBodyOf(req: Request, logger: Logger): Buffer {
  const body: unknown = req.body;
  if (Buffer.isBuffer(body)) return body;
  if (req.is("application/json") && body !== undefined) {
    logger.error("The WhatsApp webhook got an already parsed body: mount the WhatsApp router before express.json()");
    throw new HttpError(500, "misconfigured", "The webhook cannot check the signature");
  }
  // No body, or not JSON: without a valid signature nothing is looked at.
  if (!req.get("x-hub-signature-256")) throw new HttpError(401, "signature_missing", "X-Hub-Signature-256 is required");
  throw new HttpError(415, "unsupported_media_type", "Send the webhook body as application/json");
}
