/**
 * Long polling that never confirms an update before it is stored. Telegram forgets an update once
 * getUpdates is called with a higher offset; this loop raises the offset only after `handle`
 * resolved, and when storing fails it waits and fetches the same updates again. (grammY's
 * bot.start() confirms the update in hand when it stops, so an update whose storing failed
 * during a shutdown would be lost; hence this small loop over grammY's Api.)
 */
import { setTimeout as sleep } from "node:timers/promises";
import { GrammyError, type Api } from "grammy";
import type { Logger } from "../../log.ts";

/** The update kinds Wijklijn reads (edited ones only to ignore them knowingly). */
export const TELEGRAM_ALLOWED_UPDATES = ["message", "edited_message", "channel_post", "edited_channel_post", "callback_query"] as const;

/** A running poll loop. */
export interface TelegramLongPolling {
  /** Stops fetching, lets the update in hand finish, and confirms what was stored. */
  stop(): Promise<void>;
  /** Whether the last call to Telegram worked. */
  status(): { ok: boolean; detail?: string };
}

/** Starts polling in the background; `handle` must resolve only once the update is stored (or deliberately skipped). */
export function startTelegramLongPolling(deps: {
  api: Api;
  handle: (update: unknown) => Promise<void>;
  logger: Logger;
  /** Seconds Telegram may hold a getUpdates call open (30 in production). */
  timeoutSeconds?: number;
  backoffMs?: (failures: number) => number;
}): TelegramLongPolling {
  const controller = new AbortController();
  const { signal } = controller;
  const backoff = deps.backoffMs ?? ((failures: number) => Math.min(1000 * 2 ** (failures - 1), 60_000));
  const pause = (ms: number) => sleep(ms, undefined, { signal }).catch(() => undefined);
  let offset = 0;
  let state: { ok: boolean; detail?: string } = { ok: false, detail: "connecting to Telegram" };

  const fail = (error: unknown, failures: number): number => {
    const detail = describeTelegramError(error);
    state = { ok: false, detail };
    if (error instanceof GrammyError && error.error_code === 401) deps.logger.error("Telegram refused TELEGRAM_BOT_TOKEN (401): check the token with BotFather. Retrying in a minute.");
    else if (error instanceof GrammyError && error.error_code === 409)
      deps.logger.error("Telegram says another process is receiving this bot's updates (409): stop the other instance or its webhook. Retrying.");
    else deps.logger.warn({ failures, detail }, "Fetching Telegram updates failed; retrying");
    if (error instanceof GrammyError && error.error_code === 429 && error.parameters.retry_after) return error.parameters.retry_after * 1000;
    if (error instanceof GrammyError && error.error_code === 401) return 60_000;
    return backoff(failures);
  };

  const loop = (async () => {
    let failures = 0;
    // getUpdates is refused while a webhook is set (e.g. after running in webhook mode).
    while (!signal.aborted) {
      try {
        await deps.api.deleteWebhook({ drop_pending_updates: false }, grammySignal(signal));
        state = { ok: true };
        break;
      } catch (error) {
        if (signal.aborted) return;
        await pause(fail(error, ++failures));
      }
    }
    failures = 0;
    let storeFailures = 0;
    while (!signal.aborted) {
      let updates: unknown[];
      try {
        updates = await deps.api.getUpdates({ offset, timeout: deps.timeoutSeconds ?? 30, limit: 100, allowed_updates: [...TELEGRAM_ALLOWED_UPDATES] }, grammySignal(signal));
        failures = 0;
        state = { ok: true };
      } catch (error) {
        if (signal.aborted) return;
        await pause(fail(error, ++failures));
        continue;
      }
      for (const update of updates) {
        // Stopping: what is not handled yet is not confirmed, so Telegram delivers it again next time.
        if (signal.aborted) return;
        const updateId = updateIdOf(update);
        try {
          await deps.handle(update);
          storeFailures = 0;
          if (updateId !== null) offset = Math.max(offset, updateId + 1);
        } catch (error) {
          storeFailures++;
          state = { ok: false, detail: "storing Telegram updates fails; they wait at Telegram" };
          deps.logger.error({ error: describeTelegramError(error), updateId, failures: storeFailures }, "Could not store a Telegram update; fetching it again after a pause");
          await pause(backoff(storeFailures));
          break;
        }
      }
    }
  })();

  return {
    async stop() {
      controller.abort();
      await loop;
      if (offset === 0) return;
      // Confirm the stored updates, so that the next start does not fetch them again.
      try {
        await deps.api.getUpdates({ offset, limit: 1, timeout: 0 });
      } catch (error) {
        deps.logger.debug({ detail: describeTelegramError(error) }, "Could not confirm Telegram updates at stop; they will be fetched again and deduplicated");
      }
    },
    status: () => state,
  };
}

/** The AbortSignal type grammY 1.x declares (from the abort-controller polyfill). */
type GrammySignal = NonNullable<Parameters<Api["getUpdates"]>[1]>;

/**
 * Hands a native AbortSignal to grammY. grammY 1.x types its signals with a polyfill that
 * Node's own signal does not match on paper, though it does in use: grammY only reads `aborted`
 * and adds or removes an "abort" listener (https://github.com/grammyjs/grammY/issues/598, fixed in 2.0).
 */
export function grammySignal(signal: AbortSignal): GrammySignal {
  if (!isGrammySignal(signal)) throw new TypeError("This AbortSignal lacks what grammY needs");
  return signal;
}

function isGrammySignal(signal: object): signal is GrammySignal {
  return "aborted" in signal && "addEventListener" in signal && "removeEventListener" in signal;
}

function updateIdOf(update: unknown): number | null {
  return typeof update === "object" && update !== null && "update_id" in update && typeof update.update_id === "number" ? update.update_id : null;
}

/**
 * A one-line description of a failure, without payloads: a Bot API error names its method and
 * Telegram's description; any other error only its first line (a database error may quote the
 * resident's text further down).
 */
export function describeTelegramError(error: unknown): string {
  if (error instanceof GrammyError) return `${error.method}: ${error.error_code} ${error.description}`;
  if (error instanceof Error) return `${error.name}: ${(error.message.split("\n")[0] ?? "").slice(0, 200)}`;
  return "unknown error";
}
