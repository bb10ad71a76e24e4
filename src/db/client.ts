/**
 * Builds the Prisma client for the configured database: SQLite (embedded default, through
 * better-sqlite3) or PostgreSQL (through pg). Both clients are generated from the same models
 * (prisma/sqlite/schema.prisma; a test keeps prisma/postgresql in step), so the rest of the code
 * uses one type, `Db`.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqlitePrismaClient } from "./generated/sqlite/client.ts";
import { PrismaClient as PostgresPrismaClient } from "./generated/postgresql/client.ts";
import pg from "pg";
import { attachPostgresPool, attachSqliteHolder, hotConnectionFor, hotSavepointFor, SqliteHandleHolder, sqliteHandleOf } from "./sql.ts";

/** The database client every repository takes. */
export type Db = SqlitePrismaClient;
/** A client inside an interactive transaction. */
export type Tx = Omit<Db, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;
/** Either a client or a transaction: what a repository function accepts. */
export type DbOrTx = Db | Tx;

export type DatabaseProvider = "sqlite" | "postgresql";

/** Connections per service instance on PostgreSQL (three instances stay well below the server's default 100). */
export const POSTGRES_POOL_SIZE = 20;

/** Tells the provider from a DATABASE_URL. */
export function providerOf(url: string): DatabaseProvider {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)`);
}

/** Turns file:./data/x.db into an absolute path, creating its folder. */
export function sqliteFilePath(url: string): string {
  const path = url.slice("file:".length).split("?")[0] ?? "";
  if (path === ":memory:") return path;
  const absolute = resolve(path);
  mkdirSync(dirname(absolute), { recursive: true });
  return absolute;
}

const providers = new WeakMap<Db, DatabaseProvider>();

/** Which database a client built by `createDb` talks to (for the few statements that differ). */
export function providerOfDb(db: Db): DatabaseProvider {
  const provider = providers.get(db);
  if (!provider) throw new Error("This database client was not built by createDb; build it there so its provider is known.");
  return provider;
}

/**
 * The better-sqlite3 adapter, with `secure_delete` on every connection it opens: SQLite then
 * overwrites deleted content with zeros instead of leaving it in free pages, so an erased message
 * cannot be read from the file (the checkpoint after an erasure empties the WAL too).
 */
class SecureDeleteSqlite extends PrismaBetterSQLite3 {
  constructor(
    options: ConstructorParameters<typeof PrismaBetterSQLite3>[0],
    private readonly holder: SqliteHandleHolder,
  ) {
    super(options);
  }

  override async connect() {
    const adapter = await super.connect();
    await adapter.executeScript("PRAGMA secure_delete = ON;");
    // The hot path's prepared statements run on this connection (src/db/sql.ts).
    this.holder.statements.clear();
    this.holder.handle = sqliteHandleOf(adapter);
    return adapter;
  }
}

/**
 * The pg adapter, with Prisma's queries inside a hot-path transaction (postgresHotTransaction,
 * src/db/sql.ts) sent on that transaction's connection: the adapter runs its queries on the pool
 * otherwise, outside the transaction. A transaction Prisma opens itself there (a nested write, an
 * interactive transaction) becomes a savepoint of it.
 */
class HotRoutingPg extends PrismaPg {
  constructor(private readonly pool: pg.Pool) {
    super(pool, { disposeExternalPool: true });
  }

  override async connect() {
    const adapter = await super.connect();
    const pool = this.pool;
    const { queryRaw, executeRaw, startTransaction } = adapter;
    // The adapter's own methods, run with `client` set to the hot-path connection (they read nothing else of it but `client`).
    const on = (client: pg.PoolClient): typeof adapter => Object.create(adapter, { client: { value: client } });
    adapter.queryRaw = async (query) => {
      const client = await hotConnectionFor(pool);
      return client ? queryRaw.call(on(client), query) : queryRaw.call(adapter, query);
    };
    adapter.executeRaw = async (query) => {
      const client = await hotConnectionFor(pool);
      return client ? executeRaw.call(on(client), query) : executeRaw.call(adapter, query);
    };
    adapter.startTransaction = async (isolationLevel) => {
      const savepoint = await hotSavepointFor(pool);
      if (!savepoint) return startTransaction.call(adapter, isolationLevel);
      const inside = on(savepoint.client);
      // Prisma ends its transactions with COMMIT or ROLLBACK sent through executeRaw, then calls commit() or rollback().
      const end = (sql: string) => executeRaw.call(inside, { sql, args: [], argTypes: [] });
      return {
        provider: adapter.provider,
        adapterName: adapter.adapterName,
        options: { usePhantomQuery: false },
        queryRaw: (query) => queryRaw.call(inside, query),
        executeRaw: (query) => {
          if (query.sql === "COMMIT") return end(savepoint.release);
          if (query.sql === "ROLLBACK") return end(savepoint.rollback);
          return executeRaw.call(inside, query);
        },
        commit: async () => {},
        rollback: async () => {},
      };
    };
    return adapter;
  }
}

/** Connects to the database at `url`. Call `$disconnect()` when done. */
export function createDb(url: string): Db {
  if (providerOf(url) === "sqlite") {
    const holder = new SqliteHandleHolder();
    const db = new SqlitePrismaClient({ adapter: new SecureDeleteSqlite({ url: `file:${sqliteFilePath(url)}` }, holder) });
    attachSqliteHolder(db, holder);
    providers.set(db, "sqlite");
    return db;
  }
  // A pool big enough for the bot's turns (at most MAX_CONCURRENT_TURNS at once, src/bot/processor.ts)
  // beside the webhooks' store transactions and the jobs; a connection is waited for, never refused.
  // The hot path's statements use the same pool's connections directly (src/db/sql.ts).
  const pool = new pg.Pool({ connectionString: url, max: POSTGRES_POOL_SIZE, connectionTimeoutMillis: 0 });
  const client = new PostgresPrismaClient({ adapter: new HotRoutingPg(pool) });
  // The PostgreSQL client is generated from the same models as the SQLite one; TypeScript cannot
  // prove two generated generic types equal, so this is the one place where they are joined.
  const db = client as unknown as Db;
  attachPostgresPool(db, pool);
  providers.set(db, "postgresql");
  return db;
}
