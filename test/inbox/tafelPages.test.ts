/**
 * The check-in list and the summary of a dialoogtafel end to end: the real routers behind the
 * real session, sign-in and CSRF middleware over loopback, plain form posts as a phone without
 * JavaScript sends them, on a seeded database shared with a running bot, so that what staff
 * publish is checked through what residents get.
 */
import express from "express";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createStaffSession } from "../../src/db/session.repo.ts";
import { registerForDialoogtafel } from "../../src/db/wijkContent.repo.ts";
import { contentRoutes } from "../../src/inbox/content.routes.ts";
import { signUpNumber } from "../../src/inbox/content/signUps.ts";
import { loadStaffSession, requireSignedIn, verifyCsrf } from "../../src/inbox/session.ts";
import { tafelRoutes } from "../../src/inbox/tafel/tafel.routes.ts";
import { sendDueTafelNotices } from "../../src/jobs/dialoogtafelNotices.ts";
import { createBotHarness, joined, type BotHarness } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

interface Session {
  id: string;
  csrfToken: string;
  staffUserId: string;
}

describeEachDatabase("the check-in list and the summary of a dialoogtafel", (provider) => {
  let h: BotHarness;
  let server: Awaited<ReturnType<typeof listen>>;
  const who: Record<"grMierlo" | "grNoord", Session> = { grMierlo: { id: "", csrfToken: "", staffUserId: "" }, grNoord: { id: "", csrfToken: "", staffUserId: "" } };
  let luchen = "";
  let references = 0;

  beforeAll(async () => {
    h = await createBotHarness(provider, new Date("2026-12-10T17:00:00Z"));
    const db = h.t.db;
    const signIn = async (email: string): Promise<Session> => {
      const user = await db.staffUser.findUniqueOrThrow({ where: { email } });
      return { ...(await createStaffSession(db, user.id)), staffUserId: user.id };
    };
    who.grMierlo = await signIn("gr.mierlo@demo.wijklijn.nl");
    who.grNoord = await signIn("gr.geldrop-noord@demo.wijklijn.nl");
    luchen = (await db.wijk.findFirstOrThrow({ where: { slug: "luchen" } })).id;
    const app = express();
    app.use(express.urlencoded({ extended: false }), loadStaffSession(db));
    app.use("/inbox", requireSignedIn, verifyCsrf);
    app.use(contentRoutes({ db, timeZone: "Europe/Amsterdam", now: () => h.clock.now }));
    app.use(tafelRoutes({ db, timeZone: "Europe/Amsterdam", now: () => h.clock.now }));
    server = await listen(app);
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  /** What the dialoogtafel notice job needs, on the harness's database and clock. */
  const noticeDeps = () => ({
    db: h.t.db,
    logger: captureLogger().logger,
    globals: () => h.bot.flows().globals,
    timeZone: "Europe/Amsterdam",
    reminderTime: "10:00",
    publicUrl: "http://wijklijn.test",
    secret: "s".repeat(32),
    now: () => h.clock.now,
  });
  const get = (path: string, as: Session) => fetch(`${server.url}${path}`, { headers: { cookie: `wl_staff=${as.id}` }, redirect: "manual" });
  const post = (path: string, as: Session, fields: Record<string, string>) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { cookie: `wl_staff=${as.id}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: as.csrfToken, ...fields }),
      redirect: "manual",
    });

  /** A resident of the Luchen signed up on a channel, with a conversation there. */
  async function signedUp(tafelId: string, channel: "whatsapp" | "telegram" | "webchat", externalId: string) {
    const db = h.t.db;
    const gemeente = await db.gemeente.findFirstOrThrow();
    const resident = await db.resident.create({ data: { gemeenteId: gemeente.id, wijkId: luchen } });
    const identity = await db.channelIdentity.create({ data: { residentId: resident.id, channel, externalId } });
    await db.conversation.create({
      data: {
        reference: `WL-2026-9${String(++references).padStart(4, "0")}`,
        gemeenteId: gemeente.id,
        residentId: resident.id,
        channelIdentityId: identity.id,
        channel,
        wijkId: luchen,
        status: "resolved",
      },
    });
    const result = await db.$transaction((tx) => registerForDialoogtafel(tx, tafelId, resident.id, new Date("2026-12-01T12:00:00Z"), identity.id));
    return { residentId: resident.id, identityId: identity.id, registrationId: result.registrationId ?? "" };
  }

  it("lists who signed up, masked, for the tandem's own gebiedsregisseur only, and marks them present with a tap", async () => {
    const tafel = await h.t.db.dialoogtafel.create({
      data: { wijkId: luchen, title: "Tafel Luchen", topic: "Verkeer", location: "Buurthuis", startsAt: new Date("2026-12-10T18:30:00Z"), capacity: 10 },
    });
    const anna = await signedUp(tafel.id, "whatsapp", "31612344321");
    const bram = await signedUp(tafel.id, "telegram", "987654321");
    const path = `/inbox/content/tafel/${tafel.id}/aanwezig`;

    const list = await get(path, who.grMierlo);
    expect(list.status).toBe(200);
    expect(list.headers.get("cache-control")).toBe("no-store");
    const body = await list.text();
    expect(body).toContain("WhatsApp +31 6 •••• 4321");
    expect(body).not.toContain("31612344321");
    expect(body).not.toContain("987654321");
    expect(body).toContain(signUpNumber(anna.registrationId));
    expect(body).toContain(signUpNumber(bram.registrationId));
    expect(body).toContain("0 van 2</strong> aanwezig");
    expect(body).not.toContain("<script>");

    // Another tandem's gebiedsregisseur: as if it did not exist, and nothing changes.
    expect((await get(path, who.grNoord)).status).toBe(404);
    expect((await post(`${path}/${anna.registrationId}`, who.grNoord, { present: "1" })).status).toBe(404);
    expect((await h.t.db.registration.findUniqueOrThrow({ where: { id: anna.registrationId } })).checkedInAt).toBeNull();
    // A sign-up of another dialoogtafel is not on this list.
    const other = await h.t.db.dialoogtafel.create({ data: { wijkId: luchen, title: "Andere tafel", topic: "Groen", location: "School", startsAt: new Date("2026-12-20T18:30:00Z"), capacity: 5 } });
    const elsewhere = await signedUp(other.id, "webchat", "visitor-elsewhere-abcdefgh");
    expect((await post(`${path}/${elsewhere.registrationId}`, who.grMierlo, { present: "1" })).status).toBe(404);

    const marked = await post(`${path}/${anna.registrationId}`, who.grMierlo, { present: "1" });
    expect(marked.status).toBe(303);
    expect(marked.headers.get("location")).toBe(`${path}?klaar=aanwezig&nummer=${signUpNumber(anna.registrationId)}#r-${anna.registrationId}`);
    expect((await h.t.db.registration.findUniqueOrThrow({ where: { id: anna.registrationId } })).checkedInAt).toEqual(h.clock.now);
    const after = await (await get(`${path}?klaar=aanwezig&nummer=${signUpNumber(anna.registrationId)}`, who.grMierlo)).text();
    expect(after).toContain(`${signUpNumber(anna.registrationId)} is aanwezig.`);
    expect(after).toContain("1 van 2</strong> aanwezig");
    expect(after).toContain("✓ Aanwezig");

    // A slip is undone with the same tap; both are in the audit log.
    await post(`${path}/${bram.registrationId}`, who.grMierlo, { present: "1" });
    await post(`${path}/${bram.registrationId}`, who.grMierlo, { present: "0" });
    expect((await h.t.db.registration.findUniqueOrThrow({ where: { id: bram.registrationId } })).checkedInAt).toBeNull();
    const audit = await h.t.db.auditEvent.findMany({ where: { subjectType: "Dialoogtafel", subjectId: tafel.id }, orderBy: { at: "asc" }, select: { action: true, actorStaffId: true } });
    expect(audit.map((a) => a.action)).toEqual(["dialoogtafel.checkedIn", "dialoogtafel.checkedIn", "dialoogtafel.checkInUndone"]);
    expect(audit.every((a) => a.actorStaffId === who.grMierlo.staffUserId)).toBe(true);
  });

  it("publishes the summary to the wijk's news once and sends it only to those who came", async () => {
    const tafel = await h.t.db.dialoogtafel.create({
      data: { wijkId: luchen, title: "Tafel Speelplekken", topic: "Spelen", location: "Basisschool", startsAt: new Date("2026-12-10T18:45:00Z"), capacity: 10 },
    });
    const came = await signedUp(tafel.id, "whatsapp", "31698761111");
    const stayedHome = await signedUp(tafel.id, "telegram", "1234567890");
    await post(`/inbox/content/tafel/${tafel.id}/aanwezig/${came.registrationId}`, who.grMierlo, { present: "1" });
    const path = `/inbox/content/tafel/${tafel.id}/verslag`;
    const summary = { heard: "Bewoners willen een veilige oversteek bij de school.", next: "We zetten in januari een zebrapad neer. In maart hoort u meer." };

    // Not before it began; the other tandem gets 404; an empty part is named.
    const early = await post(path, who.grMierlo, { ...summary, action: "publish" });
    expect(early.status).toBe(400);
    expect(await early.text()).toContain("pas na het begin");
    h.clock.now = new Date("2026-12-10T21:00:00Z");
    expect((await get(path, who.grNoord)).status).toBe(404);
    expect((await post(path, who.grNoord, { ...summary, action: "publish" })).status).toBe(404);
    const empty = await post(path, who.grMierlo, { heard: " ", next: summary.next, action: "publish" });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("Schrijf op wat jullie hoorden.");

    // A draft is kept from residents.
    const draft = await post(path, who.grMierlo, { ...summary, action: "save" });
    expect(draft.headers.get("location")).toBe(`${path}?klaar=saved`);
    expect(await (await get(path, who.grMierlo)).text()).toContain("Bewoners willen een veilige oversteek");
    expect(await h.t.db.newsItem.count({ where: { title: "Verslag: Tafel Speelplekken" } })).toBe(0);

    const published = await post(path, who.grMierlo, { ...summary, action: "publish" });
    expect(published.headers.get("location")).toBe(`${path}?klaar=published`);
    const item = await h.t.db.newsItem.findFirstOrThrow({ where: { title: "Verslag: Tafel Speelplekken" } });
    expect(item).toMatchObject({ wijkId: luchen, publishedAt: h.clock.now });
    expect(await h.t.db.dialoogtafel.findUniqueOrThrow({ where: { id: tafel.id } })).toMatchObject({ status: "held", summaryNewsItemId: item.id });

    // The wijk's news: a resident of the Luchen reads it through the bot.
    const resident = h.resident();
    await resident.say("hoi");
    await resident.tap("yes");
    await resident.say("ik woon op 5731 bc 12");
    await resident.say("ja");
    expect(joined(await resident.say("wat speelt er"))).toContain("Verslag: Tafel Speelplekken");

    const deps = noticeDeps();
    const runs = await Promise.all([sendDueTafelNotices(deps), sendDueTafelNotices(deps)]);
    expect(runs.reduce((n, r) => n + r.summaries, 0)).toBe(1);
    const sent = async (identityId: string) =>
      (await h.t.db.outboxMessage.findMany({ where: { channelIdentityId: identityId }, select: { payload: true } })).map((row) => String(JSON.parse(row.payload).text));
    expect(await sent(came.identityId)).toEqual([
      `Bedankt dat je bij Tafel Speelplekken was! Dit hebben we gehoord en dit gaan we doen.\n\nWat we hoorden:\n${summary.heard}\n\nWat we gaan doen:\n${summary.next}`,
    ]);
    expect(await sent(stayedHome.identityId)).toEqual([]);

    // A correction changes the news, never sends again.
    const corrected = await post(path, who.grMierlo, { heard: summary.heard, next: "We zetten in februari een zebrapad neer.", action: "publish" });
    expect(corrected.headers.get("location")).toBe(`${path}?klaar=updated`);
    expect((await h.t.db.newsItem.findUniqueOrThrow({ where: { id: item.id } })).body).toContain("in februari");
    expect(await h.t.db.newsItem.count({ where: { title: "Verslag: Tafel Speelplekken" } })).toBe(1);
    expect((await sendDueTafelNotices(deps)).summaries).toBe(0);
    expect(await sent(came.identityId)).toHaveLength(1);
    const actions = await h.t.db.auditEvent.findMany({
      where: { subjectType: "Dialoogtafel", subjectId: tafel.id, action: { startsWith: "dialoogtafel.summary" } },
      orderBy: { at: "asc" },
      select: { action: true, data: true },
    });
    expect(actions.map((a) => a.action)).toEqual(["dialoogtafel.summary.saved", "dialoogtafel.summary.published", "dialoogtafel.summary.updated"]);
    expect(JSON.parse(actions[1]?.data ?? "{}")).toMatchObject({ sentTo: 1 });
  });

  it("tells everyone signed up and on the waitlist, once each on their own channel, when staff cancel the dialoogtafel", async () => {
    const tafel = await h.t.db.dialoogtafel.create({
      data: { wijkId: luchen, title: "Tafel Afgelast", topic: "Groen", location: "Buurthuis", startsAt: new Date("2026-12-16T18:30:00Z"), capacity: 2 },
    });
    const onTelegram = await signedUp(tafel.id, "telegram", "555000111");
    // Out of the WhatsApp 24-hour window (no message from them at all): the approved template carries it.
    const onWhatsapp = await signedUp(tafel.id, "whatsapp", "31612340001");
    const waiting = await signedUp(tafel.id, "webchat", "visitor-waiting-abcdefgh");
    const selfCancelled = await signedUp(tafel.id, "webchat", "visitor-cancelled-abcdefgh");
    await h.t.db.registration.update({ where: { id: selfCancelled.registrationId }, data: { status: "cancelled" } });
    expect((await h.t.db.registration.findUniqueOrThrow({ where: { id: waiting.registrationId } })).status).toBe("waitlist");

    const view = await (await get(`/inbox/content/tafel/${tafel.id}`, who.grMierlo)).text();
    expect(view).toContain("De 3 bewoners die aangemeld zijn of op de wachtlijst staan, krijgen van de bot een bericht dat de dialoogtafel niet doorgaat");
    expect(view).not.toContain("nog geen bericht");

    const cancelled = await post(`/inbox/content/tafel/${tafel.id}/annuleren`, who.grMierlo, {});
    expect(cancelled.status).toBe(303);
    expect((await h.t.db.dialoogtafel.findUniqueOrThrow({ where: { id: tafel.id } })).status).toBe("cancelled");

    const deps = { ...noticeDeps(), whatsappCloud: { template: { name: "dialoogtafel_bericht", language: "nl" } } };
    const runs = await Promise.all([sendDueTafelNotices(deps), sendDueTafelNotices(deps), sendDueTafelNotices(deps)]);
    expect(runs.reduce((n, r) => n + r.cancellations, 0)).toBe(3);
    expect((await sendDueTafelNotices(deps)).cancellations).toBe(0);

    const payloads = async (identityId: string) =>
      (await h.t.db.outboxMessage.findMany({ where: { channelIdentityId: identityId }, select: { payload: true, channel: true } })).map((row) => ({
        channel: row.channel,
        payload: JSON.parse(row.payload),
      }));
    const expected = "Jammer: Tafel Afgelast op woensdag 16 december om 19:30 gaat niet door.";
    const telegram = await payloads(onTelegram.identityId);
    expect(telegram).toHaveLength(1);
    expect(telegram[0]).toMatchObject({ channel: "telegram" });
    expect(String(telegram[0]?.payload.text)).toContain(expected);
    const whatsapp = await payloads(onWhatsapp.identityId);
    expect(whatsapp).toHaveLength(1);
    expect(whatsapp[0]?.payload.template).toMatchObject({ name: "dialoogtafel_bericht", language: "nl" });
    expect(String(whatsapp[0]?.payload.template.bodyParameters[0])).toContain("Tafel Afgelast");
    expect(await payloads(waiting.identityId)).toHaveLength(1);
    expect(await payloads(selfCancelled.identityId)).toEqual([]);
    // Written into the resident's conversation too, so staff see what they were told.
    expect(await h.t.db.message.count({ where: { conversation: { channelIdentityId: onTelegram.identityId }, direction: "out", text: { startsWith: "Jammer: Tafel Afgelast" } } })).toBe(1);
  });
});
