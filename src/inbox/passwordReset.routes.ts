/**
 * The pages of "Nieuw wachtwoord instellen" (src/inbox/passwordReset.ts): the admin's POST on
 * Beheer that shows the one-time link once, and the public page behind the link where the staff
 * member chooses a new password. Both pages are never cached and send no Referer (the token is
 * in the address).
 */
import { Router, type Response } from "express";
import { z } from "zod";
import { staffOf } from "../api/auth.ts";
import type { Db } from "../db/client.ts";
import { html } from "../http/html.ts";
import type { Logger } from "../log.ts";
import { ActionError } from "./conversationActions.ts";
import { page, pageUserOf } from "./layout.ts";
import { PasswordPolicy } from "./password.ts";
import { createPasswordResetLink, findPasswordResetAccount, passwordResetPath, resetPasswordWithLink } from "./passwordReset.ts";
import { formatDateTime } from "./pages/format.ts";

const IdSchema = z.string().min(1).max(64);
const TokenSchema = z.string().regex(/^[\w-]{20,100}$/);
const ResetFormSchema = z.object({ newPassword: z.string().max(4096), confirmPassword: z.string().max(4096) });

function sendSecretPage(res: Response, status: number, body: string): void {
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.status(status).type("html").send(body);
}

/** POST /inbox/admin/medewerkers/:id/wachtwoord (admins; mount after the session, sign-in and CSRF checks). */
export function adminPasswordResetRoutes(deps: { db: Db; publicUrl?: string; timeZone: string; now?: () => Date }): Router {
  const router = Router();
  const now = deps.now ?? (() => new Date());
  router.post("/inbox/admin/medewerkers/:id/wachtwoord", async (req, res) => {
    const staff = staffOf(res);
    const user = pageUserOf(res, staff);
    const notFound = () =>
      sendSecretPage(res, 404, page({ title: "Niet gevonden", user, body: html`<h1>Niet gevonden</h1><p>Dit account bestaat niet.</p><p><a href="/inbox/admin">Naar Beheer</a></p>` }));
    if (staff.role !== "admin") return notFound();
    const id = IdSchema.safeParse(req.params.id);
    if (!id.success) return notFound();
    try {
      const made = await createPasswordResetLink(deps.db, staff, id.data, now());
      const origin = deps.publicUrl ? deps.publicUrl.replace(/\/+$/, "") : `${req.protocol}://${req.get("host") ?? "localhost"}`;
      const link = `${origin}${passwordResetPath(made.token)}`;
      const body = html`<p><a href="/inbox/admin#medewerkers">← Terug naar Beheer</a></p>
<h1>Link voor een nieuw wachtwoord</h1>
<p>Met deze link kiest <strong>${made.account.displayName}</strong> (${made.account.email}) zelf een nieuw wachtwoord.</p>
<div class="field"><label for="reset-link">Link</label>
  <input id="reset-link" type="text" readonly value="${link}" aria-describedby="reset-link-hint"></div>
<p class="hint" id="reset-link-hint">De link werkt één keer, tot ${formatDateTime(made.expiresAt, deps.timeZone)}. Je ziet hem alleen nu: kopieer hem en geef hem persoonlijk door, bijvoorbeeld in een chat met deze collega of aan de telefoon. Een eerdere link voor dit account werkt niet meer.</p>
<p>Zodra het nieuwe wachtwoord is ingesteld, wordt deze collega op alle apparaten uitgelogd.</p>`;
      sendSecretPage(res, 200, page({ title: "Link voor een nieuw wachtwoord", user, current: "admin", body }));
    } catch (error) {
      if (!(error instanceof ActionError)) throw error;
      if (error.status === 409) return res.redirect(303, "/inbox/admin?fout=account-inactief#medewerkers");
      return notFound();
    }
  });
  return router;
}

