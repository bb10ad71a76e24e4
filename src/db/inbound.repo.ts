/**
 * The durable inbound pipeline's transactions (src/bot/processor.ts): storing a resident's message
 * before it is acknowledged, running one bot turn at a time per conversation, and recording a
 * failed turn so one bad message never blocks a resident.
 */
import { ChannelSchema, type InboundMessage } from "../domain/messages.ts";
import { providerOfDb, type DatabaseProvider, type Db, type DbOrTx, type Tx } from "./client.ts";
import { GroupCommit } from "./groupCommit.ts";
import { pickConversation } from "../routing/pickConversation.ts";
import {
  addOutboundMessage,
  changeStatus,
  createConversation,
  IDENTITY_COLUMNS,
  type IdentityRow,
  identityRow,
  inboundMessageInsert,
  newIdentity,
  nextUnprocessedInbound,
  prepareFirstConversation,
  refreshIdentity,
} from "./conversation.repo.ts";
import { matchFeedbackAnswer, OPEN_FEEDBACK_BY_ADDRESS, type OpenFeedback, openFeedbackOf, recordFeedbackAnswer } from "./feedback.repo.ts";
import { findConversationOfTrustPulse } from "./trustPulse.repo.ts";
import { readTrustPulseTap } from "../trust/trustPulse.ts";
import { dateOf, isUniqueViolation, numberOf, postgresHotTransaction, sqlRows, sqlRunAll, textOf } from "./sql.ts";
import { listThreadCandidates, type ThreadRow, threadColumns, threadRowOf } from "./threading.repo.ts";

/**
 * Stores an inbound message once, in one transaction: finds or creates the resident and identity,
 * picks the conversation it belongs to (pickConversation: the one that waits on the resident, else
 * the most recent active one, else a lately resolved one reopened; `isCommand`: a global command,
 * which never reopens a resolved conversation), closes a bot conversation silent longer than
 * `staleBotConversationMs`, starts a conversation when none fits, and stores the message in it. `now` is read once, inside the
 * transaction. `stored: false` means a duplicate delivery.
 */
export async function recordInbound(
  db: Db,
  input: { gemeenteId: string; message: InboundMessage; now: () => Date; staleBotConversationMs: number; isCommand?: () => boolean },
): Promise<{ stored: boolean; conversationId: string | null }> {
  // Two first messages of a new chat stored at once would both create its identity: stores of one chat
  // take turns (storeInboundOnce), and should one still fail on the unique key it runs again, then finding it.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await storeInboundOnce(db, input);
    } catch (error) {
      if (attempt >= 3 || !isUniqueViolation(error)) throw error;
    }
  }
}

/**
 * The store transaction answers the webhook, so under a burst it waits for a connection rather than
 * fail (the pool waits, never refuses: src/db/client.ts; the platform would redeliver); the bot's
 * turns are bounded (src/bot/processor.ts), so the wait is short. A store stalled this long
 * between its statements loses its connection and rolls back.
 */
const STORE_TRANSACTION = { idleTimeoutMs: 20_000 };
/** The same for a bot turn. */
const TURN_TRANSACTION_IDLE_MS = 30_000;

/** One group commit per SQLite client (src/db/groupCommit.ts): its stores and turns share transactions. */
const groupCommits = new WeakMap<Db, GroupCommit>();

function groupCommitOf(db: Db): GroupCommit | null {
  if (providerOfDb(db) !== "sqlite") return null;
  let group = groupCommits.get(db);
  if (!group) {
    group = new GroupCommit(db);
    groupCommits.set(db, group);
  }
  return group;
}

type StoreInput = { gemeenteId: string; message: InboundMessage; now: () => Date; staleBotConversationMs: number; isCommand?: () => boolean };

async function storeInboundOnce(db: Db, input: StoreInput): Promise<{ stored: boolean; conversationId: string | null }> {
  const group = groupCommitOf(db);
  if (group) return group.store((tx) => storeInboundIn(tx, input));
  // PostgreSQL: a transaction on a pooled connection taken directly (BEGIN and the lock in one round trip, COMMIT in one).
  // Stores of one chat take turns (an advisory lock on its address): a chat's first messages arriving
  // at once, or a redelivery racing its original, then find what the other stored instead of failing
  // on a unique key and being run again. The lock's key is a number hashed from the address in the
  // process (advisoryLockKey), and every value is bound: no address or message in any statement's text.
  const lockKey = `inbound:${input.message.channel}:${input.message.externalId}`;
  return postgresHotTransaction(db, { ...STORE_TRANSACTION, lockKey }, (tx) => storeInboundIn(tx, input));
}

