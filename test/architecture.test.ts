/**
 * The shape of the code (STYLE.md): each platform SDK only in its own folder, Prisma only under
 * src/db, and the flow engine free of I/O. A new import in the wrong place fails here.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(process.cwd(), "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "generated") return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

const imports = sourceFiles(root).map((file) => ({
  file: relative(process.cwd(), file),
  specifiers: [...readFileSync(file, "utf8").matchAll(/^\s*(?:import|export)[^"']*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm)].map((m) => m[1] ?? m[2] ?? ""),
}));

const rules: Array<{ module: RegExp; allowed: RegExp; why: string }> = [
  { module: /^grammy/, allowed: /^src\/channels\/telegram\//, why: "grammy belongs in src/channels/telegram" },
  { module: /^whatsapp-web\.js/, allowed: /^src\/channels\/whatsapp-web\//, why: "whatsapp-web.js belongs in src/channels/whatsapp-web" },
  { module: /^botbuilder/, allowed: /^src\/(bot\/activity\.ts|channels\/botframework\/)/, why: "botbuilder belongs in src/bot/activity.ts and src/channels/botframework" },
  { module: /^@prisma\/|\/generated\//, allowed: /^src\/db\//, why: "Prisma belongs in src/db" },
  { module: /^(better-sqlite3|pg)$/, allowed: /^src\/db\//, why: "database drivers belong in src/db" },
];

describe("the architecture", () => {
  it.each(rules)("$why", ({ module, allowed }) => {
    const offenders = imports.filter(({ file, specifiers }) => !allowed.test(file) && specifiers.some((s) => module.test(s))).map(({ file }) => file);
    expect(offenders).toEqual([]);
  });

  it("keeps the flow engine free of I/O (no node modules, no database, no channels)", () => {
    const pure = imports.filter(({ file }) => /^src\/conversation\/(engine|answers|flowSchema)\.ts$/.test(file));
    expect(pure.length).toBe(3);
    for (const { file, specifiers } of pure) {
      expect(specifiers.filter((s) => s.startsWith("node:") || s.includes("/db/") || s.includes("/channels/") || s.includes("/bot/")), file).toEqual([]);
    }
  });

  it("reads process.env only in src/config (and the entry points)", () => {
    const readers = sourceFiles(root)
      .filter((file) => /process\.env/.test(readFileSync(file, "utf8")))
      .map((file) => relative(process.cwd(), file))
      .filter((file) => !/^src\/(config\/|main\.ts|cli\/(main|chat)\.ts)/.test(file));
    expect(readers).toEqual([]);
  });
});
