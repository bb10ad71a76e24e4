/**
 * Dialoogtafels after the sign-up: the calendar file of a sign-up, the messages that follow it
 * (a place from the waitlist, the reminder, the summary), each claimed once, and the check-in
 * list at the door. Claims are conditional updates of the sign-up's own timestamp
 * (promotionSentAt, reminderSentAt, summarySentAt) in the transaction that writes the outbox row:
 * on SQLite and PostgreSQL alike only one transaction sees the column still empty, so several
 * instances and restarts send each message once.
 */
import { ChannelSchema, type Channel } from "../domain/vocabulary.ts";
import type { ContentScope } from "./content.repo.ts";
import type { DbOrTx, Tx } from "./client.ts";

/** A sign-up with what its calendar file needs, or null when it does not stand (cancelled, unknown). */
export async function findRegistrationForCalendar(db: DbOrTx, registrationId: string) {
  const row = await db.registration.findUnique({
    where: { id: registrationId },
    select: {
      status: true,
      resident: { select: { language: true, gemeente: { select: { name: true, timeZone: true } } } },
      dialoogtafel: { select: { id: true, title: true, topic: true, location: true, startsAt: true, endsAt: true, status: true, updatedAt: true } },
    },
  });
  return row?.status === "registered" ? row : null;
}

/** The kinds of message that follow a sign-up; each is sent once, recorded in its own column. */
export type TafelNoticeKind = "promotion" | "reminder" | "summary" | "cancellation";

const SENT_COLUMN = { promotion: "promotionSentAt", reminder: "reminderSentAt", summary: "summarySentAt", cancellation: "cancelNoticeSentAt" } as const;

/** A sign-up a message is due for, with where it goes. */
export interface DueNotice {
  registrationId: string;
  residentId: string;
  language: string;
  tafel: { id: string; title: string; topic: string; location: string; startsAt: Date; summaryHeard: string | null; summaryNext: string | null };
}

const dueSelect = {
  id: true,
  residentId: true,
  resident: { select: { language: true } },
  dialoogtafel: { select: { id: true, title: true, topic: true, location: true, startsAt: true, summaryHeard: true, summaryNext: true } },
} as const;

function toDue(row: { id: string; residentId: string; resident: { language: string }; dialoogtafel: DueNotice["tafel"] }): DueNotice {
  return { registrationId: row.id, residentId: row.residentId, language: row.resident.language, tafel: row.dialoogtafel };
}

/** Sign-ups moved up from the waitlist whose resident has not been told yet (upcoming dialoogtafels only). */
export async function listDuePromotions(db: DbOrTx, now: Date, take = 200): Promise<DueNotice[]> {
  const rows = await db.registration.findMany({
    where: { status: "registered", promotedAt: { not: null }, promotionSentAt: null, dialoogtafel: { status: "planned", startsAt: { gt: now } } },
    select: dueSelect,
    orderBy: [{ promotedAt: "asc" }, { id: "asc" }],
    take,
  });
  return rows.map(toDue);
}

/** Planned dialoogtafels starting in (now, until], to find whose reminder is due. */
export async function listTafelsStartingBefore(db: DbOrTx, now: Date, until: Date) {
  return db.dialoogtafel.findMany({ where: { status: "planned", startsAt: { gt: now, lte: until } }, select: { id: true, startsAt: true }, orderBy: { startsAt: "asc" } });
}

/** The sign-ups of a dialoogtafel still without a reminder, made before `signedUpBefore` (later ones just had their confirmation). */
export async function listDueReminders(db: DbOrTx, dialoogtafelId: string, signedUpBefore: Date, take = 500): Promise<DueNotice[]> {
  const rows = await db.registration.findMany({
    where: { dialoogtafelId, status: "registered", reminderSentAt: null, createdAt: { lt: signedUpBefore } },
    select: dueSelect,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take,
  });
  return rows.map(toDue);
}

/** Those who came to a dialoogtafel whose summary is published, not yet sent it. */
export async function listDueSummaries(db: DbOrTx, take = 500): Promise<DueNotice[]> {
  const rows = await db.registration.findMany({
    where: { status: "registered", checkedInAt: { not: null }, summarySentAt: null, dialoogtafel: { summaryPublishedAt: { not: null } } },
    select: dueSelect,
    orderBy: [{ dialoogtafelId: "asc" }, { id: "asc" }],
    take,
  });
  return rows.map(toDue);
}

/**
 * Those signed up or on the waitlist of a cancelled dialoogtafel that was still to come, not yet
 * told. (A resident who cancelled their own sign-up is not told again.)
 */
export async function listDueCancellations(db: DbOrTx, now: Date, take = 500): Promise<DueNotice[]> {
  const rows = await db.registration.findMany({
    where: { status: { in: ["registered", "waitlist"] }, cancelNoticeSentAt: null, dialoogtafel: { status: "cancelled", startsAt: { gt: now } } },
    select: dueSelect,
    orderBy: [{ dialoogtafelId: "asc" }, { createdAt: "asc" }, { id: "asc" }],
    take,
  });
  return rows.map(toDue);
}

