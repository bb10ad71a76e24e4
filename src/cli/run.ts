/**
 * The admin CLI (`npm run cli -- <command>`): one table of commands, each parsing its own
 * options. `runCli` is a plain function so tests run it in-process with real databases.
 */
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { Writable, type Readable } from "node:stream";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig, type Config } from "../config/env.ts";
import { recordAudit } from "../db/audit.repo.ts";
import { createDb, type Db } from "../db/client.ts";
import { findDefaultGemeente } from "../db/gemeente.repo.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { checkpointAfterErasure } from "../db/ops.repo.ts";
import { residentExists } from "../db/resident.repo.ts";
import { seedDemoGemeente } from "../db/seedDemo.ts";
import { addStaffUser, createApiToken, StaffRoleSchema } from "../db/staff.repo.ts";
import { findStaffCredentialsByEmail } from "../db/staffAccount.repo.ts";
import { inTransaction } from "../db/transaction.ts";
import { DigestFormatSchema, runDigestCommand } from "../digests/digestCommand.ts";
import { parseIsoWeek } from "../digests/isoWeek.ts";
import { ImportError, type ImportResult } from "../importers/importReport.ts";
import { importPostcodesFromCsv } from "../importers/postcodesCsv.ts";
import { importWijkenFromCsv } from "../importers/wijkenCsv.ts";
import { importWijkenFromGeoJson } from "../importers/wijkenGeojson.ts";
import { broadcastWijkbericht, cancelWijkbericht, loadWijkbericht, type WijkberichtProgress } from "../inbox/wijkberichtActions.ts";
import { WIJKBERICHT_TEXT_MAX } from "../wijkberichten/renderWijkbericht.ts";
import { PasswordPolicy, setStaffPassword } from "../inbox/password.ts";
import { applyRetention } from "../jobs/retention.ts";
import { eraseResidentData, exportResidentData } from "../privacy/residentData.ts";

/** Where the CLI writes (and reads secrets from); tests capture and fake it. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  /** Standard input, for secrets such as a password; process.stdin when absent. */
  stdin?: Readable & { isTTY?: boolean };
}

/** A problem with how the command was called: shown with the usage, exit code 2. */
export class UsageError extends Error {}

interface Command {
  usage: string;
  summary: string;
  run(args: string[], context: { db: Db; io: CliIo; config: Config }): Promise<void>;
}

async function requireGemeenteId(db: Db): Promise<string> {
  const gemeente = await findDefaultGemeente(db);
  if (!gemeente) throw new Error("The database has no gemeente yet. Run `npm run cli -- seed demo`, or start the service once with DEMO_DATA=true.");
  return gemeente.id;
}

