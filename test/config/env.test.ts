import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, EnvSchema, loadConfig } from "../../src/config/env.ts";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("configuration", () => {
  it("starts with no settings at all: SQLite, port 3000, demo data, every channel off", () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ url: "file:./data/wijklijn.db", provider: "sqlite" });
    expect(config.http.port).toBe(3000);
    expect(config.demoData).toBe(true);
    expect(config.timeZone).toBe("Europe/Amsterdam");
    expect(config.telegram.enabled).toBe(false);
    expect(config.whatsappCloud.enabled).toBe(false);
    expect(config.whatsappWeb.enabled).toBe(false);
  });

  it("treats empty values as unset, as a copied .env.example has them", () => {
    const config = loadConfig({ PORT: "", TELEGRAM_BOT_TOKEN: "", SESSION_SECRET: "" });
    expect(config.http.port).toBe(3000);
    expect(config.telegram.enabled).toBe(false);
  });

  it("recognises a PostgreSQL url", () => {
    expect(loadConfig({ DATABASE_URL: "postgresql://u@db:5432/wijklijn" }).database.provider).toBe("postgresql");
    expect(loadConfig({ DATABASE_URL: "postgres://u@db/wijklijn" }).database.provider).toBe("postgresql");
  });

  it("names every bad variable in one message", () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", TZ: "Mars/Olympus", DEMO_DATA: "misschien", TELEGRAM_BOT_TOKEN: "nope" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = caught instanceof Error ? caught.message : "";
    for (const name of ["PORT", "DATABASE_URL", "TZ", "DEMO_DATA", "TELEGRAM_BOT_TOKEN"]) expect(message).toContain(name);
    expect(message).toContain("5 problem(s)");
  });

  it("requires the webhook secret and public url for Telegram webhooks", () => {
    const problems = problemsOf({ TELEGRAM_BOT_TOKEN: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ", TELEGRAM_MODE: "webhook" });
    expect(problems.join("\n")).toMatch(/TELEGRAM_WEBHOOK_SECRET/);
    expect(problems.join("\n")).toMatch(/PUBLIC_URL/);
  });

  it("asks for the missing WhatsApp Cloud settings when only some are given", () => {
    const problems = problemsOf({ WHATSAPP_CLOUD_TOKEN: "abc" });
    expect(problems).toHaveLength(3);
    expect(problems.join("\n")).toMatch(/WHATSAPP_CLOUD_APP_SECRET/);
  });

  it("requires a session secret in production", () => {
    expect(problemsOf({ NODE_ENV: "production" }).join()).toMatch(/SESSION_SECRET/);
    expect(problemsOf({ NODE_ENV: "production", SESSION_SECRET: "x".repeat(40) })).toEqual([]);
  });

  it("turns a channel on when its settings are complete", () => {
    const config = loadConfig({
      TELEGRAM_BOT_TOKEN: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
      WHATSAPP_CLOUD_TOKEN: "t",
      WHATSAPP_CLOUD_PHONE_NUMBER_ID: "1234",
      WHATSAPP_CLOUD_APP_SECRET: "s",
      WHATSAPP_CLOUD_VERIFY_TOKEN: "v",
    });
    expect(config.telegram).toMatchObject({ enabled: true, mode: "polling", apiRoot: "https://api.telegram.org" });
    expect(config.whatsappCloud).toMatchObject({ enabled: true, phoneNumberId: "1234" });
  });
});

describe(".env.example", () => {
  const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
  const documented = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);

  it("documents every variable of the schema, and nothing else", () => {
    expect([...documented].sort()).toEqual(Object.keys(EnvSchema.shape).sort());
  });

  it("has a comment above every variable", () => {
    const lines = example.split("\n");
    for (const name of documented) {
      const index = lines.findIndex((line) => line.startsWith(`${name}=`));
      const above = lines
        .slice(0, index)
        .reverse()
        .find((line) => !/^[A-Z][A-Z0-9_]*=/.test(line));
      expect(above, `${name} needs a comment`).toMatch(/^#/);
    }
  });

  it("is a valid configuration as it stands", () => {
    const values = Object.fromEntries([...example.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(() => loadConfig(values)).not.toThrow();
  });
});
