/**
 * The shape of the code (STYLE.md): each platform SDK only in its own folder, Prisma only under
 * src/db, every query in a repository under src/db (found with the type checker), no `as` type assertions outside a few
 * documented places, and the flow engine free of I/O. A new import, query or cast in the wrong
 * place fails here.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import ts from "typescript";
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
  { module: /^nodemailer/, allowed: /^src\/mail\//, why: "e-mail goes through the one mailer, src/mail/mailer.ts" },
];

/** Prisma methods that add audit rows: only recordAudit may call them. */
const auditWriteMethods = new Set(["create", "createMany", "createManyAndReturn", "upsert"]);

/** The only `as` type assertions in src (`as const` is not one), each with the reason no zod parse or type guard does it. */
const CASTS_ALLOWED: Record<string, string> = {
  "src/db/client.ts": "joins the PostgreSQL client to the SQLite client's type: two generated generic types TypeScript cannot prove equal",
  "src/db/migrate.ts": "better-sqlite3 returns untyped rows of Prisma's own _prisma_migrations table",
  "src/log.ts": "pino's logMethod hook passes its arguments as a tuple type that a mapped array cannot be proven to keep",
};

// Client lifecycle, not queries: the service that builds the client also closes it.
const lifecycleMethods = new Set(["$connect", "$disconnect"]);

/**
 * The TypeScript program of src, type-checked once: a query is a call of a method declared by the
 * generated Prisma client (on the client, a transaction or a model delegate), found through the
 * type checker, so renaming a variable, destructuring a delegate or passing the client around
 * cannot hide one.
 */
function scanSources(): { queries: string[]; casts: string[]; auditWrites: string[] } {
  const cwd = process.cwd();
  const config = ts.getParsedCommandLineOfConfigFile(
    join(cwd, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (!config) throw new Error("tsconfig.json could not be read");
  const program = ts.createProgram(
    config.fileNames.filter((file) => relative(cwd, file).startsWith(`src${sep}`)),
    config.options,
  );
  const checker = program.getTypeChecker();
  const generated = join(cwd, "src", "db", "generated") + sep;
  const queries: string[] = [];
  const casts: string[] = [];
  const auditWrites: string[] = [];
  for (const source of program.getSourceFiles()) {
    const file = relative(cwd, source.fileName).split(sep).join("/");
    if (!file.startsWith("src/") || file.startsWith("src/db/generated/")) continue;
    const where = (node: ts.Node) => `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${node.getText().split("\n")[0]?.slice(0, 80)}`;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && !file.startsWith("src/db/")) {
        const callee = node.expression;
        const name = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isElementAccessExpression(callee) ? callee.argumentExpression : callee;
        const symbol = checker.getSymbolAtLocation(name);
        const declaredByPrisma = (symbol?.declarations ?? []).some((declaration) => declaration.getSourceFile().fileName.startsWith(generated));
        if (declaredByPrisma && !lifecycleMethods.has(symbol?.name ?? "")) queries.push(where(node));
      }
      if (ts.isCallExpression(node) && file !== "src/db/audit.repo.ts") {
        const callee = node.expression;
        const name = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isElementAccessExpression(callee) ? callee.argumentExpression : callee;
        const symbol = checker.getSymbolAtLocation(name);
        const onAuditEvents = (symbol?.declarations ?? []).some((declaration) => {
          const owner = declaration.parent;
          return declaration.getSourceFile().fileName.startsWith(generated) && ts.isInterfaceDeclaration(owner) && owner.name.text === "AuditEventDelegate";
        });
        if (onAuditEvents && auditWriteMethods.has(symbol?.name ?? "")) auditWrites.push(where(node));
      }
      const isAsConst = ts.isAsExpression(node) && ts.isTypeReferenceNode(node.type) && node.type.typeName.getText() === "const";
      if ((ts.isAsExpression(node) && !isAsConst) || ts.isTypeAssertionExpression(node)) casts.push(where(node));
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { queries, casts, auditWrites };
}

describe("the architecture", () => {
  const scan = scanSources();
  const fileOf = (finding: string) => finding.slice(0, finding.indexOf(":"));

  it("makes every query in a repository under src/db", () => {
    expect(scan.queries).toEqual([]);
  });

  it("writes audit events only through recordAudit (src/db/audit.repo.ts), so every action is an AuditAction with its time", () => {
    expect(scan.auditWrites).toEqual([]);
  });

  it("has no `as` type assertions outside the documented places (parse with zod or narrow with a type guard)", () => {
    expect(scan.casts.filter((finding) => !(fileOf(finding) in CASTS_ALLOWED))).toEqual([]);
    const casting = new Set(scan.casts.map(fileOf));
    expect(Object.keys(CASTS_ALLOWED).filter((file) => !casting.has(file))).toEqual([]);
  });

  it.each(rules)("$why", ({ module, allowed }) => {
    const offenders = imports.filter(({ file, specifiers }) => !allowed.test(file) && specifiers.some((s) => module.test(s))).map(({ file }) => file);
    expect(offenders).toEqual([]);
  });

  it("keeps the flow engine free of I/O (no node modules, no database, no channels)", () => {
    const pure = imports.filter(({ file }) => /^src\/conversation\/(engine|answers|flowSchema)\.ts$/.test(file));
    expect(pure.length).toBe(3);
    for (const { file, specifiers } of pure) {
      expect(
        specifiers.filter((s) => s.startsWith("node:") || s.includes("/db/") || s.includes("/channels/") || s.includes("/bot/")),
        file,
      ).toEqual([]);
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