function parse<T extends Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>>(args: string[], options: T) {
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

/**
 * Reads an import file as UTF-8 text. A relative path is taken from the directory the command
 * was started in (`npm run` moves to the package root but keeps that directory in INIT_CWD).
 * Throws an Error naming the path when the file cannot be read or is not UTF-8.
 */
async function readImportFile(file: string, io: CliIo): Promise<string> {
  const path = resolve(io.env.INIT_CWD ?? process.cwd(), file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = error instanceof Error && "code" in error ? error.code : undefined;
    if (code === "ENOENT") throw new Error(`the file ${path} does not exist`);
    if (code === "EISDIR") throw new Error(`${path} is a directory, not a file`);
    if (code === "EACCES" || code === "EPERM") throw new Error(`the file ${path} cannot be read: permission denied`);
    throw new Error(`the file ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`the file ${path} is not UTF-8 text: save it as UTF-8 (in Excel: "CSV UTF-8") and import it again`);
  }
}

/** Asks for one line on a terminal without echoing it: readline writes its echo to a muted stream. */
function promptHidden(input: Readable, prompt: string): Promise<string> {
  return new Promise((resolvePrompt, reject) => {
    const muted = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const rl = createInterface({ input, output: muted, terminal: true });
    process.stderr.write(prompt);
    // Settle before close(): close() emits "close" at once, and the first settlement wins.
    rl.once("line", (line) => {
      process.stderr.write("\n");
      resolvePrompt(line);
      rl.close();
    });
    // In raw mode Ctrl-C reaches readline, not the process.
    rl.once("SIGINT", () => {
      process.stderr.write("\n");
      reject(new Error("cancelled; nothing was changed"));
      rl.close();
    });
    rl.once("close", () => reject(new Error("no password was typed; nothing was changed")));
  });
}

/** The first line of a piped standard input, or null when it is empty. */
async function readFirstLine(input: Readable): Promise<string | null> {
  const rl = createInterface({ input, crlfDelay: Infinity, terminal: false });
  try {
    for await (const line of rl) return line;
    return null;
  } finally {
    rl.close();
  }
}

/**
 * Reads a new password from standard input: typed twice without echo on a terminal, or the
 * first line of what is piped in (`printf '%s\n' "$PASSWORD" | npm run cli -- user password …`).
 */
async function readNewPassword(io: CliIo, email: string): Promise<string> {
  const input = io.stdin ?? process.stdin;
  if (input.isTTY) {
    const first = await promptHidden(input, `New inbox password for ${email} (not shown; at least ${PasswordPolicy.minLength} characters): `);
    const again = await promptHidden(input, "The same password again: ");
    if (first !== again) throw new Error("the two passwords differ; nothing was changed");
    return first;
  }
  const line = await readFirstLine(input);
  if (line === null || line === "") throw new Error("no password on standard input: type it at the prompt, or pipe it in as the first line");
  return line;
}

/** "3 created, 1 updated, 0 unchanged, 0 deleted, 2 skipped". */
function describeCounts(result: ImportResult): string {
  return `${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged, ${result.deleted} deleted, ${result.skipped} skipped`;
}

/** Prints what an accepted import changed: one line of counts, then its notes. */
function reportImport(io: CliIo, what: string, file: string, result: ImportResult): void {
  io.out(`Imported ${what} from ${basename(file)}: ${describeCounts(result)}.`);
  for (const note of result.notes) io.out(`  note: ${note}`);
}

/** The audit data of an import: its counts and the file's base name, never its contents. */
function importAuditData(file: string, format: "csv" | "geojson", result: ImportResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { created, updated, unchanged, deleted, skipped } = result;
  return { file: basename(file), format, created, updated, unchanged, deleted, skipped, ...extra };
}

/** "[██████░░░░]  60%  6000/10000 sent · 3 failed · 1 unsubscribed · 996 waiting (sending)". */
export function describeProgress(progress: WijkberichtProgress, width = 24): string {
  const done = progress.sent + progress.failed + progress.unsubscribed + progress.cancelled;
  const total = Math.max(progress.recipients, done);
  const share = total === 0 ? 1 : done / total;
  const filled = Math.round(share * width);
  const bar = `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
  const parts = [`${progress.sent}/${total} sent`, `${progress.failed} failed`, `${progress.unsubscribed} unsubscribed`];
  if (progress.cancelled > 0) parts.push(`${progress.cancelled} cancelled`);
  parts.push(`${progress.queued + progress.notYetQueued} waiting`);
  return `${bar} ${String(Math.floor(share * 100)).padStart(3)}%  ${parts.join(" · ")} (${progress.status})`;
}

/** Prints the progress whenever it changes, until the bericht is sent or cancelled. */
async function watchWijkbericht(db: Db, actor: { kind: "cli"; gemeenteId: string }, id: string, io: CliIo, pollMs = 1000): Promise<void> {
  let last = "";
  for (;;) {
    const { progress } = await loadWijkbericht(db, actor, id);
    const line = describeProgress(progress);
    if (line !== last) io.out(line);
    last = line;
    if (progress.status === "sent" || progress.status === "cancelled" || progress.status === "draft") return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
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
      await recordAudit(db, {
        gemeenteId,
        actorKind: "cli",
        action: result.created ? "staff.created" : "staff.updated",
        subjectType: "StaffUser",
        subjectId: result.id,
        data: { role: role.data, tandem: values.tandem ?? null },
        at: new Date(),
      });
      io.out(`${result.created ? "Added" : "Updated"} ${email} as ${role.data}${values.tandem ? ` in tandem ${values.tandem}` : ""}.`);
    },
  },
  "user password": {
    usage: "user password --email <e>",
    summary: "set a staff user's inbox password, read from standard input (not shown when typed); ends all their sessions",
    async run(args, { db, io }) {
      const values = parse(args, { email: { type: "string" } });
      const email = required(values.email, "--email").trim().toLowerCase();
      const user = await findStaffCredentialsByEmail(db, email);
      if (!user) throw new Error(`There is no staff user with e-mail ${email}. Add one with: npm run cli -- user add --email <e> --role <role>`);
      const password = await readNewPassword(io, email);
      const verdict = PasswordPolicy.check(password, { email });
      if (!verdict.ok) throw new Error(`the password was not accepted, nothing was changed: ${verdict.message}`);
      const { sessionsEnded } = await setStaffPassword(db, user, password, { kind: "cli" }, new Date());
      io.out(`Set the inbox password of ${email}; ended ${sessionsEnded} session${sessionsEnded === 1 ? "" : "s"}.`);
      if (!user.active) io.err(`Note: ${email} is deactivated and cannot sign in until reactivated.`);
    },
  },
  "token create": {
    usage: "token create --email <e> [--name <label>]",
    summary: "print a new API token for a staff user (shown once, stored hashed)",
    async run(args, { db, io }) {
      const values = parse(args, { email: { type: "string" }, name: { type: "string" } });
      const email = required(values.email, "--email");
      const { token, id } = await createApiToken(db, { email, ...(values.name ? { name: values.name } : {}) });
      await recordAudit(db, { actorKind: "cli", action: "token.created", subjectType: "ApiToken", subjectId: id, at: new Date() });
      io.err(`API token for ${email} (shown once; use it as "Authorization: Bearer <token>"):`);
      io.out(token);
    },
  },
  "import wijken": {
    usage: "import wijken --csv <file> | --geojson <file> [--tandem <slug>]",
    summary:
      "create or update the wijken from a CSV (slug,naam,kern,actief,tandem,cbscode) or a GeoJSON FeatureCollection in WGS84\n" +
      "      (CBS wijken layer or GIS export); --tandem: the tandem for wijken the GeoJSON gives none. All rows or nothing.",
    async run(args, { db, io }) {
      const values = parse(args, { csv: { type: "string" }, geojson: { type: "string" }, tandem: { type: "string" } });
      if (values.csv !== undefined && values.geojson !== undefined) throw new UsageError("give either --csv or --geojson, not both");
      if (values.csv === undefined && values.geojson === undefined) throw new UsageError("--csv <file> or --geojson <file> is required");
      const format = values.geojson !== undefined ? "geojson" : "csv";
      const file = format === "geojson" ? required(values.geojson, "--geojson") : required(values.csv, "--csv");
      if (values.tandem !== undefined && format === "csv") throw new UsageError("--tandem only applies to --geojson; a CSV names each wijk's tandem in its tandem column");
      const defaultTandem = values.tandem === undefined ? undefined : required(values.tandem, "--tandem");
      const gemeenteId = await requireGemeenteId(db);
      const text = await readImportFile(file, io);
      const result = format === "geojson" ? await importWijkenFromGeoJson(db, gemeenteId, text, defaultTandem === undefined ? {} : { defaultTandem }) : await importWijkenFromCsv(db, gemeenteId, text);
      await recordAudit(db, {
        gemeenteId,
        actorKind: "cli",
        action: "import.wijken",
        subjectType: "Gemeente",
        subjectId: gemeenteId,
        data: importAuditData(file, format, result, defaultTandem === undefined ? {} : { defaultTandem }),
        at: new Date(),
      });
      reportImport(io, "wijken", file, result);
    },
  },
  "import postcodes": {
    usage: "import postcodes --csv <file> [--replace]",
    summary:
      "import postcode rules from a CSV: postcode,wijk (5662, 5662AB or 5731AA-5731AZ; a wijk slug, or - for no wijk)\n" +
      "      or a CBS postcode-huisnummer file (PC6;Huisnummer;...;Wijk2024). --replace: delete earlier imported and demo rules\n" +
      "      the file does not repeat. All rows or nothing.",
    async run(args, { db, io }) {
      const values = parse(args, { csv: { type: "string" }, replace: { type: "boolean" } });
      const file = required(values.csv, "--csv");
      const replace = values.replace === true;
      const gemeenteId = await requireGemeenteId(db);
      const text = await readImportFile(file, io);
      const result = await importPostcodesFromCsv(db, gemeenteId, text, { replace });
      await recordAudit(db, {
        gemeenteId,
        actorKind: "cli",
        action: "import.postcodes",
        subjectType: "Gemeente",
        subjectId: gemeenteId,
        data: importAuditData(file, "csv", result, { replace }),
        at: new Date(),
      });
      reportImport(io, "postcode rules", file, result);
    },
  },
  digest: {
    usage: "digest --wethouder <e> --week <2026-W48> [--format text|html|json] [--send]",
    summary: "print a wethouder's weekly digest (text by default; html is the e-mail), or --send it by e-mail (needs SMTP_URL;\n" + "      recorded, so a week is sent once)",
    async run(args, { db, io }) {
      const values = parse(args, { wethouder: { type: "string" }, week: { type: "string" }, format: { type: "string" }, send: { type: "boolean" } });
      const wethouder = required(values.wethouder, "--wethouder");
      const week = required(values.week, "--week");
      if (!parseIsoWeek(week)) throw new UsageError(`--week: "${week}" is not an ISO week; write it as 2026-W48 (week 01 to 52, or 53 in years that have one)`);
      const format = DigestFormatSchema.safeParse(values.format ?? "text");
      if (!format.success) throw new UsageError("--format must be text, html or json");
      const config = loadConfig(io.env);
      await runDigestCommand(
        db,
        io.out,
        { wethouder, week, format: format.data, send: values.send === true },
        {
          publicUrl: config.http.publicUrl,
          flowsDir: resolve(config.flowsDir),
          smtpUrl: config.mail.smtpUrl,
          mailFrom: config.mail.from,
        },
      );
    },
  },
  "privacy export": {
    usage: "privacy export --resident <id>",
    summary: "print everything stored about a resident as JSON (for a request under the GDPR)",
    async run(args, { db, io }) {
      const values = parse(args, { resident: { type: "string" } });
      const residentId = required(values.resident, "--resident");
      const data = await exportResidentData(db, residentId);
      if (!data) throw new Error(`There is no resident ${residentId}.`);
      await recordAudit(db, { actorKind: "cli", action: "resident.exported", subjectType: "Resident", subjectId: residentId, at: new Date() });
      io.out(JSON.stringify(data, null, 2));
    },
  },
  "privacy erase": {
    usage: "privacy erase --resident <id>",
    summary:
      "erase a resident: messages, photos, identities with their phone numbers and chat ids, sign-ups, subscriptions,\n" +
      "      digest quotes, export links; their conversations stay only as anonymous counts (cannot be undone)",
    async run(args, { db, io, config }) {
      const values = parse(args, { resident: { type: "string" } });
      const residentId = required(values.resident, "--resident");
      if (!(await residentExists(db, residentId))) throw new Error(`There is no resident ${residentId}.`);
      const mediaDir = join(config.dataDir, "media");
      await inTransaction(db, (tx) => eraseResidentData(tx, residentId, null, new Date(), { mediaDir }), { timeoutMs: 60_000 });
      await checkpointAfterErasure(db);
      io.out(`Erased resident ${residentId} and everything stored about them.`);
    },
  },
  retention: {
    usage: "retention [--dry-run]",
    summary:
      "apply the retention periods now (RETENTION_* in .env.example; the service does it daily): empty old messages,\n" +
      "      remove inactive residents, old sign-in attempts and audit rows; --dry-run only counts",
    async run(args, { db, io, config }) {
      const values = parse(args, { "dry-run": { type: "boolean" } });
      const dryRun = values["dry-run"] === true;
      const report = await applyRetention(db, { periods: config.retention, now: new Date(), mediaDir: join(config.dataDir, "media"), dryRun });
      const lines = [
        `messages emptied: ${report.messagesEmptied} (of conversations resolved over ${config.retention.messageMonths} months ago)`,
        `residents removed: ${report.residentsRemoved} (not seen for ${config.retention.identityMonths} months)`,
        `sign-in attempts deleted: ${report.loginAttemptsDeleted} (older than ${config.retention.loginAttemptDays} days)`,
        `audit rows deleted: ${report.auditEventsDeleted} (older than ${config.retention.auditYears} years)`,
      ];
      if (!dryRun) lines.push(`photo files deleted: ${report.photosDeleted}`, `chat erasures completed: ${report.erasuresCompleted}`);
      io.out(`${dryRun ? "Would remove (dry run, nothing changed):" : "Removed:"}\n${lines.map((line) => `  ${line}`).join("\n")}`);
    },
  },
  broadcast: {
    usage: "broadcast --wijk <slug> [--wijk <slug> …] --text-file <f> [--dry-run] [--watch]",
    summary:
      "send a wijkbericht to every resident who subscribed to the news of these wijken, on their own channel (after replies);\n" +
      "      the running service delivers it at each platform's rate. --watch: a progress bar until it is done",
    async run(args, { db, io }) {
      const values = parse(args, { wijk: { type: "string", multiple: true }, "text-file": { type: "string" }, "dry-run": { type: "boolean" }, watch: { type: "boolean" } });
      const raw = values.wijk;
      const slugs = (Array.isArray(raw) ? raw : typeof raw === "string" ? [raw] : []).map((slug) => slug.trim()).filter(Boolean);
      if (slugs.length === 0) throw new UsageError("--wijk is required");
      const text = (await readImportFile(required(values["text-file"], "--text-file"), io)).trim();
      if (!text) throw new UsageError("the text file is empty");
      if (text.length > WIJKBERICHT_TEXT_MAX) throw new UsageError(`a wijkbericht is at most ${WIJKBERICHT_TEXT_MAX} characters`);
      const gemeenteId = await requireGemeenteId(db);
      // An unknown wijk is an ActionError, printed as any other error ("There is no wijk …").
      const actor = { kind: "cli" as const, gemeenteId };
      const result = await broadcastWijkbericht(db, actor, { wijkSlugs: slugs, text, dryRun: values["dry-run"] === true });
      const names = result.wijken.map((w) => w.name).join(", ");
      const weekly = result.weekly > 0 ? ` (and ${result.weekly} weekly subscriber(s) in their weekly bundle)` : "";
      if (!result.id) {
        io.out(`Would send to ${result.recipients} subscriber(s) of ${names}${weekly}. Nothing was sent.`);
        return;
      }
      io.out(`Sending wijkbericht ${result.id} to ${result.recipients} subscriber(s) of ${names}${weekly}; the running service delivers it at each platform's rate.`);
      if (values.watch === true) await watchWijkbericht(db, actor, result.id, io);
      else io.out(`Follow it with: npm run cli -- wijkbericht status --id ${result.id} --watch`);
    },
  },
  "wijkbericht status": {
    usage: "wijkbericht status --id <id> [--watch]",
    summary: "show a wijkbericht's progress (queued, sent, failed, unsubscribed); --watch: a progress bar until it is done",
    async run(args, { db, io }) {
      const values = parse(args, { id: { type: "string" }, watch: { type: "boolean" } });
      const id = required(values.id, "--id");
      const actor = { kind: "cli" as const, gemeenteId: await requireGemeenteId(db) };
      if (values.watch === true) await watchWijkbericht(db, actor, id, io);
      else io.out(describeProgress((await loadWijkbericht(db, actor, id)).progress));
    },
  },
  "wijkbericht cancel": {
    usage: "wijkbericht cancel --id <id>",
    summary: "cancel a wijkbericht: what no platform has yet is not sent",
    async run(args, { db, io }) {
      const values = parse(args, { id: { type: "string" } });
      const id = required(values.id, "--id");
      const result = await cancelWijkbericht(db, { kind: "cli", gemeenteId: await requireGemeenteId(db) }, id);
      io.out(result.alreadyDone ? "The wijkbericht was already sent or cancelled; nothing changed." : `Cancelled; ${result.takenBack} waiting message(s) taken back.`);
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
  let config: ReturnType<typeof loadConfig>;
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
    await command.run(argv.slice(name.split(" ").length), { db, io, config });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\nUsage: npm run cli -- ${command.usage}`);
      return 2;
    }
    if (error instanceof ImportError) {
      // Lists every bad row with its line; nothing was written.
      io.err(error.message);
      return 1;
    }
    io.err(`Error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await db.$disconnect();
  }
}
