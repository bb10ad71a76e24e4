/**
 * GET /api/v1/digests?wethouder=<email>&week=2026-W48 (CONTRACTS): the weekly digest as JSON, as
 * it was sent when it was, or built now. A wethouder reads their own (the parameter may be left
 * out); an admin any wethouder's, or without `wethouder` the overview of every wijk of the
 * gemeente; a gebiedsregisseur gets 403.
 */
import { Router } from "express";
import { z } from "zod";
import type { Settings } from "../conversation/flowSchema.ts";
import type { Db } from "../db/client.ts";
import { resolveDigestAccess } from "../digests/digestAccess.ts";
import { loadDigestSettings } from "../digests/digestSettings.ts";
import { getGemeenteDigest, getWethouderDigest } from "../digests/getDigest.ts";
import { isoWeekBounds, IsoWeekSchema } from "../digests/isoWeek.ts";
import { HttpError } from "../http/errors.ts";
import { requireStaff, staffOf } from "./auth.ts";

/** The query of GET /digests. */
export const DigestQuerySchema = z.strictObject({
  wethouder: z.email({ message: "wethouder must be the e-mail address of a wethouder" }).optional(),
  week: IsoWeekSchema,
});

/** Routes for reading digests; each needs a staff user (bearer token or inbox session). */
export function digestsRoutes(deps: { db: Db; settings?: () => Settings; now?: () => Date }): Router {
  const router = Router();
  let fallbackSettings: Settings | undefined;
  const settings = () => {
    const given = deps.settings?.();
    if (given) return given;
    fallbackSettings ??= loadDigestSettings();
    return fallbackSettings;
  };

  router.get("/digests", requireStaff(deps.db), async (req, res) => {
    const staff = staffOf(res);
    if (staff.role === "gebiedsregisseur") throw new HttpError(403, "forbidden", "Weekly digests are for wethouders and admins.");
    const parsed = DigestQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      const details = parsed.error.issues.map((issue) => ({ parameter: String(issue.path[0] ?? "query"), message: issue.message }));
      throw new HttpError(
        400,
        "invalid_query",
        `Invalid query: ${details.map((d) => `${d.parameter}: ${d.message}`).join("; ")}. Example: ?wethouder=wethouder.c@demo.wijklijn.nl&week=2026-W48`,
        details,
      );
    }
    const { wethouder, week } = parsed.data;
    const access = await resolveDigestAccess(deps.db, staff, wethouder);
    if (access.kind === "denied") throw new HttpError(access.status, access.code, access.message);
    const now = deps.now?.() ?? new Date();
    if (isoWeekBounds(week, access.timeZone).start > now)
      throw new HttpError(400, "invalid_query", `Week ${week} has not started yet; ask for this week or an earlier one.`, [{ parameter: "week", message: "in the future" }]);
    const options = { settings: settings(), now };
    const result = access.kind === "wethouder" ? await getWethouderDigest(deps.db, access.wethouder.id, week, options) : await getGemeenteDigest(deps.db, access.gemeenteId, week, options);
    res.setHeader("Cache-Control", "private, no-store");
    res.json(result.digest);
  });

  return router;
}
