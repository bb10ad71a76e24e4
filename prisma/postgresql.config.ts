/**
 * Prisma CLI configuration for PostgreSQL (production). Uses the JS engine with the pg driver
 * adapter. Wijklijn applies migrations itself at start (src/db/migrate.ts); this file serves
 * `prisma generate` and ad-hoc CLI use.
 */
import "dotenv/config";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "postgresql/schema.prisma",
  migrations: { path: "postgresql/migrations" },
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://localhost:5432/wijklijn" });
  },
});
