/**
 * Residents, their channel identities, conversations, messages and the outbox. Every function
 * takes the scope it works in (a resident, an identity, a conversation) as a parameter.
 */
import type { Channel, ConversationStatus, InboundMessage, OutboundPayload } from "../domain/messages.ts";
import { routeResident } from "../routing/routeResident.ts";
import type { DbOrTx, Tx } from "./client.ts";
import type { Conversation } from "./generated/sqlite/client.ts";
import {
  dateOf,
  isUniqueViolation,
  newId,
  numberOf,
  optionalDateOf,
  optionalTextOf,
  type SqlParam,
  type SqlRow,
  sqlJoinsWrites,
  sqlRows,
  sqlRun,
  sqlRunAll,
  type SqlStatement,
  textOf,
} from "./sql.ts";
import { findWijkRefById } from "./wijk.repo.ts";

/** `lastSeenAt` is written at most this often: a resident writing ten messages a minute costs one update, not ten. */
export const LAST_SEEN_GRANULARITY_MS = 60_000;

/** One row of the identity lookup: the identity with what inbound handling reads of its resident. */
export interface IdentityRow {
  id: string;
  residentId: string;
  reference: string | null;
  lastSeenAt: Date;
  residentWijkId: string | null;
  residentErasedAt: Date | null;
}

/** An identity row read with IDENTITY_COLUMNS. */
export function identityRow(row: SqlRow): IdentityRow {
  return {
    id: textOf(row, "id"),
    residentId: textOf(row, "residentId"),
    reference: optionalTextOf(row, "reference"),
    lastSeenAt: dateOf(row, "lastSeenAt"),
    residentWijkId: optionalTextOf(row, "residentWijkId"),
    residentErasedAt: optionalDateOf(row, "residentErasedAt"),
  };
}

/** A channel identity and its resident, as inbound handling needs them. */
export interface FoundIdentity {
  identity: { id: string; residentId: string; externalId: string };
  resident: { id: string; wijkId: string | null };
  created: boolean;
}

/** What finding or creating an identity is told about the resident's message. */
interface IdentityInput {
  gemeenteId: string;
  channel: Channel;
  externalId: string;
  reference?: string | undefined;
  language?: "nl" | "en";
  now?: Date;
}

/** The columns `identityRow` reads, over `ChannelIdentity i` joined to `Resident r`. */
export const IDENTITY_COLUMNS = `i."id", i."residentId", i."reference", i."lastSeenAt", r."wijkId" AS "residentWijkId", r."erasedAt" AS "residentErasedAt"`;

/**
 * Finds the resident behind a channel identity, creating both on first contact. The lookup is one
 * statement joining the resident (the inbound hot path); `lastSeenAt` is only written when it is
 * LAST_SEEN_GRANULARITY_MS old or the platform's conversation reference changed.
 */
export async function findOrCreateIdentity(tx: DbOrTx, input: IdentityInput): Promise<FoundIdentity> {
  const rows = await sqlRows(tx, `SELECT ${IDENTITY_COLUMNS} FROM "ChannelIdentity" i JOIN "Resident" r ON r."id" = i."residentId" WHERE i."channel" = ? AND i."externalId" = ?`, [
    input.channel,
    input.externalId,
  ]);
  if (rows[0]) return refreshIdentity(tx, identityRow(rows[0]), input);
  const fresh = newIdentity(input);
  await sqlRunAll(tx, fresh.statements);
  return fresh.found;
}

