/**
 * The web chat's photo upload and message list over real HTTP, on the real service; and a
 * wijkbericht's photo, which the page shows as an <img> above the text.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { WEBCHAT_MAX_PHOTO_BYTES } from "../../../src/channels/webchat/webchatPhotos.ts";
import { loadConfig } from "../../../src/config/env.ts";
import { saveWijkbericht } from "../../../src/inbox/wijkberichtActions.ts";
import { startService, type Service } from "../../../src/service.ts";
import { createEmptyDatabaseUrl, describeEachDatabase } from "../../helpers/db.ts";
import { captureLogger } from "../../helpers/logger.ts";

const MessagesSchema = z.object({
  messages: z.array(z.object({ direction: z.string(), text: z.string(), photo: z.boolean(), image: z.string().nullable(), notKept: z.boolean() })),
  language: z.enum(["nl", "en"]),
});
const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

describeEachDatabase("the web chat's photos and own messages over HTTP", (provider) => {
  let service: Service;
  let drop: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), "wijklijn-webchat-api-"));

  beforeAll(async () => {
    const database = await createEmptyDatabaseUrl(provider);
    drop = database.drop;
    service = await startService(loadConfig({ DATABASE_URL: database.url, DATA_DIR: dir, PORT: "0", HOST: "127.0.0.1", NODE_ENV: "test" }), captureLogger().logger);
  });
  afterAll(async () => {
    await service?.stop();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A visitor of their own: a cookie, and helpers to write, upload and read. */
  function visitor() {
    let cookie = "";
    const keep = (response: Response) => {
      const setCookie = response.headers.get("set-cookie");
      if (setCookie) cookie = setCookie.split(";")[0] ?? "";
      return response;
    };
    const id = () => `id-${Math.random().toString(36).slice(2)}`;
    return {
      say: async (body: Record<string, unknown>) => {
        keep(await fetch(`${service.url}/chat/api/messages`, { method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify({ clientMessageId: id(), ...body }) }));
        await service.bot.processor.idle();
      },
      upload: async (body: Buffer, type: string) => keep(await fetch(`${service.url}/chat/api/photos?clientMessageId=${id()}`, { method: "POST", headers: { "content-type": type, cookie }, body })),
      read: async () => MessagesSchema.parse(await (await fetch(`${service.url}/chat/api/messages`, { headers: { cookie } })).json()),
    };
  }

  it("stores a PNG under DATA_DIR/media and shows it as the resident's photo", async () => {
    const resident = visitor();
    await resident.say({ text: "hoi" });
    const response = await resident.upload(PNG, "image/png");
    expect(response.status).toBe(202);
    await service.bot.processor.idle();
    expect((await resident.read()).messages.filter((m) => m.photo).map((m) => m.direction)).toEqual(["in"]);
    expect(readdirSync(join(dir, "media", "webchat")).some((name) => name.endsWith(".png"))).toBe(true);
  });

  it("refuses a file that is not a photo, or too large, with a clear 4xx", async () => {
    const resident = visitor();
    const text = await resident.upload(Buffer.from("hallo"), "text/plain");
    expect(text.status).toBe(415);
    expect(ErrorSchema.parse(await text.json()).error.message).toContain("JPEG, PNG or WebP");
    const disguised = await resident.upload(Buffer.from("<svg/>"), "image/png");
    expect(disguised.status).toBe(415);
    const large = await resident.upload(Buffer.concat([PNG, Buffer.alloc(WEBCHAT_MAX_PHOTO_BYTES)]), "image/png");
    expect(large.status).toBe(413);
    expect(ErrorSchema.parse(await large.json()).error.message).toContain("5 MB");
  });

  it("marks the resident's own messages as not kept when they said no to keeping them, instead of empty bubbles", async () => {
    const resident = visitor();
    await resident.say({ text: "hoi" });
    await resident.say({ value: "no", text: "Nee" });
    const { messages, language } = await resident.read();
    const own = messages.filter((m) => m.direction === "in");
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((m) => m.text === "" && m.notKept)).toBe(true);
    expect(messages.filter((m) => m.direction === "out").every((m) => !m.notKept)).toBe(true);
    expect(language).toBe("nl");
  });

  it("shows a wijkbericht's photo to a resident who subscribed from the public wijk page, with the text beside it", async () => {
    const resident = visitor();
    // The public wijk page's link puts "Wijkberichten Luchen" ready to send: the resident only confirms.
    await resident.say({ text: "Wijkberichten Luchen" });
    await resident.say({ value: "yes", text: "Ja" });
    await resident.say({ value: "yes", text: "Ja" });
    await resident.say({ value: "aan", text: "Ja, stuur me wijkberichten" });
    await resident.say({ value: "each", text: "Elk bericht meteen" });
    expect((await resident.read()).messages.at(-1)?.text).toContain("Gelukt! Je krijgt nu wijkberichten over Luchen");
    const db = service.db;
    const gemeente = await db.gemeente.findFirstOrThrow();
    const luchen = await db.wijk.findFirstOrThrow({ where: { slug: "luchen" } });
    const saved = await saveWijkbericht(
      db,
      { kind: "cli", gemeenteId: gemeente.id },
      { form: { text: "De nieuwe speeltuin is open.", imageUrl: "https://www.geldrop-mierlo.nl/speeltuin.jpg", link: null, wijkIds: [luchen.id] }, intent: { action: "send" } },
    );
    if (!saved.ok) throw new Error("not saved");
    await expect.poll(async () => (await resident.read()).messages.some((m) => m.image !== null), { timeout: 15_000, interval: 200 }).toBe(true);
    const bericht = (await resident.read()).messages.find((m) => m.image !== null);
    expect(bericht).toMatchObject({ direction: "out", image: "https://www.geldrop-mierlo.nl/speeltuin.jpg", text: expect.stringContaining("De nieuwe speeltuin is open.") });
    expect(bericht?.text).not.toContain("speeltuin.jpg");
  });
});
