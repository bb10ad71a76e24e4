/**
 * `npm run bench`: Wijklijn's speed on this machine, as one table. Each figure names the database
 * and the core count, and sits beside a floor measured in the same run (bench/floor.ts: bare
 * grammY + express doing the same 5 durable writes in one transaction with the raw driver), with
 * Wijklijn's figure as a share of it.
 *
 * (1) inbound over HTTP: the real service (src/main.ts, its own process, Telegram in webhook mode
 *     against a local fake Bot API) gets Telegram updates from BENCH_CHATS chats (1,000), BENCH_ROUNDS
 *     rounds (3), over 50 keep-alive connections. "Handled" counts a message once the bot's turn
 *     committed (its answer is in the outbox). (5) the peak RSS of that process.
 * (2) the triage, classifying the corpus texts in this process beside its own floor (bench/triage.ts).
 * (3) a wijkbericht to 100,000 Telegram subscribers through the real service (bench/wijkbericht.ts):
 *     the achieved rate against the configured one, duplicates, memory.
 * (4) a year of data, 1,000,000 messages in 11 wijken (bench/year.ts): the weekly digest and the
 *     inbox's first page, against the targets (≤ 3 s, ≤ 100 ms).
 * PostgreSQL runs when BENCH_POSTGRES_URL (or TEST_DATABASE_URL) names a server where the user may
 * create databases: the bench creates and drops its own. Parts (3) and (4) run on SQLite, and on
 * PostgreSQL too with `--postgres`. `npm run bench -- --part 4` (or `--part 3,4`) runs only those parts.
 *
 * Nothing here is a test: tests never time things.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { postUpdates, quantile, type LoadResult } from "./load.ts";
import { printTriageBench } from "./triage.ts";
import { benchWijkbericht, type ServiceStarter, type WijkberichtFigures } from "./wijkbericht.ts";
import { benchYear, type Timing, type YearFigures } from "./year.ts";

const CHATS = Number(process.env.BENCH_CHATS ?? "1000");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? "3");
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? "50");
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_DATABASE_URL;
const WARM_UP_CHATS = 100;
const CORES = availableParallelism();
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? "100000");
const SEND_RATE = Number(process.env.BENCH_SEND_RATE ?? "500");
const YEAR_MESSAGES = Number(process.env.BENCH_YEAR_MESSAGES ?? "1000000");

/** `--part 4`, `--part 3,4` or `--part=1`: which parts run (all by default); `--postgres`: parts (3) and (4) on PostgreSQL too. */
function parseArguments(argv: readonly string[]): { parts: Set<string>; postgres: boolean } {
  const parts = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const value = arg === "--part" ? argv[++i] : arg.startsWith("--part=") ? arg.slice("--part=".length) : undefined;
    for (const part of value?.split(",") ?? []) if (part.trim()) parts.add(part.trim());
  }
  if (parts.size === 0) for (const part of ["1", "2", "3", "4", "5"]) parts.add(part);
  // (5) is measured under (1).
  if (parts.has("5")) parts.add("1");
  return { parts, postgres: argv.includes("--postgres") };
}
const ARGS = parseArguments(process.argv.slice(2));
const CLOCK_TICKS = 100;

/** One measured target: what the load saw and what the process cost. */
interface Measured {
  load: LoadResult;
  /** Seconds from the first request until every message was handled. */
  handledSeconds: number;
  handled: number;
  cpuSeconds: number;
  peakRssMb: number;
}

