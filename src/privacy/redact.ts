/**
 * Redaction of personal data in free text, for logs and error reports. Resident message text
 * never goes into logs at all (see src/log.ts); this catches what slips into other strings,
 * such as an error message that quotes a phone number.
 */

const patterns: Array<[RegExp, string]> = [
  // WhatsApp ids such as 31612345678@c.us
  [/\b\d{6,15}@(?:c|g)\.us\b/g, "[whatsapp-id]"],
  // e-mail addresses
  [/[\p{L}0-9._%+-]+@[\p{L}0-9.-]+\.[\p{L}]{2,}/gu, "[e-mail]"],
  // IBAN
  [/\b[A-Z]{2}\d{2}\s?(?:[A-Z0-9]{4}\s?){3,7}[A-Z0-9]{1,4}\b/g, "[iban]"],
  // phone numbers: +31 6 12345678, 06-12345678, 0031612345678, (040) 123 4567
  [/(?:\+|00)\d{1,3}[\s-]?(?:\(0\))?[\s-]?\d(?:[\s-]?\d){6,11}\b/g, "[telefoon]"],
  [/\b0\d(?:[\s-]?\d){8}\b/g, "[telefoon]"],
  [/\(0\d{2,3}\)\s?\d(?:[\s-]?\d){5,6}\b/g, "[telefoon]"],
];

/** Replaces e-mail addresses, phone numbers, WhatsApp ids and IBANs by placeholders. */
export function redactText(text: string): string {
  let result = text;
  for (const [pattern, placeholder] of patterns) result = result.replace(pattern, placeholder);
  return result;
}

/**
 * Log keys whose values are resident content or addresses; pino replaces them by "[redacted]".
 * Every log call that concerns a message logs ids, never these fields' contents.
 */
export const redactedLogPaths = [
  "text",
  "body",
  "phone",
  "phoneNumber",
  "externalId",
  "from",
  "to",
  "chatId",
  "email",
  "password",
  "token",
  "authorization",
  "*.text",
  "*.body",
  "*.phone",
  "*.phoneNumber",
  "*.externalId",
  "*.from",
  "*.to",
  "*.chatId",
  "*.email",
  "*.password",
  "*.token",
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["x-hub-signature-256"]',
];
