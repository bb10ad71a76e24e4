/** Liveness and readiness: /healthz says the process runs; /readyz that it can serve. */
import { Router } from "express";
import type { Db, DatabaseProvider } from "../db/client.ts";
import { pendingMigrations } from "../db/migrate.ts";
import { pingDatabase } from "../db/ops.repo.ts";

/** A component that reports its own readiness (e.g. a channel connection). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
  /** Shown on /readyz but not failing it (e.g. a WhatsApp Web pilot phone waiting for a QR scan). */
  informational?: boolean;
}

/** Routes for /healthz and /readyz. */
export function healthRoutes(deps: { db: Db; provider: DatabaseProvider; checks?: ReadinessCheck[] }): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    try {
      await pingDatabase(deps.db);
      const pending = await pendingMigrations(deps.db, deps.provider);
      checks.database = pending.length === 0 ? { ok: true } : { ok: false, detail: `pending migrations: ${pending.join(", ")}` };
    } catch (error) {
      checks.database = { ok: false, detail: `unreachable: ${error instanceof Error ? error.message.split("\n")[0] : "unknown error"}` };
    }
    const informational = new Set<string>();
    for (const extra of deps.checks ?? []) {
      if (extra.informational) informational.add(extra.name);
      try {
        checks[extra.name] = await extra.check();
      } catch (error) {
        checks[extra.name] = { ok: false, detail: error instanceof Error ? error.message : "check failed" };
      }
    }
    const ready = Object.entries(checks).every(([name, check]) => check.ok || informational.has(name));
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not ready", checks });
  });
  return router;
}