/** Writes what a returning resident's message changes of their identity (`lastSeenAt`, the platform reference, an erasure undone). */
export async function refreshIdentity(tx: DbOrTx, found: IdentityRow, input: IdentityInput): Promise<FoundIdentity> {
  const now = input.now ?? new Date();
  const referenceChanged = input.reference !== undefined && input.reference !== found.reference;
  if (referenceChanged) await sqlRun(tx, `UPDATE "ChannelIdentity" SET "lastSeenAt" = ?, "reference" = ? WHERE "id" = ?`, [now, input.reference ?? null, found.id]);
  else if (now.getTime() - found.lastSeenAt.getTime() >= LAST_SEEN_GRANULARITY_MS) await sqlRun(tx, `UPDATE "ChannelIdentity" SET "lastSeenAt" = ? WHERE "id" = ?`, [now, found.id]);
  // A resident who erased their data in this chat and writes again starts afresh: the erasure is done.
  if (found.residentErasedAt !== null) await tx.resident.update({ where: { id: found.residentId }, data: { erasedAt: null } });
  return { identity: { id: found.id, residentId: found.residentId, externalId: input.externalId }, resident: { id: found.residentId, wijkId: found.residentWijkId }, created: false };
}

/**
 * A first contact's resident and identity, as the statements that insert them (run with others
 * through sqlRunAll); a second first message racing this one fails on the identity's unique key.
 */
export function newIdentity(input: IdentityInput): { found: FoundIdentity; statements: SqlStatement[] } {
  const now = input.now ?? new Date();
  const residentId = newId();
  const identityId = newId();
  return {
    found: { identity: { id: identityId, residentId, externalId: input.externalId }, resident: { id: residentId, wijkId: null }, created: true },
    statements: [
      {
        text: `INSERT INTO "Resident" ("id", "gemeenteId", "language", "createdAt", "lastSeenAt", "exportGeneration") VALUES (?, ?, ?, ?, ?, 0)`,
        params: [residentId, input.gemeenteId, input.language ?? "nl", now, now],
      },
      {
        text: `INSERT INTO "ChannelIdentity" ("id", "residentId", "channel", "externalId", "reference", "createdAt", "lastSeenAt") VALUES (?, ?, ?, ?, ?, ?, ?)`,
        params: [identityId, residentId, input.channel, input.externalId, input.reference ?? null, now, now],
      },
    ],
  };
}

/** Allocates the next reference of the gemeente for this year: WL-2026-00042. */
export async function nextReference(tx: Tx, gemeenteId: string, now: Date): Promise<string> {
  const year = now.getUTCFullYear();
  // One statement for every new conversation (src/db/sql.ts): the counter row is created or counted up, and read back.
  const rows = await sqlRows(tx, REFERENCE_COUNTER.text, [gemeenteId, year]);
  const value = rows[0] ? numberOf(rows[0], "value") : 0;
  return `${referencePrefix(year)}${String(value).padStart(5, "0")}`;
}

/** Counts up the gemeente's reference counter of a year (created at 1) and returns the new value. */
const REFERENCE_COUNTER = {
  text: `INSERT INTO "ReferenceCounter" ("gemeenteId", "year", "value") VALUES (?, ?, 1)
    ON CONFLICT ("gemeenteId", "year") DO UPDATE SET "value" = "ReferenceCounter"."value" + 1 RETURNING "value"`,
};

function referencePrefix(year: number): string {
  return `WL-${year}-`;
}

/** The identity's conversation that is still going (not resolved), newest first. */
export async function findActiveConversation(tx: DbOrTx, channelIdentityId: string) {
  return tx.conversation.findFirst({ where: { channelIdentityId, status: { not: "resolved" } }, orderBy: { createdAt: "desc" } });
}

/**
 * The web chat visitor id behind a conversation, or null for a conversation on another channel.
 * `findFirst`, not `findUnique`: Prisma batches concurrent `findUnique` calls into one query,
 * which on SQLite can pass the parameter limit.
 */
export async function findWebchatVisitorOfConversation(db: DbOrTx, conversationId: string): Promise<string | null> {
  const found = await db.conversation.findFirst({ where: { id: conversationId }, select: { channelIdentity: { select: { channel: true, externalId: true } } } });
  return found?.channelIdentity?.channel === "webchat" ? found.channelIdentity.externalId : null;
}

type NewConversationInput = { gemeenteId: string; residentId: string; channelIdentityId: string; channel: Channel; wijkId: string | null; state?: string; now: Date };

