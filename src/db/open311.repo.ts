/**
 * What the Open311 GeoReport v2 endpoint (src/open311) reads and writes: conversations as bare
 * request facts (theme, wijk, status, times; never a resident's words or whereabouts), and a
 * melding filed by the gemeente's website or app, stored as a conversation that is routed and
 * handed to staff like any other.
 */
import type { Theme } from "../domain/vocabulary.ts";
import type { DbOrTx, Tx } from "./client.ts";
import { nextReference } from "./conversation.repo.ts";

/** One conversation as an Open311 request, before the publication rule (src/open311/publicRequests.ts) is applied. */
export interface Open311RequestFact {
  reference: string;
  channel: string;
  wijkId: string | null;
  wijkName: string | null;
  theme: string | null;
  intent: string | null;
  emergency: string | null;
  status: string;
  createdAt: Date;
  /** The last status change (or the creation). */
  updatedAt: Date;
  /** What the tandem published on the wijk page about it ("wij deden"), in staff's own words. */
  publishedDid: string | null;
}

const factSelect = {
  reference: true,
  channel: true,
  wijkId: true,
  theme: true,
  intent: true,
  emergency: true,
  status: true,
  createdAt: true,
  wijk: { select: { name: true } },
  wijDeden: { select: { did: true } },
  statusChanges: { orderBy: { at: "desc" }, take: 1, select: { at: true } },
} as const;

function toFact(row: {
  reference: string;
  channel: string;
  wijkId: string | null;
  theme: string | null;
  intent: string | null;
  emergency: string | null;
  status: string;
  createdAt: Date;
  wijk: { name: string } | null;
  wijDeden: { did: string } | null;
  statusChanges: Array<{ at: Date }>;
}): Open311RequestFact {
  return {
    reference: row.reference,
    channel: row.channel,
    wijkId: row.wijkId,
    wijkName: row.wijk?.name ?? null,
    theme: row.theme,
    intent: row.intent,
    emergency: row.emergency,
    status: row.status,
    createdAt: row.createdAt,
    updatedAt: row.statusChanges[0]?.at ?? row.createdAt,
    publishedDid: row.wijDeden?.did ?? null,
  };
}

/** The gemeente's conversations created in [from, until) that reached staff (the bot alone makes no request). */
export async function listOpen311RequestFacts(db: DbOrTx, gemeenteId: string, from: Date, until: Date): Promise<Open311RequestFact[]> {
  const rows = await db.conversation.findMany({
    where: { gemeenteId, createdAt: { gte: from, lt: until }, statusChanges: { some: { toStatus: "open" } } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: factSelect,
  });
  return rows.map(toFact);
}

/** One conversation of the gemeente by its reference (the service_request_id), if it reached staff. */
export async function findOpen311RequestFact(db: DbOrTx, gemeenteId: string, reference: string): Promise<Open311RequestFact | null> {
  const row = await db.conversation.findFirst({ where: { gemeenteId, reference, statusChanges: { some: { toStatus: "open" } } }, select: factSelect });
  return row ? toFact(row) : null;
}

/** A melding as the gemeente's website or app filed it (POST requests). */
export interface FiledRequest {
  gemeenteId: string;
  wijkId: string | null;
  tandemId: string | null;
  theme: Theme;
  description: string | null;
  lat: number | null;
  lon: number | null;
  /** What staff need besides the description (address, contact the filer gave, photo link), as a staff-only note; null when none. */
  note: string | null;
  staffUserId: string;
  now: Date;
}

/**
 * Stores a filed melding as a conversation on the open311 channel, straight with staff (status
 * open): the description as the resident's message (already handled: there is no chat to answer
 * in), the rest as a note. Returns the conversation's id and reference (the service_request_id).
 */
export async function createFiledRequest(tx: Tx, input: FiledRequest): Promise<{ id: string; reference: string; tandemId: string | null }> {
  const conversation = await tx.conversation.create({
    data: {
      reference: await nextReference(tx, input.gemeenteId, input.now),
      gemeenteId: input.gemeenteId,
      channel: "open311",
      wijkId: input.wijkId,
      tandemId: input.tandemId,
      status: "open",
      waitingSince: input.now,
      intent: "melding",
      theme: input.theme,
      createdAt: input.now,
      lastMessageAt: input.now,
    },
    select: { id: true, reference: true, tandemId: true },
  });
  await tx.statusChange.create({ data: { conversationId: conversation.id, fromStatus: null, toStatus: "open", at: input.now } });
  if (input.description !== null || input.lat !== null) {
    await tx.message.create({
      data: {
        conversationId: conversation.id,
        direction: "in",
        authorKind: "resident",
        text: input.description,
        latitude: input.lat,
        longitude: input.lon,
        channel: "open311",
        processedAt: input.now,
        createdAt: input.now,
      },
    });
  }
  if (input.note !== null) {
    await tx.message.create({
      data: { conversationId: conversation.id, direction: "note", authorKind: "bot", text: input.note, channel: "open311", processedAt: input.now, createdAt: input.now },
    });
  }
  return conversation;
}
