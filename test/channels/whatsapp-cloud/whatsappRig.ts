/**
 * The WhatsApp Cloud channel wired as in production, over real HTTP on loopback: Meta's side is
 * played by signed webhook POSTs and the fake Graph API; Wijklijn's side is the real bot on a
 * real database (createBotHarness), with the channel's router in an express app.
 */
import express from "express";
import { expect } from "vitest";
import type { Ingest } from "../../../src/channels/channel.ts";
import { loadFlows } from "../../../src/conversation/loadFlows.ts";
import type { DeliveryStatus } from "../../../src/channels/whatsapp-cloud/translateInbound.ts";
import { createWhatsappCloudChannel, type WhatsappCloudChannel } from "../../../src/channels/whatsapp-cloud/whatsappCloudChannel.ts";
import type { DatabaseProvider } from "../../../src/db/client.ts";
import { errorHandler, notFound } from "../../../src/http/errors.ts";
import { startFakeGraphApi, type FakeGraphApi, type SentMessage } from "../../fakes/graphApi.ts";
import { createBotHarness, type BotHarness } from "../../helpers/botHarness.ts";
import { listen } from "../../helpers/http.ts";
import { captureLogger } from "../../helpers/logger.ts";
import { ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, postWebhook, VERIFY_TOKEN, webhookBody } from "./webhookPayloads.ts";

/** A running rig. */
export interface WhatsappRig {
  url: string;
  fake: FakeGraphApi;
  whatsapp: WhatsappCloudChannel;
  harness: BotHarness;
  /** What the channel logged (JSON lines). */
  logs: string[];
  statuses: DeliveryStatus[];
  /** Replaces ingest, e.g. to make storing fail for a while; `real` stores for real. */
  interceptIngest(wrap: ((real: Ingest) => Ingest) | null): void;
  /** POSTs one signed webhook with these messages, expecting 200. */
  deliver(...messages: Array<Record<string, unknown>>): Promise<void>;
  /** Waits until the bot answered and the outbox is empty, checks each reply reached WhatsApp once and in order, and returns them all. */
  delivered(waId: string): Promise<SentMessage[]>;
  close(): Promise<void>;
}

/** Polls `condition` every 10 ms until it holds. */
export async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Starts the rig; the per-recipient interval is 0 so that tests do not wait 6 s per reply. */
export async function startWhatsappRig(provider: DatabaseProvider): Promise<WhatsappRig> {
  const fake = await startFakeGraphApi({ token: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  const { logger, lines } = captureLogger("debug");
  const statuses: DeliveryStatus[] = [];
  let real: Ingest = async () => {
    throw new Error("the bot is not started yet");
  };
  let wrapper: ((real: Ingest) => Ingest) | null = null;
  const whatsapp = createWhatsappCloudChannel({
    token: ACCESS_TOKEN,
    phoneNumberId: PHONE_NUMBER_ID,
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    apiRoot: fake.url,
    ingest: (message) => (wrapper ? wrapper(real)(message) : real(message)),
    logger,
    listButtonLabel: () => loadFlows().globals.messages.listButton.nl,
    limits: { perSecond: 80, perRecipientIntervalMs: 0 },
    onStatus: (status) => {
      statuses.push(status);
    },
  });
  const harness = await createBotHarness(provider, new Date(), { channels: [whatsapp.adapter], realClock: true });
  real = (message) => harness.bot.processor.ingest(message);

  const app = express();
  app.use(whatsapp.webhook);
  app.use(notFound);
  app.use(errorHandler(logger));
  const server = await listen(app);
  const db = harness.t.db;

  return {
    url: server.url,
    fake,
    whatsapp,
    harness,
    logs: lines,
    statuses,
    interceptIngest(wrap) {
      wrapper = wrap;
    },
    async deliver(...messages) {
      const response = await postWebhook(server.url, webhookBody(messages));
      expect(response.status, await response.clone().text()).toBe(200);
    },
    async delivered(waId) {
      await harness.bot.processor.idle();
      await waitFor(async () => (await db.outboxMessage.count({ where: { channel: "whatsapp", status: "pending" } })) === 0, "the outbox to be empty");
      const identity = await db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "whatsapp", externalId: waId } } });
      const rows = await db.outboxMessage.findMany({ where: { channelIdentityId: identity.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
      expect(rows.map((row) => row.status)).toEqual(rows.map(() => "sent"));
      const sent = fake.sentTo(waId);
      // Every reply reached WhatsApp exactly once, in the order the bot wrote them.
      expect(sent.map((message) => message.id)).toEqual(rows.map((row) => row.externalMessageId));
      return sent;
    },
    async close() {
      await server.close();
      await harness.close();
      await fake.close();
    },
  };
}
