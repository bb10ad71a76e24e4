import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnPiped } from "../helpers/service.ts";

describe("npm run chat (the terminal chat)", () => {
  const dir = mkdtempSync(join(tmpdir(), "wijklijn-chat-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("talks to the bot as a resident, with numbers for buttons", async () => {
    const child = spawnPiped({ DATA_DIR: dir, DATABASE_URL: `file:${join(dir, "w.db")}`, CHAT_URL: "http://127.0.0.1:1", LOG_LEVEL: "warn" }, "src/cli/chat.ts");
    let output = "";
    child.stdout.on("data", (chunk) => (output += String(chunk)));
    child.stderr.on("data", (chunk) => (output += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.stdin.end("hoi\n1\n5731 DA\nja\n");
    expect(await exited).toBe(0);
    expect(output).toContain("Ik ben Wijklijn");
    expect(output).toContain("  1. Ja");
    expect(output).toContain("Dan woon je in Kerkakkers. Klopt dat?");
    expect(output).toContain("Waarmee kan ik je helpen?");
  });

  it("echoes piped input, so that a transcript reads as a conversation, and exits cleanly after /quit while stdin stays open", async () => {
    const child = spawnPiped({ DATA_DIR: dir, DATABASE_URL: `file:${join(dir, "quit.db")}`, CHAT_URL: "http://127.0.0.1:1", LOG_LEVEL: "warn" }, "src/cli/chat.ts");
    let output = "";
    child.stdout.on("data", (chunk) => (output += String(chunk)));
    child.stderr.on("data", (chunk) => (output += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    // stdin is never ended: only /quit may end the chat.
    child.stdin.write("hoi\n/quit\n");
    const timeout = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const code = await exited;
    clearTimeout(timeout);
    expect(code).toBe(0);
    expect(output).toContain("\n> hoi\n");
    expect(output).toContain("Ik ben Wijklijn");
    expect(output).toContain("> /quit");
  }, 40_000);
});
