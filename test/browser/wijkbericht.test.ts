/**
 * A new user's first wijkbericht in real headless Chromium against the real service on a fresh
 * demo install (as after `npm start`): the Geldrop-Noord gebiedsregisseur writes one on a phone
 * with JavaScript off, sees the preview per channel, sends it to the demo subscribers and watches
 * it reach them (the test lands in the demo mailbox, the progress page updates itself with and
 * without JavaScript). "Nu versturen" and "Annuleren" ask first on a page of their own. axe-core
 * finds nothing serious on the list, the form (with its errors), the preview, the confirmation
 * pages, the progress page and a cancelled bericht's page. The list fits a 375px phone.
 */
import { describe, expect, it } from "vitest";
import { browserSupport, expectAccessible, PHONE, signIn, useBrowserRig, WAIT } from "./helpers.ts";

const support = browserSupport();

const GR_NOORD = "gr.geldrop-noord@demo.wijklijn.nl";

describe.skipIf(!support.available)("a first wijkbericht in headless Chromium", () => {
  const rig = useBrowserRig();

  it("writes, previews and sends a wijkbericht to the demo subscribers on a phone without JavaScript, and shows it arrive", async () => {
    const page = await rig.newPage({ ...PHONE, javaScriptEnabled: false });
    await signIn(page, rig.url, GR_NOORD);
    await page.getByRole("link", { name: "Wijkberichten" }).click();
    await page.getByRole("heading", { level: 1, name: "Wijkberichten" }).waitFor(WAIT);
    await page.getByRole("link", { name: "Nieuw wijkbericht" }).click();
    await page.getByRole("heading", { level: 1, name: "Nieuw wijkbericht" }).waitFor(WAIT);
    await page.getByRole("button", { name: "Opslaan en voorbeeld bekijken" }).click();
    await page.getByRole("heading", { name: "Controleer het formulier" }).waitFor(WAIT);

    await page.getByLabel(/^Geldrop-Centrum/).check();
    await page.getByLabel(/^Coevering/).check();
    await page.getByLabel("Bericht").fill("Zaterdag 12 december is de buurtschoonmaak. We beginnen om 10 uur bij het wijkhuis. Doe je mee?");
    await page.getByLabel(/^Link/).fill("https://www.geldrop-mierlo.nl/buurtschoonmaak");
    await page.getByRole("button", { name: "Opslaan en voorbeeld bekijken" }).click();
    await page.getByRole("heading", { name: "Zo ziet het eruit" }).waitFor(WAIT);
    // Each channel as it renders there, labelled.
    await expect.poll(() => page.locator("figure.preview figcaption").allTextContents()).toEqual(["WhatsApp", "Telegram", "Webchat"]);
    expect(await page.locator('figure[data-channel="webchat"] .preview-link').textContent()).toBe("https://www.geldrop-mierlo.nl/buurtschoonmaak");
    // The demo install has no mail server: the test lands in the demo mailbox, labelled as such.
    await page.getByRole("button", { name: "Stuur een test naar mezelf" }).click();
    await page.getByText("De test staat in je demo-postvak").waitFor(WAIT);
    await page.getByRole("link", { name: "demo-postvak" }).first().click();
    await page.getByRole("heading", { level: 1, name: "Demo-postvak" }).waitFor(WAIT);
    await page.getByText("Alleen in de demo.").waitFor(WAIT);
    await page.getByText("Zaterdag 12 december is de buurtschoonmaak.").waitFor(WAIT);
    // A test e-mail: the note that it is a test, without the chat's footer lines.
    const mail = (await page.locator(".dev-mail .bubble").first().textContent()) ?? "";
    expect(mail).toContain("Dit is een test.");
    expect(mail).not.toContain("Reageren kan hier");
    expect(mail).not.toContain("Stuur 'stop'");
    await page.goBack();

    // The demo subscribers of the two wijken who want each bericht: 10 + 7; the weekly ones (2 + 1) are counted apart.
    await page.getByText("17 abonnees krijgen het meteen; 3 abonnees met «één keer per week» krijgen het in het weekoverzicht.").waitFor(WAIT);
    await page.getByRole("link", { name: "Nu versturen naar 17 abonnees…" }).click();
    await page.getByRole("heading", { level: 1, name: "Nu versturen?" }).waitFor(WAIT);
    await page.getByText("Dit bericht gaat nu naar 17 abonnees in Coevering en Geldrop-Centrum.").waitFor(WAIT);
    expect(await rig.service.db.wijkbericht.count({ where: { status: "sending" } })).toBe(0);
    await page.getByRole("button", { name: "Ja, nu versturen" }).click();
    await page.getByText("Je hebt het wijkbericht verstuurd").waitFor(WAIT);
    // Without JavaScript the page reloads itself while sending (a meta refresh in <noscript>): no reload here.
    await page.getByText("Verwerkt: 17 van 17").waitFor({ timeout: 30_000 });
    await page.getByText("Verstuurd: 17 van 17.").waitFor(WAIT);
    await page.waitForTimeout(4_000);
    // Done: no more reloading (the page stays as it is).
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
    const bericht = await rig.service.db.wijkbericht.findFirstOrThrow();
    expect(await rig.service.db.wijkberichtDelivery.count({ where: { wijkberichtId: bericht.id, status: "sent" } })).toBe(17);
  });

  it("with JavaScript, the progress page fills in its figures by itself while the bericht is sent, and says when it is done", async () => {
    const page = await rig.newPage(PHONE);
    await signIn(page, rig.url, GR_NOORD);
    await page.goto(`${rig.url}/inbox/wijkberichten/nieuw`);
    await page.getByLabel(/^Coevering/).check();
    await page.getByLabel("Bericht").fill("Dinsdag wordt het gras in het park gemaaid.");
    await page.getByRole("button", { name: "Opslaan en voorbeeld bekijken" }).click();
    await page.getByRole("link", { name: /Nu versturen naar/ }).click();
    await page.getByRole("button", { name: "Ja, nu versturen" }).click();
    await page.getByText("Je hebt het wijkbericht verstuurd").waitFor(WAIT);
    const loaded = page.url();
    const status = page.locator("[data-progress-status]");
    expect(await status.getAttribute("aria-live")).toBe("polite");
    await expect.poll(() => status.textContent(), { timeout: 30_000, interval: 500 }).toMatch(/^Klaar\. Verstuurd: (\d+) van \1\.$/);
    // The same page (no reload), its figures filled in from voortgang.json.
    expect(page.url()).toBe(loaded);
    expect(await page.locator('[data-figure="waiting"]').textContent()).toBe("0");
  });

  it("the list, the form (also with errors), the preview and the results have no serious accessibility problems (axe-core), on a phone", async () => {
    const page = await rig.newPage(PHONE);
    await signIn(page, rig.url, GR_NOORD);
    await page.goto(`${rig.url}/inbox/wijkberichten`);
    await page.getByRole("heading", { level: 1, name: "Wijkberichten" }).waitFor(WAIT);
    await expectAccessible(page, "wijkbericht list");
    await page.getByRole("link", { name: "Nieuw wijkbericht" }).click();
    await page.getByRole("heading", { level: 1, name: "Nieuw wijkbericht" }).waitFor(WAIT);
    await expectAccessible(page, "wijkbericht form");
    await page.getByRole("button", { name: "Opslaan en voorbeeld bekijken" }).click();
    await page.getByRole("heading", { name: "Controleer het formulier" }).waitFor(WAIT);
    await expectAccessible(page, "wijkbericht form with errors");
    await page.getByLabel(/^Braakhuizen-Noord/).check();
    await page.getByLabel("Bericht").fill("De Heuvelstraat is volgende week dicht.");
    await page.getByRole("button", { name: "Opslaan en voorbeeld bekijken" }).click();
    await page.getByRole("heading", { name: "Zo ziet het eruit" }).waitFor(WAIT);
    await expectAccessible(page, "wijkbericht preview");
    await page.getByRole("link", { name: /Nu versturen naar/ }).click();
    await page.getByRole("heading", { level: 1, name: "Nu versturen?" }).waitFor(WAIT);
    await expectAccessible(page, "wijkbericht send confirmation");
    await page.getByRole("link", { name: "Nee, terug" }).click();
    await page.getByRole("link", { name: "Annuleren…" }).click();
    await page.getByRole("heading", { level: 1, name: "Wijkbericht annuleren?" }).waitFor(WAIT);
    await expectAccessible(page, "wijkbericht cancel confirmation");
    await page.getByRole("button", { name: "Ja, annuleren" }).click();
    await page.getByRole("heading", { name: /^Geannuleerd op .* door Gebiedsregisseur Geldrop-Noord\.$/ }).waitFor(WAIT);
    await page.getByText("Niemand heeft het gekregen").waitFor(WAIT);
    await expectAccessible(page, "cancelled wijkbericht");
    const sent = await rig.service.db.wijkbericht.findFirstOrThrow({ where: { status: "sent" } });
    await page.goto(`${rig.url}/inbox/wijkberichten/${sent.id}`);
    await page.getByRole("heading", { name: "Voortgang" }).waitFor(WAIT);
    await expectAccessible(page, "wijkbericht results");
  });

  it("shows the list of wijkberichten as cards that fit a 375px phone, without sideways scrolling", async () => {
    const page = await rig.newPage({ ...PHONE, viewport: { width: 375, height: 812 } });
    await signIn(page, rig.url, GR_NOORD);
    // A bericht with a long first line and long wijk names, as the tester's list had.
    await page.goto(`${rig.url}/inbox/wijkberichten/nieuw`);
    await page.getByLabel(/^Geldrop-Centrum/).check();
    await page.getByLabel(/^Braakhuizen-Noord/).check();
    await page.getByLabel("Bericht").fill("Werkzaamheden-aan-de-Heuvelstraat-en-de-Nieuwendijk beginnen maandag: de weg is drie weken dicht voor auto's.");
    await page.getByRole("button", { name: "Opslaan en voorbeeld bekijken" }).click();
    await page.getByRole("heading", { name: "Zo ziet het eruit" }).waitFor(WAIT);
    await page.goto(`${rig.url}/inbox/wijkberichten`);
    await page.getByRole("heading", { name: "Berichten", exact: true }).waitFor(WAIT);
    expect(await page.locator("table.stack-on-phone tbody tr").count()).toBeGreaterThan(0);
    // Nothing sticks out of the page or out of a table.
    expect(await page.locator("html").evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(375);
    const overflowing = await page.locator("table").evaluateAll((tables) => tables.filter((table) => table.scrollWidth > table.clientWidth + 1 || table.getBoundingClientRect().right > 375).length);
    expect(overflowing).toBe(0);
    // Each cell carries its column's name, so a card reads without the header row.
    const firstCard = page.locator("table.stack-on-phone tbody tr").first();
    expect(await firstCard.locator("td").first().getAttribute("data-label")).toBe("Bericht");
    await expectAccessible(page, "wijkbericht list at 375px");
  });

  it("opens the web chat from the public wijk page already in the subscribe flow for that wijk: the resident only confirms", async () => {
    const page = await rig.newPage(PHONE);
    await page.goto(`${rig.url}/wijk/centrum`);
    await page.getByRole("link", { name: "in de webchat" }).click();
    await expect.poll(() => page.locator("#text").inputValue()).toBe("Wijkberichten Geldrop-Centrum");
  });

  it("ran without script errors", () => {
    expect(rig.pageErrors).toEqual([]);
  });
});
