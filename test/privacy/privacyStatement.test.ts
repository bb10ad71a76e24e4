/**
 * The privacy statement (/privacy) and the processing register entry (/privacy/verwerkingsregister)
 * say what this installation actually does: the channels that are on and no others, the periods
 * in force, the gemeente from the database; in Dutch and English; under the strict CSP.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../../src/config/env.ts";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import { renderWebchatPage } from "../../src/channels/webchat/webchatTexts.ts";
import { createApp } from "../../src/http/app.ts";
import { privacyFactsOf } from "../../src/privacy/privacyStatement.routes.ts";
import { buildProcessingRegister } from "../../src/privacy/privacyStatement.ts";
import { DEFAULT_RETENTION, retentionSettings } from "../../src/privacy/retentionSettings.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

const settings = loadFlows().settings;

/** A configuration with Telegram and the WhatsApp Cloud API on, mail through a server with a password in its URL. */
const config = loadConfig({
  TELEGRAM_BOT_TOKEN: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  WHATSAPP_CLOUD_TOKEN: "token",
  WHATSAPP_CLOUD_PHONE_NUMBER_ID: "1234567890",
  WHATSAPP_CLOUD_APP_SECRET: "app-secret",
  WHATSAPP_CLOUD_VERIFY_TOKEN: "verify",
  SMTP_URL: "smtp://wijklijn:geheim-wachtwoord@mail.example.nl:587",
});

const RegisterSchema = z.looseObject({
  language: z.enum(["nl", "en"]),
  controller: z.looseObject({ name: z.string().nullable(), phone: z.string().nullable() }),
  categories: z.array(z.looseObject({ id: z.string(), legalBasis: z.string(), retention: z.string() })),
  processors: z.array(z.looseObject({ id: z.string(), name: z.string() })),
  channels: z.array(z.looseObject({ id: z.string(), on: z.boolean() })),
  retention: z.looseObject({ messageTextMonths: z.number() }),
});

