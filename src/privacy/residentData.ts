/**
 * A resident's data: export everything Wijklijn holds about them, and erase it. Every table with
 * resident data is reached from the resident, so erasure is complete.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { DbOrTx, Tx } from "../db/client.ts";
import { cancelRegistration } from "../db/wijkContent.repo.ts";

/** Everything stored about a resident, as plain JSON. */
export async function exportResidentData(db: DbOrTx, residentId: string) {
  const resident = await db.resident.findUnique({
    where: { id: residentId },
    include: {
      wijk: { select: { slug: true, name: true } },
      identities: { select: { channel: true, externalId: true, createdAt: true, lastSeenAt: true } },
      consents: { select: { kind: true, granted: true, version: true, at: true } },
      conversations: {
        select: {
          reference: true, channel: true, status: true, intent: true, theme: true, createdAt: true, resolvedAt: true,
          wijk: { select: { name: true } },
          messages: { where: { direction: { in: ["in", "out"] } }, select: { direction: true, authorKind: true, text: true, mediaRef: true, latitude: true, longitude: true, createdAt: true }, orderBy: { createdAt: "asc" } },
        },
        orderBy: { createdAt: "asc" },
      },
      registrations: { select: { status: true, createdAt: true, dialoogtafel: { select: { title: true, startsAt: true, location: true } } } },
      subscriptions: { where: { cancelledAt: null }, select: { createdAt: true, wijk: { select: { name: true } } } },
    },
  });
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
export async function eraseResidentData(tx: Tx, residentId: string, keep: { conversationId: string; channelIdentityId: string } | null, now: Date) {
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
  await tx.auditEvent.create({ data: { actorKind: keep ? "resident" : "cli", action: "resident.erased", subjectType: "Resident", subjectId: residentId, at: now } });
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
