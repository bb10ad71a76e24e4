/**
 * Raw bulk inserts for seeding the bench's big databases fast: on SQLite one prepared INSERT run
 * in a transaction per table; on PostgreSQL multi-row INSERTs of a few thousand rows, in one
 * transaction per table. Rows come from generators, so a million of them never sit in memory.
 * Dates are written as Prisma writes them (SQLite: ISO text with +00:00; PostgreSQL: UTC
 * timestamp(3) without zone).
 */
import Database from "better-sqlite3";
import pg from "pg";
import { sqliteFilePath } from "../src/db/client.ts";

/** A value as the bench writes it. */
export type Cell = string | number | boolean | Date | null;

/** Writes rows into one database. */
export interface BulkWriter {
  /** Inserts every row of `rows` (each in the order of `columns`) in one transaction; returns the count. */
  insert(table: string, columns: readonly string[], rows: Iterable<Cell[]>): Promise<number>;
  close(): Promise<void>;
}

/** A writer for a SQLite file URL (file:…). */
export function sqliteBulkWriter(url: string): BulkWriter {
  const db = new Database(sqliteFilePath(url));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  const cell = (value: Cell) => (value instanceof Date ? value.toISOString().replace("Z", "+00:00") : typeof value === "boolean" ? (value ? 1 : 0) : value);
  return {
    async insert(table, columns, rows) {
      const statement = db.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
      let count = 0;
      db.transaction(() => {
        for (const row of rows) {
          statement.run(...row.map(cell));
          count++;
        }
      })();
      return count;
    },
    async close() {
      db.close();
    },
  };
}

/** A writer for a PostgreSQL URL. */
export async function postgresBulkWriter(url: string): Promise<BulkWriter> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const cell = (value: Cell) => (value instanceof Date ? value.toISOString().slice(0, 23) : value);
  return {
    async insert(table, columns, rows) {
      // PostgreSQL takes at most 65,535 parameters per statement.
      const perStatement = Math.floor(30_000 / columns.length);
      const head = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES `;
      let count = 0;
      let batch: Cell[][] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const values: Cell[] = [];
        const tuples = batch.map((row) =>
          row.map((value) => {
            values.push(cell(value));
            return `$${values.length}`;
          }),
        );
        await client.query(head + tuples.map((tuple) => `(${tuple.join(", ")})`).join(", "), values);
        count += batch.length;
        batch = [];
      };
      await client.query("BEGIN");
      try {
        for (const row of rows) {
          batch.push(row);
          if (batch.length >= perStatement) await flush();
        }
        await flush();
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
      return count;
    },
    async close() {
      await client.query("ANALYZE");
      await client.end();
    },
  };
}

/** The writer for `url`'s database. */
export async function bulkWriterFor(url: string): Promise<BulkWriter> {
  return url.startsWith("file:") ? sqliteBulkWriter(url) : postgresBulkWriter(url);
}
