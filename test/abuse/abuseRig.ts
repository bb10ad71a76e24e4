/**
 * The abuse suite's service: the real start-up (startService) with every public entry point on —
 * the web chat, Telegram in webhook mode against the fake Bot API, WhatsApp Cloud against the fake
 * Graph API, Bot Framework without an app id — and a seeded PRNG so that a failure reproduces
 * (the seed is in every failure message; set ABUSE_SEED to replay one).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { signWebhookBody } from "../../src/channels/whatsapp-cloud/webhookSignature.ts";
import { loadConfig } from "../../src/config/env.ts";
import type { DatabaseProvider } from "../../src/db/client.ts";
import { createStaffSession } from "../../src/db/session.repo.ts";
import { startService, type Service } from "../../src/service.ts";
import { startFakeGraphApi, type FakeGraphApi } from "../fakes/graphApi.ts";
import { startFakeTelegramBotApi, type FakeTelegramBotApi } from "../fakes/telegramBotApi.ts";
import { createEmptyDatabaseUrl } from "../helpers/db.ts";
import { captureLogger } from "../helpers/logger.ts";

export const TELEGRAM_SECRET = "abuse-suite-webhook-secret";
export const WHATSAPP_APP_SECRET = "abuse-suite-app-secret-0123456789";
export const WHATSAPP_PHONE_NUMBER_ID = "106540352242922";
const WHATSAPP_TOKEN = "EAAabuse-suite-token";

/** The seed of this run's PRNG. */
export const ABUSE_SEED = Number(process.env.ABUSE_SEED ?? 20261203);

/** mulberry32: a small, fast, seeded PRNG (https://stackoverflow.com/a/47593316). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picking helpers over one PRNG. */
export function fuzzer(random: () => number) {
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  };
  const chance = (p: number) => random() < p;
  return { random, int, pick, chance };
}
export type Fuzzer = ReturnType<typeof fuzzer>;

/** Strings that have broken or fooled services elsewhere: injections, markup, odd Unicode, unstorable characters. */
export const NASTY_STRINGS = [
  '\'; DROP TABLE "Message"; --',
  "1' OR '1'='1",
  "\\'; SELECT pg_sleep(5); --",
  "{{constructor.constructor('return process')().exit()}}",
  "$" + "{process.exit(1)}",
  "<%= 7*7 %> #{7*7} {{7*7}} [[7*7]]",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "javascript:alert(1)",
  "<svg/onload=alert(1)>",
  "hoi\u0000daar",
  "\uD83D kapot \uDC00",
  "\u202Eevil\u202C",
  "👨‍👩‍👧‍👦🏳️‍🌈 café naïef",
  "\r\n\r\nSet-Cookie: x=1",
  "%00%0d%0a%25%",
  "../../../../etc/passwd",
  "null",
  "undefined",
  "__proto__",
  "constructor",
  "ﷺ".repeat(50),
  "a".repeat(4096),
  "",
  " ",
  "\t\n",
  "112",
  "mens",
  "/start",
  "/start ../../x",
  "stop",
  "wis alles",
];

/** A random string: mostly words, sometimes nasty, sometimes random code points (lone surrogates and NUL included). */
export function fuzzText(f: Fuzzer, maxLength = 300): string {
  const kind = f.int(0, 9);
  if (kind <= 2) return f.pick(NASTY_STRINGS);
  if (kind <= 5)
    return Array.from({ length: f.int(1, 12) }, () => f.pick(["hoi", "lantaarnpaal", "kapot", "5731 BB", "ja", "nee", "mens", "Heuvelstraat 1", "grofvuil", "😀", "?", "Mierlo"])).join(" ");
  let text = "";
  const length = f.int(0, maxLength);
  for (let i = 0; i < length; i++) {
    const range = f.int(0, 5);
    const code = range === 0 ? f.int(0, 0x1f) : range === 1 ? f.int(0xd800, 0xdfff) : range === 2 ? f.int(0x20, 0x7e) : range === 3 ? f.int(0x80, 0x2fff) : f.int(0x1f300, 0x1faff);
    text += code > 0xffff ? String.fromCodePoint(code) : String.fromCharCode(code);
  }
  return text;
}

