/**
 * The rows of a resident's data, for export and erasure (src/privacy/residentData.ts). Every table
 * with resident data is reached from the resident, so erasure is complete.
 */
import { IN_LIST_SLICE } from "./inSlices.ts";
import type { DbOrTx, Tx } from "./client.ts";
import { cancelRegistration } from "./wijkContent.repo.ts";

/** A conversation as the resident's export shows it: only their own messages and the replies they got. */
export interface StoredResidentConversation {
  reference: string;
  channel: string;
  status: string;
  intent: string | null;
  theme: string | null;
  createdAt: Date;
  resolvedAt: Date | null;
  wijk: { name: string } | null;
  messages: Array<{ direction: string; authorKind: string; text: string | null; mediaRef: string | null; latitude: number | null; longitude: number | null; createdAt: Date }>;
  /** "Voelde je je gehoord?" for this conversation, if asked. */
  feedback: { status: string; score: number | null; askedAt: Date | null; scoredAt: Date | null } | null;
  /** The melding as forwarded to the gemeente's meldingen system (Open311), if it was. */
  open311Forward: { status: string; externalId: string | null; externalStatus: string | null; externalNotes: string | null; sentAt: Date | null } | null;
}

/** Everything stored about a resident, as read from the tables. */
export interface StoredResidentData {
  language: string;
  createdAt: Date;
  lastSeenAt: Date;
  wijk: { name: string } | null;
  identities: Array<{ channel: string; externalId: string; createdAt: Date; lastSeenAt: Date }>;
  consents: Array<{ kind: string; granted: boolean; version: string; at: Date }>;
  conversations: StoredResidentConversation[];
  registrations: Array<{ status: string; createdAt: Date; dialoogtafel: { title: string; startsAt: Date; location: string } }>;
  subscriptions: Array<{ createdAt: Date; wijk: { name: string } }>;
  /** The trust pulse questions put to the resident, and their answers. */
  trustPulses: Array<{ quarter: string; status: string; score: number | null; offeredAt: Date; scoredAt: Date | null }>;
}

/** What to keep of the current chat when erasing: its conversation and identity, emptied, so the bot can confirm. */
export interface EraseKeep {
  conversationId: string;
  channelIdentityId: string;
}

/** A resident's stored data, oldest first (conversations, their messages); null when there is no such resident. */
export async function findResidentData(db: DbOrTx, residentId: string): Promise<StoredResidentData | null> {
  return db.resident.findUnique({
    where: { id: residentId },
    select: {
      language: true,
      createdAt: true,
      lastSeenAt: true,
      wijk: { select: { name: true } },
      identities: { select: { channel: true, externalId: true, createdAt: true, lastSeenAt: true } },
      consents: { select: { kind: true, granted: true, version: true, at: true } },
      conversations: {
        select: {
          reference: true,
          channel: true,
          status: true,
          intent: true,
          theme: true,
          createdAt: true,
          resolvedAt: true,
          wijk: { select: { name: true } },
          messages: {
            where: { direction: { in: ["in", "out"] } },
            select: { direction: true, authorKind: true, text: true, mediaRef: true, latitude: true, longitude: true, createdAt: true },
            orderBy: { createdAt: "asc" },
          },
          feedback: { select: { status: true, score: true, askedAt: true, scoredAt: true } },
          open311Forward: { select: { status: true, externalId: true, externalStatus: true, externalNotes: true, sentAt: true } },
        },
        orderBy: { createdAt: "asc" },
      },
      registrations: { select: { status: true, createdAt: true, dialoogtafel: { select: { title: true, startsAt: true, location: true } } } },
      subscriptions: { where: { cancelledAt: null }, select: { createdAt: true, wijk: { select: { name: true } } } },
      trustPulses: { select: { quarter: true, status: true, score: true, offeredAt: true, scoredAt: true }, orderBy: { offeredAt: "asc" } },
    },
  });
}

/** What an erasure found besides rows: the texts the resident typed (to find their digest quotes) and their media references (to delete the files). */
export interface ErasedContent {
  typedTexts: string[];
  mediaRefs: string[];
}

/**
 * Empties conversations so that they stay only as anonymous counts: messages (staff replies and
 * notes too) and outbox go, the flow answers are cleared, the conversation leaves the resident and
 * their identity, and an unfinished one is resolved (nobody is left to answer). The status history
 * (statuses and times only) stays for the figures.
 */
async function anonymiseConversations(tx: Tx, conversationIds: string[], now: Date): Promise<void> {
  // In slices: a resident of many years may have more conversations than one `IN` list may carry (P2029).
  for (let start = 0; start < conversationIds.length; start += IN_LIST_SLICE) await anonymiseSlice(tx, conversationIds.slice(start, start + IN_LIST_SLICE), now);
}