function resetPage(input: { token: string; account: { displayName: string; email: string }; error?: string }): string {
  const described = input.error ? "new-hint reset-error" : "new-hint";
  const body = html`<div class="narrow">
<h1>Nieuw wachtwoord kiezen</h1>
<p>Hallo ${input.account.displayName}. Kies een nieuw wachtwoord voor ${input.account.email}.</p>
${input.error ? html`<p class="flash flash-error" role="alert" id="reset-error">${input.error}</p>` : ""}
<form method="post" action="${passwordResetPath(input.token)}" class="form">
  <input type="text" autocomplete="username" value="${input.account.email}" hidden>
  <div class="field"><label for="newPassword">Nieuw wachtwoord</label>
    <p class="hint" id="new-hint">Minstens ${PasswordPolicy.minLength} tekens. Een zin van een paar woorden is sterk en goed te onthouden.</p>
    <input id="newPassword" name="newPassword" type="password" autocomplete="new-password" required minlength="${PasswordPolicy.minLength}" aria-describedby="${described}" ${input.error ? html`aria-invalid="true"` : ""}></div>
  <div class="field"><label for="confirmPassword">Herhaal het nieuwe wachtwoord</label>
    <input id="confirmPassword" name="confirmPassword" type="password" autocomplete="new-password" required minlength="${PasswordPolicy.minLength}"></div>
  <p class="hint">Daarna word je op alle apparaten uitgelogd en log je in met je nieuwe wachtwoord.</p>
  <button type="submit" class="button button-primary">Wachtwoord instellen</button>
</form>
</div>`;
  return page({ title: input.error ? "Fout: Nieuw wachtwoord kiezen" : "Nieuw wachtwoord kiezen", user: null, body });
}

function unusablePage(message: string): string {
  return page({
    title: "Link werkt niet meer",
    user: null,
    body: html`<div class="narrow"><h1>Deze link werkt niet meer</h1><p>${message}</p><p><a href="/inbox/login">Naar inloggen</a></p></div>`,
  });
}

const UNUSABLE = "De link is al gebruikt, of langer dan 24 uur geleden gemaakt. Vraag een beheerder om een nieuwe link.";

/** GET and POST /inbox/wachtwoord/:token: public (the token is the key); mount before the sign-in check. */
export function passwordResetRoutes(deps: { db: Db; logger: Logger; now?: () => Date }): Router {
  const router = Router();
  const now = deps.now ?? (() => new Date());
  router.get("/inbox/wachtwoord/:token", async (req, res) => {
    const token = TokenSchema.safeParse(req.params.token);
    const account = token.success ? await findPasswordResetAccount(deps.db, token.data, now()) : null;
    if (!token.success || !account) return sendSecretPage(res, 404, unusablePage(UNUSABLE));
    sendSecretPage(res, 200, resetPage({ token: token.data, account }));
  });
  router.post("/inbox/wachtwoord/:token", async (req, res) => {
    // Like the login form: only from our own page (Fetch metadata).
    if (req.get("sec-fetch-site") === "cross-site") {
      res.status(403).type("text/plain; charset=utf-8").send("Dit kan alleen via het formulier van Wijklijn.");
      return;
    }
    const token = TokenSchema.safeParse(req.params.token);
    if (!token.success) return sendSecretPage(res, 404, unusablePage(UNUSABLE));
    const form = ResetFormSchema.safeParse(req.body ?? {});
    const outcome = await resetPasswordWithLink(deps.db, token.data, form.success ? form.data : { newPassword: "", confirmPassword: "" }, now());
    if (!outcome.ok && outcome.reason === "link") return sendSecretPage(res, 404, unusablePage(outcome.message));
    if (!outcome.ok) {
      const account = await findPasswordResetAccount(deps.db, token.data, now());
      if (!account) return sendSecretPage(res, 404, unusablePage(UNUSABLE));
      return sendSecretPage(res, 400, resetPage({ token: token.data, account, error: outcome.message }));
    }
    deps.logger.info({ staffUserId: outcome.staffUserId }, "staff password set through a reset link");
    res.setHeader("Cache-Control", "no-store");
    res.redirect(303, "/inbox/login?uitgelogd=nieuw-wachtwoord");
  });
  return router;
}
