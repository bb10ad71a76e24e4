/**
 * Meldingen forwarded to an external Open311 endpoint (src/open311/forwarder.ts): which
 * conversations to forward, claiming one to send (a lease, so several instances send it once),
 * the outcome of a send, and the status polled back, with the resident's message in the outbox
 * in the same transaction.
 */
import type { OutboundPayload } from "../domain/messages.ts";
import { ChannelSchema } from "../domain/messages.ts";
import type { Db, DbOrTx } from "./client.ts";
import { addNote, addOutboundMessage } from "./conversation.repo.ts";
import { inTransaction } from "./transaction.ts";

/** Is this a unique-constraint violation (the row exists already)? */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "P2002";
}

/**
 * Queues every melding of a forwarded theme handed to staff since `since` that has no forward yet
 * (never a 112/113 conversation, nor one that came in over Open311 itself). Returns how many.
 */
export async function queueOpen311Forwards(db: DbOrTx, input: { services: Readonly<Record<string, string>>; since: Date; now: Date }): Promise<number> {
  const themes = Object.keys(input.services);
  if (themes.length === 0) return 0;
  const rows = await db.conversation.findMany({
    where: {
      theme: { in: themes },
      intent: "melding",
      emergency: null,
      channel: { not: "open311" },
      open311Forward: null,
      statusChanges: { some: { toStatus: "open", at: { gte: input.since } } },
    },
    select: { id: true, theme: true },
    take: 200,
  });
  let queued = 0;
  for (const row of rows) {
    const serviceCode = row.theme ? input.services[row.theme] : undefined;
    if (!serviceCode) continue;
    try {
      await db.open311Forward.create({ data: { conversationId: row.id, serviceCode, nextAttemptAt: input.now, createdAt: input.now } });
      queued++;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return queued;
}

/** A claimed forward with what the external request is made of. */
export interface ClaimedForward {
  id: string;
  attempts: number;
  /** The claim's lease: the forward is this instance's until then. */
  lockedUntil: Date;
  /** The kenmerk every POST of this forward carries (null before the first). */
  sendToken: string | null;
  /** When a POST began that may have reached the endpoint (null: none did). */
  attemptedAt: Date | null;
  serviceCode: string;
  conversationId: string;
  reference: string;
  wijkName: string | null;
  gemeenteName: string;
  /** The resident's own typed messages, oldest first (never button taps). */
  texts: string[];
  /** The last place the resident shared in the conversation. */
  location: { lat: number; lon: number } | null;
}

/**
 * Claims the next forward that is due (pending and its time has come, or left `sending` by an
 * instance whose lease ran out) for `leaseMs`; null when none is due.
 */
export async function claimDueForward(db: DbOrTx, now: Date, leaseMs: number): Promise<ClaimedForward | null> {
  const due = {
    OR: [
      { status: "pending", nextAttemptAt: { lte: now } },
      { status: "sending", lockedUntil: { lt: now } },
    ],
  };
  for (let tries = 0; tries < 5; tries++) {
    const candidate = await db.open311Forward.findFirst({ where: due, orderBy: { nextAttemptAt: "asc" }, select: { id: true } });
    if (!candidate) return null;
    const lockedUntil = new Date(now.getTime() + leaseMs);
    const claimed = await db.open311Forward.updateMany({ where: { id: candidate.id, ...due }, data: { status: "sending", lockedUntil } });
    if (claimed.count === 0) continue; // another instance took it
    const row = await db.open311Forward.findUniqueOrThrow({
      where: { id: candidate.id },
      select: {
        id: true,
        attempts: true,
        serviceCode: true,
        sendToken: true,
        attemptedAt: true,
        conversation: {
          select: {
            id: true,
            reference: true,
            wijk: { select: { name: true } },
            gemeente: { select: { name: true } },
            messages: {
              where: { direction: "in", authorKind: "resident" },
              orderBy: { createdAt: "asc" },
              select: { text: true, value: true, latitude: true, longitude: true },
            },
          },
        },
      },
    });
    const messages = row.conversation.messages;
    const located = [...messages].reverse().find((message) => message.latitude !== null && message.longitude !== null);
    return {
      id: row.id,
      attempts: row.attempts,
      lockedUntil,
      sendToken: row.sendToken,
      attemptedAt: row.attemptedAt,
      serviceCode: row.serviceCode,
      conversationId: row.conversation.id,
      reference: row.conversation.reference,
      wijkName: row.conversation.wijk?.name ?? null,
      gemeenteName: row.conversation.gemeente.name,
      texts: messages.filter((message) => message.value === null && message.text !== null && message.text.trim() !== "").map((message) => message.text ?? ""),
      location: located && located.latitude !== null && located.longitude !== null ? { lat: located.latitude, lon: located.longitude } : null,
    };
  }
  return null;
}

/**
 * Records, before the POST, that one is about to go out with this kenmerk: from now on the endpoint
 * may have the request, so a crash or a lost answer makes the next try look it up first. False when
 * this instance no longer holds the claim (it must not post).
 */
export async function recordForwardAttempt(db: DbOrTx, forward: { id: string; lockedUntil: Date }, input: { token: string; now: Date }): Promise<boolean> {
  const recorded = await db.open311Forward.updateMany({
    where: { id: forward.id, status: "sending", lockedUntil: forward.lockedUntil },
    data: { sendToken: input.token, attemptedAt: input.now },
  });
  return recorded.count === 1;
}

/** The send worked: the external id (or token), a note for staff, and the first poll; false when the claim was lost. */
export async function markForwardSent(
  db: Db,
  forward: { id: string; conversationId: string; lockedUntil: Date },
  input: { externalId: string | null; token: string | null; note: string; now: Date; firstPollAt: Date },
): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    // Only while this instance holds the claim: one whose lease ran out leaves the row to the one that took it over.
    const marked = await tx.open311Forward.updateMany({
      where: { id: forward.id, status: "sending", lockedUntil: forward.lockedUntil },
      data: {
        status: "sent",
        attempts: { increment: 1 },
        lockedUntil: null,
        lastError: null,
        externalId: input.externalId,
        externalToken: input.token,
        sentAt: input.now,
        nextPollAt: input.firstPollAt,
      },
    });
    if (marked.count === 0) return false;
    const conversation = await tx.conversation.findUniqueOrThrow({ where: { id: forward.conversationId }, select: { channel: true } });
    await addNote(tx, { conversationId: forward.conversationId, channel: ChannelSchema.parse(conversation.channel), text: input.note, authorKind: "bot", now: input.now });
    return true;
  });
}

