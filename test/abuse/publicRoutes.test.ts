/**
 * Malformed and oversized requests on every route the service serves, found by walking the
 * express router (a new route is covered without touching this file): broken JSON, bodies far
 * over the limits, deep nesting, wrong types, prototype keys, odd content types and charsets,
 * broken percent-encoding in paths and queries, garbage cookies and tokens — as a stranger and as
 * a signed-in admin with a valid CSRF token (so the bodies reach the handlers behind the guards),
 * with the Telegram secret and a valid WhatsApp signature (so they reach the webhook handlers).
 * Never a 5xx, never internal text in the answer, and the service keeps answering.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/db.ts";
import { signWebhookBody } from "../../src/channels/whatsapp-cloud/webhookSignature.ts";
import { type AbuseRig, routesOf, startAbuseRig, TELEGRAM_SECRET, WHATSAPP_APP_SECRET } from "./abuseRig.ts";

/** One abusive request: its body, content type and what the path's parameters are replaced with. */
interface Attack {
  name: string;
  param?: string;
  query?: string;
  contentType?: string;
  body?: string;
  headers?: Record<string, string>;
}

const BIG = 3 * 1024 * 1024;
const deepJson = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;

const ATTACKS: Attack[] = [
  { name: "broken JSON", contentType: "application/json", body: '{"text": "hoi", ' },
  {
    name: "JSON of the wrong types",
    contentType: "application/json",
    body: JSON.stringify({ text: { $gt: "" }, clientMessageId: [1], status: 7, wijk: null, theme: true, staffUserId: {}, email: [], password: 1 }),
  },
  { name: "prototype keys", contentType: "application/json", body: '{"__proto__": {"role": "admin"}, "constructor": {"prototype": {"x": 1}}, "text": "hoi"}' },
  { name: "JSON nested 20,000 deep", contentType: "application/json", body: deepJson },
  { name: "JSON over the size limit", contentType: "application/json", body: JSON.stringify({ text: "a".repeat(BIG) }) },
  { name: "a form over the size limit", contentType: "application/x-www-form-urlencoded", body: `text=${"a".repeat(BIG)}` },
  { name: "a form with 5,000 fields", contentType: "application/x-www-form-urlencoded", body: Array.from({ length: 5000 }, (_, i) => `f${i}=1`).join("&") },
  { name: "a form with nested and repeated keys", contentType: "application/x-www-form-urlencoded", body: "text[a][b]=1&text=2&text=3&wijk[]=x&_csrf[]=y&assignee[__proto__]=z" },
  { name: "a form with broken percent-encoding", contentType: "application/x-www-form-urlencoded", body: "text=%E0%A4%A&wijk=%&theme=%zz" },
  { name: "an unknown charset", contentType: "application/json; charset=klingon", body: "{}" },
  { name: "a form in an unknown charset", contentType: "application/x-www-form-urlencoded; charset=utf-42", body: "text=x" },
  { name: "UTF-16 JSON", contentType: "application/json; charset=utf-16", body: "{}" },
  { name: "XML", contentType: "application/xml", body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>' },
  { name: "multipart garbage", contentType: "multipart/form-data; boundary=zzz", body: '--zzz\r\nContent-Disposition: form-data; name="photo"; filename="../../x"\r\n\r\nAAAA\r\n--zz' },
  { name: "a body with no content type", body: "text=hoi" },
  { name: "an empty JSON body", contentType: "application/json", body: "" },
  {
    name: "NUL and lone surrogates in JSON",
    contentType: "application/json",
    body: JSON.stringify({ text: "a\u0000b\uD800c", clientMessageId: "\uDC00\u0000", email: "x\u0000@y", password: "\u0000".repeat(20) }),
  },
  { name: "a broken percent-encoded path parameter", param: "%E0%A4%A" },
  { name: "a path parameter with NUL and dots", param: "%00..%2F..%2Fetc" },
  { name: "a 6,000-character path parameter", param: "c".repeat(6000) },
  { name: "a SQL injection in the path", param: "1'%20OR%20'1'%3D'1" },
  { name: "a garbage query", query: "?next=%E0%A4%A&postcode[]=1&postcode[a]=2&lat=NaN&lon=Infinity&limit=-1&cursor=%00&week=9999-W99&q=%27%3B--" },
  { name: "garbage cookies and tokens", headers: { cookie: `wl_staff=%E0%A4%A; wl_chat=${"x".repeat(4000)}; wl_device=a.b.c.d`, authorization: "Bearer \u00ff\u00fe", "x-csrf-token": "%00" } },
];

describeEachDatabase("abuse: malformed and oversized requests on every route", (provider) => {
  let rig: AbuseRig;
  let routes: string[] = [];

  beforeAll(async () => {
    rig = await startAbuseRig(provider);
    routes = [...new Set(routesOf(rig.service.app.router.stack))].sort();
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  it("finds the routes of every part of the service", () => {
    for (const expected of [
      "POST /webhooks/telegram",
      "POST /webhooks/whatsapp",
      "POST /api/messages",
      "POST /chat/api/messages",
      "GET /privacy",
      "POST /inbox/login",
      "GET /api/v1/conversations",
      "GET /api/v1/digests",
    ]) {
      expect(routes).toContain(expected);
    }
    expect(routes.length).toBeGreaterThan(60);
  });

  it("answers every malformed or oversized request with less than 500 and no internal text, as a stranger and as a signed-in admin", async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const method = route.slice(0, route.indexOf(" "));
      const pattern = route.slice(route.indexOf(" ") + 1);
      for (const attack of ATTACKS) {
        if (method === "GET" && attack.body !== undefined) continue;
        // A fresh admin session per request: an accepted logout must not sign the rest out.
        const admin = await rig.signIn("admin@demo.wijklijn.nl");
        for (const who of [null, admin]) {
          const path = pattern.replace(/[:*]\w+/g, attack.param ?? "cabuse00000000000000000000");
          const body = attack.body;
          const headers: Record<string, string> = {
            "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
            "X-Hub-Signature-256": signWebhookBody(WHATSAPP_APP_SECRET, body ?? ""),
            ...(attack.contentType ? { "content-type": attack.contentType } : {}),
            ...(who ? { cookie: who.cookie, "x-csrf-token": who.csrf } : {}),
            ...attack.headers,
          };
          const url = `${rig.service.url}${path}${attack.query ?? ""}`;
          const finalBody = who && body !== undefined && attack.contentType === "application/x-www-form-urlencoded" ? `_csrf=${encodeURIComponent(who.csrf)}&${body}` : body;
          let status = 0;
          let text = "";
          try {
            const res = await fetch(url, { method, headers, ...(finalBody !== undefined && method !== "GET" ? { body: finalBody } : {}), redirect: "manual", signal: AbortSignal.timeout(10_000) });
            status = res.status;
            // Event streams stay open: their headers are the answer.
            text = res.headers.get("content-type")?.startsWith("text/event-stream") ? "" : await res.text();
            if (text === "") await res.body?.cancel();
          } catch (error) {
            failures.push(`${route} · ${attack.name} · ${who ? "admin" : "stranger"}: no answer (${String(error)})`);
            continue;
          }
          if (status >= 500 || /\bat [\w.<>]+ \(|node_modules|Prisma|SQLITE|TypeError|SyntaxError|ReferenceError/.test(text)) {
            failures.push(`${route} · ${attack.name} · ${who ? "admin" : "stranger"}: ${status} ${text.slice(0, 200)}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect((await fetch(`${rig.service.url}/readyz`)).status).toBe(200);
  }, 180_000);
});