/** Starts a conversation for an identity, in the resident's wijk and tandem when known (routeResident decides). */
export async function createConversation(tx: Tx, input: NewConversationInput): Promise<Conversation> {
  const prepared = await prepareConversation(tx, input);
  await sqlRunAll(tx, prepared.statements);
  return prepared.conversation;
}

/**
 * A new conversation with its reference allocated (a statement of its own, since the reference is
 * counted up in the database) and the statements that insert it, for the caller to run with others.
 */
export async function prepareConversation(tx: Tx, input: NewConversationInput): Promise<{ conversation: Conversation; statements: SqlStatement[] }> {
  const conversation = await newConversation(tx, input, await nextReference(tx, input.gemeenteId, input.now));
  return { conversation, statements: conversationStatements(conversation, { sql: "?", params: [conversation.reference] }) };
}

/**
 * A first contact's conversation as the statements that insert it, its reference counted up among
 * them where sqlRunAll joins writes into one statement (PostgreSQL: the counter is a CTE the
 * conversation's insert reads), so the counter costs no round trip of its own; elsewhere as
 * prepareConversation.
 */
export async function prepareFirstConversation(tx: Tx, input: NewConversationInput): Promise<{ conversationId: string; statements: SqlStatement[] }> {
  if (!sqlJoinsWrites(tx)) {
    const { conversation, statements } = await prepareConversation(tx, input);
    return { conversationId: conversation.id, statements };
  }
  const year = input.now.getUTCFullYear();
  const conversation = await newConversation(tx, input, null);
  const counter: SqlStatement = { name: "reference", text: REFERENCE_COUNTER.text, params: [input.gemeenteId, year] };
  // As nextReference writes it: five digits at least.
  const reference = {
    sql: `? || (SELECT CASE WHEN "value" < 100000 THEN lpad("value"::text, 5, '0') ELSE "value"::text END FROM "reference")`,
    params: [referencePrefix(year)],
  };
  return { conversationId: conversation.id, statements: [counter, ...conversationStatements(conversation, reference)] };
}

/** A new conversation's row (its reference given, or null while the database counts it up). */
async function newConversation<R extends string | null>(tx: Tx, input: NewConversationInput, reference: R): Promise<Omit<Conversation, "reference"> & { reference: R }> {
  const route = await routeResident({ wijk: input.wijkId ? await findWijkRefById(tx, input.wijkId) : null });
  return {
    id: newId(),
    reference,
    gemeenteId: input.gemeenteId,
    residentId: input.residentId,
    channelIdentityId: input.channelIdentityId,
    channel: input.channel,
    wijkId: route.wijk?.id ?? null,
    tandemId: route.tandem?.id ?? null,
    status: "bot",
    intent: null,
    theme: null,
    emergency: null,
    language: null,
    assigneeId: null,
    snoozedUntil: null,
    waitingSince: null,
    state: input.state ?? "{}",
    createdAt: input.now,
    updatedAt: new Date(),
    lastMessageAt: input.now,
    firstResponseAt: null,
    resolvedAt: null,
  };
}

/** The statements that insert a conversation and its first status change, its reference given as SQL. */
function conversationStatements(conversation: Omit<Conversation, "reference">, reference: { sql: string; params: SqlParam[] }): SqlStatement[] {
  // Every new chat starts here: prepared statements (src/db/sql.ts).
  return [
    {
      text: `INSERT INTO "Conversation" ("id", "reference", "gemeenteId", "residentId", "channelIdentityId", "channel", "wijkId", "tandemId", "status", "state", "createdAt", "updatedAt", "lastMessageAt")
    VALUES (?, ${reference.sql}, ?, ?, ?, ?, ?, ?, 'bot', ?, ?, ?, ?)`,
      params: [
        conversation.id,
        ...reference.params,
        conversation.gemeenteId,
        conversation.residentId,
        conversation.channelIdentityId,
        conversation.channel,
        conversation.wijkId,
        conversation.tandemId,
        conversation.state,
        conversation.createdAt,
        conversation.updatedAt,
        conversation.lastMessageAt,
      ],
    },
    { text: `INSERT INTO "StatusChange" ("id", "conversationId", "fromStatus", "toStatus", "at") VALUES (?, ?, NULL, 'bot', ?)`, params: [newId(), conversation.id, conversation.createdAt] },
  ];
}

