/** One interactive transaction for callers outside src/db that compose several repository calls (a staff action). */
import type { Db, Tx } from "./client.ts";

/** Runs `work` in one transaction: every repository call given `tx` commits together, or none does. */
export async function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.$transaction(work);
}
