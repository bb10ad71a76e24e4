/**
 * Staff notifications: when a conversation lands in a tandem's inbox (a `handover` inbox event),
 * its gebiedsregisseurs get an e-mail and, when they linked Telegram, a short Telegram message.
 *
 * Who: the tandem's active gebiedsregisseurs, not its wethouder. The gebiedsregisseur is the one
 * who answers residents (a wethouder may read and add notes, not reply), the wethouder follows the
 * wijken through the weekly digest, and a message per conversation would be noise to them. A
 * conversation without a tandem, or a tandem without an active gebiedsregisseur, goes to the
 * gemeente's admins, so that nothing falls between two chairs.
 *
 * What: the reference, wijk, theme and kind, and a link to `${publicUrl}/inbox/c/<id>`; never the
 * resident's text or contact data (e-mail and Telegram leave the municipality's systems).
 *
 * Once: each handover of a conversation to a tandem is notified once (marked in the audit log
 * before sending), however often the event arrives. Failures are logged with ids and codes only,
 * and never reach the event emitter.
 *
 * Also here: linking a Telegram chat to a staff account with a signed one-time code
 * (GET /inbox/account/telegram shows it; the Telegram channel passes `/koppel <code>` to
 * handleTelegramLinkCommand).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { Router } from "express";
import { z } from "zod";
import { staffOf } from "../api/auth.ts";
import type { Db, DbOrTx } from "../db/client.ts";
import { inTransaction } from "../db/transaction.ts";
import {
  claimHandoverNotification,
  findConversationForNotification,
  findTelegramChatIds,
  findTelegramLink,
  isTelegramLinkCodeUsed,
  listHandoverRecipients,
  recordTelegramLink,
  recordTelegramUnlink,
} from "../db/content.repo.ts";
import { onInboxEvent, type InboxEvent } from "../domain/events.ts";
import { labelIntent, labelTheme } from "../domain/vocabulary.ts";
import type { Logger } from "../log.ts";
import type { Mailer } from "../mail/mailer.ts";
import { formatDutchTime } from "./content/localTime.ts";
import { html } from "../http/html.ts";
import { page } from "./layout.ts";

/** What the notifications need. */
export interface NotificationDeps {
  db: Db;
  logger: Logger;
  mailer: Mailer;
  /** Sends a Telegram message to a staff user's linked chat; absent when Telegram is off. */
  sendTelegram?: (chatId: string, text: string) => Promise<void>;
  /** The service's public URL (config.http.publicUrl), for the link to the conversation. */
  publicUrl: string;
  now?: () => Date;
}

/** Running notifications. */
export interface Notifications {
  /** Stops listening and waits for notifications being sent. */
  stop(): Promise<void>;
  /** Resolves when every notification started so far has been handled (tests). */
  idle(): Promise<void>;
}

/** A conversation as a notification may describe it: ids and vocabularies, no resident content. */
export interface HandoverFacts {
  id: string;
  reference: string;
  theme: string | null;
  intent: string | null;
  emergency: string | null;
  wijk: { name: string } | null;
  tandem: { name: string } | null;
}

/** Why a recipient hears of it: as the tandem's gebiedsregisseur, or as an admin. */
export type RecipientReason = "gebiedsregisseur" | "admin-no-tandem" | "admin-no-gebiedsregisseur";

