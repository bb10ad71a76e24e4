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
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
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

/** What a browser test file works with: the real service on a fresh demo install and one Chromium. */
export interface BrowserRig {
  readonly service: Service;
  readonly browser: Browser;
  /** The service's base address, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** The service's warnings and errors so far. */
  readonly logs: string[];
  /** Script errors on any page opened with `newPage`, as "address: message". */
  readonly pageErrors: string[];
  /** A page in a fresh browser context (its own cookies, as on another device), closed with the browser. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
}

/** Dutch, in Amsterdam time: the context every browser test starts from. */
const DUTCH: BrowserContextOptions = { locale: "nl-NL", timezoneId: "Europe/Amsterdam" };

/** A phone (390 × 844, touch) in Dutch. */
export const PHONE: BrowserContextOptions = { ...DUTCH, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/**
 * Starts the service and Chromium before the file's tests and stops both after them (register it
 * at the top of the `describe`; the file's own `beforeAll` hooks run after it). Pages from
 * `newPage` have their script errors collected in `pageErrors`; `bypassCSP` is on by default
 * because axe-core is injected as an inline script, which the pages' own CSP forbids.
 */
export function useBrowserRig(): BrowserRig {
  let started: Awaited<ReturnType<typeof startBrowserTestService>> | null = null;
  let browser: Browser | null = null;
  const pageErrors: string[] = [];
  beforeAll(async () => {
    started = await startBrowserTestService();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await started?.stop();
  });
  const ready = () => {
    if (!started || !browser) throw new Error("the browser rig is used before its beforeAll ran");
    return { started, browser };
  };
  return {
    get service() {
      return ready().started.service;
    },
    get browser() {
      return ready().browser;
    },
    get url() {
      return ready().started.service.url;
    },
    get logs() {
      return ready().started.logs;
    },
    pageErrors,
    async newPage(options = {}) {
      const context = await ready().browser.newContext({ ...DUTCH, bypassCSP: true, ...options });
      const page = await context.newPage();
      page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));
      return page;
    },
  };
}

/** Generous for a slow machine; every wait ends as soon as its condition holds. */
export const WAIT = { timeout: 15_000 };

/** Types a message into the web chat and sends it (`send`: the button's label, "Send" in English). */
export async function typeInChat(page: Page, text: string, send = "Stuur"): Promise<void> {
  await page.locator("#text").fill(text);
  await page.getByRole("button", { name: send, exact: true }).click();
}

/** Waits for a bot or staff message containing `text` in the web chat. */
export const botSays = (page: Page, text: string) => page.locator("#log li.out").filter({ hasText: text }).last().waitFor(WAIT);

/** One of the web chat's answer buttons under the last bot message. */
export const answerButton = (page: Page, label: string) => page.locator("#buttons").getByRole("button", { name: label, exact: true });

/**
 * In the web chat, from the consent question on: agrees, gives a Luchen postcode, asks for a person
 * and says what it is about. Returns the reference the bot gives (WL-2026-00012).
 */
export async function agreeAndAskForAPerson(page: Page, question: string): Promise<string> {
  await answerButton(page, "Ja").click();
  await botSays(page, "In welke wijk woon je?");
  await typeInChat(page, "5731 BB");
  await botSays(page, "Dan woon je in Luchen. Klopt dat?");
  await answerButton(page, "Ja").click();
  await botSays(page, "je wijk is Luchen");
  await typeInChat(page, "mens");
  await botSays(page, "Waar gaat je vraag over?");
  await typeInChat(page, question);
  await botSays(page, "Je nummer is");
  const handover = await page.locator("#log li.out").filter({ hasText: "Je nummer is" }).last().textContent();
  return /WL-\d{4}-\d{5}/.exec(handover ?? "")?.[0] ?? "";
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

/** Fails with every serious or critical axe-core finding on the page, each on a line of its own. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const serious = await seriousAccessibilityViolations(page, label);
  expect(serious, `${label}: ${serious.map((f) => `${f.id} (${f.impact}) ${f.help}: ${f.targets.join(", ")} ${f.summary}`).join("; ")}`).toEqual([]);
}
