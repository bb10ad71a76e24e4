/**
 * Bot Framework (Azure Bot Service: Web Chat, Teams; and the Bot Framework Emulator) at
 * `POST /api/messages`, on botbuilder's CloudAdapter. Requests are authenticated whenever
 * MICROSOFT_APP_ID is set; without it any caller is accepted, which is for the Emulator on a
 * developer's machine only. An incoming message is stored (ingest) before the request is
 * answered, with its conversation reference; nothing is replied inline: the outbox sends every
 * reply later, as a proactive message to that reference.
 */
import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import type { CloudAdapter } from "botbuilder";
import express, { Router } from "express";
import { z } from "zod";
import type { Logger } from "../../log.ts";
import { ChannelSendError, type ChannelAdapter, type Ingest } from "../channel.ts";
import { activityFromPayload } from "./activityFromPayload.ts";
import { parseConversationReference } from "./conversationReference.ts";
import { inboundFromActivity } from "./inboundFromActivity.ts";

/** What createBotFrameworkChannel needs (config.botFramework, plus the service's ingest and logger). */
export interface BotFrameworkChannelOptions {
  appId: string | undefined;
  appPassword: string | undefined;
  appType: "MultiTenant" | "SingleTenant" | "UserAssignedMSI";
  tenantId: string | undefined;
  ingest: Ingest;
  logger: Logger;
  /** Outside development: running without an app id is then warned about and restricted. */
  production: boolean;
}

/** The Bot Framework channel: the adapter for the outbox, the /api/messages route, and startup warnings. */
export interface BotFrameworkChannel {
  adapter: ChannelAdapter;
  routes: Router;
  /** Lines for the startup log (warn level): e.g. running unauthenticated in production. */
  warnings: string[];
}

const ServiceUrlSchema = z.object({ serviceUrl: z.string() });

/**
 * The least an activity must have before botbuilder sees it; anything else is refused with our
 * own 400 instead of the SDK's internal error text.
 */
const ActivityShapeSchema = z.looseObject({
  type: z.string().min(1).max(100),
  serviceUrl: z.url().max(2000).optional(),
  conversation: z.looseObject({ id: z.string().min(1).max(500) }).optional(),
  from: z.looseObject({ id: z.string().min(1).max(500) }).optional(),
});

/** Creates the channel; `routes` must be mounted before any other JSON body parser consumes the body. */
export function createBotFrameworkChannel(options: BotFrameworkChannelOptions): BotFrameworkChannel {
  const { appId, ingest } = options;
  const log = options.logger.child({ channel: "botframework" });
  const authenticated = Boolean(appId);
  // botbuilder (with the Azure SDK, MSAL and axios under it) is loaded when the channel is first
  // used: a Wijklijn without Bot Framework traffic keeps about 25 MB less in memory.
  let cloudAdapterLoaded: Promise<CloudAdapter> | null = null;
  const cloudAdapter = (): Promise<CloudAdapter> => {
    cloudAdapterLoaded ??= import("botbuilder").then(({ CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory }) => {
      const credentials = new ConfigurationServiceClientCredentialFactory(
        authenticated
          ? { MicrosoftAppId: appId, MicrosoftAppPassword: options.appPassword, MicrosoftAppType: options.appType, MicrosoftAppTenantId: options.tenantId }
          : // No app id: authentication is off; the app type would only make botbuilder ask for an id.
            {},
      );
      return new CloudAdapter(new ConfigurationBotFrameworkAuthentication(authenticated ? { MicrosoftAppId: appId, MicrosoftAppTenantId: options.tenantId } : {}, credentials));
    });
    return cloudAdapterLoaded;
  };

  // Unauthenticated, the bot would post its replies to any URL a caller names (SSRF): without an
  // app id only the Emulator on this machine is answered, in development as in production.
  const restrictToLoopback = !authenticated;
  const warnings =
    restrictToLoopback && options.production
      ? [
          "SECURITY: Bot Framework /api/messages runs WITHOUT authentication (MICROSOFT_APP_ID is not set) outside development: only callers with a loopback serviceUrl (the Emulator on this machine) are accepted. Set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD from Azure Bot Service before going live.",
        ]
      : [];

  const routes = Router();
  routes.post("/api/messages", express.json({ limit: "1mb", strict: false }), async (req, res) => {
    const shape = ActivityShapeSchema.safeParse(req.body);
    if (!shape.success) {
      res.status(400).json({ error: { code: "invalid_activity", message: "Send one Bot Framework activity as a JSON object with at least a type." } });
      return;
    }
    if (shape.data.type === "message" && (!shape.data.serviceUrl || !shape.data.conversation || !shape.data.from)) {
      res.status(400).json({ error: { code: "invalid_activity", message: "A message activity needs serviceUrl, conversation.id and from.id." } });
      return;
    }
    const target = ServiceUrlSchema.safeParse(req.body);
    // Unauthenticated, the bot would post its replies to any URL a caller names.
    if (restrictToLoopback && !(target.success && isLoopbackUrl(target.data.serviceUrl))) {
      log.warn("refused an unauthenticated Bot Framework activity whose serviceUrl is not on this machine");
      res.status(403).json({ error: "forbidden", message: "This Wijklijn runs Bot Framework without authentication and only answers the Emulator on its own machine." });
      return;
    }
    await (await cloudAdapter()).process(req, res, async (context) => {
      const translation = inboundFromActivity(context.activity);
      if (!translation.accepted) {
        log.debug({ reason: translation.reason, type: context.activity.type }, "ignored a Bot Framework activity");
        return;
      }
      let result: Awaited<ReturnType<Ingest>>;
      try {
        result = await ingest(translation.message);
      } catch (error) {
        log.error({ err: error, channelMessageId: translation.message.channelMessageId }, "could not store a Bot Framework message; answering 500 so the channel sends it again");
        // CloudAdapter prints this error with console.error and answers 500: keep resident data out of it.
        throw new Error("Wijklijn could not store the message; please send it again");
      }
      if (!result.stored) log.debug({ channelMessageId: translation.message.channelMessageId }, "a Bot Framework activity was delivered again; stored once");
    });
  });

  // No `react`: Web Chat and Direct Line show no reactions from a bot, so the dispatcher marks a 👍 done without sending.
  const adapter: ChannelAdapter = {
    kind: "botframework",
    capabilities: { buttons: true, maxButtons: 10, media: true, location: true, templates: false },
    // Under Teams' per-conversation limit of 7 messages a second (learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit).
    limits: { perSecond: 30, perRecipientIntervalMs: 250 },
    async start() {},
    async stop() {},
    async send(to, payload) {
      const reference = parseConversationReference(to.reference);
      if (!reference?.channelId) {
        throw new ChannelSendError("no Bot Framework conversation reference is stored for this resident, so there is nowhere to send to", { permanent: true });
      }
      if (restrictToLoopback && !isLoopbackUrl(reference.serviceUrl ?? "")) {
        throw new ChannelSendError("without MICROSOFT_APP_ID the bot only answers the Emulator on this machine; this resident's serviceUrl is elsewhere", { permanent: true });
      }
      const channelId = reference.channelId;
      let id: string | undefined;
      try {
        const cloud = await cloudAdapter();
        await cloud.continueConversationAsync(appId ?? "", reference, async (context) => {
          disableConnectorRetries(context.turnState.get(cloud.ConnectorClientKey));
          const response = await context.sendActivity(activityFromPayload(payload, channelId));
          id = response?.id;
        });
      } catch (error) {
        throw sendErrorFrom(error);
      }
      return { externalMessageId: id || `botframework:${randomUUID()}` };
    },
  };

  return { adapter, routes, warnings };
}

