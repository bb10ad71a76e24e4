/**
 * The read side of the conversations API (CONTRACTS: /api/v1): GET /conversations and
 * GET /conversations/:id, for staff, limited to what the caller may see.
 */
import { Router, type RequestHandler } from "express";
import { z } from "zod";
import { ThemeSchema } from "../conversation/triage.ts";
import type { Db } from "../db/client.ts";
import { decodeConversationCursor, getConversation, listConversations, type ConversationDetailView, type ConversationView } from "../db/conversationQuery.repo.ts";
import { scopeOf } from "../domain/access.ts";
import { ChannelSchema, ConversationStatusSchema } from "../domain/messages.ts";
import { findFeedbackOfConversation } from "../db/feedback.repo.ts";
import { findForwardOfConversation } from "../db/open311Forward.repo.ts";
import { HttpError } from "../http/errors.ts";
import { requireStaff, staffOf, type StaffPrincipal } from "./auth.ts";
import {
  ActionError,
  addStaffNote,
  assignConversation,
  changeConversationWijk,
  replyToConversation,
  setConversationStatus,
  setConversationTheme,
  StatusChangeSchema,
} from "../inbox/conversationActions.ts";
import { jsonBody } from "../http/bodyParsers.ts";

/** A query parameter given once (express turns a repeated one into an array). */
const once = z.string();

/** The query of GET /conversations. */
export const ListConversationsQuerySchema = z.strictObject({
  // ?status=open,waiting and ?status=open&status=waiting both work.
  status: z
    .union([z.string(), z.array(z.string())])
    .transform((value) =>
      [value]
        .flat()
        .flatMap((part) => part.split(","))
        .map((part) => part.trim()),
    )
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
    language: view.language,
    createdAt: view.createdAt.toISOString(),
    lastMessageAt: view.lastMessageAt.toISOString(),
    firstResponseAt: view.firstResponseAt?.toISOString() ?? null,
    resolvedAt: view.resolvedAt?.toISOString() ?? null,
    assignee: view.assignee,
    channelAddress: view.channelAddress,
  };
}

/** "Voelde je je gehoord?" of a conversation, as staff may read it (never the trust pulse: that is never per person). */
export interface ConversationFeedbackView {
  status: string;
  score: number | null;
  reopened: boolean;
  askedAt: Date | null;
  scoredAt: Date | null;
  commentedAt: Date | null;
}

/** The forward of a melding to the gemeente's meldingen system (Open311), if any. */
export interface ConversationForwardView {
  status: string;
  externalId: string | null;
  externalStatus: string | null;
  externalNotes: string | null;
  sentAt: Date | null;
  closedAt: Date | null;
}

