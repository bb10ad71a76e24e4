/**
 * Outgoing e-mail (staff notifications, digests) through SMTP with nodemailer.
 *
 * Without SMTP_URL, mail is off: `createMailer` returns a mailer that drops every message and
 * logs "mail is off" once, so a development install runs without a mail server and nothing
 * pretends to have been sent (`enabled` is false). Given a demo mailbox (./devMailbox.ts, outside
 * production), it keeps the messages there instead, for the inbox's /inbox/dev-mail. Failures reject with a MailError whose message
 * names the SMTP step and code but never an address (SMTP servers quote recipients in their
 * replies, and logs must not hold them).
 */
import nodemailer from "nodemailer";
import type { Logger } from "../log.ts";
import type { DevMailbox } from "./devMailbox.ts";

/** One e-mail. `html` is optional; `text` is always sent (clients that show no HTML read it). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** Sends e-mail. */
export interface Mailer {
  /** False when SMTP_URL is absent: send() then drops the message. */
  readonly enabled: boolean;
  /** Mail is off and kept for the demo instead (/inbox/dev-mail); null otherwise. */
  readonly devMailbox: DevMailbox | null;
  /** Sends one message; rejects with MailError when the SMTP server refuses it or cannot be reached. */
  send(message: MailMessage): Promise<void>;
  /** Closes open SMTP connections. */
  close(): void;
}

/** A message that could not be sent. The message is safe to log: codes, no addresses. */
export class MailError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    readonly responseCode: number | null,
  ) {
    super(message);
    this.name = "MailError";
  }
}

/** Settings of the mailer (config.mail plus the logger). */
export interface MailerOptions {
  /** smtp://user:pass@host:587 or smtps://…; absent: mail is off. */
  smtpUrl: string | undefined;
  /** The From header, e.g. "Wijklijn <wijklijn@gemeente.nl>". */
  from: string;
  logger: Logger;
  /** Connection, greeting and socket timeouts (default 15 s): a hanging server must not hold notifications forever. */
  timeoutMs?: number;
  /** Without smtpUrl: keep the messages here instead of dropping them (the demo, never production). */
  devMailbox?: DevMailbox;
}

function toMailError(error: unknown): MailError {
  const code = error && typeof error === "object" && "code" in error && typeof error.code === "string" ? error.code : null;
  const responseCode = error && typeof error === "object" && "responseCode" in error && typeof error.responseCode === "number" ? error.responseCode : null;
  const command = error && typeof error === "object" && "command" in error && typeof error.command === "string" ? error.command.split(" ")[0] : null;
  const what = [code, responseCode, command ? `during ${command}` : null].filter((part) => part !== null).join(" ");
  return new MailError(`Sending e-mail failed${what ? ` (${what})` : ""}: check SMTP_URL and the mail server's log.`, code, responseCode);
}

/** Builds the mailer; see the file comment for what happens without SMTP_URL. */
export function createMailer(options: MailerOptions): Mailer {
  const logger = options.logger.child({ component: "mail" });
  if (!options.smtpUrl) {
    let told = false;
    const devMailbox = options.devMailbox ?? null;
    return {
      enabled: false,
      devMailbox,
      async send(message) {
        devMailbox?.keep(message);
        if (told) return;
        told = true;
        logger.info(devMailbox ? "mail is off (SMTP_URL is not set): e-mail is kept in the demo mailbox, /inbox/dev-mail" : "mail is off (SMTP_URL is not set): e-mail notifications are dropped");
      },
      close() {},
    };
  }
  const timeout = options.timeoutMs ?? 15_000;
  const transport = nodemailer.createTransport({ url: options.smtpUrl, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout });
  return {
    enabled: true,
    devMailbox: null,
    async send(message) {
      try {
        await transport.sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.text, ...(message.html ? { html: message.html } : {}) });
      } catch (error) {
        throw toMailError(error);
      }
    },
    close() {
      transport.close();
    },
  };
}
