/**
 * The device cookie: set at a successful sign-in, it tells the sign-in throttle that this browser
 * has signed in to this account before, so its attempts are counted on their own and failures
 * from elsewhere (someone guessing the password) never slow it down. It proves nothing else: it
 * is no session and signs no one in. HMAC-signed with the session secret, HttpOnly,
 * SameSite=Lax, Secure over HTTPS, for the inbox path only.
 * https://owasp.org/www-community/Slow_Down_Online_Guessing_Attacks_with_Device_Cookies
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Request, Response } from "express";

/** The cookie's name. */
export const DEVICE_COOKIE = "wl_device";

/** How long a device cookie is honoured after the sign-in that set it. */
export const DEVICE_COOKIE_MAX_AGE_MS = 180 * 24 * 3600 * 1000;

/** A valid device cookie: the account it was set for, and the device's own random id. */
export interface DeviceCookie {
  staffUserId: string;
  deviceId: string;
}

const PART = /^[A-Za-z0-9_-]{1,200}$/;

function signature(secret: string, payload: string): Buffer {
  return createHmac("sha256", secret).update(`wl_device:v1:${payload}`).digest();
}

/** The cookie value for a new device of `staffUserId`, issued at `now`. */
export function makeDeviceCookieValue(secret: string, staffUserId: string, now: Date): string {
  const payload = [Buffer.from(staffUserId).toString("base64url"), now.getTime().toString(36), randomBytes(16).toString("base64url")].join(".");
  return `${payload}.${signature(secret, payload).toString("base64url")}`;
}

/** Reads and checks a cookie value: null when malformed, forged, or older than the maximum age. */
export function readDeviceCookieValue(secret: string, value: string, now: Date): DeviceCookie | null {
  const [user, issued, deviceId, mac, ...rest] = value.split(".");
  if (user === undefined || issued === undefined || deviceId === undefined || mac === undefined || rest.length > 0) return null;
  if (![user, issued, deviceId, mac].every((part) => PART.test(part))) return null;
  // Compared as text: base64url decoding ignores stray low bits, so only the one canonical spelling counts.
  const expected = Buffer.from(signature(secret, `${user}.${issued}.${deviceId}`).toString("base64url"));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const issuedAt = Number.parseInt(issued, 36);
  if (!Number.isFinite(issuedAt) || issuedAt > now.getTime() + 60_000 || now.getTime() - issuedAt > DEVICE_COOKIE_MAX_AGE_MS) return null;
  return { staffUserId: Buffer.from(user, "base64url").toString("utf8"), deviceId };
}

/** The request's valid device cookie, if it has one. */
export function deviceCookieOf(req: Request, secret: string, now: Date): DeviceCookie | null {
  const match = new RegExp(`(?:^|;\\s*)${DEVICE_COOKIE}=([A-Za-z0-9_.-]{20,600})`).exec(req.headers.cookie ?? "");
  return match?.[1] ? readDeviceCookieValue(secret, match[1], now) : null;
}

/** Sets a fresh device cookie for `staffUserId` (replacing this browser's earlier one). */
export function setDeviceCookie(req: Request, res: Response, secret: string, staffUserId: string, now: Date): void {
  res.cookie(DEVICE_COOKIE, makeDeviceCookieValue(secret, staffUserId, now), { httpOnly: true, sameSite: "lax", secure: req.secure, path: "/inbox", maxAge: DEVICE_COOKIE_MAX_AGE_MS });
}
