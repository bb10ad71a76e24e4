import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import { createStaffSession } from "../../src/db/session.repo.ts";
import { createApiToken } from "../../src/db/staff.repo.ts";
import { createApp } from "../../src/http/app.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";
import { lineChart } from "../../src/inbox/evaluation.pages.ts";
import { lastMonths } from "../../src/trust/pilotFigures.ts";

const settings = loadFlows("flows").settings;
const WORDS = "Mijn zoon Daan Verhoeven wordt gepest bij het hok achter nummer 7";

describe("the evaluation's line chart", () => {
  const chart = (months: number) =>
    String(
      lineChart({
        title: "Vertrouwen",
        periods: lastMonths(new Date("2026-12-06T12:00:00Z"), "Europe/Amsterdam", months),
        values: Array.from({ length: months }, () => 3),
        min: 1,
        max: 5,
        unit: "van 5",
      }),
    );

  it("draws at about a phone's width with labels of 13 units, so they stay readable at 390 px", () => {
    const svg = chart(6);
    expect(svg).toContain('viewBox="0 0 420 190"');
    expect(svg.match(/font-size="(\d+)"/g)?.every((size) => size === 'font-size="13"')).toBe(true);
    // The newest month is named, and inside the drawing (its label was cut off at the edge before).
    const last = [...svg.matchAll(/<text x="([\d.]+)"[^>]*>dec 26<\/text>/g)].map((match) => Number(match[1]));
    expect(last).toHaveLength(1);
    expect((last[0] ?? 0) + 24).toBeLessThanOrEqual(420);
  });

  it("shows a sentence instead of an empty chart when no month has a figure", () => {
    const empty = String(lineChart({ title: "Vertrouwen", periods: lastMonths(new Date("2026-12-06T12:00:00Z"), "Europe/Amsterdam", 3), values: [null, null, null], min: 1, max: 5, unit: "van 5" }));
    expect(empty).toContain("Te weinig gegevens om te tonen.");
    expect(empty).not.toContain("<svg");
    expect(chart(3)).toContain("<svg");
  });

  it("names every month up to 6 and every other month over 6, the newest always", () => {
    const names = (svg: string) => [...svg.matchAll(/>([a-z]{3} \d\d)<\/text>/g)].map((match) => match[1]);
    expect(names(chart(6))).toEqual(["jul 26", "aug 26", "sep 26", "okt 26", "nov 26", "dec 26"]);
    expect(names(chart(12))).toEqual(["feb 26", "apr 26", "jun 26", "aug 26", "okt 26", "dec 26"]);
  });
});

