/**
 * Delivers the outbox: due messages are claimed with a lease (safe with several instances),
 * sent through their channel, and marked sent; failures retry with backoff, a 429's retry-after
 * pauses that channel, and after repeated failure a message is dead (visible to admins). Replies
 * (priority 0) go before bulk; per resident, messages leave in the order they were written.
 */
import { randomUUID } from "node:crypto";
import { ChannelSendError, type ChannelAdapter } from "../channels/channel.ts";
import type { Db } from "../db/client.ts";
import { claimOutboxMessage, hasOlderPendingOutboxMessage, listDueOutboxMessages, markOutboxMessageFailed, markOutboxMessageSent } from "../db/outbox.repo.ts";
import type { Channel } from "../domain/messages.ts";
import type { Logger } from "../log.ts";
import { redactText } from "../privacy/redact.ts";

/** How the dispatcher behaves; tests shorten the times. */
export interface DispatcherOptions {
  pollMs: number;
  leaseMs: number;
  maxAttempts: number;
  backoffMs: (attempt: number) => number;
  batchSize: number;
}

const defaults: DispatcherOptions = {
  pollMs: 250,
  leaseMs: 60_000,
  maxAttempts: 8,
  backoffMs: (attempt) => Math.min(2 ** attempt * 1000, 15 * 60_000),
  batchSize: 50,
};

/** Sends outbox messages through the registered channels. */
export class OutboxDispatcher {
  private readonly channels = new Map<Channel, ChannelAdapter>();
  private readonly pausedUntil = new Map<Channel, number>();
  /** Send times in the last second per channel (the channel-wide rate). */
  private readonly recentSends = new Map<Channel, number[]>();
  /** Per recipient: a token bucket (tokens, at) for the per-recipient rate. */
  private readonly recipientBuckets = new Map<string, { tokens: number; at: number }>();
  private readonly options: DispatcherOptions;
  private readonly instance = randomUUID();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = true;

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

  /** Starts polling. */
  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      void this.runOnce()
        .catch((error: unknown) => this.logger.error({ err: error }, "outbox dispatch failed"))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs);
        });
    };
    tick();
  }

  /** Asks for a dispatch round soon (e.g. right after a turn wrote replies). */
  nudge(): void {
    if (this.stopped || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.runOnce().catch((error: unknown) => this.logger.error({ err: error }, "outbox dispatch failed"));
      if (!this.stopped) this.start();
    }, 0);
  }

  /** Stops polling and waits for a running round. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One dispatch round; returns how many messages were sent. */
  runOnce(): Promise<number> {
    this.running ??= this.dispatch().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async dispatch(): Promise<number> {
    const now = this.now();
    const channels = [...this.channels.entries()]
      .filter(([channel, adapter]) => (this.pausedUntil.get(channel) ?? 0) <= now.getTime() && (adapter.available?.() ?? true))
      .map(([channel]) => channel);
    if (channels.length === 0) return 0;
    const due = await listDueOutboxMessages(this.db, { channels, now, limit: this.options.batchSize });
    let sent = 0;
    const blockedIdentities = new Set<string>();
    for (const row of due) {
      if (blockedIdentities.has(row.channelIdentityId)) continue;
      // Keep per-resident order: an older unsent message of this identity goes first.
      if (await hasOlderPendingOutboxMessage(this.db, row)) {
        blockedIdentities.add(row.channelIdentityId);
        continue;
      }
      const adapter = this.channels.get(row.channel);
      if (!adapter || (this.pausedUntil.get(adapter.kind) ?? 0) > this.now().getTime()) continue;
      if (!this.withinLimits(adapter, row.channelIdentityId)) {
        blockedIdentities.add(row.channelIdentityId);
        continue;
      }
      const claimed = await claimOutboxMessage(this.db, row.id, { now: this.now(), lockedUntil: new Date(this.now().getTime() + this.options.leaseMs), lockedBy: this.instance });
      if (!claimed) continue;
      try {
        if (!row.payload.ok) throw row.payload.error;
        const { externalMessageId } = await adapter.send(row.recipient, row.payload.value);
        await markOutboxMessageSent(this.db, row.id, { sentAt: this.now(), externalMessageId });
        this.recordSend(adapter, row.channelIdentityId);
        sent++;
      } catch (error) {
        blockedIdentities.add(row.channelIdentityId);
        const attempts = row.attempts + 1;
        const sendError = error instanceof ChannelSendError ? error : null;
        const dead = sendError?.options.permanent === true || attempts >= this.options.maxAttempts;
        if (sendError?.options.retryAfterMs) this.pausedUntil.set(adapter.kind, this.now().getTime() + sendError.options.retryAfterMs);
        const retryAt = new Date(this.now().getTime() + Math.max(sendError?.options.retryAfterMs ?? 0, this.options.backoffMs(attempts)));
        const lastError = redactText(error instanceof Error ? error.message : String(error)).slice(0, 500);
        await markOutboxMessageFailed(this.db, row.id, { dead, nextAttemptAt: retryAt, lastError });
        this.logger.warn({ outboxId: row.id, channel: row.channel, attempts, dead }, dead ? "outbox message is dead after repeated failures" : "outbox send failed; will retry");
      }
    }
    return sent;
  }

  /**
   * The platform's limits (ChannelAdapter.limits): at most `perSecond` sends per channel in any
   * second, and `perRecipientIntervalMs` between two messages to one resident. Counted per
   * instance; several instances share the platform's allowance only approximately.
   */
  private withinLimits(adapter: ChannelAdapter, identityId: string): boolean {
    if (!adapter.limits) return true;
    const now = Date.now();
    const recent = (this.recentSends.get(adapter.kind) ?? []).filter((at) => now - at < 1000);
    this.recentSends.set(adapter.kind, recent);
    if (recent.length >= adapter.limits.perSecond) return false;
    return this.recipientTokens(adapter, identityId, now) >= 1;
  }

  private recipientTokens(adapter: ChannelAdapter, identityId: string, now: number): number {
    const limits = adapter.limits;
    if (!limits) return Infinity;
    const burst = limits.perRecipientBurst ?? 1;
    const bucket = this.recipientBuckets.get(identityId);
    if (!bucket) return burst;
    const refilled = limits.perRecipientIntervalMs > 0 ? (now - bucket.at) / limits.perRecipientIntervalMs : burst;
    return Math.min(burst, bucket.tokens + refilled);
  }

  private recordSend(adapter: ChannelAdapter, identityId: string): void {
    const now = Date.now();
    const recent = this.recentSends.get(adapter.kind) ?? [];
    recent.push(now);
    this.recentSends.set(adapter.kind, recent);
    if (!adapter.limits) return;
    this.recipientBuckets.set(identityId, { tokens: this.recipientTokens(adapter, identityId, now) - 1, at: now });
    if (this.recipientBuckets.size > 50_000) this.recipientBuckets.clear();
  }
}
