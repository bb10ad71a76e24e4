/**
 * Checks that a webhook call really comes from Meta: `X-Hub-Signature-256` is
 * `sha256=<hex HMAC-SHA256 of the raw body with the app secret>`, and the verification handshake
 * carries our verify token. Comparisons take constant time.
 * https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** The outcome of a signature check: `missing` answers 401, `invalid` 403. */
export type SignatureCheck = "valid" | "missing" | "invalid";

/** The `X-Hub-Signature-256` value Meta sends for `rawBody` (also used by tests to sign payloads). */
export function signWebhookBody(appSecret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac("sha256", appSecret).update(rawBody).digest("hex")}`;
}

/** Checks a `X-Hub-Signature-256` header against the exact bytes Meta sent. */
export function checkWebhookSignature(appSecret: string, rawBody: Buffer, header: string | undefined): SignatureCheck {
  if (header === undefined || header.trim() === "") return "missing";
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match?.[1]) return "invalid";
  const expected = createHmac("sha256", appSecret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(match[1], "hex")) ? "valid" : "invalid";
}

/**
 * Compares two secrets in constant time. Both are hashed first, so neither their contents nor
 * their lengths leak through timing.
 */
export function secretsMatch(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}