describeEachDatabase("the pilot evaluation and a single resident's melding", (provider) => {
  let t: TestDatabase;
  let server: Awaited<ReturnType<typeof listen>>;
  let reference = "";
  let apiKey = "";
  const cookies = { admin: "", gr: "" };

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    const gemeenteId = (await t.db.gemeente.findFirstOrThrow()).id;
    // One resident, one melding in Neerakkers about jeugd, answered, resolved, with feedback and a trust score.
    const wijk = await t.db.wijk.findFirstOrThrow({ where: { slug: "neerakkers" } });
    const resident = await t.db.resident.create({ data: { gemeenteId, wijkId: wijk.id } });
    const identity = await t.db.channelIdentity.create({ data: { residentId: resident.id, channel: "whatsapp", externalId: "31612349876" } });
    const createdAt = new Date(Date.now() - 2 * 3600 * 1000);
    const conversation = await t.db.conversation.create({
      data: {
        reference: "WL-2026-77777",
        gemeenteId,
        residentId: resident.id,
        channelIdentityId: identity.id,
        channel: "whatsapp",
        wijkId: wijk.id,
        tandemId: wijk.tandemId,
        status: "resolved",
        intent: "melding",
        theme: "jeugd",
        createdAt,
        lastMessageAt: createdAt,
        firstResponseAt: new Date(createdAt.getTime() + 30 * 60_000),
        resolvedAt: new Date(createdAt.getTime() + 60 * 60_000),
        statusChanges: {
          create: [
            { toStatus: "bot", at: createdAt },
            { fromStatus: "bot", toStatus: "open", at: createdAt },
            { fromStatus: "open", toStatus: "resolved", at: new Date(createdAt.getTime() + 60 * 60_000) },
          ],
        },
        messages: { create: [{ direction: "in", authorKind: "resident", text: WORDS, latitude: 51.433, longitude: 5.615, channel: "whatsapp", createdAt }] },
      },
    });
    reference = conversation.reference;
    await t.db.feedback.create({ data: { conversationId: conversation.id, gemeenteId, status: "scored", score: 1, askedAt: createdAt, scoredAt: new Date(createdAt.getTime() + 70 * 60_000) } });
    await t.db.trustPulse.create({
      data: {
        gemeenteId,
        residentId: resident.id,
        wijkId: wijk.id,
        conversationId: conversation.id,
        quarter: "2026-Q4",
        status: "scored",
        score: 2,
        offeredAt: createdAt,
        scoredAt: new Date(createdAt.getTime() + 71 * 60_000),
      },
    });
    apiKey = (await createApiToken(t.db, { email: "admin@demo.wijklijn.nl" })).token;
    const staffId = async (email: string) => (await t.db.staffUser.findUniqueOrThrow({ where: { email } })).id;
    cookies.admin = `wl_staff=${(await createStaffSession(t.db, await staffId("admin@demo.wijklijn.nl"))).id}`;
    cookies.gr = `wl_staff=${(await createStaffSession(t.db, await staffId("gr.geldrop-noord@demo.wijklijn.nl"))).id}`;
    server = await listen(createApp({ db: t.db, provider, logger: captureLogger().logger, settings: () => settings, timeZone: "Europe/Amsterdam" }));
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  const get = async (path: string, cookie?: string) => {
    const response = await fetch(`${server.url}${path}`, { headers: cookie ? { cookie } : {} });
    return { status: response.status, type: response.headers.get("content-type") ?? "", disposition: response.headers.get("content-disposition") ?? "", body: await response.text() };
  };

  /** Nothing of the one resident: not their words or part of them, reference, number, place. */
  function expectNothingOfTheResident(body: string) {
    for (const piece of [reference, "Verhoeven", "Daan", "gepest", "31612349876", "9876", "51.433", "5.615"]) expect(body).not.toContain(piece);
  }

  it("shows the evaluation with server-drawn charts and tables, without inline script or style, and a CSV export", async () => {
    const pageAnswer = await get("/inbox/evaluatie?maanden=3", cookies.admin);
    expect(pageAnswer.status).toBe(200);
    expect(pageAnswer.body).toContain("<h1>Evaluatie van de pilot</h1>");
    // A chart, or with too few figures the sentence that says so (the one resident here gives none).
    expect(pageAnswer.body).toMatch(/<svg viewBox="0 0 420 190" role="img"|Te weinig gegevens om te tonen/);
    expect(pageAnswer.body).toContain("Vertrouwen in de gemeente, gemiddeld");
    expect(pageAnswer.body).toContain('href="/inbox/evaluatie.csv?maanden=3"');
    expect(pageAnswer.body).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>|\sstyle="|\son[a-z]+="/);
    expect(pageAnswer.body).toContain('aria-current="page">Evaluatie</a>');

    const csv = await get("/inbox/evaluatie.csv?maanden=3", cookies.admin);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain("text/csv");
    expect(csv.disposition).toContain('attachment; filename="wijklijn-evaluatie-alle-wijken-3-maanden.csv"');
    expect(csv.body.split("\r\n")[0]).toBe(
      "Wijk;Periode;Gesprekken;Beantwoord;Eerste reactie mediaan (werkuren);Gehoord: antwoorden;Gehoord: gemiddeld (1-5);Gehoord: 4 of 5 (%);Vertrouwen: antwoorden;Vertrouwen: gemiddeld (1-5);Vertrouwen: 4 of 5 (%);Bewoners;Terugkerende bewoners;Kanalen;Niet getoond (privacy)",
    );
    expect(csv.body).toContain("\r\nNeerakkers;");
    // UTF-8 with a byte order mark, so that Excel reads the accents right (fetch's text() drops it).
    const raw = new Uint8Array(await (await fetch(`${server.url}/inbox/evaluatie.csv?maanden=3`, { headers: { cookie: cookies.admin } })).arrayBuffer());
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it("never leaves a single wijk hidden beside a shown all-wijken figure, so subtraction gives no small count back", async () => {
    // Seven conversations in Coevering beside the one in Neerakkers: 8 − 7 would give the one away.
    const gemeenteId = (await t.db.gemeente.findFirstOrThrow()).id;
    const coevering = await t.db.wijk.findFirstOrThrow({ where: { slug: "coevering" } });
    const createdAt = new Date(Date.now() - 3 * 3600 * 1000);
    for (let i = 0; i < 7; i++) {
      const resident = await t.db.resident.create({ data: { gemeenteId, wijkId: coevering.id } });
      const identity = await t.db.channelIdentity.create({ data: { residentId: resident.id, channel: "webchat", externalId: `subtraction-${i}` } });
      await t.db.conversation.create({
        data: {
          reference: `WL-2026-7780${i}`,
          gemeenteId,
          residentId: resident.id,
          channelIdentityId: identity.id,
          channel: "webchat",
          wijkId: coevering.id,
          tandemId: coevering.tandemId,
          status: "resolved",
          intent: "vraag",
          theme: "afval",
          createdAt,
          lastMessageAt: createdAt,
        },
      });
    }
    let checked = 0;
    for (const months of ["3", "12"]) {
      const csv = await get(`/inbox/evaluatie.csv?maanden=${months}`, cookies.admin);
      const lines = csv.body
        .split("\r\n")
        .slice(1)
        .filter(Boolean)
        .map((line) => line.split(";"));
      const numeric = (field: string | undefined) => /^\d+$/.test(field ?? "");
      for (const total of lines.filter((fields) => fields[0] === "Alle wijken samen")) {
        const wijken = lines.filter((fields) => fields[0] !== "Alle wijken samen" && fields[1] === total[1]);
        expect(wijken.length).toBeGreaterThan(1);
        for (const index of [2, 5, 8]) {
          if (!numeric(total[index])) continue;
          const hidden = wijken.filter((fields) => !numeric(fields[index]));
          expect(hidden.length, `${total[1]} column ${index}`).not.toBe(1);
          if (hidden.length > 0) checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
    const page = await get("/inbox/evaluatie?maanden=3", cookies.admin);
    expect(page.body).toContain("Kleine aantallen verborgen.");
    expect(page.body).toMatch(/Coevering<\/a><\/th><td>verborgen<\/td>/);
  });

  it("says there are too few figures instead of drawing an empty chart for a small wijk", async () => {
    const page = await get("/inbox/evaluatie?wijk=neerakkers&maanden=3", cookies.admin);
    expect(page.status).toBe(200);
    expect(page.body).toContain("Te weinig gegevens om te tonen.");
    expect(page.body).not.toContain("Vertrouwen in de gemeente, gemiddeld (1 heel weinig – 5 heel veel). ");
  });

  it("shows a gebiedsregisseur only the wijken of their tandem", async () => {
    const answer = await get("/inbox/evaluatie", cookies.gr);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(">Coevering</option>");
    expect(answer.body).not.toContain(">Neerakkers</option>");
    // The page says whose figures these are: not "alle wijken".
    expect(answer.body).toMatch(/Per maand, voor jouw wijken \([^)]*Coevering[^)]*\):/);
    const csv = await get("/inbox/evaluatie.csv", cookies.gr);
    expect(csv.body).not.toContain("\r\nNeerakkers;");
    // Without a session: to the login page.
    const anonymous = await fetch(`${server.url}/inbox/evaluatie.csv`, { redirect: "manual" });
    expect(anonymous.status).toBeGreaterThanOrEqual(300);
    expect(anonymous.headers.get("location") ?? "").toContain("/inbox/login");
  });

  it("makes one resident's melding recognisable on no public page and in no export", async () => {
    const pages = [
      "/wijk",
      "/wijk/neerakkers",
      "/open311/v2/requests.json",
      "/open311/v2/requests.xml",
      `/open311/v2/requests.json?service_request_id=${reference}`,
      "/open311/v2/requests.json?service_code=jeugd",
      `/open311/v2/requests.json?api_key=${apiKey}`,
    ];
    for (const path of pages) {
      const answer = await get(path);
      expect(answer.status, path).toBe(200);
      expectNothingOfTheResident(answer.body);
    }
    expect((await get(`/open311/v2/requests/${reference}.json`)).status).toBe(404);
    expect((await get(`/open311/v2/requests/${reference}.xml?api_key=${apiKey}`)).status).toBe(404);
    // The wijk page counts it only as "minder dan 5", never as 1.
    const wijkPage = await get("/wijk/neerakkers");
    expect(wijkPage.body).toContain("minder dan 5");

    for (const query of ["?maanden=3", "?wijk=neerakkers&maanden=3", "?wijk=neerakkers&maanden=12"]) {
      const csv = await get(`/inbox/evaluatie.csv${query}`, cookies.admin);
      expectNothingOfTheResident(csv.body);
      const page = await get(`/inbox/evaluatie${query}`, cookies.admin);
      expectNothingOfTheResident(page.body);
      // Neither their feedback (1) nor their trust (2) can be read: only "minder dan 5" answers, no mean.
      for (const line of csv.body.split("\r\n").filter((l) => l.startsWith("Neerakkers;"))) {
        const fields = line.split(";");
        // A count is 0, 5 or more, or left empty with the reason in the last column.
        for (const index of [2, 3, 5, 8]) expect(["0", ""].includes(fields[index] ?? "") || Number(fields[index]) >= 5, line).toBe(true);
        if (fields[2] === "") expect(fields.at(-1), line).toMatch(/Gesprekken: (minder dan 5|verborgen)/);
        if (fields[5] === "") expect(fields[6]).toBe("");
        if (fields[8] === "") expect(fields[9]).toBe("");
      }
    }
  });
});
