/**
 * Plain SQL for the inbound hot path (storing a message, a bot turn, the outbox), in src/db only.
 * Prisma 6.19 compiles every model query afresh in its WASM query compiler (about 700 µs for a
 * `findUnique` on this machine) and even `$queryRaw` costs about 250 µs; a prepared statement
 * on better-sqlite3 costs about 10 µs. So on SQLite these statements run on the one connection
 * Prisma's adapter opened, as cached prepared statements: inside a Prisma transaction callback
 * that connection is in the transaction (the adapter runs one transaction at a time on it), so a
 * statement here commits or rolls back with the rest. On PostgreSQL the same SQL runs on the `pg`
 * pool underneath Prisma's adapter as named prepared statements, its values always bound; the hot
 * path's transactions are opened on a pooled connection directly (postgresHotTransaction: BEGIN
 * and the advisory lock in one round trip, COMMIT in one), and inside a Prisma interactive
 * transaction the SQL goes through its `$queryRawUnsafe` (no query compilation, in the transaction).
 *
 * The SQL is written once with `?` placeholders, in the dialect both databases share (quoted
 * camelCase names); PostgreSQL gets `$1, $2…`. Rows come back as plain records; read them with
 * the helpers below (SQLite returns dates as text and booleans as 0/1).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createHash, randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import type { Db, DbOrTx, Tx } from "./client.ts";

/** A value a statement binds. */
export type SqlParam = string | number | boolean | Date | null;
/** A row as the driver returns it. */
export type SqlRow = Record<string, unknown>;

const HANDLE = Symbol.for("wijklijn.sqliteHandle");

/** Where the SQLite connection is kept once Prisma's adapter opened it, with its prepared statements. */
export class SqliteHandleHolder {
  handle: Database.Database | null = null;
  readonly statements = new Map<string, Database.Statement>();
}

/** Gives a SQLite client its handle holder (createDb); the adapter fills it in on connect. */
export function attachSqliteHolder(db: object, holder: SqliteHandleHolder): void {
  Object.defineProperty(db, HANDLE, { value: holder, enumerable: false });
}

/** The adapter's connection, when it is a better-sqlite3 database. */
export function sqliteHandleOf(adapter: object): Database.Database | null {
  return "client" in adapter && adapter.client instanceof Database ? adapter.client : null;
}

function holderOf(db: DbOrTx): SqliteHandleHolder | null {
  // A transaction client reads its client's properties through, so `tx` finds the holder too.
  const value: unknown = Reflect.get(db, HANDLE);
  return value instanceof SqliteHandleHolder ? value : null;
}

/** At most this many prepared statements are kept per connection (hot-path SQL is a few dozen texts). */
const STATEMENT_CACHE_SIZE = 200;

function prepared(holder: SqliteHandleHolder, handle: Database.Database, text: string): Database.Statement {
  let statement = holder.statements.get(text);
  if (!statement) {
    statement = handle.prepare(text);
    if (holder.statements.size >= STATEMENT_CACHE_SIZE) holder.statements.clear();
    holder.statements.set(text, statement);
  }
  return statement;
}