describe("the privacy statement and the processing register", () => {
  let t: TestDatabase;
  let server: Awaited<ReturnType<typeof listen>>;
  let plain: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    t = await createTestDatabase("sqlite", { seed: true });
    const logger = captureLogger().logger;
    server = await listen(
      createApp({ db: t.db, provider: "sqlite", logger, settings: () => settings, privacy: { ...privacyFactsOf(config), retention: retentionSettings({ messageTextMonths: 6 }) } }),
    );
    // Only the defaults: no channel but the web chat's absence, default periods.
    plain = await listen(createApp({ db: t.db, provider: "sqlite", logger, settings: () => settings }));
  });
  afterAll(async () => {
    await server?.close();
    await plain?.close();
    await t?.drop();
  });

  it("tells residents in Dutch what is kept, why, how long and who sees it, for the channels that are on", async () => {
    const response = await fetch(`${server.url}/privacy`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
    const page = await response.text();
    expect(page).toContain('<html lang="nl">');
    expect(page).toContain("De gemeente Geldrop-Mierlo is verantwoordelijk voor je gegevens");
    expect(page).toContain("Telegram");
    expect(page).toContain("WhatsApp (Business Cloud API)");
    expect(page).toContain("Meta Platforms Ireland");
    expect(page).toContain("mail.example.nl");
    expect(page).not.toContain("geheim-wachtwoord");
    expect(page).not.toContain("WhatsApp Web");
    expect(page).not.toContain("Azure Bot Service");
    expect(page).toContain("anoniem gemaakt 6 maanden nadat je vraag is afgehandeld");
    expect(page).toContain(`Tot ${DEFAULT_RETENTION.inactiveResidentMonths} maanden na je laatste bericht`);
    expect(page).toContain("Publieke taak (AVG art. 6 lid 1e)");
    expect(page).toContain("Toestemming (AVG art. 6 lid 1a)");
    expect(page).toContain("Typ &#39;privacy&#39;");
    expect(page).toContain("14 040");
    expect(page).toContain("Gebiedsregisseur van je wijk");
    expect(page).toContain('href="/privacy/verwerkingsregister?lang=nl"');
  });

  it("leaves out the platforms that are off", async () => {
    const page = await (await fetch(`${plain.url}/privacy`)).text();
    expect(page).not.toContain("Telegram");
    expect(page).not.toContain("Meta");
    expect(page).not.toContain("mailserver");
    expect(page).toContain(`anoniem gemaakt ${DEFAULT_RETENTION.messageTextMonths} maanden`);
  });

  it.each([
    ["?lang=en", {}],
    ["", { "accept-language": "en-GB,en;q=0.9,nl;q=0.5" }],
  ])("speaks English for %j %j", async (query, headers) => {
    const response = await fetch(`${server.url}/privacy${query}`, { headers });
    const page = await response.text();
    expect(page).toContain('<html lang="en">');
    expect(page).toContain("The municipality of Geldrop-Mierlo is responsible for your data");
    expect(page).toContain("Public task (GDPR art. 6(1)(e))");
    expect(response.headers.get("content-language")).toBe("en");
  });

  it("prefers Dutch for a Dutch browser and for a language it does not speak", async () => {
    for (const headers of [{ "accept-language": "nl-NL,nl;q=0.9,en;q=0.8" }, { "accept-language": "de-DE" }]) {
      expect(await (await fetch(`${server.url}/privacy?lang=xx`, { headers })).text()).toContain('<html lang="nl">');
    }
  });

  it("runs under the strict policy: no script, only its own style block by hash", async () => {
    for (const path of ["/privacy", "/privacy/verwerkingsregister"]) {
      const response = await fetch(`${server.url}${path}`);
      const page = await response.text();
      const csp = response.headers.get("content-security-policy") ?? "";
      const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
        (m) =>
          `'sha256-${createHash("sha256")
            .update(m[1] ?? "", "utf8")
            .digest("base64")}'`,
      );
      expect(styles, path).toHaveLength(1);
      expect(csp).toContain(`style-src 'self' ${styles[0]}`);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      expect(page).not.toMatch(/<script| style="| on[a-z]+="/);
    }
  });

  it("gives the register entry as JSON, from the same facts", async () => {
    for (const request of [fetch(`${server.url}/privacy/verwerkingsregister.json`), fetch(`${server.url}/privacy/verwerkingsregister`, { headers: { accept: "application/json" } })]) {
      const response = await request;
      expect(response.headers.get("content-type")).toMatch(/application\/json/);
      const register = RegisterSchema.parse(await response.json());
      expect(register.language).toBe("nl");
      expect(register.controller.name).toBe("Geldrop-Mierlo");
      expect(register.controller.phone).toBe("14 040");
      expect(register.retention.messageTextMonths).toBe(6);
      expect(register.categories.map((c) => c.id)).toEqual(["messages", "identity", "profile", "wijkberichten", "consent", "feedback", "website-meldingen", "emergency", "staff"]);
      expect(register.processors.map((p) => p.id)).toEqual(["hosting", "meta-cloud", "telegram", "mail"]);
      expect(register.channels.filter((c) => c.on).map((c) => c.id)).toEqual(["whatsappCloud", "telegram", "webchat"]);
      expect(JSON.stringify(register)).not.toContain("geheim");
    }
    const english = RegisterSchema.parse(await (await fetch(`${server.url}/privacy/verwerkingsregister.json?lang=en`)).json());
    expect(english.language).toBe("en");
  });

  it("names the meldingen system meldingen are forwarded to over Open311, only when forwarding is on, and says trust scores are never shown per person", () => {
    const base = {
      gemeente: { name: "Geldrop-Mierlo" },
      contact: null,
      channels: { telegram: true, whatsappWeb: false, whatsappCloud: false, botFrameworkAzure: false, webchat: true },
      mailHost: null,
      staffSignInHost: null,
      database: "sqlite" as const,
      retention: retentionSettings(),
    };
    expect(buildProcessingRegister(base, "nl").processors.map((p) => p.id)).not.toContain("open311-forward");
    const config = loadConfig({ OPEN311_FORWARD_URL: "https://meldingen.geldrop-mierlo.nl/open311/v2/", OPEN311_FORWARD_API_KEY: "k", OPEN311_FORWARD_THEMES: "afval" });
    const on = buildProcessingRegister({ ...base, open311ForwardHost: privacyFactsOf(config).open311ForwardHost ?? null }, "nl");
    expect(on.processors.find((p) => p.id === "open311-forward")?.name).toBe("Het meldingensysteem van de gemeente (meldingen.geldrop-mierlo.nl)");
    expect(on.categories.find((c) => c.id === "feedback")?.recipients).toContain("Je vertrouwenscijfer ziet niemand apart");
  });

  it("shows the register entry as a page with its tables", async () => {
    const page = await (await fetch(`${server.url}/privacy/verwerkingsregister`)).text();
    expect(page).toContain("Verwerkingsregister: Wijklijn");
    expect(page).toContain("<th>Grondslag</th>");
    expect(page).toContain("Vitaal belang (AVG art. 6 lid 1d)");
    expect(page).toContain("messageTextMonths: 6");
    expect(page).toContain("Telegram: aan");
    expect(page).toContain("WhatsApp (WhatsApp Web, een telefoon van de gemeente): uit");
  });

  it("is linked from the landing page and the web chat page", async () => {
    const landing = await (await fetch(`${server.url}/`, { headers: { accept: "text/html" } })).text();
    expect(landing).toContain('href="/privacy"');
    const template = '<a href="/privacy?lang={{lang}}" data-text="privacyLink">{{privacyLink}}</a>';
    expect(renderWebchatPage(template, "nl")).toBe('<a href="/privacy?lang=nl" data-text="privacyLink">Privacy: wat we bewaren en waarom</a>');
  });
});
