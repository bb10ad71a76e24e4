/**
 * Durable inbound handling: every inbound message is stored (once: deduplicated on the platform's
 * message id) before it is acknowledged, then handled by the bot. Messages of one conversation are
 * handled strictly in order, one turn at a time; on PostgreSQL a transaction-scoped advisory lock
 * keeps that true across several service instances. A turn holds no lease: it is one transaction,
 * so a crash mid-turn leaves the message unhandled, never half-handled. Messages stored but not
 * yet handled (a crash) are picked up again at start, and by the other instances within seconds.
 */
import { EventEmitter } from "node:events";
import { handleEvent, initialState } from "../conversation/engine.ts";
import { messageText } from "../conversation/messageText.ts";
import type { DatabaseProvider, Db } from "../db/client.ts";
import { conversationsWithUnprocessedInbound, inboundExists } from "../db/conversation.repo.ts";
import { recordFailedTurn, recordInbound, runConversationTurn } from "../db/inbound.repo.ts";
import { checkpointAfterErasure } from "../db/ops.repo.ts";
import { findNextTurnInput } from "../db/turn.repo.ts";
import { InboundMessageSchema, type InboundMessage } from "../domain/messages.ts";
import { emitInboxEvent, type InboxEvent } from "../domain/events.ts";
import { localDate } from "../domain/time.ts";
import type { Logger } from "../log.ts";
import { runTurn, turnLookups, type BotDeps } from "./turn.ts";

/** A bot-only conversation silent this long is closed; the next message starts a new one. */
const STALE_BOT_CONVERSATION_MS = 30 * 24 * 3600 * 1000;

/**
 * How many bot turns run at once, over all conversations. On PostgreSQL a turn holds one of the
 * pool's connections (src/db/client.ts) while its JavaScript runs, so without a bound a burst of
 * turns takes every connection and storing the next message, which answers the webhook, waits
 * behind them. On SQLite turns share group-committed transactions (src/db/groupCommit.ts) where
 * stores go first, so more turns may wait there: they fill one commit together.
 */
export const MAX_CONCURRENT_TURNS: Record<DatabaseProvider, number> = { sqlite: 32, postgresql: 6 };

/** A counting semaphore: at most `size` holders, the others wait in order. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}

/** Events: "turn" (conversationId) after the bot answered; "stored" (conversationId) after ingest. */
export class ConversationProcessor extends EventEmitter {
  private readonly queues = new Map<string, Promise<void>>();
  /** Conversations whose queued drain has not started yet. */
  private readonly notStarted = new Set<string>();
  private stopped = false;
  private readonly turnSlots: Slots;

