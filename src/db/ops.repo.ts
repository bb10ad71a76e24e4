/**
 * What running the service asks of the database itself: connection settings at start-up, whether
 * it is still empty, the readiness ping, the counts behind /metrics and the landing page's demo hint.
 */
import { providerOfDb, type Db, type DbOrTx } from "./client.ts";

/**
 * Sets the SQLite connection up for a service: write-ahead logging (readers do not wait for the
 * writer) and a busy timeout instead of an immediate "database is locked". SQLite only.
 */
export async function prepareSqliteConnection(db: Db): Promise<void> {
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await db.$queryRawUnsafe("PRAGMA busy_timeout = 10000");
}

/**
 * After an erasure or a retention sweep, SQLite: writes the write-ahead log into the database file
 * and empties it (TRUNCATE), so the erased text is in neither (secure_delete zeroed it in the
 * file). PostgreSQL keeps dead rows until its autovacuum; nothing to do here.
 */
export async function checkpointAfterErasure(db: Db): Promise<void> {
  if (providerOfDb(db) !== "sqlite") return;
  await db.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
}

/** How many gemeenten the database holds (none: an empty database, to be seeded or imported). */
export async function countGemeenten(db: DbOrTx): Promise<number> {
  return db.gemeente.count();
}

/** Whether the database still holds the demo gemeente's postcode rules (the landing page says it is a demo). */
export async function hasDemoPostcodes(db: DbOrTx): Promise<boolean> {
  return (await db.postcodeRule.count({ where: { source: "demo" } })) > 0;
}

/** Runs the cheapest statement there is; throws when the database cannot be reached. */
export async function pingDatabase(db: DbOrTx): Promise<void> {
  await db.$queryRawUnsafe("SELECT 1");
}

/**
 * The counts /metrics reports, over all gemeenten. Statuses and channels come as stored, so that
 * an unexpected value still shows up as a label instead of failing the scrape.
 */
export interface OpsCounts {
  conversationsByStatus: Array<{ status: string; count: number }>;
  outboxByChannelAndStatus: Array<{ channel: string; status: string; count: number }>;
  /** Resident messages stored but not yet answered. */
  unprocessedInbound: number;
}

/** Counts conversations by status, outbox messages by channel and status, and unanswered resident messages. */
export async function countOpsMetrics(db: DbOrTx): Promise<OpsCounts> {
  const [conversations, outbox, unprocessedInbound] = await Promise.all([
    db.conversation.groupBy({ by: ["status"], _count: { _all: true } }),
    db.outboxMessage.groupBy({ by: ["channel", "status"], _count: { _all: true } }),
    db.message.count({ where: { direction: "in", processedAt: null } }),
  ]);
  return {
    conversationsByStatus: conversations.map((row) => ({ status: row.status, count: row._count._all })),
    outboxByChannelAndStatus: outbox.map((row) => ({ channel: row.channel, status: row.status, count: row._count._all })),
    unprocessedInbound,
  };
}
