/**
 * The wijkbericht pages of the inbox (/inbox/wijkberichten…): write, preview per channel, test to
 * oneself, send now or schedule, cancel, and follow the progress. Mounted after the session,
 * requireSignedIn and verifyCsrf, like the content pages; the routes parse the forms and call the
 * staff actions (../wijkberichtActions.ts). Another tandem's bericht answers 404, like an unknown id.
 *
 * "Nu versturen" and "Annuleren" ask first, on a page of their own (GET …/versturen, …/annuleren)
 * that says what will happen; the POST acts only with `bevestigd=ja` from that page, so the
 * confirmation works without JavaScript.
 *
 * The test to oneself: a staff member has no chat identity, and a test must never reach a
 * resident, so it goes to their own e-mail address (when mail is on: the bericht with a note that
 * it is a test, without the chat's footer) and to the Telegram chat they linked for notifications
 * (when Telegram is on, as a resident gets it). In the demo without a mail server the e-mail lands
 * in the demo mailbox (/inbox/dev-mail). With mail off the page says so in one sentence; how to
 * turn it on is for the administrator (startup log, .env.example), not for this page.
 */
import { allowRemoteImages } from "../../http/securityHeaders.ts";
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { staffOf, type StaffPrincipal } from "../../api/auth.ts";
import type { Globals } from "../../conversation/flowSchema.ts";
import type { Db } from "../../db/client.ts";
import { findTelegramLink } from "../../db/content.repo.ts";
import { findStaffAccount } from "../../db/staffAccount.repo.ts";
import type { SafeHtml } from "../../http/html.ts";
import type { Logger } from "../../log.ts";
import { templateParameter, wijkberichtTestMail, wijkberichtText } from "../../wijkberichten/renderWijkbericht.ts";
import { localParts, parseLocalDateTime, toLocalDateTimeInput } from "../content/localTime.ts";
import { ActionError } from "../conversationActions.ts";
import { page, type PageUser } from "../layout.ts";
import { cancelWijkbericht, listWijkberichten, listWijkberichtWijken, loadWijkbericht, recordWijkberichtTest, saveWijkbericht, type WijkberichtIntent } from "../wijkberichtActions.ts";
import {
  PROGRESS_REFRESH_SECONDS,
  progressFigures,
  wijkberichtCancelConfirmBody,
  wijkberichtDetailBody,
  wijkberichtSendConfirmBody,
  wijkberichtFormBody,
  wijkberichtListBody,
  wijkberichtNotFoundBody,
  type ChannelPreview,
  type WijkberichtFormValues,
} from "./wijkberichtViews.ts";

/** How a test reaches the staff member. */
export interface WijkberichtTestSenders {
  /** Mail is on (SMTP_URL), or kept in the demo mailbox: sends one e-mail. */
  mail: ((to: string, subject: string, text: string) => Promise<void>) | null;
  /** True when `mail` goes to the demo mailbox (/inbox/dev-mail) because no mail server is set. */
  demoMailbox: boolean;
  /** Telegram is on: sends to a chat id (the staff member's linked one). */
  telegram: ((chatId: string, text: string) => Promise<void>) | null;
}

/** What the pages need. */
export interface WijkberichtRoutesDeps {
  db: Db;
  /** For the administrator: why a test could not be sent (never an address). */
  logger?: Logger;
  timeZone: string;
  /** The bot's texts (the footer under every bericht). */
  globals: () => Globals;
  /** WhatsApp Cloud is on: the template name for outside the 24-hour window, or null when none is set. */
  whatsappCloud: { template: string | null } | null;
  test: WijkberichtTestSenders;
  /** Called after a bericht was set to go now (wakes the sender). */
  onSend?: () => void;
  now?: () => Date;
}

const PageLocalsSchema = z.object({ staffName: z.string(), csrfToken: z.string() });

function pageUserOf(res: Response, staff: StaffPrincipal): PageUser {
  const locals = PageLocalsSchema.parse(res.locals);
  return { name: locals.staffName, role: staff.role, csrfToken: locals.csrfToken };
}

