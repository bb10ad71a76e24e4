/**
 * Prisma CLI configuration for SQLite (the embedded default). Uses the JS engine with the
 * better-sqlite3 driver adapter, so no engine binary is needed.
 */
import "dotenv/config";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "sqlite/schema.prisma",
  migrations: { path: "sqlite/migrations" },
  async adapter() {
    const url = process.env.DATABASE_URL?.startsWith("file:") ? process.env.DATABASE_URL : "file:./data/wijklijn.db";
    return new PrismaBetterSQLite3({ url });
  },
});
