/**
 * Delivers the outbox: due messages are claimed with a lease (safe with several instances),
 * sent through their channel, and marked sent; failures retry with backoff, and after repeated
 * failure a message is dead (visible to admins). The lease is a few seconds long and renewed
 * while the send runs, so it ends with the process: after a crash the next message to that
 * resident goes within seconds, and the message that was being sent is sent again only where the
 * platform recognises a repeat (ChannelAdapter.idempotentSends); elsewhere it is marked dead as
 * "in doubt", never sent twice. Per resident, messages leave in the order they
 * were written; across residents, replies (priority 0) go before bulk, one message per resident
 * per round. Pacing (src/jobs/sendPacer.ts) follows each channel's declared limits, and a
 * platform's retry-after holds back that one recipient for as long as it asked.
 */
import { randomUUID } from "node:crypto";
import { ChannelSendError, type ChannelAdapter } from "../channels/channel.ts";
import type { Db } from "../db/client.ts";
import {
  claimOutboxMessage,
  deferOutboxMessage,
  findInboundChannelMessageId,
  listNextOutboxMessages,
  markOutboxMessageFailed,
  markOutboxMessageInDoubt,
  markOutboxMessageSent,
  renewOutboxLease,
  type DueOutboxMessage,
} from "../db/outbox.repo.ts";
import type { Channel, Reaction } from "../domain/messages.ts";
import type { Logger } from "../log.ts";
import { redactText } from "../privacy/redact.ts";
import { SendPacer } from "./sendPacer.ts";

/** How the dispatcher behaves; tests shorten the times. */
export interface DispatcherOptions {
  pollMs: number;
  /** How long a claim holds without renewal; renewed every third of it while the send runs, so a crashed instance's claim is free this long after the crash. */
  leaseMs: number;
  maxAttempts: number;
  backoffMs: (attempt: number) => number;
  batchSize: number;
}

const defaults: DispatcherOptions = {
  pollMs: 250,
  leaseMs: 10_000,
  maxAttempts: 8,
  backoffMs: (attempt) => Math.min(2 ** attempt * 1000, 15 * 60_000),
  batchSize: 50,
};

/** At most this many paced residents are passed over by the round's query (a bound on its size). */
const MAX_SKIPPED_RECIPIENTS = 1000;