const NOTICES: Record<string, string> = {
  opgeslagen: "Opgeslagen. Bekijk het voorbeeld, stuur een test naar jezelf, en verstuur of plan het.",
  verstuurd: "Je hebt het wijkbericht verstuurd. Bewoners krijgen het in hun eigen chat, na de antwoorden op vragen. Hieronder zie je hoe ver het is.",
  ingepland: "Het wijkbericht is ingepland.",
  geannuleerd: "Het wijkbericht is geannuleerd.",
  "al-klaar": "Dit wijkbericht was al verstuurd of geannuleerd.",
  test: "De test is verstuurd naar je eigen e-mail of Telegram.",
  "test-demo": "De test staat in je demo-postvak. Bewoners hebben niets gekregen.",
  "test-mislukt": "De test kon niet worden verstuurd. Probeer het later opnieuw; lukt het dan niet, vraag de beheerder.",
};

const NoticeSchema = z.object({ klaar: z.string().optional() });

function noticeOf(req: Request): string | null {
  const query = NoticeSchema.safeParse(req.query);
  return query.success && query.data.klaar ? (NOTICES[query.data.klaar] ?? null) : null;
}

const FormBodySchema = z.object({
  text: z.string().default(""),
  imageUrl: z.string().default(""),
  link: z.string().default(""),
  wijkIds: z.union([z.string(), z.array(z.string())]).default([]),
});

function formValuesOf(body: unknown): WijkberichtFormValues {
  const parsed = FormBodySchema.catch({ text: "", imageUrl: "", link: "", wijkIds: [] }).parse(body);
  return { text: parsed.text, imageUrl: parsed.imageUrl.trim(), link: parsed.link.trim(), wijkIds: typeof parsed.wijkIds === "string" ? [parsed.wijkIds] : parsed.wijkIds };
}

/** The :id of the path. */
const idOf = (req: Request): string => z.string().catch("").parse(req.params.id);

