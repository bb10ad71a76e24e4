/**
 * Wijk content pages of the inbox: news items and dialoogtafels of the user's wijken (an admin's:
 * all), their sign-up lists and the CSV export. Mount after express.urlencoded, loadStaffSession,
 * requireSignedIn and verifyCsrf (src/inbox/session.ts) for /inbox, so every handler has a
 * signed-in staff user and every POST carried the session's CSRF token.
 *
 * The routes parse the forms, call the staff actions (src/inbox/contentActions.ts: role, scope,
 * one transaction, audit) and render; another tandem's item answers 404, exactly like an unknown id.
 */
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { staffOf, type StaffPrincipal } from "../api/auth.ts";
import type { Db } from "../db/client.ts";
import { formValues, parseNewsForm, parseTafelForm, type FieldErrors, type FormValues } from "./content/forms.ts";
import { localParts, toLocalDateInput, toLocalDateTimeInput } from "./content/localTime.ts";
import { groupSignUps, signUpsCsv } from "./content/signUps.ts";
import { cancelledBody, newsFormBody, notFoundBody, overviewBody, tafelCancelConfirmBody, tafelDetailBody, tafelFormBody } from "./content/views.ts";
import {
  addDialoogtafel,
  addNewsItem,
  cancelDialoogtafel,
  editDialoogtafel,
  editNewsItem,
  exportSignUps,
  findDialoogtafelForStaff,
  findDialoogtafelWithSignUps,
  findNewsItemForStaff,
  listContentForStaff,
  listWijkChoices,
  type NewsOutcome,
} from "./contentActions.ts";
import { ActionError } from "./conversationActions.ts";
import type { SafeHtml } from "../http/html.ts";
import { page, pageUserOf } from "./layout.ts";

/** What the content pages need. */
export interface ContentRoutesDeps {
  db: Db;
  /** The gemeente's time zone (config.timeZone): form times are wall-clock times there. */
  timeZone: string;
  /** The clock (tests). */
  now?: () => Date;
}

const NOTICES: Record<string, string> = {
  "nieuws-gepubliceerd": "Het bericht is gepubliceerd. Bewoners zien het nu via de bot.",
  "nieuws-opgeslagen": "Het bericht is opgeslagen en blijft gepubliceerd.",
  "nieuws-concept": "Het bericht is opgeslagen als concept. Bewoners zien het nog niet.",
  "nieuws-ingetrokken": "De publicatie is ingetrokken. Bewoners zien het bericht niet meer.",
  "tafel-aangemaakt": "De dialoogtafel is aangemaakt. Bewoners kunnen zich nu via de bot aanmelden.",
  "tafel-opgeslagen": "De dialoogtafel is opgeslagen.",
  "tafel-geannuleerd": "De dialoogtafel is geannuleerd. Wie aangemeld was of op de wachtlijst stond, krijgt binnen een minuut een bericht van de bot.",
};

const NoticeQuerySchema = z.object({ klaar: z.string().optional(), doorgeschoven: z.coerce.number().int().min(0).max(10_000).optional().catch(undefined) });

function noticeOf(req: Request): string | null {
  const query = NoticeQuerySchema.safeParse(req.query);
  if (!query.success || !query.data.klaar) return null;
  const base = NOTICES[query.data.klaar];
  if (!base) return null;
  const promoted = query.data.doorgeschoven ?? 0;
  if (promoted === 0) return base;
  return `${base} ${promoted === 1 ? "1 persoon van de wachtlijst heeft" : `${promoted} mensen van de wachtlijst hebben`} een plaats gekregen.`;
}

const NEWS_NOTICES: Record<NewsOutcome, string> = { published: "nieuws-gepubliceerd", saved: "nieuws-opgeslagen", draft: "nieuws-concept", unpublished: "nieuws-ingetrokken" };

