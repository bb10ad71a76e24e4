/**
 * A digest for reading (API, inbox archive): the one that was sent, exactly as sent, or else one
 * built now from the data (for weeks not sent yet, or the week still going).
 */
import type { Db } from "../db/client.ts";
import { findStoredDigest } from "../db/digest.repo.ts";
import { buildWeeklyDigest } from "./buildWeeklyDigest.ts";
import { loadDigestData, loadGemeenteDigestData, type LoadDigestOptions } from "./loadDigestData.ts";
import type { WeeklyDigest } from "./weeklyDigest.ts";

/** A digest and where it came from. */
export interface ReadableDigest {
  digest: WeeklyDigest;
  /** "sent": as it went out on sentAt; "live": built now. */
  source: "sent" | "live";
  sentAt: Date | null;
}

/** A wethouder's digest of `week`: as sent when it was, else built now. */
export async function getWethouderDigest(db: Db, wethouderId: string, week: string, options: LoadDigestOptions): Promise<ReadableDigest> {
  const stored = await findStoredDigest(db, wethouderId, week);
  if (stored?.status === "sent") return { digest: stored.digest, source: "sent", sentAt: stored.sentAt };
  return { digest: buildWeeklyDigest(await loadDigestData(db, wethouderId, week, options), week), source: "live", sentAt: null };
}

/** The gemeente overview of `week` (admins): every wijk, also those without a wethouder; always built now. */
export async function getGemeenteDigest(db: Db, gemeenteId: string, week: string, options: LoadDigestOptions): Promise<ReadableDigest> {
  return { digest: buildWeeklyDigest(await loadGemeenteDigestData(db, gemeenteId, week, options), week), source: "live", sentAt: null };
}