/**
 * The connector client (botbuilder-stdlib's ServiceClientContext on @azure/core-client) comes with
 * the Azure SDK's default retry policy: up to 3 retries, waiting out Retry-After inline. That
 * would hold the whole outbox for minutes; the outbox retries with backoff itself, so the
 * policy is taken out (by its name in @azure/core-rest-pipeline). If the SDK's shape changes
 * this does nothing and sends still work, only slower to fail.
 */
function disableConnectorRetries(connectorClient: unknown): void {
  if (!isRecord(connectorClient)) return;
  const client = connectorClient.client;
  if (!isRecord(client)) return;
  const pipeline = client.pipeline;
  if (!isRecord(pipeline)) return;
  const removePolicy = pipeline.removePolicy;
  if (typeof removePolicy === "function") Reflect.apply(removePolicy, pipeline, [{ name: "defaultRetryPolicy" }]);
}

/** A failed send: 429 pauses the channel for Retry-After; 401/403/404 will not get better by retrying. */
function sendErrorFrom(error: unknown): ChannelSendError {
  const { status, retryAfterMs } = readHttpError(error);
  const detail = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
  if (status === 429) {
    const pause = retryAfterMs ?? 5_000;
    return new ChannelSendError(`Bot Framework connector is rate limiting (429); pausing ${Math.ceil(pause / 1000)} s`, { retryAfterMs: pause });
  }
  if (status === 401 || status === 403) {
    return new ChannelSendError(
      `Bot Framework connector refused the bot (${status}): check MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID, and that the bot is still installed for this resident`,
      { permanent: true },
    );
  }
  if (status === 404) {
    return new ChannelSendError("Bot Framework conversation no longer exists (404): the resident removed the bot or the conversation expired", { permanent: true });
  }
  return new ChannelSendError(`Bot Framework send failed${status ? ` (${status})` : ""}: ${detail}`);
}

/** The status and Retry-After of an Azure SDK RestError (statusCode, response.headers). */
function readHttpError(error: unknown): { status: number | null; retryAfterMs: number | null } {
  if (!isRecord(error)) return { status: null, retryAfterMs: null };
  const statusCode = error.statusCode;
  const status = typeof statusCode === "number" ? statusCode : null;
  const response = error.response;
  const headers = isRecord(response) ? response.headers : undefined;
  let retryAfter: unknown;
  if (isRecord(headers)) {
    const get = headers.get;
    retryAfter = typeof get === "function" ? Reflect.apply(get, headers, ["retry-after"]) : (headers["retry-after"] ?? headers["Retry-After"]);
  }
  return { status, retryAfterMs: parseRetryAfter(retryAfter) };
}

/** Retry-After in seconds or as an HTTP date, in milliseconds. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | null {
  if (typeof value !== "string" || value.trim() === "") return null;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    if (host === "localhost") return true;
    if (isIP(host) === 4) return host.startsWith("127.");
    return host === "::1";
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
