import { freePort } from "../helpers/http.ts";
import { expect, it } from "vitest";
import { createDb } from "../../src/db/client.ts";
import { createEmptyDatabaseUrl, describeEachDatabase } from "../helpers/db.ts";
import { exitOf, isRunning, serviceProcesses, waitUntil } from "../helpers/service.ts";

describeEachDatabase("a crash mid-burst", (provider) => {
  const processes = serviceProcesses("crash");

  it("loses nothing: every acknowledged message is answered exactly once after a restart", async () => {
    const { url, drop } = await createEmptyDatabaseUrl(provider);
    const port = await freePort();
    const service = processes.on(port, url);
    try {
      const first = await service.start();
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

      await service.start();
      const db = createDb(url);
      try {
        await waitUntil(async () => (await db.message.count({ where: { direction: "in", processedAt: null } })) === 0, 60_000, "every message to be handled");
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
      await service.killAll();
      await drop();
    }
  }, 180_000); // two service start-ups and a burst: minutes on a loaded CI machine, not the default 30 s
});