/** A fake Telegram Bot API: answers every method at once (sendMessage with a message id). */
function startFakeBotApi(): Promise<{ server: Server; root: string; sent: () => number }> {
  let sent = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const method = (req.url ?? "").split("/").pop() ?? "";
      let result: unknown = true;
      if (method === "getMe") result = { id: 1, is_bot: true, first_name: "Wijklijn", username: "WijklijnBenchBot" };
      if (method === "sendMessage") {
        sent++;
        const chatId = Number(new URLSearchParams(body).get("chat_id") ?? (JSON.parse(body || "{}") as { chat_id?: number }).chat_id ?? 0);
        result = { message_id: sent, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: "private" }, text: "" };
      }
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ok: true, result }));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, root: `http://127.0.0.1:${portOf(server)}`, sent: () => sent })));
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP port");
  return address.port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = portOf(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts a TypeScript entry point in its own Node process, its output in `logFile`. */
function spawnTs(script: string, env: Record<string, string>, logFile: string): ChildProcess {
  const child = fork(script, [], { env: { ...process.env, ...env }, execArgv: ["--import", "tsx", ...(process.env.BENCH_NODE_OPTIONS?.split(" ").filter(Boolean) ?? [])], stdio: "pipe" });
  const log = createWriteStream(logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

/** Waits until `url` answers with a status `ok` accepts; throws when `child` exits first. */
async function waitForHttp(child: ChildProcess, url: string, ok: (status: number) => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited (code ${child.exitCode}); see its log (BENCH_KEEP=true keeps it)`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (ok(response.status)) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** utime + stime of a process, in seconds (Linux /proc). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** The process's peak resident set (VmHWM), in MB. */
function peakRssMbOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmHWM:\s+(\d+) kB/);
  return line ? Number(line[1]) / 1024 : Number.NaN;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Loads a started server and waits until `handledCount()` reaches every message sent. */
async function measure(child: ChildProcess, webhookUrl: string, handledCount: () => Promise<number>): Promise<Measured> {
  const pid = child.pid ?? 0;
  // Warm-up (JIT, pools, caches) on other chats, waited out before the clock starts.
  const warm = await postUpdates(webhookUrl, { chats: WARM_UP_CHATS, rounds: 2, connections: 10, firstChat: 10_000_000 });
  await waitUntil(handledCount, warm.statuses.get(200) ?? 0);
  const handledBefore = Math.min(await handledCount(), warm.statuses.get(200) ?? 0);
  const cpuBefore = cpuSecondsOf(pid);
  const start = process.hrtime.bigint();
  const load = await postUpdates(webhookUrl, { chats: CHATS, rounds: ROUNDS, connections: CONNECTIONS });
  const handled = Math.min((await waitUntil(handledCount, handledBefore + (load.statuses.get(200) ?? 0))) - handledBefore, load.sent);
  const handledSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { load, handledSeconds, handled, cpuSeconds: cpuSecondsOf(pid) - cpuBefore, peakRssMb: peakRssMbOf(pid) };
}

/** Polls `count` until it reaches `target` (or ten minutes passed); returns the last count. */
async function waitUntil(count: () => Promise<number>, target: number): Promise<number> {
  const deadline = Date.now() + 600_000;
  let now = await count();
  while (now < target && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    now = await count();
  }
  return now;
}

type DatabaseName = "SQLite" | "PostgreSQL";

/** Runs the floor server against `url` and measures it (each stored update is handled at once). */
async function benchFloor(url: string, dir: string): Promise<Measured> {
  const port = await freePort();
  const child = spawnTs("bench/floor.ts", { FLOOR_DATABASE_URL: url, PORT: String(port) }, join(dir, "floor.log"));
  try {
    await waitForHttp(child, `http://127.0.0.1:${port}/`, (status) => status < 500);
    // The floor handles a message before it answers: every 200 is a handled message.
    const result = await measure(child, `http://127.0.0.1:${port}/webhooks/telegram`, async () => Number.POSITIVE_INFINITY);
    return { ...result, handled: result.load.statuses.get(200) ?? 0 };
  } finally {
    await stopChild(child);
  }
}

/** Runs the real service against `url` (Telegram webhook mode, fake Bot API) and measures it. */
async function benchWijklijn(url: string, dir: string, apiRoot: string): Promise<Measured> {
  const port = await freePort();
  const env = {
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: url,
    DATA_DIR: join(dir, "data"),
    DEMO_DATA: "true",
    SESSION_SECRET: "b".repeat(40),
    TELEGRAM_BOT_TOKEN: "123456:wijklijn-bench-token-abcdef",
    TELEGRAM_MODE: "webhook",
    TELEGRAM_WEBHOOK_SECRET: "wijklijn-bench-secret",
    TELEGRAM_API_ROOT: apiRoot,
  };
  const child = spawnTs("src/main.ts", env, join(dir, "wijklijn.log"));
  let count: () => Promise<number>;
  let close: () => Promise<void>;
  try {
    await waitForHttp(child, `http://127.0.0.1:${port}/readyz`, (status) => status === 200);
    if (url.startsWith("file:")) {
      const db = new Database(url.slice("file:".length), { readonly: true });
      const statement = db.prepare("SELECT COUNT(*) AS n FROM Message WHERE direction = 'in' AND processedAt IS NOT NULL");
      count = async () => (statement.get() as { n: number }).n;
      close = async () => void db.close();
    } else {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      count = async () => Number((await client.query(`SELECT COUNT(*) AS n FROM "Message" WHERE direction = 'in' AND "processedAt" IS NOT NULL`)).rows[0].n);
      close = () => client.end();
    }
    try {
      return await measure(child, `http://127.0.0.1:${port}/webhooks/telegram`, count);
    } finally {
      await close();
    }
  } finally {
    await stopChild(child);
  }
}

/** Creates a fresh PostgreSQL database next to `serverUrl`'s; returns its URL and how to drop it. */
async function freshPostgres(serverUrl: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = new pg.Client({ connectionString: serverUrl });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}

interface Pair {
  database: DatabaseName;
  floor: Measured | null;
  wijklijn: Measured | null;
  note?: string;
}

async function benchDatabase(database: DatabaseName, apiRoot: string): Promise<Pair> {
  const dir = mkdtempSync(join(tmpdir(), "wijklijn-bench-"));
  try {
    if (database === "SQLite") {
      const floor = await benchFloor(`file:${join(dir, "floor.db")}`, dir);
      const wijklijn = await benchWijklijn(`file:${join(dir, "wijklijn.db")}`, dir, apiRoot);
      return { database, floor, wijklijn };
    }
    if (!POSTGRES_URL) return { database, floor: null, wijklijn: null, note: "not run: set BENCH_POSTGRES_URL" };
    const floorDb = await freshPostgres(POSTGRES_URL, `wijklijn_bench_floor_${process.pid}`);
    const floor = await benchFloor(floorDb.url, dir).finally(() => floorDb.drop());
    const serviceDb = await freshPostgres(POSTGRES_URL, `wijklijn_bench_${process.pid}`);
    const wijklijn = await benchWijklijn(serviceDb.url, dir, apiRoot).finally(() => serviceDb.drop());
    return { database, floor, wijklijn };
  } finally {
    if (process.env.BENCH_KEEP !== "true") rmSync(dir, { recursive: true, force: true });
    else console.error(`kept ${dir}`);
  }
}

const figures: Array<{ part: string; figure: string; value: (m: Measured) => number; format: (n: number) => string; higherIsBetter: boolean }> = [
  { part: "(1)", figure: "inbound messages handled per second", value: (m) => m.handled / m.handledSeconds, format: (n) => n.toFixed(0), higherIsBetter: true },
  { part: "(1)", figure: "webhook answers per second", value: (m) => m.load.sent / m.load.seconds, format: (n) => n.toFixed(0), higherIsBetter: true },
  { part: "(1)", figure: "webhook p50", value: (m) => quantile(m.load.latenciesMs, 0.5), format: ms, higherIsBetter: false },
  { part: "(1)", figure: "webhook p99", value: (m) => quantile(m.load.latenciesMs, 0.99), format: ms, higherIsBetter: false },
  { part: "(1)", figure: "CPU per handled message", value: (m) => (m.cpuSeconds * 1000) / Math.max(1, m.handled), format: ms, higherIsBetter: false },
  { part: "(1)", figure: "webhook answers not 200", value: (m) => m.load.sent - (m.load.statuses.get(200) ?? 0), format: (n) => n.toFixed(0), higherIsBetter: false },
  { part: "(5)", figure: "peak RSS under (1)", value: (m) => m.peakRssMb, format: (n) => `${n.toFixed(0)} MB`, higherIsBetter: false },
];

function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)} s` : n >= 10 ? `${n.toFixed(0)} ms` : `${n.toFixed(2)} ms`;
}

function printTable(pairs: Pair[], more: string[][]): void {
  const rows: string[][] = [["part", "figure", "database", "cores", "Wijklijn", "floor", "Wijklijn vs floor"]];
  for (const figure of figures) {
    if (!ARGS.parts.has(figure.part.slice(1, -1))) continue;
    for (const pair of pairs) {
      if (!pair.floor || !pair.wijklijn) {
        rows.push([figure.part, figure.figure, pair.database, String(CORES), pair.note ?? "not run", "", ""]);
        continue;
      }
      const ours = figure.value(pair.wijklijn);
      const floor = figure.value(pair.floor);
      const ratio = figure.higherIsBetter ? `${((ours / floor) * 100).toFixed(1)}% of floor` : floor > 0 ? `${(ours / floor).toFixed(1)}× floor` : "";
      rows.push([figure.part, figure.figure, pair.database, String(CORES), figure.format(ours), figure.format(floor), ratio]);
    }
  }
  rows.push(...more);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length))) ?? [];
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(line(rows[0] ?? []));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of rows.slice(1)) console.log(line(row));
}

/** Part (3)'s service: src/main.ts in its own process on `url`, Telegram in webhook mode against the given fake. */
function serviceStarter(dir: string): ServiceStarter {
  return {
    async start(url, extra) {
      const port = await freePort();
      const env = {
        NODE_ENV: "production",
        LOG_LEVEL: "warn",
        PORT: String(port),
        HOST: "127.0.0.1",
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        DATABASE_URL: url,
        DATA_DIR: join(dir, "data"),
        DEMO_DATA: "true",
        SESSION_SECRET: "b".repeat(40),
        ...extra,
      };
      const child = spawnTs("src/main.ts", env, join(dir, "wijkbericht.log"));
      try {
        await waitForHttp(child, `http://127.0.0.1:${port}/readyz`, (status) => status === 200);
      } catch (error) {
        await stopChild(child);
        throw error;
      }
      return { child, stop: () => stopChild(child) };
    },
    peakRssMbOf,
  };
}

