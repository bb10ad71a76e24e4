/**
 * GET /agenda/:token.ics: the calendar file of a sign-up, through the link the resident got on
 * signing up (or on getting a place from the waitlist). No login: the token is the key
 * (calendarLink.ts). A cancelled or unknown sign-up answers 404, with a word on what to do.
 */
import { Router } from "express";
import type { Globals } from "../conversation/flowSchema.ts";
import type { Db } from "../db/client.ts";
import { findRegistrationForCalendar } from "../db/dialoogtafel.repo.ts";
import { buildCalendarFile } from "./calendar.ts";
import { verifyCalendarToken } from "./calendarLink.ts";
import { calendarDescription, textLanguage } from "./residentTexts.ts";

/** What the calendar route needs. */
export interface CalendarRoutesDeps {
  db: Db;
  secret: string;
  /** The bot's texts (the description in the file). */
  globals: () => Globals;
  /** The host part of each event's UID. */
  publicUrl: string;
  now?: () => Date;
}

/** The calendar download. */
export function calendarRoutes(deps: CalendarRoutesDeps): Router {
  const router = Router();
  const host = new URL(deps.publicUrl).hostname;
  router.get("/agenda/:file", async (req, res) => {
    const token = req.params.file.endsWith(".ics") ? req.params.file.slice(0, -4) : req.params.file;
    const registrationId = verifyCalendarToken(token, deps.secret);
    const found = registrationId ? await findRegistrationForCalendar(deps.db, registrationId) : null;
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("X-Robots-Tag", "noindex");
    if (!found) {
      res.status(404).type("text/plain; charset=utf-8").send("Deze agenda-link werkt niet (meer). Ben je afgemeld? Typ 'dialoogtafel' in de chat om je opnieuw aan te melden.");
      return;
    }
    const { dialoogtafel: tafel, resident } = found;
    const language = textLanguage(resident.language);
    const file = buildCalendarFile({
      uid: `dialoogtafel-${tafel.id}@${host}`,
      title: tafel.title,
      description: calendarDescription(deps.globals(), tafel, language),
      location: tafel.location,
      startsAt: tafel.startsAt,
      endsAt: tafel.endsAt,
      cancelled: tafel.status === "cancelled",
      now: deps.now?.() ?? new Date(),
      timeZone: resident.gemeente.timeZone,
      productId: `-//Gemeente ${resident.gemeente.name}//Wijklijn//NL`,
    });
    res.status(200).type("text/calendar; charset=utf-8").setHeader("Content-Disposition", 'attachment; filename="dialoogtafel.ics"').send(file);
  });
  return router;
}
