import { describe, expect, it } from "vitest";
import { readMigrations } from "../../src/db/migrate.ts";
import { compareSchemas } from "../../scripts/sync-prisma-schemas.ts";

describe("the two Prisma schemas", () => {
  it("are in step: prisma/postgresql is generated from prisma/sqlite (npm run db:sync-schemas)", () => {
    const { expected, actual } = compareSchemas();
    expect(actual).toBe(expected);
  });

  it("have the same migrations, by name, for both databases", () => {
    const names = (provider: "sqlite" | "postgresql") => readMigrations(provider).map((m) => m.name);
    expect(names("postgresql")).toEqual(names("sqlite"));
    expect(names("sqlite").length).toBeGreaterThan(0);
  });

  it("create every model's table in both databases", () => {
    const { expected } = compareSchemas();
    const models = [...expected.matchAll(/^model (\w+) \{/gm)].map((m) => m[1]);
    for (const provider of ["sqlite", "postgresql"] as const) {
      const sql = readMigrations(provider)
        .map((m) => m.sql)
        .join("\n");
      for (const model of models) expect(sql, `${model} on ${provider}`).toContain(`CREATE TABLE "${model}"`);
    }
  });
});
