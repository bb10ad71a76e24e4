/**
 * The public wijk pages in real headless Chromium against the real service (demo data): no
 * accessibility violation of any impact (axe-core, WCAG 2.x A/AA and best practices), readable
 * on a phone without horizontal scrolling, and working with JavaScript turned off.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { tmpdir } from "node:os";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { browserSupport, PHONE, useBrowserRig } from "./helpers.ts";

const support = browserSupport();
const require = createRequire(import.meta.url);

const ViolationsSchema = z.object({ violations: z.array(z.object({ id: z.string(), impact: z.string().nullish(), help: z.string(), nodes: z.array(z.object({ target: z.array(z.unknown()) })) })) });

/** Every axe violation on the page (not only the serious ones), as short lines. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: await readFile(require.resolve("axe-core/axe.min.js"), "utf8") });
  const raw: unknown = await page.evaluate("axe.run(document, { resultTypes: ['violations'] })");
  return ViolationsSchema.parse(raw).violations.map((v) => `${v.impact ?? "?"} ${v.id}: ${v.help} [${v.nodes.map((n) => n.target.map(String).join(" ")).join(", ")}]`);
}

describe.skipIf(!support.available)("the public wijk pages in headless Chromium", () => {
  const rig = useBrowserRig();

  /** A phone-sized page; `bypassCSP` only to inject axe (the pages themselves allow no inline script). */
  const phone = (options: { javaScriptEnabled?: boolean; bypassCSP?: boolean } = {}): Promise<Page> =>
    rig.newPage({ ...PHONE, javaScriptEnabled: options.javaScriptEnabled ?? true, bypassCSP: options.bypassCSP ?? false });

  it("passes axe with no violations on the list of wijken and on a wijk page, on a phone", async () => {
    const page = await phone({ bypassCSP: true });
    for (const path of ["/wijk", "/wijk/luchen", "/wijk/onbekend"]) {
      await page.goto(`${rig.url}${path}`);
      expect(await axeViolations(page), path).toEqual([]);
    }
  });

  it("fits a phone screen without sideways scrolling, styled by the NL Design System CSS", async () => {
    const page = await phone();
    await page.goto(`${rig.url}/wijk/luchen`);
    await page.screenshot({ path: join(process.env.WIJK_SCREENSHOT_DIR ?? tmpdir(), "wijk-luchen-phone.png"), fullPage: true });
    const wide = await page.evaluate(
      "[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5).map((e) => e.tagName + '.' + e.className).slice(0, 5)",
    );
    expect(wide).toEqual([]);
    const widths = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]");
    expect(z.tuple([z.number(), z.number()]).parse(widths)[0]).toBeLessThanOrEqual(390);
    const font = await page.evaluate("getComputedStyle(document.querySelector('h1')).fontWeight");
    expect(font).toBe("700");
  });

  it("works without JavaScript: from the start page to a wijk and its chat link", async () => {
    const page = await phone({ javaScriptEnabled: false });
    await page.goto(`${rig.url}/`);
    await page.getByRole("link", { name: "Wijkpagina's" }).click();
    await page.getByRole("link", { name: "Luchen" }).click();
    await expect.poll(() => page.url()).toBe(`${rig.url}/wijk/luchen`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Luchen");
    expect(await page.getByRole("link", { name: "Chat met de gemeente" }).getAttribute("href")).toBe("/chat");
  });
});
