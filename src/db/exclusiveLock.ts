/**
 * One instance at a time: a PostgreSQL session-level advisory lock, held on a dedicated
 * connection for as long as the work runs. Whoever holds it runs the work (a stateful channel:
 * whatsapp-web.js, Telegram long polling); the others try again every few seconds and take over
 * when the holder dies, because PostgreSQL releases a session's locks when its connection ends
 * (a killed process closes its socket). A holder that loses its connection stops the work at
 * once: it can no longer prove it holds the lock. No home-made consensus, only PostgreSQL's lock.
 * https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 */
import pg from "pg";
import type { Logger } from "../log.ts";

/** What runs while the lock is held. */
export interface ExclusiveWork {
  /** Called once the lock is held. A failure gives the lock up; it is tried again later. */
  start(): Promise<void>;
  /** Called when the lock is lost (connection gone) or given up (stopping). */
  stop(): Promise<void>;
}

/** A running attempt to hold a lock. */
export interface ExclusiveLock {
  /** True while this instance holds the lock and its work runs. */
  held(): boolean;
  /** Stops the work (when it runs), releases the lock and stops trying. */
  stop(): Promise<void>;
}

/** Settings of an exclusive lock. */
export interface ExclusiveLockOptions {
  /** A PostgreSQL URL (the service's DATABASE_URL). */
  url: string;
  /** What is locked, e.g. "channel:telegram-polling"; every instance uses the same name. */
  name: string;
  logger: Logger;
  /** How often a waiting instance tries again, and how often the holder checks its connection (3 s). */
  retryMs?: number;
}

/** The default pause between attempts: a dead holder is replaced within about this long. */
export const EXCLUSIVE_LOCK_RETRY_MS = 3_000;

/** The first key of the two-key advisory lock space: separates these locks from the single-key ones (turns, sign-in throttle, migrations). */
const NAMESPACE = "wijklijn.exclusive";

/**
 * Tries to hold the advisory lock `name` on a connection of its own, and runs `work` while it
 * does. Returns at once; the attempts go on in the background until `stop()`.
 */
export function holdExclusiveLock(options: ExclusiveLockOptions, work: ExclusiveWork): ExclusiveLock {
  const retryMs = options.retryMs ?? EXCLUSIVE_LOCK_RETRY_MS;
  const logger = options.logger.child({ lock: options.name });
  let stopping = false;
  let holding = false;
  let client: pg.Client | null = null;
  /** Ends the pauses under way (on stop). */
  const wakers = new Set<() => void>();

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });

  /** Resolves when the connection fails or ends: an error event, an end event, or a check query that fails or hangs. */
  const untilConnectionLost = (connection: pg.Client) =>
    new Promise<string>((resolve) => {
      let lost = false;
      const lose = (reason: string) => {
        lost = true;
        resolve(reason);
      };
      connection.once("error", (error: Error) => lose(`connection error (${error.message})`));
      connection.once("end", () => lose("connection ended"));
      const check = async () => {
        while (!stopping && !lost) {
          await pause(retryMs);
          if (stopping || lost) break;
          const answered = await Promise.race([
            connection.query("SELECT 1").then(
              () => true,
              () => false,
            ),
            new Promise<boolean>((done) => setTimeout(() => done(false), Math.max(retryMs, 1_000)).unref()),
          ]);
          if (!answered) return lose("the connection stopped answering");
        }
        if (!lost) resolve("stopping");
      };
      void check();
    });

  const closeClient = async () => {
    const current = client;
    client = null;
    if (!current) return;
    current.removeAllListeners("error");
    current.on("error", () => undefined);
    await current.end().catch(() => undefined);
  };

  const attempt = async (): Promise<void> => {
    if (!client) {
      const connection = new pg.Client({ connectionString: options.url, keepAlive: true, application_name: `wijklijn ${options.name}` });
      // Until the lock is held, a failing connection only means: try again later.
      connection.on("error", () => undefined);
      await connection.connect();
      client = connection;
    }
    const connection = client;
    const { rows } = await connection.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked", [NAMESPACE, options.name]);
    if (rows[0]?.locked !== true || stopping) return;
    holding = true;
    logger.info(`This instance holds ${options.name} and runs it`);
    const lost = untilConnectionLost(connection);
    try {
      await work.start();
    } catch (error) {
      holding = false;
      logger.error({ err: error }, `Starting ${options.name} failed; the lock is given up and tried again`);
      await work.stop().catch(() => undefined);
      await connection.query("SELECT pg_advisory_unlock(hashtext($1), hashtext($2))", [NAMESPACE, options.name]).catch(() => undefined);
      return;
    }
    const reason = await lost;
    holding = false;
    if (stopping) return;
    logger.warn({ reason }, `Lost ${options.name}'s lock; stopped it here, another instance may take over`);
    await work.stop().catch((error: unknown) => logger.error({ err: error }, `Stopping ${options.name} failed`));
    await closeClient();
  };

  const loop = (async () => {
    while (!stopping) {
      try {
        await attempt();
      } catch (error) {
        logger.warn({ detail: error instanceof Error ? error.message : String(error) }, `Could not reach PostgreSQL for ${options.name}'s lock; trying again`);
        await closeClient();
      }
      if (!stopping) await pause(retryMs);
    }
  })();

  return {
    held: () => holding,
    async stop() {
      if (stopping) return;
      stopping = true;
      for (const wake of [...wakers]) wake();
      const wasHolding = holding;
      holding = false;
      if (wasHolding) await work.stop().catch((error: unknown) => logger.error({ err: error }, `Stopping ${options.name} failed`));
      await loop;
      // Ending the session releases its locks; the explicit unlock only says so sooner.
      if (wasHolding) await client?.query("SELECT pg_advisory_unlock(hashtext($1), hashtext($2))", [NAMESPACE, options.name]).catch(() => undefined);
      await closeClient();
    },
  };
}
