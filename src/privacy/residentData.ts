/**
 * A resident's data: export everything Wijklijn holds about them, and erase it. Every table with
 * resident data is reached from the resident, so erasure is complete (test/privacy/erasure.test.ts
 * searches every table and the SQLite file for an erased resident).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { recordAudit } from "../db/audit.repo.ts";
import { deleteWebchatPhotos } from "../channels/webchat/webchatPhotos.ts";
import type { Db, DbOrTx, Tx } from "../db/client.ts";
import { removeQuotesFromDigests } from "../db/digest.repo.ts";
import { checkpointAfterErasure } from "../db/ops.repo.ts";
import { eraseResidentRows, findExportGeneration, findResidentData, isMarkedErased, listErasuresToComplete, type EraseKeep } from "../db/residentData.repo.ts";
import { inTransaction } from "../db/transaction.ts";
import { quoteForDigest } from "../digests/redactQuote.ts";

/** Everything stored about a resident, as plain JSON. */
export async function exportResidentData(db: DbOrTx, residentId: string) {
  const resident = await findResidentData(db, residentId);
  if (!resident) return null;
  return {
    exportedAt: new Date().toISOString(),
    resident: { language: resident.language, wijk: resident.wijk?.name ?? null, createdAt: resident.createdAt, lastSeenAt: resident.lastSeenAt },
    identities: resident.identities,
    consents: resident.consents,
    conversations: resident.conversations,
    registrations: resident.registrations,
    subscriptions: resident.subscriptions,
    trustPulses: resident.trustPulses,
  };
}

/** Where erasure finds the files a resident left (web chat photos under DATA_DIR/media). */
export interface EraseOptions {
  mediaDir?: string | undefined;
  /** Record the erasure in the audit log (true); retention records its counts once instead. */
  audit?: boolean;
  /** The admin who erased from the inbox; otherwise the resident (in the chat) or the CLI. */
  staff?: { staffUserId: string; gemeenteId: string };
}

/**
 * Erases a resident's data (src/db/residentData.repo.ts says which rows): also their quotes in the
 * stored digests and their web chat photo files. `keep` names the conversation and identity of the
 * current chat: they stay (emptied) so the bot can confirm the erasure, and completeErasures
 * removes them once the confirmation is delivered; without `keep` everything goes at once.
 * Run checkpointAfterErasure once the transaction has committed. Returns how many photo files went.
 */
export async function eraseResidentData(tx: Tx, residentId: string, keep: EraseKeep | null, now: Date, options: EraseOptions = {}): Promise<number> {
  const content = await eraseResidentRows(tx, residentId, keep, now);
  const quotes = content.typedTexts.flatMap((text) => quoteForDigest(text) ?? []);
  const digests = await removeQuotesFromDigests(tx, quotes);
  const photos = options.mediaDir ? await deleteWebchatPhotos(options.mediaDir, content.mediaRefs) : 0;
  if (options.audit === false) return photos;
  await recordAudit(tx, {
    actorKind: options.staff ? "staff" : keep ? "resident" : "cli",
    actorStaffId: options.staff?.staffUserId ?? null,
    gemeenteId: options.staff?.gemeenteId ?? null,
    action: "resident.erased",
    subjectType: "Resident",
    subjectId: residentId,
    data: { digestsChanged: digests, photosDeleted: photos },
    at: now,
  });
  return photos;
}

/** How long the chat a resident erased from is kept, so the confirmation can be delivered and read (the web chat reads it back). */
export const ERASURE_CONFIRMATION_GRACE_MS = 10 * 60_000;

/**
 * Completes the erasures begun in the chat: once the confirmation has gone (or could not be sent)
 * and the grace period has passed, the resident, the identity they wrote from and the confirming
 * conversation's content go too. A resident who wrote again meanwhile is left alone. Returns how
 * many were completed.
 */
export async function completeErasures(db: Db, options: EraseOptions & { now: Date; graceMs?: number }): Promise<number> {
  const before = new Date(options.now.getTime() - (options.graceMs ?? ERASURE_CONFIRMATION_GRACE_MS));
  let completed = 0;
  for (const residentId of await listErasuresToComplete(db, before)) {
    const done = await inTransaction(db, async (tx) => {
      if (!(await isMarkedErased(tx, residentId))) return false;
      const content = await eraseResidentRows(tx, residentId, null, options.now);
      if (options.mediaDir) await deleteWebchatPhotos(options.mediaDir, content.mediaRefs);
      return true;
    });
    if (done) completed++;
  }
  if (completed > 0) await checkpointAfterErasure(db);
  return completed;
}

/** A signed, expiring token for the resident's export link (no table needed); erasure raises the generation, so the link dies. */
export function signExportToken(residentId: string, generation: number, expiresAt: Date, secret: string): string {
  const payload = `${residentId}.${generation}.${expiresAt.getTime()}`;
  const signature = createHmac("sha256", secret).update(payload).digest("base64url");
  return `${payload}.${signature}`;
}

/** The resident id and generation of a valid, unexpired export token; null otherwise. */
export function verifyExportToken(token: string, secret: string, now: Date): { residentId: string; generation: number } | null {
  const [residentId, generation, expires, signature, ...rest] = token.split(".");
  if (!residentId || !generation || !expires || !signature || rest.length > 0) return null;
  const expected = createHmac("sha256", secret).update(`${residentId}.${generation}.${expires}`).digest("base64url");
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  return Number(expires) > now.getTime() ? { residentId, generation: Number(generation) } : null;
}

/** The export behind a token: only while the resident exists, is not erased and the token's generation is current. */
export async function exportResidentDataByToken(db: DbOrTx, token: string, secret: string, now: Date) {
  const verified = verifyExportToken(token, secret, now);
  if (!verified || (await findExportGeneration(db, verified.residentId)) !== verified.generation) return null;
  return exportResidentData(db, verified.residentId);
}
