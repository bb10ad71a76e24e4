/**
 * Group commit for the inbound hot path on SQLite (storing messages, bot turns). SQLite has one
 * writer and every commit waits for the disk (WAL, synchronous FULL): one transaction per stored
 * message and another per turn made the commits, not the work, the limit. Here the units of work
 * that arrive while a transaction runs wait for the next one, which runs them one after another,
 * each in its own savepoint, and commits once: a unit that fails is rolled back alone (its
 * savepoint) and its caller gets the error; the others commit. Nobody is told "done" before the
 * commit, so a stored message is still acknowledged only once it is on disk.
 *
 * Stores go first: a transaction takes every waiting store, then turns until `turnBudgetMs` of
 * their work passed, so storing a message (which answers the webhook) waits for at most one
 * such transaction, never for all queued turns. PostgreSQL has many connections and commits in
 * parallel: there each unit is its own transaction (src/db/inbound.repo.ts).
 */
import type { Db, Tx } from "./client.ts";
import { sqlRun } from "./sql.ts";

/** A unit of work waiting for a transaction: runs in it, and is told the outcome after the commit. */
interface Job {
  run(tx: Tx): Promise<void>;
  /** After the commit (or the rollback of the whole transaction: `error`). */
  settle(error?: unknown): void;
}

/** What one transaction may take: every waiting store, and turns for about this long. */
const TURN_BUDGET_MS = 15;
/** At most this many units in one transaction. */
const MAX_UNITS = 200;

export class GroupCommit {
  private readonly stores: Job[] = [];
  private readonly turns: Job[] = [];
  private running = false;

  constructor(
    private readonly db: Db,
    private readonly turnBudgetMs = TURN_BUDGET_MS,
  ) {}

  /** Runs `work` in the next transaction, ahead of turns; resolves after its commit. */
  store<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.enqueue(this.stores, work);
  }

  /** Runs `work` in the next transaction that has room for it; resolves after its commit. */
  turn<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.enqueue(this.turns, work);
  }

  private enqueue<T>(queue: Job[], work: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let outcome: { ok: true; value: T } | { ok: false; error: unknown } | null = null;
      queue.push({
        async run(tx) {
          try {
            outcome = { ok: true, value: await work(tx) };
          } catch (error) {
            outcome = { ok: false, error };
            throw error;
          }
        },
        settle(error) {
          if (error !== undefined) reject(error);
          else if (outcome?.ok) resolve(outcome.value);
          else reject(outcome?.error ?? new Error("the unit of work did not run"));
        },
      });
      if (!this.running) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.running = true;
    try {
      while (this.stores.length > 0 || this.turns.length > 0) {
        await this.runOne();
        // The statements run synchronously (better-sqlite3): let the HTTP server read new requests
        // (the next stores) before the next transaction, or a backlog of turns would starve it.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.running = false;
    }
  }

  /** One transaction: the waiting stores, then turns within the budget. */
  private async runOne(): Promise<void> {
    const taken: Job[] = [];
    try {
      await this.db.$transaction(
        async (tx) => {
          const started = performance.now();
          for (;;) {
            const job = this.stores.shift() ?? (performance.now() - started < this.turnBudgetMs ? this.turns.shift() : undefined);
            if (!job) return;
            taken.push(job);
            await sqlRun(tx, "SAVEPOINT wl_unit");
            try {
              await job.run(tx);
              await sqlRun(tx, "RELEASE wl_unit");
            } catch {
              // This unit alone is undone; its caller hears why after the commit (settle).
              await sqlRun(tx, "ROLLBACK TO wl_unit");
              await sqlRun(tx, "RELEASE wl_unit");
            }
            if (taken.length >= MAX_UNITS) return;
          }
        },
        { maxWait: 30_000, timeout: 60_000 },
      );
    } catch (error) {
      for (const job of taken) job.settle(error);
      return;
    }
    for (const job of taken) job.settle();
  }
}
