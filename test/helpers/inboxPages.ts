/**
 * Requests to the inbox's pages as a signed-in staff member, over loopback: the session cookie and
 * the CSRF token a form posts with. `base` gives the server's address once it listens.
 */
import { expect } from "vitest";

/** A signed-in staff member: the session cookie and the CSRF token of that session. */
export interface InboxVisitor {
  cookie: string;
  csrf: string;
}

export function inboxRequests(base: () => string) {
  function get(path: string, who: InboxVisitor) {
    return fetch(`${base()}${path}`, { headers: { cookie: who.cookie }, redirect: "manual" });
  }

  /** A form post; `csrf: false` leaves the token out (to see it refused). */
  function post(path: string, who: InboxVisitor, fields: Record<string, string> = {}, options: { csrf?: boolean } = {}) {
    const body = new URLSearchParams({ ...(options.csrf === false ? {} : { _csrf: who.csrf }), ...fields });
    return fetch(`${base()}${path}`, { method: "POST", headers: { cookie: who.cookie, "content-type": "application/x-www-form-urlencoded" }, body, redirect: "manual" });
  }

  /** A page that must answer 200, as HTML. */
  async function page(path: string, who: InboxVisitor): Promise<string> {
    const response = await get(path, who);
    expect(response.status).toBe(200);
    return response.text();
  }

  return { get, post, page };
}

/** The table row of the inbox list that shows `reference` (empty when there is none). */
export function rowOf(html: string, reference: string): string {
  return html.split("<tr").find((row) => row.includes(reference)) ?? "";
}
