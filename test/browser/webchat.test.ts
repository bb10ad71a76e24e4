/**
 * The web chat as a resident uses it on a phone, in real headless Chromium against the real service:
 * a photo reaches the inbox conversation, a wrong or too large file gets a clear answer, 112 is a link
 * to tap, reference numbers stay whole, a message passed to staff is marked "✓ doorgegeven", and an
 * English resident gets an English page.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { WEBCHAT_MAX_PHOTO_BYTES } from "../../src/channels/webchat/webchatPhotos.ts";
import { agreeAndAskForAPerson, botSays, browserSupport, PHONE, signIn, typeInChat, useBrowserRig, WAIT } from "./helpers.ts";

const support = browserSupport();
const GR_MIERLO = "gr.mierlo@demo.wijklijn.nl";

/** A 1×1 PNG. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

describe.skipIf(!support.available)("the web chat in headless Chromium", () => {
  const rig = useBrowserRig();

  /** A phone-sized page in a fresh context (its own cookies), with the page's own strict CSP in force. */
  const newPhone = (locale = "nl-NL"): Promise<Page> => rig.newPage({ ...PHONE, locale, viewport: { width: 390, height: 780 }, bypassCSP: false });

  it("takes a photo into the conversation the inbox shows, and says clearly when a file is too large or not a photo", async () => {
    const resident = await newPhone();
    await resident.goto(`${rig.url}/chat`);
    await typeInChat(resident, "hoi");
    await botSays(resident, "Vind je dat goed?");
    // The welcome's privacy link, on its own line after "Privacy:", is a link the resident can tap.
    const privacy = resident.locator("#log li.out").filter({ hasText: "Privacy:" }).last().locator('a[href$="/privacy"]');
    expect(await privacy.textContent()).toMatch(/^https?:\/\/\S+\/privacy$/);
    await agreeAndAskForAPerson(resident, "De stoep bij de school is kapot, ik stuur een foto");
    const reference = (await resident.locator("#log li.out .ref").last().textContent()) ?? "";
    expect(reference).toMatch(/^WL-\d{4}-\d{5}$/);
    // The reference never breaks across lines, however narrow the phone.
    // A string, so that the DOM's getComputedStyle needs no declaration here.
    expect(await resident.evaluate("getComputedStyle(document.querySelector('#log li.out .ref')).whiteSpace")).toBe("nowrap");

    await resident.locator("#photo").setInputFiles({ name: "stoep.png", mimeType: "image/png", buffer: PNG });
    await resident.locator("#log li.in .photo").first().waitFor(WAIT);
    expect(await resident.locator("#log li.in .photo").first().textContent()).toBe("📷 Foto");

    await resident.locator("#photo").setInputFiles({ name: "groot.jpg", mimeType: "image/jpeg", buffer: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(WEBCHAT_MAX_PHOTO_BYTES)]) });
    await resident.getByRole("status").filter({ hasText: "Deze foto is te groot" }).waitFor(WAIT);
    await resident.locator("#photo").setInputFiles({ name: "brief.txt", mimeType: "text/plain", buffer: Buffer.from("geen foto") });
    await resident.getByRole("status").filter({ hasText: "Stuur een foto (JPEG, PNG of WebP)" }).waitFor(WAIT);
    // A file that says it is a photo but is not one is refused just as clearly.
    await resident.locator("#photo").setInputFiles({ name: "nep.png", mimeType: "image/png", buffer: Buffer.from("geen foto") });
    await resident.getByRole("status").filter({ hasText: "Stuur een foto (JPEG, PNG of WebP)" }).waitFor(WAIT);
    expect(await resident.locator("#log li.in .photo").count()).toBe(1);

    const shot = process.env.WEBCHAT_SCREENSHOT_DIR;
    if (shot) writeFileSync(join(shot, "webchat-phone-nl.png"), await resident.screenshot({ fullPage: true }));

    const staff = await newPhone();
    await staff.setViewportSize({ width: 1280, height: 900 });
    await signIn(staff, rig.url, GR_MIERLO);
    await staff.getByRole("link", { name: reference, exact: true }).click();
    await staff.getByRole("heading", { level: 1, name: `Gesprek ${reference}` }).waitFor(WAIT);
    await staff.locator("#geschiedenis .attachment").filter({ hasText: "webchat/" }).first().waitFor(WAIT);
    expect(rig.pageErrors).toEqual([]);
  });

  it("makes 112 in a bot message a link to tap", async () => {
    const resident = await newPhone();
    await resident.goto(`${rig.url}/chat`);
    await typeInChat(resident, "mijn buurman is in elkaar gezakt en ademt niet");
    await resident.locator('#log li.out a[href="tel:112"]').first().waitFor(WAIT);
    expect(await resident.locator('#log li.out a[href="tel:112"]').first().textContent()).toBe("112");
    // The answer fits the emergency (someone not breathing: reanimate, an AED), and the 112 in the header.
    expect(await resident.locator("#log li.out").last().textContent()).toContain("AED");
    expect(await resident.locator('header a[href="tel:112"]').count()).toBe(1);
    const shot = process.env.WEBCHAT_SCREENSHOT_DIR;
    if (shot) writeFileSync(join(shot, "webchat-phone-112.png"), await resident.screenshot({ fullPage: true }));
    expect(rig.pageErrors).toEqual([]);
  });

  it("makes 113, 0800-0113 and the site 113.nl each tappable as what they are", async () => {
    const resident = await newPhone();
    await resident.goto(`${rig.url}/chat`);
    await typeInChat(resident, "ik wil niet meer leven");
    await resident.locator('#log li.out a[href="tel:113"]').first().waitFor(WAIT);
    expect(await resident.locator('#log li.out a[href="tel:08000113"]').count()).toBeGreaterThan(0);
    const site = resident.locator('#log li.out a[href="https://113.nl"]').first();
    expect(await site.textContent()).toBe("113.nl");
    expect(rig.pageErrors).toEqual([]);
  });

  it("puts '✓ doorgegeven' on a message the bot passed to staff without a new bubble, also after a reload", async () => {
    const resident = await newPhone();
    await resident.goto(`${rig.url}/chat`);
    await typeInChat(resident, "hoi");
    await botSays(resident, "Vind je dat goed?");
    await agreeAndAskForAPerson(resident, "Over het hek bij de speeltuin");
    await typeInChat(resident, "is daar nog iemand?");
    await botSays(resident, "Je bericht is aangekomen bij de gebiedsregisseur van Luchen");
    const bubbles = await resident.locator("#log li").count();
    await typeInChat(resident, "het hek staat nog steeds open");
    const mark = resident.locator("#log li.in").filter({ hasText: "het hek staat nog steeds open" }).locator(".passed-on");
    await mark.waitFor(WAIT);
    expect(await mark.textContent()).toBe("✓ doorgegeven");
    // One new bubble (the resident's own), no answer from the bot, and only that bubble is marked.
    expect(await resident.locator("#log li").count()).toBe(bubbles + 1);
    expect(await resident.locator("#log li.in .passed-on").count()).toBe(1);
    await resident.reload();
    await resident.locator("#log li.in .passed-on").first().waitFor(WAIT);
    expect(await resident.locator("#log li.in .passed-on").count()).toBe(1);
    expect(rig.pageErrors).toEqual([]);
  });

  it("puts the mark in Polish on a Polish resident's message that went to staff", async () => {
    const resident = await newPhone();
    await resident.goto(`${rig.url}/chat`);
    await typeInChat(resident, "Dzień dobry, czy mówisz po polsku? Chcę zgłosić problem");
    await botSays(resident, "Jestem Wijklijn");
    // A plain thanks gets the mark ("tak" or a question gets a short answer in Polish).
    await typeInChat(resident, "dziękuję");
    const mark = resident.locator("#log li.in").filter({ hasText: "dziękuję" }).locator(".passed-on");
    await mark.waitFor(WAIT);
    expect(await mark.textContent()).toBe("✓ przekazano");
    expect(rig.pageErrors).toEqual([]);
  });

  it("speaks English around the bot to a resident who writes in English, also after a reload", async () => {
    const resident = await newPhone("en-GB");
    await resident.goto(`${rig.url}/chat`);
    expect(await resident.locator("html").getAttribute("lang")).toBe("nl");
    await typeInChat(resident, "Hello, can I report a broken streetlight?");
    await resident.getByRole("button", { name: "Send", exact: true }).waitFor(WAIT);
    expect(await resident.locator("#text").getAttribute("placeholder")).toBe("Type your message…");
    expect(await resident.locator("label.photo-button").textContent()).toBe("Send a photo");
    expect(await resident.locator("#log li.in .who").first().textContent()).toBe("You");
    await resident.reload();
    expect(await resident.locator("html").getAttribute("lang")).toBe("en");
    expect(await resident.locator("header p").textContent()).toContain("In danger: call 112.");
    await resident.getByLabel("Your message").waitFor(WAIT);
    const shot = process.env.WEBCHAT_SCREENSHOT_DIR;
    if (shot) writeFileSync(join(shot, "webchat-phone-en.png"), await resident.screenshot({ fullPage: true }));
    expect(rig.pageErrors).toEqual([]);
  });

  it("works without JavaScript: the form posts, the page shows the conversation, and the message never lands in the address", async () => {
    const resident = await rig.newPage({ javaScriptEnabled: false, viewport: { width: 390, height: 780 }, bypassCSP: false });
    const addresses: string[] = [];
    resident.on("request", (request) => addresses.push(request.url()));
    await resident.goto(`${rig.url}/chat`);
    expect(await resident.locator("#composer").getAttribute("method")).toBe("post");
    await resident.locator("#text").fill("hoi daar zonder script");
    await resident.getByRole("button", { name: "Stuur", exact: true }).click();
    await resident.waitForURL(/\/chat#text$/, WAIT);
    const log = resident.locator("ol.log--static");
    await log.locator("li.in").filter({ hasText: "hoi daar zonder script" }).waitFor(WAIT);
    await log.locator("li.out").filter({ hasText: "Vind je dat goed?" }).waitFor(WAIT);
    // The bot's buttons are a form too: tapping "Ja" goes on.
    await resident.locator("form.static-buttons").getByRole("button", { name: "Ja", exact: true }).click();
    await log.locator("li.out").filter({ hasText: "In welke wijk woon je?" }).waitFor(WAIT);
    expect(addresses.filter((address) => address.includes("zonder") || address.includes("text="))).toEqual([]);
    await resident.context().close();
  });

  it("keeps the script's page live: with JavaScript the form does not post or reload", async () => {
    const resident = await newPhone();
    const posts: string[] = [];
    resident.on("request", (request) => {
      if (request.method() === "POST") posts.push(new URL(request.url()).pathname);
    });
    await resident.goto(`${rig.url}/chat`);
    expect(await resident.locator("html").getAttribute("class")).toBe("");
    await typeInChat(resident, "hallo");
    await botSays(resident, "Vind je dat goed?");
    expect(posts).toEqual(["/chat/api/messages"]);
    expect(resident.url()).toBe(`${rig.url}/chat`);
    expect(rig.pageErrors).toEqual([]);
  });
});
