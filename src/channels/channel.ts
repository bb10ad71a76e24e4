/**
 * The one small interface every platform implements (Novu-style): start, stop, send, with honest
 * capability flags. Inbound messages reach Wijklijn through `Ingest`.
 */
import type { Channel, InboundMessage, OutboundPayload } from "../domain/messages.ts";

/** What a platform can show. A channel without buttons gets a numbered list from the same step. */
export interface ChannelCapabilities {
  buttons: boolean;
  maxButtons: number;
  media: boolean;
  location: boolean;
  templates: boolean;
}

/** Where an outbound message goes: the identity's platform address. */
export interface Recipient {
  externalId: string;
  /** Channel data kept from the resident's last message (e.g. a Bot Framework reference). */
  reference: string | null;
}

/** The platform's sending limits, honoured by the outbox dispatcher (src/jobs/sendPacer.ts): per recipient a burst, then the interval. */
export interface ChannelLimits {
  /** Messages per second over all recipients (Telegram ≈ 30, WhatsApp Cloud 80). */
  perSecond: number;
  /** Minimum time between two messages to one recipient (Telegram 1 s, WhatsApp Cloud ≈ 6 s). */
  perRecipientIntervalMs: number;
  /** How many messages one recipient may get at once before the interval applies (default 1). */
  perRecipientBurst?: number;
}

/** A platform adapter. */
export interface ChannelAdapter {
  readonly kind: Channel;
  readonly capabilities: ChannelCapabilities;
  readonly limits?: ChannelLimits;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** False while the platform connection is down (WhatsApp Web disconnected): messages wait, unclaimed. */
  available?(): boolean;
  /**
   * True when sending again with the same `idempotencyKey` never delivers a message twice. Only
   * then is a message whose sender crashed mid-send sent again; otherwise it is marked dead "in
   * doubt" (Telegram, WhatsApp and the Bot Framework connector have no such key).
   */
  readonly idempotentSends?: boolean;
  /** Sends one message; returns the platform's id for it. Throws ChannelSendError on failure. `idempotencyKey` is the outbox row's id. */
  send(to: Recipient, payload: OutboundPayload, options?: { idempotencyKey: string }): Promise<{ externalMessageId: string }>;
  /**
   * Puts an emoji reaction on a message the resident sent, named by the platform's id for it (the
   * one it was stored under); returns the platform's id for the reaction, or null when it gives
   * none or there is nothing to react to (a button tap). Absent on platforms where a bot cannot
   * react (Bot Framework's Web Chat): the dispatcher then marks the reaction done. Throws
   * ChannelSendError like `send`; a refused reaction is dropped, never retried.
   */
  react?(to: Recipient, reaction: PlatformReaction): Promise<{ externalMessageId: string | null }>;
}

/** A reaction as a channel renders it: the emoji and the platform's id of the resident's message. */
export interface PlatformReaction {
  emoji: string;
  channelMessageId: string;
}

/**
 * A failed send. `retryAfterMs`: the platform said "slow down" (429): the dispatcher holds back this
 * recipient that long, and the whole channel only with `retryAfterScope: "channel"` (an app-wide quota,
 * a revoked token) or when several recipients in a row are refused. `permanent` skips retries.
 */
export class ChannelSendError extends Error {
  constructor(
    message: string,
    readonly options: { retryAfterMs?: number; retryAfterScope?: "recipient" | "channel"; permanent?: boolean } = {},
  ) {
    super(message);
    this.name = "ChannelSendError";
  }
}

/** Hands an inbound message to Wijklijn; resolves once it is stored (then the platform may be acknowledged). */
export type Ingest = (message: InboundMessage) => Promise<{ stored: boolean; conversationId: string | null }>;

/** Renders buttons as a numbered list for channels without buttons: "1. Iets melden". */
export function renderNumberedList(payload: OutboundPayload): string {
  if (payload.buttons.length === 0) return payload.text;
  return `${payload.text}\n\n${payload.buttons.map((button, index) => `${index + 1}. ${button.label}`).join("\n")}`;
}