/** What storing an inbound message learns in its first statement (lookUpInbound). */
type InboundLookup = { duplicate: true } | { duplicate: false; identity: null } | { duplicate: false; identity: IdentityRow; active: ThreadRow[]; openFeedback: OpenFeedback | null };

/**
 * The first statement of storing an inbound message, in one round trip: whether its platform id
 * was stored already (a duplicate delivery), the identity behind it with its resident, the
 * identity's conversations that are not resolved (newest first, for the threading rule) and its
 * open "Voelde je je gehoord?" (src/db/feedback.repo.ts). One row per such conversation.
 */
async function lookUpInbound(tx: Tx, message: InboundMessage): Promise<InboundLookup> {
  const rows = await sqlRows(
    tx,
    `SELECT (SELECT 1 FROM "Message" d WHERE d."channel" = ? AND d."channelMessageId" = ? LIMIT 1) AS "duplicate",
      ${IDENTITY_COLUMNS}, ${threadColumns("c", "conversation_")}, o.*
    FROM (SELECT 1 AS "one") k
    LEFT JOIN "ChannelIdentity" i ON i."channel" = ? AND i."externalId" = ?
    LEFT JOIN "Resident" r ON r."id" = i."residentId"
    LEFT JOIN "Conversation" c ON c."channelIdentityId" = i."id" AND c."status" <> 'resolved'
    LEFT JOIN (${OPEN_FEEDBACK_BY_ADDRESS}) o ON 1 = 1
    ORDER BY c."createdAt" DESC`,
    [message.channel, message.channelMessageId, message.channel, message.externalId, message.channel, message.externalId],
  );
  const first = rows[0];
  if (!first) throw new Error("the inbound look-up returned no row");
  if (first.duplicate !== null && first.duplicate !== undefined) return { duplicate: true };
  if (first.id === null || first.id === undefined) return { duplicate: false, identity: null };
  return {
    duplicate: false,
    identity: identityRow(first),
    active: rows.flatMap((row) => threadRowOf(row, "conversation_") ?? []),
    openFeedback: openFeedbackOf(first),
  };
}