function sqliteValue(value: SqlParam): string | number | null {
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

let placeholderCache = new Map<string, string>();
function postgresText(text: string): string {
  let converted = placeholderCache.get(text);
  if (converted === undefined) {
    let n = 0;
    converted = text.replace(/\?/g, () => `$${++n}`);
    if (placeholderCache.size > 500) placeholderCache = new Map();
    placeholderCache.set(text, converted);
  }
  return converted;
}

// PostgreSQL: the driver underneath Prisma's adapter, used directly.

const POOL = Symbol.for("wijklijn.postgresPool");

/** Gives a PostgreSQL client its pool (createDb), for statements outside a transaction. */
export function attachPostgresPool(db: object, pool: pg.Pool): void {
  Object.defineProperty(db, POOL, { value: pool, enumerable: false });
}

function poolOf(db: DbOrTx): pg.Pool | null {
  const value: unknown = Reflect.get(db, POOL);
  return value instanceof pg.Pool ? value : null;
}

/**
 * What a hot-path transaction has not sent yet: statements without values (`plain`: BEGIN, the
 * lock, SAVEPOINT, COMMIT), joined with their neighbours into one multi-statement simple query; or
 * writes with values (`writes`, from sqlRunAll), sent as one bound statement.
 */
type PendingStatement = { plain: string } | { writes: SqlStatement[] };
/**
 * A hot-path transaction on a connection taken from the pool directly (postgresHotTransaction):
 * BEGIN, the advisory lock and COMMIT go through `pg` with no Prisma `$transaction` around them.
 * `pending` holds statements not sent yet (BEGIN and the lock, writes that return nothing:
 * sqlRunAll): they go before the next statement, or before the COMMIT. A value is never written
 * into a statement's text: PostgreSQL's server log shows a failing statement's text
 * (`log_min_error_statement`), and `pg_stat_activity` the running one's, while bound values stay out
 * of both by default; so only statements without values share a simple query.
 */
class HotTransaction {
  readonly pending: PendingStatement[];
  /** BEGIN reached the server: the transaction must end (COMMIT or ROLLBACK). */
  begun = false;
  /** False once committed or rolled back: work still running in this async context then uses the pool. */
  open = true;
  /** Savepoints of Prisma's own transactions inside this one (startTransaction in src/db/client.ts). */
  savepoints = 0;
  /** The last sendHot, settled: the next one waits for it (see sendHot). */
  sending: Promise<unknown> = Promise.resolve();

  constructor(
    readonly pool: pg.Pool,
    readonly client: pg.PoolClient,
    begin: string,
  ) {
    this.pending = [{ plain: begin }];
  }
}

const hotTransactions = new AsyncLocalStorage<HotTransaction>();

/** The open hot-path transaction of this async context on `pool`, if any. */
function hotTransactionOn(pool: pg.Pool | null): HotTransaction | null {
  const hot = hotTransactions.getStore();
  return hot?.open && hot.pool === pool ? hot : null;
}

/** A pg result, or the last of several (a multi-statement simple query answers with an array). */
function lastResult(value: unknown): pg.QueryResult {
  const last: unknown = Array.isArray(value) ? value[value.length - 1] : value;
  if (typeof last === "object" && last !== null && "rows" in last && Array.isArray(last.rows) && "rowCount" in last) {
    return { rows: last.rows.filter(isRow), rowCount: typeof last.rowCount === "number" ? last.rowCount : null, command: "", oid: 0, fields: [] };
  }
  throw new Error("pg gave no result");
}

/**
 * The advisory lock key of `key` (a chat's address, a conversation's id): the first 64 bits of its
 * SHA-256, as a signed integer. A number computed in the process, so the key itself (a phone number
 * on WhatsApp) never reaches the database, and the lock statement has no value to bind.
 */
export function advisoryLockKey(key: string): bigint {
  return createHash("sha256").update(key).digest().readBigInt64BE(0);
}

/** Statements without values, in one simple query; returns the last one's result. */
async function sendPlain(hot: HotTransaction, texts: readonly string[]): Promise<pg.QueryResult> {
  hot.begun = true;
  try {
    return lastResult(await hot.client.query({ text: texts.join(";\n"), types: postgresTypes }));
  } catch (error) {
    throw driverError(error);
  }
}

/**
 * Sends what is pending in `hot` (if anything), with `statement` after it when given; returns the
 * last result. Statements with values each go bound, those without together in a simple query.
 * Calls made at once (Prisma runs some queries of one call concurrently) take turns, so a query
 * never reaches the connection before the pending writes sent ahead of it (pg queues in order).
 */
function sendHot(hot: HotTransaction, statement?: { text: string; params: readonly SqlParam[] }): Promise<pg.QueryResult | null> {
  const sent = hot.sending.then(() => sendPending(hot, statement));
  hot.sending = sent.catch(() => undefined);
  return sent;
}

async function sendPending(hot: HotTransaction, statement?: { text: string; params: readonly SqlParam[] }): Promise<pg.QueryResult | null> {
  const pending = hot.pending.splice(0, hot.pending.length);
  let result: pg.QueryResult | null = null;
  let plain: string[] = [];
  for (const item of pending) {
    if ("plain" in item) {
      plain.push(item.plain);
      continue;
    }
    if (plain.length > 0) await sendPlain(hot, plain);
    plain = [];
    result = await postgresQuery(
      hot.client,
      combinedText(item.writes),
      item.writes.flatMap((write) => write.params),
    );
  }
  if (plain.length > 0) result = await sendPlain(hot, plain);
  return statement ? postgresQuery(hot.client, statement.text, statement.params) : result;
}

/**
 * Runs `work` in one transaction on a connection of `db`'s pool, taken directly: BEGIN (and
 * `SELECT pg_advisory_xact_lock(<advisoryLockKey(lockKey)>)`, which holds until the end of the
 * transaction) go in one simple query before the first statement, which then runs once the lock
 * is granted, on a snapshot taken then. The writes that return nothing wait for the next statement
 * or the COMMIT and go bound before it, so a unit that reads once and writes once is four round
 * trips (BEGIN, the read, the write, COMMIT); no value is ever in a statement's text. `work` gets
 * the client itself as its transaction: in this async context every statement on it, through
 * src/db/sql.ts or through Prisma (src/db/client.ts
 * routes the adapter's queries here), runs on this connection, in this transaction. On an error the transaction rolls back and the error is thrown (a unique
 * violation as P2002); the connection goes back to the pool in every case (destroyed when it
 * could not be rolled back). `idle_in_transaction_session_timeout` stands in for Prisma's
 * transaction timeout: a unit stalled that long between statements loses its connection.
 */
export async function postgresHotTransaction<T>(db: Db, options: { lockKey?: string; idleTimeoutMs: number }, work: (tx: Tx) => Promise<T>): Promise<T> {
  const pool = poolOf(db);
  if (!pool) throw new Error("postgresHotTransaction needs a PostgreSQL client built by createDb");
  const client = await pool.connect();
  // A connection the server ends while it is checked out (the idle timeout below) reports here, not as an uncaught error.
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on("error", onError);
  const begin = [`BEGIN`, `SET LOCAL idle_in_transaction_session_timeout = ${Math.max(1, Math.round(options.idleTimeoutMs))}`];
  if (options.lockKey !== undefined) begin.push(`SELECT pg_advisory_xact_lock(${advisoryLockKey(options.lockKey)})`);
  const hot = new HotTransaction(pool, client, begin.join("; "));
  try {
    const result = await hotTransactions.run(hot, () => work(db));
    if (hot.begun || hot.pending.length > 1) {
      hot.pending.push({ plain: "COMMIT" });
      await sendHot(hot);
    }
    hot.open = false;
    return result;
  } catch (error) {
    hot.open = false;
    if (hot.begun) {
      try {
        await client.query("ROLLBACK");
      } catch (rollbackError) {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
    }
    throw error;
  } finally {
    hot.open = false;
    client.removeListener("error", onError);
    client.release(broken);
  }
}

/**
 * Prisma's queries inside a hot-path transaction (src/db/client.ts): the connection they run on,
 * after whatever is pending was sent (they may read it); null outside one.
 */
export async function hotConnectionFor(pool: pg.Pool | null): Promise<pg.PoolClient | null> {
  const hot = hotTransactionOn(pool);
  if (!hot) return null;
  await sendHot(hot);
  return hot.client;
}

/**
 * A transaction Prisma opens itself inside a hot-path transaction (a nested write, an interactive
 * transaction started inside the unit): a savepoint of it. Returns the statements that end it.
 */
export async function hotSavepointFor(pool: pg.Pool | null): Promise<{ client: pg.PoolClient; release: string; rollback: string } | null> {
  const hot = hotTransactionOn(pool);
  if (!hot) return null;
  hot.savepoints += 1;
  const name = `wl_prisma_${hot.savepoints}`;
  hot.pending.push({ plain: `SAVEPOINT ${name}` });
  await sendHot(hot);
  return { client: hot.client, release: `RELEASE SAVEPOINT ${name}`, rollback: `ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}` };
}

let statementNames = new Map<string, string>();
let statementCount = 0;
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    if (statementNames.size >= 1000) statementNames = new Map();
    statementCount += 1;
    name = `wl_${statementCount}`;
    statementNames.set(text, name);
  }
  return name;
}

