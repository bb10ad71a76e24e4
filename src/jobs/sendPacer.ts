/**
 * Pacing for the outbox dispatcher, per process: each recipient has a token bucket (a burst, then
 * the channel's sustained per-recipient rate), each channel a per-second cap, and a platform's own
 * "slow down" answer (ChannelSendError.retryAfterMs) holds back that one recipient for as long as
 * the platform asked. Only when several recipients in a row are refused does the whole channel
 * pause (then the limit is the channel's, e.g. an app-wide quota). Times are milliseconds from
 * the caller's clock, so tests drive it with a fake one.
 */
import type { ChannelLimits } from "../channels/channel.ts";
import type { Channel } from "../domain/messages.ts";

/** Refusals from this many different recipients in a row, with no success between, pause the whole channel. */
export const CHANNEL_PAUSE_AFTER_REFUSALS = 3;
/** Beyond this many tracked recipients, the ones back at a full bucket are forgotten (they behave as new). */
const PRUNE_ABOVE = 10_000;

interface RecipientState {
  /** Tokens at `at`; one send takes one. */
  tokens: number;
  at: number;
  burst: number;
  intervalMs: number;
  /** Nothing goes to this recipient before this time (the platform's retry-after, or an older message's retry). */
  heldUntil: number;
}

/** What the dispatcher asks before each send and tells after it. */
export class SendPacer {
  private readonly recipients = new Map<string, RecipientState>();
  private readonly channelSends = new Map<Channel, number[]>();
  private readonly channelPausedUntil = new Map<Channel, number>();
  private readonly refusals = new Map<Channel, { recipients: Set<string>; shortestMs: number }>();

  /** Whether `channel` may send now: not paused and under its per-second cap. */
  channelMaySend(channel: Channel, limits: ChannelLimits | undefined, now: number): boolean {
    if ((this.channelPausedUntil.get(channel) ?? 0) > now) return false;
    if (!limits) return true;
    const recent = (this.channelSends.get(channel) ?? []).filter((at) => now - at < 1000);
    this.channelSends.set(channel, recent);
    return recent.length < limits.perSecond;
  }

  /** Whether `channel` is paused at `now` (a channel-wide refusal). */
  channelPaused(channel: Channel, now: number): boolean {
    return (this.channelPausedUntil.get(channel) ?? 0) > now;
  }

  /** Whether one more message may go to `recipient` now: not held back, and a token in its bucket. */
  recipientMaySend(recipient: string, now: number): boolean {
    return this.recipientReadyAt(recipient, now) <= now;
  }

  /** When the next message may go to `recipient` (now or earlier when it may go already). */
  recipientReadyAt(recipient: string, now: number): number {
    const state = this.recipients.get(recipient);
    if (!state) return now;
    const tokens = this.tokensAt(state, now);
    const refilledAt = tokens >= 1 ? now : now + (1 - tokens) * state.intervalMs;
    return Math.max(refilledAt, state.heldUntil);
  }

  /** Recipients that may not be sent to at `now` (at most `max`), so a query can pass them over. */
  heldRecipients(now: number, max: number): string[] {
    const held: string[] = [];
    for (const recipient of this.recipients.keys()) {
      if (held.length >= max) break;
      if (!this.recipientMaySend(recipient, now)) held.push(recipient);
    }
    return held;
  }

  /** Counts a delivered message against the channel's and the recipient's allowance. */
  recordSend(channel: Channel, limits: ChannelLimits | undefined, recipient: string, now: number): void {
    this.refusals.delete(channel);
    const recent = this.channelSends.get(channel) ?? [];
    recent.push(now);
    this.channelSends.set(channel, recent);
    if (!limits) return;
    const state = this.stateOf(recipient, limits, now);
    state.tokens = this.tokensAt(state, now) - 1;
    state.at = now;
    if (this.recipients.size > PRUNE_ABOVE) this.prune(now);
  }

  /** Holds `recipient` back until `until` (e.g. its oldest message waits for a retry); sooner holds are kept longer ones. */
  holdRecipient(recipient: string, limits: ChannelLimits | undefined, until: number, now: number): void {
    const state = this.stateOf(recipient, limits, now);
    state.heldUntil = Math.max(state.heldUntil, until);
  }

  /**
   * The platform refused a send to `recipient` for `retryAfterMs`: that recipient waits that long.
   * `scope: "channel"`, or refusals for several recipients in a row, pause the whole channel instead.
   * Returns what was paused.
   */
  recordRefusal(channel: Channel, limits: ChannelLimits | undefined, refusal: { recipient: string; retryAfterMs: number; scope?: "recipient" | "channel" }, now: number): "recipient" | "channel" {
    this.holdRecipient(refusal.recipient, limits, now + refusal.retryAfterMs, now);
    const streak = this.refusals.get(channel) ?? { recipients: new Set<string>(), shortestMs: refusal.retryAfterMs };
    streak.recipients.add(refusal.recipient);
    streak.shortestMs = Math.min(streak.shortestMs, refusal.retryAfterMs);
    this.refusals.set(channel, streak);
    if (refusal.scope !== "channel" && streak.recipients.size < CHANNEL_PAUSE_AFTER_REFUSALS) return "recipient";
    const pauseMs = refusal.scope === "channel" ? refusal.retryAfterMs : streak.shortestMs;
    this.channelPausedUntil.set(channel, Math.max(this.channelPausedUntil.get(channel) ?? 0, now + pauseMs));
    this.refusals.delete(channel);
    return "channel";
  }

  private stateOf(recipient: string, limits: ChannelLimits | undefined, now: number): RecipientState {
    const existing = this.recipients.get(recipient);
    if (existing) return existing;
    const burst = limits?.perRecipientBurst ?? 1;
    const state: RecipientState = { tokens: burst, at: now, burst, intervalMs: limits?.perRecipientIntervalMs ?? 0, heldUntil: 0 };
    this.recipients.set(recipient, state);
    return state;
  }

  private tokensAt(state: RecipientState, now: number): number {
    if (state.intervalMs <= 0) return state.burst;
    return Math.min(state.burst, state.tokens + Math.max(0, now - state.at) / state.intervalMs);
  }

  private prune(now: number): void {
    for (const [recipient, state] of this.recipients) {
      if (state.heldUntil <= now && this.tokensAt(state, now) >= state.burst) this.recipients.delete(recipient);
    }
  }
}
