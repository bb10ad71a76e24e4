/**
 * Wijk content pages of the inbox: news items and dialoogtafels of the user's wijken (an admin's:
 * all), their sign-up lists and the CSV export. Mount after express.urlencoded, loadStaffSession,
 * requireSignedIn and verifyCsrf (src/inbox/session.ts) for /inbox, so every handler has a
 * signed-in staff user and every POST carried the session's CSRF token.
 *
 * Scope: a gebiedsregisseur or wethouder manages the wijken of their tandems; another tandem's
 * item answers 404, exactly like an unknown id. Every change is recorded in the audit log.
 * Published news is visible to residents at once: the bot reads NewsItem with publishedAt ≤ now.
 */
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { staffOf, type StaffPrincipal } from "../api/auth.ts";
import { recordAudit } from "../db/audit.repo.ts";
import type { Db } from "../db/client.ts";
import { scopeOf } from "../domain/access.ts";
import type { AuditAction } from "../domain/audit.ts";
import {
  cancelDialoogtafel,
  createDialoogtafel,
  createNewsItem,
  findDialoogtafelInScope,
  findNewsItemInScope,
  listDialoogtafelsForStaff,
  listNewsForStaff,
  listScopedWijken,
  listSignUps,
  updateDialoogtafel,
  updateNewsItem,
  type ContentScope,
} from "../db/content.repo.ts";
import { formValues, parseNewsForm, parseTafelForm, type FieldErrors, type FormValues } from "./content/forms.ts";
import { localParts, toLocalDateInput, toLocalDateTimeInput } from "./content/localTime.ts";
import { groupSignUps, signUpsCsv } from "./content/signUps.ts";
import { cancelledBody, newsFormBody, notFoundBody, overviewBody, tafelDetailBody, tafelFormBody } from "./content/views.ts";
import { page, type PageUser, type SafeHtml } from "./layout.ts";

/** What the content pages need. */
export interface ContentRoutesDeps {
  db: Db;
  /** The gemeente's time zone (config.timeZone): form times are wall-clock times there. */
  timeZone: string;
  /** The clock (tests). */
  now?: () => Date;
}

/** The wijken a staff user manages. */
export function contentScopeOf(staff: StaffPrincipal): ContentScope {
  return scopeOf(staff);
}

const PageLocalsSchema = z.object({ staffName: z.string(), csrfToken: z.string() });

function pageUserOf(res: Response, staff: StaffPrincipal): PageUser {
  const locals = PageLocalsSchema.parse(res.locals);
  return { name: locals.staffName, role: staff.role, csrfToken: locals.csrfToken };
}

