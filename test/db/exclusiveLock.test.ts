/**
 * The lock behind the stateful channels (src/db/exclusiveLock.ts), in one process: two holders
 * of one name on one PostgreSQL database, each with its own connection. One runs the work; the
 * other waits. When the holder's connection is cut (the server ends its session), the holder
 * stops its work and the other starts it; stopping a holder hands over too.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { holdExclusiveLock, type ExclusiveLock } from "../../src/db/exclusiveLock.ts";
import { waitUntil } from "../abuse/abuseRig.ts";
import { createEmptyDatabaseUrl, testProviders } from "../helpers/db.ts";
import { captureLogger } from "../helpers/logger.ts";

const RETRY_MS = 200;

if (testProviders.includes("postgresql")) defineLockTest();

function defineLockTest(): void {
  describe("an exclusive lock on PostgreSQL (on postgresql)", () => {
    let database: { url: string; drop: () => Promise<void> };
    const locks: ExclusiveLock[] = [];
    beforeAll(async () => {
      database = await createEmptyDatabaseUrl("postgresql");
    });
    afterAll(async () => {
      for (const lock of locks) await lock.stop();
      await database?.drop();
    });

    function holder(name: string, events: string[]): ExclusiveLock {
      const lock = holdExclusiveLock(
        { url: database.url, name: "channel:test", logger: captureLogger().logger, retryMs: RETRY_MS },
        {
          start: async () => void events.push(`${name} started`),
          stop: async () => void events.push(`${name} stopped`),
        },
      );
      locks.push(lock);
      return lock;
    }

    it("runs the work on one holder; a cut connection stops it there and the other takes over; stopping hands back", async () => {
      const events: string[] = [];
      const first = holder("first", events);
      await waitUntil(() => first.held(), "the first holds the lock", 10_000);
      const second = holder("second", events);
      await new Promise((resolve) => setTimeout(resolve, 5 * RETRY_MS));
      expect(second.held()).toBe(false);
      expect(events).toEqual(["first started"]);

      // The server ends the first holder's session, as when its network or the database restarts.
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'wijklijn channel:test' AND pid <> pg_backend_pid() AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)",
      );
      await admin.end();
      await waitUntil(() => second.held(), "the second takes over", 10_000);
      expect(events.slice(0, 3)).toEqual(["first started", "first stopped", "second started"]);

      // The first tries again and waits; stopping the second hands the work back to it.
      await second.stop();
      await waitUntil(() => first.held(), "the first takes it back", 10_000);
      expect(events).toEqual(["first started", "first stopped", "second started", "second stopped", "first started"]);
    }, 60_000);
  });
}
