import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, expect, it } from "vitest";
import { createDb } from "../../src/db/client.ts";
import { migrateDatabase, pendingMigrations, readMigrations } from "../../src/db/migrate.ts";
import { createEmptyDatabaseUrl, describeEachDatabase } from "../helpers/db.ts";

describeEachDatabase("migrations", (provider) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
  });

  it("apply to an empty database once, then report nothing pending", async () => {
    const { url, drop } = await createEmptyDatabaseUrl(provider);
    cleanups.push(drop);
    const first = await migrateDatabase(url);
    expect(first.applied).toEqual(readMigrations(provider).map((m) => m.name));
    const second = await migrateDatabase(url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toBe(first.applied.length);

    const db = createDb(url);
    cleanups.unshift(() => db.$disconnect());
    expect(await pendingMigrations(db, provider)).toEqual([]);
    // The migrated tables work through the Prisma client.
    const gemeente = await db.gemeente.create({ data: { slug: "test", name: "Test" } });
    expect(await db.gemeente.findUnique({ where: { id: gemeente.id } })).toMatchObject({ name: "Test", timeZone: "Europe/Amsterdam" });
  });

  it("serialise two instances starting at once", async () => {
    const { url, drop } = await createEmptyDatabaseUrl(provider);
    cleanups.push(drop);
    const [a, b] = await Promise.all([migrateDatabase(url), migrateDatabase(url)]);
    expect([...a.applied, ...b.applied]).toEqual(readMigrations(provider).map((m) => m.name));
  });

  it("refuse to start over a migration that failed earlier", async () => {
    const { url, drop } = await createEmptyDatabaseUrl(provider);
    cleanups.push(drop);
    await migrateDatabase(url);
    const failedRow = `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('x', 'y', '29990101000000_broken', CURRENT_TIMESTAMP, 0)`;
    if (provider === "sqlite") {
      const raw = new Database(url.slice("file:".length));
      raw.exec(failedRow);
      raw.close();
    } else {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(failedRow);
      await client.end();
    }
    await expect(migrateDatabase(url)).rejects.toThrow(/29990101000000_broken failed earlier/);
  });
});
