/**
 * The demo mailbox: when no mail server is set (no SMTP_URL) outside production, the e-mail
 * Wijklijn would send (a wijkbericht test, a handover notice) is kept here, in memory, so a new
 * user of the demo can read it at /inbox/dev-mail. Each staff member sees only the mail addressed
 * to their own account. Nothing leaves the machine and nothing survives a restart; the newest
 * `max` messages are kept.
 */
import type { MailMessage } from "./mailer.ts";

/** One kept message. */
export interface DevMail {
  id: number;
  to: string;
  subject: string;
  text: string;
  at: Date;
}

/** The demo mailbox. */
export interface DevMailbox {
  /** Keeps one message (the oldest goes when the box is full). */
  keep(message: MailMessage, at?: Date): void;
  /** The messages to one address, newest first (the address compared without case). */
  listFor(address: string): DevMail[];
}

/** A demo mailbox keeping the newest `max` messages (default 200). */
export function createDevMailbox(max = 200): DevMailbox {
  const kept: DevMail[] = [];
  let next = 1;
  return {
    keep(message, at = new Date()) {
      kept.push({ id: next++, to: message.to, subject: message.subject, text: message.text, at });
      if (kept.length > max) kept.splice(0, kept.length - max);
    },
    listFor(address) {
      const wanted = address.trim().toLowerCase();
      return kept.filter((mail) => mail.to.trim().toLowerCase() === wanted).reverse();
    },
  };
}