/** The wijk content routes, with their full paths (/inbox/content…), like the other inbox routers. */
export function contentRoutes(deps: ContentRoutesDeps): Router {
  const { db, timeZone } = deps;
  const clock = deps.now ?? (() => new Date());
  const router = Router();

  const send = (res: Response, status: number, staff: StaffPrincipal, title: string, body: SafeHtml) => {
    res
      .status(status)
      .type("html")
      .send(page({ title, user: pageUserOf(res, staff), current: "content", body }));
  };
  const notFound = (res: Response, staff: StaffPrincipal) => send(res, 404, staff, "Niet gevonden", notFoundBody());
  const cancelled = (res: Response, staff: StaffPrincipal, tafelId: string) => send(res, 409, staff, "Geannuleerd", cancelledBody(tafelId));
  /** The page for an action's refusal: unknown or another tandem's (404), cancelled (409); anything else is a fault. */
  const refused = (res: Response, staff: StaffPrincipal, error: unknown, tafelId = "") => {
    if (error instanceof ActionError && error.status === 404) return notFound(res, staff);
    if (error instanceof ActionError && error.code === "cancelled") return cancelled(res, staff, tafelId);
    throw error;
  };

  // Staff pages hold unpublished drafts and sign-up lists: never kept in shared caches.
  router.use("/inbox/content", (_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });

  router.get("/inbox/content", async (req, res) => {
    const staff = staffOf(res);
    const now = clock();
    const { wijken, news, tafels } = await listContentForStaff(db, staff, now);
    send(res, 200, staff, "Wijknieuws en dialoogtafels", overviewBody({ news, tafels, wijken, isAdmin: staff.role === "admin", notice: noticeOf(req), timeZone, now }));
  });

  // ---- News items ----

  const renderNewsForm = async (
    res: Response,
    status: number,
    staff: StaffPrincipal,
    item: { id: string; publishedAt: Date | null; expiresAt: Date | null } | null,
    values: FormValues,
    errors: FieldErrors,
    notice: string | null = null,
  ) => {
    const wijken = await listWijkChoices(db, staff);
    const body = newsFormBody({ item, values, errors, wijken, csrfToken: pageUserOf(res, staff).csrfToken, notice, timeZone, now: clock() });
    send(res, status, staff, item ? "Bericht bewerken" : "Nieuw bericht", body);
  };

  router.get("/inbox/content/nieuws/nieuw", async (_req, res) => {
    await renderNewsForm(res, 200, staffOf(res), null, { kind: "bericht" }, {});
  });

  router.post("/inbox/content/nieuws", async (req, res) => {
    const staff = staffOf(res);
    const now = clock();
    const parsed = parseNewsForm(req.body, { timeZone, now });
    if (!parsed.ok) return renderNewsForm(res, 400, staff, null, parsed.values, parsed.errors);
    const result = await addNewsItem(db, staff, parsed.value, { now });
    if (!result.ok) return renderNewsForm(res, 400, staff, null, formValues(req.body), result.errors);
    res.redirect(303, `/inbox/content/nieuws/${result.value.id}?klaar=${NEWS_NOTICES[result.value.outcome]}`);
  });

  router.get("/inbox/content/nieuws/:id", async (req, res) => {
    const staff = staffOf(res);
    const item = await findNewsItemForStaff(db, staff, req.params.id);
    if (!item) return notFound(res, staff);
    const values: FormValues = {
      wijkId: item.wijkId,
      kind: item.kind,
      title: item.title,
      body: item.body,
      link: item.link ?? "",
      expires: item.expiresAt ? toLocalDateInput(item.expiresAt, timeZone) : "",
    };
    await renderNewsForm(res, 200, staff, item, values, {}, noticeOf(req));
  });

  router.post("/inbox/content/nieuws/:id", async (req, res) => {
    const staff = staffOf(res);
    const now = clock();
    const existing = await findNewsItemForStaff(db, staff, req.params.id);
    if (!existing) return notFound(res, staff);
    const parsed = parseNewsForm(req.body, { timeZone, now });
    if (!parsed.ok) return renderNewsForm(res, 400, staff, existing, parsed.values, parsed.errors);
    const result = await editNewsItem(db, staff, existing.id, parsed.value, { now }).catch((error: unknown) => refused(res, staff, error));
    if (!result) return;
    if (!result.ok) return renderNewsForm(res, 400, staff, existing, formValues(req.body), result.errors);
    res.redirect(303, `/inbox/content/nieuws/${existing.id}?klaar=${NEWS_NOTICES[result.value.outcome]}`);
  });

  // ---- Dialoogtafels ----

  const renderTafelForm = async (res: Response, status: number, staff: StaffPrincipal, tafel: { id: string; title: string } | null, values: FormValues, errors: FieldErrors) => {
    const wijken = await listWijkChoices(db, staff);
    send(res, status, staff, tafel ? "Dialoogtafel bewerken" : "Nieuwe dialoogtafel", tafelFormBody({ tafel, values, errors, wijken, csrfToken: pageUserOf(res, staff).csrfToken, timeZone }));
  };

  router.get("/inbox/content/tafel/nieuw", async (_req, res) => {
    // A sensible default: three weeks from today at 19:30, local time.
    const inThreeWeeks = localParts(new Date(clock().getTime() + 21 * 86_400_000), timeZone);
    const date = `${inThreeWeeks.year}-${String(inThreeWeeks.month).padStart(2, "0")}-${String(inThreeWeeks.day).padStart(2, "0")}`;
    await renderTafelForm(res, 200, staffOf(res), null, { startsAt: `${date}T19:30`, endsAt: `${date}T21:30`, capacity: "20" }, {});
  });

  router.post("/inbox/content/tafel", async (req, res) => {
    const staff = staffOf(res);
    const parsed = parseTafelForm(req.body, { timeZone });
    if (!parsed.ok) return renderTafelForm(res, 400, staff, null, parsed.values, parsed.errors);
    const result = await addDialoogtafel(db, staff, parsed.value, { now: clock() });
    if (!result.ok) return renderTafelForm(res, 400, staff, null, formValues(req.body), result.errors);
    res.redirect(303, `/inbox/content/tafel/${result.value.id}?klaar=tafel-aangemaakt`);
  });

  router.get("/inbox/content/tafel/:id", async (req, res) => {
    const staff = staffOf(res);
    const found = await findDialoogtafelWithSignUps(db, staff, req.params.id);
    if (!found) return notFound(res, staff);
    const { tafel, signUps } = found;
    const groups = groupSignUps(signUps);
    send(res, 200, staff, tafel.title, tafelDetailBody({ tafel, groups, csrfToken: pageUserOf(res, staff).csrfToken, notice: noticeOf(req), timeZone, now: clock() }));
  });

  router.get("/inbox/content/tafel/:id/bewerken", async (req, res) => {
    const staff = staffOf(res);
    const tafel = await findDialoogtafelForStaff(db, staff, req.params.id);
    if (!tafel) return notFound(res, staff);
    if (tafel.status === "cancelled") return cancelled(res, staff, tafel.id);
    const values: FormValues = {
      wijkId: tafel.wijkId,
      title: tafel.title,
      topic: tafel.topic,
      location: tafel.location,
      startsAt: toLocalDateTimeInput(tafel.startsAt, timeZone),
      endsAt: tafel.endsAt ? toLocalDateTimeInput(tafel.endsAt, timeZone) : "",
      capacity: String(tafel.capacity),
    };
    await renderTafelForm(res, 200, staff, tafel, values, {});
  });

  router.post("/inbox/content/tafel/:id", async (req, res) => {
    const staff = staffOf(res);
    const existing = await findDialoogtafelForStaff(db, staff, req.params.id);
    if (!existing) return notFound(res, staff);
    if (existing.status === "cancelled") return cancelled(res, staff, existing.id);
    const parsed = parseTafelForm(req.body, { timeZone });
    if (!parsed.ok) return renderTafelForm(res, 400, staff, existing, parsed.values, parsed.errors);
    const result = await editDialoogtafel(db, staff, existing.id, parsed.value, { now: clock() }).catch((error: unknown) => refused(res, staff, error, existing.id));
    if (!result) return;
    if (!result.ok) return renderTafelForm(res, 400, staff, existing, formValues(req.body), result.errors);
    const promoted = result.value.promoted > 0 ? `&doorgeschoven=${result.value.promoted}` : "";
    res.redirect(303, `/inbox/content/tafel/${existing.id}?klaar=tafel-opgeslagen${promoted}`);
  });

  /** Asks first: cancelling cannot be undone and messages everyone signed up or on the waitlist. */
  router.get("/inbox/content/tafel/:id/annuleren", async (req, res) => {
    const staff = staffOf(res);
    const found = await findDialoogtafelWithSignUps(db, staff, req.params.id);
    if (!found) return notFound(res, staff);
    if (found.tafel.status === "cancelled") return cancelled(res, staff, found.tafel.id);
    const groups = groupSignUps(found.signUps);
    send(
      res,
      200,
      staff,
      `${found.tafel.title} annuleren?`,
      tafelCancelConfirmBody({ tafel: found.tafel, people: groups.registered.length + groups.waitlist.length, csrfToken: pageUserOf(res, staff).csrfToken, timeZone }),
    );
  });

  router.post("/inbox/content/tafel/:id/annuleren", async (req, res) => {
    const staff = staffOf(res);
    const result = await cancelDialoogtafel(db, staff, req.params.id, { now: clock() }).catch((error: unknown) => refused(res, staff, error));
    if (!result) return;
    res.redirect(303, `/inbox/content/tafel/${result.id}?klaar=tafel-geannuleerd`);
  });

  router.get("/inbox/content/tafel/:id/export.csv", async (req, res) => {
    const staff = staffOf(res);
    const exported = await exportSignUps(db, staff, req.params.id, { now: clock() }).catch((error: unknown) => refused(res, staff, error));
    if (!exported) return;
    const { tafel, signUps } = exported;
    const day = toLocalDateTimeInput(tafel.startsAt, timeZone).slice(0, 10);
    res
      .status(200)
      .type("text/csv; charset=utf-8")
      .setHeader("Content-Disposition", `attachment; filename="aanmeldingen-${tafel.wijk.slug.replace(/[^a-z0-9-]/g, "")}-${day}.csv"`)
      .send(signUpsCsv(tafel, signUps, timeZone));
  });

  return router;
}