/** Timestamps are stored without a zone and mean UTC (as Prisma writes them). */
function postgresValue(value: SqlParam): string | number | boolean | null {
  if (value instanceof Date) return value.toISOString().replace("T", " ").replace("Z", "");
  return value;
}

const TIMESTAMP_OID = 1114;
const postgresTypes = {
  getTypeParser: (oid: number, format?: "text" | "binary") => {
    if (oid === TIMESTAMP_OID) return (text: string) => new Date(`${text.replace(" ", "T")}Z`);
    return format === "binary" ? pg.types.getTypeParser(oid, "binary") : pg.types.getTypeParser(oid, "text");
  },
};

/**
 * The pool a PostgreSQL statement on `db` runs on (or the connection of the hot-path transaction
 * of this async context on it, see hotTransactionOn), or null for a Prisma interactive
 * transaction: its statements go through `$queryRawUnsafe` of it, so they run in it.
 */
function postgresQueryable(db: DbOrTx): pg.Pool | null {
  const isTransaction = typeof Reflect.get(db, "$transaction") !== "function";
  return isTransaction ? null : poolOf(db);
}

async function postgresQuery(queryable: pg.PoolClient | pg.Pool, text: string, params: readonly SqlParam[]): Promise<pg.QueryResult> {
  const converted = postgresText(text);
  try {
    return await queryable.query({ name: statementName(converted), text: converted, values: params.map(postgresValue), types: postgresTypes });
  } catch (error) {
    throw driverError(error);
  }
}