/** Runs `work` on a fresh database of `database` (a temporary SQLite file, or a PostgreSQL database created and dropped). */
async function onFreshDatabase<T>(database: DatabaseName, name: string, work: (url: string, dir: string) => Promise<T>): Promise<T | string> {
  const dir = mkdtempSync(join(tmpdir(), "wijklijn-bench-"));
  try {
    if (database === "SQLite") return await work(`file:${join(dir, `${name}.db`)}`, dir);
    if (!POSTGRES_URL) return "not run: set BENCH_POSTGRES_URL";
    const fresh = await freshPostgres(POSTGRES_URL, `wijklijn_bench_${name}_${process.pid}`);
    return await work(fresh.url, dir).finally(() => fresh.drop());
  } finally {
    if (process.env.BENCH_KEEP !== "true") rmSync(dir, { recursive: true, force: true });
    else console.error(`kept ${dir}`);
  }
}

function wijkberichtRows(database: DatabaseName, result: WijkberichtFigures | string): string[][] {
  const title = `wijkbericht to ${SUBSCRIBERS.toLocaleString("en")} subscribers (Telegram fake)`;
  if (typeof result === "string") return [["(3)", title, database, String(CORES), result, "", ""]];
  return [
    [
      "(3)",
      `${title}: send rate`,
      database,
      String(CORES),
      `${result.achievedRate.toFixed(1)}/s`,
      `${result.configuredRate}/s (configured)`,
      `${((result.achievedRate / result.configuredRate) * 100).toFixed(1)}% of floor`,
    ],
    [
      "(3)",
      "wijkbericht: all delivered after",
      database,
      String(CORES),
      `${result.seconds.toFixed(0)} s`,
      `${(result.subscribers / result.configuredRate).toFixed(0)} s`,
      `${(result.seconds / (result.subscribers / result.configuredRate)).toFixed(2)}× floor`,
    ],
    ["(3)", "wijkbericht: duplicates / missing", database, String(CORES), `${result.duplicates} / ${result.missing}`, "0 / 0", ""],
    ["(3)", "wijkbericht: peak RSS of the service", database, String(CORES), `${result.peakRssMb.toFixed(0)} MB`, "", ""],
  ];
}