  constructor(
    private readonly db: Db,
    private readonly provider: DatabaseProvider,
    private readonly deps: BotDeps,
    private readonly logger: Logger,
  ) {
    super();
    this.turnSlots = new Slots(MAX_CONCURRENT_TURNS[provider]);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Stores an inbound message (once) and schedules the bot. Resolves when it is safely stored. */
  async ingest(input: InboundMessage): Promise<{ stored: boolean; conversationId: string | null }> {
    const message = InboundMessageSchema.parse(input);
    // Duplicates are found inside the store transaction (once); here only when two deliveries raced into the unique index.
    let result: { stored: boolean; conversationId: string | null };
    try {
      result = await recordInbound(this.db, {
        gemeenteId: this.deps.gemeente.id,
        message,
        now: () => this.now(),
        staleBotConversationMs: STALE_BOT_CONVERSATION_MS,
        isCommand: () => this.isGlobalCommand(message),
      });
    } catch (error) {
      // Two deliveries of one message racing: the loser hits the unique index.
      if (await inboundExists(this.db, message.channel, message.channelMessageId)) return { stored: false, conversationId: null };
      throw error;
    }
    if (result.conversationId) {
      this.emit("stored", result.conversationId);
      this.schedule(result.conversationId);
    }
    return result;
  }

  /** Is the message a global command ("menu", "nieuw onderwerp", "stop"…)? Asked of the flow engine itself, so the words live in one place. */
  private isGlobalCommand(message: InboundMessage): boolean {
    const event = {
      type: "message" as const,
      ...(message.text ? { text: message.text } : {}),
      ...(message.value ? { value: message.value } : {}),
      ...(message.location ? { location: message.location } : {}),
      ...(message.media ? { media: message.media } : {}),
    };
    const context = { flows: this.deps.flows(), resident: {}, classify: this.deps.classify, today: localDate(this.now(), this.deps.gemeente.timeZone) };
    return handleEvent(initialState(), event, context).command !== null;
  }

  /** Handles the conversation's waiting messages in order (queued behind any running turn). */
  schedule(conversationId: string): Promise<void> {
    const previous = this.queues.get(conversationId) ?? Promise.resolve();
    // A drain that has not started yet will see every message stored so far: one queued drain is enough.
    if (this.notStarted.has(conversationId)) return previous;
    this.notStarted.add(conversationId);
    const run = () => {
      this.notStarted.delete(conversationId);
      return this.drain(conversationId);
    };
    const next = previous.then(run, run);
    this.queues.set(conversationId, next);
    void next.finally(() => {
      if (this.queues.get(conversationId) === next) this.queues.delete(conversationId);
    });
    return next;
  }

  /**
   * Schedules every conversation with stored but unhandled messages: at start (after a crash),
   * and now and then for messages another instance stored and could not handle because it died
   * (`storedBefore`: only messages waiting since then). Conversations this instance is already
   * handling are left to their queue; one another instance is handling waits for its turn lock.
   */
  async recover(options: { storedBefore?: Date } = {}): Promise<number> {
    const ids = (await conversationsWithUnprocessedInbound(this.db, options)).filter((id) => !this.queues.has(id));
    if (this.stopped) return 0;
    for (const id of ids) void this.schedule(id);
    return ids.length;
  }

  /** Resolves when no turn is running or queued. */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  /** Stops taking new turns; running ones finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  private async drain(conversationId: string): Promise<void> {
    while (!this.stopped) {
      let handled: { conversationId: string; events?: InboxEvent[]; erased?: boolean; more?: boolean } | null = null;
      try {
        handled = await this.turnSlots.run(() =>
          runConversationTurn(this.db, this.provider, conversationId, async (tx) => {
            const input = await findNextTurnInput(tx, conversationId, turnLookups(this.now()));
            if (!input) return null;
            return runTurn(tx, this.deps, input);
          }),
        );
      } catch (error) {
        this.logger.error({ err: error, conversationId }, "the bot failed on a message; answering with an apology");
        handled = await this.failTurn(conversationId);
      }
      if (!handled) return;
      if (handled.erased) await checkpointAfterErasure(this.db).catch((error: unknown) => this.logger.error({ err: error }, "the checkpoint after an erasure failed"));
      for (const event of handled.events ?? []) emitInboxEvent(event);
      this.emit("turn", handled.conversationId);
      if (handled.conversationId !== conversationId) this.emit("turn", conversationId);
      // The turn saw no other message waiting: stop here rather than open a transaction to find the queue empty.
      // A message stored after that look schedules its own drain (ingest → schedule).
      if (handled.more === false) return;
    }
  }

  /** Marks the oldest waiting message handled and apologises, so one bad message never blocks a resident. */
  private async failTurn(conversationId: string): Promise<{ conversationId: string } | null> {
    try {
      const apology = (language: "nl" | "en") => messageText(this.deps.flows().globals, "somethingWentWrong", language);
      return await recordFailedTurn(this.db, conversationId, { now: () => this.now(), apology });
    } catch (error) {
      this.logger.error({ err: error, conversationId }, "could not record the failure; the message stays waiting for the next start");
      return null;
    }
  }
}
