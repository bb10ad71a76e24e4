/**
 * Group commit on SQLite (src/db/groupCommit.ts): units that arrive together share one
 * transaction; a unit that fails is undone alone and its caller hears why; the others are on disk
 * when their callers are told, and stores are taken before turns.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GroupCommit } from "../../src/db/groupCommit.ts";
import { sqlRows, sqlRun } from "../../src/db/sql.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";

describe("group commit (SQLite)", () => {
  let t: TestDatabase;
  let gemeenteId: string;

  beforeAll(async () => {
    t = await createTestDatabase("sqlite", { seed: true });
    gemeenteId = (await t.db.gemeente.findFirstOrThrow()).id;
  });
  afterAll(() => t.drop());

  const addResident = (id: string) => async (tx: Parameters<Parameters<GroupCommit["store"]>[0]>[0]) => {
    await sqlRun(tx, `INSERT INTO "Resident" ("id", "gemeenteId", "language", "createdAt", "lastSeenAt") VALUES (?, ?, 'nl', ?, ?)`, [id, gemeenteId, new Date(), new Date()]);
    return id;
  };

  it("commits the units that succeed, undoes a failing one alone, and tells each caller its own outcome", async () => {
    const group = new GroupCommit(t.db);
    const order: string[] = [];
    const results = await Promise.allSettled([
      group.turn(async (tx) => {
        order.push("turn");
        return addResident("r-turn")(tx);
      }),
      group.store(async (tx) => {
        order.push("store-1");
        return addResident("r-store-1")(tx);
      }),
      group.store(async (tx) => {
        order.push("store-failing");
        await addResident("r-store-failing")(tx);
        throw new Error("this unit fails after writing");
      }),
      group.store(async (tx) => {
        order.push("store-2");
        return addResident("r-store-2")(tx);
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    const failed = results[2];
    expect(failed?.status === "rejected" && failed.reason instanceof Error ? failed.reason.message : "").toBe("this unit fails after writing");
    const rows = await sqlRows(t.db, `SELECT "id" FROM "Resident" WHERE "id" LIKE 'r-%' ORDER BY "id"`);
    expect(rows.map((row) => row.id)).toEqual(["r-store-1", "r-store-2", "r-turn"]);
    // All four were waiting when the transaction began: the stores went first, in order, in that one transaction.
    expect(order).toEqual(["store-1", "store-failing", "store-2", "turn"]);
  });

  it("runs stores waiting behind a transaction before the turns waiting there", async () => {
    const group = new GroupCommit(t.db);
    const order: string[] = [];
    let release = () => {};
    const blocker = group.turn(async () => {
      order.push("first");
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const waiting = [group.turn(async () => void order.push("turn-a")), group.turn(async () => void order.push("turn-b")), group.store(async () => void order.push("store"))];
    release();
    await Promise.all([blocker, ...waiting]);
    expect(order).toEqual(["first", "store", "turn-a", "turn-b"]);
  });
});
