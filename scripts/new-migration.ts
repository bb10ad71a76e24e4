/**
 * Writes a new migration for both databases from the change to prisma/sqlite/schema.prisma
 * since a git revision (default HEAD): `npm run db:migration -- <name> [--from <rev>]`.
 * Run `npm run db:sync-schemas` first. Uses `prisma migrate diff`; its PostgreSQL driver adapter
 * wants a reachable server (MIGRATION_POSTGRES_URL, default the local one), though nothing is written.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareSchemas, toPostgresSchema } from "./sync-prisma-schemas.ts";

const args = process.argv.slice(2);
const name = args.find((arg, i) => !arg.startsWith("--") && args[i - 1] !== "--from");
const fromIndex = args.indexOf("--from");
const rev = fromIndex >= 0 ? args[fromIndex + 1] : "HEAD";
if (!name || !/^[a-z0-9_]+$/.test(name) || !rev) {
  console.error("Usage: npm run db:migration -- <name_in_snake_case> [--from <git revision>]");
  process.exit(2);
}
const { expected, actual } = compareSchemas();
if (expected !== actual) {
  console.error("Run `npm run db:sync-schemas` first: prisma/postgresql/schema.prisma is out of step.");
  process.exit(1);
}

const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const work = mkdtempSync(join(tmpdir(), "wijklijn-migration-"));
const oldSqlite = execFileSync("git", ["show", `${rev}:prisma/sqlite/schema.prisma`], { encoding: "utf8" });
const env = { ...process.env, PRISMA_QUERY_ENGINE_LIBRARY: "/bin/false", PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false", DATABASE_URL: process.env.DATABASE_URL ?? "file:./data/wijklijn.db" };

for (const provider of ["sqlite", "postgresql"] as const) {
  const oldPath = join(work, `${provider}.prisma`);
  writeFileSync(oldPath, provider === "sqlite" ? oldSqlite : toPostgresSchema(oldSqlite));
  const sql = execFileSync(
    process.execPath,
    [
      "node_modules/prisma/build/index.js",
      "migrate",
      "diff",
      "--from-schema-datamodel",
      oldPath,
      "--to-schema-datamodel",
      `prisma/${provider}/schema.prisma`,
      "--script",
      "--config",
      `prisma/${provider}.config.ts`,
    ],
    { encoding: "utf8", env: provider === "postgresql" ? { ...env, DATABASE_URL: process.env.MIGRATION_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" } : env },
  );
  if (/This is an empty migration/.test(sql)) {
    console.log(`${provider}: no change since ${rev}`);
    continue;
  }
  const dir = `prisma/${provider}/migrations/${stamp}_${name}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/migration.sql`, sql);
  console.log(`Wrote ${dir}/migration.sql`);
}
