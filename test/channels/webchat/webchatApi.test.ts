/** The web chat's photo upload and message list over real HTTP, on the real service. */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { WEBCHAT_MAX_PHOTO_BYTES } from "../../../src/channels/webchat/webchatPhotos.ts";
import { loadConfig } from "../../../src/config/env.ts";
import { startService, type Service } from "../../../src/service.ts";
import { createEmptyDatabaseUrl, describeEachDatabase } from "../../helpers/db.ts";
import { captureLogger } from "../../helpers/logger.ts";

const MessagesSchema = z.object({
  messages: z.array(z.object({ direction: z.string(), text: z.string(), photo: z.boolean(), notKept: z.boolean() })),
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
});
