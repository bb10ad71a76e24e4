import { afterAll, beforeAll, expect, it } from "vitest";
import { createStaffSession } from "../../src/db/session.repo.ts";
import { createApp } from "../../src/http/app.ts";
import { createBotHarness, type BotHarness } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

describeEachDatabase("the digest archive in the running app", (provider) => {
  let harness: BotHarness;
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    harness = await createBotHarness(provider, new Date(), { realClock: true });
    server = await listen(createApp({ db: harness.t.db, provider, logger: captureLogger().logger, bot: harness.bot }));
  });
  afterAll(async () => {
    await server?.close();
    await harness?.close();
  });

  const cookieFor = async (email: string) => {
    const staff = await harness.t.db.staffUser.findUniqueOrThrow({ where: { email } });
    return `wl_staff=${(await createStaffSession(harness.t.db, staff.id)).id}`;
  };

  it("is at /inbox/digests for a wethouder, linked in the menu, and needs a session", async () => {
    const cookie = await cookieFor("wethouder.c@demo.wijklijn.nl");
    const page = await fetch(`${server.url}/inbox/digests`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('href="/inbox/digests"');
    expect(html).toContain("Weekoverzicht");
    const week = await fetch(`${server.url}/inbox/digests/2026-W47`, { headers: { cookie } });
    expect(week.status).toBe(200);
    expect(await week.text()).toContain("Kerkakkers");
    const anonymous = await fetch(`${server.url}/inbox/digests`, { redirect: "manual" });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toContain("/inbox/login");
  });
});
