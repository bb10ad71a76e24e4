/**
 * The hot-path transactions on PostgreSQL (postgresHotTransaction, src/db/sql.ts): BEGIN, the
 * advisory lock and COMMIT through `pg` on a pooled connection taken directly, writes sent (bound) before
 * the next statement or the COMMIT. Promised: everything in the unit commits together or not at
 * all (plain SQL, deferred writes and Prisma's own queries alike, a Prisma transaction inside
 * becoming a savepoint), a unique violation reads as P2002, the lock orders units on one key, the
 * connection goes back to the pool whatever happens, and work left running after the unit no
 * longer uses its connection.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { postgresHotTransaction, sqlRows, sqlRun, sqlRunAll } from "../../src/db/sql.ts";
import { createTestDatabase, type TestDatabase, testProviders } from "../helpers/db.ts";

if (testProviders.includes("postgresql")) {
  describe("hot-path transactions (on postgresql)", () => {
    let t: TestDatabase;
    let gemeenteId: string;
    const options = { idleTimeoutMs: 10_000 };

    beforeAll(async () => {
      t = await createTestDatabase("postgresql", { seed: true });
      gemeenteId = (await t.db.gemeente.findFirstOrThrow()).id;
    });
    afterAll(() => t.drop());

    const insertResident = (id: string) => ({
      text: `INSERT INTO "Resident" ("id", "gemeenteId", "language", "createdAt", "lastSeenAt", "exportGeneration") VALUES (?, ?, 'nl', ?, ?, 0)`,
      params: [id, gemeenteId, new Date(), new Date()],
    });
    const residentExists = async (id: string) => (await t.db.resident.count({ where: { id } })) === 1;

    it("commits plain SQL, deferred writes and Prisma's queries together, and reads its own deferred writes", async () => {
      const seen = await postgresHotTransaction(t.db, options, async (tx) => {
        await sqlRunAll(tx, [insertResident("hot-a")]);
        // A deferred write is sent before the next statement, so the unit reads it.
        const rows = await sqlRows(tx, `SELECT "id" FROM "Resident" WHERE "id" = ?`, ["hot-a"]);
        await tx.resident.update({ where: { id: "hot-a" }, data: { language: "en" } });
        await sqlRunAll(tx, [insertResident("hot-b")]);
        return rows.length;
      });
      expect(seen).toBe(1);
      expect(await t.db.resident.findUniqueOrThrow({ where: { id: "hot-a" }, select: { language: true } })).toEqual({ language: "en" });
      expect(await residentExists("hot-b")).toBe(true);
    });

    it("sends queries made at once after the writes pending before them, so each reads them", async () => {
      const seen = await postgresHotTransaction(t.db, options, async (tx) => {
        await sqlRunAll(tx, [insertResident("hot-h")]);
        // BEGIN and the write are pending: the first read sends them (two round trips), the others wait for that.
        const reads = await Promise.all([
          sqlRows(tx, `SELECT "id" FROM "Resident" WHERE "id" = ?`, ["hot-h"]),
          sqlRows(tx, `SELECT "id" FROM "Resident" WHERE "id" = ?`, ["hot-h"]),
          tx.resident.count({ where: { id: "hot-h" } }),
        ]);
        return [reads[0].length, reads[1].length, reads[2]];
      });
      expect(seen).toEqual([1, 1, 1]);
    });

    it("rolls everything back when the unit throws, and when a deferred write fails before the COMMIT", async () => {
      await expect(
        postgresHotTransaction(t.db, options, async (tx) => {
          await sqlRun(tx, insertResident("hot-c").text, insertResident("hot-c").params);
          await tx.resident.create({ data: { id: "hot-d", gemeenteId } });
          throw new Error("the turn failed");
        }),
      ).rejects.toThrow("the turn failed");
      expect(await residentExists("hot-c")).toBe(false);
      expect(await residentExists("hot-d")).toBe(false);
      // The second insert of "hot-a" fails on the primary key when it is sent (before the COMMIT): P2002, and "hot-e" is undone.
      const failed = postgresHotTransaction(t.db, options, async (tx) => {
        await sqlRunAll(tx, [insertResident("hot-e")]);
        await sqlRunAll(tx, [insertResident("hot-a")]);
      });
      await expect(failed).rejects.toMatchObject({ code: "P2002" });
      expect(await residentExists("hot-e")).toBe(false);
    });

    it("makes a transaction Prisma opens inside the unit a savepoint of it", async () => {
      await expect(
        postgresHotTransaction(t.db, options, async (tx) => {
          // A nested write: Prisma runs it in a transaction of its own, here a savepoint.
          await tx.resident.create({ data: { id: "hot-f", gemeenteId, consents: { create: { kind: "privacy", granted: true, version: "t" } } } });
          throw new Error("undo the unit");
        }),
      ).rejects.toThrow("undo the unit");
      expect(await residentExists("hot-f")).toBe(false);
      const spy = vi.spyOn(pg.Client.prototype, "query");
      try {
        await postgresHotTransaction(t.db, options, async (tx) => {
          await tx.resident.create({ data: { id: "hot-g", gemeenteId, consents: { create: { kind: "privacy", granted: true, version: "t" } } } });
        });
        const texts = spy.mock.calls.map((call: unknown[]) => (typeof call[0] === "string" ? call[0] : JSON.stringify(call[0])));
        expect(texts.filter((text) => text.includes("SAVEPOINT wl_prisma_1"))).toHaveLength(2);
      } finally {
        spy.mockRestore();
      }
      expect(await t.db.consent.count({ where: { residentId: "hot-g" } })).toBe(1);
    });

    it("runs units on one lock key one after another", async () => {
      const order: string[] = [];
      const unit = (name: string, waitMs: number) =>
        postgresHotTransaction(t.db, { ...options, lockKey: "hot-lock" }, async (tx) => {
          await sqlRows(tx, "SELECT 1 AS one");
          order.push(`${name} start`);
          await new Promise((resolve) => setTimeout(resolve, waitMs));
          order.push(`${name} end`);
        });
      await Promise.all([unit("first", 150), new Promise((resolve) => setTimeout(resolve, 30)).then(() => unit("second", 0))]);
      expect(order).toEqual(["first start", "first end", "second start", "second end"]);
    });

    it("gives every connection back to the pool, and work left running afterwards uses the pool", async () => {
      let later: Promise<number> | null = null;
      for (let i = 0; i < 30; i += 1) {
        await postgresHotTransaction(t.db, options, async (tx) => {
          await sqlRows(tx, "SELECT 1 AS one");
          if (i === 0) later = new Promise((resolve) => setTimeout(resolve, 50)).then(() => sqlRun(tx, insertResident("hot-later").text, insertResident("hot-later").params));
          if (i % 2 === 1) throw new Error("odd");
        }).catch(() => undefined);
      }
      expect(await later).toBe(1);
      expect(await residentExists("hot-later")).toBe(true);
      // Twenty connections in the pool (src/db/client.ts): thirty units in a row would have waited forever had one not come back.
      const all = await Promise.all(Array.from({ length: 25 }, () => postgresHotTransaction(t.db, { ...options, lockKey: "x" }, (tx) => sqlRows(tx, "SELECT 1 AS one"))));
      expect(all).toHaveLength(25);
    });
  });
}
