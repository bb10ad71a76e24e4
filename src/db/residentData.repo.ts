/**
 * The rows of a resident's data, for export and erasure (src/privacy/residentData.ts). Every table
 * with resident data is reached from the resident, so erasure is complete.
 */
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
        },
        orderBy: { createdAt: "asc" },
      },
      registrations: { select: { status: true, createdAt: true, dialoogtafel: { select: { title: true, startsAt: true, location: true } } } },
      subscriptions: { where: { cancelledAt: null }, select: { createdAt: true, wijk: { select: { name: true } } } },
    },
  });
}

/**
 * Deletes a resident's rows: sign-ups (cancelled first, so the waitlist moves up), subscriptions,
 * consents, unsent outbox messages and conversations. With `keep`, the kept conversation is emptied
 * and resolved, the other identities go and the resident stays; without it, the resident goes.
 */
export async function eraseResidentRows(tx: Tx, residentId: string, keep: EraseKeep | null, now: Date): Promise<void> {
  const registrations = await tx.registration.findMany({ where: { residentId, status: { in: ["registered", "waitlist"] } } });
  for (const registration of registrations) await cancelRegistration(tx, registration.dialoogtafelId, residentId);
  await tx.registration.deleteMany({ where: { residentId } });
  await tx.subscription.deleteMany({ where: { residentId } });
  await tx.consent.deleteMany({ where: { residentId } });
  await tx.outboxMessage.deleteMany({ where: { residentId, status: { not: "sent" } } });
  await tx.conversation.deleteMany({ where: { residentId, ...(keep ? { id: { not: keep.conversationId } } : {}) } });
  if (keep) {
    await tx.message.deleteMany({ where: { conversationId: keep.conversationId } });
    await tx.statusChange.deleteMany({ where: { conversationId: keep.conversationId } });
    await tx.outboxMessage.deleteMany({ where: { residentId } });
    await tx.conversation.update({
      where: { id: keep.conversationId },
      data: { wijkId: null, tandemId: null, intent: null, theme: null, emergency: null, assigneeId: null, status: "resolved", resolvedAt: now, state: "{}" },
    });
    await tx.channelIdentity.deleteMany({ where: { residentId, id: { not: keep.channelIdentityId } } });
    await tx.resident.update({ where: { id: residentId }, data: { wijkId: null } });
  } else {
    await tx.resident.delete({ where: { id: residentId } });
  }
}