/** Puts a conversation in a wijk and with the tandem routeResident chose for it (null: the general team). */
export async function routeConversation(tx: Tx, conversationId: string, route: { wijkId: string | null; tandemId: string | null }): Promise<void> {
  await tx.conversation.update({ where: { id: conversationId }, data: { wijkId: route.wijkId, tandemId: route.tandemId } });
}

/** Changes a conversation's status and records the change. */
export async function changeStatus(tx: Tx, conversationId: string, to: ConversationStatus, options: { actorStaffId?: string | null; now: Date; waitingSince?: Date }) {
  const current = await tx.conversation.findUniqueOrThrow({ where: { id: conversationId }, select: { status: true } });
  if (current.status === to) return;
  await tx.conversation.update({
    where: { id: conversationId },
    data: {
      status: to,
      // The inbox's sort key (waitingSinceOf): set when the resident starts waiting for staff, gone otherwise.
      // (A move to another tandem may date it back to the resident's unanswered message.)
      waitingSince: to === "open" ? (options.waitingSince ?? options.now) : null,
      ...(to === "resolved" ? { resolvedAt: options.now } : {}),
      ...(to !== "snoozed" ? { snoozedUntil: null } : {}),
    },
  });
  await tx.statusChange.create({ data: { conversationId, fromStatus: current.status, toStatus: to, actorStaffId: options.actorStaffId ?? null, at: options.now } });
}

