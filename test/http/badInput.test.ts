import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../../src/config/env.ts";
import { toStorableText } from "../../src/domain/storableText.ts";
import { startService, type Service } from "../../src/service.ts";
import { createEmptyDatabaseUrl, describeEachDatabase } from "../helpers/db.ts";
import { captureLogger } from "../helpers/logger.ts";

const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

describeEachDatabase("bad input gets a clear 4xx and loses nothing", (provider) => {
  let service: Service;
  let drop: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), "wijklijn-badinput-"));
  const logs = captureLogger();

  beforeAll(async () => {
    const database = await createEmptyDatabaseUrl(provider);
    drop = database.drop;
    service = await startService(loadConfig({ DATABASE_URL: database.url, DATA_DIR: dir, PORT: "0", HOST: "127.0.0.1", NODE_ENV: "test" }), logs.logger);
  });
  afterAll(async () => {
    await service?.stop();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  async function expectClientError(res: Response, status: number, code: string) {
    expect(res.status).toBe(status);
    const body = ErrorSchema.parse(await res.json());
    expect(body.error.code).toBe(code);
    expect(body.error.message).not.toMatch(/at |node_modules|TypeError|SyntaxError/);
  }

  it("refuses a charset it cannot read with 415", async () => {
    const res = await fetch(`${service.url}/chat/api/messages`, { method: "POST", headers: { "content-type": "application/json; charset=klingon" }, body: "{}" });
    await expectClientError(res, 415, "unsupported_charset");
  });

  it("refuses a form with too many fields with 413", async () => {
    const body = Array.from({ length: 1200 }, (_, i) => `a${i}=1`).join("&");
    const res = await fetch(`${service.url}/inbox/login`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
    await expectClientError(res, 413, "too_many_fields");
  });

  it("refuses malformed percent-encoding with 400, also on the public export link", async () => {
    await expectClientError(await fetch(`${service.url}/privacy/export/%E0%A4%A`), 400, "invalid_path");
  });

  it("stores a web chat message with NUL and a lone surrogate, and answers it", async () => {
    const cookie = "wl_chat=visitor-with-odd-text-0001";
    const body = JSON.stringify({ clientMessageId: "odd-text-0001", text: "hoi\u0000 daar \uD83D kapot" });
    const res = await fetch(`${service.url}/chat/api/messages`, { method: "POST", headers: { "content-type": "application/json", cookie }, body });
    expect(res.status).toBe(202);
    await service.bot.processor.idle();
    const read = z
      .object({ messages: z.array(z.object({ direction: z.string(), text: z.string() }).loose()) })
      .parse(await (await fetch(`${service.url}/chat/api/messages`, { headers: { cookie } })).json());
    expect(read.messages.find((m) => m.direction === "in")?.text).toBe("hoi daar \uFFFD kapot");
    expect(read.messages.some((m) => m.direction === "out")).toBe(true);
  });

  it("answers a login with NUL in the address with 401, not 500", async () => {
    const res = await fetch(`${service.url}/inbox/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "email=gr.mierlo%00%40demo.wijklijn.nl&password=niet-goed%00-fout",
      redirect: "manual",
    });
    expect(res.status).toBe(401);
  });

  it("makes text storable without changing good text", () => {
    expect(toStorableText("Goedemorgen 👋 café")).toBe("Goedemorgen 👋 café");
    expect(toStorableText("a\u0000b")).toBe("ab");
    expect(toStorableText("\uDC00x\uD800")).toBe("\uFFFDx\uFFFD");
  });
});
