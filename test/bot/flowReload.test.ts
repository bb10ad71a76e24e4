import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startBot } from "../../src/bot/wijklijnBot.ts";
import { createWebchatAdapter } from "../../src/channels/webchat/webchatChannel.ts";
import { createTestDatabase } from "../helpers/db.ts";
import { captureLogger } from "../helpers/logger.ts";

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("flows in development", () => {
  const dir = mkdtempSync(join(tmpdir(), "wijklijn-flows-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("are reloaded when a file changes, and a broken edit keeps the last good flows", async () => {
    cpSync(new URL("../../flows", import.meta.url), dir, { recursive: true });
    const t = await createTestDatabase("sqlite", { seed: true });
    const { logger, lines } = captureLogger();
    const bot = await startBot({
      db: t.db,
      provider: "sqlite",
      logger,
      gemeente: await t.db.gemeente.findFirstOrThrow(),
      publicUrl: "http://x",
      secret: "s".repeat(32),
      flowsDir: dir,
      watchFlows: true,
      channels: [createWebchatAdapter()],
    });
    try {
      const file = join(dir, "menu.yaml");
      const original = readFileSync(file, "utf8");
      writeFileSync(file, original.replace("Waarmee kan ik je helpen?", "Waar kan ik je mee helpen?"));
      await until(() => bot.flows().flows.get("menu")?.steps.choose?.type === "ask" && JSON.stringify(bot.flows().flows.get("menu")).includes("Waar kan ik je mee helpen?"));

      writeFileSync(file, original.replace("type: ask", "type: vraag"));
      await until(() => lines.some((line) => line.includes("Keeping the previous flows")));
      expect(JSON.stringify(bot.flows().flows.get("menu"))).toContain("Waar kan ik je mee helpen?");
      expect(lines.join("\n")).toContain("menu.yaml");
    } finally {
      await bot.stop();
      await t.drop();
    }
  });
});
