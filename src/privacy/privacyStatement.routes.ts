/**
 * GET /privacy (the privacy statement for residents) and GET /privacy/verwerkingsregister (the
 * processing register entry, HTML; `.json` or `Accept: application/json` for JSON). Dutch by
 * default; English with `?lang=en` or a browser that prefers English. Public, no personal data;
 * self-contained pages with one style block allowed by hash (no inline script).
 */
import { type Request, type Response, Router } from "express";
import type { Config } from "../config/env.ts";
import { html, SafeHtml } from "../http/html.ts";
import { LANDING_CSS } from "../http/landing.ts";
import { allowInlineStyle } from "../http/securityHeaders.ts";
import { buildProcessingRegister, type PrivacyFacts, type PrivacyLanguage, type ProcessingRegister } from "./privacyStatement.ts";
import { retentionSettings, type RetentionSettings } from "./retentionSettings.ts";

const PRIVACY_CSS = `${LANDING_CSS}
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #ccc; padding: .35rem .5rem .35rem 0; }
dt { font-weight: 600; margin-top: .5rem; }
dd { margin: 0 0 0 1rem; }
nav { font-size: .95rem; }
`;

/** The channels, mail server and staff sign-in of a configuration, as the statement names them. */
export function privacyFactsOf(config: Config): Pick<PrivacyFacts, "channels" | "mailHost" | "staffSignInHost" | "database" | "open311ForwardHost"> & { retention: RetentionSettings } {
  return {
    open311ForwardHost: config.open311Forward.enabled ? new URL(config.open311Forward.url).host : null,
    // The periods the retention job applies (RETENTION_* in .env.example), so the statement tells what is done.
    retention: retentionSettings({
      messageTextMonths: config.retention.messageMonths,
      inactiveResidentMonths: config.retention.identityMonths,
      loginAttemptDays: config.retention.loginAttemptDays,
      auditMonths: config.retention.auditYears * 12,
    }),
    channels: {
      whatsappCloud: config.whatsappCloud.enabled,
      whatsappWeb: config.whatsappWeb.enabled,
      telegram: config.telegram.enabled,
      botFrameworkAzure: config.botFramework.appId !== undefined,
      webchat: true,
    },
    mailHost: hostOf(config.mail.smtpUrl),
    staffSignInHost: config.oidc.enabled ? hostOf(config.oidc.issuer) : null,
    database: config.database.provider,
  };
}

/** A URL's host name only: never the user name or password in it. */
function hostOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname || null;
  } catch {
    return null;
  }
}

/** The language asked for: `?lang=` first, then the browser's preference; Dutch otherwise. */
function languageOf(req: Request): PrivacyLanguage {
  const asked = typeof req.query.lang === "string" ? req.query.lang.toLowerCase() : "";
  if (asked === "en" || asked === "nl") return asked;
  return req.acceptsLanguages("nl", "en") === "en" ? "en" : "nl";
}

/** The routes; `facts` is read on every request (the flows' contact settings reload in development). */
export function privacyStatementRoutes(deps: { facts: () => Promise<PrivacyFacts> }): Router {
  const router = Router();
  router.get("/privacy", async (req, res) => {
    const language = languageOf(req);
    const register = buildProcessingRegister(await deps.facts(), language);
    sendPage(res, language, statementPage(register));
  });
  router.get("/privacy/verwerkingsregister.json", async (req, res) => {
    res.setHeader("Vary", "Accept-Language");
    res.json(buildProcessingRegister(await deps.facts(), languageOf(req)));
  });
  router.get("/privacy/verwerkingsregister", async (req, res) => {
    const language = languageOf(req);
    const register = buildProcessingRegister(await deps.facts(), language);
    res.setHeader("Vary", "Accept, Accept-Language");
    if (req.accepts(["html", "json"]) === "json") {
      res.json(register);
      return;
    }
    sendPage(res, language, registerPage(register));
  });
  return router;
}

function sendPage(res: Response, language: PrivacyLanguage, page: { title: string; body: SafeHtml }): void {
  allowInlineStyle(res, PRIVACY_CSS);
  res.setHeader("Vary", "Accept-Language");
  res.setHeader("Content-Language", language);
  res.type("html").send(
    html`<!doctype html>
<html lang="${language}">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${page.title}</title>
    <style>${new SafeHtml(PRIVACY_CSS)}</style>
  </head>
  <body>
${page.body}
  </body>
</html>`.value,
  );
}