/** The wijkbericht routes, with their full paths. */
export function wijkberichtRoutes(deps: WijkberichtRoutesDeps): Router {
  const { db, timeZone } = deps;
  const clock = deps.now ?? (() => new Date());
  const router = Router();

  const send = (res: Response, status: number, staff: StaffPrincipal, title: string, body: SafeHtml, refreshSeconds?: number) => {
    res
      .status(status)
      .type("html")
      .send(page({ title, user: pageUserOf(res, staff), current: "wijkberichten", body, ...(refreshSeconds ? { refreshSeconds } : {}) }));
  };
  const notFound = (res: Response, staff: StaffPrincipal) => send(res, 404, staff, "Niet gevonden", wijkberichtNotFoundBody());
  const actorOf = (staff: StaffPrincipal) => ({ kind: "staff" as const, staff });
  /** An action's refusal: unknown or another tandem's (404); a wethouder (403); anything else is a fault. */
  const refused = (res: Response, staff: StaffPrincipal, error: unknown) => {
    if (error instanceof ActionError && error.status === 404) return notFound(res, staff);
    if (error instanceof ActionError && (error.status === 403 || error.status === 409)) return send(res, error.status, staff, "Niet toegestaan", wijkberichtNotFoundBody());
    throw error;
  };

  router.use("/inbox/wijkberichten", (_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    allowRemoteImages(res);
    next();
  });

  const testTargets = async (staff: StaffPrincipal) => {
    const [account, telegram] = await Promise.all([findStaffAccount(db, staff.staffUserId), findTelegramLink(db, staff.staffUserId)]);
    return { email: deps.test.mail !== null && account !== null ? account.email : null, telegram: deps.test.telegram !== null ? (telegram?.chatId ?? null) : null };
  };

  const previewsOf = (bericht: { text: string; imageUrl: string | null; link: string | null; wijken: Array<{ wijk: { name: string } }> }): ChannelPreview[] => {
    const names = bericht.wijken.map((w) => w.wijk.name).sort((a, b) => a.localeCompare(b, "nl"));
    // With a photo, every channel sends the photo itself and the text (without its address) as its caption.
    const text = wijkberichtText(deps.globals(), { ...bericht, imageUrl: null }, names, "nl");
    const full = wijkberichtText(deps.globals(), bericht, names, "nl");
    const image = bericht.imageUrl;
    const previews: ChannelPreview[] = [
      {
        channel: "whatsapp",
        label: "WhatsApp",
        text,
        image,
        how: "*vet*, _schuin_ en ~doorgestreept~ worden opgemaakt. Een link is aan te tikken, zonder voorbeeld.",
        note: null,
      },
    ];
    if (deps.whatsappCloud) {
      const template = deps.whatsappCloud.template;
      previews.push(
        template
          ? {
              channel: "whatsapp-template",
              label: "WhatsApp, na 24 uur stilte (sjabloon)",
              text: templateParameter(full),
              image: null,
              header: `Sjabloon «${template}»`,
              how: "Wie langer dan 24 uur niets schreef, krijgt het goedgekeurde sjabloon. De tekst staat daarin op één regel, de foto als link.",
              note: null,
            }
          : {
              channel: "whatsapp-template",
              label: "WhatsApp, na 24 uur stilte",
              text: "",
              image: null,
              how: null,
              note: "Wie langer dan 24 uur niets schreef, krijgt dit bericht niet: er is nog geen WhatsApp-sjabloon. Vraag de beheerder.",
            },
      );
    }
    previews.push(
      {
        channel: "telegram",
        label: "Telegram",
        text,
        image,
        how: "Zonder opmaak: *sterretjes* en _streepjes_ blijven staan zoals je ze typt. Een link is aan te tikken, zonder voorbeeld.",
        note: image && text.length > 1024 ? "De tekst is langer dan een fotobijschrift mag zijn (1024 tekens): Telegram krijgt de foto en daarna de tekst." : null,
      },
      { channel: "webchat", label: "Webchat", text, image, how: "Zonder opmaak. Links, telefoonnummers en WL-nummers zijn aan te tikken.", note: null },
    );
    return previews;
  };

  router.get("/inbox/wijkberichten", async (req, res) => {
    const staff = staffOf(res);
    const actor = actorOf(staff);
    const [berichten, wijken] = await Promise.all([listWijkberichten(db, actor), listWijkberichtWijken(db, actor)]).catch((error: unknown) => {
      refused(res, staff, error);
      return [null, null];
    });
    if (!berichten || !wijken) return;
    send(res, 200, staff, "Wijkberichten", wijkberichtListBody({ berichten, wijken, notice: noticeOf(req), timeZone }));
  });

  const renderForm = async (res: Response, status: number, staff: StaffPrincipal, id: string | null, values: WijkberichtFormValues, errors: Record<string, string>) => {
    const wijken = await listWijkberichtWijken(db, actorOf(staff));
    send(res, status, staff, id ? "Wijkbericht bewerken" : "Nieuw wijkbericht", wijkberichtFormBody({ id, values, errors, wijken, csrfToken: pageUserOf(res, staff).csrfToken }));
  };

  router.get("/inbox/wijkberichten/nieuw", async (_req, res) => {
    const staff = staffOf(res);
    if (staff.role === "wethouder") return refused(res, staff, new ActionError(403, "forbidden", "A wethouder may not write wijkberichten."));
    await renderForm(res, 200, staff, null, { text: "", imageUrl: "", link: "", wijkIds: [] }, {});
  });

  const save = async (req: Request, res: Response, id: string | undefined) => {
    const staff = staffOf(res);
    const values = formValuesOf(req.body);
    const result = await saveWijkbericht(db, actorOf(staff), { ...(id ? { id } : {}), form: { ...values }, intent: { action: "draft" } }, { now: clock() }).catch((error: unknown) => {
      refused(res, staff, error);
      return null;
    });
    if (!result) return;
    if (!result.ok) return renderForm(res, 400, staff, id ?? null, values, { ...result.errors });
    res.redirect(303, `/inbox/wijkberichten/${result.id}?klaar=opgeslagen`);
  };

  router.post("/inbox/wijkberichten", (req, res) => save(req, res, undefined));
  router.post("/inbox/wijkberichten/:id", (req, res) => save(req, res, req.params.id));

  const renderDetail = async (req: Request, res: Response, status: number, errors: Record<string, string>, scheduleValue?: string) => {
    const staff = staffOf(res);
    const found = await loadWijkbericht(db, actorOf(staff), idOf(req)).catch((error: unknown) => {
      refused(res, staff, error);
      return null;
    });
    if (!found) return;
    const { bericht, progress, cancellation } = found;
    const targets = await testTargets(staff);
    const defaultTime = (() => {
      const tomorrow = localParts(new Date(clock().getTime() + 86_400_000), timeZone);
      return `${tomorrow.year}-${String(tomorrow.month).padStart(2, "0")}-${String(tomorrow.day).padStart(2, "0")}T09:00`;
    })();
    const body = wijkberichtDetailBody({
      bericht,
      progress,
      previews: previewsOf(bericht),
      cancellation,
      test: {
        email: targets.email !== null,
        demoMailbox: targets.email !== null && deps.test.demoMailbox,
        telegram: targets.telegram !== null,
        mailOff: deps.test.mail === null,
        telegramOn: deps.test.telegram !== null,
      },
      scheduleValue: scheduleValue ?? (bericht.scheduledAt ? toLocalDateTimeInput(bericht.scheduledAt, timeZone) : defaultTime),
      errors,
      csrfToken: pageUserOf(res, staff).csrfToken,
      notice: noticeOf(req),
      timeZone,
    });
    // While it is sent, the page refreshes itself without JavaScript; with it, inbox.js polls voortgang.json.
    send(res, status, staff, "Wijkbericht", body, progress.status === "sending" ? PROGRESS_REFRESH_SECONDS : undefined);
  };

  router.get("/inbox/wijkberichten/:id", (req, res) => renderDetail(req, res, 200, {}));

  /** The progress as JSON, for the page's own polling (inbox.js): small, and 404 outside the scope like the page. */
  router.get("/inbox/wijkberichten/:id/voortgang.json", async (req, res) => {
    const staff = staffOf(res);
    const found = await loadWijkbericht(db, actorOf(staff), idOf(req)).catch((error: unknown) => {
      if (error instanceof ActionError && (error.status === 404 || error.status === 403)) {
        res.status(error.status).json({ error: { code: error.status === 404 ? "not_found" : "forbidden", message: "Dit wijkbericht bestaat niet, of hoort bij een andere tandem." } });
        return null;
      }
      throw error;
    });
    if (!found) return;
    res.json(progressFigures(found.progress));
  });

  router.get("/inbox/wijkberichten/:id/bewerken", async (req, res) => {
    const staff = staffOf(res);
    const found = await loadWijkbericht(db, actorOf(staff), req.params.id).catch((error: unknown) => {
      refused(res, staff, error);
      return null;
    });
    if (!found) return;
    const { bericht } = found;
    if (bericht.status !== "draft" && bericht.status !== "scheduled") return res.redirect(303, `/inbox/wijkberichten/${bericht.id}`);
    await renderForm(res, 200, staff, bericht.id, { text: bericht.text, imageUrl: bericht.imageUrl ?? "", link: bericht.link ?? "", wijkIds: bericht.wijken.map((w) => w.wijkId) }, {});
  });

  /** Moves a saved bericht on (send now, or schedule): the content stays as it is. */
  const moveOn = async (req: Request, res: Response, intent: WijkberichtIntent, notice: string, scheduleValue?: string) => {
    const staff = staffOf(res);
    const found = await loadWijkbericht(db, actorOf(staff), idOf(req)).catch((error: unknown) => {
      refused(res, staff, error);
      return null;
    });
    if (!found) return;
    const { bericht } = found;
    if (bericht.status !== "draft" && bericht.status !== "scheduled") return res.redirect(303, `/inbox/wijkberichten/${bericht.id}?klaar=al-klaar`);
    const form = { text: bericht.text, imageUrl: bericht.imageUrl ?? "", link: bericht.link ?? "", wijkIds: bericht.wijken.map((w) => w.wijkId) };
    const result = await saveWijkbericht(db, actorOf(staff), { id: bericht.id, form, intent }, { now: clock() }).catch((error: unknown) => {
      refused(res, staff, error);
      return null;
    });
    if (!result) return;
    if (!result.ok) return renderDetail(req, res, 400, { ...result.errors }, scheduleValue);
    if (intent.action === "send") deps.onSend?.();
    res.redirect(303, `/inbox/wijkberichten/${bericht.id}?klaar=${notice}`);
  };

  /** True when the form came from the confirmation page. */
  const confirmed = (req: Request) => z.object({ bevestigd: z.literal("ja") }).safeParse(req.body).success;

  /** The confirmation page of "Nu versturen" or "Annuleren": what will happen, and yes or back. */
  const confirmPage = async (req: Request, res: Response, kind: "send" | "cancel") => {
    const staff = staffOf(res);
    const found = await loadWijkbericht(db, actorOf(staff), idOf(req)).catch((error: unknown) => {
      refused(res, staff, error);
      return null;
    });
    if (!found) return;
    const { bericht, progress } = found;
    const open = bericht.status === "draft" || bericht.status === "scheduled";
    if (kind === "send" ? !open : !(open || bericht.status === "sending")) return res.redirect(303, `/inbox/wijkberichten/${bericht.id}?klaar=al-klaar`);
    const csrfToken = pageUserOf(res, staff).csrfToken;
    if (kind === "send") send(res, 200, staff, "Nu versturen?", wijkberichtSendConfirmBody({ bericht, progress, csrfToken }));
    else send(res, 200, staff, progress.status === "sending" ? "Stoppen met versturen?" : "Wijkbericht annuleren?", wijkberichtCancelConfirmBody({ bericht, progress, csrfToken, timeZone }));
  };

  router.get("/inbox/wijkberichten/:id/versturen", (req, res) => confirmPage(req, res, "send"));
  router.get("/inbox/wijkberichten/:id/annuleren", (req, res) => confirmPage(req, res, "cancel"));

  router.post("/inbox/wijkberichten/:id/versturen", (req, res) => {
    if (!confirmed(req)) return res.redirect(303, `/inbox/wijkberichten/${idOf(req)}/versturen`);
    return moveOn(req, res, { action: "send" }, "verstuurd");
  });

  router.post("/inbox/wijkberichten/:id/inplannen", async (req, res) => {
    const value = z
      .object({ scheduledAt: z.string().default("") })
      .catch({ scheduledAt: "" })
      .parse(req.body).scheduledAt;
    const parsed = parseLocalDateTime(value, timeZone);
    if (!parsed.ok) return renderDetail(req, res, 400, { scheduledAt: "Vul een datum en tijd in, bijvoorbeeld morgen om 09:00." }, value);
    await moveOn(req, res, { action: "schedule", scheduledAt: parsed.instant }, "ingepland", value);
  });

  router.post("/inbox/wijkberichten/:id/annuleren", async (req, res) => {
    if (!confirmed(req)) return res.redirect(303, `/inbox/wijkberichten/${idOf(req)}/annuleren`);
    const staff = staffOf(res);
    const result = await cancelWijkbericht(db, actorOf(staff), req.params.id, { now: clock() }).catch((error: unknown) => {
      refused(res, staff, error);
      return null;
    });
    if (!result) return;
    res.redirect(303, `/inbox/wijkberichten/${req.params.id}?klaar=${result.alreadyDone ? "al-klaar" : "geannuleerd"}`);
  });

  router.post("/inbox/wijkberichten/:id/test", async (req, res) => {
    const staff = staffOf(res);
    const found = await loadWijkbericht(db, actorOf(staff), req.params.id).catch((error: unknown) => {
      refused(res, staff, error);
      return null;
    });
    if (!found) return;
    const { bericht } = found;
    const targets = await testTargets(staff);
    const names = bericht.wijken.map((w) => w.wijk.name).sort((a, b) => a.localeCompare(b, "nl"));
    const text = wijkberichtText(deps.globals(), bericht, names, "nl");
    const mail = wijkberichtTestMail(bericht, names);
    let ok = true;
    try {
      if (targets.email && deps.test.mail) await deps.test.mail(targets.email, mail.subject, mail.text);
      if (targets.telegram && deps.test.telegram) await deps.test.telegram(targets.telegram, `Dit is een test. Bewoners krijgen niets.\n\n${text}`);
    } catch (error) {
      ok = false;
      // For the administrator (a MailError names the SMTP step, never an address); the page says only that it failed.
      deps.logger?.warn({ err: error, wijkberichtId: bericht.id }, "A wijkbericht test to a staff member could not be sent");
    }
    await recordWijkberichtTest(db, staff, bericht.id, { email: targets.email !== null, telegram: targets.telegram !== null }, { now: clock() });
    const outcome = !ok || !(targets.email || targets.telegram) ? "test-mislukt" : targets.email && deps.test.demoMailbox && !targets.telegram ? "test-demo" : "test";
    res.redirect(303, `/inbox/wijkberichten/${bericht.id}?klaar=${outcome}`);
  });

  return router;
}
