/**
 * Reading conversations for staff: the inbox list and one conversation with its messages.
 * Every query takes the caller's scope as a required parameter, so nobody sees another tandem's
 * conversations by accident; a conversation without a tandem is visible to admins only (but an
 * emergency: src/domain/access.ts).
 */
import { z } from "zod";
import type { AccessScope } from "../domain/access.ts";
import { ChannelSchema, ConversationStatusSchema, type Channel, type ConversationStatus } from "../domain/messages.ts";
import { maskChannelAddress } from "../privacy/maskChannelAddress.ts";
import type { DbOrTx } from "./client.ts";
import type { Prisma } from "./generated/sqlite/client.ts";

/** What a caller may see (src/domain/access.ts: build it with `scopeOf`). */
export type ConversationScope = AccessScope;

/** Where a page of the list ends: the sort key (lastMessageAt desc, id desc) of its last item. */
export interface ConversationCursor {
  lastMessageAt: Date;
  id: string;
}

/** Filters of the conversation list; all optional but `limit`. */
export interface ConversationFilters {
  statuses?: readonly ConversationStatus[] | undefined;
  /** A wijk slug. */
  wijk?: string | undefined;
  theme?: string | undefined;
  channel?: Channel | undefined;
  /** 1–100. */
  limit: number;
  cursor?: ConversationCursor | undefined;
}

/** A conversation as staff see it (CONTRACTS: Conversation), with dates still as dates. */
export interface ConversationView {
  id: string;
  reference: string;
  channel: Channel;
  /** Slugs, or null while unknown. */
  wijk: string | null;
  tandem: string | null;
  status: ConversationStatus;
  intent: string | null;
  theme: string | null;
  /** null, "112" or "113". */
  emergency: string | null;
  /** The language the resident writes in (DetectedLanguage: nl en tr ar pl uk de other), or null while unknown. */
  language: string | null;
  createdAt: Date;
  lastMessageAt: Date;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  assignee: { email: string; name: string } | null;
  /** The resident's address on the channel, masked ("+31 6 •••• 4321"); staff never get the full number or chat id. */
  channelAddress: string | null;
}

/** One message of a conversation as staff see it. */
export interface ConversationMessageView {
  id: string;
  direction: "in" | "out" | "note";
  text: string | null;
  at: Date;
  /** "resident", "bot", or the display name of the staff user who wrote it. */
  author: string;
  photo?: { mediaRef: string };
  location?: { latitude: number; longitude: number };
}

/** A conversation with its messages, oldest first. */
export interface ConversationDetailView extends ConversationView {
  messages: ConversationMessageView[];
}

/** One page of the list, and the cursor of the next page (null on the last one). */
export interface ConversationPage {
  items: ConversationView[];
  nextCursor: string | null;
}

const CursorSchema = z.tuple([z.iso.datetime(), z.string().min(1).max(100)]);

/** Makes the opaque cursor for a sort key: base64url of `[lastMessageAt, id]`. */
export function encodeConversationCursor(cursor: ConversationCursor): string {
  return Buffer.from(JSON.stringify([cursor.lastMessageAt.toISOString(), cursor.id])).toString("base64url");
}

/** Reads a cursor made by `encodeConversationCursor`; null when it is not one. */
export function decodeConversationCursor(text: string): ConversationCursor | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const parsed = CursorSchema.safeParse(json);
  if (!parsed.success) return null;
  return { lastMessageAt: new Date(parsed.data[0]), id: parsed.data[1] };
}

/** The fields of a conversation the API and the inbox list show. */
export const conversationSelect = {
  id: true,
  reference: true,
  channel: true,
  status: true,
  intent: true,
  theme: true,
  emergency: true,
  language: true,
  createdAt: true,
  lastMessageAt: true,
  firstResponseAt: true,
  resolvedAt: true,
  wijk: { select: { slug: true } },
  tandem: { select: { slug: true } },
  assignee: { select: { email: true, displayName: true } },
  // Read only to be masked in toConversationView: the full address stays inside src/db.
  channelIdentity: { select: { externalId: true } },
} as const satisfies Prisma.ConversationSelect;

type ConversationRow = Prisma.ConversationGetPayload<{ select: typeof conversationSelect }>;