/** Sends outbox messages through the registered channels. */
export class OutboxDispatcher {
  private readonly channels = new Map<Channel, ChannelAdapter>();
  private readonly pacer = new SendPacer();
  private readonly options: DispatcherOptions;
  private readonly instance = randomUUID();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = true;
  /** A reply was written during the running round: the round stops before its next bulk message and another starts at once. */
  private nudged = false;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    options: Partial<DispatcherOptions> = {},
    private readonly now: () => Date = () => new Date(),
  ) {
    this.options = { ...defaults, ...options };
  }

  /** Registers a channel's adapter; messages for unregistered channels wait. */
  register(channel: ChannelAdapter): void {
    this.channels.set(channel.kind, channel);
  }

  /** Starts polling: a round right after a round that sent something, otherwise every `pollMs`. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Asks for a dispatch round soon (e.g. right after a turn wrote replies). */
  nudge(): void {
    if (this.running) {
      this.nudged = true;
      return;
    }
    if (!this.stopped) this.schedule(0);
  }

  /** Stops polling and waits for a running round. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One dispatch round; returns how many messages were sent. */
  runOnce(): Promise<number> {
    this.running ??= this.dispatch().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.stopped) return;
      void this.runOnce()
        .then(
          (sent) => (sent > 0 || this.nudged ? 0 : this.options.pollMs),
          (error: unknown) => {
            this.logger.error({ err: error }, "outbox dispatch failed");
            return this.options.pollMs;
          },
        )
        .then((delay) => {
          if (!this.stopped && !this.timer) this.schedule(delay);
        });
    }, delayMs);
  }

  /**
   * One round: each resident's next message (see listNextOutboxMessages: replies' lane first, one
   * per resident), skipping residents and channels the pacer holds back. Each message gets its own
   * try/catch, so one resident's failure never stops the others.
   */
  private async dispatch(): Promise<number> {
    this.nudged = false;
    const now = this.now();
    const channels = [...this.channels.entries()].filter(([channel, adapter]) => !this.pacer.channelPaused(channel, now.getTime()) && (adapter.available?.() ?? true)).map(([channel]) => channel);
    if (channels.length === 0) return 0;
    const skipIdentityIds = this.pacer.heldRecipients(now.getTime(), MAX_SKIPPED_RECIPIENTS);
    const { ready, waiting } = await listNextOutboxMessages(this.db, { channels, now, limit: this.options.batchSize, skipIdentityIds });
    for (const held of waiting) this.pacer.holdRecipient(held.channelIdentityId, this.channels.get(held.channel)?.limits, held.until.getTime(), now.getTime());
    let sent = 0;
    for (const message of ready) {
      // A reply was written meanwhile: end the round here so the next one sends it before more bulk.
      if (this.nudged && message.lanePriority > 0) break;
      const adapter = this.channels.get(message.channel);
      if (!adapter) continue;
      const at = this.now().getTime();
      if (!this.pacer.channelMaySend(adapter.kind, adapter.limits, at) || !this.pacer.recipientMaySend(message.channelIdentityId, at)) continue;
      if (await this.deliver(adapter, message)) sent++;
    }
    return sent;
  }

  /** Claims, sends and records one message; true when it was delivered. */
  private async deliver(adapter: ChannelAdapter, message: DueOutboxMessage): Promise<boolean> {
    const lockedBy = this.instance;
    const leaseEnd = () => new Date(this.now().getTime() + this.options.leaseMs);
    const claim = await claimOutboxMessage(this.db, message.id, { now: this.now(), lockedUntil: leaseEnd(), lockedBy });
    if (claim === "lost") return false;
    if (claim === "taken-over" && adapter.idempotentSends !== true) {
      // Its sender stopped mid-send: the resident may have it already. Not sent twice; an admin can send it again.
      await markOutboxMessageInDoubt(this.db, message.id, lockedBy, "in doubt: the instance sending this message stopped mid-send, so it may or may not have arrived; not sent again");
      this.logger.warn({ outboxId: message.id, channel: message.channel }, "outbox message in doubt after a crash mid-send; marked dead, not sent twice");
      return false;
    }
    // The lease lives as long as this process does: renewed while the platform answers.
    const renewal = setInterval(
      () => {
        void renewOutboxLease(this.db, message.id, { lockedUntil: leaseEnd(), lockedBy }).then(
          (held) => {
            if (!held) this.logger.warn({ outboxId: message.id }, "outbox lease lost while sending (this instance stalled)");
          },
          (error: unknown) => this.logger.warn({ err: error, outboxId: message.id }, "could not renew an outbox lease"),
        );
      },
      Math.max(50, Math.floor(this.options.leaseMs / 3)),
    );
    try {
      if (!message.payload.ok) throw message.payload.error;
      const { reaction } = message.payload.value;
      if (reaction) return await this.deliverReaction(adapter, message, reaction);
      const { externalMessageId } = await adapter.send(message.recipient, message.payload.value, { idempotencyKey: message.id });
      this.pacer.recordSend(adapter.kind, adapter.limits, message.channelIdentityId, this.now().getTime());
      await markOutboxMessageSent(this.db, message.id, { sentAt: this.now(), externalMessageId, lockedBy });
      return true;
    } catch (error) {
      await this.recordFailure(adapter, message, error);
      return false;
    } finally {
      clearInterval(renewal);
    }
  }

  /**
   * A reaction on the resident's message, by the platform's id for it. Where the platform shows no
   * bot reactions, or there is no message of the resident's to react to (a button tap), it is done
   * without sending. A refusal drops it at once (dead, never retried, so it never holds up this
   * resident's next message); only the platform's "slow down" makes it wait, like every send.
   */
  private async deliverReaction(adapter: ChannelAdapter, message: DueOutboxMessage, reaction: Reaction): Promise<boolean> {
    const channelMessageId = adapter.react ? await findInboundChannelMessageId(this.db, reaction.messageId) : null;
    if (!adapter.react || !channelMessageId) {
      this.logger.debug({ outboxId: message.id, channel: message.channel }, "a reaction this channel cannot show: done without sending");
      await markOutboxMessageSent(this.db, message.id, { sentAt: this.now(), externalMessageId: null, lockedBy: this.instance });
      return true;
    }
    try {
      const { externalMessageId } = await adapter.react(message.recipient, { emoji: reaction.emoji, channelMessageId });
      this.pacer.recordSend(adapter.kind, adapter.limits, message.channelIdentityId, this.now().getTime());
      await markOutboxMessageSent(this.db, message.id, { sentAt: this.now(), externalMessageId, lockedBy: this.instance });
      return true;
    } catch (error) {
      const slowDown = error instanceof ChannelSendError && (error.options.retryAfterMs ?? 0) > 0 && error.options.permanent !== true;
      const dropped = slowDown ? error : new ChannelSendError(`reaction dropped: ${error instanceof Error ? error.message : String(error)}`, { permanent: true });
      await this.recordFailure(adapter, message, dropped);
      return false;
    }
  }

  private async recordFailure(adapter: ChannelAdapter, message: DueOutboxMessage, error: unknown): Promise<void> {
    const now = this.now().getTime();
    const sendError = error instanceof ChannelSendError ? error : null;
    const lastError = redactText(error instanceof Error ? error.message : String(error)).slice(0, 500);
    const retryAfterMs = sendError?.options.retryAfterMs;
    if (sendError && retryAfterMs !== undefined && retryAfterMs > 0 && sendError.options.permanent !== true) {
      // The platform's own "slow down": wait exactly as long as it asked, for this recipient (the pacer decides when it is the channel).
      const paused = this.pacer.recordRefusal(adapter.kind, adapter.limits, { recipient: message.channelIdentityId, retryAfterMs, scope: sendError.options.retryAfterScope }, now);
      await deferOutboxMessage(this.db, message.id, { nextAttemptAt: new Date(now + retryAfterMs), lastError, lockedBy: this.instance });
      this.logger.warn({ outboxId: message.id, channel: message.channel, retryAfterMs, paused }, `outbox send rate limited; ${paused} waits`);
      return;
    }
    const attempts = message.attempts + 1;
    const dead = sendError?.options.permanent === true || attempts >= this.options.maxAttempts;
    const retryAt = now + this.options.backoffMs(attempts);
    // Later messages to this resident wait behind this one (order per resident).
    if (!dead) this.pacer.holdRecipient(message.channelIdentityId, adapter.limits, retryAt, now);
    await markOutboxMessageFailed(this.db, message.id, { dead, nextAttemptAt: new Date(retryAt), lastError, lockedBy: this.instance });
    const outcome = dead ? "outbox message is dead after repeated failures" : "outbox send failed; will retry";
    this.logger.warn({ outboxId: message.id, channel: message.channel, attempts, dead }, outcome);
  }
}
