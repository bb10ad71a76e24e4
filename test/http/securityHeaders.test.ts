import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { HSTS, PAGE_CSP } from "../../src/http/securityHeaders.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

/** The inline <style> blocks of a page, each with the CSP source that allows it. */
function inlineStyles(page: string): string[] {
  return [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
    (m) =>
      `'sha256-${createHash("sha256")
        .update(m[1] ?? "", "utf8")
        .digest("base64")}'`,
  );
}

describe("security headers", () => {
  let t: TestDatabase;
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    t = await createTestDatabase("sqlite", { seed: true });
    server = await listen(createApp({ db: t.db, provider: "sqlite", logger: captureLogger().logger, trustProxy: "loopback" }));
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  it("gives the inbox a strict policy: scripts and styles from our own origin only, no framing", async () => {
    const response = await fetch(`${server.url}/inbox/login`);
    expect(response.status).toBe(200);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toBe(PAGE_CSP);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toBe("no-store");
    // The inbox page itself needs nothing inline.
    const page = await response.text();
    expect(page).not.toMatch(/<style>|<script>(?!<\/script>)| style="| on[a-z]+="/);
  });

  it.each(["/", "/api/docs"])("allows exactly the page's own style block on %s, by hash", async (path) => {
    const response = await fetch(`${server.url}${path}`, { headers: { accept: "text/html" } });
    const csp = response.headers.get("content-security-policy") ?? "";
    const page = await response.text();
    const styles = inlineStyles(page);
    expect(styles).toHaveLength(1);
    expect(csp).toContain(`style-src 'self' ${styles[0]}`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page).not.toMatch(/ style="/);
  });

  it.each(["/api/v1/wijken", "/chat/api/messages", "/api/v1/conversations", "/api/v1/digests", "/inbox"])("keeps %s out of every cache", async (path) => {
    const response = await fetch(`${server.url}${path}`, { redirect: "manual" });
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("lets the inbox's static assets be cached", async () => {
    const response = await fetch(`${server.url}/inbox/assets/inbox.css`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).not.toBe("no-store");
  });

  it("sends HSTS only on requests that came over HTTPS (through a trusted proxy)", async () => {
    const plain = await fetch(`${server.url}/healthz`);
    expect(plain.headers.get("strict-transport-security")).toBeNull();
    const proxied = await fetch(`${server.url}/healthz`, { headers: { "x-forwarded-proto": "https" } });
    expect(proxied.headers.get("strict-transport-security")).toBe(HSTS);
  });
});