const WORDS = {
  nl: {
    statementTitle: "Privacy bij Wijklijn",
    registerTitle: "Verwerkingsregister: Wijklijn",
    intro: (gemeente: string) =>
      `Wijklijn is de chatbot van ${gemeente}. Je kunt er vragen stellen, iets melden of een idee delen over je wijk. Hier lees je wat we bewaren, waarom, hoe lang, en wie het ziet.`,
    gemeente: (name: string | null) => (name ? `de gemeente ${name}` : "de gemeente"),
    responsible: (gemeente: string) => `${gemeente} is verantwoordelijk voor je gegevens (verwerkingsverantwoordelijke).`,
    channels: "Hier kun je ons bereiken",
    stored: "Wat we bewaren en waarom",
    why: "Waarom",
    basis: "Grondslag",
    howLong: "Hoe lang",
    whoSees: "Wie ziet het",
    notNeeded: "Wat we niet nodig hebben",
    recipients: "Wie ziet je gegevens",
    processors: "Andere partijen",
    processorsIntro: "Deze partijen verwerken gegevens voor ons, of zien ze onderweg:",
    rights: "Je rechten",
    rightsIntro: "Dit kan allemaal in de chat. Typ 'privacy'.",
    security: "Beveiliging",
    contact: "Vragen?",
    phone: "Bel",
    website: "Website",
    officer: "Functionaris gegevensbescherming",
    registerLink: "Het verwerkingsregister (voor de functionaris gegevensbescherming)",
    statementLink: "De privacyverklaring voor bewoners",
    other: "English",
    otherLang: "en",
    json: "Als JSON",
    controller: "Verwerkingsverantwoordelijke",
    purposes: "Doelen",
    subjects: "Betrokkenen",
    categories: "Gegevens, grondslag en bewaartermijn",
    data: "Gegevens",
    party: "Partij",
    role: "Rol",
    where: "Waar",
    channelsTitle: "Kanalen",
    on: "aan",
    off: "uit",
    retention: "Bewaartermijnen (instellingen)",
    special: "Bijzondere persoonsgegevens",
  },
  en: {
    statementTitle: "Privacy at Wijklijn",
    registerTitle: "Record of processing: Wijklijn",
    intro: (gemeente: string) =>
      `Wijklijn is the chatbot of ${gemeente}. You can ask questions, report something or share an idea about your neighbourhood. Here you can read what we keep, why, for how long, and who sees it.`,
    gemeente: (name: string | null) => (name ? `the municipality of ${name}` : "the municipality"),
    responsible: (gemeente: string) => `${gemeente} is responsible for your data (the controller).`,
    channels: "Where you can reach us",
    stored: "What we keep and why",
    why: "Why",
    basis: "Legal basis",
    howLong: "How long",
    whoSees: "Who sees it",
    notNeeded: "What we do not need",
    recipients: "Who sees your data",
    processors: "Other parties",
    processorsIntro: "These parties process data for us, or see it on its way:",
    rights: "Your rights",
    rightsIntro: "You can do all of this in the chat. Type 'privacy'.",
    security: "Security",
    contact: "Questions?",
    phone: "Call",
    website: "Website",
    officer: "Data protection officer",
    registerLink: "The record of processing (for the data protection officer)",
    statementLink: "The privacy statement for residents",
    other: "Nederlands",
    otherLang: "nl",
    json: "As JSON",
    controller: "Controller",
    purposes: "Purposes",
    subjects: "Data subjects",
    categories: "Data, legal basis and retention",
    data: "Data",
    party: "Party",
    role: "Role",
    where: "Where",
    channelsTitle: "Channels",
    on: "on",
    off: "off",
    retention: "Retention periods (settings)",
    special: "Special categories of personal data",
  },
} as const;

function contactBlock(register: ProcessingRegister): SafeHtml {
  const w = WORDS[register.language];
  const { phone, website, privacyOfficer } = register.controller;
  return html`<ul>
      ${phone ? html`<li>${w.phone}: ${phone}</li>` : ""}
      ${website ? html`<li>${w.website}: <a href="${website}">${website}</a></li>` : ""}
      ${privacyOfficer ? html`<li>${w.officer}: ${privacyOfficer}</li>` : ""}
    </ul>`;
}

