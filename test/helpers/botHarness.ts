/**
 * Drives the real bot (flows, engine, actions, processor, outbox) on a real database, turn by
 * turn, as a resident would: the web chat channel without HTTP. Used by the flow scripts and
 * the conversation tests.
 */
import { startBot, type WijklijnBot } from "../../src/bot/wijklijnBot.ts";
import { createWebchatAdapter } from "../../src/channels/webchat/webchatChannel.ts";
import type { ChannelAdapter } from "../../src/channels/channel.ts";
import type { DatabaseProvider } from "../../src/db/client.ts";
import { OutboundPayloadSchema, type InboundMessage } from "../../src/domain/messages.ts";
import { createTestDatabase, type TestDatabase } from "./db.ts";
import { captureLogger } from "./logger.ts";

/** A bot reply as the resident sees it. */
export interface Reply {
  text: string;
  buttons: Array<{ label: string; value: string }>;
}

/** A test bot with a controllable clock. */
export interface BotHarness {
  t: TestDatabase;
  bot: WijklijnBot;
  clock: { now: Date };
  logs: string[];
  /** A resident on the web chat; each has its own identity. */
  resident(externalId?: string): Resident;
  close(): Promise<void>;
}

/** One resident in a harness. */
export interface Resident {
  externalId: string;
  send(message: Omit<InboundMessage, "channel" | "externalId" | "channelMessageId"> & { channelMessageId?: string }): Promise<Reply[]>;
  say(text: string): Promise<Reply[]>;
  tap(value: string): Promise<Reply[]>;
  /** The emoji the bot reacted with on the resident's message with this platform id (a reaction is no reply). */
  reactionsOn(channelMessageId: string): Promise<string[]>;
  /** The emoji on the resident's last message sent through `send`, `say` or `tap`. */
  reactionsOnLast(): Promise<string[]>;
  /** The resident's conversations, newest first. */
  conversations(): Promise<
    Array<{
      id: string;
      reference: string;
      status: string;
      intent: string | null;
      theme: string | null;
      emergency: string | null;
      wijk: string | null;
      tandem: string | null;
      messages: Array<{ direction: string; text: string | null }>;
    }>
  >;
}

/** Starts a bot on a fresh seeded database. */
export async function createBotHarness(
  provider: DatabaseProvider = "sqlite",
  start = new Date("2026-11-26T10:00:00+01:00"),
  options: { channels?: ChannelAdapter[]; realClock?: boolean; mediaDir?: string; recoverEveryMs?: number } = {},
): Promise<BotHarness> {
  const t = await createTestDatabase(provider, { seed: true });
  const clock = { now: start };
  const { logger, lines } = captureLogger("debug");
  const gemeente = await t.db.gemeente.findFirstOrThrow();
  const bot = await startBot({
    db: t.db,
    provider,
    logger,
    gemeente,
    publicUrl: "http://wijklijn.test",
    secret: "test-secret-test-secret-test-secret",
    channels: [createWebchatAdapter(), ...(options.channels ?? [])],
    dispatcher: { pollMs: 20, backoffMs: (attempt) => Math.min(50 * attempt, 500) },
    ...(options.recoverEveryMs ? { recoverEveryMs: options.recoverEveryMs } : {}),
    ...(options.realClock ? {} : { now: () => clock.now }),
    ...(options.mediaDir ? { mediaDir: options.mediaDir } : {}),
  });
  let counter = 0;
  let residents = 0;

  const resident = (externalId = `visitor-${++residents}-abcdefghijklmnop`): Resident => {
    let seen = new Date(0);
    let seenIds = new Set<string>();
    const replies = async (): Promise<Reply[]> => {
      await bot.processor.idle();
      const identity = await t.db.channelIdentity.findUnique({ where: { channel_externalId: { channel: "webchat", externalId } } });
      if (!identity) return [];
      const messages = await t.db.message.findMany({
        where: { conversation: { channelIdentityId: identity.id }, direction: "out", createdAt: { gte: seen } },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      });
      const outbox = await t.db.outboxMessage.findMany({ where: { channelIdentityId: identity.id }, select: { payload: true } });
      const buttons = new Map<string, Reply["buttons"]>();
      for (const row of outbox) {
        const payload: unknown = JSON.parse(row.payload);
        if (payload && typeof payload === "object" && "messageId" in payload && typeof payload.messageId === "string" && "buttons" in payload && Array.isArray(payload.buttons)) {
          buttons.set(
            payload.messageId,
            payload.buttons.flatMap((b: unknown) =>
              b && typeof b === "object" && "label" in b && "value" in b && typeof b.label === "string" && typeof b.value === "string" ? [{ label: b.label, value: b.value }] : [],
            ),
          );
        }
      }
      const fresh = messages.filter((m) => !seenIds.has(m.id));
      seenIds = new Set([...seenIds, ...fresh.map((m) => m.id)]);
      const last = messages[messages.length - 1];
      if (last) seen = last.createdAt;
      return fresh.map((m) => ({ text: m.text ?? "", buttons: buttons.get(m.id) ?? [] }));
    };
    let lastChannelMessageId = "";
    const send: Resident["send"] = async (message) => {
      // Each message a moment after the previous, so order is kept as on a real phone.
      clock.now = new Date(clock.now.getTime() + 1000);
      lastChannelMessageId = message.channelMessageId ?? `m${++counter}`;
      await bot.processor.ingest({ channel: "webchat", externalId, ...message, channelMessageId: lastChannelMessageId });
      return replies();
    };
    const reactionsOn = async (channelMessageId: string): Promise<string[]> => {
      await bot.processor.idle();
      const inbound = await t.db.message.findFirst({ where: { channel: "webchat", channelMessageId, direction: "in" }, select: { id: true } });
      if (!inbound) return [];
      const rows = await t.db.outboxMessage.findMany({ where: { payload: { contains: inbound.id } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { payload: true } });
      return rows.flatMap((row) => {
        const parsed = OutboundPayloadSchema.safeParse(JSON.parse(row.payload));
        return parsed.success && parsed.data.reaction?.messageId === inbound.id ? [parsed.data.reaction.emoji] : [];
      });
    };
    return {
      externalId,
      send,
      say: (text) => send({ text }),
      tap: (value) => send({ value }),
      reactionsOn,
      reactionsOnLast: () => reactionsOn(lastChannelMessageId),
      async conversations() {
        const identity = await t.db.channelIdentity.findUnique({ where: { channel_externalId: { channel: "webchat", externalId } } });
        if (!identity) return [];
        const rows = await t.db.conversation.findMany({
          where: { channelIdentityId: identity.id },
          orderBy: { createdAt: "desc" },
          include: { wijk: true, tandem: true, messages: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } },
        });
        return rows.map((c) => ({
          id: c.id,
          reference: c.reference,
          status: c.status,
          intent: c.intent,
          theme: c.theme,
          emergency: c.emergency,
          wijk: c.wijk?.slug ?? null,
          tandem: c.tandem?.slug ?? null,
          messages: c.messages.map((m) => ({ direction: m.direction, text: m.text })),
        }));
      },
    };
  };

  return {
    t,
    bot,
    clock,
    logs: lines,
    resident,
    async close() {
      await bot.stop();
      await t.drop();
    },
  };
}

/** All reply texts joined, for substring checks. */
export function joined(replies: Reply[]): string {
  return replies.map((r) => r.text).join("\n");
}
