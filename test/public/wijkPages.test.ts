import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import type { WijkConversationFact } from "../../src/db/publicWijk.repo.ts";
import { createApp } from "../../src/http/app.ts";
import { buildResponseFigure, buildThemeFigures, formatPublicCount } from "../../src/public/wijkFigures.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

const settings = loadFlows("flows").settings;

function fact(theme: string, extra: Partial<WijkConversationFact> = {}): WijkConversationFact {
  return { theme, intent: "melding", emergency: null, createdAt: new Date("2026-11-30T09:00:00+01:00"), handedOverAt: null, firstResponseAt: null, ...extra };
}

describe("the public figures", () => {
  it("shows counts of 5 and more exactly, smaller ones as 'minder dan 5', and never a total that gives a small one away", () => {
    const facts = [...Array.from({ length: 7 }, () => fact("afval")), ...Array.from({ length: 2 }, () => fact("groen"))];
    const figures = buildThemeFigures(facts);
    expect(figures.themes.map((t) => [t.theme, formatPublicCount(t.count)])).toEqual([
      ["afval", "7"],
      ["groen", "minder dan 5"],
    ]);
    // 9 would give away groen's 2.
    expect(figures.total && formatPublicCount(figures.total)).toBe("meer dan 7");
  });

  it("gives the total exactly when the hidden counts together are 5 or more, or nothing is hidden", () => {
    const facts = [...Array.from({ length: 6 }, () => fact("afval")), ...Array.from({ length: 3 }, () => fact("groen")), ...Array.from({ length: 3 }, () => fact("jeugd"))];
    expect(formatPublicCount(buildThemeFigures(facts).total ?? { kind: "small" })).toBe("12");
    expect(formatPublicCount(buildThemeFigures(Array.from({ length: 5 }, () => fact("wonen"))).total ?? { kind: "small" })).toBe("5");
  });

  it("coarsens the total when the hidden counts together leave one possibility (two themes of 4 make 8)", () => {
    const facts = [...Array.from({ length: 6 }, () => fact("afval")), ...Array.from({ length: 4 }, () => fact("groen")), ...Array.from({ length: 4 }, () => fact("jeugd"))];
    // 14 − 6 = 8, and two counts below 5 that make 8 can only be 4 and 4.
    expect(formatPublicCount(buildThemeFigures(facts).total ?? { kind: "small" })).toBe("meer dan 6");
    const ones = [...Array.from({ length: 6 }, () => fact("afval")), ...["groen", "jeugd", "wonen", "verkeer", "zorg-welzijn"].map((theme) => fact(theme))];
    // 11 − 6 = 5 over five hidden themes: each would be 1.
    expect(formatPublicCount(buildThemeFigures(ones).total ?? { kind: "small" })).toBe("meer dan 6");
  });

  it("leaves 112 and 113 conversations out of every count", () => {
    const figures = buildThemeFigures([fact("veiligheid", { emergency: "112" }), fact("zorg-welzijn", { emergency: "113" })]);
    expect(figures.themes).toEqual([]);
    expect(figures.total).toBeNull();
  });

  it("says nothing about the response time below 5 answers, and gives the median working time from hand-over from 5 on", () => {
    // Thursday 3 December 2026, office hours from 08:30: handed over at 09:00, answered 1–5 working hours later.
    const answered = (hours: number) =>
      fact("afval", { handedOverAt: new Date("2026-12-03T09:00:00+01:00"), firstResponseAt: new Date(new Date("2026-12-03T09:00:00+01:00").getTime() + hours * 3_600_000) });
    expect(buildResponseFigure([answered(1), answered(2)], settings, "Europe/Amsterdam")).toEqual({ answered: { kind: "small" }, medianWorkingHours: null });
    const figure = buildResponseFigure([answered(1), answered(2), answered(3), answered(4), answered(5)], settings, "Europe/Amsterdam");
    expect(figure.answered).toEqual({ kind: "exact", value: 5 });
    expect(figure.medianWorkingHours).toBeCloseTo(3, 5);
  });
});