async function storeInboundIn(tx: Tx, input: StoreInput): Promise<{ stored: boolean; conversationId: string | null }> {
  const { message } = input;
  const lookup = await lookUpInbound(tx, message);
  if (lookup.duplicate) return { stored: false, conversationId: null };
  const clock = input.now();
  const now = message.receivedAt ?? clock;
  const identityInput = {
    gemeenteId: input.gemeenteId,
    channel: message.channel,
    externalId: message.externalId,
    reference: message.reference,
    ...(message.locale?.startsWith("en") ? { language: "en" as const } : {}),
    now: clock,
  };
  if (!lookup.identity) return storeFirstContact(tx, input, newIdentity(identityInput), now);
  const { identity, resident } = await refreshIdentity(tx, lookup.identity, identityInput);
  const candidates = await listThreadCandidates(tx, identity.id, { active: lookup.active });
  const isCommand = input.isCommand ?? (() => false);
  // An answer to "Voelde je je gehoord?" goes to its conversation (src/trust/feedback.ts); anything else as usual.
  const feedback = await matchFeedbackAnswer(tx, {
    channelIdentityId: identity.id,
    candidates,
    message: { text: message.text, value: message.value, hasMedia: Boolean(message.media || message.location) },
    now,
    isCommand,
    open: lookup.openFeedback,
  });
  // A tapped trust pulse button goes to the pulse's own conversation, never reopening it (src/trust/trustPulse.ts).
  const pulseTap = feedback ? null : readTrustPulseTap(message.value);
  const pulseConversationId = pulseTap ? await findConversationOfTrustPulse(tx, pulseTap.pulseId, identity.id) : null;
  const pulseChoice = pulseConversationId ? { kind: "existing" as const, conversationId: pulseConversationId, reopen: false } : null;
  const choice = feedback?.choice ?? pulseChoice ?? pickConversation(candidates, { now, isCommand, text: message.text });
  // The candidates already carry what is needed of the chosen conversation.
  let conversation: { id: string; status: string; lastMessageAt: Date } | null =
    choice.kind === "existing"
      ? (candidates.find((c) => c.id === choice.conversationId) ??
        (await tx.conversation.findUniqueOrThrow({ where: { id: choice.conversationId }, select: { id: true, status: true, lastMessageAt: true } })))
      : null;
  if (conversation && conversation.status === "bot" && now.getTime() - conversation.lastMessageAt.getTime() > input.staleBotConversationMs) {
    await changeStatus(tx, conversation.id, "resolved", { now });
    conversation = null;
  }
  if (conversation && choice.kind === "existing" && choice.reopen) {
    // A follow-up to a conversation staff resolved lately: back with them (the turn tells the inbox).
    await changeStatus(tx, conversation.id, "open", { now });
    conversation = { ...conversation, status: "open" };
  }
  conversation ??= await createConversation(tx, {
    gemeenteId: input.gemeenteId,
    residentId: resident.id,
    channelIdentityId: identity.id,
    channel: message.channel,
    wijkId: resident.wijkId,
    now,
  });
  // Stores of one chat take turns (storeInboundOnce), so the look-up saw any earlier delivery; should
  // one still get in between, this fails on the platform id's unique key (on PostgreSQL when this
  // write is sent, before the COMMIT) and recordInbound runs the store again, finding the duplicate.
  const stored = inboundMessageInsert(conversation.id, message, now);
  await sqlRunAll(tx, [stored.statement]);
  if (feedback) await recordFeedbackAnswer(tx, feedback, stored.id, now);
  if (conversation.status !== "bot") await tx.conversation.update({ where: { id: conversation.id }, data: { lastMessageAt: now } });
  return { stored: true, conversationId: conversation.id };
}

/**
 * A first contact: no conversation to thread into, no feedback or trust pulse to answer (those
 * belong to the identity's conversations), so a new conversation. The reference counter, resident,
 * identity, conversation, status change and message are written in one round trip on PostgreSQL
 * (sqlRunAll; in a hot-path transaction together with the COMMIT). A second first message of the
 * chat waits for this store (storeInboundOnce) and then finds the identity; one that still got in
 * between would fail on the identity's unique key, and recordInbound runs it again.
 */
async function storeFirstContact(tx: Tx, input: StoreInput, fresh: ReturnType<typeof newIdentity>, now: Date): Promise<{ stored: boolean; conversationId: string | null }> {
  const { resident, identity } = fresh.found;
  const { conversationId, statements } = await prepareFirstConversation(tx, {
    gemeenteId: input.gemeenteId,
    residentId: resident.id,
    channelIdentityId: identity.id,
    channel: input.message.channel,
    wijkId: resident.wijkId,
    now,
  });
  await sqlRunAll(tx, [...fresh.statements, ...statements, inboundMessageInsert(conversationId, input.message, now).statement]);
  return { stored: true, conversationId };
}

/**
 * Runs `turn` in one transaction that holds the conversation's turn lock, so its messages are
 * handled one at a time: on PostgreSQL a transaction-scoped advisory lock (across service
 * instances); the SQLite adapter runs one transaction at a time on its one connection.
 */
export async function runConversationTurn<T>(db: Db, provider: DatabaseProvider, conversationId: string, turn: (tx: Tx) => Promise<T>): Promise<T> {
  // SQLite: the turn shares a transaction (one commit) with others, in its own savepoint.
  const group = groupCommitOf(db);
  if (group) return group.turn(turn);
  if (provider !== "postgresql") throw new Error(`no turn transaction for ${provider}`);
  // The advisory lock is taken after BEGIN in the round trip of the turn's first statement, which
  // PostgreSQL runs after the lock is granted (each statement of a simple query has its own snapshot).
  return postgresHotTransaction(db, { lockKey: conversationId, idleTimeoutMs: TURN_TRANSACTION_IDLE_MS }, turn);
}

/**
 * Marks the conversation's oldest waiting message handled and queues the apology (in the
 * resident's language) in the same transaction; null when no message was waiting. `now` is read
 * once the waiting message is found.
 */