/** Runs a statement that returns rows. */
export async function sqlRows(db: DbOrTx, text: string, params: readonly SqlParam[] = []): Promise<SqlRow[]> {
  const holder = holderOf(db);
  if (holder?.handle?.open) {
    try {
      const rows: unknown[] = prepared(holder, holder.handle, text).all(...params.map(sqliteValue));
      return rows.filter(isRow);
    } catch (error) {
      throw driverError(error);
    }
  }
  const queryable = holder ? null : postgresQueryable(db);
  const hot = hotTransactionOn(queryable);
  if (hot) return (await sendHot(hot, { text, params }))?.rows.filter(isRow) ?? [];
  if (queryable) return (await postgresQuery(queryable, text, params)).rows.filter(isRow);
  const rows: unknown = await db.$queryRawUnsafe(holder ? text : postgresText(text), ...params);
  return Array.isArray(rows) ? rows.filter(isRow) : [];
}

/** Runs a statement that changes rows; returns how many. */
export async function sqlRun(db: DbOrTx, text: string, params: readonly SqlParam[] = []): Promise<number> {
  const holder = holderOf(db);
  if (holder?.handle?.open) {
    try {
      return prepared(holder, holder.handle, text).run(...params.map(sqliteValue)).changes;
    } catch (error) {
      throw driverError(error);
    }
  }
  const queryable = holder ? null : postgresQueryable(db);
  const hot = hotTransactionOn(queryable);
  if (hot) return (await sendHot(hot, { text, params }))?.rowCount ?? 0;
  if (queryable) return (await postgresQuery(queryable, text, params)).rowCount ?? 0;
  return db.$executeRawUnsafe(holder ? text : postgresText(text), ...params);
}

/** One statement with its parameters, for `sqlRunAll`. */
export interface SqlStatement {
  text: string;
  params: readonly SqlParam[];
  /** Its CTE's name when sqlRunAll joins it with later ones on PostgreSQL, so they may read what it returns. */
  name?: string;
  /**
   * It inserts a new row that no other write of the transaction changes or reads (a consent
   * answer): in a hot-path transaction sqlRunAll may then join it with writes of another call.
   */
  independent?: boolean;
}

/**
 * Runs statements that change rows (INSERT, UPDATE, DELETE without RETURNING), in order on SQLite
 * and in one round trip on PostgreSQL: there they become one statement, each but the last a
 * data-modifying CTE (`WITH "w1" AS (…), "w2" AS (…) last`). PostgreSQL runs every part to
 * completion on one snapshot and checks foreign keys at the end of the statement, so a row may
 * refer to one inserted beside it; the parts must not change the same row twice nor read each
 * other's writes (https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-MODIFYING).
 * On SQLite a statement costs no round trip, and SQLite has no data-modifying CTEs.
 */
export async function sqlRunAll(db: DbOrTx, statements: readonly SqlStatement[]): Promise<void> {
  const last = statements[statements.length - 1];
  if (!last) return;
  const hot = holderOf(db) ? null : hotTransactionOn(postgresQueryable(db));
  if (hot) {
    // In a hot-path transaction the writes wait for the next statement or the COMMIT, and join the
    // writes pending before them when one side only inserts new rows (`independent`): one round trip less.
    const before = hot.pending[hot.pending.length - 1];
    const joins = before && "writes" in before && (statements.every((statement) => statement.independent) || before.writes.every((statement) => statement.independent));
    if (before && "writes" in before && joins) before.writes.push(...statements);
    else hot.pending.push({ writes: [...statements] });
    return;
  }
  if (holderOf(db) || statements.length === 1) {
    for (const statement of statements) await sqlRun(db, statement.text, statement.params);
    return;
  }
  await sqlRun(
    db,
    combinedText(statements),
    statements.flatMap((statement) => statement.params),
  );
}

