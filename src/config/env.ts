/**
 * The one place that reads process.env. Every variable of ../shared/CONTRACTS.md is parsed here
 * with zod, grouped per integration; a bad setting stops startup with one message naming every
 * bad variable.
 */
import { z } from "zod";
import { ThemeSchema } from "../domain/vocabulary.ts";

const emptyToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.url().optional());
const booleanFlag = (fallback: boolean) =>
  z.preprocess(
    emptyToUndefined,
    z
      .enum(["true", "false", "1", "0", "yes", "no"], { message: "use true or false" })
      .default(fallback ? "true" : "false")
      .transform((value) => value === "true" || value === "1" || value === "yes"),
  );

/** The environment variables Wijklijn reads, with their defaults. */
/** A retention period: a whole number of months, days or years within bounds, with a default. */
function retentionPeriod(fallback: number, min: number, max: number) {
  const message = `a whole number from ${min} to ${max}`;
  return z.preprocess(emptyToUndefined, z.coerce.number().int(message).min(min, message).max(max, message).default(fallback));
}

/** How long Wijklijn keeps what (README, "Privacy and security"). */
export interface RetentionPeriods {
  /** The messages of a conversation resolved this many months ago lose their content (text, photo, place). */
  messageMonths: number;
  /** A resident not seen for this many months is removed with every identity (their conversations stay as anonymous counts). */
  identityMonths: number;
  /** Sign-in attempts (kept for throttling) older than this many days are deleted. */
  loginAttemptDays: number;
  /** Audit rows older than this many years are deleted. */
  auditYears: number;
}

