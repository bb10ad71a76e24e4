/**
 * /inbox/dev-mail: the demo mailbox (src/mail/devMailbox.ts). Mounted only when no mail server is
 * set outside production, so a new user of the demo can read what Wijklijn would have e-mailed
 * them (a wijkbericht test, a handover notice). A staff member sees only the mail to their own
 * address; the page says plainly that it exists only in the demo.
 */
import { Router } from "express";
import { staffOf } from "../api/auth.ts";
import type { Db } from "../db/client.ts";
import { findStaffAccount } from "../db/staffAccount.repo.ts";
import { html } from "../http/html.ts";
import type { DevMailbox } from "../mail/devMailbox.ts";
import { formatDutchDateTime } from "./content/localTime.ts";
import { page, pageUserOf } from "./layout.ts";

/** The path of the page. */
export const DEV_MAIL_PATH = "/inbox/dev-mail";

/** The demo mailbox page. */
export function devMailRoutes(deps: { db: Db; mailbox: DevMailbox; timeZone: string }): Router {
  const router = Router();
  router.get(DEV_MAIL_PATH, async (_req, res) => {
    const staff = staffOf(res);
    const account = await findStaffAccount(deps.db, staff.staffUserId);
    const mails = account ? deps.mailbox.listFor(account.email) : [];
    res.setHeader("Cache-Control", "no-store");
    const body = html`<h1>Demo-postvak</h1>
    <div class="flash flash-warn"><p><strong>Alleen in de demo.</strong> Wijklijn verstuurt hier geen echte e-mail. Wat naar ${account?.email ?? "jou"} zou gaan, staat hier tot de volgende herstart.</p></div>
    ${
      mails.length === 0
        ? html`<p>Er is nog geen e-mail voor jou. Stuur bijvoorbeeld bij een wijkbericht een test naar jezelf.</p>`
        : mails.map(
            (mail) => html`<article class="dev-mail" aria-labelledby="mail-${String(mail.id)}">
        <h2 id="mail-${String(mail.id)}">${mail.subject}</h2>
        <p class="muted">Aan ${mail.to}, ${formatDutchDateTime(mail.at, deps.timeZone)}</p>
        <div class="bubble">${mail.text.split("\n").map((line, index) => (index === 0 ? html`${line}` : html`<br>${line}`))}</div>
      </article>`,
          )
    }
    <p><a href="/inbox/wijkberichten">Naar de wijkberichten</a></p>`;
    res.type("html").send(page({ title: "Demo-postvak", user: pageUserOf(res, staff), body }));
  });
  return router;
}
