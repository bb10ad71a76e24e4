/**
 * GET /metrics: Prometheus text format. Counts come from the database (so every instance tells
 * the same story) plus this process's own uptime and memory. No resident data.
 */
import { Router } from "express";
import type { Db } from "../db/client.ts";
import { countOpsMetrics } from "../db/ops.repo.ts";

function line(name: string, labels: Record<string, string>, value: number): string {
  const rendered = Object.entries(labels)
    .map(([key, v]) => `${key}="${v.replace(/["\\\n]/g, "_")}"`)
    .join(",");
  return `${name}${rendered ? `{${rendered}}` : ""} ${value}`;
}

/** Renders the metrics text. */
export async function renderMetrics(db: Db): Promise<string> {
  const counts = await countOpsMetrics(db);
  const memory = process.memoryUsage();
  return [
    "# HELP wijklijn_conversations Conversations by status.",
    "# TYPE wijklijn_conversations gauge",
    ...counts.conversationsByStatus.map((row) => line("wijklijn_conversations", { status: row.status }, row.count)),
    "# HELP wijklijn_outbox_messages Outbox messages by channel and status (dead: needs an admin).",
    "# TYPE wijklijn_outbox_messages gauge",
    ...counts.outboxByChannelAndStatus.map((row) => line("wijklijn_outbox_messages", { channel: row.channel, status: row.status }, row.count)),
    "# HELP wijklijn_inbound_unprocessed Resident messages stored but not yet answered.",
    "# TYPE wijklijn_inbound_unprocessed gauge",
    line("wijklijn_inbound_unprocessed", {}, counts.unprocessedInbound),
    "# HELP process_uptime_seconds Seconds since this instance started.",
    "# TYPE process_uptime_seconds gauge",
    line("process_uptime_seconds", {}, Math.round(process.uptime())),
    "# HELP process_resident_memory_bytes Resident memory of this instance.",
    "# TYPE process_resident_memory_bytes gauge",
    line("process_resident_memory_bytes", {}, memory.rss),
    "",
  ].join("\n");
}

/** The /metrics route. */
export function metricsRoutes(deps: { db: Db }): Router {
  const router = Router();
  router.get("/metrics", async (_req, res) => {
    res.type("text/plain; version=0.0.4; charset=utf-8").send(await renderMetrics(deps.db));
  });
  return router;
}