async function anonymiseSlice(tx: Tx, conversationIds: string[], now: Date): Promise<void> {
  await tx.message.deleteMany({ where: { conversationId: { in: conversationIds }, NOT: ERASURE_NOTE_WHERE } });
  await tx.outboxMessage.deleteMany({ where: { conversationId: { in: conversationIds } } });
  // A melding not yet forwarded over Open311 is not sent any more; the external system's notes go, and nothing is polled back.
  await tx.open311Forward.updateMany({
    where: { conversationId: { in: conversationIds }, status: { in: ["pending", "sending"] } },
    data: { status: "failed", lastError: "the resident had their data erased" },
  });
  await tx.open311Forward.updateMany({ where: { conversationId: { in: conversationIds } }, data: { externalNotes: null, nextPollAt: null } });
  await noteErasureForStaff(tx, conversationIds, now);
  await tx.conversation.updateMany({
    where: { id: { in: conversationIds }, status: { not: "resolved" } },
    data: { status: "resolved", resolvedAt: now, snoozedUntil: null, waitingSince: null },
  });
  await tx.conversation.updateMany({ where: { id: { in: conversationIds } }, data: { residentId: null, channelIdentityId: null, state: "{}", updatedAt: now } });
}

/**
 * What staff read in a conversation whose resident had their data erased: why it is empty and
 * resolved. Nothing about the resident, so it may stay once everything else is gone.
 */
export const ERASURE_NOTE = "De bewoner heeft zijn gegevens laten wissen. Berichten, foto's en antwoorden zijn daarom weg, en het gesprek is afgerond.";

/** The one message an erased conversation keeps: the bot's note that the resident had their data erased. */
const ERASURE_NOTE_WHERE = { direction: "note", authorKind: "bot", text: ERASURE_NOTE };

/**
 * Leaves the erasure note in each conversation that was with staff (handed over: not the bot's
 * alone), once, so a melding does not vanish from the inbox without a word.
 */
async function noteErasureForStaff(tx: Tx, conversationIds: string[], now: Date): Promise<void> {
  const conversations = await tx.conversation.findMany({
    where: { id: { in: conversationIds }, status: { not: "bot" }, messages: { none: ERASURE_NOTE_WHERE } },
    select: { id: true, channel: true },
  });
  for (const conversation of conversations) {
    await tx.message.create({ data: { conversationId: conversation.id, ...ERASURE_NOTE_WHERE, channel: conversation.channel, createdAt: now } });
  }
}

/** The typed texts and media references of the resident's messages (all their conversations). */
async function findErasedContent(tx: Tx, residentId: string): Promise<ErasedContent> {
  const messages = await tx.message.findMany({
    where: { conversation: { residentId }, direction: "in", OR: [{ text: { not: null } }, { mediaRef: { not: null } }] },
    select: { text: true, mediaRef: true },
  });
  return {
    typedTexts: messages.flatMap((m) => (m.text === null ? [] : [m.text])),
    mediaRefs: messages.flatMap((m) => (m.mediaRef === null ? [] : [m.mediaRef])),
  };
}

/**
 * Erases a resident's rows: sign-ups (cancelled first, so the waitlist moves up), subscriptions,
 * consents, outbox messages and their conversations' content (the conversations stay as anonymous
 * counts). With `keep`, the current chat's conversation is emptied and resolved, its identity stays
 * and the resident is marked erased (completeErasure removes both once the confirmation is
 * delivered); without it, the resident and every identity go at once. Returns what the caller must
 * erase outside these rows.
 */
export async function eraseResidentRows(tx: Tx, residentId: string, keep: EraseKeep | null, now: Date): Promise<ErasedContent> {
  const content = await findErasedContent(tx, residentId);
  const registrations = await tx.registration.findMany({ where: { residentId, status: { in: ["registered", "waitlist"] } } });
  for (const registration of registrations) await cancelRegistration(tx, registration.dialoogtafelId, residentId, now);
  await tx.registration.deleteMany({ where: { residentId } });
  await tx.subscription.deleteMany({ where: { residentId } });
  await tx.consent.deleteMany({ where: { residentId } });
  await tx.outboxMessage.deleteMany({ where: { residentId } });
  // A trust score stays only as an anonymous figure of its wijk and quarter.
  await tx.trustPulse.updateMany({ where: { residentId }, data: { residentId: null } });
  const conversations = await tx.conversation.findMany({ where: { residentId, ...(keep ? { id: { not: keep.conversationId } } : {}) }, select: { id: true } });
  await anonymiseConversations(
    tx,
    conversations.map((c) => c.id),
    now,
  );
  if (keep) {
    const current = await tx.conversation.findUniqueOrThrow({ where: { id: keep.conversationId }, select: { status: true, channel: true } });
    await tx.message.deleteMany({ where: { conversationId: keep.conversationId } });
    // Without its status history a message the resident writes afterwards starts a new conversation, not this one again.
    await tx.statusChange.deleteMany({ where: { conversationId: keep.conversationId } });
    // A conversation staff had stays in their inbox (wijk, tandem, subject), resolved with the note; the bot's own chat is emptied of all.
    const withStaff = current.status !== "bot";
    await tx.conversation.update({
      where: { id: keep.conversationId },
      data: {
        ...(withStaff ? {} : { wijkId: null, tandemId: null, intent: null, theme: null, emergency: null, assigneeId: null }),
        status: "resolved",
        resolvedAt: now,
        snoozedUntil: null,
        waitingSince: null,
        state: "{}",
      },
    });
    if (withStaff) await tx.message.create({ data: { conversationId: keep.conversationId, ...ERASURE_NOTE_WHERE, channel: current.channel, createdAt: now } });
    await tx.channelIdentity.deleteMany({ where: { residentId, id: { not: keep.channelIdentityId } } });
    await tx.resident.update({ where: { id: residentId }, data: { wijkId: null, erasedAt: now, exportGeneration: { increment: 1 } } });
  } else {
    await tx.channelIdentity.deleteMany({ where: { residentId } });
    await tx.resident.delete({ where: { id: residentId } });
  }
  return content;
}

