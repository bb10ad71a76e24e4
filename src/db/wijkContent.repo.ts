/** Wijk content the bot shows residents: news, dialoogtafels, sign-ups, subscriptions, figures. */
import type { DbOrTx, Tx } from "./client.ts";
import { promoteFromWaitlist } from "./content.repo.ts";

/** Published, unexpired news of a wijk, newest first. */
export async function listCurrentNews(db: DbOrTx, wijkId: string, now: Date, take = 5) {
  return db.newsItem.findMany({
    where: { wijkId, publishedAt: { lte: now }, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    orderBy: { publishedAt: "desc" },
    take,
  });
}

/** Planned dialoogtafels of a wijk from now on, soonest first, with sign-up counts. */
export async function listUpcomingDialoogtafels(db: DbOrTx, wijkId: string, now: Date, take = 5) {
  const tafels = await db.dialoogtafel.findMany({ where: { wijkId, status: "planned", startsAt: { gt: now } }, orderBy: { startsAt: "asc" }, take });
  return Promise.all(tafels.map(async (tafel) => ({ ...tafel, registered: await db.registration.count({ where: { dialoogtafelId: tafel.id, status: "registered" } }) })));
}

/** Planned dialoogtafels of the whole gemeente from now on, soonest first, with sign-up counts. */
export async function listUpcomingDialoogtafelsOfGemeente(db: DbOrTx, gemeenteId: string, now: Date, take = 10) {
  const tafels = await db.dialoogtafel.findMany({ where: { wijk: { gemeenteId }, status: "planned", startsAt: { gt: now } }, orderBy: { startsAt: "asc" }, take });
  return Promise.all(tafels.map(async (tafel) => ({ ...tafel, registered: await db.registration.count({ where: { dialoogtafelId: tafel.id, status: "registered" } }) })));
}

/** The resident's current sign-ups (registered or on the waitlist) for upcoming dialoogtafels. */
export async function listMyRegistrations(db: DbOrTx, residentId: string, now: Date) {
  return db.registration.findMany({
    where: { residentId, status: { in: ["registered", "waitlist"] }, dialoogtafel: { startsAt: { gt: now } } },
    include: { dialoogtafel: true },
    orderBy: { dialoogtafel: { startsAt: "asc" } },
  });
}

/**
 * Signs a resident up: a place while there is capacity, else the waitlist (with the position).
 * A resident who cancelled earlier signs up again on the same record, as new (no reminder or
 * check-in carried over). `channelIdentityId` is the channel they signed up on: what follows
 * (a place from the waitlist, the reminder, the summary) goes there.
 */
export async function registerForDialoogtafel(tx: Tx, dialoogtafelId: string, residentId: string, now: Date, channelIdentityId: string | null = null) {
  const tafel = await tx.dialoogtafel.findUnique({ where: { id: dialoogtafelId } });
  if (tafel?.status !== "planned" || tafel.startsAt <= now) return { outcome: "gone" as const, tafel: null, position: 0, registrationId: null };
  const existing = await tx.registration.findUnique({ where: { dialoogtafelId_residentId: { dialoogtafelId, residentId } } });
  if (existing && existing.status !== "cancelled") return { outcome: "already" as const, tafel, position: 0, registrationId: existing.id };
  const taken = await tx.registration.count({ where: { dialoogtafelId, status: "registered" } });
  const status: "registered" | "waitlist" = taken < tafel.capacity ? "registered" : "waitlist";
  const fresh = { status, createdAt: now, channelIdentityId, promotedAt: null, promotionSentAt: null, reminderSentAt: null, checkedInAt: null, summarySentAt: null };
  const saved = existing ? await tx.registration.update({ where: { id: existing.id }, data: fresh }) : await tx.registration.create({ data: { dialoogtafelId, residentId, ...fresh } });
  const position = status === "waitlist" ? await tx.registration.count({ where: { dialoogtafelId, status: "waitlist" } }) : 0;
  return { outcome: status, tafel, position, registrationId: saved.id };
}

/**
 * Cancels a sign-up; a place that frees goes to the first on the waitlist (promoteFromWaitlist
 * marks it, and src/jobs/dialoogtafelNotices.ts tells that resident once).
 */
export async function cancelRegistration(tx: Tx, dialoogtafelId: string, residentId: string, now: Date = new Date()) {
  const existing = await tx.registration.findUnique({ where: { dialoogtafelId_residentId: { dialoogtafelId, residentId } }, include: { dialoogtafel: true } });
  const none: string[] = [];
  if (!existing || existing.status === "cancelled") return { cancelled: false, tafel: existing?.dialoogtafel ?? null, promotedResidentIds: none };
  await tx.registration.update({ where: { id: existing.id }, data: { status: "cancelled" } });
  const promotedResidentIds = existing.status === "registered" && existing.dialoogtafel.startsAt > now ? await promoteFromWaitlist(tx, dialoogtafelId, now) : [];
  return { cancelled: true, tafel: existing.dialoogtafel, promotedResidentIds };
}

/** Subscribes an identity to its wijk's news at a frequency: "subscribed" (new or renewed), "already" (the same), "changed" (the other frequency). */
export async function subscribeToWijk(
  tx: Tx,
  input: { residentId: string; wijkId: string; channelIdentityId: string; frequency?: "each" | "weekly"; now: Date },
): Promise<"subscribed" | "already" | "changed"> {
  const key = { residentId_wijkId_channelIdentityId: { residentId: input.residentId, wijkId: input.wijkId, channelIdentityId: input.channelIdentityId } };
  const existing = await tx.subscription.findUnique({ where: key });
  const frequency = input.frequency ?? "each";
  if (existing && existing.cancelledAt === null) {
    if (existing.frequency === frequency) return "already";
    await tx.subscription.update({ where: { id: existing.id }, data: { frequency } });
    return "changed";
  }
  if (existing) await tx.subscription.update({ where: { id: existing.id }, data: { cancelledAt: null, createdAt: input.now, frequency } });
  else await tx.subscription.create({ data: { residentId: input.residentId, wijkId: input.wijkId, channelIdentityId: input.channelIdentityId, frequency, createdAt: input.now } });
  return "subscribed";
}

/** The active subscriptions of one chat (channel identity): which wijk and how often, by wijk name. */
export async function listIdentitySubscriptions(db: DbOrTx, channelIdentityId: string): Promise<Array<{ wijkId: string; wijkName: string; frequency: "each" | "weekly" }>> {
  const rows = await db.subscription.findMany({
    where: { channelIdentityId, cancelledAt: null },
    select: { wijkId: true, frequency: true, wijk: { select: { name: true } } },
    orderBy: [{ wijk: { name: "asc" } }],
  });
  return rows.map((row) => ({ wijkId: row.wijkId, wijkName: row.wijk.name, frequency: row.frequency === "weekly" ? "weekly" : "each" }));
}

/** Ends every active subscription of an identity; returns how many. */
export async function unsubscribeIdentity(tx: Tx, channelIdentityId: string, now: Date): Promise<number> {
  const result = await tx.subscription.updateMany({ where: { channelIdentityId, cancelledAt: null }, data: { cancelledAt: now } });
  return result.count;
}

/** How many meldingen and ideas residents of a wijk raised since `since`. */
export async function countRecentByIntent(db: DbOrTx, wijkId: string, since: Date) {
  const [melding, idee] = await Promise.all([
    db.conversation.count({ where: { wijkId, intent: "melding", createdAt: { gte: since }, status: { not: "bot" } } }),
    db.conversation.count({ where: { wijkId, intent: "idee", createdAt: { gte: since }, status: { not: "bot" } } }),
  ]);
  return { melding, idee };
}