/** Does sqlRunAll join writes into one statement on `db` (PostgreSQL), so a write may read what one before it returns (its `name`)? */
export function sqlJoinsWrites(db: DbOrTx): boolean {
  return holderOf(db) === null;
}

/** Writes as one statement: each but the last a data-modifying CTE, named `w1`, `w2`… or by its `name`. */
function combinedText(statements: readonly SqlStatement[]): string {
  const last = statements[statements.length - 1];
  if (!last) throw new Error("no statements");
  if (statements.length === 1) return last.text;
  const parts = statements.slice(0, -1).map((statement, index) => `"${statement.name ?? `w${index + 1}`}" AS (${statement.text})`);
  return `WITH ${parts.join(", ")} ${last.text}`;
}

function isRow(value: unknown): value is SqlRow {
  return typeof value === "object" && value !== null;
}

/** A driver error with Prisma's code for a unique violation (P2002), so callers check one code. */
export class SqlUniqueViolation extends Error {
  readonly code = "P2002";
}

function driverError(error: unknown): unknown {
  if (error instanceof Database.SqliteError && (error.code === "SQLITE_CONSTRAINT_UNIQUE" || error.code === "SQLITE_CONSTRAINT_PRIMARYKEY")) {
    return new SqlUniqueViolation(error.message, { cause: error });
  }
  if (error instanceof pg.DatabaseError && error.code === "23505") return new SqlUniqueViolation(error.message, { cause: error });
  return error;
}

/** Is this a unique-constraint violation, from Prisma (P2002), a raw PostgreSQL statement (23505) or SQLite? */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  if ("code" in error && error.code === "P2002") return true;
  if ("meta" in error && typeof error.meta === "object" && error.meta !== null && "code" in error.meta && error.meta.code === "23505") return true;
  return "message" in error && typeof error.message === "string" && /23505|unique constraint/i.test(error.message) && "code" in error && error.code === "P2010";
}

// Reading rows.

/** A text column. */
export function textOf(row: SqlRow, column: string): string {
  const value = row[column];
  if (typeof value !== "string") throw new Error(`column ${column}: expected text`);
  return value;
}

/** A text column that may be NULL. */
export function optionalTextOf(row: SqlRow, column: string): string | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") throw new Error(`column ${column}: expected text`);
  return value;
}

/** A number column (SQLite may give a bigint for a count). */
export function numberOf(row: SqlRow, column: string): number {
  const value = row[column];
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && value !== "" && Number.isFinite(Number(value))) return Number(value);
  throw new Error(`column ${column}: expected a number`);
}

/** A number column that may be NULL. */
export function optionalNumberOf(row: SqlRow, column: string): number | null {
  const value = row[column];
  return value === null || value === undefined ? null : numberOf(row, column);
}

/** A date column (a Date on PostgreSQL, ISO text on SQLite). */
export function dateOf(row: SqlRow, column: string): Date {
  const value = row[column];
  if (value instanceof Date) return value;
  if (typeof value === "string" || typeof value === "number") return new Date(value);
  throw new Error(`column ${column}: expected a date`);
}

/** A date column that may be NULL. */
export function optionalDateOf(row: SqlRow, column: string): Date | null {
  const value = row[column];
  return value === null || value === undefined ? null : dateOf(row, column);
}

/** A boolean column that may be NULL (SQLite gives 1/0). */
export function optionalBooleanOf(row: SqlRow, column: string): boolean | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  return Boolean(value);
}

// Ids.

let lastMs = 0;
let counter = 0;
const fingerprint = randomBytes(3).readUIntBE(0, 3).toString(36).padStart(4, "0").slice(-4);

/**
 * A new row id in the layout of Prisma's `cuid()` ("c", time, counter, fingerprint, random; 25
 * characters), so ids made here sort by creation time among Prisma's, as `ORDER BY createdAt, id` expects.
 */
export function newId(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    counter = 0;
  } else counter += 1;
  const random = randomBytes(6).readUIntBE(0, 6).toString(36).padStart(8, "0").slice(-8);
  return `c${ms.toString(36).padStart(8, "0")}${(counter % 1_679_616).toString(36).padStart(4, "0")}${fingerprint}${random}`;
}