/** The texts of a handover notification (pure; no resident text can get in: the input has none). */
export function renderHandoverNotice(facts: HandoverFacts, publicUrl: string, reason: RecipientReason) {
  const link = `${publicUrl.replace(/\/+$/, "")}/inbox/c/${encodeURIComponent(facts.id)}`;
  const wijk = facts.wijk?.name ?? "onbekende wijk";
  const theme = facts.theme ? labelTheme(facts.theme) : "nog geen thema";
  const kind = facts.intent ? labelIntent(facts.intent) : null;
  const urgent = facts.emergency ? `Let op: de bot zag mogelijk spoed (${facts.emergency}). Open dit gesprek eerst.` : null;
  const where = facts.tandem ? `tandem ${facts.tandem.name}` : "de gemeente (het gesprek hoort nog bij geen tandem)";
  const why =
    reason === "gebiedsregisseur"
      ? `Je krijgt dit bericht als gebiedsregisseur van ${where}.`
      : reason === "admin-no-tandem"
        ? "Je krijgt dit bericht als beheerder: het gesprek hoort bij geen tandem. Kies de wijk in de inbox."
        : `Je krijgt dit bericht als beheerder: ${where} heeft geen actieve gebiedsregisseur.`;
  const subject = `${urgent ? "SPOED " : ""}Nieuw gesprek ${facts.reference} · ${wijk} · ${theme}`;
  const facts1 = [`Kenmerk: ${facts.reference}`, `Wijk: ${wijk}`, `Thema: ${theme}`, ...(kind ? [`Soort: ${kind}`] : [])];
  const text = [
    `Er wacht een gesprek op een reactie van ${where}.`,
    "",
    ...(urgent ? [urgent, ""] : []),
    ...facts1,
    "",
    "Open het gesprek in de inbox:",
    link,
    "",
    "Wat de bewoner schreef, lees je alleen in de inbox: dit bericht bevat bewust geen berichttekst of contactgegevens.",
    why,
  ].join("\n");
  const htmlBody = html`<p>Er wacht een gesprek op een reactie van ${where}.</p>
${urgent ? html`<p><strong>${urgent}</strong></p>` : ""}
<ul>${facts1.map((line) => html`<li>${line}</li>`)}</ul>
<p><a href="${link}">Open gesprek ${facts.reference} in de inbox</a></p>
<p>Wat de bewoner schreef, lees je alleen in de inbox: dit bericht bevat bewust geen berichttekst of contactgegevens.<br>${why}</p>`.toString();
  const telegram = `${urgent ? "SPOED · " : ""}Nieuw gesprek ${facts.reference} · ${wijk} · ${theme}\n${link}`;
  return { subject, text, html: `<!doctype html><html lang="nl"><body>${htmlBody}</body></html>`, telegram };
}

function errorCode(error: unknown): string {
  if (error && typeof error === "object") {
    if ("code" in error && (typeof error.code === "string" || typeof error.code === "number")) return String(error.code);
    if ("name" in error && typeof error.name === "string") return error.name;
  }
  return "unknown";
}

