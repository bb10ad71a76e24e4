/**
 * The pages of a dialoogtafel's evening and afterwards, beside the wijk content pages
 * (content.routes.ts) and mounted the same way (after the session, sign-in and CSRF middleware):
 *
 *   GET  /inbox/content/tafel/:id/aanwezig                   the check-in list (a phone at the door)
 *   POST /inbox/content/tafel/:id/aanwezig/:registrationId   present=1|0, then back to the row
 *   GET  /inbox/content/tafel/:id/verslag                    the summary form
 *   POST /inbox/content/tafel/:id/verslag                    heard, next, action=save|publish
 *
 * The handlers parse, call the staff actions (../tafelActions.ts: role, scope, one transaction,
 * audit) and render; another tandem's dialoogtafel answers 404, exactly like an unknown id.
 */
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { staffOf, type StaffPrincipal } from "../../api/auth.ts";
import type { Db } from "../../db/client.ts";
import { countCheckedIn } from "../../db/dialoogtafel.repo.ts";
import type { SafeHtml } from "../../http/html.ts";
import { formValues, type FieldErrors, type FormValues } from "../content/forms.ts";
import { signUpNumber } from "../content/signUps.ts";
import { cancelledBody, notFoundBody } from "../content/views.ts";
import { ActionError } from "../conversationActions.ts";
import { page, pageUserOf } from "../layout.ts";
import { loadCheckInList, markPresence, saveSummary, SummaryFormSchema, type SummaryOutcome } from "../tafelActions.ts";
import { checkInBody, summaryBody } from "./tafelViews.ts";

/** What the pages need. */
export interface TafelRoutesDeps {
  db: Db;
  timeZone: string;
  now?: () => Date;
}

const PresenceSchema = z.object({ present: z.enum(["0", "1"]) });
const NoticeQuerySchema = z
  .object({
    klaar: z.string().max(40).optional(),
    nummer: z
      .string()
      .regex(/^[0-9A-Z]{6}$/)
      .optional(),
  })
  .catch({});

const SUMMARY_NOTICES: Record<SummaryOutcome, string> = {
  saved: "Het verslag is opgeslagen als concept. Bewoners zien het nog niet.",
  published: "Het verslag staat in het wijknieuws en gaat nu naar wie er was.",
  updated: "De verbetering is opgeslagen. Het wijknieuws is aangepast; bewoners krijgen het bericht niet nog een keer.",
};

function checkInNotice(req: Request): string | null {
  const query = NoticeQuerySchema.parse(req.query);
  if (!query.nummer) return null;
  if (query.klaar === "aanwezig") return `${query.nummer} is aanwezig.`;
  if (query.klaar === "afwezig") return `${query.nummer} staat niet meer als aanwezig.`;
  return null;
}

function summaryNotice(req: Request): string | null {
  const klaar = NoticeQuerySchema.parse(req.query).klaar;
  return klaar === "saved" || klaar === "published" || klaar === "updated" ? SUMMARY_NOTICES[klaar] : null;
}

/** The check-in and summary routes, with their full paths. */
export function tafelRoutes(deps: TafelRoutesDeps): Router {
  const { db, timeZone } = deps;
  const clock = deps.now ?? (() => new Date());
  const router = Router();

  const send = (res: Response, status: number, staff: StaffPrincipal, title: string, body: SafeHtml) => {
    res
      .status(status)
      .type("html")
      .send(page({ title, user: pageUserOf(res, staff), current: "content", body }));
  };
  /** An action's refusal as a page: unknown or another tandem's (404), cancelled (409); anything else is a fault. */
  const refused = (res: Response, staff: StaffPrincipal, error: unknown, tafelId: string): void => {
    if (error instanceof ActionError && error.status === 404) send(res, 404, staff, "Niet gevonden", notFoundBody());
    else if (error instanceof ActionError && error.status === 409) send(res, 409, staff, "Geannuleerd", cancelledBody(tafelId));
    else throw error;
  };

  // Sign-up lists and drafts: never kept in shared caches.
  router.use("/inbox/content/tafel", (_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });

  router.get("/inbox/content/tafel/:id/aanwezig", async (req, res) => {
    const staff = staffOf(res);
    const list = await loadCheckInList(db, staff, req.params.id).catch((error: unknown) => refused(res, staff, error, req.params.id));
    if (!list) return;
    send(res, 200, staff, `Aanwezig: ${list.tafel.title}`, checkInBody({ ...list, csrfToken: pageUserOf(res, staff).csrfToken, notice: checkInNotice(req), timeZone }));
  });

  router.post("/inbox/content/tafel/:id/aanwezig/:registrationId", async (req, res) => {
    const staff = staffOf(res);
    const body = PresenceSchema.safeParse(req.body);
    const { id, registrationId } = req.params;
    if (!body.success) {
      res.redirect(303, `/inbox/content/tafel/${encodeURIComponent(id)}/aanwezig`);
      return;
    }
    const present = body.data.present === "1";
    const done = await markPresence(db, staff, id, registrationId, present, { now: clock() }).catch((error: unknown) => {
      if (error instanceof ActionError && error.status === 409) return null;
      return refused(res, staff, error, id);
    });
    if (done === undefined) return;
    const query = done ? `?klaar=${present ? "aanwezig" : "afwezig"}&nummer=${signUpNumber(registrationId)}` : "";
    res.redirect(303, `/inbox/content/tafel/${encodeURIComponent(id)}/aanwezig${query}#r-${encodeURIComponent(registrationId)}`);
  });

  const renderSummary = async (res: Response, status: number, staff: StaffPrincipal, tafelId: string, values: FormValues | null, errors: FieldErrors, noticeText: string | null) => {
    const list = await loadCheckInList(db, staff, tafelId).catch((error: unknown) => refused(res, staff, error, tafelId));
    if (!list) return;
    const { tafel } = list;
    const shown = values ?? { heard: tafel.summaryHeard ?? "", next: tafel.summaryNext ?? "" };
    const body = summaryBody({ tafel, values: shown, errors, checkedIn: await countCheckedIn(db, tafel.id), csrfToken: pageUserOf(res, staff).csrfToken, notice: noticeText, timeZone, now: clock() });
    send(res, status, staff, `Verslag: ${tafel.title}`, body);
  };

  router.get("/inbox/content/tafel/:id/verslag", async (req, res) => {
    await renderSummary(res, 200, staffOf(res), req.params.id, null, {}, summaryNotice(req));
  });

  router.post("/inbox/content/tafel/:id/verslag", async (req, res) => {
    const staff = staffOf(res);
    const values = formValues(req.body);
    const parsed = SummaryFormSchema.safeParse(values);
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        const field = typeof issue.path[0] === "string" ? issue.path[0] : "form";
        errors[field] ??= issue.message;
      }
      return renderSummary(res, 400, staff, req.params.id, values, errors, null);
    }
    const result = await saveSummary(db, staff, req.params.id, parsed.data, { now: clock() }).catch((error: unknown) => refused(res, staff, error, req.params.id));
    if (!result) return;
    if (!result.ok) return renderSummary(res, 400, staff, req.params.id, values, result.errors, null);
    res.redirect(303, `/inbox/content/tafel/${encodeURIComponent(req.params.id)}/verslag?klaar=${result.value.outcome}`);
  });

  return router;
}