describeEachDatabase("the public wijk pages", (provider) => {
  let t: TestDatabase;
  let server: Awaited<ReturnType<typeof listen>>;
  let gemeenteId = "";

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    gemeenteId = (await t.db.gemeente.findFirstOrThrow()).id;
    server = await listen(createApp({ db: t.db, provider, logger: captureLogger().logger, settings: () => settings, timeZone: "Europe/Amsterdam" }));
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  const get = async (path: string) => {
    const response = await fetch(`${server.url}${path}`);
    return { status: response.status, type: response.headers.get("content-type") ?? "", body: await response.text(), csp: response.headers.get("content-security-policy") ?? "" };
  };

  /** A conversation of a resident in a wijk that reached staff, with the resident's own words. */
  async function melding(wijkSlug: string, theme: string, text: string, options: { answeredAfterMs?: number } = {}) {
    const wijk = await t.db.wijk.findFirstOrThrow({ where: { slug: wijkSlug } });
    const resident = await t.db.resident.create({ data: { gemeenteId, wijkId: wijk.id } });
    const identity = await t.db.channelIdentity.create({ data: { residentId: resident.id, channel: "telegram", externalId: `chat-${Math.random()}` } });
    const createdAt = new Date(Date.now() - 3 * 24 * 3600 * 1000);
    const conversation = await t.db.conversation.create({
      data: {
        reference: `WL-2026-${String(Math.floor(Math.random() * 90000) + 10000)}`,
        gemeenteId,
        residentId: resident.id,
        channelIdentityId: identity.id,
        channel: "telegram",
        wijkId: wijk.id,
        tandemId: wijk.tandemId,
        status: "open",
        intent: "melding",
        theme,
        createdAt,
        lastMessageAt: createdAt,
        firstResponseAt: options.answeredAfterMs ? new Date(createdAt.getTime() + options.answeredAfterMs) : null,
        statusChanges: {
          create: [
            { toStatus: "bot", at: createdAt },
            { fromStatus: "bot", toStatus: "open", at: createdAt },
          ],
        },
        messages: { create: [{ direction: "in", authorKind: "resident", text, channel: "telegram", createdAt }] },
      },
    });
    return conversation;
  }

  it("lists the gemeente's wijken without a login, grouped by kern, each with a link", async () => {
    const page = await get("/wijk");
    expect(page.status).toBe(200);
    expect(page.type).toContain("text/html");
    expect(page.body).toContain('<h1 class="utrecht-heading-1">Wijken van Geldrop-Mierlo</h1>');
    const wijken = await t.db.wijk.findMany({ where: { active: true } });
    for (const wijk of wijken) expect(page.body).toContain(`href="/wijk/${wijk.slug}"`);
    expect(page.body).not.toContain("<script");
  });

  it("speaks to residents in the je form, as the bot does, on the list and on a wijk page", async () => {
    for (const path of ["/wijk", "/wijk/luchen", "/wijk/centrum"]) {
      const text = (await get(path)).body
        .replace(/<(script|style)[\s\S]*?<\/\1>/g, " ")
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ");
      expect(text.match(/\b(u|uw|U|Uw)\b/g), path).toBeNull();
      expect(text, path).toMatch(/\b(je|jij|jouw)\b/);
    }
  });

  it("shows a wijk's tandem, dialoogtafels, news and how to subscribe, styled by NL Design System CSS from node_modules", async () => {
    const page = await get("/wijk/luchen");
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1 class="utrecht-heading-1">Luchen</h1>');
    expect(page.body).toContain("Gebiedsregisseur Mierlo");
    expect(page.body).toContain("Wethouder C");
    expect(page.body).toContain('href="/chat"');
    expect(page.body).toContain("Wijkberichten krijgen");
    // The subscribe link opens the web chat with the subscribe message for this wijk ready to send.
    expect(page.body).toContain('href="/chat?start=wijkberichten&amp;wijk=Luchen"');
    expect(page.body).toContain("Geen berichten meer? Stuur 'stop'.");
    const tafel = await t.db.dialoogtafel.findFirst({ where: { wijk: { slug: "luchen" }, status: "planned", startsAt: { gt: new Date() } } });
    if (tafel) expect(page.body).toContain(tafel.title);
    const news = await t.db.newsItem.findFirst({ where: { wijk: { slug: "luchen" }, publishedAt: { lte: new Date() } } });
    if (news) expect(page.body).toContain(news.title);
    expect(page.body).not.toContain("<script");
    expect(page.body).not.toMatch(/ style="/);
    const css = await get("/wijk/assets/nlds.css");
    expect(css.status).toBe(200);
    expect(css.type).toContain("text/css");
    expect(css.body).toContain(".utrecht-heading-1");
    expect((await get("/wijk/assets/theme.css")).body).toContain("--utrecht-document-font-family");
    expect((await get("/wijk/onbekend")).status).toBe(404);
  });

  it("never makes a single resident's melding recognisable on any public page", async () => {
    const words = "De stoeptegels voor Kerkstraat 12 liggen los, mijn moeder is gevallen";
    const conversation = await melding("luchen", "onderhoud", words, { answeredAfterMs: 2 * 3600 * 1000 });
    const wijken = await t.db.wijk.findMany({ where: { active: true } });
    const pages = ["/wijk", ...wijken.map((w) => `/wijk/${w.slug}`), "/api/v1/wijken", "/"];
    for (const path of pages) {
      const page = await get(path);
      expect(page.body).not.toContain(conversation.reference);
      expect(page.body).not.toContain("Kerkstraat");
      expect(page.body).not.toContain("stoeptegels");
    }
    const luchen = (await get("/wijk/luchen")).body;
    // One melding: the theme is there, its count is not.
    expect(luchen).toMatch(/Onderhoud<\/th>\s*<td class="utrecht-table__cell wl-count">minder dan 5<\/td>/);
    expect(luchen).toContain("minder dan 5 in totaal");
    // Only small counts: no empty chart column, but a sentence why; and the note on hidden numbers.
    expect(luchen).toContain("Te weinig gegevens om een grafiek te tonen.");
    expect(luchen).not.toContain(">Grafiek</span>");
    expect(luchen).toContain("Kleine aantallen verborgen.");
    expect(luchen).not.toMatch(/wl-count">\d/);
    // One answer is one person's: no response time either.
    expect(luchen).toContain("Er zijn nog te weinig antwoorden");
  });

  it("links to Telegram and WhatsApp, when they are on, already in the subscribe flow for this wijk", async () => {
    const other = await listen(
      createApp({
        db: t.db,
        provider,
        logger: captureLogger().logger,
        settings: () => settings,
        timeZone: "Europe/Amsterdam",
        telegramUsername: () => "WijklijnTestBot",
        whatsappPublicNumber: "31612345678",
      }),
    );
    try {
      const body = await (await fetch(`${other.url}/wijk/braakhuizen-noord`)).text();
      expect(body).toContain('href="https://t.me/WijklijnTestBot?start=wijkberichten-braakhuizen-noord"');
      expect(body).toContain('href="https://wa.me/31612345678?text=Wijkberichten%20Braakhuizen-Noord"');
      expect(body).toContain('href="/chat?start=wijkberichten&amp;wijk=Braakhuizen-Noord"');
    } finally {
      await other.close();
    }
  });

  it("shows exact counts with a bar from 5 meldingen on, and the median response time from 5 answers on", async () => {
    for (let i = 0; i < 6; i++) await melding("mierlo-dorp", "afval", `Afval ${i}`, { answeredAfterMs: 3 * 3600 * 1000 });
    const page = (await get("/wijk/mierlo-dorp")).body;
    expect(page).toMatch(/Afval<\/th>\s*<td class="utrecht-table__cell wl-count">6<\/td>/);
    expect(page).toContain('<rect class="wl-bar__value" x="0" y="0" width="100" height="10">');
    expect(page).toContain("6 in totaal");
    expect(page).toContain("de helft van de vragen kreeg sneller antwoord");
  });

  it("gives no count beside the response time that would reveal a theme's hidden 'minder dan 5'", async () => {
    for (let i = 0; i < 5; i++) await melding("neerakkers", "verkeer", `Verkeer ${i}`, { answeredAfterMs: 2 * 3600 * 1000 });
    await melding("neerakkers", "groen", "Een boom", { answeredAfterMs: 2 * 3600 * 1000 });
    const text = (await get("/wijk/neerakkers")).body.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    expect(text).toContain("Groen minder dan 5");
    expect(text).toContain("meer dan 5 in totaal");
    // Six answered questions, five of them verkeer: a 6 anywhere in a count would give groen's 1 away.
    expect(text).not.toMatch(/\b6 (vragen|meldingen|gesprekken|antwoorden)\b/);
    expect(text).toContain("werkuren");
  });
});
