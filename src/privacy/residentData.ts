/**
 * A resident's data: export everything Wijklijn holds about them, and erase it. Every table with
 * resident data is reached from the resident, so erasure is complete.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { recordAudit } from "../db/audit.repo.ts";
import type { Db, DbOrTx, Tx } from "../db/client.ts";
import { eraseResidentRows, findResidentData, type EraseKeep } from "../db/residentData.repo.ts";

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
  };
}

/**
 * Erases a resident's data. `keep` names the conversation and identity of the current chat: they
 * stay (emptied) so the bot can confirm the erasure; everything else goes.
 */
export async function eraseResidentData(tx: Tx, residentId: string, keep: EraseKeep | null, now: Date) {
  await eraseResidentRows(tx, residentId, keep, now);
  await recordAudit(tx, { actorKind: keep ? "resident" : "cli", action: "resident.erased", subjectType: "Resident", subjectId: residentId, at: now });
}

/** A signed, expiring token for the resident's export link (no table needed). */
export function signExportToken(residentId: string, expiresAt: Date, secret: string): string {
  const payload = `${residentId}.${expiresAt.getTime()}`;
  const signature = createHmac("sha256", secret).update(payload).digest("base64url");
  return `${payload}.${signature}`;
}

/** The resident id of a valid, unexpired export token; null otherwise. */
export function verifyExportToken(token: string, secret: string, now: Date): string | null {
  const [residentId, expires, signature] = token.split(".");
  if (!residentId || !expires || !signature) return null;
  const expected = createHmac("sha256", secret).update(`${residentId}.${expires}`).digest("base64url");
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  return Number(expires) > now.getTime() ? residentId : null;
}

/** Finishes erasures begun in the chat (stub). */
export async function completeErasures(_db: Db, _options: { now: Date; mediaDir?: string }): Promise<number> {
  return 0;
}