export const EnvSchema = z.object({
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(["development", "production", "test"]).default("development")),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info")),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  HOST: z.preprocess(emptyToUndefined, z.string().default("0.0.0.0")),
  PUBLIC_URL: optionalUrl,
  TRUST_PROXY: z.preprocess(emptyToUndefined, z.string().default("loopback")),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default("file:./data/wijklijn.db")
      .refine((url) => url.startsWith("file:") || /^postgres(ql)?:\/\//.test(url), {
        message: "use file:<path> for SQLite or postgresql://… for PostgreSQL",
      }),
  ),
  TZ: z.preprocess(emptyToUndefined, z.string().default("Europe/Amsterdam").refine(isKnownTimeZone, { message: "use an IANA time zone such as Europe/Amsterdam" })),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default("./data")),
  FLOWS_DIR: z.preprocess(emptyToUndefined, z.string().default("./flows")),
  SESSION_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, "use at least 32 characters").optional()),
  DEMO_DATA: booleanFlag(true),
  PUBLIC_THEME_CSS: optionalString,

  TELEGRAM_BOT_TOKEN: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d+:[\w-]{20,}$/, "looks like 123456:ABC… from BotFather")
      .optional(),
  ),
  TELEGRAM_MODE: z.preprocess(emptyToUndefined, z.enum(["polling", "webhook"]).default("polling")),
  TELEGRAM_WEBHOOK_SECRET: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, "1-256 characters A-Z, a-z, 0-9, _ and -")
      .optional(),
  ),
  TELEGRAM_API_ROOT: z.preprocess(emptyToUndefined, z.url().default("https://api.telegram.org")),
  TELEGRAM_MAX_MESSAGES_PER_SECOND: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(10_000).default(30)),

  WHATSAPP_WEB_ENABLED: booleanFlag(false),
  WHATSAPP_WEB_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default("./data/whatsapp-web")),
  CHROMIUM_PATH: z.preprocess(emptyToUndefined, z.string().default("/usr/bin/chromium")),

  WHATSAPP_CLOUD_TOKEN: optionalString,
  WHATSAPP_CLOUD_PHONE_NUMBER_ID: z.preprocess(emptyToUndefined, z.string().regex(/^\d+$/, "digits only").optional()),
  WHATSAPP_CLOUD_APP_SECRET: optionalString,
  WHATSAPP_CLOUD_VERIFY_TOKEN: optionalString,
  WHATSAPP_CLOUD_API_ROOT: z.preprocess(emptyToUndefined, z.url().default("https://graph.facebook.com")),
  WHATSAPP_CLOUD_FEEDBACK_TEMPLATE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[a-z0-9_]{1,512}$/, "a template name: lower-case letters, digits and _")
      .optional(),
  ),
  WHATSAPP_CLOUD_OPEN311_TEMPLATE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[a-z0-9_]{1,512}$/, "a template name: lower-case letters, digits and _")
      .optional(),
  ),
  WHATSAPP_CLOUD_WIJKBERICHT_TEMPLATE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[a-z0-9_]{1,512}$/, "a template name: lower-case letters, digits and _")
      .optional(),
  ),
  WHATSAPP_CLOUD_BUNDLE_TEMPLATE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[a-z0-9_]{1,512}$/, "a template name: lower-case letters, digits and _")
      .optional(),
  ),
  WHATSAPP_CLOUD_DIALOOGTAFEL_TEMPLATE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[a-z0-9_]{1,512}$/, "a template name: lower-case letters, digits and _")
      .optional(),
  ),
  WHATSAPP_PUBLIC_NUMBER: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[1-9]\d{7,14}$/, "the number in international form, digits only, without + or 00 (31612345678)")
      .optional(),
  ),
  WHATSAPP_CLOUD_TEMPLATE_LANGUAGE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, "a language code such as nl or en_US")
      .default("nl"),
  ),

  MICROSOFT_APP_ID: optionalString,
  MICROSOFT_APP_PASSWORD: optionalString,
  MICROSOFT_APP_TYPE: z.preprocess(emptyToUndefined, z.enum(["MultiTenant", "SingleTenant", "UserAssignedMSI"]).default("MultiTenant")),
  MICROSOFT_APP_TENANT_ID: optionalString,

  SMTP_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((url) => /^smtps?:\/\//.test(url), { message: "use smtp://user:pass@host:587 or smtps://…" })
      .optional(),
  ),
  RETENTION_MESSAGE_MONTHS: retentionPeriod(12, 1, 120),
  RETENTION_IDENTITY_MONTHS: retentionPeriod(24, 1, 240),
  RETENTION_LOGIN_ATTEMPT_DAYS: retentionPeriod(30, 1, 3650),
  RETENTION_AUDIT_YEARS: retentionPeriod(5, 1, 30),
  DIGEST_WEEKDAY: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1, "1 (Monday) to 7 (Sunday)").max(7, "1 (Monday) to 7 (Sunday)").default(1)),
  DIGEST_TIME: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "use HH:MM, e.g. 08:00")
      .default("08:00"),
  ),
  DIALOOGTAFEL_REMINDER_TIME: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "use HH:MM, e.g. 10:00")
      .default("10:00"),
  ),
  MAIL_FROM: z.preprocess(emptyToUndefined, z.string().default("Wijklijn <wijklijn@localhost>")),

  OPEN311_FORWARD_URL: z.preprocess(
    emptyToUndefined,
    z
      .url()
      .refine((url) => /^https?:\/\//.test(url), { message: "use the http(s):// base of the GeoReport v2 endpoint, e.g. https://meldingen.example.nl/open311/v2/" })
      .optional(),
  ),
  OPEN311_FORWARD_API_KEY: optionalString,
  OPEN311_FORWARD_JURISDICTION: optionalString,
  OPEN311_FORWARD_THEMES: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((text) => parseForwardThemes(text) !== null, { message: "a comma-separated list of themes, each optionally =<external service_code>, e.g. afval,groen=GR-01" })
      .optional(),
  ),
  OPEN311_FORWARD_POLL_MINUTES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1, "1 to 1440").max(1440, "1 to 1440").default(15)),

  OIDC_ISSUER: z.preprocess(
    emptyToUndefined,
    z
      .url()
      .refine((url) => url.startsWith("https://"), { message: "use the https:// issuer of the identity provider, e.g. https://login.microsoftonline.com/<tenant-id>/v2.0" })
      .refine((url) => !/^https:\/\/login\.microsoftonline\.com\/(common|organizations|consumers)(\/|$)/i.test(url), {
        message: "use your own tenant's issuer, https://login.microsoftonline.com/<tenant-id>/v2.0 (common, organizations and consumers would admit other tenants)",
      })
      .optional(),
  ),
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  OIDC_BUTTON_LABEL: z.preprocess(emptyToUndefined, z.string().max(60, "at most 60 characters").default("je gemeenteaccount")),
});

export type Env = z.infer<typeof EnvSchema>;