const NOTICES: Record<string, string> = {
  "nieuws-gepubliceerd": "Het bericht is gepubliceerd. Bewoners zien het nu via de bot.",
  "nieuws-opgeslagen": "Het bericht is opgeslagen en blijft gepubliceerd.",
  "nieuws-concept": "Het bericht is opgeslagen als concept. Bewoners zien het nog niet.",
  "nieuws-ingetrokken": "De publicatie is ingetrokken. Bewoners zien het bericht niet meer.",
  "tafel-aangemaakt": "De dialoogtafel is aangemaakt. Bewoners kunnen zich nu via de bot aanmelden.",
  "tafel-opgeslagen": "De dialoogtafel is opgeslagen.",
  "tafel-geannuleerd": "De dialoogtafel is geannuleerd.",
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

const sameTime = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

/** The wijk content routes, with their full paths (/inbox/content…), like the other inbox routers. */
export function contentRoutes(deps: ContentRoutesDeps): Router {
  const { db, timeZone } = deps;
  const clock = deps.now ?? (() => new Date());
  const router = Router();

  const send = (res: Response, status: number, staff: StaffPrincipal, title: string, body: SafeHtml) => {
    res.status(status).type("html").send(page({ title, user: pageUserOf(res, staff), current: "content", body }));
  };
  const notFound = (res: Response, staff: StaffPrincipal) => send(res, 404, staff, "Niet gevonden", notFoundBody());
  const audit = (tx: Parameters<typeof recordAudit>[0], staff: StaffPrincipal, action: AuditAction, subjectType: string, subjectId: string, data: Record<string, unknown>) =>
    recordAudit(tx, { gemeenteId: staff.gemeenteId, actorStaffId: staff.staffUserId, actorKind: "staff", action, subjectType, subjectId, data, at: clock() });

  // Staff pages hold unpublished drafts and sign-up lists: never kept in shared caches.
  router.use("/inbox/content", (_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });

  router.get("/inbox/content", async (req, res) => {
    const staff = staffOf(res);
    const scope = contentScopeOf(staff);
    const now = clock();
    const [wijken, news, tafels] = await Promise.all([listScopedWijken(db, scope), listNewsForStaff(db, scope), listDialoogtafelsForStaff(db, scope, now)]);
    send(res, 200, staff, "Wijknieuws en dialoogtafels", overviewBody({ news, tafels, wijken, isAdmin: staff.role === "admin", notice: noticeOf(req), timeZone, now }));
  });

  // ---- News items ----

  const renderNewsForm = async (res: Response, status: number, staff: StaffPrincipal, item: { id: string; publishedAt: Date | null; expiresAt: Date | null } | null, values: FormValues, errors: FieldErrors, notice: string | null = null) => {
    const wijken = await listScopedWijken(db, contentScopeOf(staff));
    const body = newsFormBody({ item, values, errors, wijken, csrfToken: pageUserOf(res, staff).csrfToken, notice, timeZone, now: clock() });
    send(res, status, staff, item ? "Bericht bewerken" : "Nieuw bericht", body);
  };

  router.get("/inbox/content/nieuws/nieuw", async (_req, res) => {
    await renderNewsForm(res, 200, staffOf(res), null, { kind: "bericht" }, {});
  });

  router.post("/inbox/content/nieuws", async (req, res) => {
    const staff = staffOf(res);
    const scope = contentScopeOf(staff);
    const now = clock();
    const parsed = parseNewsForm(req.body, { timeZone, now });
    if (!parsed.ok) return renderNewsForm(res, 400, staff, null, parsed.values, parsed.errors);
    const wijk = (await listScopedWijken(db, scope)).find((w) => w.id === parsed.value.wijkId);
    if (!wijk) return renderNewsForm(res, 400, staff, null, formValues(req.body), { wijkId: "Kies een wijk uit de lijst." });
    const { action, ...fields } = parsed.value;
    const publish = action === "publish";
    const item = await db.$transaction(async (tx) => {
      const created = await createNewsItem(tx, { ...fields, wijkId: wijk.id, publishedAt: publish ? now : null }, now);
      await audit(tx, staff, publish ? "newsItem.published" : "newsItem.created", "NewsItem", created.id, { wijk: wijk.slug, kind: fields.kind, published: publish });
      return created;
    });
    res.redirect(303, `/inbox/content/nieuws/${item.id}?klaar=${publish ? "nieuws-gepubliceerd" : "nieuws-concept"}`);
  });

  router.get("/inbox/content/nieuws/:id", async (req, res) => {
    const staff = staffOf(res);
    const item = await findNewsItemInScope(db, contentScopeOf(staff), req.params.id);
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
    const scope = contentScopeOf(staff);
    const now = clock();
    const existing = await findNewsItemInScope(db, scope, req.params.id);
    if (!existing) return notFound(res, staff);
    const parsed = parseNewsForm(req.body, { timeZone, now });
    if (!parsed.ok) return renderNewsForm(res, 400, staff, existing, parsed.values, parsed.errors);
    const wijk = (await listScopedWijken(db, scope)).find((w) => w.id === parsed.value.wijkId);
    if (!wijk) return renderNewsForm(res, 400, staff, existing, formValues(req.body), { wijkId: "Kies een wijk uit de lijst." });
    const { action, ...fields } = parsed.value;
    const wasLive = existing.publishedAt !== null && existing.publishedAt <= now;
    // Saving a published item keeps its original publication time (its place in the bot's list).
    const publishedAt = action === "publish" ? (wasLive ? existing.publishedAt : now) : null;
    const changed: string[] = (["wijkId", "kind", "title", "body", "link"] as const).filter((key) => existing[key] !== fields[key]);
    if (!sameTime(existing.expiresAt, fields.expiresAt)) changed.push("expiresAt");
    const auditAction = action === "publish" ? (wasLive ? "newsItem.updated" : "newsItem.published") : wasLive ? "newsItem.unpublished" : "newsItem.updated";
    await db.$transaction(async (tx) => {
      await updateNewsItem(tx, existing.id, { ...fields, wijkId: wijk.id, publishedAt });
      await audit(tx, staff, auditAction, "NewsItem", existing.id, { wijk: wijk.slug, changed, published: publishedAt !== null });
    });
    const notice = action === "publish" ? (wasLive ? "nieuws-opgeslagen" : "nieuws-gepubliceerd") : wasLive ? "nieuws-ingetrokken" : "nieuws-concept";
    res.redirect(303, `/inbox/content/nieuws/${existing.id}?klaar=${notice}`);
  });

  // ---- Dialoogtafels ----

  const renderTafelForm = async (res: Response, status: number, staff: StaffPrincipal, tafel: { id: string; title: string } | null, values: FormValues, errors: FieldErrors) => {
    const wijken = await listScopedWijken(db, contentScopeOf(staff));
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
    const scope = contentScopeOf(staff);
    const now = clock();
    const parsed = parseTafelForm(req.body, { timeZone });
    if (!parsed.ok) return renderTafelForm(res, 400, staff, null, parsed.values, parsed.errors);
    const wijk = (await listScopedWijken(db, scope)).find((w) => w.id === parsed.value.wijkId);
    const errors: FieldErrors = {};
    if (!wijk) errors.wijkId = "Kies een wijk uit de lijst.";
    if (parsed.value.startsAt <= now) errors.startsAt = "Dit moment is al voorbij. Kies een datum en tijd in de toekomst.";
    if (!wijk || Object.keys(errors).length > 0) return renderTafelForm(res, 400, staff, null, formValues(req.body), errors);
    const tafel = await db.$transaction(async (tx) => {
      const created = await createDialoogtafel(tx, { ...parsed.value, wijkId: wijk.id }, now);
      await audit(tx, staff, "dialoogtafel.created", "Dialoogtafel", created.id, { wijk: wijk.slug, startsAt: created.startsAt.toISOString(), capacity: created.capacity });
      return created;
    });
    res.redirect(303, `/inbox/content/tafel/${tafel.id}?klaar=tafel-aangemaakt`);
  });

  router.get("/inbox/content/tafel/:id", async (req, res) => {
    const staff = staffOf(res);
    const tafel = await findDialoogtafelInScope(db, contentScopeOf(staff), req.params.id);
    if (!tafel) return notFound(res, staff);
    const groups = groupSignUps(await listSignUps(db, tafel.id));
    send(res, 200, staff, tafel.title, tafelDetailBody({ tafel, groups, csrfToken: pageUserOf(res, staff).csrfToken, notice: noticeOf(req), timeZone, now: clock() }));
  });

  router.get("/inbox/content/tafel/:id/bewerken", async (req, res) => {
    const staff = staffOf(res);
    const tafel = await findDialoogtafelInScope(db, contentScopeOf(staff), req.params.id);
    if (!tafel) return notFound(res, staff);
    if (tafel.status === "cancelled") return send(res, 409, staff, "Geannuleerd", cancelledBody(tafel.id));
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
    const scope = contentScopeOf(staff);
    const now = clock();
    const existing = await findDialoogtafelInScope(db, scope, req.params.id);
    if (!existing) return notFound(res, staff);
    if (existing.status === "cancelled") return send(res, 409, staff, "Geannuleerd", cancelledBody(existing.id));
    const parsed = parseTafelForm(req.body, { timeZone });
    if (!parsed.ok) return renderTafelForm(res, 400, staff, existing, parsed.values, parsed.errors);
    const wijk = (await listScopedWijken(db, scope)).find((w) => w.id === parsed.value.wijkId);
    const errors: FieldErrors = {};
    if (!wijk) errors.wijkId = "Kies een wijk uit de lijst.";
    // A past date is only refused when it is being changed (a held dialoogtafel can still be corrected).
    if (!sameTime(parsed.value.startsAt, existing.startsAt) && parsed.value.startsAt <= now) errors.startsAt = "Dit moment is al voorbij. Kies een datum en tijd in de toekomst.";
    if (!wijk || Object.keys(errors).length > 0) return renderTafelForm(res, 400, staff, existing, formValues(req.body), errors);
    const changed: string[] = (["wijkId", "title", "topic", "location", "capacity"] as const).filter((key) => existing[key] !== parsed.value[key]);
    if (!sameTime(existing.startsAt, parsed.value.startsAt)) changed.push("startsAt");
    if (!sameTime(existing.endsAt, parsed.value.endsAt)) changed.push("endsAt");
    const { promotedResidentIds } = await db.$transaction(async (tx) => {
      const result = await updateDialoogtafel(tx, existing.id, { ...parsed.value, wijkId: wijk.id });
      await audit(tx, staff, "dialoogtafel.updated", "Dialoogtafel", existing.id, {
        wijk: wijk.slug,
        changed,
        ...(existing.capacity !== parsed.value.capacity ? { capacity: { from: existing.capacity, to: parsed.value.capacity } } : {}),
        promotedFromWaitlist: result.promotedResidentIds.length,
      });
      return result;
    });
    const promoted = promotedResidentIds.length > 0 ? `&doorgeschoven=${promotedResidentIds.length}` : "";
    res.redirect(303, `/inbox/content/tafel/${existing.id}?klaar=tafel-opgeslagen${promoted}`);
  });

  router.post("/inbox/content/tafel/:id/annuleren", async (req, res) => {
    const staff = staffOf(res);
    const existing = await findDialoogtafelInScope(db, contentScopeOf(staff), req.params.id);
    if (!existing) return notFound(res, staff);
    if (existing.status !== "cancelled") {
      const groups = groupSignUps(await listSignUps(db, existing.id));
      await db.$transaction(async (tx) => {
        await cancelDialoogtafel(tx, existing.id);
        await audit(tx, staff, "dialoogtafel.cancelled", "Dialoogtafel", existing.id, { wijk: existing.wijk.slug, registered: groups.registered.length, waitlist: groups.waitlist.length });
      });
    }
    res.redirect(303, `/inbox/content/tafel/${existing.id}?klaar=tafel-geannuleerd`);
  });

  router.get("/inbox/content/tafel/:id/export.csv", async (req, res) => {
    const staff = staffOf(res);
    const tafel = await findDialoogtafelInScope(db, contentScopeOf(staff), req.params.id);
    if (!tafel) return notFound(res, staff);
    const signUps = await listSignUps(db, tafel.id);
    // An export of a list about residents is recorded, like every other look at personal data leaving the system.
    await audit(db, staff, "dialoogtafel.signUps.exported", "Dialoogtafel", tafel.id, { wijk: tafel.wijk.slug, rows: signUps.length });
    const day = toLocalDateTimeInput(tafel.startsAt, timeZone).slice(0, 10);
    res
      .status(200)
      .type("text/csv; charset=utf-8")
      .setHeader("Content-Disposition", `attachment; filename="aanmeldingen-${tafel.wijk.slug.replace(/[^a-z0-9-]/g, "")}-${day}.csv"`)
      .send(signUpsCsv(tafel, signUps, timeZone));
  });

  return router;
}

