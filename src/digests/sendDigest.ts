/**
 * Sends one wethouder's digest of one week, exactly once: the DigestRun is claimed first (see
 * src/db/digest.repo.ts), then the digest is built, stored on the run, mailed, and the run marked sent.
 * A failed mail marks the run failed, so the next scheduled run tries again. When the wethouder
 * linked a chat app, a short version with a link to the inbox archive goes there too; a failure
 * there is recorded but does not make the e-mail go out again.
 */
import type { Settings } from "../conversation/flowSchema.ts";
import type { Db } from "../db/client.ts";
import { claimDigestRun, findStaffContact, markDigestBuilt, markDigestFailed, markDigestSent } from "../db/digest.repo.ts";
import type { Logger } from "../log.ts";
import { redactText } from "../privacy/redact.ts";
import { buildWeeklyDigest } from "./buildWeeklyDigest.ts";
import { loadDigestSettings } from "./digestSettings.ts";
import { formatDateTime } from "./digestLabels.ts";
import { isoWeekBounds } from "./isoWeek.ts";
import { DigestNotFoundError, loadDigestData } from "./loadDigestData.ts";
import { renderDigest, renderDigestShort } from "./renderDigest.ts";
import type { WeeklyDigest } from "./weeklyDigest.ts";

/** Sends e-mail. The service passes its mailer; the CLI one made from SMTP_URL; tests a real local SMTP server. */
export interface DigestMailer {
  send(mail: { to: string; subject: string; text: string; html: string }): Promise<void>;
}

/** Sends a text to a Telegram chat (the bot's API). */
export type TelegramSend = (chatId: string, text: string) => Promise<void>;

/** How to send. */
export interface SendDigestOptions {
  /** The service's public address, for the link to the inbox archive. */
  publicUrl: string;
  /** Office hours and response target; defaults to flows/settings.yaml. */
  settings?: Settings;
  /** Sends the short version to a chat; without it, only e-mail. */
  telegramSend?: TelegramSend;
  /**
   * The Telegram chat a wethouder linked, or null. StaffUser has no telegramChatId column yet,
   * so the caller says where to find it; without it, nobody gets the short version.
   */
  telegramChatIdOf?: (wethouderId: string) => Promise<string | null>;
  now?: () => Date;
  logger?: Logger;
}

/** What happened. */
export type SendDigestResult =
  | { status: "sent"; to: string; telegram: "sent" | "failed" | "none" }
  | { status: "already-sent"; sentAt: Date | null }
  | { status: "in-progress" }
  | { status: "failed"; error: string };

/** The digest's page in the inbox archive. */
export function digestArchiveUrl(publicUrl: string, week: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/inbox/digests/${week}`;
}

/**
 * Sends the digest of `week` to the wethouder, unless it was sent (or is being sent) already.
 * Throws, without recording anything, for an unknown staff user, a malformed week, or a week
 * that is not over yet.
 */
export async function sendDigest(db: Db, mailer: DigestMailer, wethouderId: string, week: string, options: SendDigestOptions): Promise<SendDigestResult> {
  const now = options.now ?? (() => new Date());
  const wethouder = await findStaffContact(db, wethouderId);
  if (wethouder?.role !== "wethouder") throw new DigestNotFoundError(`There is no wethouder with id ${wethouderId}.`);
  // A week still going must not take the place of the whole week's digest (sent once).
  const { end } = isoWeekBounds(week, wethouder.timeZone);
  if (now() < end) throw new Error(`The digest of ${week} can be sent once the week is over, from ${formatDateTime(end.toISOString(), wethouder.timeZone)}.`);
  const claim = await claimDigestRun(db, wethouderId, week, now());
  if (claim.kind === "already-sent") return { status: "already-sent", sentAt: claim.sentAt };
  if (claim.kind === "in-progress") return { status: "in-progress" };

  const archiveUrl = digestArchiveUrl(options.publicUrl, week);
  let sent: { to: string; digest: WeeklyDigest };
  try {
    const data = await loadDigestData(db, wethouderId, week, { settings: options.settings ?? loadDigestSettings(), now: now() });
    if (data.audience.kind !== "wethouder") throw new Error("a wethouder's digest has a wethouder audience");
    const digest = buildWeeklyDigest(data, week);
    const rendered = renderDigest(digest, { archiveUrl });
    if (!(await markDigestBuilt(db, claim.claim, digest))) return { status: "in-progress" };
    await mailer.send({ to: data.audience.email, subject: rendered.subject, text: rendered.text, html: rendered.html });
    sent = { to: data.audience.email, digest };
  } catch (error) {
    await markDigestFailed(db, claim.claim, error);
    const message = redactText(error instanceof Error ? error.message : String(error));
    options.logger?.warn({ wethouderId, week, err: error }, "The weekly digest could not be sent; the next run tries again");
    return { status: "failed", error: message };
  }

  let telegram: "sent" | "failed" | "none" = "none";
  let note: string | null = null;
  if (options.telegramSend && options.telegramChatIdOf) {
    try {
      const chatId = await options.telegramChatIdOf(wethouderId);
      if (chatId) {
        await options.telegramSend(chatId, renderDigestShort(sent.digest, archiveUrl));
        telegram = "sent";
      }
    } catch (error) {
      telegram = "failed";
      note = `telegram: ${redactText(error instanceof Error ? error.message : String(error)).slice(0, 900)}`;
      options.logger?.warn({ wethouderId, week, err: error }, "The short digest could not be sent to Telegram; the e-mail went out");
    }
  }
  await markDigestSent(db, claim.claim, now(), note);
  options.logger?.info({ wethouderId, week, retry: claim.retry, telegram }, "Sent the weekly digest");
  return { status: "sent", to: sent.to, telegram };
}
