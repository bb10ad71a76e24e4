import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../../src/config/env.ts";
import { startService, type Service } from "../../src/service.ts";
import { createEmptyDatabaseUrl, describeEachDatabase } from "../helpers/db.ts";
import { captureLogger } from "../helpers/logger.ts";

const MessagesSchema = z.object({ messages: z.array(z.object({ direction: z.string(), text: z.string() }).loose()) });

describeEachDatabase("many open web chat event streams", (provider) => {
  let service: Service;
  let drop: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), "wijklijn-streams-"));
  const logs = captureLogger();
  const aborts: AbortController[] = [];

  beforeAll(async () => {
    const database = await createEmptyDatabaseUrl(provider);
    drop = database.drop;
    const config = loadConfig({ DATABASE_URL: database.url, DATA_DIR: dir, PORT: "0", HOST: "127.0.0.1", NODE_ENV: "test" });
    service = await startService(config, logs.logger);
  });
  afterAll(async () => {
    for (const abort of aborts) abort.abort();
    await service?.stop();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens an event stream as a visitor with this cookie value, from this client address. */
  async function openStream(visitor: string, client: string): Promise<Response> {
    const abort = new AbortController();
    aborts.push(abort);
    return fetch(`${service.url}/chat/api/events`, { headers: { cookie: `wl_chat=${visitor}`, "x-forwarded-for": client }, signal: abort.signal });
  }

  it("keeps answering a resident while 600 strangers hold streams with made-up cookies", async () => {
    // 600 streams from 12 client addresses (50 each, the per-client limit), as in the report
    // that crashed the service: each stream used to look up the database on every bot turn.
    const opened = await Promise.all(Array.from({ length: 600 }, (_, i) => openStream(`made-up-visitor-${String(i).padStart(6, "0")}`, `203.0.113.${i % 12}`)));
    expect(opened.every((res) => res.status === 200)).toBe(true);

    const cookie = "wl_chat=a-real-resident-visitor-0001";
    const post = await fetch(`${service.url}/chat/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ clientMessageId: "first-message-1", text: "hoi" }),
    });
    expect(post.status).toBe(202);
    await service.bot.processor.idle();
    const read = MessagesSchema.parse(await (await fetch(`${service.url}/chat/api/messages`, { headers: { cookie } })).json());
    expect(
      read.messages
        .filter((m) => m.direction === "out")
        .map((m) => m.text)
        .join(),
    ).toContain("Vind je dat goed?");
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    expect(logs.lines.join("\n")).not.toContain("P2029");
  });

  it("tells only the visitor whose conversation changed", async () => {
    const mine = "visitor-who-writes-00002";
    const stream = await openStream(mine, "198.51.100.1");
    const other = await openStream("visitor-who-only-reads-3", "198.51.100.1");
    const post = await fetch(`${service.url}/chat/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `wl_chat=${mine}` },
      body: JSON.stringify({ clientMessageId: "second-message-1", text: "hallo" }),
    });
    expect(post.status).toBe(202);
    const reader = stream.body?.getReader();
    if (!reader) throw new Error("no stream body");
    let received = "";
    while (!received.includes("event: update")) received += new TextDecoder().decode((await reader.read()).value);
    expect(received).toContain("event: update");
    await service.bot.processor.idle();
    // The other visitor's stream got the opening retry line and nothing more.
    const otherReader = other.body?.getReader();
    if (!otherReader) throw new Error("no stream body");
    const first = new TextDecoder().decode((await otherReader.read()).value);
    expect(first).toBe("retry: 2000\n\n");
    const next = await Promise.race([otherReader.read().then(() => "data"), new Promise((resolve) => setTimeout(() => resolve("nothing"), 300))]);
    expect(next).toBe("nothing");
  });

  it("refuses more than a few streams per visitor, and more than 50 per client address, with a clear 4xx", async () => {
    const visitor = "one-visitor-many-tabs-01";
    const tabs = await Promise.all(Array.from({ length: 6 }, () => openStream(visitor, "192.0.2.77")));
    expect(tabs.map((res) => res.status).sort()).toEqual([200, 200, 200, 200, 200, 429]);
    const overflow = await openStream("one-more-visitor-from-12", "203.0.113.1");
    expect(overflow.status).toBe(429);
    expect(overflow.headers.get("retry-after")).toBe("30");
  });

  it("ends a stream without a chat cookie at once, so nothing is held open for it", async () => {
    const res = await fetch(`${service.url}/chat/api/events`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("retry: 2000\n\n");
  });
});