/** The conversations `scope` may see, as a filter (the rule is src/domain/access.ts: canSee). */
export function conversationScopeWhere(scope: ConversationScope): Prisma.ConversationWhereInput {
  // An erased resident's conversations stay only as anonymous counts (no resident): nobody sees them.
  const kept: Prisma.ConversationWhereInput = { gemeenteId: scope.gemeenteId, residentId: { not: null } };
  if (scope.tandemIds === "all") return kept;
  // `in` never matches a null tandemId: tandem-less conversations are for admins, and for gebiedsregisseurs once they need a person (isUnrouted).
  const inTandems: Prisma.ConversationWhereInput = { tandemId: { in: [...scope.tandemIds] } };
  if (!scope.unrouted) return { ...kept, ...inTandems };
  return { ...kept, OR: [inTandems, { tandemId: null, OR: [{ emergency: { not: null } }, { status: { not: "bot" } }] }] };
}

/** A conversation row as the API and the inbox show it. */
export function toConversationView(row: ConversationRow): ConversationView {
  return {
    id: row.id,
    reference: row.reference,
    channel: ChannelSchema.parse(row.channel),
    wijk: row.wijk?.slug ?? null,
    tandem: row.tandem?.slug ?? null,
    status: ConversationStatusSchema.parse(row.status),
    intent: row.intent,
    theme: row.theme,
    emergency: row.emergency,
    language: row.language,
    createdAt: row.createdAt,
    lastMessageAt: row.lastMessageAt,
    firstResponseAt: row.firstResponseAt,
    resolvedAt: row.resolvedAt,
    assignee: row.assignee ? { email: row.assignee.email, name: row.assignee.displayName } : null,
    channelAddress: row.channelIdentity ? maskChannelAddress(ChannelSchema.parse(row.channel), row.channelIdentity.externalId) : "",
  };
}

/**
 * The conversations in `scope` that match `filters`, most recent activity first. Keyset
 * pagination on (lastMessageAt, id): a page stays correct while new messages arrive.
 */
export async function listConversations(db: DbOrTx, scope: ConversationScope, filters: ConversationFilters): Promise<ConversationPage> {
  const and: Prisma.ConversationWhereInput[] = [conversationScopeWhere(scope)];
  if (filters.statuses && filters.statuses.length > 0) and.push({ status: { in: [...filters.statuses] } });
  if (filters.wijk !== undefined) and.push({ wijk: { is: { slug: filters.wijk } } });
  if (filters.theme !== undefined) and.push({ theme: filters.theme });
  if (filters.channel !== undefined) and.push({ channel: filters.channel });
  if (filters.cursor) {
    const { lastMessageAt, id } = filters.cursor;
    and.push({ OR: [{ lastMessageAt: { lt: lastMessageAt } }, { lastMessageAt, id: { lt: id } }] });
  }
  const limit = Math.min(Math.max(Math.trunc(filters.limit), 1), 100);
  const rows = await db.conversation.findMany({
    where: { AND: and },
    select: conversationSelect,
    orderBy: [{ lastMessageAt: "desc" }, { id: "desc" }],
    // One more than asked tells whether there is a next page.
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toConversationView),
    nextCursor: rows.length > limit && last ? encodeConversationCursor({ lastMessageAt: last.lastMessageAt, id: last.id }) : null,
  };
}

/** One conversation in `scope` with its messages (oldest first), or null when absent or out of scope. */
export async function getConversation(db: DbOrTx, scope: ConversationScope, id: string): Promise<ConversationDetailView | null> {
  const row = await db.conversation.findFirst({
    where: { AND: [conversationScopeWhere(scope), { id }] },
    select: {
      ...conversationSelect,
      messages: {
        select: {
          id: true,
          direction: true,
          authorKind: true,
          text: true,
          mediaRef: true,
          latitude: true,
          longitude: true,
          createdAt: true,
          authorStaff: { select: { displayName: true } },
        },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      },
    },
  });
  if (!row) return null;
  return {
    ...toConversationView(row),
    messages: row.messages.map((message) => ({
      id: message.id,
      direction: MessageDirectionSchema.parse(message.direction),
      text: message.text,
      at: message.createdAt,
      author: authorOf(message),
      ...(message.mediaRef ? { photo: { mediaRef: message.mediaRef } } : {}),
      ...(message.latitude !== null && message.longitude !== null ? { location: { latitude: message.latitude, longitude: message.longitude } } : {}),
    })),
  };
}

const MessageDirectionSchema = z.enum(["in", "out", "note"]);

function authorOf(message: { direction: string; authorKind: string; authorStaff: { displayName: string } | null }): string {
  if (message.authorKind === "resident") return "resident";
  if (message.authorKind === "bot") return "bot";
  if (message.authorKind === "staff") return message.authorStaff?.displayName ?? "staff";
  // An older row without a kind: inbound messages come from the resident.
  return message.direction === "in" ? "resident" : "bot";
}