/** The parsed configuration, grouped per integration. */
export interface Config {
  env: Env["NODE_ENV"];
  logLevel: Env["LOG_LEVEL"];
  http: { port: number; host: string; publicUrl: string; trustProxy: string };
  database: { url: string; provider: "sqlite" | "postgresql" };
  timeZone: string;
  dataDir: string;
  /** The folder with the conversation flows (YAML). */
  flowsDir: string;
  /** Undefined until resolveSessionSecret() has run (development generates one). */
  sessionSecret: string | undefined;
  demoData: boolean;
  /** A gemeente's own design tokens for the public wijk pages (a CSS file), instead of Wijklijn's. */
  publicThemeCss: string | undefined;
  telegram: { enabled: false } | { enabled: true; token: string; mode: "polling" | "webhook"; webhookSecret: string | undefined; apiRoot: string; maxMessagesPerSecond: number };
  whatsappWeb: { enabled: boolean; dataDir: string; chromiumPath: string };
  whatsappCloud:
    | { enabled: false }
    | {
        enabled: true;
        token: string;
        phoneNumberId: string;
        appSecret: string;
        verifyToken: string;
        apiRoot: string;
        /** The approved template that asks "Voelde je je gehoord?" outside the 24-hour window (src/trust), and the templates' language. */
        feedbackTemplate: string | null;
        /** The approved template for wijkberichten outside the 24-hour window (WHATSAPP_CLOUD_WIJKBERICHT_TEMPLATE). */
        wijkberichtTemplate: string | null;
        /** The approved template for a melding's new status from the meldingen system outside the 24-hour window (WHATSAPP_CLOUD_OPEN311_TEMPLATE). */
        open311Template: string | null;
        /** The weekly bundle's template (WHATSAPP_CLOUD_BUNDLE_TEMPLATE, else the wijkbericht template). */
        bundleTemplate: string | null;
        /** Dialoogtafel notices outside the window: waitlist place, reminder, summary (WHATSAPP_CLOUD_DIALOOGTAFEL_TEMPLATE). */
        dialoogtafelTemplate: string | null;
        templateLanguage: string;
      };
  /** The gemeente's WhatsApp number for wa.me links on the public wijk pages (WHATSAPP_PUBLIC_NUMBER), or null. */
  whatsappPublicNumber: string | null;
  botFramework: { appId: string | undefined; appPassword: string | undefined; appType: Env["MICROSOFT_APP_TYPE"]; tenantId: string | undefined };
  mail: { smtpUrl: string | undefined; from: string };
  /** When the weekly digests go out (local time, TZ). */
  digests: { weekday: number; time: string };
  /** The reminder of a dialoogtafel goes out the day before at this local time (TZ), HH:MM. */
  dialoogtafels: { reminderTime: string };
  /** How long Wijklijn keeps what (src/jobs/retention.ts applies it daily). */
  retention: RetentionPeriods;
  /**
   * Forwarding meldingen of some themes to an external Open311 endpoint (src/open311/forwarder.ts):
   * on when OPEN311_FORWARD_URL, _API_KEY and _THEMES are set. `services` maps a theme to the
   * external service_code.
   */
  open311Forward: { enabled: false } | { enabled: true; url: string; apiKey: string; jurisdiction: string | null; services: Record<string, string>; pollEveryMs: number };
  /** Staff sign-in with OpenID Connect (Entra ID and similar) besides passwords; on when all OIDC_* are set. */
  oidc: { enabled: false } | { enabled: true; issuer: string; clientId: string; clientSecret: string; buttonLabel: string };
}

