/**
 * The admin CLI (`npm run cli -- <command>`): one table of commands, each parsing its own
 * options. `runCli` is a plain function so tests run it in-process with real databases.
 */
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config/env.ts";
import { recordAudit } from "../db/audit.repo.ts";
import { createDb, type Db } from "../db/client.ts";
import { findDefaultGemeente } from "../db/gemeente.repo.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { seedDemoGemeente } from "../db/seedDemo.ts";
import { addStaffUser, createApiToken, StaffRoleSchema } from "../db/staff.repo.ts";

/** Where the CLI writes; tests capture it. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
}

/** A problem with how the command was called: shown with the usage, exit code 2. */
export class UsageError extends Error {}

interface Command {
  usage: string;
  summary: string;
  run(args: string[], context: { db: Db; io: CliIo }): Promise<void>;
}

async function requireGemeenteId(db: Db): Promise<string> {
  const gemeente = await findDefaultGemeente(db);
  if (!gemeente) throw new Error("The database has no gemeente yet. Run `npm run cli -- seed demo`, or start the service once with DEMO_DATA=true.");
  return gemeente.id;
}

function parse<T extends Record<string, { type: "string" | "boolean"; short?: string }>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new UsageError(`${flag} is required`);
  return value;
}

/** Every command, by its words. */
export const commands: Record<string, Command> = {
  "seed demo": {
    usage: "seed demo",
    summary: "seed the illustrative demo gemeente Geldrop-Mierlo (idempotent)",
    async run(args, { db, io }) {
      parse(args, {});
      const report = await seedDemoGemeente(db);
      io.out(
        report.gemeenteCreated || report.wijken > 0
          ? `Seeded the demo gemeente: ${report.wijken} wijken, ${report.tandems} tandems, ${report.staff} staff accounts, ${report.postcodeRules} postcode rules, ${report.newsItems} news items, ${report.dialoogtafels} dialoogtafels (illustrative data).`
          : `The demo gemeente was already there; added ${report.newsItems} news items, ${report.dialoogtafels} dialoogtafels, ${report.postcodeRules} postcode rules, ${report.staff} staff accounts.`,
      );
    },
  },
  "user add": {
    usage: "user add --email <e> --role gebiedsregisseur|wethouder|admin [--tandem <slug>] [--name <display name>]",
    summary: "add a staff user (or change an existing one's role) and link a tandem",
    async run(args, { db, io }) {
      const values = parse(args, { email: { type: "string" }, role: { type: "string" }, tandem: { type: "string" }, name: { type: "string" } });
      const email = required(values.email, "--email");
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new UsageError(`--email: "${email}" is not an e-mail address`);
      const role = StaffRoleSchema.safeParse(values.role);
      if (!role.success) throw new UsageError("--role must be gebiedsregisseur, wethouder or admin");
      const gemeenteId = await requireGemeenteId(db);
      const result = await addStaffUser(db, {
        gemeenteId,
        email,
        role: role.data,
        ...(values.name ? { displayName: values.name } : {}),
        ...(values.tandem ? { tandemSlug: values.tandem } : {}),
      });
      await recordAudit(db, { gemeenteId, actorKind: "cli", action: result.created ? "staff.created" : "staff.updated", subjectType: "StaffUser", subjectId: result.id, data: { role: role.data, tandem: values.tandem ?? null } });
      io.out(`${result.created ? "Added" : "Updated"} ${email} as ${role.data}${values.tandem ? ` in tandem ${values.tandem}` : ""}.`);
    },
  },
  "token create": {
    usage: "token create --email <e> [--name <label>]",
    summary: "print a new API token for a staff user (shown once, stored hashed)",
    async run(args, { db, io }) {
      const values = parse(args, { email: { type: "string" }, name: { type: "string" } });
      const email = required(values.email, "--email");
      const { token, id } = await createApiToken(db, { email, ...(values.name ? { name: values.name } : {}) });
      await recordAudit(db, { actorKind: "cli", action: "token.created", subjectType: "ApiToken", subjectId: id });
      io.err(`API token for ${email} (shown once; use it as "Authorization: Bearer <token>"):`);
      io.out(token);
    },
  },
  migrate: {
    usage: "migrate",
    summary: "apply pending database migrations (the service also does this at start)",
    async run(args, { io }) {
      parse(args, {});
      // Already applied by runCli before any command; say what the state is.
      io.out("The database is up to date.");
    },
  },
};

/** The help text. */
export function helpText(): string {
  const lines = Object.values(commands).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return [
    "Wijklijn admin commands: npm run cli -- <command> [options]",
    "",
    ...lines,
    "",
    "The database is DATABASE_URL (default file:./data/wijklijn.db); pending migrations are applied first.",
  ].join("\n");
}

/** Runs one CLI invocation; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h") || argv[0] === "help") {
    io.out(helpText());
    return argv.length === 0 ? 2 : 0;
  }
  const name = Object.keys(commands).find((key) => key.split(" ").every((word, i) => argv[i] === word));
  const command = name ? commands[name] : undefined;
  if (!name || !command) {
    io.err(`Unknown command: ${argv.join(" ")}\n\n${helpText()}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 78;
    }
    throw error;
  }
  await migrateDatabase(config.database.url);
  const db = createDb(config.database.url);
  try {
    await command.run(argv.slice(name.split(" ").length), { db, io });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\nUsage: npm run cli -- ${command.usage}`);
      return 2;
    }
    io.err(`Error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await db.$disconnect();
  }
}
