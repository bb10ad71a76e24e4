/** One interactive transaction for callers outside src/db that compose several repository calls (a staff action). */
import type { Db, Tx } from "./client.ts";

/**
 * Runs `work` in one transaction: every repository call given `tx` commits together, or none does.
 * `timeoutMs` raises Prisma's 5-second limit for a long one (erasing a resident with many messages).
 */
export async function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
  return options.timeoutMs === undefined ? db.$transaction(work) : db.$transaction(work, { timeout: options.timeoutMs });
}