/**
 * The send failed: again at `retryAt`, or (null) given up, with a note for staff. The error text
 * is the endpoint's, never the resident's. `certainlyNotFiled`: the endpoint refused the POST, so
 * the next try need not look it up.
 */
export async function markForwardFailed(
  db: Db,
  forward: { id: string; conversationId: string; lockedUntil: Date },
  input: { error: string; retryAt: Date | null; note: string | null; now: Date; certainlyNotFiled: boolean },
): Promise<void> {
  await inTransaction(db, async (tx) => {
    const marked = await tx.open311Forward.updateMany({
      where: { id: forward.id, status: "sending", lockedUntil: forward.lockedUntil },
      data: {
        status: input.retryAt ? "pending" : "failed",
        attempts: { increment: 1 },
        lockedUntil: null,
        lastError: input.error.slice(0, 500),
        nextAttemptAt: input.retryAt ?? input.now,
        // A refusal leaves nothing behind there; any other failure may have, so the next try looks first.
        ...(input.certainlyNotFiled ? { attemptedAt: null } : {}),
      },
    });
    if (marked.count === 0) return;
    if (input.note) {
      const conversation = await tx.conversation.findUniqueOrThrow({ where: { id: forward.conversationId }, select: { channel: true } });
      await addNote(tx, { conversationId: forward.conversationId, channel: ChannelSchema.parse(conversation.channel), text: input.note, authorKind: "bot", now: input.now });
    }
  });
}

/** A sent forward whose status is due to be fetched. */
export interface PollableForward {
  id: string;
  conversationId: string;
  reference: string;
  externalId: string | null;
  externalToken: string | null;
  externalStatus: string | null;
  externalNotes: string | null;
  pollFailures: number;
  /** Who to tell in their chat (null: erased, or no chat to answer in). */
  recipient: { residentId: string; channelIdentityId: string; channel: string; language: string; lastInboundAt: Date | null } | null;
}

function newest(dates: readonly Date[]): Date | null {
  return dates.reduce<Date | null>((latest, date) => (latest === null || date > latest ? date : latest), null);
}