/** A running abuse rig. */
export interface AbuseRig {
  service: Service;
  telegram: FakeTelegramBotApi;
  graph: FakeGraphApi;
  /** Every line the service logged (JSON). */
  logs: string[];
  /** POSTs a Telegram update (or any body) to the webhook with the right secret token. */
  postTelegram(body: unknown, options?: { raw?: string }): Promise<Response>;
  /** POSTs a WhatsApp webhook body signed with the app secret (of exactly the bytes sent). */
  postWhatsapp(body: unknown, options?: { raw?: string }): Promise<Response>;
  /** A staff session of a demo account: its cookie header and CSRF token. */
  signIn(email: string): Promise<{ cookie: string; csrf: string }>;
  close(): Promise<void>;
}

/** Starts the rig on `provider`. */
export async function startAbuseRig(provider: DatabaseProvider): Promise<AbuseRig> {
  const dir = mkdtempSync(join(tmpdir(), "wijklijn-abuse-"));
  const database = await createEmptyDatabaseUrl(provider);
  const telegram = await startFakeTelegramBotApi();
  const graph = await startFakeGraphApi({ token: WHATSAPP_TOKEN, phoneNumberId: WHATSAPP_PHONE_NUMBER_ID });
  const { logger, lines } = captureLogger("warn");
  const config = loadConfig({
    DATABASE_URL: database.url,
    DATA_DIR: dir,
    PORT: "0",
    HOST: "127.0.0.1",
    NODE_ENV: "test",
    PUBLIC_URL: "https://wijklijn.example",
    SESSION_SECRET: "abuse-suite-session-secret-0123456789",
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_MODE: "webhook",
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    WHATSAPP_CLOUD_TOKEN: WHATSAPP_TOKEN,
    WHATSAPP_CLOUD_PHONE_NUMBER_ID: WHATSAPP_PHONE_NUMBER_ID,
    WHATSAPP_CLOUD_APP_SECRET: WHATSAPP_APP_SECRET,
    WHATSAPP_CLOUD_VERIFY_TOKEN: "abuse-verify-token",
    WHATSAPP_CLOUD_API_ROOT: graph.url,
  });
  const service = await startService(config, logger);

  const postTelegram = (body: unknown, options: { raw?: string } = {}) =>
    fetch(`${service.url}/webhooks/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET },
      body: options.raw ?? JSON.stringify(body),
    });
  const postWhatsapp = (body: unknown, options: { raw?: string } = {}) => {
    const raw = options.raw ?? JSON.stringify(body);
    return fetch(`${service.url}/webhooks/whatsapp`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-Hub-Signature-256": signWebhookBody(WHATSAPP_APP_SECRET, raw) },
      body: raw,
    });
  };
  const signIn = async (email: string) => {
    const user = await service.db.staffUser.findUniqueOrThrow({ where: { email } });
    const session = await createStaffSession(service.db, user.id);
    return { cookie: `wl_staff=${session.id}`, csrf: session.csrfToken };
  };
  return {
    service,
    telegram,
    graph,
    logs: lines,
    postTelegram,
    postWhatsapp,
    signIn,
    async close() {
      await service.stop();
      await telegram.close();
      await graph.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const LayerSchema = z.object({
  rawPath: z.string().nullish(),
  route: z.object({ path: z.union([z.string(), z.array(z.string())]), methods: z.record(z.string(), z.boolean()) }).nullish(),
  handle: z.unknown(),
});

/** "METHOD /path" of every route in an express router stack, nested routers included. */
export function routesOf(stack: readonly unknown[], prefix = ""): string[] {
  return stack.flatMap((entry) => {
    const layer = LayerSchema.parse(entry);
    const route = layer.route;
    if (route) {
      const paths = Array.isArray(route.path) ? route.path : [route.path];
      return paths.flatMap((path) => Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${prefix}${path}`));
    }
    const handle = layer.handle;
    if (typeof handle === "function" && "stack" in handle && Array.isArray(handle.stack)) {
      return routesOf(handle.stack, `${prefix}${layer.rawPath && layer.rawPath !== "/" ? layer.rawPath : ""}`);
    }
    return [];
  });
}

/** Waits until `condition` holds (polling every 20 ms). */
export async function waitUntil(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