/**
 * Claims one message for one sign-up: true for the one transaction that set the column, false
 * when another did (or the sign-up no longer stands). Call inside the transaction that writes
 * the outbox row.
 */
export async function claimNotice(tx: Tx, registrationId: string, kind: TafelNoticeKind, now: Date): Promise<boolean> {
  const column = SENT_COLUMN[kind];
  // The waitlist hears of a cancellation too; every other message is for those with a place.
  const status = kind === "cancellation" ? { in: ["registered", "waitlist"] } : "registered";
  const claimed = await tx.registration.updateMany({ where: { id: registrationId, status, [column]: null }, data: { [column]: now } });
  return claimed.count === 1;
}

/**
 * Where a message to a signed-up resident goes: the channel they signed up on, or (a sign-up from
 * before channels were kept, or that identity is gone) the one they used last. Null: none left.
 */
export async function findNoticeRecipient(db: DbOrTx, registrationId: string): Promise<{ channelIdentityId: string; channel: Channel } | null> {
  const row = await db.registration.findUnique({
    where: { id: registrationId },
    select: { channelIdentity: { select: { id: true, channel: true } }, resident: { select: { identities: { select: { id: true, channel: true }, orderBy: { lastSeenAt: "desc" }, take: 1 } } } },
  });
  const identity = row?.channelIdentity ?? row?.resident.identities[0] ?? null;
  const channel = ChannelSchema.safeParse(identity?.channel);
  return identity && channel.success ? { channelIdentityId: identity.id, channel: channel.data } : null;
}

/**
 * The identity's newest conversation, where a notice is written as a bot message: the web chat
 * shows a conversation's messages, and staff see what the resident was told. Null: none.
 */
export async function findLatestConversationId(db: DbOrTx, channelIdentityId: string): Promise<string | null> {
  const found = await db.conversation.findFirst({ where: { channelIdentityId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true } });
  return found?.id ?? null;
}

function wijkWhere(scope: ContentScope) {
  return { gemeenteId: scope.gemeenteId, ...(scope.tandemIds === "all" ? {} : { tandemId: { in: [...scope.tandemIds] } }) };
}

/** The check-in list: the sign-ups with a place, in sign-up order, with the channel address to mask. */
export async function listCheckIn(db: DbOrTx, scope: ContentScope, dialoogtafelId: string) {
  const tafel = await db.dialoogtafel.findFirst({ where: { id: dialoogtafelId, wijk: wijkWhere(scope) }, include: { wijk: { select: { id: true, slug: true, name: true } } } });
  if (!tafel) return null;
  const rows = await db.registration.findMany({
    where: { dialoogtafelId, status: "registered" },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      checkedInAt: true,
      channelIdentity: { select: { channel: true, externalId: true } },
      resident: { select: { identities: { select: { channel: true, externalId: true }, orderBy: { lastSeenAt: "desc" }, take: 1 } } },
    },
  });
  return { tafel, signUps: rows.map((row) => ({ id: row.id, checkedInAt: row.checkedInAt, identity: row.channelIdentity ?? row.resident.identities[0] ?? null })) };
}

/** Marks a sign-up of the dialoogtafel present (or not); false when it is not one of its standing sign-ups. */
export async function setCheckedIn(tx: Tx, dialoogtafelId: string, registrationId: string, present: boolean, now: Date): Promise<boolean> {
  const changed = await tx.registration.updateMany({ where: { id: registrationId, dialoogtafelId, status: "registered" }, data: { checkedInAt: present ? now : null } });
  return changed.count === 1;
}

/** How many came (were checked in). */
export async function countCheckedIn(db: DbOrTx, dialoogtafelId: string): Promise<number> {
  return db.registration.count({ where: { dialoogtafelId, status: "registered", checkedInAt: { not: null } } });
}

/** Saves the summary text (a draft until published). */
export async function saveTafelSummary(tx: Tx, dialoogtafelId: string, summary: { heard: string; next: string }) {
  return tx.dialoogtafel.update({ where: { id: dialoogtafelId }, data: { summaryHeard: summary.heard, summaryNext: summary.next } });
}

/**
 * Marks the summary published as `newsItemId`, once: false when it already was (a second click
 * sends nothing again). The dialoogtafel is then held.
 */
export async function markTafelSummaryPublished(tx: Tx, dialoogtafelId: string, newsItemId: string, now: Date): Promise<boolean> {
  const marked = await tx.dialoogtafel.updateMany({ where: { id: dialoogtafelId, summaryPublishedAt: null }, data: { summaryPublishedAt: now, summaryNewsItemId: newsItemId, status: "held" } });
  return marked.count === 1;
}

/** Corrects the title and text of a published summary's news item (it stays published where it was). */
export async function updateSummaryNewsItem(tx: Tx, newsItemId: string, news: { title: string; body: string }): Promise<void> {
  await tx.newsItem.updateMany({ where: { id: newsItemId }, data: { title: news.title, body: news.body } });
}
