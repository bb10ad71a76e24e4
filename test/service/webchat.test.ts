import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../../src/config/env.ts";
import { createApiToken } from "../../src/db/staff.repo.ts";
import { startService, type Service } from "../../src/service.ts";
import { createEmptyDatabaseUrl, describeEachDatabase } from "../helpers/db.ts";
import { captureLogger } from "../helpers/logger.ts";

const MessagesSchema = z.object({
  messages: z.array(z.object({ id: z.string(), direction: z.string(), author: z.string(), text: z.string(), buttons: z.array(z.object({ label: z.string(), value: z.string() })) })),
  cursor: z.string().nullable(),
});

describeEachDatabase("the web chat and the API, end to end over HTTP", (provider) => {
  let service: Service;
  let drop: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), "wijklijn-webchat-"));
  const logs = captureLogger();
  let cookie = "";
  let cursor: string | null = null;

  beforeAll(async () => {
    const database = await createEmptyDatabaseUrl(provider);
    drop = database.drop;
    const config = loadConfig({ DATABASE_URL: database.url, DATA_DIR: dir, PORT: "0", HOST: "127.0.0.1", NODE_ENV: "test" });
    service = await startService(config, logs.logger);
  });
  afterAll(async () => {
    await service?.stop();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  async function say(body: Record<string, unknown>): Promise<Array<{ text: string; buttons: Array<{ label: string; value: string }> }>> {
    const response = await fetch(`${service.url}/chat/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ clientMessageId: `id-${Math.random().toString(36).slice(2)}`, ...body }),
    });
    expect(response.status).toBe(202);
    const setCookie = response.headers.get("set-cookie");
    if (setCookie) cookie = setCookie.split(";")[0] ?? "";
    await service.bot.processor.idle();
    const read = await fetch(`${service.url}/chat/api/messages${cursor ? `?after=${cursor}` : ""}`, { headers: { cookie } });
    const data = MessagesSchema.parse(await read.json());
    cursor = data.cursor;
    return data.messages.filter((m) => m.direction === "out");
  }

  it("serves the chat page with a strict content security policy", async () => {
    const page = await fetch(`${service.url}/chat`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("set-cookie")).toMatch(/wl_chat=.*HttpOnly/i);
    const html = await page.text();
    expect(html).toContain('lang="nl"');
    expect(html).toContain('<label for="text"');
  });

  it("takes a resident from hello to a melding in the right tandem, visible through the API with a CLI token", async () => {
    const events = new AbortController();
    const stream = await fetch(`${service.url}/chat/api/events`, { headers: { cookie }, signal: events.signal });
    expect(stream.headers.get("content-type")).toContain("text/event-stream");

    expect((await say({ text: "hoi" })).map((m) => m.text).join()).toContain("Vind je dat goed?");
    const consent = await say({ value: "yes", text: "Ja" });
    expect(consent.at(-1)?.buttons.map((b) => b.label)).toEqual(["Weet ik niet", "Kies uit lijst"]);
    await say({ text: "5665 AB" });
    expect((await say({ text: "ja" })).map((m) => m.text).join()).toContain("Braakhuizen-Noord");
    await say({ text: "Bij de bushalte ligt steeds glas en afval" });
    await say({ value: "skip", text: "Geen foto" });
    await say({ location: { lat: 51.433, lon: 5.575 }, text: "📍" });
    await say({ value: "nee", text: "Nee, liever niet" });
    const done = await say({ value: "chat", text: "Ja, hier in de chat" });
    const reference = /WL-\d{4}-\d{5}/.exec(done.map((m) => m.text).join())?.[0];
    expect(reference).toBeDefined();
    events.abort();

    const gebiedsregisseur = await createApiToken(service.db, { email: "gr.geldrop-noord@demo.wijklijn.nl" });
    const list = await fetch(`${service.url}/api/v1/conversations?status=open`, { headers: { authorization: `Bearer ${gebiedsregisseur.token}` } });
    const items = z
      .object({
        items: z.array(
          z.looseObject({
            id: z.string(),
            reference: z.string(),
            wijk: z.string().nullable(),
            tandem: z.string().nullable(),
            intent: z.string().nullable(),
            theme: z.string().nullable(),
            channel: z.string(),
          }),
        ),
      })
      .parse(await list.json()).items;
    const conversation = items.find((c) => c.reference === reference);
    expect(conversation).toMatchObject({ channel: "webchat", wijk: "braakhuizen-noord", tandem: "geldrop-noord", intent: "melding", theme: "afval" });

    const detail = await fetch(`${service.url}/api/v1/conversations/${conversation?.id}`, { headers: { authorization: `Bearer ${gebiedsregisseur.token}` } });
    const messages = z.object({ messages: z.array(z.object({ direction: z.string(), text: z.string().nullable() }).loose()) }).parse(await detail.json()).messages;
    expect(messages.some((m) => m.direction === "note" && m.text?.includes("Omschrijving: Bij de bushalte"))).toBe(true);

    const otherTandem = await createApiToken(service.db, { email: "gr.mierlo@demo.wijklijn.nl" });
    expect((await fetch(`${service.url}/api/v1/conversations/${conversation?.id}`, { headers: { authorization: `Bearer ${otherTandem.token}` } })).status).toBe(404);
  });

  it("answers POST /api/v1/triage for staff", async () => {
    const { token } = await createApiToken(service.db, { email: "admin@demo.wijklijn.nl" });
    const answer = await fetch(`${service.url}/api/v1/triage`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ text: "Er staat een lantaarnpaal scheef in mijn straat" }),
    });
    expect(await answer.json()).toMatchObject({ intent: "melding", theme: "onderhoud", emergency: null });
    const emergency = await fetch(`${service.url}/api/v1/triage`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ text: "help er is brand bij de buren" }),
    });
    expect(await emergency.json()).toMatchObject({ intent: "spoed", emergency: "112" });
    expect((await fetch(`${service.url}/api/v1/triage`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(401);
    expect((await fetch(`${service.url}/api/v1/triage`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: "{}" })).status).toBe(400);
  });

  it("gives the resident their data through the export link, and refuses a forged one", async () => {
    await say({ text: "privacy" });
    const exported = await say({ value: "inzien", text: "Mijn gegevens opvragen" });
    const link = /http:\/\/\S+\/privacy\/export\/\S+?(?=\s|$| \()/.exec(exported.map((m) => m.text).join("\n"))?.[0];
    expect(link).toBeDefined();
    const path = new URL(link ?? "").pathname;
    const download = await fetch(`${service.url}${path}`);
    expect(download.status).toBe(200);
    const data = z.object({ resident: z.object({ wijk: z.string() }), conversations: z.array(z.unknown()) }).parse(await download.json());
    expect(data.resident.wijk).toBe("Braakhuizen-Noord");
    expect((await fetch(`${service.url}${path.slice(0, -3)}abc`)).status).toBe(404);
  });

  it("never logged what the resident wrote", () => {
    const output = logs.lines.join("\n");
    expect(output).not.toContain("bushalte");
    expect(output).not.toContain("5665 AB");
  });
});
