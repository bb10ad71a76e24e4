/**
 * A busy week: 2,000 conversations in the wijken of one wethouder, most of them open and overdue.
 * Every page an admin (and that wethouder) opens over such a week answers whole: no query carries
 * an `IN` list of conversation ids past SQLite's 999 bound parameters (P2029), on PostgreSQL too.
 * Seeded with bulk inserts, so the test stays fast.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import { addIsoWeeks, isoWeekBounds, isoWeekOf } from "../../src/digests/isoWeek.ts";
import { listWijkberichten } from "../../src/inbox/wijkberichtActions.ts";
import { createStaffSession } from "../../src/db/session.repo.ts";
import { createApp } from "../../src/http/app.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

const CONVERSATIONS = 2_000;
const settings = loadFlows().settings;
/** Dialoogtafels and wijkberichten over the years: more than one `IN` list may carry. */
const YEARS_OF_ITEMS = 1_200;
const ZONE = "Europe/Amsterdam";
/** Wethouder C's wijken (tandems mierlo and buitengebied in the demo gemeente). */
const WIJKEN = ["mierlo-dorp", "luchen", "neerakkers", "kerkakkers", "buitengebied"];

describeEachDatabase("the admin pages and the digest over a week with 2,000 conversations", (provider) => {
  let t: TestDatabase;
  let server: Awaited<ReturnType<typeof listen>>;
  const logs = captureLogger("error");
  // The week before last: every open conversation of it is overdue whatever today is (last week's end is not, on a Sunday night).
  const week = addIsoWeeks(isoWeekOf(new Date(), ZONE), -2);
  const cookies = { admin: "", wethouder: "", gr: "" };
  const oldest = "WL-2026-900000";

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    const gemeente = await t.db.gemeente.findFirstOrThrow();
    const wijken = await t.db.wijk.findMany({ where: { gemeenteId: gemeente.id, slug: { in: WIJKEN } }, select: { id: true, slug: true, tandemId: true } });
    wijken.sort((a, b) => WIJKEN.indexOf(a.slug) - WIJKEN.indexOf(b.slug));
    const { start } = isoWeekBounds(week, ZONE);
    const step = Math.floor((7 * 24 * 3_600_000) / CONVERSATIONS);
    const rows = Array.from({ length: CONVERSATIONS }, (_, i) => {
      const wijk = wijken[i % wijken.length];
      if (!wijk) throw new Error("the demo gemeente has no Mierlo wijken");
      const createdAt = new Date(start.getTime() + i * step);
      // Most wait for staff; some answered and waiting for the resident; some resolved.
      const status = i % 10 < 7 ? "open" : i % 10 < 9 ? "waiting" : "resolved";
      return { i, wijk, createdAt, status, id: `busy-${String(i).padStart(5, "0")}` };
    });
    await t.db.resident.createMany({ data: rows.map((row) => ({ id: `r-${row.id}`, gemeenteId: gemeente.id, wijkId: row.wijk.id, createdAt: row.createdAt })) });
    await t.db.channelIdentity.createMany({ data: rows.map((row) => ({ id: `ci-${row.id}`, residentId: `r-${row.id}`, channel: "webchat", externalId: `busy-week-${row.id}-abcdefghij` })) });
    await t.db.conversation.createMany({
      data: rows.map((row) => ({
        id: row.id,
        reference: `WL-2026-9${String(row.i).padStart(5, "0")}`,
        gemeenteId: gemeente.id,
        residentId: `r-${row.id}`,
        channelIdentityId: `ci-${row.id}`,
        channel: "webchat",
        wijkId: row.wijk.id,
        tandemId: row.wijk.tandemId,
        status: row.status,
        // As changeStatus leaves an open conversation: waiting since the handover below.
        waitingSince: row.status === "open" ? new Date(row.createdAt.getTime() + 60_000) : null,
        intent: "melding",
        theme: row.i % 2 === 0 ? "verkeer" : "afval",
        createdAt: row.createdAt,
        lastMessageAt: row.createdAt,
        firstResponseAt: row.status === "open" ? null : new Date(row.createdAt.getTime() + 3_600_000),
        resolvedAt: row.status === "resolved" ? new Date(row.createdAt.getTime() + 7_200_000) : null,
      })),
    });
    await t.db.statusChange.createMany({
      data: rows.flatMap((row) => [
        { conversationId: row.id, fromStatus: "bot", toStatus: "open", at: new Date(row.createdAt.getTime() + 60_000) },
        ...(row.status === "open" ? [] : [{ conversationId: row.id, fromStatus: "open", toStatus: "waiting", at: new Date(row.createdAt.getTime() + 3_600_000) }]),
        ...(row.status === "resolved" ? [{ conversationId: row.id, fromStatus: "waiting", toStatus: "resolved", at: new Date(row.createdAt.getTime() + 7_200_000) }] : []),
      ]),
    });
    await t.db.message.createMany({
      data: rows.flatMap((row) => [
        { conversationId: row.id, direction: "in", authorKind: "resident", text: `De stoep bij nummer ${row.i} is kapot`, channel: "webchat", createdAt: row.createdAt },
        { conversationId: row.id, direction: "out", authorKind: "bot", text: "Dank je. Is dit een melding?", channel: "webchat", createdAt: row.createdAt },
        { conversationId: row.id, direction: "in", authorKind: "resident", text: "Ja", value: "yes", channel: "webchat", createdAt: row.createdAt },
      ]),
    });
    // Years of dialoogtafels and wijkberichten: the overviews count sign-ups and deliveries for all of them.
    await t.db.dialoogtafel.createMany({
      data: Array.from({ length: YEARS_OF_ITEMS }, (_, i) => ({
        id: `tafel-${i}`,
        wijkId: wijken[i % wijken.length]?.id ?? "",
        title: `Dialoogtafel ${i}`,
        topic: "De buurt",
        location: "Wijkcentrum",
        startsAt: new Date(start.getTime() - i * 86_400_000),
        capacity: 20,
        status: "held",
      })),
    });
    await t.db.wijkbericht.createMany({
      data: Array.from({ length: YEARS_OF_ITEMS }, (_, i) => ({
        id: `bericht-${i}`,
        gemeenteId: gemeente.id,
        text: `Wijkbericht ${i}`,
        status: "sent",
        authorKind: "cli",
        createdAt: new Date(start.getTime() - i * 86_400_000),
      })),
    });
    server = await listen(createApp({ db: t.db, provider, logger: logs.logger, settings: () => settings }));
    for (const [key, email] of [
      ["admin", "admin@demo.wijklijn.nl"],
      ["wethouder", "wethouder.c@demo.wijklijn.nl"],
      ["gr", "gr.mierlo@demo.wijklijn.nl"],
    ] as const) {
      const staff = await t.db.staffUser.findUniqueOrThrow({ where: { email } });
      cookies[key] = `wl_staff=${(await createStaffSession(t.db, staff.id)).id}`;
    }
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  async function page(path: string, cookie: string): Promise<string> {
    const response = await fetch(`${server.url}${path}`, { headers: { cookie } });
    const body = await response.text();
    expect(response.status, `${path}: ${logs.lines.join("\n").slice(0, 2000)}`).toBe(200);
    return body;
  }

  it("shows the admin every overdue conversation, oldest first", async () => {
    const html = await page("/inbox/admin", cookies.admin);
    expect(html).toContain(oldest);
    const overdue = html.match(/href="\/inbox\/c\/busy-\d+"/g) ?? [];
    // Every open conversation is older than a working day except perhaps the last few of the week.
    expect(overdue.length).toBeGreaterThan(1_000);
    expect(html.indexOf(oldest)).toBeLessThan(html.indexOf("WL-2026-900010"));
  });

  it("lists the open conversations in the inbox, longest wait first, for an admin and the tandem's gebiedsregisseur", async () => {
    for (const cookie of [cookies.admin, cookies.gr]) {
      const html = await page("/inbox?status=open", cookie);
      expect(html).toContain(oldest);
    }
    const all = await page("/inbox?status=", cookies.admin);
    expect(all).toContain("WL-2026-9");
  });

  it("builds the week's digest for the wethouder and the gemeente overview for the admin", async () => {
    const own = await page(`/inbox/digests/${week}`, cookies.wethouder);
    expect(own).toContain("Luchen");
    const overview = await page(`/inbox/digests/${week}`, cookies.admin);
    expect(overview).toContain("Kerkakkers");
    const json = await fetch(`${server.url}/api/v1/digests?wethouder=wethouder.c%40demo.wijklijn.nl&week=${week}`, { headers: { cookie: cookies.admin } });
    expect(json.status).toBe(200);
    const digest: unknown = await json.json();
    expect(JSON.stringify(digest)).toContain(String(CONVERSATIONS));
  });

  it("lists years of dialoogtafels and wijkberichten with their counts", async () => {
    const content = await page("/inbox/content", cookies.admin);
    expect(content).toContain("Dialoogtafel 1199");
    const gemeenteId = (await t.db.gemeente.findFirstOrThrow()).id;
    const berichten = await listWijkberichten(t.db, { kind: "cli", gemeenteId });
    // The newest first, each with its counts.
    expect(berichten[0]?.bericht.text).toBe("Wijkbericht 0");
  });

  it("shows the pilot evaluation over those wijken", async () => {
    await page("/inbox/evaluatie", cookies.admin);
    await page("/inbox/evaluatie.csv", cookies.admin);
  });
});
