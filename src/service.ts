/**
 * The running service: database migrated and connected, demo data seeded when the database is
 * empty, HTTP listening. Used by src/main.ts and by the tests (the same start-up, over loopback).
 */
import type { Server } from "node:http";
import { join, resolve } from "node:path";
import { describeChannels, type Config } from "./config/env.ts";
import { resolveSessionSecret } from "./config/sessionSecret.ts";
import { createDb, type Db } from "./db/client.ts";
import { migrateDatabase } from "./db/migrate.ts";
import { seedDemoGemeente, seedDemoSubscribers } from "./db/seedDemo.ts";
import { seedDemoActivity } from "./db/seedDemoActivity.ts";
import { startBot, type WijklijnBot } from "./bot/wijklijnBot.ts";
import type { ChannelAdapter, Ingest } from "./channels/channel.ts";
import { createTelegramChannel, TELEGRAM_LIMITS } from "./channels/telegram/telegramChannel.ts";
import { createWebchatAdapter } from "./channels/webchat/webchatChannel.ts";
import { createWhatsappCloudChannel } from "./channels/whatsapp-cloud/whatsappCloudChannel.ts";
import { createWhatsappWebChannel, type WhatsappWebChannel, type WhatsappWebStatus } from "./channels/whatsapp-web/whatsappWebChannel.ts";
import { createBotFrameworkChannel } from "./channels/botframework/botFrameworkChannel.ts";
import { runExclusively, type ExclusiveChannel } from "./channels/exclusiveChannel.ts";
import { holdExclusiveLock } from "./db/exclusiveLock.ts";
import type { ReadinessCheck } from "./http/health.ts";
import type { Express, Router } from "express";
import { findTelegramLink } from "./db/content.repo.ts";
import { findDefaultGemeente } from "./db/gemeente.repo.ts";
import { countGemeenten, prepareSqliteConnection } from "./db/ops.repo.ts";
import { loadFlows } from "./conversation/loadFlows.ts";
import { handleTelegramLinkCommand, parseTelegramLinkCommand, startNotifications } from "./inbox/notifications.ts";
import { createDevMailbox } from "./mail/devMailbox.ts";
import { createMailer } from "./mail/mailer.ts";
import { wakeSnoozedConversations } from "./inbox/conversationActions.ts";
import { startDigestSchedule } from "./digests/digestSchedule.ts";
import { startRetentionSchedule } from "./jobs/retention.ts";
import { startFeedbackAsker } from "./trust/feedbackAsker.ts";
import { startOpen311Forwarder } from "./open311/forwarder.ts";
import { startTafelNoticeSchedule } from "./jobs/dialoogtafelNotices.ts";
import { startWeeklyBundles } from "./jobs/wijkberichtBundles.ts";
import { startWijkberichtSender } from "./jobs/wijkberichtSender.ts";
import { createApp } from "./http/app.ts";
import { privacyFactsOf } from "./privacy/privacyStatement.routes.ts";
import { OIDC_CALLBACK_PATH } from "./inbox/oidc.ts";
import type { Logger } from "./log.ts";

/** A started service. */
export interface Service {
  db: Db;
  /** The WhatsApp Web session (QR code, state), when that channel is on. */
  whatsappWeb: WhatsappWebChannel | null;
  bot: WijklijnBot;
  /** The express app the server runs (its router lists every route, for tests that cover them all). */
  app: Express;
  server: Server;
  url: string;
  stop(): Promise<void>;
}