function yearRows(database: DatabaseName, result: YearFigures | string): string[][] {
  const title = `a year: ${YEAR_MESSAGES.toLocaleString("en")} messages, 11 wijken`;
  if (typeof result === "string") return [["(4)", title, database, String(CORES), result, "", ""]];
  const against = (value: number, target: number) => `${(value / target).toFixed(2)}× target`;
  const cell = (timing: Timing) => `${ms(timing.wallMs)} (CPU ${ms(timing.cpuMs)})`;
  return [
    ["(4)", `${title}: seeding (bulk inserts)`, database, String(CORES), `${result.seedSeconds.toFixed(1)} s`, "", ""],
    ["(4)", "weekly digest of the last week, one wethouder (5 wijken)", database, String(CORES), cell(result.wethouderDigest), "≤ 3 s (target)", against(result.wethouderDigest.wallMs, 3000)],
    [
      "(4)",
      `weekly digest, gemeente overview (11 wijken, ${result.weekConversations} new that week)`,
      database,
      String(CORES),
      cell(result.gemeenteDigest),
      "≤ 3 s (target)",
      against(result.gemeenteDigest.wallMs, 3000),
    ],
    ["(4)", "inbox first page, gebiedsregisseur (GET /inbox)", database, String(CORES), cell(result.inboxGebiedsregisseur), "≤ 100 ms (target)", against(result.inboxGebiedsregisseur.wallMs, 100)],
    ["(4)", "inbox first page, admin (GET /inbox)", database, String(CORES), cell(result.inboxAdmin), "≤ 100 ms (target)", against(result.inboxAdmin.wallMs, 100)],
  ];
}

