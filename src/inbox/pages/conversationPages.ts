/**
 * The staff inbox pages: the list of my tandems' conversations, one conversation with its
 * actions, live updates (server-sent events), canned replies, and the admin overview. Server-
 * rendered Dutch HTML that works without JavaScript; inbox.js only adds live updates,
 * notifications and filling in canned replies.
 *
 * Every POST goes through the same conversation actions as the JSON API (scope, role, audit,
 * live event) and answers 303 back to the page with a fixed flash message. A conversation
 * outside the caller's tandems is a 404 page, never a 403, so that an id reveals nothing.
 * Mount after express.urlencoded, loadStaffSession, requireSignedIn and verifyCsrf.
 */
import { findAnsweredWijkbericht } from "../../db/wijkbericht.repo.ts";
import { Router, type Request, type RequestHandler, type Response } from "express";
import { z } from "zod";
import { staffOf, type StaffPrincipal } from "../../api/auth.ts";
import type { Globals, Settings } from "../../conversation/flowSchema.ts";
import { messageText } from "../../conversation/messageText.ts";
import type { Db } from "../../db/client.ts";
import { getConversation } from "../../db/conversationQuery.repo.ts";
import { checkpointAfterErasure } from "../../db/ops.repo.ts";
import { findResidentIdByReference } from "../../db/residentData.repo.ts";
import { inTransaction } from "../../db/transaction.ts";
import { eraseResidentData } from "../../privacy/residentData.ts";
import {
  createCannedReply,
  deleteCannedReply,
  findColleague,
  getConversationContext,
  listAllWijken,
  listCannedReplies,
  listConversationsByWaitingTime,
  listConversationsWithoutTandem,
  listDeadOutboxMessages,
  listTandemColleagues,
  listTandemsInScope,
  listWijkenInScope,
  retryDeadOutboxMessage,
  MAX_LIST_LIMIT,
  type ConversationContext,
} from "../../db/inbox.repo.ts";
import { scopeOf } from "../../domain/access.ts";
import { ConversationStatusSchema, type ConversationStatus } from "../../domain/messages.ts";
import { zonedTimeToDate } from "../../domain/time.ts";
import { ActionError, addStaffNote, assignConversation, changeConversationWijk, clearEmergencyFlag, replyToConversation, setConversationStatus, setConversationTheme } from "../conversationActions.ts";
import { html, type SafeHtml } from "../../http/html.ts";
import { page, type PageUser } from "../layout.ts";
import { renderAdminPage, type WhatsappWebStatusView } from "./adminPage.ts";
import { renderCannedPage } from "./cannedPage.ts";
import { awaitsResidentAnswer, fillPlaceholders, renderConversationPage, renderResolveConfirmPage } from "./conversationPage.ts";
import { findFeedbackOfConversation } from "../../db/feedback.repo.ts";
import { listStaffAccounts } from "../../db/staffAccount.repo.ts";
import { describeFeedback } from "../../trust/feedback.ts";
import { findWijDedenOfConversation } from "../../db/wijDeden.repo.ts";
import { publishWijDeden } from "../../trust/publishWijDeden.ts";
import type { DoneCode, FailedCode } from "./format.ts";
import {
  AssignFormSchema,
  CannedFormSchema,
  ClearEmergencyFormSchema,
  EraseFormSchema,
  IdSchema,
  ListQuerySchema,
  NoteFormSchema,
  ReplyFormSchema,
  SnoozeFormSchema,
  ThemeFormSchema,
  WijkFormSchema,
} from "./forms.ts";
import { inboxAssetRoutes } from "./inboxAssets.ts";
import { inboxEventsHandler, type InboxEventsOptions } from "./inboxEvents.ts";
import { renderListPage } from "./listPage.ts";

export type { WhatsappWebStatusView } from "./adminPage.ts";

