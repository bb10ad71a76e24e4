/**
 * Browser tests in real headless Chromium (Debian's `chromium`, driven by playwright-core; no
 * browser is downloaded). Where no Chromium is installed the browser tests are skipped with one
 * line; under REQUIRE_BROWSER=true (.ci/run) a missing browser is a failure instead.
 */
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { z } from "zod";
import { loadConfig } from "../../src/config/env.ts";
import { startService, type Service } from "../../src/service.ts";
import { captureLogger } from "../helpers/logger.ts";

/** Where the browser is: CHROMIUM_PATH, or Debian's package. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the browser tests can run here. Says once why not; throws when REQUIRE_BROWSER=true,
 * so that CI cannot pass by skipping them.
 */
export function browserSupport(): { available: boolean } {
  if (isExecutable(chromiumPath)) return { available: true };
  if (process.env.REQUIRE_BROWSER === "true") {
    throw new Error(`REQUIRE_BROWSER=true but there is no Chromium at ${chromiumPath}: install it (apt-get install chromium) or point CHROMIUM_PATH at it.`);
  }
  // Straight to stdout: one line, like the PostgreSQL notice, without vitest's per-test header.
  process.stdout.write(`Browser tests skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH).\n`);
  return { available: false };
}

/**
 * Starts headless Chromium. Playwright gives every launch a fresh temporary profile
 * (user-data dir) and deletes it on close, so runs never share cookies or storage.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    timeout: 30_000,
  });
}

/** The real service on a fresh SQLite database with the demo gemeente, on a free loopback port. */
export async function startBrowserTestService(): Promise<{ service: Service; logs: string[]; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "wijklijn-browser-"));
  const { logger, lines } = captureLogger("warn");
  const config = loadConfig({ DATABASE_URL: `file:${join(dir, "wijklijn.db")}`, DATA_DIR: dir, PORT: "0", HOST: "127.0.0.1", NODE_ENV: "test" });
  const service = await startService(config, logger);
  return {
    service,
    logs: lines,
    stop: async () => {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The demo accounts' shared password (prisma/demo/geldrop-mierlo.ts). */
export const DEMO_PASSWORD = "wijklijn-demo";

/** Signs in through the real login form and waits for the inbox. */
export async function signIn(page: Page, baseUrl: string, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/inbox/login`);
  await page.getByLabel("E-mailadres").fill(email);
  await page.getByLabel("Wachtwoord").fill(password);
  await page.getByRole("button", { name: "Inloggen" }).click();
  await page.waitForURL(`${baseUrl}/inbox`);
}

const AxeResultsSchema = z.object({
  violations: z.array(
    z.object({
      id: z.string(),
      impact: z.string().nullish(),
      help: z.string(),
      helpUrl: z.string(),
      nodes: z.array(z.object({ target: z.array(z.unknown()), failureSummary: z.string().nullish() })),
    }),
  ),
});

/** One axe-core finding, short enough to print. */
export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
  summary: string;
}

const require = createRequire(import.meta.url);
let axeSource: Promise<string> | null = null;

/**
 * Runs axe-core (WCAG 2.x A/AA and best practices) on the page as it is now. Returns the
 * serious and critical violations; prints the others with the page's label.
 */
export async function seriousAccessibilityViolations(page: Page, label: string): Promise<AxeFinding[]> {
  axeSource ??= readFile(require.resolve("axe-core/axe.min.js"), "utf8");
  await page.addScriptTag({ content: await axeSource });
  // A string, so that the page's `axe` global needs no declaration here; zod checks what comes back.
  const raw: unknown = await page.evaluate("axe.run(document, { resultTypes: ['violations'] })");
  const findings: AxeFinding[] = AxeResultsSchema.parse(raw).violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact ?? "unknown",
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.map(String).join(" ")),
    summary: violation.nodes[0]?.failureSummary ?? "",
  }));
  const serious = findings.filter((finding) => finding.impact === "serious" || finding.impact === "critical");
  for (const finding of findings.filter((f) => !serious.includes(f))) {
    console.log(`axe (${label}): ${finding.impact} ${finding.id}: ${finding.help} [${finding.targets.slice(0, 3).join(", ")}]`);
  }
  return serious;
}
