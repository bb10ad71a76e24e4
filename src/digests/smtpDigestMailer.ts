/**
 * A DigestMailer over SMTP with nodemailer, for the CLI (and for the service until the shared
 * mailer lands): `SMTP_URL` such as smtp://user:pass@host:587 or smtps://…, `MAIL_FROM` as sender.
 */
import nodemailer from "nodemailer";
import type { DigestMailer } from "./sendDigest.ts";

/** A mailer that sends each digest as one multipart/alternative message (text and HTML). */
export function createSmtpDigestMailer(smtpUrl: string, from: string): DigestMailer & { close(): void } {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
    close() {
      transport.close();
    },
  };
}
