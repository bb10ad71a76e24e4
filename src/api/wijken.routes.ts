/** Public wijk routes: GET /api/v1/wijken and /api/v1/wijken/lookup (CONTRACTS). */
import { Router } from "express";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { findWijkByLocation, findWijkByPostcode, listWijken } from "../db/wijk.repo.ts";
import { HttpError } from "../http/errors.ts";

/** The query of /wijken/lookup: a postcode, or a latitude and longitude. */
export const LookupQuerySchema = z.union([
  z.object({ postcode: z.string().min(1).max(200) }).strict(),
  z.object({ lat: z.coerce.number().min(-90).max(90), lon: z.coerce.number().min(-180).max(180) }).strict(),
]);

/** Routes for the public wijk API, for the installation's gemeente. */
export function wijkenRoutes(deps: { db: Db; gemeenteId: () => Promise<string> }): Router {
  const router = Router();
  router.get("/wijken", async (_req, res) => {
    const wijken = await listWijken(deps.db, await deps.gemeenteId());
    res.json(wijken);
  });
  router.get("/wijken/lookup", async (req, res) => {
    const parsed = LookupQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      throw new HttpError(400, "invalid_query", "Give either ?postcode=5662AB or ?lat=51.43&lon=5.55.");
    }
    const gemeenteId = await deps.gemeenteId();
    const query = parsed.data;
    const result = "postcode" in query ? await findWijkByPostcode(deps.db, gemeenteId, query.postcode) : await findWijkByLocation(deps.db, gemeenteId, query.lat, query.lon);
    res.json({ wijk: result.wijk, reason: result.reason });
  });
  return router;
}