function statementPage(register: ProcessingRegister): { title: string; body: SafeHtml } {
  const w = WORDS[register.language];
  const gemeente = w.gemeente(register.controller.name);
  const title = register.controller.name ? `${w.statementTitle} — ${register.controller.name}` : w.statementTitle;
  const residentCategories = register.categories.filter((category) => category.id !== "staff");
  const body = html`    <nav><a href="/privacy?lang=${w.otherLang}" hreflang="${w.otherLang}">${w.other}</a></nav>
    <h1>${title}</h1>
    <p>${w.intro(gemeente)}</p>
    <p>${w.responsible(capitalise(gemeente))}</p>
    <h2>${w.channels}</h2>
    <ul>
      ${register.channels.filter((channel) => channel.on).map((channel) => html`<li>${channel.name}</li>`)}
    </ul>
    <h2>${w.stored}</h2>
    ${residentCategories.map(
      (category) => html`<h3>${category.data}</h3>
    <dl>
      <dt>${w.why}</dt><dd>${category.purpose}</dd>
      <dt>${w.basis}</dt><dd>${category.legalBasis}</dd>
      <dt>${w.howLong}</dt><dd>${category.retention}</dd>
      <dt>${w.whoSees}</dt><dd>${category.recipients}</dd>
    </dl>
    `,
    )}
    <h2>${w.notNeeded}</h2>
    <p>${register.specialCategories}</p>
    <h2>${w.recipients}</h2>
    <ul>
      ${register.recipients.map((recipient) => html`<li><strong>${recipient.role}</strong>: ${recipient.sees}</li>`)}
    </ul>
    <h2>${w.processors}</h2>
    <p>${w.processorsIntro}</p>
    <ul>
      ${register.processors.map((processor) => html`<li><strong>${processor.name}</strong>: ${processor.role} ${processor.location}</li>`)}
    </ul>
    <h2>${w.rights}</h2>
    <p>${w.rightsIntro}</p>
    <ul>
      ${register.rights.map((right) => html`<li>${right}</li>`)}
    </ul>
    <h2>${w.security}</h2>
    <ul>
      ${register.security.map((line) => html`<li>${line}</li>`)}
    </ul>
    <h2>${w.contact}</h2>
    ${contactBlock(register)}
    <p><a href="/privacy/verwerkingsregister?lang=${register.language}">${w.registerLink}</a></p>`;
  return { title, body };
}

function registerPage(register: ProcessingRegister): { title: string; body: SafeHtml } {
  const w = WORDS[register.language];
  const r = register.retention;
  const body = html`    <nav><a href="/privacy/verwerkingsregister?lang=${w.otherLang}" hreflang="${w.otherLang}">${w.other}</a> · <a href="/privacy/verwerkingsregister.json?lang=${register.language}">${w.json}</a></nav>
    <h1>${w.registerTitle}</h1>
    <p>${register.name}</p>
    <h2>${w.controller}</h2>
    <p>${capitalise(w.gemeente(register.controller.name))}</p>
    ${contactBlock(register)}
    <h2>${w.purposes}</h2>
    <ul>${register.purposes.map((purpose) => html`<li>${purpose}</li>`)}</ul>
    <h2>${w.subjects}</h2>
    <ul>${register.dataSubjects.map((subject) => html`<li>${subject}</li>`)}</ul>
    <h2>${w.categories}</h2>
    <table>
      <thead><tr><th>${w.data}</th><th>${w.why}</th><th>${w.basis}</th><th>${w.howLong}</th><th>${w.whoSees}</th></tr></thead>
      <tbody>
        ${register.categories.map(
          (category) => html`<tr><td>${category.data}</td><td>${category.purpose}</td><td>${category.legalBasis}</td><td>${category.retention}</td><td>${category.recipients}</td></tr>
        `,
        )}
      </tbody>
    </table>
    <h2>${w.special}</h2>
    <p>${register.specialCategories}</p>
    <h2>${w.recipients}</h2>
    <ul>${register.recipients.map((recipient) => html`<li><strong>${recipient.role}</strong>: ${recipient.sees}</li>`)}</ul>
    <h2>${w.processors}</h2>
    <table>
      <thead><tr><th>${w.party}</th><th>${w.role}</th><th>${w.data}</th><th>${w.where}</th></tr></thead>
      <tbody>
        ${register.processors.map((processor) => html`<tr><td>${processor.name}</td><td>${processor.role}</td><td>${processor.data}</td><td>${processor.location}</td></tr>\n        `)}
      </tbody>
    </table>
    <h2>${w.channelsTitle}</h2>
    <ul>${register.channels.map((channel) => html`<li>${channel.name}: ${channel.on ? w.on : w.off}</li>`)}</ul>
    <h2>${w.retention}</h2>
    <ul>
      <li>messageTextMonths: ${r.messageTextMonths}</li>
      <li>inactiveResidentMonths: ${r.inactiveResidentMonths}</li>
      <li>loginAttemptDays: ${r.loginAttemptDays}</li>
      <li>auditMonths: ${r.auditMonths}</li>
      <li>exportLinkHours: ${r.exportLinkHours}</li>
      <li>staffSessionIdleHours: ${r.staffSessionIdleHours}, staffSessionMaxDays: ${r.staffSessionMaxDays}</li>
    </ul>
    <h2>${w.security}</h2>
    <ul>${register.security.map((line) => html`<li>${line}</li>`)}</ul>
    <h2>${w.rights}</h2>
    <ul>${register.rights.map((right) => html`<li>${right}</li>`)}</ul>
    <p><a href="/privacy?lang=${register.language}">${w.statementLink}</a></p>`;
  return { title: w.registerTitle, body };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
