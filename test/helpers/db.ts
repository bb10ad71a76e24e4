/**
 * Real databases for tests: a fresh SQLite file, and (when TEST_DATABASE_URL points at a
 * PostgreSQL server) a fresh PostgreSQL database per call, migrated exactly as at start-up.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe } from "vitest";
import { createDb, type DatabaseProvider, type Db } from "../../src/db/client.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { seedDemoGemeente } from "../../src/db/seedDemo.ts";

/** The databases this run tests against: SQLite always, PostgreSQL when configured. */
export const testProviders: DatabaseProvider[] = process.env.TEST_DATABASE_URL ? ["sqlite", "postgresql"] : ["sqlite"];

/** A fresh, migrated database. */
export interface TestDatabase {
  provider: DatabaseProvider;
  url: string;
  db: Db;
  /** Disconnects and deletes the database. */
  drop(): Promise<void>;
}

/** A fresh empty URL for `provider` (the database exists for PostgreSQL, not yet migrated). */
export async function createEmptyDatabaseUrl(provider: DatabaseProvider): Promise<{ url: string; drop: () => Promise<void> }> {
  if (provider === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "wijklijn-test-"));
    return { url: `file:${join(dir, "test.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error("TEST_DATABASE_URL is not set");
  const name = `wijklijn_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Creates, migrates and (optionally) seeds a database with the demo gemeente. */
export async function createTestDatabase(provider: DatabaseProvider, options: { seed?: boolean } = {}): Promise<TestDatabase> {
  const { url, drop } = await createEmptyDatabaseUrl(provider);
  await migrateDatabase(url);
  const db = createDb(url);
  if (options.seed) await seedDemoGemeente(db, new Date("2026-11-26T10:00:00Z"));
  return {
    provider,
    url,
    db,
    drop: async () => {
      await db.$disconnect();
      await drop();
    },
  };
}

/** Runs a describe block once per test database ("on sqlite", "on postgresql"). */
export function describeEachDatabase(name: string, body: (provider: DatabaseProvider) => void): void {
  for (const provider of testProviders) describe(`${name} (on ${provider})`, () => body(provider));
}
