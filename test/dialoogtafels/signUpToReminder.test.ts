/**
 * Dialoogtafels from the resident's side, against the real bot, outbox and HTTP route over
 * loopback: the confirmation with its calendar file, the waitlist that moves up with a message to
 * the promoted resident, and the reminder the day before, with a fake clock, exactly once across
 * concurrent runs, a second database client (another instance) and a restart.
 */
import express from "express";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb } from "../../src/db/client.ts";
import { registerForDialoogtafel } from "../../src/db/wijkContent.repo.ts";
import { calendarRoutes } from "../../src/dialoogtafels/calendar.routes.ts";
import { reminderDueAt, sendDueTafelNotices, type TafelNoticeDeps } from "../../src/jobs/dialoogtafelNotices.ts";
import { createBotHarness, joined, type BotHarness, type Resident } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

const SECRET = "test-secret-test-secret-test-secret";
const LINK = /http:\/\/wijklijn\.test(\/agenda\/[\w.-]+\.ics)/;

describeEachDatabase("dialoogtafels: confirmation, waitlist and reminder", (provider) => {
  let h: BotHarness;
  let server: Awaited<ReturnType<typeof listen>>;
  let mierloDorp = "";

  beforeAll(async () => {
    h = await createBotHarness(provider, new Date("2026-11-26T10:00:00+01:00"));
    mierloDorp = (await h.t.db.wijk.findFirstOrThrow({ where: { slug: "mierlo-dorp" } })).id;
    const app = express();
    app.use(calendarRoutes({ db: h.t.db, secret: SECRET, globals: () => h.bot.flows().globals, publicUrl: "http://wijklijn.test", now: () => h.clock.now }));
    server = await listen(app);
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  /** A resident of Mierlo-Dorp who agreed to the privacy terms, on the web chat. */
  async function residentOfMierlo(language: "nl" | "en" = "nl"): Promise<Resident & { id: string; identityId: string }> {
    const resident = h.resident();
    const db = h.t.db;
    const gemeente = await db.gemeente.findFirstOrThrow();
    const created = await db.resident.create({ data: { gemeenteId: gemeente.id, wijkId: mierloDorp, language } });
    const identity = await db.channelIdentity.create({ data: { residentId: created.id, channel: "webchat", externalId: resident.externalId } });
    await db.consent.create({ data: { residentId: created.id, kind: "privacy", granted: true, version: "test" } });
    return Object.assign(resident, { id: created.id, identityId: identity.id });
  }

  async function tafel(input: { title: string; startsAt: string; capacity: number; endsAt?: string }) {
    return h.t.db.dialoogtafel.create({
      data: {
        wijkId: mierloDorp,
        title: input.title,
        topic: "Groen in de wijk",
        location: "Buurthuis De Brug, Mierlo",
        startsAt: new Date(input.startsAt),
        endsAt: input.endsAt ? new Date(input.endsAt) : null,
        capacity: input.capacity,
      },
    });
  }

  /** Taps the tafel, which the bot shows with "Zal ik je aanmelden?", and says yes (nothing is signed up before). */
  async function signUp(resident: Resident, tafelId: string) {
    expect(joined(await resident.tap(tafelId))).toMatch(/Zal ik je aanmelden\?|Shall I sign you up\?/);
    return resident.tap("yes");
  }

  const deps = (now: Date, db = h.t.db): TafelNoticeDeps => ({
    db,
    logger: captureLogger().logger,
    globals: () => h.bot.flows().globals,
    timeZone: "Europe/Amsterdam",
    reminderTime: "10:00",
    publicUrl: "http://wijklijn.test",
    secret: SECRET,
    now: () => now,
  });

  /**
   * GET over loopback. Once more on a reset connection: on a loaded machine the client may reuse a
   * keep-alive socket the server has just closed after a long pause in the test.
   */
  async function download(path: string): Promise<Response> {
    try {
      return await fetch(`${server.url}${path}`);
    } catch {
      return fetch(`${server.url}${path}`);
    }
  }

  /** The bot messages in a resident's conversations (what the web chat shows), oldest first. */
  async function botTexts(identityId: string): Promise<string[]> {
    const rows = await h.t.db.message.findMany({ where: { conversation: { channelIdentityId: identityId }, direction: "out" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    return rows.map((row) => row.text ?? "");
  }

  it("confirms a sign-up with date, time, place and a calendar file at the resident's own link; cancelled, the link answers 404", async () => {
    const t = await tafel({ title: "Tafel Groen", startsAt: "2026-12-17T18:30:00Z", endsAt: "2026-12-17T20:30:00Z", capacity: 10 });
    const resident = await residentOfMierlo();
    expect(joined(await resident.say("dialoogtafel"))).toContain("Tafel Groen");
    const confirmation = joined(await signUp(resident, t.id));
    expect(confirmation).toContain("Je bent aangemeld voor Tafel Groen: donderdag 17 december om 19:30, Buurthuis De Brug, Mierlo.");
    const path = LINK.exec(confirmation)?.[1] ?? "";
    expect(path).not.toBe("");

    const response = await download(path);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const file = await response.text();
    expect(file).toContain("DTSTART;TZID=Europe/Amsterdam:20261217T193000\r\n");
    expect(file).toContain("DTEND;TZID=Europe/Amsterdam:20261217T213000\r\n");
    expect(file).toContain("BEGIN:VTIMEZONE\r\nTZID:Europe/Amsterdam\r\n");
    expect(file).toContain("SUMMARY:Tafel Groen\r\n");
    expect(file).toContain("LOCATION:Buurthuis De Brug\\, Mierlo\r\n");
    expect(file).toContain(`UID:dialoogtafel-${t.id}@wijklijn.test`);
    expect(file.replace(/\r\n /g, "")).toContain("Typ 'dialoogtafel' in de chat met Wijklijn om je af te melden.");

    // A token that was changed, or made up, opens nothing.
    const tampered = path.replace(/.(?=\.ics$)/, (c) => (c === "A" ? "B" : "A"));
    expect((await download(tampered)).status).toBe(404);
    expect((await download("/agenda/creg.abc.ics")).status).toBe(404);

    // Cancelled in the chat (asked twice), the link stops working.
    // With one sign-up, "Mijn aanmeldingen" names it; cancelling is a choice, then asked once more.
    await resident.say("dialoogtafel");
    expect(joined(await resident.tap("mine"))).toContain("Tafel Groen");
    expect(joined(await resident.tap("cancel"))).toContain("Weet je zeker");
    expect(joined(await resident.say("ja"))).toContain("Je bent afgemeld voor Tafel Groen");
    const gone = await download(path);
    expect(gone.status).toBe(404);
    expect(await gone.text()).toContain("Typ 'dialoogtafel'");
  });

  it("moves the first on the waitlist up when someone cancels in the chat, and tells them once, in their language, on their own channel", async () => {
    const t = await tafel({ title: "Kleine tafel", startsAt: "2026-12-18T18:30:00Z", capacity: 1 });
    const first = await residentOfMierlo();
    const second = await residentOfMierlo("en");
    const third = await residentOfMierlo();
    await first.say("dialoogtafel");
    expect(joined(await signUp(first, t.id))).toContain("Je bent aangemeld");
    await second.say("dialogue meeting");
    expect(joined(await signUp(second, t.id))).toContain("waiting list (place 1)");
    await third.say("dialoogtafel");
    expect(joined(await signUp(third, t.id))).toContain("wachtlijst (plek 2)");

    // The first cancels through "Mijn aanmeldingen" and confirms.
    await first.say("dialoogtafel");
    expect(joined(await first.tap("mine"))).toContain("Kleine tafel");
    expect(joined(await first.tap("cancel"))).toContain("Weet je zeker");
    expect(joined(await first.say("ja"))).toContain("Je bent afgemeld");
    const statuses = await h.t.db.registration.findMany({ where: { dialoogtafelId: t.id }, select: { residentId: true, status: true, promotedAt: true } });
    const statusOf = (id: string) => statuses.find((r) => r.residentId === id);
    expect(statusOf(first.id)?.status).toBe("cancelled");
    expect(statusOf(second.id)).toMatchObject({ status: "registered", promotedAt: h.clock.now });
    expect(statusOf(third.id)?.status).toBe("waitlist");

    // Three runs at once (instances) and one later queue one message, to the promoted resident only.
    const now = h.clock.now;
    const reports = await Promise.all([sendDueTafelNotices(deps(now)), sendDueTafelNotices(deps(now)), sendDueTafelNotices(deps(now))]);
    expect(reports.reduce((n, r) => n + r.promotions, 0)).toBe(1);
    expect((await sendDueTafelNotices(deps(new Date(now.getTime() + 60_000)))).promotions).toBe(0);

    const told = (await botTexts(second.identityId)).filter((text) => text.startsWith("Good news!"));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain("Kleine tafel");
    expect(told[0]).toContain("Friday 18 December at 19:30");
    expect(told[0]).toContain("Your sign-up number is ");
    const path = LINK.exec(told[0] ?? "")?.[1] ?? "";
    expect((await download(path)).status).toBe(200);
    expect((await botTexts(third.identityId)).some((text) => text.startsWith("Goed nieuws"))).toBe(false);
    expect((await botTexts(first.identityId)).some((text) => text.startsWith("Goed nieuws"))).toBe(false);

    // Through the outbox, like every bot message: delivered on the resident's own channel.
    await expect
      .poll(async () => await h.t.db.outboxMessage.findMany({ where: { channelIdentityId: second.identityId, payload: { contains: "Good news!" } }, select: { status: true, channel: true } }), {
        timeout: 10_000,
      })
      .toEqual([{ status: "sent", channel: "webchat" }]);
  });

  it("reminds each signed-up resident once, the day before at 10:00, across concurrent runs, another instance and a restart", async () => {
    // Thursday 10 December 2026, 19:30 in Mierlo (18:30 UTC): the reminder is due Wednesday 9 December at 10:00 (09:00 UTC).
    const t = await tafel({ title: "Tafel Verkeer", startsAt: "2026-12-10T18:30:00Z", capacity: 2 });
    expect(reminderDueAt(t.startsAt, "Europe/Amsterdam", "10:00").toISOString()).toBe("2026-12-09T09:00:00.000Z");
    const chatting = await residentOfMierlo();
    await chatting.say("dialoogtafel");
    expect(joined(await signUp(chatting, t.id))).toContain("Je bent aangemeld");
    const quiet = await residentOfMierlo("en");
    const waiting = await residentOfMierlo();
    const early = new Date("2026-11-27T12:00:00Z");
    await h.t.db.$transaction((tx) => registerForDialoogtafel(tx, t.id, quiet.id, early, quiet.identityId));
    expect((await h.t.db.$transaction((tx) => registerForDialoogtafel(tx, t.id, waiting.id, early, waiting.identityId))).outcome).toBe("waitlist");

    const reminders = async (runs: TafelNoticeDeps[]) => (await Promise.all(runs.map((run) => sendDueTafelNotices(run)))).reduce((n, r) => n + r.reminders, 0);
    expect(await reminders([deps(new Date("2026-12-08T10:00:00Z"))])).toBe(0);
    expect(await reminders([deps(new Date("2026-12-09T08:59:00Z"))])).toBe(0);

    // At 10:00 three runs in this instance and one in another (its own database client) at once.
    const other = createDb(h.t.url);
    try {
      const due = new Date("2026-12-09T09:00:30Z");
      expect(await reminders([deps(due), deps(due), deps(due), deps(due, other)])).toBe(2);
      // A restart an hour later: a new run with nothing in memory sends nothing again.
      expect(await reminders([deps(new Date("2026-12-09T10:00:00Z"), other)])).toBe(0);
    } finally {
      await other.$disconnect();
    }

    const reminded = await h.t.db.outboxMessage.findMany({
      where: { payload: { contains: "Tafel Verkeer" }, channelIdentityId: { in: [chatting.identityId, quiet.identityId, waiting.identityId] } },
      select: { channelIdentityId: true, payload: true },
    });
    const remindersOf = (identityId: string) => reminded.filter((row) => row.channelIdentityId === identityId && /Denk je eraan|A reminder/.test(row.payload));
    expect(remindersOf(chatting.identityId)).toHaveLength(1);
    expect(remindersOf(quiet.identityId)).toHaveLength(1);
    expect(remindersOf(waiting.identityId)).toHaveLength(0);
    expect((await botTexts(chatting.identityId)).filter((text) => text.startsWith("Denk je eraan?"))).toEqual([
      "Denk je eraan? Tafel Verkeer is donderdag 10 december om 19:30, Buurthuis De Brug, Mierlo. Tot dan!\nKun je toch niet? Typ 'dialoogtafel' om je af te melden. Dan geven we je plek aan iemand anders.",
    ]);
    expect(remindersOf(quiet.identityId)[0]?.payload).toContain("A reminder: Tafel Verkeer is Thursday 10 December at 19:30");

    // Someone who signs up after the reminder moment just had the confirmation: no reminder; nor after the start.
    const late = await residentOfMierlo();
    await h.t.db.registration.update({ where: { dialoogtafelId_residentId: { dialoogtafelId: t.id, residentId: waiting.id } }, data: { status: "cancelled" } });
    await h.t.db.$transaction((tx) => registerForDialoogtafel(tx, t.id, late.id, new Date("2026-12-09T11:00:00Z"), late.identityId));
    expect(await reminders([deps(new Date("2026-12-09T12:00:00Z"))])).toBe(0);
    expect(await reminders([deps(new Date("2026-12-10T19:00:00Z"))])).toBe(0);
  });
});
