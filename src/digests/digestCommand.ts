/**
 * `npm run cli -- digest --wethouder <e> --week <2026-W48> [--format html|text|json] [--send]`:
 * prints a wethouder's digest as built now, or sends it (recorded as that week's DigestRun, so
 * the schedule will not send it again, and a week already sent is not sent twice).
 */
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { findWethouderByEmail } from "../db/digest.repo.ts";
import { buildWeeklyDigest } from "./buildWeeklyDigest.ts";
import { loadDigestSettings } from "./digestSettings.ts";
import { parseIsoWeek } from "./isoWeek.ts";
import { loadDigestData } from "./loadDigestData.ts";
import { renderDigest } from "./renderDigest.ts";
import { digestArchiveUrl, sendDigest, type DigestMailer } from "./sendDigest.ts";
import { createLogger } from "../log.ts";
import { createMailer } from "../mail/mailer.ts";

/** The output formats of the command. */
export const DigestFormatSchema = z.enum(["text", "html", "json"]);
export type DigestFormat = z.infer<typeof DigestFormatSchema>;

/** What the command was asked, already checked for form. */
export interface DigestCommandInput {
  wethouder: string;
  week: string;
  format: DigestFormat;
  send: boolean;
}

/** What the command needs from the configuration. */
export interface DigestCommandConfig {
  publicUrl: string;
  flowsDir: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Tests pass a mailer; otherwise one is made from smtpUrl. */
  mailer?: DigestMailer;
  now?: () => Date;
}

/** Runs the digest command; throws an Error whose message says what to do (exit code 1). */
export async function runDigestCommand(db: Db, out: (line: string) => void, input: DigestCommandInput, config: DigestCommandConfig): Promise<void> {
  if (!parseIsoWeek(input.week)) throw new Error(`--week: "${input.week}" is not an ISO week; write it as 2026-W48`);
  const wethouder = await findWethouderByEmail(db, input.wethouder);
  if (!wethouder) throw new Error(`There is no wethouder with e-mail ${input.wethouder}. Add one with: npm run cli -- user add --email <e> --role wethouder --tandem <slug>`);
  const settings = loadDigestSettings(config.flowsDir);
  const now = config.now ?? (() => new Date());

  if (input.send) {
    const smtp = config.mailer || !config.smtpUrl ? null : createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, logger: createLogger({ level: "warn" }) });
    const mailer = config.mailer ?? smtp;
    if (!mailer) throw new Error("Mail is off: SMTP_URL is not set (e.g. smtp://user:pass@mail.example.nl:587), so the digest cannot be sent. Print it without --send.");
    try {
      const result = await sendDigest(db, mailer, wethouder.id, input.week, { publicUrl: config.publicUrl, settings, now });
      switch (result.status) {
        case "sent":
          out(`Sent the digest of ${input.week} to ${result.to}.`);
          return;
        case "already-sent":
          out(`The digest of ${input.week} was already sent to ${wethouder.email}${result.sentAt ? ` on ${result.sentAt.toISOString()}` : ""}; nothing sent.`);
          return;
        case "in-progress":
          out(`The digest of ${input.week} for ${wethouder.email} is being sent by another run right now; nothing sent.`);
          return;
        case "failed":
          throw new Error(`The digest could not be sent: ${result.error}. It is marked failed; the schedule (or this command) tries again.`);
      }
    } finally {
      smtp?.close();
    }
  }

  const digest = buildWeeklyDigest(await loadDigestData(db, wethouder.id, input.week, { settings, now: now() }), input.week);
  const rendered = renderDigest(digest, { archiveUrl: digestArchiveUrl(config.publicUrl, input.week) });
  const output = input.format === "html" ? rendered.html : input.format === "json" ? rendered.json : `Onderwerp: ${rendered.subject}\n\n${rendered.text}`;
  out(output.replace(/\n$/, ""));
}