/** Stores an inbound message once; a second delivery of the same platform id returns null. */
export async function storeInboundMessage(tx: Tx, conversationId: string, message: InboundMessage, now: Date): Promise<{ id: string; createdAt: Date } | null> {
  const insert = inboundMessageInsert(conversationId, message, now);
  try {
    // The inbound hot path: one prepared statement (src/db/sql.ts).
    await sqlRun(tx, insert.statement.text, insert.statement.params);
    return { id: insert.id, createdAt: now };
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

/** The statement that stores an inbound message, for a caller that runs it with others (a second delivery fails on the unique platform id). */
export function inboundMessageInsert(conversationId: string, message: InboundMessage, now: Date): { id: string; statement: SqlStatement } {
  const id = newId();
  return {
    id,
    statement: {
      text: `INSERT INTO "Message" ("id", "conversationId", "direction", "authorKind", "text", "value", "mediaRef", "latitude", "longitude", "channel", "channelMessageId", "createdAt")
      VALUES (?, ?, 'in', 'resident', ?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [
        id,
        conversationId,
        message.text ?? message.value ?? null,
        message.value ?? null,
        message.media ? `${message.media.kind}:${message.media.ref}` : null,
        message.location?.lat ?? null,
        message.location?.lon ?? null,
        message.channel,
        message.channelMessageId,
        now,
      ],
    },
  };
}

/** Has this platform message been stored already? */
export async function inboundExists(db: DbOrTx, channel: Channel, channelMessageId: string): Promise<boolean> {
  const rows = await sqlRows(db, `SELECT 1 AS "found" FROM "Message" WHERE "channel" = ? AND "channelMessageId" = ?`, [channel, channelMessageId]);
  return rows.length > 0;
}

/** The oldest inbound message of a conversation that the bot has not handled yet. */
export async function nextUnprocessedInbound(db: DbOrTx, conversationId: string): Promise<{ id: string } | null> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT "id" FROM "Message" WHERE "conversationId" = ${conversationId} AND "direction" = 'in' AND "processedAt" IS NULL
    ORDER BY "createdAt" ASC, "id" ASC LIMIT 1`;
  return rows[0] ?? null;
}

/** Conversations with inbound messages waiting to be handled (for recovery at start, and for messages a crashed instance stored): those stored before `storedBefore` when given. */
export async function conversationsWithUnprocessedInbound(db: DbOrTx, options: { storedBefore?: Date } = {}): Promise<string[]> {
  const rows = await db.message.findMany({
    where: { direction: "in", processedAt: null, ...(options.storedBefore ? { createdAt: { lt: options.storedBefore } } : {}) },
    select: { conversationId: true },
    distinct: ["conversationId"],
  });
  return rows.map((row) => row.conversationId);
}

/** An outgoing message and what its outbox row needs. */
export interface OutboundMessageInput {
  conversationId: string;
  residentId: string;
  channelIdentityId: string;
  channel: Channel;
  payload: OutboundPayload;
  authorKind: "bot" | "staff";
  authorStaffId?: string | null;
  priority?: number;
  now: Date;
}

/** Writes an outgoing message and its outbox row in the caller's transaction. */
export async function addOutboundMessage(tx: Tx, input: OutboundMessageInput): Promise<{ id: string; text: string; createdAt: Date }> {
  // Every bot reply writes these two rows: prepared statements (src/db/sql.ts), not compiled Prisma queries.
  const outbound = outboundMessageStatements(input);
  await sqlRunAll(tx, outbound.statements);
  return { id: outbound.id, text: input.payload.text, createdAt: input.now };
}

/** The statements that write an outgoing message and its outbox row, for a caller that runs them with others (sqlRunAll). */
export function outboundMessageStatements(input: OutboundMessageInput): { id: string; statements: SqlStatement[] } {
  const id = newId();
  return {
    id,
    statements: [
      {
        text: `INSERT INTO "Message" ("id", "conversationId", "direction", "authorKind", "authorStaffId", "text", "channel", "createdAt") VALUES (?, ?, 'out', ?, ?, ?, ?, ?)`,
        params: [id, input.conversationId, input.authorKind, input.authorStaffId ?? null, input.payload.text, input.channel, input.now],
      },
      outboxMessageStatement({ ...input, messageId: id, priority: input.priority ?? 0 }),
    ],
  };
}

/** An internal note for staff in a conversation (never sent to the resident). */
export async function addNote(tx: Tx, input: { conversationId: string; channel: Channel; text: string; authorKind: "bot" | "staff"; authorStaffId?: string | null; now: Date }) {
  return tx.message.create({
    data: {
      conversationId: input.conversationId,
      direction: "note",
      authorKind: input.authorKind,
      authorStaffId: input.authorStaffId ?? null,
      text: input.text,
      channel: input.channel,
      createdAt: input.now,
    },
  });
}

/**
 * Writes one outbox row in the caller's transaction: the one writer of OutboxMessage. A reply in a
 * conversation names its Message (messageId, so the web chat can match the two); a wijkbericht
 * belongs to no conversation. Priority: replies 0, bulk 10 (sent after replies).
 */
export async function addOutboxMessage(
  tx: DbOrTx,
  input: {
    residentId: string;
    channelIdentityId: string;
    conversationId: string | null;
    channel: Channel;
    payload: OutboundPayload;
    messageId?: string;
    priority: number;
    now: Date;
  },
): Promise<{ id: string }> {
  const statement = outboxMessageStatement(input);
  await sqlRun(tx, statement.text, statement.params);
  return { id: statement.id };
}

/** The statement that writes one outbox row (see addOutboxMessage), for a caller that runs it with others. */
export function outboxMessageStatement(input: {
  residentId: string;
  channelIdentityId: string;
  conversationId: string | null;
  channel: Channel;
  payload: OutboundPayload;
  messageId?: string;
  priority: number;
  now: Date;
}): SqlStatement & { id: string } {
  const id = newId();
  return {
    id,
    text: `INSERT INTO "OutboxMessage" ("id", "residentId", "channelIdentityId", "conversationId", "channel", "payload", "priority", "status", "attempts", "nextAttemptAt", "createdAt")
    VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
    params: [
      id,
      input.residentId,
      input.channelIdentityId,
      input.conversationId,
      input.channel,
      JSON.stringify(input.messageId === undefined ? input.payload : { ...input.payload, messageId: input.messageId }),
      input.priority,
      input.now,
      input.now,
    ],
  };
}
