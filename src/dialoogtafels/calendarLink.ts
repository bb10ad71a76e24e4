/**
 * The link to a sign-up's calendar file: PUBLIC_URL/agenda/<token>.ics, where the token is the
 * sign-up's id with an HMAC of it under the session secret. Unguessable without the secret, and
 * answered only while the sign-up stands (calendar.routes.ts), so a cancelled sign-up's link
 * answers 404. The id itself says nothing about the resident.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const PURPOSE = "wijklijn:dialoogtafel-agenda:";

function signature(registrationId: string, secret: string): string {
  return createHmac("sha256", secret).update(`${PURPOSE}${registrationId}`).digest("base64url");
}

/** The token for a sign-up's calendar file. */
export function signCalendarToken(registrationId: string, secret: string): string {
  return `${registrationId}.${signature(registrationId, secret)}`;
}

/** The sign-up id of a valid token, or null. */
export function verifyCalendarToken(token: string, secret: string): string | null {
  const [registrationId, given, ...rest] = token.split(".");
  if (!registrationId || !given || rest.length > 0 || !/^[A-Za-z0-9_-]{1,64}$/.test(registrationId)) return null;
  const a = Buffer.from(given);
  const b = Buffer.from(signature(registrationId, secret));
  return a.length === b.length && timingSafeEqual(a, b) ? registrationId : null;
}

/** The full link a resident can tap. */
export function calendarLink(publicUrl: string, registrationId: string, secret: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/agenda/${signCalendarToken(registrationId, secret)}.ics`;
}
