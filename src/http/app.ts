/**
 * The express application: every HTTP route of Wijklijn, mounted on one app. Built from its
 * dependencies so that tests run the real app over loopback.
 */
import { adminPasswordResetRoutes, passwordResetRoutes } from "../inbox/passwordReset.routes.ts";
import express, { type Express, type Router } from "express";
import { conversationsRoutes } from "../api/conversations.routes.ts";
import { triageRoutes } from "../api/triage.routes.ts";
import { openApiDocument } from "../api/openapi.ts";
import { wijkenRoutes } from "../api/wijken.routes.ts";
import type { Db, DatabaseProvider } from "../db/client.ts";
import { findDefaultGemeente } from "../db/gemeente.repo.ts";
import { hasDemoPostcodes } from "../db/ops.repo.ts";
import type { Logger } from "../log.ts";
import { errorHandler, HttpError, notFound } from "./errors.ts";
import { healthRoutes, type ReadinessCheck } from "./health.ts";
import { metricsRoutes } from "./metrics.ts";
import { landingRoutes } from "./landing.ts";
import type { WijklijnBot } from "../bot/wijklijnBot.ts";
import { webchatRoutes } from "../channels/webchat/webchatChannel.ts";
import { privacyRoutes } from "../privacy/privacy.routes.ts";
import { calendarRoutes } from "../dialoogtafels/calendar.routes.ts";
import type { PrivacyFacts } from "../privacy/privacyStatement.ts";
import { privacyStatementRoutes } from "../privacy/privacyStatement.routes.ts";
import { retentionSettings, type RetentionSettings } from "../privacy/retentionSettings.ts";
import QRCode from "qrcode";
import type { WhatsappWebStatus } from "../channels/whatsapp-web/whatsappWebChannel.ts";
import type { Settings } from "../conversation/flowSchema.ts";
import { authRoutes } from "../inbox/auth.routes.ts";
import { digestsRoutes } from "../api/digests.routes.ts";
import { digestPages } from "../digests/digest.pages.ts";
import { loadDigestSettings } from "../digests/digestSettings.ts";
import { evaluationPages } from "../inbox/evaluation.pages.ts";
import { onInboxEvent } from "../domain/events.ts";
import type { OidcSettings } from "../inbox/oidc.ts";
import { oidcRoutes } from "../inbox/oidc.routes.ts";
import { contentRoutes } from "../inbox/content.routes.ts";
import { tafelRoutes } from "../inbox/tafel/tafel.routes.ts";
import { devMailRoutes } from "../inbox/devMail.routes.ts";
import type { DevMailbox } from "../mail/devMailbox.ts";
import { wijkberichtRoutes, type WijkberichtRoutesDeps } from "../inbox/wijkberichten/wijkbericht.routes.ts";
import { telegramLinkRoutes } from "../inbox/notifications.ts";
import { conversationPages } from "../inbox/pages/conversationPages.ts";
import { inboxAssetRoutes } from "../inbox/pages/inboxAssets.ts";
import { loadStaffSession, requireSignedIn, verifyCsrf } from "../inbox/session.ts";
import { formBody, jsonBody } from "./bodyParsers.ts";
import { securityHeaders } from "./securityHeaders.ts";
import { wijkPages } from "../public/wijkPages.ts";
import { open311Routes } from "../open311/open311.routes.ts";

/** What the HTTP app needs. */
export interface AppDeps {
  db: Db;
  provider: DatabaseProvider;
  logger: Logger;
  readinessChecks?: ReadinessCheck[];
  /** The running bot; without it the chat routes are absent (API-only tests). */
  bot?: WijklijnBot;
  secret?: string;
  /** Platform webhooks and endpoints (they read their own raw bodies, so they come before the JSON parser). */
  webhooks?: Router[];
  /** Office hours and the response target (flows/settings.yaml), for the inbox. */
  settings?: () => Settings;
  timeZone?: string;
  /** The WhatsApp Web session for the admin page (QR code), when that channel is on. */
  whatsappWebStatus?: () => WhatsappWebStatus | null;
  /** The Telegram channel is on (the page for linking Telegram says so when it is off). */
  telegramEnabled?: boolean;
  /** express's "trust proxy" (TRUST_PROXY): which proxies tell the client address and https. */
  trustProxy?: string;
  /** OpenID Connect sign-in for staff (OIDC_*), when configured; needs `secret`. */
  oidc?: OidcSettings;
  /** PUBLIC_URL: the host in calendar files' event ids. */
  publicUrl?: string;
  /** Where residents' web chat photos are written (DATA_DIR/media); without it the web chat takes no photos. */
  mediaDir?: string;
  /**
   * What the privacy statement (/privacy) says is on: channels, mail server, staff sign-in
   * (privacyFactsOf(config)), and the retention periods in force. Without it: the web chat only
   * when the bot runs, and the default periods.
   */
  privacy?: Partial<Pick<PrivacyFacts, "channels" | "mailHost" | "staffSignInHost" | "open311ForwardHost">> & { retention?: RetentionSettings };
  /** A gemeente's own design-token file for the public wijk pages (PUBLIC_THEME_CSS). */
  publicThemeCssPath?: string;
  /** The Telegram bot's @username once connected (the public wijk page's subscribe link). */
  telegramUsername?: () => string | null;
  /** WHATSAPP_PUBLIC_NUMBER: the public wijk page's wa.me subscribe link. */
  whatsappPublicNumber?: string | null;
  /** The wijkbericht pages: WhatsApp Cloud's template (when that channel is on), how a test reaches staff, and what wakes the sender. */
  wijkberichten?: Pick<WijkberichtRoutesDeps, "whatsappCloud" | "test" | "onSend">;
  /** The demo mailbox (no mail server, outside production): /inbox/dev-mail shows each staff member their own mail. */
  devMailbox?: DevMailbox;
}

