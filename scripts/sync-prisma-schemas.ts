/**
 * Writes prisma/postgresql/schema.prisma from prisma/sqlite/schema.prisma, the single source of
 * the data model (as Typebot keeps one schema per provider). `--check` exits 1 when they differ.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const sqlitePath = fileURLToPath(new URL("../prisma/sqlite/schema.prisma", import.meta.url));
const postgresPath = fileURLToPath(new URL("../prisma/postgresql/schema.prisma", import.meta.url));

/** Derives the PostgreSQL schema text from the SQLite schema text. */
export function toPostgresSchema(sqliteSchema: string): string {
  const replaced = sqliteSchema
    .replace('output     = "../../src/db/generated/sqlite"', 'output     = "../../src/db/generated/postgresql"')
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace(
      "// Wijklijn data model. THIS FILE IS THE SOURCE",
      "// GENERATED from prisma/sqlite/schema.prisma by `npm run db:sync-schemas`: do not edit.\n// Wijklijn data model. THE SOURCE IS THE SQLITE FILE",
    );
  if (!replaced.includes('provider = "postgresql"') || !replaced.includes("generated/postgresql")) {
    throw new Error("sync-prisma-schemas: the datasource or generator block of the SQLite schema changed shape; update this script");
  }
  return replaced;
}

/** The PostgreSQL schema as it should be, and as it is on disk. */
export function compareSchemas(): { expected: string; actual: string } {
  const expected = toPostgresSchema(readFileSync(sqlitePath, "utf8"));
  let actual = "";
  try {
    actual = readFileSync(postgresPath, "utf8");
  } catch {
    actual = "";
  }
  return { expected, actual };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { expected, actual } = compareSchemas();
  if (process.argv.includes("--check")) {
    if (expected !== actual) {
      console.error("prisma/postgresql/schema.prisma is out of step: run `npm run db:sync-schemas`");
      process.exit(1);
    }
    console.log("Prisma schemas are in step.");
  } else {
    writeFileSync(postgresPath, expected);
    console.log("Wrote prisma/postgresql/schema.prisma");
  }
}
