/**
 * A dialoogtafel's evening in real headless Chromium against the real service: a resident signs
 * up through the bot (and gets a calendar file), the Mierlo gebiedsregisseur opens the check-in
 * list on a phone with JavaScript off and taps the resident present; afterwards the summary is
 * written and published. axe-core finds nothing serious on either page.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { browserSupport, expectAccessible, PHONE, signIn, useBrowserRig, WAIT } from "./helpers.ts";

const support = browserSupport();

const GR_MIERLO = "gr.mierlo@demo.wijklijn.nl";

describe.skipIf(!support.available)("a dialoogtafel's evening in headless Chromium", () => {
  const rig = useBrowserRig();
  let tafelId = "";
  let pastTafelId = "";

  beforeAll(async () => {
    // A resident of Mierlo signs up for the demo's Dialoogtafel Mierlo through the bot, on the web chat.
    tafelId = (await rig.service.db.dialoogtafel.findFirstOrThrow({ where: { title: "Dialoogtafel Mierlo" } })).id;
    const externalId = `tafel-${randomUUID()}`;
    const steps = [{ text: "hoi" }, { value: "yes" }, { text: "5731 BB" }, { text: "ja" }, { text: "dialoogtafel" }, { value: tafelId }, { value: "yes" }];
    for (const [i, step] of steps.entries()) {
      await rig.service.bot.processor.ingest({ channel: "webchat", externalId, channelMessageId: `${externalId}-${i}`, ...step });
      await rig.service.bot.processor.idle();
    }
    // And a dialoogtafel that was held this afternoon, with the same resident present.
    const registration = await rig.service.db.registration.findFirstOrThrow({ where: { dialoogtafelId: tafelId } });
    const wijkId = (await rig.service.db.dialoogtafel.findUniqueOrThrow({ where: { id: tafelId } })).wijkId;
    const past = await rig.service.db.dialoogtafel.create({
      data: { wijkId, title: "Dialoogtafel Groen", topic: "Bomen", location: "Ontmoetingscentrum, Mierlo", startsAt: new Date(Date.now() - 3 * 3600_000), capacity: 20 },
    });
    pastTafelId = past.id;
    await rig.service.db.registration.create({
      data: { dialoogtafelId: past.id, residentId: registration.residentId, channelIdentityId: registration.channelIdentityId, status: "registered", checkedInAt: new Date() },
    });
  });

  it("gave the resident a calendar file in Amsterdam time", async () => {
    const confirmation = await rig.service.db.message.findFirstOrThrow({ where: { direction: "out", text: { contains: "Zet het in je agenda" } } });
    const link = /\/agenda\/[\w.-]+\.ics/.exec(confirmation.text ?? "")?.[0] ?? "";
    const response = await fetch(`${rig.url}${link}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/DTSTART;TZID=Europe\/Amsterdam:\d{8}T193000\r\n/);
  });

  it("checks the resident in on a phone with JavaScript off: one tap, large enough, and the list says so", async () => {
    const page = await rig.newPage({ ...PHONE, javaScriptEnabled: false });
    await signIn(page, rig.url, GR_MIERLO);
    await page.goto(`${rig.url}/inbox/content/tafel/${tafelId}`);
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
    const page = await rig.newPage(PHONE);
    await signIn(page, rig.url, GR_MIERLO);
    await page.goto(`${rig.url}/inbox/content/tafel/${tafelId}/aanwezig`);
    await page.getByRole("heading", { level: 1 }).waitFor(WAIT);
    await expectAccessible(page, "check-in list");
    await page.goto(`${rig.url}/inbox/content/tafel/${pastTafelId}/verslag`);
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
    expect(await rig.service.db.newsItem.count({ where: { title: "Verslag: Dialoogtafel Groen", publishedAt: { not: null } } })).toBe(1);
  });

  it("ran without script errors", () => {
    expect(rig.pageErrors).toEqual([]);
  });
});
