/**
 * A dialoogtafel's evening in real headless Chromium against the real service: a resident signs
 * up through the bot (and gets a calendar file), the Mierlo gebiedsregisseur opens the check-in
 * list on a phone with JavaScript off and taps the resident present; afterwards the summary is
 * written and published. axe-core finds nothing serious on either page.
 */
import { randomUUID } from "node:crypto";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Service } from "../../src/service.ts";
import { browserSupport, launchChromium, seriousAccessibilityViolations, signIn, startBrowserTestService } from "./helpers.ts";

const support = browserSupport();

const GR_MIERLO = "gr.mierlo@demo.wijklijn.nl";
const WAIT = { timeout: 15_000 };
/** A phone at the door. */
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "nl-NL", timezoneId: "Europe/Amsterdam" };

describe.skipIf(!support.available)("a dialoogtafel's evening in headless Chromium", () => {
  let browser: Browser;
  let service: Service;
  let stopService: () => Promise<void>;
  let url = "";
  let tafelId = "";
  let pastTafelId = "";
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const started = await startBrowserTestService();
    service = started.service;
    stopService = started.stop;
    url = service.url;
    browser = await launchChromium();
    // A resident of Mierlo signs up for the demo's Dialoogtafel Mierlo through the bot, on the web chat.
    tafelId = (await service.db.dialoogtafel.findFirstOrThrow({ where: { title: "Dialoogtafel Mierlo" } })).id;
    const externalId = `tafel-${randomUUID()}`;
    const steps = [{ text: "hoi" }, { value: "yes" }, { text: "5731 BB" }, { text: "ja" }, { text: "dialoogtafel" }, { value: tafelId }];
    for (const [i, step] of steps.entries()) {
      await service.bot.processor.ingest({ channel: "webchat", externalId, channelMessageId: `${externalId}-${i}`, ...step });
      await service.bot.processor.idle();
    }
    // And a dialoogtafel that was held this afternoon, with the same resident present.
    const registration = await service.db.registration.findFirstOrThrow({ where: { dialoogtafelId: tafelId } });
    const wijkId = (await service.db.dialoogtafel.findUniqueOrThrow({ where: { id: tafelId } })).wijkId;
    const past = await service.db.dialoogtafel.create({
      data: { wijkId, title: "Dialoogtafel Groen", topic: "Bomen", location: "Ontmoetingscentrum, Mierlo", startsAt: new Date(Date.now() - 3 * 3600_000), capacity: 20 },
    });
    pastTafelId = past.id;
    await service.db.registration.create({
      data: { dialoogtafelId: past.id, residentId: registration.residentId, channelIdentityId: registration.channelIdentityId, status: "registered", checkedInAt: new Date() },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await stopService?.();
  });

  async function newPage(options: BrowserContextOptions): Promise<Page> {
    // bypassCSP: axe-core is injected as an inline script.
    const context = await browser.newContext({ ...options, bypassCSP: true });
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    return page;
  }

  async function expectAccessible(page: Page, label: string): Promise<void> {
    const serious = await seriousAccessibilityViolations(page, label);
    expect(serious, `${label}: ${serious.map((f) => `${f.id} (${f.impact}) ${f.help}: ${f.targets.join(", ")} ${f.summary}`).join("; ")}`).toEqual([]);
  }

  it("gave the resident a calendar file in Amsterdam time", async () => {
    const confirmation = await service.db.message.findFirstOrThrow({ where: { direction: "out", text: { contains: "Zet het in je agenda" } } });
    const link = /\/agenda\/[\w.-]+\.ics/.exec(confirmation.text ?? "")?.[0] ?? "";
    const response = await fetch(`${url}${link}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/DTSTART;TZID=Europe\/Amsterdam:\d{8}T193000\r\n/);
  });

  it("checks the resident in on a phone with JavaScript off: one tap, large enough, and the list says so", async () => {
    const page = await newPage({ ...PHONE, javaScriptEnabled: false });
    await signIn(page, url, GR_MIERLO);
    await page.goto(`${url}/inbox/content/tafel/${tafelId}`);
    await page.getByRole("link", { name: "Aanwezigheid bijhouden" }).click();
    await page.getByRole("heading", { level: 1, name: "Aanwezig bij Dialoogtafel Mierlo" }).waitFor(WAIT);
    await expect.poll(() => page.getByRole("status").first().textContent()).toContain("0 van 1");
    const button = page.getByRole("button", { name: /^Aanwezig/ });
    const box = await button.boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
    await button.click();
    await page.getByText("✓ Aanwezig").waitFor(WAIT);
    expect(await page.locator("#telling").textContent()).toContain("1 van 1");
    expect(page.url()).toMatch(/#r-/);
    await page.getByRole("button", { name: /^Toch niet/ }).waitFor(WAIT);
  });

  it("the check-in list and the summary form have no serious accessibility problems (axe-core), on a phone", async () => {
    const page = await newPage(PHONE);
    await signIn(page, url, GR_MIERLO);
    await page.goto(`${url}/inbox/content/tafel/${tafelId}/aanwezig`);
    await page.getByRole("heading", { level: 1 }).waitFor(WAIT);
    await expectAccessible(page, "check-in list");
    await page.goto(`${url}/inbox/content/tafel/${pastTafelId}/verslag`);
    await page.getByRole("heading", { level: 1, name: "Verslag van Dialoogtafel Groen" }).waitFor(WAIT);
    await expectAccessible(page, "summary form");
    // Sent empty: the errors are named and tied to their fields.
    await page.getByRole("button", { name: "Publiceren en versturen" }).click();
    await page.getByRole("heading", { name: "Controleer het formulier" }).waitFor(WAIT);
    await expectAccessible(page, "summary form with errors");
    await page.getByLabel("Wat we hoorden").fill("Bewoners willen meer bomen in de straat.");
    await page.getByLabel("Wat we gaan doen").fill("In het voorjaar planten we tien bomen.");
    await page.getByRole("button", { name: "Publiceren en versturen" }).click();
    await page.getByText("Het verslag staat in het wijknieuws").waitFor(WAIT);
    await expectAccessible(page, "summary published");
    expect(await service.db.newsItem.count({ where: { title: "Verslag: Dialoogtafel Groen", publishedAt: { not: null } } })).toBe(1);
  });

  it("ran without script errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