/** What the inbox pages need. */
export interface ConversationPagesDeps {
  db: Db;
  /** flows/settings.yaml as currently loaded (office hours, service target). */
  settings: () => Settings;
  /** The bot's texts as currently loaded: the "Voelde je je gehoord?" question shown before resolving. */
  globals?: () => Globals;
  /** The gemeente's time zone (dates on the pages, office hours, snooze times). */
  timeZone: string;
  /** The WhatsApp Web session, when that channel is on. */
  whatsappWebStatus?: () => WhatsappWebStatusView | null;
  /**
   * Draws a QR code as an SVG document (e.g. `qrcode`'s toString with type "svg"); its output is
   * inserted as is, so pass only a trusted library. Without it the page shows the code's text.
   */
  renderQrSvg?: (text: string) => string | Promise<string>;
  /** Where web chat photos are kept (DATA_DIR/media), for erasure from the admin page. */
  mediaDir?: string;
  /** The clock (tests pass a fixed one). */
  now?: () => Date;
  /** Heartbeat and lifetime of the event stream. */
  events?: InboxEventsOptions;
}

/** The longest text a reply or note may have (as conversationActions checks). */
const MAX_TEXT = 4000;

/** An action's result: a flash code to show after the redirect. */
type Outcome = { done: DoneCode } | { failed: FailedCode } | { confirm: string };

interface Viewer {
  staff: StaffPrincipal;
  user: PageUser;
}

function viewerOf(res: Response): Viewer {
  const staff = staffOf(res);
  const name = z.string().catch("").parse(res.locals.staffName);
  const csrfToken = z.string().catch("").parse(res.locals.csrfToken);
  return { staff, user: { name, role: staff.role, csrfToken } };
}

function sendPage(res: Response, viewer: Viewer, status: number, title: string, body: SafeHtml, current?: "inbox" | "admin"): void {
  // Resident data: never kept by a browser or proxy cache.
  res.setHeader("Cache-Control", "no-store");
  res
    .status(status)
    .type("html")
    .send(page({ title, user: viewer.user, body, ...(current ? { current } : {}) }));
}

function sendNotFound(res: Response, viewer: Viewer): void {
  sendPage(res, viewer, 404, "Niet gevonden", html`<h1>Niet gevonden</h1><p>Deze pagina of dit gesprek bestaat niet, of hoort niet bij jouw tandem.</p><p><a href="/inbox">Naar de gesprekken</a></p>`);
}

function sendForbidden(res: Response, viewer: Viewer): void {
  sendPage(
    res,
    viewer,
    403,
    "Niet toegestaan",
    html`<h1>Niet toegestaan</h1><p>Met jouw rol kun je dit niet doen. Als wethouder lees je mee en voeg je interne notities toe.</p><p><a href="/inbox">Naar de gesprekken</a></p>`,
  );
}

function redirectWith(res: Response, path: string, outcome: Outcome): void {
  if ("confirm" in outcome) {
    res.redirect(303, outcome.confirm);
    return;
  }
  const query = "done" in outcome ? `gedaan=${outcome.done}` : `fout=${outcome.failed}`;
  res.redirect(303, `${path}${path.includes("?") ? "&" : "?"}${query}`);
}

/** The flash code for an action's refusal (400 or 409). */
function failedCodeOf(error: ActionError, invalidBody: FailedCode): FailedCode {
  switch (error.code) {
    case "still_with_bot":
      return "bij-bot";
    case "invalid_assignee":
      return "collega";
    case "invalid_wijk":
      return "wijk";
    case "invalid_theme":
      return "thema";
    case "invalid_body":
    case "personal_details":
      return invalidBody;
    case "no_emergency":
      return "geen-vlag";
    case "not_resolved":
      return "niet-afgehandeld";
    case "already_published":
      return "al-gepubliceerd";
    default:
      return "mislukt";
  }
}

function statusesOf(choice: string): ConversationStatus[] {
  if (choice === "actief") return ["open", "waiting"];
  if (choice === "alle") return [];
  const parsed = ConversationStatusSchema.safeParse(choice);
  return parsed.success ? [parsed.data] : ["open", "waiting"];
}

/** The inbox pages' router: /inbox, /inbox/c/:id (+ its POSTs), /inbox/events, /inbox/canned, /inbox/admin. */
/** A wijkbericht the resident got this long before is shown beside their conversation ("antwoord op wijkbericht"). */
const ANSWERED_WIJKBERICHT_WITHIN_MS = 14 * 86_400_000;

