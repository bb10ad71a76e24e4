/**
 * Plain SQL for the inbound hot path (storing a message, a bot turn, the outbox), in src/db only.
 * Prisma 6.19 compiles every model query afresh in its WASM query compiler (about 700 µs for a
 * `findUnique` on this machine) and even `$queryRaw` costs about 250 µs; a prepared statement
 * on better-sqlite3 costs about 10 µs. So on SQLite these statements run on the one connection
 * Prisma's adapter opened, as cached prepared statements: inside a Prisma transaction callback
 * that connection is in the transaction (the adapter runs one transaction at a time on it), so a
 * statement here commits or rolls back with the rest. On PostgreSQL a transaction holds its own
 * pooled connection that Prisma does not hand out, so the same SQL goes through `$queryRawUnsafe`
 * of the client or transaction given (no query compilation, still in the transaction).
 *
 * The SQL is written once with `?` placeholders, in the dialect both databases share (quoted
 * camelCase names); PostgreSQL gets `$1, $2…`. Rows come back as plain records; read them with
 * the helpers below (SQLite returns dates as text and booleans as 0/1).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
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

/** The connection of the Prisma transaction running in this async context (see `postgresTransaction`). */
const transactionConnection = new AsyncLocalStorage<{ client: pg.Client | null }>();

/**
 * Runs `db.$transaction(work)` so the statements here reach its connection directly: the adapter
 * (src/db/client.ts) hands the connection it opened the transaction on to `takeTransactionConnection`,
 * and `sqlRows`/`sqlRun` on the transaction client then run as named prepared statements on it
 * (about 10× cheaper than `$queryRawUnsafe`, which goes through Prisma's query interpreter).
 */
export function postgresTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>, options: { maxWait?: number; timeout?: number }): Promise<T> {
  return transactionConnection.run({ client: null }, () => db.$transaction(work, options));
}

/** Called by the adapter when it opened a transaction: the connection is this context's (when postgresTransaction asked). */
export function takeTransactionConnection(transaction: object): void {
  const store = transactionConnection.getStore();
  const client: unknown = Reflect.get(transaction, "client");
  if (store && store.client === null && client instanceof pg.Client) store.client = client;
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

/** The connection (or pool) a PostgreSQL statement on `db` runs on, or null to go through Prisma. */
function postgresQueryable(db: DbOrTx): pg.Client | pg.Pool | null {
  const isTransaction = typeof Reflect.get(db, "$transaction") !== "function";
  if (isTransaction) return transactionConnection.getStore()?.client ?? null;
  return poolOf(db);
}

async function postgresQuery(queryable: pg.Client | pg.Pool, text: string, params: readonly SqlParam[]): Promise<pg.QueryResult> {
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
  if (queryable) return (await postgresQuery(queryable, text, params)).rowCount ?? 0;
  return db.$executeRawUnsafe(holder ? text : postgresText(text), ...params);
}

/** One statement with its parameters, for `sqlRunAll`. */
export interface SqlStatement {
  text: string;
  params: readonly SqlParam[];
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
  if (holderOf(db) || statements.length === 1) {
    for (const statement of statements) await sqlRun(db, statement.text, statement.params);
    return;
  }
  const parts = statements.slice(0, -1).map((statement, index) => `"w${index + 1}" AS (${statement.text})`);
  await sqlRun(
    db,
    `WITH ${parts.join(", ")} ${last.text}`,
    statements.flatMap((statement) => statement.params),
  );
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