/** Raised when the environment is invalid; its message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Wijklijn cannot start: the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee .env.example for every setting.`);
    this.name = "ConfigError";
  }
}

/** Parses the environment once; throws ConfigError listing every problem. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(environment)"}: ${issue.message}`);
    throw new ConfigError(problems);
  }
  const env = parsed.data;
  const problems = crossFieldProblems(env);
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    http: { port: env.PORT, host: env.HOST, publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ""), trustProxy: env.TRUST_PROXY },
    database: { url: env.DATABASE_URL, provider: env.DATABASE_URL.startsWith("file:") ? "sqlite" : "postgresql" },
    timeZone: env.TZ,
    dataDir: env.DATA_DIR,
    flowsDir: env.FLOWS_DIR,
    sessionSecret: env.SESSION_SECRET,
    demoData: env.DEMO_DATA,
    publicThemeCss: env.PUBLIC_THEME_CSS,
    telegram: env.TELEGRAM_BOT_TOKEN
      ? {
          enabled: true,
          token: env.TELEGRAM_BOT_TOKEN,
          mode: env.TELEGRAM_MODE,
          webhookSecret: env.TELEGRAM_WEBHOOK_SECRET,
          apiRoot: env.TELEGRAM_API_ROOT,
          maxMessagesPerSecond: env.TELEGRAM_MAX_MESSAGES_PER_SECOND,
        }
      : { enabled: false },
    whatsappWeb: { enabled: env.WHATSAPP_WEB_ENABLED, dataDir: env.WHATSAPP_WEB_DATA_DIR, chromiumPath: env.CHROMIUM_PATH },
    whatsappPublicNumber: env.WHATSAPP_PUBLIC_NUMBER ?? null,
    whatsappCloud:
      env.WHATSAPP_CLOUD_TOKEN && env.WHATSAPP_CLOUD_PHONE_NUMBER_ID && env.WHATSAPP_CLOUD_APP_SECRET && env.WHATSAPP_CLOUD_VERIFY_TOKEN
        ? {
            enabled: true,
            token: env.WHATSAPP_CLOUD_TOKEN,
            phoneNumberId: env.WHATSAPP_CLOUD_PHONE_NUMBER_ID,
            appSecret: env.WHATSAPP_CLOUD_APP_SECRET,
            verifyToken: env.WHATSAPP_CLOUD_VERIFY_TOKEN,
            apiRoot: env.WHATSAPP_CLOUD_API_ROOT,
            feedbackTemplate: env.WHATSAPP_CLOUD_FEEDBACK_TEMPLATE ?? null,
            wijkberichtTemplate: env.WHATSAPP_CLOUD_WIJKBERICHT_TEMPLATE ?? null,
            open311Template: env.WHATSAPP_CLOUD_OPEN311_TEMPLATE ?? null,
            // The weekly bundle falls back to the wijkbericht template (both carry the text as {{1}}).
            bundleTemplate: env.WHATSAPP_CLOUD_BUNDLE_TEMPLATE ?? env.WHATSAPP_CLOUD_WIJKBERICHT_TEMPLATE ?? null,
            dialoogtafelTemplate: env.WHATSAPP_CLOUD_DIALOOGTAFEL_TEMPLATE ?? null,
            templateLanguage: env.WHATSAPP_CLOUD_TEMPLATE_LANGUAGE,
          }
        : { enabled: false },
    botFramework: {
      appId: env.MICROSOFT_APP_ID,
      appPassword: env.MICROSOFT_APP_PASSWORD,
      appType: env.MICROSOFT_APP_TYPE,
      tenantId: env.MICROSOFT_APP_TENANT_ID,
    },
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    digests: { weekday: env.DIGEST_WEEKDAY, time: env.DIGEST_TIME },
    dialoogtafels: { reminderTime: env.DIALOOGTAFEL_REMINDER_TIME },
    retention: {
      messageMonths: env.RETENTION_MESSAGE_MONTHS,
      identityMonths: env.RETENTION_IDENTITY_MONTHS,
      loginAttemptDays: env.RETENTION_LOGIN_ATTEMPT_DAYS,
      auditYears: env.RETENTION_AUDIT_YEARS,
    },
    open311Forward:
      env.OPEN311_FORWARD_URL && env.OPEN311_FORWARD_API_KEY && env.OPEN311_FORWARD_THEMES
        ? {
            enabled: true,
            url: env.OPEN311_FORWARD_URL,
            apiKey: env.OPEN311_FORWARD_API_KEY,
            jurisdiction: env.OPEN311_FORWARD_JURISDICTION ?? null,
            services: parseForwardThemes(env.OPEN311_FORWARD_THEMES) ?? {},
            pollEveryMs: env.OPEN311_FORWARD_POLL_MINUTES * 60_000,
          }
        : { enabled: false },
    oidc:
      env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET
        ? { enabled: true, issuer: env.OIDC_ISSUER, clientId: env.OIDC_CLIENT_ID, clientSecret: env.OIDC_CLIENT_SECRET, buttonLabel: env.OIDC_BUTTON_LABEL }
        : { enabled: false },
  };
}

/** Problems that involve more than one variable. */
function crossFieldProblems(env: Env): string[] {
  const problems: string[] = [];
  if (env.TELEGRAM_BOT_TOKEN && env.TELEGRAM_MODE === "webhook") {
    if (!env.TELEGRAM_WEBHOOK_SECRET) problems.push("TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_MODE=webhook");
    if (!env.PUBLIC_URL) problems.push("PUBLIC_URL: required when TELEGRAM_MODE=webhook (Telegram must reach the service)");
  }
  const cloud = {
    WHATSAPP_CLOUD_TOKEN: env.WHATSAPP_CLOUD_TOKEN,
    WHATSAPP_CLOUD_PHONE_NUMBER_ID: env.WHATSAPP_CLOUD_PHONE_NUMBER_ID,
    WHATSAPP_CLOUD_APP_SECRET: env.WHATSAPP_CLOUD_APP_SECRET,
    WHATSAPP_CLOUD_VERIFY_TOKEN: env.WHATSAPP_CLOUD_VERIFY_TOKEN,
  };
  const cloudSet = Object.entries(cloud).filter(([, value]) => value !== undefined);
  if (cloudSet.length > 0 && cloudSet.length < 4) {
    for (const [name, value] of Object.entries(cloud)) {
      if (value === undefined) problems.push(`${name}: required when another WHATSAPP_CLOUD_* setting is set`);
    }
  }
  const oidc = { OIDC_ISSUER: env.OIDC_ISSUER, OIDC_CLIENT_ID: env.OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: env.OIDC_CLIENT_SECRET };
  const oidcSet = Object.values(oidc).filter((value) => value !== undefined).length;
  if (oidcSet > 0 && oidcSet < 3) {
    for (const [name, value] of Object.entries(oidc)) {
      if (value === undefined) problems.push(`${name}: required when another OIDC_* setting is set (OpenID Connect sign-in)`);
    }
  }
  if (oidcSet === 3 && !env.PUBLIC_URL) {
    problems.push("PUBLIC_URL: required for OpenID Connect sign-in (the redirect URI is PUBLIC_URL/inbox/oidc/callback)");
  }
  const forward = { OPEN311_FORWARD_URL: env.OPEN311_FORWARD_URL, OPEN311_FORWARD_API_KEY: env.OPEN311_FORWARD_API_KEY, OPEN311_FORWARD_THEMES: env.OPEN311_FORWARD_THEMES };
  const forwardSet = Object.values(forward).filter((value) => value !== undefined).length;
  if (forwardSet > 0 && forwardSet < 3) {
    for (const [name, value] of Object.entries(forward)) {
      if (value === undefined) problems.push(`${name}: required when another OPEN311_FORWARD_* setting is set (forwarding meldingen over Open311)`);
    }
  }
  if (env.MICROSOFT_APP_ID && !env.MICROSOFT_APP_PASSWORD && env.MICROSOFT_APP_TYPE !== "UserAssignedMSI") {
    problems.push("MICROSOFT_APP_PASSWORD: required when MICROSOFT_APP_ID is set");
  }
  if (env.MICROSOFT_APP_TYPE === "SingleTenant" && env.MICROSOFT_APP_ID && !env.MICROSOFT_APP_TENANT_ID) {
    problems.push("MICROSOFT_APP_TENANT_ID: required when MICROSOFT_APP_TYPE=SingleTenant");
  }
  if (env.NODE_ENV === "production" && !env.SESSION_SECRET) {
    problems.push("SESSION_SECRET: required in production (at least 32 random characters)");
  }
  return problems;
}

