/**
 * The read side of the conversations API (CONTRACTS: /api/v1): GET /conversations and
 * GET /conversations/:id, for staff, limited to what the caller may see.
 */
import { Router } from "express";
import { z } from "zod";
import { ThemeSchema } from "../conversation/triage.ts";
import type { Db } from "../db/client.ts";
import {
  decodeConversationCursor,
  getConversation,
  listConversations,
  scopeForStaff,
  type ConversationDetailView,
  type ConversationView,
} from "../db/conversationQuery.repo.ts";
import { ChannelSchema, ConversationStatusSchema } from "../domain/messages.ts";
import { HttpError } from "../http/errors.ts";
import { requireStaff, staffOf } from "./auth.ts";

/** A query parameter given once (express turns a repeated one into an array). */
const once = z.string();

/** The query of GET /conversations. */
export const ListConversationsQuerySchema = z.strictObject({
  // ?status=open,waiting and ?status=open&status=waiting both work.
  status: z
    .union([z.string(), z.array(z.string())])
    .transform((value) => [value].flat().flatMap((part) => part.split(",")).map((part) => part.trim()))
    .pipe(z.array(ConversationStatusSchema).min(1))
    .optional(),
  wijk: once.regex(/^[a-z0-9][a-z0-9-]{0,99}$/).optional(),
  theme: ThemeSchema.optional(),
  channel: ChannelSchema.optional(),
  limit: once
    .regex(/^\d{1,3}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(100))
    .default(25),
  cursor: once
    .transform((text, ctx) => {
      const cursor = decodeConversationCursor(text);
      if (!cursor) ctx.addIssue({ code: "custom", message: "not a cursor" });
      return cursor ?? undefined;
    })
    .optional(),
});
export type ListConversationsQuery = z.infer<typeof ListConversationsQuerySchema>;

/** What each parameter takes, for error messages that say how to fix the request. */
const PARAMETER_HELP: Record<keyof ListConversationsQuery, string> = {
  status: `one or more of ${ConversationStatusSchema.options.join(", ")}, separated by commas`,
  wijk: "a wijk slug such as coevering (see GET /api/v1/wijken)",
  theme: `one of ${ThemeSchema.options.join(", ")}`,
  channel: `one of ${ChannelSchema.options.join(", ")}`,
  limit: "a whole number from 1 to 100 (default 25)",
  cursor: "the nextCursor of a previous page, unchanged",
};

function isParameter(name: PropertyKey | undefined): name is keyof ListConversationsQuery {
  return typeof name === "string" && Object.hasOwn(PARAMETER_HELP, name);
}

/** Turns zod issues into one 400 that names each bad parameter and what it takes. */
function invalidQuery(error: z.ZodError): HttpError {
  const problems: { parameter: string; message: string }[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) problems.push({ parameter: key, message: `unknown parameter "${key}"; known: ${Object.keys(PARAMETER_HELP).join(", ")}` });
      continue;
    }
    const name = issue.path[0];
    if (isParameter(name)) problems.push({ parameter: name, message: `"${name}" must be ${PARAMETER_HELP[name]}` });
    else problems.push({ parameter: String(name ?? "query"), message: issue.message });
  }
  const unique = problems.filter((problem, index) => problems.findIndex((other) => other.parameter === problem.parameter) === index);
  const message = `Invalid query: ${unique.map((problem) => problem.message).join("; ")}.`;
  return new HttpError(400, "invalid_query", message, unique);
}

/** A conversation as JSON (CONTRACTS: Conversation), dates as ISO 8601 strings. */
export function toConversationJson(view: ConversationView) {
  return {
    id: view.id,
    reference: view.reference,
    channel: view.channel,
    wijk: view.wijk,
    tandem: view.tandem,
    status: view.status,
    intent: view.intent,
    theme: view.theme,
    emergency: view.emergency,
    createdAt: view.createdAt.toISOString(),
    lastMessageAt: view.lastMessageAt.toISOString(),
    firstResponseAt: view.firstResponseAt?.toISOString() ?? null,
    resolvedAt: view.resolvedAt?.toISOString() ?? null,
    assignee: view.assignee,
  };
}

/** A conversation with its messages as JSON, oldest message first. */
export function toConversationDetailJson(view: ConversationDetailView) {
  return {
    ...toConversationJson(view),
    messages: view.messages.map((message) => ({
      id: message.id,
      direction: message.direction,
      text: message.text,
      at: message.at.toISOString(),
      author: message.author,
      ...(message.photo ? { photo: message.photo } : {}),
      ...(message.location ? { location: message.location } : {}),
    })),
  };
}

/** Ids are cuids; anything else cannot exist, and is answered like a missing conversation. */
const ConversationIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/);

/** Routes for reading conversations; each needs a staff user (bearer token). */
export function conversationsRoutes(deps: { db: Db }): Router {
  const router = Router();
  const staffOnly = requireStaff(deps.db);

  router.get("/conversations", staffOnly, async (req, res) => {
    const parsed = ListConversationsQuerySchema.safeParse(req.query);
    if (!parsed.success) throw invalidQuery(parsed.error);
    const query = parsed.data;
    const page = await listConversations(deps.db, scopeForStaff(staffOf(res)), {
      statuses: query.status,
      wijk: query.wijk,
      theme: query.theme,
      channel: query.channel,
      limit: query.limit,
      cursor: query.cursor,
    });
    res.json({ items: page.items.map(toConversationJson), nextCursor: page.nextCursor });
  });

  router.get("/conversations/:id", staffOnly, async (req, res) => {
    const id = ConversationIdSchema.safeParse(req.params.id);
    const conversation = id.success ? await getConversation(deps.db, scopeForStaff(staffOf(res)), id.data) : null;
    // Same answer for missing and out of scope (CONTRACTS): an id reveals nothing.
    if (!conversation) throw new HttpError(404, "not_found", "There is no conversation with this id that you may see.");
    res.json(toConversationDetailJson(conversation));
  });

  return router;
}
