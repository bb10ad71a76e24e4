/**
 * A stateful channel on one instance at a time. whatsapp-web.js keeps one browser session per
 * phone number, and Telegram hands each update to one getUpdates caller (two pollers fight over
 * the offset, and Telegram answers 409 Conflict): with several instances on PostgreSQL only the
 * holder of the channel's lock runs it, and another takes over when that one dies. Sending goes
 * through the wrapped adapter as before: a follower's Telegram sends are plain Bot API calls, and
 * a follower's WhatsApp Web is not available, so its messages wait for the holder's dispatcher.
 */
import type { ChannelAdapter } from "./channel.ts";

/** Runs work while this instance holds a lock (src/db/exclusiveLock.ts); `held` says whether it does. */
export type HoldLock = (work: { start(): Promise<void>; stop(): Promise<void> }) => { held(): boolean; stop(): Promise<void> };

/** A channel adapter that starts only while its lock is held. */
export interface ExclusiveChannel {
  adapter: ChannelAdapter;
  /** True while this instance runs the channel. */
  running(): boolean;
}

/** Wraps `inner`: its start() begins holding the lock (it returns at once), its stop() gives the lock up. */
export function runExclusively(inner: ChannelAdapter, holdLock: HoldLock): ExclusiveChannel {
  let lock: ReturnType<HoldLock> | null = null;
  const adapter: ChannelAdapter = {
    kind: inner.kind,
    capabilities: inner.capabilities,
    ...(inner.limits ? { limits: inner.limits } : {}),
    ...(inner.idempotentSends !== undefined ? { idempotentSends: inner.idempotentSends } : {}),
    ...(inner.available ? { available: () => inner.available?.() ?? true } : {}),
    async start() {
      lock ??= holdLock({ start: () => inner.start(), stop: () => inner.stop() });
    },
    async stop() {
      const current = lock;
      lock = null;
      await current?.stop();
    },
    send: (to, payload, options) => inner.send(to, payload, options),
    ...(inner.react ? { react: (to, reaction) => inner.react?.(to, reaction) ?? Promise.resolve({ externalMessageId: null }) } : {}),
  };
  return { adapter, running: () => lock?.held() ?? false };
}
