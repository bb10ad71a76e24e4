/**
 * "Nieuw wachtwoord instellen" in the running app over loopback: the admin's list of staff
 * accounts on Beheer, a one-time link (hashed, 24 hours, single use), the staff member choosing a
 * new password under the usual policy, every session of that account ending, and the audit log.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createStaffSession } from "../../src/db/session.repo.ts";
import { createApp } from "../../src/http/app.ts";
import { createBotHarness, type BotHarness } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

const GR = "gr.mierlo@demo.wijklijn.nl";
const NEW_PASSWORD = "fietsen langs de Dommel";

describeEachDatabase("a new password through a one-time link from an admin", (provider) => {
  let h: BotHarness;
  let server: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    h = await createBotHarness(provider, new Date(), { realClock: true });
    server = await listen(createApp({ db: h.t.db, provider, logger: captureLogger("error").logger, bot: h.bot, publicUrl: "https://wijklijn.example", timeZone: "Europe/Amsterdam" }));
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  const signIn = async (email: string) => {
    const user = await h.t.db.staffUser.findUniqueOrThrow({ where: { email } });
    const session = await createStaffSession(h.t.db, user.id);
    return { id: user.id, cookie: `wl_staff=${session.id}`, csrf: session.csrfToken };
  };
  const get = (path: string, cookie?: string) => fetch(`${server.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
  const post = (path: string, fields: Record<string, string>, cookie?: string) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { ...(cookie ? { cookie } : {}), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
      redirect: "manual",
    });
  const makeLink = async (admin: { cookie: string; csrf: string }, staffUserId: string) => {
    const response = await post(`/inbox/admin/medewerkers/${staffUserId}/wachtwoord`, { _csrf: admin.csrf }, admin.cookie);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const body = await response.text();
    const link = /value="(https:\/\/wijklijn\.example\/inbox\/wachtwoord\/([\w-]+))"/.exec(body);
    expect(link).not.toBeNull();
    return { body, path: new URL(link?.[1] ?? "https://x").pathname, token: link?.[2] ?? "" };
  };

  it("lists the staff accounts on Beheer with role and tandem, for admins only", async () => {
    const admin = await signIn("admin@demo.wijklijn.nl");
    const page = await (await get("/inbox/admin", admin.cookie)).text();
    expect(page).toContain("Medewerkers");
    expect(page).toContain(GR);
    expect(page).toContain("Gebiedsregisseur Mierlo");
    expect(page).toMatch(/Mierlo: [^<]*Luchen/);
    expect(page).toContain("Nieuw wachtwoord instellen");
    const gr = await signIn(GR);
    expect((await get("/inbox/admin", gr.cookie)).status).toBe(404);
    expect((await post(`/inbox/admin/medewerkers/${gr.id}/wachtwoord`, { _csrf: gr.csrf }, gr.cookie)).status).toBe(404);
    expect(await h.t.db.passwordReset.count()).toBe(0);
  });

  it("sets a new password once through the link, under the password policy, ending every session, with the audit log", async () => {
    const admin = await signIn("admin@demo.wijklijn.nl");
    const gr = await signIn(GR);
    const other = await signIn(GR);
    const { body, path, token } = await makeLink(admin, gr.id);
    expect(body).toContain("Gebiedsregisseur Mierlo");
    expect(body).toContain("De link werkt één keer");
    // Only the hash is stored.
    const row = await h.t.db.passwordReset.findFirstOrThrow({ where: { staffUserId: gr.id } });
    expect(row.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(row.tokenHash).not.toContain(token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(24 * 3_600_000);

    const form = await get(path);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain("Nieuw wachtwoord kiezen");

    // The usual rules: too short, or two different ones, is refused and the link keeps working.
    const short = await post(path, { newPassword: "kort", confirmPassword: "kort" });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain("minstens 12 tekens");
    const different = await post(path, { newPassword: NEW_PASSWORD, confirmPassword: `${NEW_PASSWORD}!` });
    expect(different.status).toBe(400);
    expect((await get("/inbox", gr.cookie)).status).toBe(200);

    const done = await post(path, { newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/inbox/login?uitgelogd=nieuw-wachtwoord");
    expect(await (await get("/inbox/login?uitgelogd=nieuw-wachtwoord")).text()).toContain("Je nieuwe wachtwoord is ingesteld.");
    // Every session of the account ended.
    for (const cookie of [gr.cookie, other.cookie]) expect((await get("/inbox", cookie)).status).toBe(303);
    expect(await h.t.db.staffSession.count({ where: { staffUserId: gr.id } })).toBe(0);

    // The new password signs in.
    const login = await post("/inbox/login", { email: GR, password: NEW_PASSWORD });
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toBe("/inbox");

    // Single use.
    const again = await post(path, { newPassword: "een ander lang wachtwoord", confirmPassword: "een ander lang wachtwoord" });
    expect(again.status).toBe(404);
    expect(await again.text()).toContain("werkt niet meer");
    expect((await get(path)).status).toBe(404);

    const audit = await h.t.db.auditEvent.findMany({ where: { subjectType: "StaffUser", subjectId: gr.id, action: { startsWith: "staff.password_reset" } }, orderBy: { at: "asc" } });
    expect(audit.map((event) => [event.action, event.actorStaffId])).toEqual([
      ["staff.password_reset_link_created", admin.id],
      ["staff.password_reset", gr.id],
    ]);
    expect(audit.map((event) => event.data).join(" ")).not.toContain(token);
    expect(audit.map((event) => event.data).join(" ")).not.toContain(NEW_PASSWORD);
  });

  it("refuses an expired link, and a link replaced by a newer one", async () => {
    const admin = await signIn("admin@demo.wijklijn.nl");
    const wethouder = await h.t.db.staffUser.findUniqueOrThrow({ where: { email: "wethouder.c@demo.wijklijn.nl" } });
    const first = await makeLink(admin, wethouder.id);
    const second = await makeLink(admin, wethouder.id);
    expect((await get(first.path)).status).toBe(404);
    expect((await get(second.path)).status).toBe(200);
    await h.t.db.passwordReset.updateMany({ where: { staffUserId: wethouder.id, usedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await get(second.path)).status).toBe(404);
    expect((await post(second.path, { newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).status).toBe(404);
    expect((await h.t.db.staffUser.findUniqueOrThrow({ where: { id: wethouder.id } })).passwordHash).toBe(wethouder.passwordHash);
  });
});