/** A conversation with its messages as JSON, oldest message first, with its feedback and Open311 forward (null when none). */
export function toConversationDetailJson(
  view: ConversationDetailView,
  extra: { feedback: ConversationFeedbackView | null; forward: ConversationForwardView | null } = { feedback: null, forward: null },
) {
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    ...toConversationJson(view),
    feedback: extra.feedback
      ? {
          status: extra.feedback.status,
          score: extra.feedback.score,
          reopened: extra.feedback.reopened,
          commented: extra.feedback.commentedAt !== null,
          askedAt: iso(extra.feedback.askedAt),
          scoredAt: iso(extra.feedback.scoredAt),
        }
      : null,
    open311: extra.forward
      ? {
          status: extra.forward.status,
          serviceRequestId: extra.forward.externalId,
          externalStatus: extra.forward.externalStatus,
          statusNotes: extra.forward.externalNotes,
          sentAt: iso(extra.forward.sentAt),
          closedAt: iso(extra.forward.closedAt),
        }
      : null,
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
    const page = await listConversations(deps.db, scopeOf(staffOf(res)), {
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
    const conversation = id.success ? await getConversation(deps.db, scopeOf(staffOf(res)), id.data) : null;
    // Same answer for missing and out of scope (CONTRACTS): an id reveals nothing.
    if (!conversation) throw new HttpError(404, "not_found", "There is no conversation with this id that you may see.");
    const [feedback, forward] = await Promise.all([findFeedbackOfConversation(deps.db, conversation.id), findForwardOfConversation(deps.db, conversation.id)]);
    res.json(toConversationDetailJson(conversation, { feedback, forward }));
  });

  const withBody = jsonBody("64kb");
  const TextBodySchema = z.object({ text: z.string() }).strict();

  /** Runs a staff action and maps its errors to HTTP (404 outside the caller's tandems). */
  const act = (handler: (staff: StaffPrincipal, id: string, body: unknown) => Promise<unknown>): RequestHandler => {
    return async (req, res) => {
      const id = ConversationIdSchema.safeParse(req.params.id);
      if (!id.success) throw new HttpError(404, "not_found", "There is no conversation with this id that you may see.");
      try {
        const result = await handler(staffOf(res), id.data, req.body);
        res.status(result === undefined ? 204 : 201);
        if (result === undefined) res.end();
        else res.json(result);
      } catch (error) {
        if (error instanceof ActionError) throw new HttpError(error.status, error.code, error.status === 404 ? "There is no conversation with this id that you may see." : error.message);
        throw error;
      }
    };
  };
  const textOf = (body: unknown): string => {
    const parsed = TextBodySchema.safeParse(body);
    if (!parsed.success) throw new HttpError(400, "invalid_body", 'Send {"text": "…"}.');
    return parsed.data.text;
  };

  router.post(
    "/conversations/:id/messages",
    staffOnly,
    withBody,
    act(async (staff, id, body) => {
      const message = await replyToConversation(deps.db, staff, id, textOf(body));
      return { id: message.id, direction: "out", text: message.text, at: message.createdAt.toISOString() };
    }),
  );

  router.post(
    "/conversations/:id/notes",
    staffOnly,
    withBody,
    act(async (staff, id, body) => {
      const note = await addStaffNote(deps.db, staff, id, textOf(body));
      return { id: note.id, direction: "note", text: note.text, at: note.createdAt.toISOString() };
    }),
  );

  router.post(
    "/conversations/:id/status",
    staffOnly,
    withBody,
    act(async (staff, id, body) => {
      const parsed = StatusChangeSchema.safeParse(body);
      if (!parsed.success)
        throw new HttpError(400, "invalid_body", 'Send {"status": "open" | "waiting" | "resolved"} or {"status": "snoozed", "until": "<ISO time>"} (no until: until the resident writes).');
      await setConversationStatus(deps.db, staff, id, parsed.data);
      return undefined;
    }),
  );

  router.post(
    "/conversations/:id/assignee",
    staffOnly,
    withBody,
    act(async (staff, id, body) => {
      const parsed = z
        .object({ staffUserId: z.string().min(1).nullable() })
        .strict()
        .safeParse(body);
      if (!parsed.success) throw new HttpError(400, "invalid_body", 'Send {"staffUserId": "<id>"} or {"staffUserId": null}.');
      await assignConversation(deps.db, staff, id, parsed.data.staffUserId);
      return undefined;
    }),
  );

  router.post(
    "/conversations/:id/wijk",
    staffOnly,
    withBody,
    act(async (staff, id, body) => {
      const parsed = z
        .object({ wijk: z.string().min(1) })
        .strict()
        .safeParse(body);
      if (!parsed.success) throw new HttpError(400, "invalid_body", 'Send {"wijk": "<slug>"}.');
      await changeConversationWijk(deps.db, staff, id, parsed.data.wijk);
      return undefined;
    }),
  );

  router.post(
    "/conversations/:id/theme",
    staffOnly,
    withBody,
    act(async (staff, id, body) => {
      const parsed = z
        .object({ theme: z.string().min(1) })
        .strict()
        .safeParse(body);
      if (!parsed.success) throw new HttpError(400, "invalid_body", 'Send {"theme": "<theme>"}.');
      await setConversationTheme(deps.db, staff, id, parsed.data.theme);
      return undefined;
    }),
  );

  return router;
}
