/**
 * Residents who write Turkish, Arabic, Polish, Ukrainian or German: an emergency gets 112 or 113
 * in their language at once, also in the middle of a form; anything else gets a short answer in
 * their language that a person will help, and the conversation lands in the tandem's inbox with
 * the language shown.
 */
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handoverText } from "../../src/bot/otherLanguages.ts";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import { createStaffSession } from "../../src/db/session.repo.ts";
import type { OtherLanguage } from "../../src/domain/vocabulary.ts";
import { errorHandler } from "../../src/http/errors.ts";
import { conversationPages } from "../../src/inbox/pages/conversationPages.ts";
import { loadStaffSession, requireSignedIn, verifyCsrf } from "../../src/inbox/session.ts";
import { createBotHarness, type BotHarness, type Resident } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

const flows = loadFlows();
const texts = flows.globals.otherLanguages;
const ZONE = "Europe/Amsterdam";

/** Per language: an emergency, a crisis and an ordinary request, as residents write them. */
const CASES: Array<{ language: OtherLanguage; label: string; emergency: string; crisis: string; ordinary: string }> = [
  { language: "tr", label: "Turks", emergency: "yardim edin komsunun evi yaniyor", crisis: "artık yaşamak istemiyorum", ordinary: "sokak lambası iki haftadır yanmıyor, lütfen tamir edin" },
  { language: "ar", label: "Arabisch", emergency: "ساعدوني، يوجد حريق في البيت المجاور", crisis: "أفكر في الانتحار", ordinary: "مصباح الشارع لا يعمل منذ أسبوعين" },
  { language: "pl", label: "Pools", emergency: "pomocy, pali się dom obok", crisis: "nie chcę już żyć", ordinary: "latarnia przed domem nie świeci od dwóch tygodni" },
  { language: "uk", label: "Oekraïens", emergency: "допоможіть, горить сусідній будинок", crisis: "я не хочу жити", ordinary: "ліхтар на вулиці не світить вже два тижні" },
  { language: "de", label: "Duits", emergency: "Hilfe, im Nachbarhaus brennt es!", crisis: "ich will nicht mehr leben", ordinary: "die Straßenlaterne vor unserem Haus ist seit zwei Wochen kaputt" },
];

/** A resident of Luchen who consented, optionally in the middle of a form. */
async function residentAt(harness: BotHarness, state: { flow: string; step: string } | null): Promise<Resident> {
  const resident = harness.resident();
  const { db } = harness.t;
  const gemeente = await db.gemeente.findFirstOrThrow();
  const wijk = await db.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId: gemeente.id, slug: "luchen" } } });
  const created = await db.resident.create({ data: { gemeenteId: gemeente.id, wijkId: wijk.id, language: "nl" } });
  await db.channelIdentity.create({ data: { residentId: created.id, channel: "webchat", externalId: resident.externalId } });
  await db.consent.create({ data: { residentId: created.id, kind: "privacy", granted: true, version: "test" } });
  await resident.tap("menu");
  if (state) {
    const [conversation] = await resident.conversations();
    if (!conversation) throw new Error("no conversation");
    const flowState = { v: 1, ...state, waiting: "ask", vars: {}, tries: 0, language: "nl", resume: null };
    await db.conversation.update({ where: { id: conversation.id }, data: { state: JSON.stringify(flowState) } });
  }
  return resident;
}

