/**
 * Applies the committed migrations (prisma/<provider>/migrations) at start. Bookkeeping is
 * Prisma's own `_prisma_migrations` table, so `prisma migrate status` agrees with what ran here.
 * This runs the SQL itself instead of calling the Prisma CLI: it needs no engine binary, takes
 * milliseconds, and avoids prisma/orm#27403 on PostgreSQL. Several instances starting at once
 * are serialised (PostgreSQL advisory lock, SQLite write lock).
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { providerOf, sqliteFilePath, type DatabaseProvider } from "./client.ts";

/** One migration folder: its name and SQL. */
export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** What a migration run did. */
export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
  /** Applied migrations whose file changed since (a warning, as Prisma gives). */
  modified: string[];
}

/** The migrations folder of a provider. */
export function migrationsDir(provider: DatabaseProvider): string {
  return fileURLToPath(new URL(`../../prisma/${provider}/migrations`, import.meta.url));
}

/** Reads the migrations of a provider, in order. */
export function readMigrations(provider: DatabaseProvider): Migration[] {
  const dir = migrationsDir(provider);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`${dir}/${entry.name}/migration.sql`))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(`${dir}/${name}/migration.sql`, "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

function planMigrations(all: Migration[], rows: AppliedRow[]): { pending: Migration[]; modified: string[]; alreadyApplied: number } {
  const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new Error(
      `Migration ${failed.migration_name} failed earlier and was not finished. Repair the database, then mark it with ` +
        "`npx prisma migrate resolve --rolled-back <name>` (or restore a backup) before starting again.",
    );
  }
  const applied = new Map(rows.filter((row) => row.finished_at !== null).map((row) => [row.migration_name, row.checksum]));
  const modified = all.filter((m) => applied.has(m.name) && applied.get(m.name) !== m.checksum).map((m) => m.name);
  return { pending: all.filter((m) => !applied.has(m.name)), modified, alreadyApplied: applied.size };
}

/** Applies every pending migration to the database at `url`. */
export async function migrateDatabase(url: string): Promise<MigrationReport> {
  const provider = providerOf(url);
  const migrations = readMigrations(provider);
  return provider === "sqlite" ? migrateSqlite(url, migrations) : migratePostgres(url, migrations);
}

function migrateSqlite(url: string, migrations: Migration[]): MigrationReport {
  const db = new Database(sqliteFilePath(url), { timeout: 15_000 });
  try {
    db.pragma("journal_mode = WAL");
    // As on every connection (src/db/client.ts): a table a migration rebuilds leaves no old rows in free pages.
    db.pragma("secure_delete = ON");
    db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
      "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`);
    const run = db.transaction(() => {
      const rows = db.prepare(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`).all() as AppliedRow[];
      const plan = planMigrations(migrations, rows);
      for (const migration of plan.pending) {
        db.exec(migration.sql);
        db.prepare(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES (?, ?, current_timestamp, ?, current_timestamp, 1)`,
        ).run(randomUUID(), migration.checksum, migration.name);
      }
      return plan;
    });
    // IMMEDIATE takes the write lock first, so two processes starting together do not interleave.
    const plan = run.immediate();
    return { applied: plan.pending.map((m) => m.name), alreadyApplied: plan.alreadyApplied, modified: plan.modified };
  } finally {
    db.close();
  }
}

/** Prisma's own advisory lock key for migrations. */
const MIGRATION_LOCK_KEY = 72707369;

async function migratePostgres(url: string, migrations: Migration[]): Promise<MigrationReport> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const { rows } = await client.query<AppliedRow>(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`);
    const plan = planMigrations(migrations, rows);
    for (const migration of plan.pending) {
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`Migration ${migration.name} failed and was rolled back: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { applied: plan.pending.map((m) => m.name), alreadyApplied: plan.alreadyApplied, modified: plan.modified };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

/** The names of migrations not yet applied (for /readyz). */
export async function pendingMigrations(db: { $queryRawUnsafe<T>(sql: string): Promise<T> }, provider: DatabaseProvider): Promise<string[]> {
  const all = readMigrations(provider);
  const rows = await db.$queryRawUnsafe<Array<{ migration_name: string }>>(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`);
  const applied = new Set(rows.map((row) => row.migration_name));
  return all.filter((m) => !applied.has(m.name)).map((m) => m.name);
}