/**
 * Residents who erased their data in the chat at or before `before` and have nothing left to be
 * sent (the confirmation was delivered, or could not be): their erasure can be completed.
 */
export async function listErasuresToComplete(db: DbOrTx, before: Date): Promise<string[]> {
  const rows = await db.resident.findMany({
    where: { erasedAt: { not: null, lte: before }, outbox: { none: { status: { in: ["pending", "sending"] } } } },
    select: { id: true },
    take: 500,
  });
  return rows.map((row) => row.id);
}

/** Whether the resident is still marked erased (not written again since): their erasure may be completed. */
export async function isMarkedErased(tx: Tx, residentId: string): Promise<boolean> {
  return (await tx.resident.count({ where: { id: residentId, erasedAt: { not: null } } })) > 0;
}

/** The resident behind a conversation reference (WL-2026-00042) of the gemeente, as a resident names it; null when none. */
export async function findResidentIdByReference(db: DbOrTx, gemeenteId: string, reference: string): Promise<string | null> {
  const conversation = await db.conversation.findFirst({ where: { gemeenteId, reference }, select: { residentId: true } });
  return conversation?.residentId ?? null;
}

/** The export generation of a live resident (not erased); null when there is none. */
export async function findExportGeneration(db: DbOrTx, residentId: string): Promise<number | null> {
  const resident = await db.resident.findFirst({ where: { id: residentId, erasedAt: null }, select: { exportGeneration: true } });
  return resident?.exportGeneration ?? null;
}

/** A case the resident brought to the gemeente, as the chat reads it back to them ("wat heb ik gemeld?", "Mijn gegevens"). */
export interface ResidentCase {
  reference: string;
  status: string;
  intent: string | null;
  createdAt: Date;
  wijkName: string | null;
  /** Whether a tandem (the wijk's gebiedsregisseur) has it; otherwise the gemeente's general team. */
  hasTandem: boolean;
  /** The bot's notes for staff: the answers of the form (the description among them). */
  notes: string[];
  /** What the resident typed in it, oldest first. */
  typed: string[];
}

/** The resident's conversations that went to staff (every status but "bot"), newest first. */
export async function listResidentCases(db: DbOrTx, residentId: string): Promise<ResidentCase[]> {
  const rows = await db.conversation.findMany({
    where: { residentId, status: { not: "bot" } },
    select: {
      reference: true,
      status: true,
      intent: true,
      createdAt: true,
      tandemId: true,
      wijk: { select: { name: true } },
      messages: { where: { direction: { in: ["in", "note"] }, text: { not: null } }, select: { direction: true, authorKind: true, text: true }, orderBy: { createdAt: "asc" } },
    },
    orderBy: { createdAt: "desc" },
  });
  return rows.map((row) => ({
    reference: row.reference,
    status: row.status,
    intent: row.intent,
    createdAt: row.createdAt,
    wijkName: row.wijk?.name ?? null,
    hasTandem: row.tandemId !== null,
    notes: row.messages.flatMap((m) => (m.direction === "note" && m.authorKind === "bot" && m.text ? [m.text] : [])),
    typed: row.messages.flatMap((m) => (m.direction === "in" && m.text ? [m.text] : [])),
  }));
}

/** Whether the resident's latest answer to the privacy consent question was yes. */
export async function hasPrivacyConsent(db: DbOrTx, residentId: string): Promise<boolean> {
  const latest = await db.consent.findFirst({ where: { residentId, kind: "privacy" }, orderBy: { at: "desc" }, select: { granted: true } });
  return latest?.granted === true;
}
