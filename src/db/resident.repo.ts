/** What the bot records about a resident: consent answers, their wijk, their language, when they were last seen. */
import type { DbOrTx, Tx } from "./client.ts";
import { newId, sqlRunAll } from "./sql.ts";

/**
 * Records a resident's answer to a consent question ("privacy" or "wijkberichten") in the given
 * version of the text. A turn records the privacy answer: plain SQL (src/db/sql.ts), sent with the
 * turn's other writes on PostgreSQL (a new row nothing else in the turn writes).
 */
export async function recordConsent(tx: Tx, input: { residentId: string; kind: string; granted: boolean; version: string; at: Date }): Promise<void> {
  await sqlRunAll(tx, [
    {
      text: `INSERT INTO "Consent" ("id", "residentId", "kind", "granted", "version", "at") VALUES (?, ?, ?, ?, ?, ?)`,
      params: [newId(), input.residentId, input.kind, input.granted, input.version, input.at],
      independent: true,
    },
  ]);
}

/** Puts a resident in a wijk. */
export async function setResidentWijk(tx: Tx, residentId: string, wijkId: string): Promise<void> {
  await tx.resident.update({ where: { id: residentId }, data: { wijkId } });
}

/** Sets the language the bot talks with a resident. */
export async function setResidentLanguage(tx: Tx, residentId: string, language: string): Promise<void> {
  await tx.resident.update({ where: { id: residentId }, data: { language } });
}

/** Records that a resident was seen now. */
export async function markResidentSeen(tx: Tx, residentId: string, now: Date): Promise<void> {
  await tx.resident.update({ where: { id: residentId }, data: { lastSeenAt: now } });
}

/** Whether there is a resident with this id. */
export async function residentExists(db: DbOrTx, residentId: string): Promise<boolean> {
  return (await db.resident.count({ where: { id: residentId } })) > 0;
}