export function conversationPages(deps: ConversationPagesDeps): Router {
  const router = Router();
  const { db, timeZone } = deps;
  const now = deps.now ?? (() => new Date());

  router.use(inboxAssetRoutes());

  router.get("/inbox", async (req, res) => {
    const viewer = viewerOf(res);
    const scope = scopeOf(viewer.staff);
    const parsed = ListQuerySchema.safeParse(req.query);
    const query = parsed.success ? parsed.data : ListQuerySchema.parse({});
    const [list, wijken] = await Promise.all([
      listConversationsByWaitingTime(db, scope, { statuses: statusesOf(query.status), wijk: query.wijk, theme: query.theme, channel: query.channel, limit: query.limit }),
      listWijkenInScope(db, scope),
    ]);
    const body = renderListPage({ page: list, query, rawQuery: req.query, wijken, settings: deps.settings(), timeZone, now: now(), isAdmin: viewer.staff.role === "admin" });
    sendPage(res, viewer, 200, "Gesprekken", body, "inbox");
  });

  router.get("/inbox/events", inboxEventsHandler(deps.events));

  router.get("/inbox/c/:id", async (req, res) => {
    const viewer = viewerOf(res);
    const scope = scopeOf(viewer.staff);
    const id = IdSchema.safeParse(req.params.id);
    const conversation = id.success ? await getConversation(db, scope, id.data) : null;
    const context = conversation ? await getConversationContext(db, scope, conversation.id) : null;
    if (!conversation || !context) return sendNotFound(res, viewer);
    const canAct = viewer.staff.role !== "wethouder";
    const [cannedReplies, colleagues, wijken] = canAct
      ? await Promise.all([
          context.tandemId ? listCannedReplies(db, scope, context.tandemId) : Promise.resolve([]),
          listTandemColleagues(db, viewer.staff.gemeenteId, context.tandemId),
          listAllWijken(db, viewer.staff.gemeenteId),
        ])
      : [[], [], []];
    // No tandem holds it (wijk unknown): the gebiedsregisseur who sees it may take it on ("Mij").
    const me = canAct && context.tandemId === null ? await findColleague(db, viewer.staff.gemeenteId, viewer.staff.staffUserId) : null;
    const [feedback, published, wijkbericht] = await Promise.all([
      findFeedbackOfConversation(db, conversation.id),
      findWijDedenOfConversation(db, conversation.id),
      findAnsweredWijkbericht(db, conversation.id, now(), ANSWERED_WIJKBERICHT_WITHIN_MS),
    ]);
    const body = renderConversationPage({
      wijkbericht,
      feedback: feedback ? describeFeedback(feedback) : null,
      publishedOn: published ? `/wijk/${published.wijk.slug}` : null,
      conversation,
      context,
      canAct,
      cannedReplies,
      colleagues,
      me,
      wijken,
      csrfToken: viewer.user.csrfToken,
      settings: deps.settings(),
      timeZone,
      now: now(),
      rawQuery: req.query,
    });
    sendPage(res, viewer, 200, `Gesprek ${conversation.reference}`, body, "inbox");
  });

  /**
   * A POST on a conversation: 404 page outside the caller's scope, 403 page for a role that may
   * not, otherwise the action and a 303 back with its flash message.
   */
  const act = (options: { wethouderMay: boolean; invalidBody: FailedCode }, run: (staff: StaffPrincipal, context: ConversationContext, body: unknown) => Promise<Outcome>): RequestHandler => {
    return async (req: Request, res: Response) => {
      const viewer = viewerOf(res);
      const scope = scopeOf(viewer.staff);
      const id = IdSchema.safeParse(req.params.id);
      const context = id.success ? await getConversationContext(db, scope, id.data) : null;
      if (!context) return sendNotFound(res, viewer);
      if (viewer.staff.role === "wethouder" && !options.wethouderMay) return sendForbidden(res, viewer);
      const path = `/inbox/c/${encodeURIComponent(context.id)}`;
      let outcome: Outcome;
      try {
        outcome = await run(viewer.staff, context, req.body);
      } catch (error) {
        if (!(error instanceof ActionError)) throw error;
        if (error.status === 404) return sendNotFound(res, viewer);
        if (error.status === 403) return sendForbidden(res, viewer);
        outcome = { failed: failedCodeOf(error, options.invalidBody) };
      }
      // After a move to another tandem's wijk the conversation may be out of sight now; so may an
      // unrouted one without its flag (src/domain/access.ts isUnrouted).
      if ("done" in outcome && outcome.done === "wijk" && !(await getConversationContext(db, scope, context.id))) return redirectWith(res, "/inbox", { done: "verplaatst" });
      if ("done" in outcome && outcome.done === "geen-nood" && !(await getConversationContext(db, scope, context.id))) return redirectWith(res, "/inbox", { done: "geen-nood-weg" });
      redirectWith(res, path, outcome);
    };
  };

  router.post(
    "/inbox/c/:id/reply",
    act({ wethouderMay: false, invalidBody: "antwoord-leeg" }, async (staff, context, body) => {
      const form = ReplyFormSchema.safeParse(body);
      if (!form.success) return { failed: "antwoord-te-lang" };
      let text = form.data.text.trim();
      if (!text && form.data.canned && context.tandemId) {
        const canned = (await listCannedReplies(db, scopeOf(staff), context.tandemId)).find((reply) => reply.id === form.data.canned);
        text = canned?.body.trim() ?? "";
      }
      if (!text) return { failed: "antwoord-leeg" };
      text = fillPlaceholders(text, { reference: context.reference, wijkName: context.wijkName });
      if (text.length > MAX_TEXT) return { failed: "antwoord-te-lang" };
      await replyToConversation(db, staff, context.id, text, { now: now() });
      return { done: "beantwoord" };
    }),
  );

  router.post(
    "/inbox/c/:id/note",
    act({ wethouderMay: true, invalidBody: "notitie-leeg" }, async (staff, context, body) => {
      const form = NoteFormSchema.safeParse(body);
      if (!form.success) return { failed: "notitie-te-lang" };
      const text = form.data.text.trim();
      if (!text) return { failed: "notitie-leeg" };
      if (text.length > MAX_TEXT) return { failed: "notitie-te-lang" };
      await addStaffNote(db, staff, context.id, text, { now: now() });
      return { done: "notitie" };
    }),
  );

  router.post(
    "/inbox/c/:id/assign",
    act({ wethouderMay: false, invalidBody: "collega" }, async (staff, context, body) => {
      const form = AssignFormSchema.safeParse(body);
      if (!form.success) return { failed: "collega" };
      await assignConversation(db, staff, context.id, form.data.assignee || null, { now: now() });
      return { done: "toegewezen" };
    }),
  );

  router.post(
    "/inbox/c/:id/wijk",
    act({ wethouderMay: false, invalidBody: "wijk" }, async (staff, context, body) => {
      const form = WijkFormSchema.safeParse(body);
      if (!form.success) return { failed: "wijk" };
      await changeConversationWijk(db, staff, context.id, form.data.wijk, { now: now() });
      return { done: "wijk" };
    }),
  );

  router.post(
    "/inbox/c/:id/theme",
    act({ wethouderMay: false, invalidBody: "thema" }, async (staff, context, body) => {
      const form = ThemeFormSchema.safeParse(body);
      if (!form.success) return { failed: "thema" };
      await setConversationTheme(db, staff, context.id, form.data.theme, { now: now() });
      return { done: "thema" };
    }),
  );

  router.post(
    "/inbox/c/:id/clear-emergency",
    act({ wethouderMay: false, invalidBody: "reden" }, async (staff, context, body) => {
      const form = ClearEmergencyFormSchema.safeParse(body);
      if (!form.success) return { failed: "reden" };
      await clearEmergencyFlag(db, staff, context.id, form.data.reason, { now: now() });
      return { done: "geen-nood" };
    }),
  );

  router.post(
    "/inbox/c/:id/snooze",
    act({ wethouderMay: false, invalidBody: "tijd" }, async (staff, context, body) => {
      const form = SnoozeFormSchema.safeParse(body);
      if (!form.success) return { failed: "tijd" };
      const at = now();
      if (form.data.mode === "bericht") {
        await setConversationStatus(db, staff, context.id, { status: "snoozed" }, { now: at });
      } else {
        const { year, month, day, hour, minute } = form.data.until;
        const until = zonedTimeToDate(timeZone, year, month, day, hour, minute);
        if (until <= at) return { failed: "tijd" };
        await setConversationStatus(db, staff, context.id, { status: "snoozed", until }, { now: at });
      }
      return { done: "uitgesteld" };
    }),
  );

  /** The question the resident gets on resolving, when they will get one (src/trust: once per conversation). */
  const feedbackQuestionOf = async (conversation: { id: string; reference: string; status: ConversationStatus; language: string | null; emergency: string | null }): Promise<string | null> => {
    // Never after a 112/113 conversation (src/trust/feedback.ts planFeedbackQuestion), so not promised either.
    if (!deps.globals || conversation.status === "bot" || conversation.emergency || (await findFeedbackOfConversation(db, conversation.id))) return null;
    return messageText(deps.globals(), "feedbackQuestion", conversation.language === "en" ? "en" : "nl", { reference: conversation.reference });
  };

  router.get("/inbox/c/:id/afhandelen", async (req, res) => {
    const viewer = viewerOf(res);
    const id = IdSchema.safeParse(req.params.id);
    const conversation = id.success ? await getConversation(db, scopeOf(viewer.staff), id.data) : null;
    if (!conversation) return sendNotFound(res, viewer);
    if (viewer.staff.role === "wethouder") return sendForbidden(res, viewer);
    const path = `/inbox/c/${encodeURIComponent(conversation.id)}`;
    if (conversation.status === "resolved") return res.redirect(303, path);
    const body = renderResolveConfirmPage({ conversation, csrfToken: viewer.user.csrfToken, timeZone, question: await feedbackQuestionOf(conversation) });
    sendPage(res, viewer, 200, `Gesprek ${conversation.reference} afhandelen?`, body, "inbox");
  });

  router.post(
    "/inbox/c/:id/resolve",
    act({ wethouderMay: false, invalidBody: "mislukt" }, async (staff, context, body) => {
      // Staff's own question still unanswered: ask first, on a page of its own (works without JavaScript).
      const confirmed = z.object({ bevestigd: z.literal("ja") }).safeParse(body).success;
      if (!confirmed && context.status !== "resolved") {
        const conversation = await getConversation(db, scopeOf(staff), context.id);
        if (conversation && awaitsResidentAnswer(conversation.messages)) return { confirm: `/inbox/c/${encodeURIComponent(context.id)}/afhandelen` };
      }
      await setConversationStatus(db, staff, context.id, { status: "resolved" }, { now: now() });
      return { done: "afgehandeld" };
    }),
  );

  router.post(
    "/inbox/c/:id/publish",
    act({ wethouderMay: false, invalidBody: "publiceren" }, async (staff, context, body) => {
      const form = z.object({ said: z.string(), did: z.string() }).safeParse(body);
      if (!form.success) return { failed: "publiceren" };
      await publishWijDeden(db, staff, context.id, form.data, { now: now() });
      return { done: "gepubliceerd" };
    }),
  );

  router.post(
    "/inbox/c/:id/reopen",
    act({ wethouderMay: false, invalidBody: "mislukt" }, async (staff, context) => {
      await setConversationStatus(db, staff, context.id, { status: "open" }, { now: now() });
      return { done: "heropend" };
    }),
  );

  router.get("/inbox/canned", async (req, res) => {
    const viewer = viewerOf(res);
    const scope = scopeOf(viewer.staff);
    const [tandems, replies] = await Promise.all([listTandemsInScope(db, scope), listCannedReplies(db, scope)]);
    const body = renderCannedPage({ tandems, replies, canEdit: viewer.staff.role !== "wethouder", csrfToken: viewer.user.csrfToken, rawQuery: req.query });
    sendPage(res, viewer, 200, "Standaardantwoorden", body, "inbox");
  });

  router.post("/inbox/canned", async (req, res) => {
    const viewer = viewerOf(res);
    if (viewer.staff.role === "wethouder") return sendForbidden(res, viewer);
    const form = CannedFormSchema.safeParse(req.body);
    if (!form.success) return redirectWith(res, "/inbox/canned", { failed: "standaard" });
    const reply = { tandemId: form.data.tandem, title: form.data.title, body: form.data.body };
    const created = await createCannedReply(db, scopeOf(viewer.staff), viewer.staff.staffUserId, reply, now());
    if (!created) return sendNotFound(res, viewer);
    redirectWith(res, "/inbox/canned", { done: "standaard-toegevoegd" });
  });

  router.post("/inbox/canned/:id/delete", async (req, res) => {
    const viewer = viewerOf(res);
    if (viewer.staff.role === "wethouder") return sendForbidden(res, viewer);
    const id = IdSchema.safeParse(req.params.id);
    const deleted = id.success && (await deleteCannedReply(db, scopeOf(viewer.staff), viewer.staff.staffUserId, id.data, now()));
    if (!deleted) return sendNotFound(res, viewer);
    redirectWith(res, "/inbox/canned", { done: "standaard-verwijderd" });
  });

  router.get("/inbox/admin", async (req, res) => {
    const viewer = viewerOf(res);
    if (viewer.staff.role !== "admin") return sendNotFound(res, viewer);
    const gemeenteId = viewer.staff.gemeenteId;
    const [open, withoutTandem, deadOutbox, staffAccounts] = await Promise.all([
      listConversationsByWaitingTime(db, scopeOf(viewer.staff), { statuses: ["open"], limit: MAX_LIST_LIMIT }),
      listConversationsWithoutTandem(db, gemeenteId),
      listDeadOutboxMessages(db, gemeenteId),
      listStaffAccounts(db, gemeenteId),
    ]);
    const whatsappWeb = deps.whatsappWebStatus ? deps.whatsappWebStatus() : undefined;
    const qrSvg = whatsappWeb?.state === "qr" && whatsappWeb.qr && deps.renderQrSvg ? await deps.renderQrSvg(whatsappWeb.qr) : null;
    const body = renderAdminPage({
      open: open.items,
      withoutTandem,
      deadOutbox,
      staffAccounts,
      whatsappWeb,
      qrSvg,
      csrfToken: viewer.user.csrfToken,
      settings: deps.settings(),
      timeZone,
      now: now(),
      rawQuery: req.query,
    });
    sendPage(res, viewer, 200, "Beheer", body, "admin");
  });

  router.post("/inbox/admin/outbox/:id/retry", async (req, res) => {
    const viewer = viewerOf(res);
    if (viewer.staff.role !== "admin") return sendNotFound(res, viewer);
    const id = IdSchema.safeParse(req.params.id);
    const retried = id.success && (await retryDeadOutboxMessage(db, viewer.staff.gemeenteId, viewer.staff.staffUserId, id.data, now()));
    redirectWith(res, "/inbox/admin", retried ? { done: "opnieuw-proberen" } : { failed: "niet-gevonden" });
  });

  router.post("/inbox/admin/erase", async (req, res) => {
    const viewer = viewerOf(res);
    if (viewer.staff.role !== "admin") return sendNotFound(res, viewer);
    const form = EraseFormSchema.safeParse(req.body);
    if (!form.success) return redirectWith(res, "/inbox/admin", { failed: "wissen-bevestigen" });
    const { gemeenteId, staffUserId } = viewer.staff;
    const residentId = await findResidentIdByReference(db, gemeenteId, form.data.reference);
    if (!residentId) return redirectWith(res, "/inbox/admin", { failed: "niet-gevonden" });
    await inTransaction(db, (tx) => eraseResidentData(tx, residentId, null, now(), { mediaDir: deps.mediaDir, staff: { staffUserId, gemeenteId } }), { timeoutMs: 60_000 });
    await checkpointAfterErasure(db);
    redirectWith(res, "/inbox/admin", { done: "gewist" });
  });

  return router;
}