/** Turns TRUST_PROXY into express's setting: a hop count, true/false, or addresses. */
function trustProxySetting(value: string): boolean | number | string {
  if (/^\d+$/.test(value)) return Number(value);
  if (value === "true" || value === "false") return value === "true";
  return value;
}

/** Builds the express app. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  const runningBot = deps.bot;
  /** Office hours and response target, read fresh (flows reload in development). */
  const flowSettings: (() => Settings) | undefined = deps.settings ?? (runningBot ? () => runningBot.flows().settings : undefined);
  app.disable("x-powered-by");
  app.set("trust proxy", trustProxySetting(deps.trustProxy ?? "loopback"));
  app.use(securityHeaders());
  // A NUL (%00) in the path names nothing, and PostgreSQL refuses it in a query (a 500 otherwise).
  app.use((req, _res, next) => {
    next(req.path.includes("%00") ? new HttpError(400, "invalid_path", "The address contains a NUL character (%00).") : undefined);
  });

  const gemeente = async () => {
    const found = await findDefaultGemeente(deps.db);
    if (!found) throw new HttpError(503, "no_gemeente", "No gemeente is set up yet: seed the demo (npm run cli -- seed demo) or import your own.");
    return found;
  };

  // Browsers ask for it on every page; there is none, and a 404 would clutter the logs.
  app.get("/favicon.ico", (_req, res) => {
    res.status(204).end();
  });
  app.use(healthRoutes({ db: deps.db, provider: deps.provider, checks: deps.readinessChecks ?? [] }));
  app.use(metricsRoutes({ db: deps.db }));
  for (const webhook of deps.webhooks ?? []) app.use(webhook);
  if (deps.bot) {
    const bot = deps.bot;
    app.use(
      webchatRoutes({
        db: deps.db,
        logger: deps.logger,
        ...(deps.mediaDir ? { mediaDir: deps.mediaDir } : {}),
        ingest: (message) => bot.processor.ingest(message),
        onUpdate: (listener) => {
          // Bot answers and staff replies both reach the resident's open web chat at once.
          bot.processor.on("turn", listener);
          const offStaff = onInboxEvent((event) => {
            if (event.kind === "message") listener(event.conversationId);
          });
          return () => {
            bot.processor.off("turn", listener);
            offStaff();
          };
        },
      }),
    );
  }
  if (deps.secret) app.use(privacyRoutes({ db: deps.db, secret: deps.secret }));
  if (deps.secret && deps.bot) {
    const bot = deps.bot;
    app.use(calendarRoutes({ db: deps.db, secret: deps.secret, globals: () => bot.flows().globals, publicUrl: deps.publicUrl ?? "http://localhost" }));
  }
  app.use(
    privacyStatementRoutes({
      facts: async () => ({
        gemeente: await findDefaultGemeente(deps.db),
        contact: flowSettings?.().contact ?? null,
        channels: deps.privacy?.channels ?? { telegram: false, whatsappWeb: false, whatsappCloud: false, botFrameworkAzure: false, webchat: deps.bot !== undefined },
        mailHost: deps.privacy?.mailHost ?? null,
        staffSignInHost: deps.privacy?.staffSignInHost ?? null,
        open311ForwardHost: deps.privacy?.open311ForwardHost ?? null,
        database: deps.provider,
        retention: deps.privacy?.retention ?? retentionSettings(),
      }),
    }),
  );

  // The public wijk pages (no login): the gemeente's wijken and each wijk's transparency page.
  if (flowSettings) {
    app.use(
      wijkPages({
        db: deps.db,
        settings: flowSettings,
        timeZone: deps.timeZone ?? "Europe/Amsterdam",
        ...(deps.publicThemeCssPath ? { themeCssPath: deps.publicThemeCssPath } : {}),
        ...(deps.telegramUsername ? { telegramUsername: deps.telegramUsername } : {}),
        ...(deps.whatsappPublicNumber ? { whatsappNumber: deps.whatsappPublicNumber } : {}),
      }),
    );
  }

  // Open311 GeoReport v2: public requests and services; filing a melding needs an api_key.
  app.use(
    open311Routes({
      db: deps.db,
      publicUrl: deps.publicUrl ?? "http://localhost",
      contact: () => {
        const contact = flowSettings?.().contact;
        return contact ? [contact.phone, contact.website].filter((part) => part).join(", ") : "";
      },
    }),
  );

  // The staff inbox: assets and sign-in are public; everything else needs a session, and every
  // form that changes something carries the session's CSRF token.
  app.use(inboxAssetRoutes());
  app.use("/inbox", ...formBody("100kb"), loadStaffSession(deps.db));
  app.use(authRoutes({ db: deps.db, logger: deps.logger, oidcButtonLabel: deps.oidc?.buttonLabel, ...(deps.secret ? { secret: deps.secret } : {}) }));
  if (deps.oidc) {
    if (!deps.secret) throw new Error("OpenID Connect sign-in needs the session secret: pass `secret` to createApp.");
    app.use(oidcRoutes({ db: deps.db, logger: deps.logger, settings: deps.oidc, secret: deps.secret }));
  }
  app.use(passwordResetRoutes({ db: deps.db, logger: deps.logger }));
  app.use("/inbox", requireSignedIn, verifyCsrf);
  app.use(adminPasswordResetRoutes({ db: deps.db, timeZone: deps.timeZone ?? "Europe/Amsterdam", ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}) }));
  app.use(contentRoutes({ db: deps.db, timeZone: deps.timeZone ?? "Europe/Amsterdam" }));
  app.use(tafelRoutes({ db: deps.db, timeZone: deps.timeZone ?? "Europe/Amsterdam" }));
  let evaluationSettings: Settings | undefined;
  app.use(evaluationPages({ db: deps.db, settings: flowSettings ?? (() => (evaluationSettings ??= loadDigestSettings())) }));
  if (runningBot) {
    const wijkberichten = deps.wijkberichten ?? { whatsappCloud: null, test: { mail: null, demoMailbox: false, telegram: null } };
    app.use(wijkberichtRoutes({ db: deps.db, logger: deps.logger, timeZone: deps.timeZone ?? "Europe/Amsterdam", globals: () => runningBot.flows().globals, ...wijkberichten }));
  }
  if (deps.devMailbox) app.use(devMailRoutes({ db: deps.db, mailbox: deps.devMailbox, timeZone: deps.timeZone ?? "Europe/Amsterdam" }));
  app.use("/inbox", digestPages({ db: deps.db, ...(flowSettings ? { settings: flowSettings } : {}) }));
  if (deps.secret) app.use(telegramLinkRoutes({ db: deps.db, secret: deps.secret, timeZone: deps.timeZone ?? "Europe/Amsterdam", telegramEnabled: deps.telegramEnabled ?? false }));
  if (flowSettings) {
    app.use(
      conversationPages({
        db: deps.db,
        settings: flowSettings,
        ...(runningBot ? { globals: () => runningBot.flows().globals } : {}),
        timeZone: deps.timeZone ?? "Europe/Amsterdam",
        renderQrSvg: (text) => QRCode.toString(text, { type: "svg", margin: 4 }),
        ...(deps.mediaDir ? { mediaDir: deps.mediaDir } : {}),
        ...(deps.whatsappWebStatus ? { whatsappWebStatus: deps.whatsappWebStatus } : {}),
      }),
    );
  }
  app.use(jsonBody("256kb"));
  app.use("/api/v1", wijkenRoutes({ db: deps.db, gemeenteId: async () => (await gemeente()).id }));
  app.use("/api/v1", conversationsRoutes({ db: deps.db }));
  if (deps.bot) app.use("/api/v1", triageRoutes({ db: deps.db, classify: deps.bot.classify, explain: deps.bot.explain }));
  app.use("/api/v1", digestsRoutes({ db: deps.db, ...(flowSettings ? { settings: flowSettings } : {}) }));
  app.use(
    landingRoutes({
      gemeenteName: async () => (await findDefaultGemeente(deps.db))?.name ?? null,
      demo: () => hasDemoPostcodes(deps.db),
      links: [
        ...(deps.bot ? [{ href: "/chat", title: "Web chat", description: "probeer de bot als bewoner, zonder account" }] : []),
        ...(flowSettings ? [{ href: "/wijk", title: "Wijkpagina's", description: "per wijk: wat bewoners vroegen, hoe snel de gemeente antwoordde, dialoogtafels en nieuws (openbaar)" }] : []),
        { href: "/inbox", title: "Inbox", description: "voor gebiedsregisseurs, wethouders en beheerders (inloggen)" },
        { href: "/api/v1/wijken", title: "Wijken", description: "alle wijken en hun tandem (JSON)" },
        { href: "/api/v1/wijken/lookup?postcode=5662AB", title: "Wijk zoeken", description: "welke wijk hoort bij een postcode of locatie (JSON)" },
        { href: "/api/docs", title: "API-documentatie", description: "het OpenAPI-document van Wijklijn" },
        { href: "/privacy", title: "Privacy", description: "wat Wijklijn bewaart, waarom, hoe lang en wie het ziet" },
        { href: "/readyz", title: "Status", description: "is de dienst klaar (database, migraties)" },
      ],
      openApi: openApiDocument,
    }),
  );
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