/** Migrates, connects, seeds (when enabled and empty) and starts listening. */
export async function startService(config: Config, logger: Logger, options: { flowsDir?: string; now?: () => Date } = {}): Promise<Service> {
  // A broken flow file stops startup before anything else happens, with file and line.
  const flowsDir = options.flowsDir ?? resolve(config.flowsDir);
  const startupFlows = loadFlows(flowsDir);
  const { secret, generated } = resolveSessionSecret(config.sessionSecret, config.dataDir);
  if (generated) logger.info("Generated a session secret in the data folder (set SESSION_SECRET in production).");

  const migration = await migrateDatabase(config.database.url);
  if (migration.applied.length > 0) logger.info({ applied: migration.applied }, `Applied ${migration.applied.length} database migration(s)`);
  for (const name of migration.modified) logger.warn({ migration: name }, "An applied migration file was changed afterwards; the database keeps the old version");

  const db = createDb(config.database.url);
  if (config.database.provider === "sqlite") {
    await prepareSqliteConnection(db);
  }
  if (config.demoData && (await countGemeenten(db)) === 0) {
    const report = await seedDemoGemeente(db);
    const subscribers = await seedDemoSubscribers(db);
    const activity = await seedDemoActivity(db, { settings: startupFlows.settings });
    logger.info({ wijken: report.wijken, tandems: report.tandems, subscribers, conversations: activity.conversations }, "Seeded the demo gemeente Geldrop-Mierlo (illustrative data)");
  }
  for (const line of describeChannels(config)) logger.info(line);
  logger.info(config.oidc.enabled ? `OpenID Connect sign-in: on (${config.oidc.issuer})` : "OpenID Connect sign-in: off (set the OIDC_* settings to turn it on)");

  const gemeente = await findDefaultGemeente(db);
  if (!gemeente) {
    await db.$disconnect();
    throw new Error("The database has no gemeente. Start with DEMO_DATA=true, or run `npm run cli -- seed demo`, or import your wijken first.");
  }
  // No mail server outside production: mail is kept in the demo mailbox (/inbox/dev-mail) instead of dropped.
  const devMailbox = !config.mail.smtpUrl && config.env !== "production" ? createDevMailbox() : null;
  const mailer = createMailer({ ...config.mail, logger, ...(devMailbox ? { devMailbox } : {}) });
  const mediaDir = join(config.dataDir, "media");
  // Channels hand messages to the bot, which starts after them: `ingest` is bound once it runs.
  let bot: WijklijnBot | null = null;
  const ingest: Ingest = (message) => {
    if (!bot) throw new Error("the bot is not running yet");
    return bot.processor.ingest(message);
  };
  const channels: ChannelAdapter[] = [createWebchatAdapter()];
  // Stateful channels (Telegram long polling, WhatsApp Web) run on one instance at a time: on
  // PostgreSQL the holder of the channel's advisory lock; on SQLite there is only one instance.
  const exclusively = (adapter: ChannelAdapter, name: string): ExclusiveChannel | null =>
    config.database.provider === "postgresql" ? runExclusively(adapter, (work) => holdExclusiveLock({ url: config.database.url, name, logger }, work)) : null;
  let telegramAdapter: ChannelAdapter | null = null;
  let telegramUsername: (() => string | null) | null = null;
  const webhooks: Router[] = [];
  const readinessChecks: ReadinessCheck[] = [];
  if (config.telegram.enabled) {
    const telegram = createTelegramChannel({
      ...config.telegram,
      limits: { ...TELEGRAM_LIMITS, perSecond: config.telegram.maxMessagesPerSecond },
      publicUrl: config.http.publicUrl,
      ingest,
      logger,
      staffCommand: async (chatId, text) => {
        const code = parseTelegramLinkCommand(text);
        return code ? (await handleTelegramLinkCommand(db, { code, chatId, secret, publicUrl: config.http.publicUrl })).reply : null;
      },
      // The texts live in flows/globals.yaml: the bot's (reloaded) flows once it runs, the ones checked at start until then.
      groupRefusalText: () => (bot?.flows() ?? startupFlows).globals.messages.groupChat.nl,
      shareLocationLabel: () => (bot?.flows() ?? startupFlows).globals.messages.shareLocation.nl,
    });
    const polling = config.telegram.mode === "polling" ? exclusively(telegram.adapter, "channel:telegram-polling") : null;
    channels.push(polling?.adapter ?? telegram.adapter);
    telegramAdapter = telegram.adapter;
    telegramUsername = () => telegram.username();
    webhooks.push(telegram.webhook);
    readinessChecks.push(
      polling
        ? { name: telegram.readiness.name, check: async () => (polling.running() ? telegram.readiness.check() : { ok: true, detail: "standby: another instance receives the updates" }) }
        : telegram.readiness,
    );
  }
  if (config.whatsappCloud.enabled) {
    const listButtonLabel = () => (bot?.flows() ?? startupFlows).globals.messages.listButton.nl;
    const whatsapp = createWhatsappCloudChannel({ ...config.whatsappCloud, ingest, logger, listButtonLabel });
    channels.push(whatsapp.adapter);
    webhooks.push(whatsapp.webhook);
    readinessChecks.push(whatsapp.readiness);
  }
  let whatsappWeb: WhatsappWebChannel | null = null;
  let whatsappWebStatus: (() => WhatsappWebStatus) | null = null;
  if (config.whatsappWeb.enabled) {
    const session = createWhatsappWebChannel({ dataDir: config.whatsappWeb.dataDir, chromiumPath: config.whatsappWeb.chromiumPath, ingest, logger });
    const exclusive = exclusively(session.adapter, "channel:whatsapp-web");
    const standbySince = new Date();
    whatsappWeb = session;
    whatsappWebStatus = () => (exclusive && !exclusive.running() ? { state: "standby", qr: null, since: standbySince, lastError: null } : session.status());
    channels.push(exclusive?.adapter ?? session.adapter);
    readinessChecks.push({
      name: session.readiness.name,
      informational: true,
      check: async () => (exclusive && !exclusive.running() ? { ok: true, detail: "standby: another instance runs the WhatsApp Web session" } : session.readiness.check()),
    });
  }
  const botFramework = createBotFrameworkChannel({ ...config.botFramework, ingest, logger, production: config.env === "production" });
  for (const warning of botFramework.warnings) logger.warn(warning);
  channels.push(botFramework.adapter);
  webhooks.push(botFramework.routes);
  // Staff hear of handovers by e-mail (and Telegram when linked); started before the bot so none is missed.
  const staffTelegram = telegramAdapter;
  const notifications = startNotifications({
    db,
    logger,
    mailer,
    publicUrl: config.http.publicUrl,
    ...(staffTelegram ? { sendTelegram: async (chatId: string, text: string) => void (await staffTelegram.send({ externalId: chatId, reference: null }, { text, buttons: [] })) } : {}),
  });
  bot = await startBot({
    db,
    provider: config.database.provider,
    logger,
    gemeente,
    publicUrl: config.http.publicUrl,
    secret,
    watchFlows: config.env === "development",
    channels,
    flowsDir,
    mediaDir,
    // What the bot tells a resident who asks, before consent, how long their messages are kept.
    retention: privacyFactsOf(config).retention,
    ...(options.now ? { now: options.now } : {}),
  });
  const running = bot;

  // Retention once a day (claimed, so several instances run it once), chat erasures completed every minute.
  const retention = startRetentionSchedule({ db, logger, periods: config.retention, timeZone: gemeente.timeZone, mediaDir, ...(options.now ? { now: options.now } : {}) });

  // "Voelde je je gehoord?" once staff resolved a conversation (src/trust).
  const feedbackAsker = startFeedbackAsker({
    db,
    logger,
    flows: () => running.flows(),
    whatsappCloud: config.whatsappCloud.enabled ? { template: config.whatsappCloud.feedbackTemplate, language: config.whatsappCloud.templateLanguage } : null,
    onQueued: () => running.dispatcher.nudge(),
    ...(options.now ? { now: options.now } : {}),
  });

  // Meldingen of some themes go on to the gemeente's meldingen system over Open311; their status comes back.
  const forward = config.open311Forward;
  const open311Forwarder = forward.enabled
    ? startOpen311Forwarder({
        db,
        logger,
        endpoint: { url: forward.url, apiKey: forward.apiKey, jurisdiction: forward.jurisdiction },
        services: forward.services,
        pollEveryMs: forward.pollEveryMs,
        whatsappCloud: config.whatsappCloud.enabled ? { template: config.whatsappCloud.open311Template, language: config.whatsappCloud.templateLanguage } : null,
        flows: () => running.flows(),
        onQueued: () => running.dispatcher.nudge(),
        ...(options.now ? { now: options.now } : {}),
      })
    : null;
  logger.info(forward.enabled ? `Open311 forwarding: on (${Object.keys(forward.services).join(", ")})` : "Open311 forwarding: off (set OPEN311_FORWARD_URL, _API_KEY and _THEMES to turn it on)");

  // Dialoogtafels: a place from the waitlist, the reminder the day before, the summary afterwards (each once).
  const tafelNotices = startTafelNoticeSchedule({
    db,
    logger,
    globals: () => running.flows().globals,
    timeZone: gemeente.timeZone,
    reminderTime: config.dialoogtafels.reminderTime,
    publicUrl: config.http.publicUrl,
    secret,
    whatsappCloud: config.whatsappCloud.enabled
      ? { template: config.whatsappCloud.dialoogtafelTemplate ? { name: config.whatsappCloud.dialoogtafelTemplate, language: config.whatsappCloud.templateLanguage } : null }
      : null,
    ...(options.now ? { now: options.now } : {}),
  });

  // Wijkberichten: scheduled ones start at their time; each is queued for its subscribers in batches, through the outbox.
  const wijkberichten = startWijkberichtSender({
    db,
    logger,
    globals: () => running.flows().globals,
    channels: channels.map((channel) => channel.kind),
    whatsappCloud: config.whatsappCloud.enabled
      ? { template: config.whatsappCloud.wijkberichtTemplate ? { name: config.whatsappCloud.wijkberichtTemplate, language: config.whatsappCloud.templateLanguage } : null }
      : null,
    onQueued: () => running.dispatcher.nudge(),
    ...(options.now ? { now: options.now } : {}),
  });

  // The weekly bundle for subscribers who chose "één keer per week" (Monday 09:00, the week before).
  const bundles = startWeeklyBundles({
    db,
    logger,
    globals: () => running.flows().globals,
    gemeenteId: gemeente.id,
    timeZone: gemeente.timeZone,
    channels: channels.map((channel) => channel.kind),
    whatsappCloud: config.whatsappCloud.enabled
      ? { template: config.whatsappCloud.bundleTemplate ? { name: config.whatsappCloud.bundleTemplate, language: config.whatsappCloud.templateLanguage } : null }
      : null,
    onQueued: () => running.dispatcher.nudge(),
    ...(options.now ? { now: options.now } : {}),
  });

  // Snoozed conversations come back to the inbox when their time has come.
  const snoozeTimer = setInterval(() => {
    wakeSnoozedConversations(db).catch((error: unknown) => logger.error({ err: error }, "waking snoozed conversations failed"));
  }, 60_000);
  snoozeTimer.unref();

  // Weekly digests for wethouders: every week once, caught up after downtime (src/digests).
  const digestMailer = mailer.enabled ? mailer : null;
  const digests = digestMailer
    ? startDigestSchedule({
        db,
        logger,
        mailer: digestMailer,
        publicUrl: config.http.publicUrl,
        settings: { weekday: config.digests.weekday, time: config.digests.time, timeZone: config.timeZone },
        officeHours: () => running.flows().settings,
        telegramChatIdOf: async (id) => (await findTelegramLink(db, id))?.chatId ?? null,
        ...(staffTelegram ? { telegramSend: async (chatId: string, text: string) => void (await staffTelegram.send({ externalId: chatId, reference: null }, { text, buttons: [] })) } : {}),
        ...(options.now ? { now: options.now } : {}),
      })
    : null;
  logger.info(digests ? `Weekly digests: on (day ${config.digests.weekday} at ${config.digests.time})` : "Weekly digests: off (set SMTP_URL to send them)");

  const app = createApp({
    db,
    provider: config.database.provider,
    logger,
    bot: running,
    secret,
    webhooks,
    readinessChecks,
    settings: () => running.flows().settings,
    timeZone: gemeente.timeZone,
    trustProxy: config.http.trustProxy,
    ...(config.oidc.enabled
      ? {
          oidc: {
            issuer: config.oidc.issuer,
            clientId: config.oidc.clientId,
            clientSecret: config.oidc.clientSecret,
            buttonLabel: config.oidc.buttonLabel,
            redirectUri: `${config.http.publicUrl}${OIDC_CALLBACK_PATH}`,
          },
        }
      : {}),
    telegramEnabled: config.telegram.enabled,
    ...(telegramUsername ? { telegramUsername } : {}),
    whatsappPublicNumber: config.whatsappPublicNumber,
    publicUrl: config.http.publicUrl,
    privacy: privacyFactsOf(config),
    ...(config.publicThemeCss ? { publicThemeCssPath: config.publicThemeCss } : {}),
    mediaDir,
    ...(whatsappWebStatus ? { whatsappWebStatus } : {}),
    wijkberichten: {
      whatsappCloud: config.whatsappCloud.enabled ? { template: config.whatsappCloud.wijkberichtTemplate } : null,
      test: {
        mail: mailer.enabled || devMailbox ? (to, subject, text) => mailer.send({ to, subject, text }) : null,
        demoMailbox: devMailbox !== null,
        telegram: staffTelegram ? async (chatId, text) => void (await staffTelegram.send({ externalId: chatId, reference: null }, { text, buttons: [] })) : null,
      },
      onSend: () => wijkberichten.nudge(),
    },
    ...(devMailbox ? { devMailbox } : {}),
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.http.port, config.http.host, () => resolve(listening));
    listening.once("error", reject);
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the HTTP server listens on a TCP port, not on a pipe: check PORT");
  const url = `http://${config.http.host === "0.0.0.0" ? "localhost" : config.http.host}:${address.port}`;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
      await feedbackAsker.stop();
      await open311Forwarder?.stop();
      await running.stop();
      clearInterval(snoozeTimer);
      retention.stop();
      await tafelNotices.stop();
      await wijkberichten.stop();
      await bundles.stop();
      await notifications.stop();
      await digests?.stop();
      mailer.close();
      await db.$disconnect();
    })();
    return stopping;
  };
  return { db, bot: running, whatsappWeb, app, server, url, stop };
}
