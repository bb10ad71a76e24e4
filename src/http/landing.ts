/** The landing page at /: tells a new user, in Dutch, where to go. */
import { Router } from "express";
import { DEMO_LABEL } from "../../prisma/demo/geldrop-mierlo.ts";
import { html, SafeHtml } from "./html.ts";
import { allowInlineStyle } from "./securityHeaders.ts";

/** The landing and API pages are self-contained: their one style block is allowed by hash (securityHeaders.ts). */
export const LANDING_CSS = `
body { font-family: system-ui, sans-serif; max-width: 42rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1a1a1a; }
a { color: #0b5394; }
.demo { background: #fff4ce; border: 1px solid #c9a400; padding: .5rem 1rem; border-radius: .25rem; }
pre { white-space: pre-wrap; }
`;

/** A place on the landing page. */
export interface LandingLink {
  href: string;
  title: string;
  description: string;
}

/** Routes for / and /api/docs (the OpenAPI document). */
export function landingRoutes(deps: { gemeenteName: () => Promise<string | null>; demo: () => Promise<boolean>; links: LandingLink[]; openApi: object }): Router {
  const router = Router();
  router.get("/", async (_req, res) => {
    const [name, demo] = await Promise.all([deps.gemeenteName(), deps.demo()]);
    const items = deps.links.map((link) => html`<li><a href="${link.href}">${link.title}</a> — ${link.description}</li>\n      `);
    const title = name ? ` — ${name}` : "";
    const notice = demo
      ? html`<p class="demo"><strong>${DEMO_LABEL}.</strong> Deze installatie draait met de demogemeente. Vervang de wijken en postcodes door echte gegevens met <code>npm run cli -- import</code>.</p>`
      : "";
    allowInlineStyle(res, LANDING_CSS);
    res.type("html").send(
      html`<!doctype html>
<html lang="nl">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Wijklijn${title}</title>
    <style>${new SafeHtml(LANDING_CSS)}</style>
  </head>
  <body>
    <h1>Wijklijn${name ? ` ${name}` : ""}</h1>
    <p>Wijklijn is het chatkanaal van de wijkdialoog: bewoners schrijven via WhatsApp of Telegram,
    en hun bericht komt bij de gebiedsregisseur en wethouder van hun wijk.</p>
    ${notice}
    <h2>Waar wil je heen?</h2>
    <ul>
      ${items}
    </ul>
  </body>
</html>`.value,
    );
  });
  router.get("/api/docs/openapi.json", (_req, res) => {
    res.json(deps.openApi);
  });
  router.get("/api/docs", (req, res) => {
    if (req.accepts(["html", "json"]) === "json") {
      res.json(deps.openApi);
      return;
    }
    allowInlineStyle(res, LANDING_CSS);
    res.type("html").send(
      html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Wijklijn API</title><style>${new SafeHtml(LANDING_CSS)}</style></head>
<body>
<h1>Wijklijn API</h1>
<p>The OpenAPI 3.1 document: <a href="/api/docs/openapi.json">/api/docs/openapi.json</a> (load it in any OpenAPI viewer or client generator).</p>
<pre>${JSON.stringify(deps.openApi, null, 2)}</pre>
</body></html>`.value,
    );
  });
  return router;
}
