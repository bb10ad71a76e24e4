import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../helpers/http.ts";
import { afterAll, describe, expect, it } from "vitest";
import { spawnPiped } from "../helpers/service.ts";

async function waitFor(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe("starting the service (src/main.ts)", () => {
  const dir = mkdtempSync(join(tmpdir(), "wijklijn-main-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("migrates, seeds the demo gemeente, serves, and stops cleanly on SIGTERM", async () => {
    const port = await freePort();
    const child = spawnPiped({ PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dir, DATABASE_URL: `file:${join(dir, "w.db")}`, LOG_LEVEL: "info", NODE_ENV: "development" });
    let output = "";
    child.stdout.on("data", (chunk) => (output += String(chunk)));
    child.stderr.on("data", (chunk) => (output += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const health = await waitFor(`http://127.0.0.1:${port}/healthz`, 20_000);
      expect(health.status).toBe(200);
      const lookup = await fetch(`http://127.0.0.1:${port}/api/v1/wijken/lookup?postcode=5662AB`);
      expect(await lookup.json()).toMatchObject({ reason: "found", wijk: { slug: "coevering", tandem: "geldrop-noord" } });
      expect(output).toMatch(/Seeded the demo gemeente/);
      expect(output).toMatch(/Telegram: off/);
      expect(output).toMatch(new RegExp(`http://(localhost|127.0.0.1):${port}`));
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(output).toMatch(/SIGTERM received/);
  });

  it("refuses to start with a bad setting and names it", async () => {
    const child = spawnPiped({ PORT: "not-a-port", DATA_DIR: dir, DATABASE_URL: "oracle://x" });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += String(chunk)));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(78);
    expect(stderr).toMatch(/PORT/);
    expect(stderr).toMatch(/DATABASE_URL/);
    expect(stderr).toMatch(/\.env\.example/);
  });
});