/** The themes to forward over Open311, "afval,groen=GR-01", as theme → external service_code; null when not valid. */
export function parseForwardThemes(text: string): Record<string, string> | null {
  const themes: readonly string[] = ThemeSchema.options;
  const services: Record<string, string> = {};
  for (const entry of text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0)) {
    const [theme = "", code = theme] = entry.split("=").map((part) => part.trim());
    if (!themes.includes(theme) || !/^[\w.:-]{1,100}$/.test(code)) return null;
    services[theme] = code;
  }
  return Object.keys(services).length > 0 ? services : null;
}

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** One line per channel saying whether it is on, for the startup log. */
export function describeChannels(config: Config): string[] {
  return [
    config.telegram.enabled ? `Telegram: on (${config.telegram.mode})` : "Telegram: off (set TELEGRAM_BOT_TOKEN to turn it on)",
    config.whatsappWeb.enabled ? "WhatsApp Web: on" : "WhatsApp Web: off (set WHATSAPP_WEB_ENABLED=true to turn it on)",
    config.whatsappCloud.enabled ? "WhatsApp Cloud API: on" : "WhatsApp Cloud API: off (set the WHATSAPP_CLOUD_* settings to turn it on)",
    config.botFramework.appId ? "Bot Framework: on at /api/messages (authenticated)" : "Bot Framework: on at /api/messages without authentication (set MICROSOFT_APP_ID for Azure Bot Service)",
    "Web chat: on at /chat",
  ];
}
