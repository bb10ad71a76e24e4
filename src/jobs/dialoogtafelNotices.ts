/**
 * The messages that follow a dialoogtafel sign-up, each on the channel the resident signed up on
 * and through the outbox like every bot message:
 * - a place from the waitlist (whoever freed it: a cancellation in the chat, more places, an erasure);
 * - the reminder the day before, at DIALOOGTAFEL_REMINDER_TIME local time (not for sign-ups made
 *   after that moment: they just had their confirmation; not after the start);
 * - the summary afterwards, to those who were checked in, once staff publish it;
 * - "gaat niet door" when staff cancel a dialoogtafel still to come, to those signed up and on
 *   its waitlist.
 *
 * The message is written into the resident's newest conversation on that channel (so the web chat
 * shows it and staff see it), with its outbox row. Exactly once, across restarts and instances: each message is claimed by a conditional update of
 * its sign-up's own column in the transaction that writes the outbox row (db/dialoogtafel.repo.ts).
 * A crash before the commit leaves neither; after it, the outbox delivers (and never twice).
 * Resident texts come from flows/globals.yaml; nothing of them is logged.
 *
 * On WhatsApp Cloud free text only reaches a resident within 24 hours of their last message: inside
 * that window a notice goes as text, outside it as the approved template
 * WHATSAPP_CLOUD_DIALOOGTAFEL_TEMPLATE with the notice on one line as {{1}}. Without a template it
 * is not queued (the claim stands, a warning says why). The confirmation itself is the bot's reply
 * to the sign-up, so always inside the window.
 */
import type { Globals } from "../conversation/flowSchema.ts";
import type { Db } from "../db/client.ts";
import { addOutboundMessage, addOutboxMessage } from "../db/conversation.repo.ts";
import {
  claimNotice,
  findLatestConversationId,
  findNoticeRecipient,
  listDuePromotions,
  listDueCancellations,
  listDueReminders,
  listDueSummaries,
  listTafelsStartingBefore,
  type DueNotice,
  type TafelNoticeKind,
} from "../db/dialoogtafel.repo.ts";
import { inTransaction } from "../db/transaction.ts";
import { localDate, zonedTimeToDate } from "../domain/time.ts";
import { calendarLink } from "../dialoogtafels/calendarLink.ts";
import { signUpNumber } from "../dialoogtafels/signUpNumber.ts";
import { cancelledText, promotedText, reminderText, summaryText, textLanguage } from "../dialoogtafels/residentTexts.ts";
import type { Logger } from "../log.ts";
import { isWithinServiceWindow } from "../channels/whatsapp-cloud/serviceWindow.ts";
import { findLastInboundAt } from "../db/wijkbericht.repo.ts";
import type { OutboundPayload } from "../domain/messages.ts";
import { whatsappForm, wijkberichtPayload, type WijkberichtTemplate } from "../wijkberichten/renderWijkbericht.ts";

/** What the sweep needs. */
export interface TafelNoticeDeps {
  db: Db;
  logger: Logger;
  /** The bot's own texts (flows/globals.yaml), read fresh: flows reload in development. */
  globals: () => Globals;
  timeZone: string;
  /** Local HH:MM the day before the dialoogtafel. */
  reminderTime: string;
  publicUrl: string;
  /** Signs the calendar links. */
  secret: string;
  /** WhatsApp Cloud is the "whatsapp" channel: the approved template for outside the 24-hour window, or null when none is set. */
  whatsappCloud?: { template: WijkberichtTemplate | null } | null;
  now?: () => Date;
}

/** What one sweep queued. */
export interface TafelNoticeReport {
  promotions: number;
  reminders: number;
  summaries: number;
  cancellations: number;
}

/** Reminders are looked for among dialoogtafels starting within this window (the day before, and some). */
const REMINDER_HORIZON_MS = 3 * 86_400_000;
/** Promotions are personal and timely: before bulk. Reminders and summaries are bulk. */
const PRIORITY: Record<TafelNoticeKind, number> = { promotion: 0, cancellation: 0, reminder: 10, summary: 10 };
const REPORT_KEY = { promotion: "promotions", reminder: "reminders", summary: "summaries", cancellation: "cancellations" } as const;

/** When the reminder of a dialoogtafel is due: the local day before its start, at `time` (HH:MM). */
export function reminderDueAt(startsAt: Date, timeZone: string, time: string): Date {
  const [year, month, day] = localDate(startsAt, timeZone);
  const [hour, minute] = time.split(":").map(Number);
  // Date.UTC inside zonedTimeToDate carries day 0 back to the last day of the month before.
  return zonedTimeToDate(timeZone, year, month, day - 1, hour ?? 10, minute ?? 0);
}

