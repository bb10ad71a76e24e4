/**
 * Response headers every Wijklijn page and API answer carries (issue 10): no sniffing, no framing,
 * a strict Content-Security-Policy for the pages we render (scripts and styles only from our own
 * origin, so injected markup can neither run nor phone home), HSTS once a request came over HTTPS,
 * and `Cache-Control: no-store` on everything that can hold resident or staff data, so a shared
 * computer's cache or a proxy keeps none of it.
 */
import { createHash } from "node:crypto";
import type { RequestHandler, Response } from "express";

/** The policy for server-rendered pages: nothing inline, nothing from elsewhere. */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** HSTS for a year; only sent on HTTPS requests (behind a proxy: TRUST_PROXY must be set so express sees it). */
export const HSTS = "max-age=31536000; includeSubDomains";

/** Paths whose answers may hold personal data or a session: never stored by a browser or proxy. */
const PRIVATE_PATHS = /^\/(api\/|chat\/api\/|inbox(\/|$)(?!assets\/)|privacy\/)/;

/** The headers middleware; see the file comment. Routes may narrow or replace the CSP (the web chat has its own). */
export function securityHeaders(): RequestHandler {
  return (req, res, next) => {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Content-Security-Policy", PAGE_CSP);
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    if (req.secure) res.setHeader("Strict-Transport-Security", HSTS);
    if (PRIVATE_PATHS.test(req.path)) res.setHeader("Cache-Control", "no-store");
    next();
  };
}

/**
 * Lets this page show images from any https address: the wijkbericht preview shows the photo
 * staff gave as an address, so they see it (or see that it does not load) before sending.
 */
export function allowRemoteImages(res: Response): void {
  res.setHeader("Content-Security-Policy", PAGE_CSP.replace("img-src 'self' data:", "img-src 'self' data: https:"));
}

/** Allows one inline <style> block on this response by its hash (for the few self-contained pages). */
export function allowInlineStyle(res: Response, css: string): void {
  const hash = createHash("sha256").update(css, "utf8").digest("base64");
  res.setHeader("Content-Security-Policy", PAGE_CSP.replace("style-src 'self'", `style-src 'self' 'sha256-${hash}'`));
}