describeEachDatabase("residents who write in another language", (provider) => {
  let harness: BotHarness;
  let inbox: { url: string; close: () => Promise<void>; cookie: string };

  beforeAll(async () => {
    harness = await createBotHarness(provider);
    const app = express();
    app.use(loadStaffSession(harness.t.db));
    app.use("/inbox", requireSignedIn, verifyCsrf);
    app.use(
      conversationPages({ db: harness.t.db, settings: () => flows.settings, timeZone: "Europe/Amsterdam", now: () => harness.clock.now, whatsappWebStatus: () => null, events: { heartbeatMs: 100 } }),
    );
    app.use(errorHandler(captureLogger("error").logger));
    const server = await listen(app);
    // Luchen belongs to the Mierlo tandem in the demo gemeente.
    const staff = await harness.t.db.staffUser.findUniqueOrThrow({ where: { email: "gr.mierlo@demo.wijklijn.nl" } });
    const session = await createStaffSession(harness.t.db, staff.id);
    inbox = { ...server, cookie: `wl_staff=${session.id}` };
  });
  afterAll(async () => {
    await inbox?.close();
    await harness?.close();
  });

  async function inboxPage(path: string): Promise<string> {
    const response = await fetch(`${inbox.url}${path}`, { headers: { cookie: inbox.cookie } });
    expect(response.status).toBe(200);
    return response.text();
  }

  async function storedConversation(resident: Resident) {
    const [conversation] = await resident.conversations();
    if (!conversation) throw new Error("no conversation");
    return harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversation.id }, include: { tandem: true } });
  }

  describe.each(CASES)("in $language", ({ language, label, emergency, crisis, ordinary }) => {
    it("gets 112 in that language at once in the middle of a form, and the follow-up in it too", async () => {
      const resident = await residentAt(harness, { flow: "melding", step: "describe" });
      const replies = await resident.say(emergency);
      // One message (the bubbles of a turn are joined): the resident's language first.
      expect(replies[0]?.text.startsWith(texts[language].emergency112), "the first answer is in the resident's language").toBe(true);
      expect(replies[0]?.text).toContain("112");
      expect(replies.map((reply) => reply.text).join("\n"), "and no form question").not.toContain("Wat wil je melden?");
      const conversation = await storedConversation(resident);
      expect(conversation.emergency).toBe("112");
      expect(conversation.language).toBe(language);
      expect(conversation.status).toBe("open");
      const next = await resident.say("?");
      expect(next[0]?.text.startsWith(texts[language].followUp112)).toBe(true);
    });

    it("gets 113 and 0800-0113 in that language at once, as a very first message", async () => {
      const resident = harness.resident();
      const replies = await resident.say(crisis);
      expect(replies[0]?.text.startsWith(texts[language].crisis113)).toBe(true);
      expect(replies[0]?.text).toContain("0800-0113");
      const conversation = await storedConversation(resident);
      expect(conversation.emergency).toBe("113");
      expect(conversation.language).toBe(language);
    });

    it("gets a short answer in that language for anything else, and reaches the tandem's inbox with the language shown", async () => {
      const resident = await residentAt(harness, null);
      const replies = await resident.say(ordinary);
      expect(replies).toHaveLength(1);
      expect(replies[0]?.text.startsWith(handoverText(flows, language, harness.clock.now, ZONE, true))).toBe(true);
      // As the Dutch handover: by when a person answers, as a day and a whole hour.
      expect(replies[0]?.text).toMatch(/\d{2}:00/);
      expect(replies[0]?.text).not.toContain("{{");
      const conversation = await storedConversation(resident);
      expect(conversation.status).toBe("open");
      expect(conversation.language).toBe(language);
      expect(conversation.tandem?.slug).toBe("mierlo");
      expect(conversation.emergency).toBeNull();

      const list = await inboxPage("/inbox");
      const row = list.split("<tr").find((part) => part.includes(conversation.reference)) ?? "";
      expect(row).toContain(`Taal: ${label}`);
      const page = await inboxPage(`/inbox/c/${conversation.id}`);
      expect(page).toContain(`Taal: ${label}`);
      expect(page).toContain("Taal van de bewoner");
      expect(page).toContain(ordinary.replace(/'/g, "&#39;").slice(0, 12));
      // Further messages wait for staff; the bot does not start a Dutch form (an acknowledgement at most).
      for (const reply of await resident.say(ordinary)) expect(reply.text).not.toMatch(/Wat wil je melden|foto/);
    });
  });

  /** A short "yes" per language, as residents answer after the first reply. */
  const SHORT_YES: Record<OtherLanguage, string> = { tr: "evet", ar: "نعم", pl: "tak", uk: "так", de: "ja danke" };

  it.each(CASES)("in $language: after the handover no Dutch text, only the acknowledgement, and no theme veiligheid for an ordinary message", async ({ language, ordinary }) => {
    const resident = await residentAt(harness, null);
    await resident.say(ordinary);
    for (const text of [SHORT_YES[language], ordinary, "?"]) {
      const replies = await resident.say(text);
      for (const reply of replies) expect(reply.text, `after "${text}"`).not.toMatch(/Je bericht ligt bij|Dank je|Typ 'menu'/);
      if (replies.length === 0) expect(await resident.reactionsOnLast(), `after "${text}": the acknowledgement`).not.toHaveLength(0);
    }
    const conversation = await storedConversation(resident);
    expect(conversation.theme).not.toBe("veiligheid");
    // A later quiet period: the acknowledgement in words is in the resident's language, not Dutch.
    harness.clock.now = new Date(harness.clock.now.getTime() + 3 * 3600 * 1000);
    const later = await resident.say(ordinary);
    expect(later.map((r) => r.text).join("\n")).toContain(handoverText(flows, language, harness.clock.now, ZONE, true));
  });

  it("routes a new resident's conversation in another language by the postcode in a later message, or in the first", async () => {
    const polish = harness.resident();
    await polish.say("Dzień dobry, czy mówisz po polsku? Chcę zgłosić problem");
    expect((await polish.conversations())[0]?.wijk).toBeNull();
    await polish.say("5731 CA");
    const [routed] = await polish.conversations();
    expect(routed).toMatchObject({ status: "open", wijk: "neerakkers", tandem: "mierlo" });

    const turkish = harness.resident();
    await turkish.say("Merhaba, sokağımızda çöp toplanmıyor, posta kodum 5663 AB, şikayet etmek istiyorum");
    expect((await turkish.conversations())[0]).toMatchObject({ status: "open", wijk: "genoenhuis", tandem: "geldrop-zuid" });
  });

  it("keeps a Dutch answer to the bot's question with the bot, even when it looks foreign", async () => {
    const resident = await residentAt(harness, { flow: "melding", step: "describe" });
    const replies = await resident.say("5662 AB");
    for (const language of ["tr", "ar", "pl", "uk", "de"] as const) expect(replies.map((reply) => reply.text)).not.toContain(handoverText(flows, language, harness.clock.now, ZONE, true));
    expect((await storedConversation(resident)).status).toBe("bot");
  });

  it("lets a resident who wrote in another language go on with the bot in Dutch", async () => {
    const resident = harness.resident();
    await resident.say("Merhaba, Türkçe konuşan biri var mı?");
    const replies = await resident.say("nederlands");
    expect(replies.length).toBeGreaterThan(0);
    for (const reply of replies) expect(reply.text).not.toBe(handoverText(flows, "tr", harness.clock.now, ZONE, false));
  });
});