/** Queues one message for one sign-up, unless another run already did; true when this run queued it. */
async function queueNotice(deps: TafelNoticeDeps, notice: DueNotice, kind: TafelNoticeKind, text: string, now: Date): Promise<boolean> {
  return inTransaction(deps.db, async (tx) => {
    if (!(await claimNotice(tx, notice.registrationId, kind, now))) return false;
    const recipient = await findNoticeRecipient(tx, notice.registrationId);
    // No channel left (erased identities): the claim stands, there is nobody to tell.
    if (!recipient) return false;
    let payload: OutboundPayload = { text, buttons: [] };
    if (recipient.channel === "whatsapp" && deps.whatsappCloud) {
      const form = whatsappForm(isWithinServiceWindow(await findLastInboundAt(tx, recipient.channelIdentityId), now), deps.whatsappCloud.template);
      if (form.form === "none") {
        deps.logger.warn(
          { registrationId: notice.registrationId, kind },
          "a dialoogtafel message cannot reach a WhatsApp resident outside the 24-hour window: set WHATSAPP_CLOUD_DIALOOGTAFEL_TEMPLATE",
        );
        return false;
      }
      payload = wijkberichtPayload(text, form.form === "template" ? form.template : null);
    }
    const conversationId = await findLatestConversationId(tx, recipient.channelIdentityId);
    if (conversationId) await addOutboundMessage(tx, { conversationId, residentId: notice.residentId, ...recipient, payload, authorKind: "bot", priority: PRIORITY[kind], now });
    else await addOutboxMessage(tx, { residentId: notice.residentId, ...recipient, conversationId: null, payload, priority: PRIORITY[kind], now });
    return true;
  });
}

/** Runs once: queues every due message. Each sign-up in its own transaction, so one failure stops no other. */
export async function sendDueTafelNotices(deps: TafelNoticeDeps): Promise<TafelNoticeReport> {
  const now = deps.now?.() ?? new Date();
  const globals = deps.globals();
  const report: TafelNoticeReport = { promotions: 0, reminders: 0, summaries: 0, cancellations: 0 };
  const attempt = async (notice: DueNotice, kind: TafelNoticeKind, text: string) => {
    try {
      if (await queueNotice(deps, notice, kind, text, now)) report[REPORT_KEY[kind]]++;
    } catch (error) {
      deps.logger.error({ err: error, registrationId: notice.registrationId, kind }, "queueing a dialoogtafel message failed; tried again at the next run");
    }
  };

  for (const notice of await listDuePromotions(deps.db, now)) {
    const language = textLanguage(notice.language);
    await attempt(
      notice,
      "promotion",
      promotedText(globals, notice.tafel, language, deps.timeZone, calendarLink(deps.publicUrl, notice.registrationId, deps.secret), signUpNumber(notice.registrationId)),
    );
  }

  for (const tafel of await listTafelsStartingBefore(deps.db, now, new Date(now.getTime() + REMINDER_HORIZON_MS))) {
    const due = reminderDueAt(tafel.startsAt, deps.timeZone, deps.reminderTime);
    if (now < due) continue;
    for (const notice of await listDueReminders(deps.db, tafel.id, due)) {
      await attempt(notice, "reminder", reminderText(globals, notice.tafel, textLanguage(notice.language), deps.timeZone));
    }
  }

  for (const notice of await listDueSummaries(deps.db)) {
    const { summaryHeard, summaryNext } = notice.tafel;
    if (!summaryHeard || !summaryNext) continue;
    await attempt(notice, "summary", summaryText(globals, notice.tafel, { heard: summaryHeard, next: summaryNext }, textLanguage(notice.language)));
  }

  for (const notice of await listDueCancellations(deps.db, now)) {
    await attempt(notice, "cancellation", cancelledText(globals, notice.tafel, textLanguage(notice.language), deps.timeZone));
  }

  if (report.promotions + report.reminders + report.summaries + report.cancellations > 0) deps.logger.info({ dialoogtafelNotices: report }, "Queued dialoogtafel messages");
  return report;
}

/** How often the sweep runs: a place from the waitlist should reach the resident within seconds. */
export const TAFEL_NOTICE_INTERVAL_MS = 10_000;

/** Starts the sweep (every 10 seconds, the first soon after start); runs never overlap. */
export function startTafelNoticeSchedule(deps: TafelNoticeDeps & { intervalMs?: number }): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    running = sendDueTafelNotices(deps)
      .catch((error: unknown) => deps.logger.error({ err: error }, "the dialoogtafel messages run failed; tried again shortly"))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, deps.intervalMs ?? TAFEL_NOTICE_INTERVAL_MS);
  const first = setTimeout(tick, 1_000);
  timer.unref();
  first.unref();
  return {
    async stop() {
      clearInterval(timer);
      clearTimeout(first);
      await running;
    },
  };
}