/** Starts notifying staff of handovers; see the file comment. */
export function startNotifications(deps: NotificationDeps): Notifications {
  const logger = deps.logger.child({ component: "notifications" });
  const clock = deps.now ?? (() => new Date());
  const pending = new Set<Promise<void>>();
  // One handling per conversation at a time, so that a duplicate event waits and then finds the mark.
  const perConversation = new Map<string, Promise<void>>();
  let stopped = false;

  const notify = async (event: InboxEvent): Promise<void> => {
    const conversation = await findConversationForNotification(deps.db, event.conversationId);
    if (!conversation) return;
    const handover = { conversationId: conversation.id, gemeenteId: conversation.gemeenteId, tandemId: conversation.tandemId, now: clock() };
    const claimed = await inTransaction(deps.db, (tx) => claimHandoverNotification(tx, handover));
    if (!claimed) {
      logger.debug({ conversationId: conversation.id }, "Handover already notified");
      return;
    }
    const { recipients, fallback } = await listHandoverRecipients(deps.db, { gemeenteId: conversation.gemeenteId, tandemId: conversation.tandemId });
    if (recipients.length === 0) {
      logger.warn({ conversationId: conversation.id, tandemId: conversation.tandemId }, "Nobody to notify of a handover: the tandem has no gebiedsregisseur and there is no admin");
      return;
    }
    const reason: RecipientReason = conversation.tandemId === null ? "admin-no-tandem" : fallback ? "admin-no-gebiedsregisseur" : "gebiedsregisseur";
    const notice = renderHandoverNotice(conversation, deps.publicUrl, reason);
    const chatIds = deps.sendTelegram
      ? await findTelegramChatIds(
          deps.db,
          recipients.map((r) => r.id),
        )
      : new Map<string, string>();
    let mailed = 0;
    let telegrammed = 0;
    for (const recipient of recipients) {
      // Each recipient and each medium on its own: one failure never stops the others.
      try {
        if (recipient.notifyByEmail) {
          await deps.mailer.send({ to: recipient.email, subject: notice.subject, text: notice.text, html: notice.html });
          if (deps.mailer.enabled) mailed++;
        }
      } catch (error) {
        logger.warn({ conversationId: conversation.id, staffUserId: recipient.id, code: errorCode(error) }, "E-mail notification failed");
      }
      const chatId = chatIds.get(recipient.id);
      if (chatId && deps.sendTelegram) {
        try {
          await deps.sendTelegram(chatId, notice.telegram);
          telegrammed++;
        } catch (error) {
          logger.warn({ conversationId: conversation.id, staffUserId: recipient.id, code: errorCode(error) }, "Telegram notification failed");
        }
      }
    }
    logger.info({ conversationId: conversation.id, tandemId: conversation.tandemId, recipients: recipients.length, mailed, telegrammed }, "Notified staff of a handover");
  };

  const unsubscribe = onInboxEvent((event) => {
    if (stopped || event.kind !== "handover") return;
    const previous = perConversation.get(event.conversationId) ?? Promise.resolve();
    const task = previous
      .then(() => notify(event))
      .catch((error: unknown) => {
        logger.error({ conversationId: event.conversationId, code: errorCode(error) }, "Handling a handover notification failed");
      });
    perConversation.set(event.conversationId, task);
    pending.add(task);
    void task.finally(() => {
      pending.delete(task);
      if (perConversation.get(event.conversationId) === task) perConversation.delete(event.conversationId);
    });
  });

  return {
    async stop() {
      stopped = true;
      unsubscribe();
      await Promise.all([...pending]);
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Linking Telegram
// ---------------------------------------------------------------------------------------------

/** How long a link code is valid. */
export const TELEGRAM_LINK_CODE_TTL_MS = 15 * 60_000;

const CODE_PATTERN = /^([A-Za-z0-9-]{1,40})_([0-9a-z]{1,10})_([0-9a-f]{20})$/;

function linkMac(staffUserId: string, expires36: string, secret: string): string {
  return createHmac("sha256", secret).update(`wijklijn:telegram-link:v1:${staffUserId}:${expires36}`).digest("hex").slice(0, 20);
}

/**
 * A link code for a staff user: `<staffUserId>_<expiry>_<signature>`, valid for 15 minutes. Only
 * letters, digits, `-` and `_`, at most 64 characters, so it also fits a Telegram deep link
 * (`https://t.me/<bot>?start=koppel_<code>` leaves room: the start payload allows 64).
 */
export function createTelegramLinkCode(staffUserId: string, secret: string, now: Date): { code: string; expiresAt: Date } {
  const expiresAt = new Date(Math.floor((now.getTime() + TELEGRAM_LINK_CODE_TTL_MS) / 1000) * 1000);
  const expires36 = Math.floor(expiresAt.getTime() / 1000).toString(36);
  return { code: `${staffUserId}_${expires36}_${linkMac(staffUserId, expires36, secret)}`, expiresAt };
}

/** The staff user a link code was made for, or null when it is malformed, forged or expired. Pure. */
export function verifyTelegramLinkCode(code: string, secret: string, now: Date): string | null {
  const match = CODE_PATTERN.exec(code.trim());
  if (!match) return null;
  const [, staffUserId, expires36, mac] = match;
  if (!staffUserId || !expires36 || !mac) return null;
  const expiresAt = parseInt(expires36, 36) * 1000;
  if (!Number.isFinite(expiresAt) || now.getTime() >= expiresAt || expiresAt - now.getTime() > TELEGRAM_LINK_CODE_TTL_MS + 60_000) return null;
  const expected = Buffer.from(linkMac(staffUserId, expires36, secret));
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given) ? staffUserId : null;
}

/** Links a Telegram chat to a staff user (replacing an earlier link); false when the user is unknown or inactive. */
export async function linkTelegram(db: DbOrTx, staffUserId: string, chatId: string, options: { code?: string; now?: Date } = {}): Promise<boolean> {
  return recordTelegramLink(db, { staffUserId, chatId, ...(options.code ? { code: options.code } : {}), now: options.now ?? new Date() });
}

/**
 * The code in a Telegram message `/koppel <code>` (also `/koppel@<bot> <code>`) or in the deep
 * link's `/start koppel_<code>`; null for any other message.
 */
export function parseTelegramLinkCommand(text: string): string | null {
  const match = /^\/koppel(?:@\w+)?\s+(\S+)\s*$/i.exec(text.trim()) ?? /^\/start\s+koppel_(\S+)\s*$/.exec(text.trim());
  return match?.[1] ?? null;
}

/**
 * Handles `/koppel <code>` from a private Telegram chat: verifies the code (signed, unexpired,
 * not used before) and links the chat. Returns the Dutch reply for the chat. The message itself
 * is not a resident message and must not be ingested.
 */
export async function handleTelegramLinkCommand(db: Db, input: { code: string; chatId: string; secret: string; publicUrl: string; now?: Date }): Promise<{ linked: boolean; reply: string }> {
  const now = input.now ?? new Date();
  const again = `Vraag een nieuwe code aan in de inbox: ${input.publicUrl.replace(/\/+$/, "")}/inbox/account/telegram`;
  const staffUserId = verifyTelegramLinkCode(input.code, input.secret, now);
  if (!staffUserId) return { linked: false, reply: `Deze code klopt niet of is verlopen (een code is 15 minuten geldig). ${again}` };
  const signature = input.code.trim().split("_").pop() ?? "";
  if (await isTelegramLinkCodeUsed(db, staffUserId, signature)) return { linked: false, reply: `Deze code is al gebruikt. ${again}` };
  if (!(await linkTelegram(db, staffUserId, input.chatId, { code: signature, now }))) return { linked: false, reply: `Deze code hoort bij geen actief account. ${again}` };
  return {
    linked: true,
    reply: "Gelukt: Wijklijn stuurt je voortaan hier een kort bericht als er een gesprek voor je tandem klaarstaat (alleen kenmerk, wijk en thema). Ontkoppelen kan in de inbox, onder Telegram.",
  };
}

const AccountLocalsSchema = z.object({ staffName: z.string(), csrfToken: z.string() });

/**
 * GET /inbox/account/telegram (the code and instructions) and POST /inbox/account/telegram/ontkoppel.
 * Mount like the other inbox routers: after express.urlencoded, loadStaffSession, requireSignedIn and verifyCsrf.
 */
export function telegramLinkRoutes(deps: { db: Db; secret: string; timeZone: string; telegramEnabled: boolean; botUsername?: string; now?: () => Date }): Router {
  const router = Router();
  const clock = deps.now ?? (() => new Date());
  router.use("/inbox/account/telegram", (_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });

  router.get("/inbox/account/telegram", async (req, res) => {
    const staff = staffOf(res);
    const locals = AccountLocalsSchema.parse(res.locals);
    const now = clock();
    const link = await findTelegramLink(deps.db, staff.staffUserId);
    const { code, expiresAt } = createTelegramLinkCode(staff.staffUserId, deps.secret, now);
    const unlinked = req.query.klaar === "ontkoppeld";
    const body = html`<h1>Meldingen via Telegram</h1>
      ${unlinked ? html`<div class="flash flash-ok" role="status"><p>Telegram is ontkoppeld. Je krijgt geen Telegram-berichten meer.</p></div>` : ""}
      <p>Als er een gesprek voor je tandem klaarstaat, krijg je een e-mail. Koppel je Telegram, dan krijg je ook daar een kort bericht: alleen het kenmerk, de wijk en het thema, met een link naar de inbox. Nooit wat de bewoner schreef.</p>
      ${deps.telegramEnabled ? "" : html`<p class="warning">Telegram staat op deze installatie uit: koppelen kan pas als de beheerder de Telegram-bot aanzet.</p>`}
      ${
        link
          ? html`<h2>Gekoppeld</h2><p>Je Telegram is gekoppeld.</p>
      <form method="post" action="/inbox/account/telegram/ontkoppel"><input type="hidden" name="_csrf" value="${locals.csrfToken}"><button type="submit">Telegram ontkoppelen</button></form>
      <h2>Ander Telegram-account koppelen</h2>`
          : html`<h2>Koppelen</h2>`
      }
      <ol>
        <li>Open in Telegram de chat met de bot van Wijklijn${deps.botUsername ? html` (<a href="https://t.me/${deps.botUsername}?start=koppel_${code}">open de bot en koppel meteen</a>)` : ""}.</li>
        <li>Stuur dit bericht naar de bot: <code class="link-code">/koppel ${code}</code></li>
      </ol>
      <p>De code werkt één keer en is 15 minuten geldig, tot ${formatDutchTime(expiresAt, deps.timeZone)}. Laad deze pagina opnieuw voor een nieuwe code.</p>`;
    res.type("html").send(page({ title: "Meldingen via Telegram", user: { name: locals.staffName, role: staff.role, csrfToken: locals.csrfToken }, current: "account", body }));
  });

  router.post("/inbox/account/telegram/ontkoppel", async (_req, res) => {
    const staff = staffOf(res);
    if (await findTelegramLink(deps.db, staff.staffUserId)) await recordTelegramUnlink(deps.db, { staffUserId: staff.staffUserId, gemeenteId: staff.gemeenteId, now: clock() });
    res.redirect(303, "/inbox/account/telegram?klaar=ontkoppeld");
  });

  return router;
}