async function main(): Promise<void> {
  const pairs: Pair[] = [];
  const more: string[][] = [];
  const only = process.env.BENCH_DATABASES?.split(",") ?? ["SQLite", "PostgreSQL"];
  const bigDatabases: DatabaseName[] = ARGS.postgres ? ["SQLite", "PostgreSQL"] : ["SQLite"];
  if (ARGS.parts.has("1")) {
    const api = await startFakeBotApi();
    try {
      for (const database of ["SQLite", "PostgreSQL"] as const) {
        if (!only.includes(database)) continue;
        console.error(`benchmarking ${database}…`);
        pairs.push(await benchDatabase(database, api.root));
      }
    } finally {
      api.server.close();
    }
  }
  if (ARGS.parts.has("3")) {
    for (const database of bigDatabases) {
      console.error(`(3) a wijkbericht to ${SUBSCRIBERS} subscribers on ${database}…`);
      const result = await onFreshDatabase(database, "wijkbericht", (url, dir) => benchWijkbericht(url, { subscribers: SUBSCRIBERS, rate: SEND_RATE, starter: serviceStarter(dir) }));
      more.push(...wijkberichtRows(database, result));
    }
  }
  if (ARGS.parts.has("4")) {
    for (const database of bigDatabases) {
      console.error(`(4) a year of ${YEAR_MESSAGES} messages on ${database}…`);
      more.push(...yearRows(database, await onFreshDatabase(database, "year", (url) => benchYear(url, YEAR_MESSAGES))));
    }
  }
  printTable(pairs, more);
  if (ARGS.parts.has("2")) {
    console.log("");
    printTriageBench();
  }
  console.log(
    `\n${CORES} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, load average ${loadavg()
      .map((n) => n.toFixed(1))
      .join(" ")} at the end. (1): ${CHATS} chats × ${ROUNDS} rounds over ${CONNECTIONS} connections; the load generator and the fake Bot API run in the bench's own process on the same cores.`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
