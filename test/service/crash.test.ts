import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../helpers/http.ts";
import { afterAll, expect, it } from "vitest";
import { createDb } from "../../src/db/client.ts";
import { createEmptyDatabaseUrl, describeEachDatabase } from "../helpers/db.ts";
import { exitOf, isRunning, spawnService } from "../helpers/service.ts";

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeEachDatabase("a crash mid-burst", (provider) => {
  const dir = mkdtempSync(join(tmpdir(), "wijklijn-crash-"));
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    await Promise.all(children.map(exitOf));
    rmSync(dir, { recursive: true, force: true });
  });

  it("loses nothing: every acknowledged message is answered exactly once after a restart", async () => {
    const { url, drop } = await createEmptyDatabaseUrl(provider);
    const port = await freePort();
    const start = () => {
      const child = spawnService({ PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dir, DATABASE_URL: url, LOG_LEVEL: "warn", NODE_ENV: "test" });
      children.push(child);
      return child;
    };
    try {
      const first = start();
      await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60_000);
      // Twenty residents each send two messages as fast as they can.
      const cookies = Array.from({ length: 20 }, (_, i) => `wl_chat=crash-visitor-${String(i).padStart(4, "0")}-abcdefgh`);
      const acknowledged: string[] = [];
      const sends = cookies.flatMap((cookie, i) =>
        ["hoi", "ja"].map(async (text, j) => {
          const id = `burst-${i}-${j}`;
          const response = await fetch(`http://127.0.0.1:${port}/chat/api/messages`, {
            method: "POST",
            headers: { "content-type": "application/json", cookie },
            body: JSON.stringify({ clientMessageId: id, text }),
          }).catch(() => null);
          if (response?.status === 202) acknowledged.push(id);
          // Kill the service mid-burst: the moment the fifth message is acknowledged.
          if (acknowledged.length === 5) first.kill("SIGKILL");
        }),
      );
      await Promise.all(sends);
      if (acknowledged.length < 5) first.kill("SIGKILL");
      await exitOf(first);
      // The kill reached the service itself, not a launcher in front of it: nothing is left serving.
      expect(isRunning(first.pid)).toBe(false);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      expect(acknowledged.length).toBeGreaterThan(0);
      // The kill came mid-burst: some messages never got their acknowledgement.
      expect(acknowledged.length).toBeLessThan(cookies.length * 2);

      start();
      await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60_000);
      const db = createDb(url);
      try {
        await waitUntil(async () => (await db.message.count({ where: { direction: "in", processedAt: null } })) === 0, 60_000);
        // The messages that came in over Telegram (the demo's invented activity has no platform ids).
        const stored = await db.message.findMany({ where: { direction: "in", channelMessageId: { not: null } }, select: { channelMessageId: true, conversationId: true } });
        // Every acknowledged message was stored exactly once (none lost, none twice).
        const storedIds = stored.map((m) => m.channelMessageId?.split(":")[1]);
        for (const id of acknowledged) expect(storedIds.filter((s) => s === id)).toHaveLength(1);
        // And answered exactly once: every resident who got through is welcomed once, never twice.
        const welcomes = await db.message.groupBy({ by: ["conversationId"], where: { direction: "out", text: { startsWith: "Hoi! Ik ben Wijklijn" } }, _count: { _all: true } });
        const conversations = new Set(stored.map((m) => m.conversationId));
        expect(welcomes.length).toBe(conversations.size);
        for (const row of welcomes) expect(row._count._all).toBe(1);
      } finally {
        await db.$disconnect();
      }
    } finally {
      for (const child of children) child.kill("SIGKILL");
      await Promise.all(children.map(exitOf));
      await drop();
    }
  }, 180_000); // two service start-ups and a burst: minutes on a loaded CI machine, not the default 30 s
});
