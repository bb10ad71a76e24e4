/**
 * GET /inbox/assets/inbox.js: the inbox's small progressive enhancement, served from the file
 * beside this folder. Public (it holds no data), so it may be mounted before the sign-in check.
 */
import { readFileSync } from "node:fs";
import { Router } from "express";

const SCRIPT_URL = new URL("../assets/inbox.js", import.meta.url);

/** Serves inbox.js (read once; the file ships with the code). */
export function inboxAssetRoutes(): Router {
  const router = Router();
  const script = readFileSync(SCRIPT_URL, "utf8");
  const style = readFileSync(new URL("../assets/inbox.css", import.meta.url), "utf8");
  router.get("/inbox/assets/inbox.js", (_req, res) => {
    res.setHeader("Content-Type", "text/javascript; charset=utf-8");
    res.setHeader("Cache-Control", "no-cache");
    res.send(script);
  });
  router.get("/inbox/assets/inbox.css", (_req, res) => {
    res.setHeader("Content-Type", "text/css; charset=utf-8");
    res.setHeader("Cache-Control", "no-cache");
    res.send(style);
  });
  return router;
}