export async function recordFailedTurn(db: Db, conversationId: string, input: { now: () => Date; apology: (language: "nl" | "en") => string }): Promise<{ conversationId: string } | null> {
  return db.$transaction(async (tx) => {
    const next = await nextUnprocessedInbound(tx, conversationId);
    if (!next) return null;
    const now = input.now();
    await tx.message.update({ where: { id: next.id }, data: { processedAt: now } });
    const conversation = await tx.conversation.findUniqueOrThrow({ where: { id: conversationId }, include: { resident: true } });
    // Erased meanwhile: nobody to apologise to.
    if (!conversation.resident || !conversation.channelIdentityId) return { conversationId };
    const language = conversation.resident.language === "en" ? "en" : "nl";
    const channel = ChannelSchema.parse(conversation.channel);
    await addOutboundMessage(tx, {
      conversationId,
      residentId: conversation.resident.id,
      channelIdentityId: conversation.channelIdentityId,
      channel,
      payload: { text: input.apology(language), buttons: [] },
      authorKind: "bot",
      now,
    });
    return { conversationId };
  });
}

/**
 * Forgets what a resident wrote (text, media, location of every inbound message): kept only while
 * handled, without consent. Returns the media references it forgot, so their files can go too.
 */
export async function forgetInboundContent(tx: Tx, residentId: string): Promise<string[]> {
  // A 112 or 113 conversation keeps what the resident wrote, for staff to help (vital interests, AVG art. 6(1)(d); src/privacy/privacyStatement.ts "emergency").
  const conversation = { residentId, emergency: null };
  const media = await tx.message.findMany({ where: { conversation, direction: "in", mediaRef: { not: null } }, select: { mediaRef: true } });
  await tx.message.updateMany({ where: { conversation, direction: "in" }, data: { text: null, mediaRef: null, latitude: null, longitude: null } });
  return media.flatMap((m) => (m.mediaRef === null ? [] : [m.mediaRef]));
}

/** One inbound message's place in its resident's stream: its id and when it was sent. */
export interface InboundRef {
  id: string;
  createdAt: Date;
}

/** Messages before `message` (or it) in stream order: by time, then id, as turns handle them (SQL over `m`, with its parameters). */
const upTo = (message: InboundRef, inclusive: boolean) => ({
  sql: `(m."createdAt" < ? OR (m."createdAt" = ? AND m."id" ${inclusive ? "<=" : "<"} ?))`,
  params: [message.createdAt, message.createdAt, message.id],
});

/**
 * How many messages one channel identity (a Telegram chat, a WhatsApp number…) sent in the
 * `windowMs` up to and including `message`, over all its conversations. Every turn asks this
 * (the flood limit): one prepared statement (src/db/sql.ts).
 */
export async function countRecentInbound(db: DbOrTx, channelIdentityId: string, message: InboundRef, windowMs: number): Promise<number> {
  const before = upTo(message, true);
  const rows = await sqlRows(
    db,
    `SELECT COUNT(*) AS "n" FROM "Message" m JOIN "Conversation" c ON c."id" = m."conversationId"
    WHERE c."channelIdentityId" = ? AND m."direction" = 'in' AND m."createdAt" > ? AND ${before.sql}`,
    [channelIdentityId, new Date(message.createdAt.getTime() - windowMs), ...before.params],
  );
  return rows[0] ? numberOf(rows[0], "n") : 0;
}

/** The identity's inbound message just before `message`, or null for its first. */
export async function findPreviousInbound(db: DbOrTx, channelIdentityId: string, message: InboundRef): Promise<InboundRef | null> {
  const before = upTo(message, false);
  const rows = await sqlRows(
    db,
    `SELECT m."id", m."createdAt" FROM "Message" m JOIN "Conversation" c ON c."id" = m."conversationId"
    WHERE c."channelIdentityId" = ? AND m."direction" = 'in' AND ${before.sql}
    ORDER BY m."createdAt" DESC, m."id" DESC LIMIT 1`,
    [channelIdentityId, ...before.params],
  );
  const row = rows[0];
  return row ? { id: textOf(row, "id"), createdAt: dateOf(row, "createdAt") } : null;
}
