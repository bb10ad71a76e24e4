/**
 * The web chat without JavaScript, over real HTTP on the real service: the form posts (never GET, so
 * the message is not in the address), the service stores the message and sends the browser back to a
 * page that shows the conversation; a tapped button posts its value.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/env.ts";
import { startService, type Service } from "../../../src/service.ts";
import { createEmptyDatabaseUrl, describeEachDatabase } from "../../helpers/db.ts";
import { captureLogger } from "../../helpers/logger.ts";

describeEachDatabase("the web chat without JavaScript", (provider) => {
  let service: Service;
  let drop: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), "wijklijn-webchat-noscript-"));
  const { logger, lines } = captureLogger();

  beforeAll(async () => {
    const database = await createEmptyDatabaseUrl(provider);
    drop = database.drop;
    service = await startService(loadConfig({ DATABASE_URL: database.url, DATA_DIR: dir, PORT: "0", HOST: "127.0.0.1", NODE_ENV: "test" }), logger);
  });
  afterAll(async () => {
    await service?.stop();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  const formId = (page: string) => /name="clientMessageId" value="([\w-]+)"/.exec(page)?.[1] ?? "";

  it("stores a posted message, answers 303 to the page without the text in the address, and shows the conversation there", async () => {
    const first = await fetch(`${service.url}/chat`);
    const cookie = (first.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const page = await first.text();
    expect(page).toMatch(/<form id="composer" class="composer" method="post" action="\/chat"/);
    const post = await fetch(`${service.url}/chat`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: new URLSearchParams({ clientMessageId: formId(page), text: "Geheime tekst over mijn buren" }).toString(),
    });
    expect(post.status).toBe(303);
    expect(post.headers.get("location")).toBe("/chat#text");
    await service.bot.processor.idle();
    const after = await (await fetch(`${service.url}/chat`, { headers: { cookie } })).text();
    const noscript = /<noscript>([\s\S]*?)<\/noscript>/.exec(after)?.[1] ?? "";
    expect(noscript).toContain('<li class="in resident"><span class="who">Jij</span>Geheime tekst over mijn buren</li>');
    expect(noscript).toContain("Vind je dat goed?");
    // The bot's buttons post their value; the same form id twice is one message (a reload re-posts nothing new).
    expect(noscript).toMatch(/<button type="submit" name="value" value="[^"]+">Ja<\/button>/);
    const again = await fetch(`${service.url}/chat`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: new URLSearchParams({ clientMessageId: formId(page), text: "Geheime tekst over mijn buren" }).toString(),
    });
    expect(again.status).toBe(303);
    await service.bot.processor.idle();
    const twice = await (await fetch(`${service.url}/chat`, { headers: { cookie } })).text();
    expect(twice.match(/Geheime tekst over mijn buren/g)?.length).toBe(1);
    expect(lines.join("\n")).not.toContain("Geheime tekst");
  });

  it("goes back to the page on an empty or broken post, and fills the subscribe message from a wijk page link", async () => {
    const post = await fetch(`${service.url}/chat`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "text=" });
    expect(post.status).toBe(303);
    const page = await (await fetch(`${service.url}/chat?start=wijkberichten&wijk=Geldrop-Centrum%3Cscript%3E`)).text();
    expect(page).toContain('value="Wijkberichten Geldrop-Centrumscript"');
  });
});
