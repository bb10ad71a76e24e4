/**
 * The inbox's page frame: Dutch, usable on a phone, accessible (skip link, landmarks, visible
 * focus, AA contrast). Server-rendered; every dynamic string must go through `html` (escaped).
 */
import type { Response } from "express";
import { z } from "zod";
import type { StaffPrincipal } from "../api/auth.ts";
import { escapeHtml, html, type SafeHtml } from "../http/html.ts";

/** Who is signed in, for the header. */
export interface PageUser {
  name: string;
  role: string;
  csrfToken: string;
}

const PageLocalsSchema = z.object({ staffName: z.string(), csrfToken: z.string() });

/** The signed-in staff member of a page request (the session middleware fills res.locals). */
export function pageUserOf(res: Response, staff: StaffPrincipal): PageUser {
  const locals = PageLocalsSchema.parse(res.locals);
  return { name: locals.staffName, role: staff.role, csrfToken: locals.csrfToken };
}

/** The full page. `current` marks the active navigation item. */
export function page(options: {
  title: string;
  user: PageUser | null;
  current?: "inbox" | "content" | "wijkberichten" | "admin" | "digests" | "evaluation" | "account";
  body: SafeHtml;
  /**
   * Reloads the page every so many seconds, for browsers without JavaScript only (the meta refresh
   * sits in <noscript>): with JavaScript the page updates itself in place (inbox.js).
   */
  refreshSeconds?: number;
}): string {
  const nav = options.user
    ? html`<nav aria-label="Hoofdmenu"><ul>
        <li><a href="/inbox" ${options.current === "inbox" ? html`aria-current="page"` : ""}>Gesprekken</a></li>
        <li><a href="/inbox/content" ${options.current === "content" ? html`aria-current="page"` : ""}>Wijknieuws en dialoogtafels</a></li>
        ${options.user.role !== "wethouder" ? html`<li><a href="/inbox/wijkberichten" ${options.current === "wijkberichten" ? html`aria-current="page"` : ""}>Wijkberichten</a></li>` : ""}
        <li><a href="/inbox/evaluatie" ${options.current === "evaluation" ? html`aria-current="page"` : ""}>Evaluatie</a></li>
        ${options.user.role !== "gebiedsregisseur" ? html`<li><a href="/inbox/digests" ${options.current === "digests" ? html`aria-current="page"` : ""}>Weekoverzichten</a></li>` : ""}
        ${options.user.role === "admin" ? html`<li><a href="/inbox/admin" ${options.current === "admin" ? html`aria-current="page"` : ""}>Beheer</a></li>` : ""}
      </ul>
      <form method="post" action="/inbox/logout" class="logout">
        <input type="hidden" name="_csrf" value="${options.user.csrfToken}">
        <a href="/inbox/account" ${options.current === "account" ? html`aria-current="page"` : ""}>${options.user.name}</a> <button type="submit">Uitloggen</button>
      </form></nav>`
    : "";
  return `<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.user ? `<meta name="csrf-token" content="${escapeHtml(options.user.csrfToken)}">` : ""}
${options.refreshSeconds ? `<noscript><meta http-equiv="refresh" content="${Math.max(1, Math.round(options.refreshSeconds))}"></noscript>` : ""}
<title>${escapeHtml(options.title)} · Wijklijn</title>
<link rel="stylesheet" href="/inbox/assets/inbox.css">
<script src="/inbox/assets/inbox.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Naar de inhoud</a>
<header class="top"><a class="brand" href="/inbox">Wijklijn</a>${nav}</header>
<main id="main" tabindex="-1">
${options.body}
</main>
</body>
</html>`;
}
