/** GET /privacy/export/:token: a resident's own data as JSON, through the signed link the bot gave. */
import { Router } from "express";
import type { Db } from "../db/client.ts";
import { exportResidentDataByToken } from "./residentData.ts";

/** The resident's export download. */
export function privacyRoutes(deps: { db: Db; secret: string; now?: () => Date }): Router {
  const router = Router();
  router.get("/privacy/export/:token", async (req, res) => {
    const data = await exportResidentDataByToken(deps.db, req.params.token, deps.secret, deps.now?.() ?? new Date());
    if (!data) {
      res.status(404).type("text/plain; charset=utf-8").send("Deze link werkt niet (meer). Vraag in de chat opnieuw om je gegevens: typ 'privacy'.");
      return;
    }
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Content-Disposition", 'attachment; filename="mijn-wijklijn-gegevens.json"');
    res.json(data);
  });
  return router;
}
