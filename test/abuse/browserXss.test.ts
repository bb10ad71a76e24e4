/**
 * Script payloads in headless Chromium: a resident types them into the web chat, the gemeente's
 * name carries one onto /privacy, and a gebiedsregisseur opens the conversation in the inbox. No
 * payload becomes an element, no dialog opens, no inline handler even tries to run (that would
 * show as a CSP violation), and the pages raise no errors.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { Service } from "../../src/service.ts";
import { browserSupport, launchChromium, signIn, startBrowserTestService } from "../browser/helpers.ts";

const support = browserSupport();
const InjectedSchema = z.object({ elements: z.array(z.string()), flag: z.unknown(), violations: z.array(z.string()) });
const WAIT = { timeout: 15_000 };
const PAYLOADS = ['<img src=x onerror="window.__xss=1;alert(1)">', "<script>window.__xss=2</script>", '<svg onload="window.__xss=3">', '"><iframe srcdoc="<script>parent.__xss=4</script>">'];

describe.skipIf(!support.available)("abuse: script payloads in headless Chromium", () => {
  let browser: Browser;
  let service: Service;
  let stopService: () => Promise<void>;
  const problems: string[] = [];

  beforeAll(async () => {
    const started = await startBrowserTestService();
    service = started.service;
    stopService = started.stop;
    await service.db.gemeente.updateMany({ data: { name: `Geldrop-Mierlo ${PAYLOADS[0]}` } });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stopService?.();
  });

  /** A page that records dialogs, page errors and CSP violations. */
  async function watchedPage(): Promise<Page> {
    const context = await browser.newContext({ locale: "nl-NL" });
    // Scripts run in the page, given as text (this project's TypeScript has no DOM types).
    await context.addInitScript(
      "document.addEventListener('securitypolicyviolation', (event) => { window.__violations = [...(window.__violations || []), event.violatedDirective + ' ' + event.sample]; });",
    );
    const page = await context.newPage();
    page.on("dialog", (dialog) => {
      problems.push(`${page.url()}: a dialog opened (${dialog.message()})`);
      void dialog.dismiss();
    });
    page.on("pageerror", (error) => problems.push(`${page.url()}: ${error.message}`));
    return page;
  }

  /** What a page shows of the payloads: injected elements, the flag, CSP violations. */
  async function injectedOn(page: Page): Promise<z.infer<typeof InjectedSchema>> {
    await page.waitForTimeout(300);
    const found: unknown = await page.evaluate(
      `({ elements: [...document.querySelectorAll('img[src="x"], svg[onload], iframe[srcdoc], script:not([src]):not([type="application/json"])')].map((e) => e.outerHTML.slice(0, 200)), flag: window.__xss ?? null, violations: window.__violations ?? [] })`,
    );
    return InjectedSchema.parse(found);
  }

  it("runs no payload typed into the web chat, on the resident's page or in the inbox", async () => {
    const resident = await watchedPage();
    await resident.goto(`${service.url}/chat`);
    for (const text of ["hoi", "ja", "5731 BB", "ja", "mens", ...PAYLOADS]) {
      await resident.locator("#text").fill(text);
      await resident.getByRole("button", { name: "Stuur", exact: true }).click();
      await resident.locator("#log li.in").filter({ hasText: text }).last().waitFor(WAIT);
    }
    expect(await injectedOn(resident)).toEqual({ elements: [], flag: null, violations: [] });

    const conversation = await service.db.conversation.findFirstOrThrow({ where: { channel: "webchat", status: { not: "bot" } }, orderBy: { createdAt: "desc" } });
    const staff = await watchedPage();
    await signIn(staff, service.url, "gr.mierlo@demo.wijklijn.nl");
    expect(await injectedOn(staff)).toEqual({ elements: [], flag: null, violations: [] });
    await staff.goto(`${service.url}/inbox/c/${conversation.id}`);
    await staff
      .getByText(PAYLOADS[3] ?? "", { exact: false })
      .first()
      .waitFor(WAIT);
    expect(await injectedOn(staff)).toEqual({ elements: [], flag: null, violations: [] });
    expect(problems).toEqual([]);
  }, 90_000);

  it("runs no payload from the gemeente's name on /privacy", async () => {
    const page = await watchedPage();
    await page.goto(`${service.url}/privacy`);
    await page.getByText("Geldrop-Mierlo <img", { exact: false }).first().waitFor(WAIT);
    expect(await injectedOn(page)).toEqual({ elements: [], flag: null, violations: [] });
    expect(problems).toEqual([]);
  }, 60_000);
});