/** Sent forwards, not yet closed, whose poll is due; at most `take`. */
export async function listDuePolls(db: DbOrTx, now: Date, take = 50): Promise<PollableForward[]> {
  const rows = await db.open311Forward.findMany({
    where: { status: "sent", closedAt: null, nextPollAt: { lte: now } },
    orderBy: { nextPollAt: "asc" },
    take,
    select: {
      id: true,
      externalId: true,
      externalToken: true,
      externalStatus: true,
      externalNotes: true,
      pollFailures: true,
      conversation: {
        select: {
          id: true,
          reference: true,
          residentId: true,
          channelIdentityId: true,
          channel: true,
          resident: { select: { language: true } },
          // The resident's newest message on this identity, for WhatsApp's 24-hour window.
          channelIdentity: { select: { conversations: { select: { messages: { where: { direction: "in" }, orderBy: { createdAt: "desc" }, take: 1, select: { createdAt: true } } } } } },
        },
      },
    },
  });
  return rows.map((row) => ({
    id: row.id,
    conversationId: row.conversation.id,
    reference: row.conversation.reference,
    externalId: row.externalId,
    externalToken: row.externalToken,
    externalStatus: row.externalStatus,
    externalNotes: row.externalNotes,
    pollFailures: row.pollFailures,
    recipient:
      row.conversation.residentId && row.conversation.channelIdentityId && row.conversation.resident
        ? {
            residentId: row.conversation.residentId,
            channelIdentityId: row.conversation.channelIdentityId,
            channel: row.conversation.channel,
            language: row.conversation.resident.language,
            lastInboundAt: newest((row.conversation.channelIdentity?.conversations ?? []).flatMap((conversation) => conversation.messages.map((message) => message.createdAt))),
          }
        : null,
  }));
}

/** A token turned into an id (the next poll reads its status), or (null) not yet: asked again at `nextPollAt`. */
export async function recordForwardId(db: DbOrTx, id: string, externalId: string | null, nextPollAt: Date): Promise<void> {
  await db.open311Forward.update({ where: { id }, data: { ...(externalId ? { externalId } : {}), pollFailures: 0, nextPollAt } });
}

/** A poll that failed: the next one later (the caller's backoff). */
export async function recordPollFailure(db: DbOrTx, id: string, input: { error: string; nextPollAt: Date }): Promise<void> {
  await db.open311Forward.update({ where: { id }, data: { pollFailures: { increment: 1 }, lastError: input.error.slice(0, 500), nextPollAt: input.nextPollAt } });
}

/**
 * A polled status. When it changed, the resident's message (if any) goes into the outbox and staff
 * get a note, in one transaction with the new status; a closed request is polled no more.
 */
export async function recordPolledStatus(
  db: Db,
  forward: PollableForward,
  input: { status: "open" | "closed"; notes: string | null; now: Date; nextPollAt: Date; residentMessage: OutboundPayload | null; staffNote: string | null },
): Promise<void> {
  await inTransaction(db, async (tx) => {
    await tx.open311Forward.update({
      where: { id: forward.id },
      data: {
        externalStatus: input.status,
        externalNotes: input.notes,
        pollFailures: 0,
        lastError: null,
        nextPollAt: input.status === "closed" ? null : input.nextPollAt,
        ...(input.status === "closed" ? { closedAt: input.now } : {}),
      },
    });
    const channel = ChannelSchema.parse((await tx.conversation.findUniqueOrThrow({ where: { id: forward.conversationId }, select: { channel: true } })).channel);
    if (input.staffNote) await addNote(tx, { conversationId: forward.conversationId, channel, text: input.staffNote, authorKind: "bot", now: input.now });
    if (input.residentMessage && forward.recipient) {
      await addOutboundMessage(tx, {
        conversationId: forward.conversationId,
        residentId: forward.recipient.residentId,
        channelIdentityId: forward.recipient.channelIdentityId,
        channel: ChannelSchema.parse(forward.recipient.channel),
        payload: input.residentMessage,
        authorKind: "bot",
        now: input.now,
      });
    }
  });
}

/** The forward of a conversation, as the inbox and the privacy export show it. */
export async function findForwardOfConversation(db: DbOrTx, conversationId: string) {
  return db.open311Forward.findUnique({
    where: { conversationId },
    select: { status: true, externalId: true, externalStatus: true, externalNotes: true, sentAt: true, closedAt: true, attempts: true },
  });
}
