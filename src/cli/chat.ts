/**
 * `npm run chat`: talk to the bot as a resident in the terminal, without any token. Uses the web
 * chat API of a running Wijklijn (CHAT_URL, default http://localhost:PORT), or starts one
 * in-process on the configured database when none runs. Type a number to tap a button; /quit ends.
 */
import "dotenv/config";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { z } from "zod";
import { loadConfig } from "../config/env.ts";
import { createLogger } from "../log.ts";
import { startService, type Service } from "../service.ts";

const MessagesSchema = z.object({
  messages: z.array(z.object({ id: z.string(), direction: z.string(), author: z.string(), text: z.string(), buttons: z.array(z.object({ label: z.string(), value: z.string() })) })),
  cursor: z.string().nullable(),
});

async function reachable(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  let base = process.env.CHAT_URL ?? `http://localhost:${config.http.port}`;
  let service: Service | null = null;
  if (!(await reachable(base))) {
    service = await startService({ ...config, http: { ...config.http, port: 0, host: "127.0.0.1" } }, createLogger({ level: "warn" }));
    base = service.url;
  }
  let cookie = "";
  let cursor: string | null = null;
  let buttons: Array<{ label: string; value: string }> = [];
  const out = (line: string) => process.stdout.write(`${line}\n`);

  const poll = async (): Promise<number> => {
    const response = await fetch(`${base}/chat/api/messages${cursor ? `?after=${encodeURIComponent(cursor)}` : ""}`, { headers: { cookie } });
    const data = MessagesSchema.parse(await response.json());
    cursor = data.cursor ?? cursor;
    let shown = 0;
    for (const message of data.messages) {
      if (message.direction !== "out") continue;
      shown++;
      out(`\n${message.author === "staff" ? "Medewerker" : "Wijklijn"}: ${message.text}`);
      buttons = message.buttons;
      for (const [index, button] of buttons.entries()) out(`  ${index + 1}. ${button.label}`);
    }
    return shown;
  };

  const send = async (text: string) => {
    const number = /^\d+$/.test(text) ? Number(text) : NaN;
    const button = buttons[number - 1];
    const body = button ? { clientMessageId: randomUUID(), value: button.value, text: button.label } : { clientMessageId: randomUUID(), text };
    const response = await fetch(`${base}/chat/api/messages`, { method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify(body) });
    const setCookie = response.headers.get("set-cookie");
    if (setCookie) cookie = setCookie.split(";")[0] ?? "";
    // Wait for the answer (the bot answers within a moment; staff may answer much later).
    for (let i = 0; i < 40; i++) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      if ((await poll()) > 0) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await poll();
        return;
      }
    }
  };

  out("Wijklijn in de terminal. Typ je bericht, of een nummer om een knop te kiezen. /quit stopt.");
  const interactive = process.stdin.isTTY === true;
  const lines = createInterface({ input: process.stdin, terminal: interactive });
  for await (const raw of lines) {
    const text = raw.trim();
    // Piped input is not shown by a terminal: echo it, so that a transcript reads as a conversation.
    if (!interactive && text) out(`\n> ${text}`);
    if (text === "/quit") break;
    if (text) await send(text);
    if (interactive) process.stdout.write("> ");
  }
  // Without this the open stdin (a terminal, or a pipe still open) keeps the process alive after /quit.
  lines.close();
  process.stdin.pause();
  process.stdin.destroy();
  await service?.stop();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
