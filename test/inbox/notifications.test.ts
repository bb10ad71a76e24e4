/**
 * Staff notifications with a real SMTP server on loopback: a resident's handover, through the real
 * bot, mails the tandem's gebiedsregisseur once, with reference and link and without anything the
 * resident wrote; Telegram gets the same short notice in a linked chat; failures stay quiet.
 */
import express from "express";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client.ts";
import { createStaffSession } from "../../src/db/session.repo.ts";
import { emitInboxEvent } from "../../src/domain/events.ts";
import { labelTheme } from "../../src/domain/vocabulary.ts";
import { renderHandoverNotice } from "../../src/inbox/notifications.ts";
import {
  createTelegramLinkCode,
  handleTelegramLinkCommand,
  linkTelegram,
  parseTelegramLinkCommand,
  startNotifications,
  telegramLinkRoutes,
  verifyTelegramLinkCode,
  type Notifications,
} from "../../src/inbox/notifications.ts";
import { loadStaffSession, requireSignedIn, verifyCsrf } from "../../src/inbox/session.ts";
import { createMailer } from "../../src/mail/mailer.ts";
import { startFakeSmtp, type FakeSmtp } from "../fakes/smtp.ts";
import { createBotHarness, type BotHarness } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

const PUBLIC_URL = "https://wijklijn.gemeente.test";
const SECRET = "test-secret-test-secret-test-secret";
const RESIDENT_QUESTION = "Over de bomen bij Dorpsstraat 12, bel me op 06-12345678 of mail jan@voorbeeld.nl";

let sequence = 0;
async function conversationWithoutResidentText(db: Db, input: { tandemSlug: string | null; wijkSlug: string | null }) {
  const gemeente = await db.gemeente.findFirstOrThrow();
  const resident = await db.resident.create({ data: { gemeenteId: gemeente.id } });
  const identity = await db.channelIdentity.create({ data: { residentId: resident.id, channel: "telegram", externalId: `notify-${++sequence}` } });
  const tandem = input.tandemSlug ? await db.tandem.findFirstOrThrow({ where: { slug: input.tandemSlug } }) : null;
  const wijk = input.wijkSlug ? await db.wijk.findFirstOrThrow({ where: { slug: input.wijkSlug } }) : null;
  return db.conversation.create({
    data: {
      reference: `WL-2026-9${String(sequence).padStart(4, "0")}`,
      gemeenteId: gemeente.id,
      residentId: resident.id,
      channelIdentityId: identity.id,
      channel: "telegram",
      status: "open",
      theme: "groen",
      intent: "melding",
      tandemId: tandem?.id ?? null,
      wijkId: wijk?.id ?? null,
    },
  });
}

describeEachDatabase("staff notifications of a handover", (provider) => {
  let h: BotHarness;
  let smtp: FakeSmtp;
  let notifications: Notifications | null = null;
  beforeAll(async () => {
    h = await createBotHarness(provider);
    smtp = await startFakeSmtp();
  });
  afterEach(async () => {
    await notifications?.stop();
    notifications = null;
    smtp.received.length = 0;
  });
  afterAll(async () => {
    await smtp?.close();
    await h?.close();
  });

  it("mails the tandem's gebiedsregisseur once, with the reference and a link, and without the resident's words", async () => {
    const { logger, lines } = captureLogger("debug");
    const mailer = createMailer({ smtpUrl: smtp.url, from: "Wijklijn <wijklijn@gemeente.test>", logger });
    const telegram: Array<{ chatId: string; text: string }> = [];
    const grMierlo = await h.t.db.staffUser.findUniqueOrThrow({ where: { email: "gr.mierlo@demo.wijklijn.nl" } });
    const { code } = createTelegramLinkCode(grMierlo.id, SECRET, h.clock.now);
    expect((await handleTelegramLinkCommand(h.t.db, { code, chatId: "777001", secret: SECRET, publicUrl: PUBLIC_URL, now: h.clock.now })).linked).toBe(true);
    notifications = startNotifications({ db: h.t.db, logger, mailer, publicUrl: PUBLIC_URL, now: () => h.clock.now, sendTelegram: async (chatId, text) => void telegram.push({ chatId, text }) });

    const resident = h.resident();
    await resident.say("hoi");
    await resident.tap("yes");
    await resident.say("ik woon op 5731 bc 12");
    await resident.say("ja");
    await resident.say("mens");
    await resident.say(RESIDENT_QUESTION);
    await notifications.idle();
    const [conversation] = await resident.conversations();
    expect(conversation).toMatchObject({ status: "open", tandem: "mierlo", wijk: "luchen" });
    if (!conversation) return;

    const [mail] = await smtp.waitFor(1);
    expect(smtp.received).toHaveLength(1);
    expect(mail?.envelopeTo).toEqual(["gr.mierlo@demo.wijklijn.nl"]);
    expect(mail?.headers.get("from")).toBe("Wijklijn <wijklijn@gemeente.test>");
    expect(mail?.subject).toBe(`Nieuw gesprek ${conversation.reference} · Luchen · ${conversation.theme ? labelTheme(conversation.theme) : "nog geen thema"}`);
    const link = `${PUBLIC_URL}/inbox/c/${conversation.id}`;
    expect(mail?.text).toContain(link);
    expect(mail?.text).toContain(`Kenmerk: ${conversation.reference}`);
    expect(mail?.text).toContain("Wijk: Luchen");
    expect(mail?.text).toContain("tandem Mierlo");
    expect(mail?.html).toContain(`href="${link}"`);
    // The resident's words are in the conversation, and in none of what leaves.
    expect(conversation.messages.some((m) => m.text?.includes("Dorpsstraat 12"))).toBe(true);
    for (const secret of ["bomen", "Dorpsstraat", "12345678", "jan@voorbeeld.nl"]) for (const part of [mail?.raw, mail?.text, mail?.html, mail?.subject]) expect(part).not.toContain(secret);

    expect(telegram).toEqual([{ chatId: "777001", text: expect.stringContaining(link) }]);
    expect(telegram[0]?.text).toContain(conversation.reference);
    expect(telegram[0]?.text).not.toContain("bomen");

    // The same handover arriving again notifies nobody again.
    emitInboxEvent({ conversationId: conversation.id, tandemId: null, kind: "handover" });
    emitInboxEvent({ conversationId: conversation.id, tandemId: null, kind: "handover" });
    await notifications.idle();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.received).toHaveLength(1);
    expect(telegram).toHaveLength(1);
    expect(lines.join("\n")).not.toMatch(/@demo\.wijklijn\.nl|777001/);
  });

  it("sends a conversation without a tandem to the admins", async () => {
    const { logger } = captureLogger();
    notifications = startNotifications({ db: h.t.db, logger, mailer: createMailer({ smtpUrl: smtp.url, from: "wijklijn@gemeente.test", logger }), publicUrl: PUBLIC_URL });
    const conversation = await conversationWithoutResidentText(h.t.db, { tandemSlug: null, wijkSlug: null });
    emitInboxEvent({ conversationId: conversation.id, tandemId: null, kind: "handover" });
    await notifications.idle();
    const mails = await smtp.waitFor(1);
    expect(mails.map((m) => m.envelopeTo)).toEqual([["admin@demo.wijklijn.nl"]]);
    expect(mails[0]?.text).toContain("hoort bij geen tandem");
  });

  it("ignores other inbox events", async () => {
    const { logger } = captureLogger();
    notifications = startNotifications({ db: h.t.db, logger, mailer: createMailer({ smtpUrl: smtp.url, from: "wijklijn@gemeente.test", logger }), publicUrl: PUBLIC_URL });
    const conversation = await conversationWithoutResidentText(h.t.db, { tandemSlug: "mierlo", wijkSlug: "luchen" });
    for (const kind of ["message", "note", "status", "assigned", "routed", "theme"] as const) emitInboxEvent({ conversationId: conversation.id, tandemId: conversation.tandemId, kind });
    await notifications.idle();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.received).toHaveLength(0);
  });

  it("logs a refusing or unreachable mail server without addresses, and never throws into the emitter", async () => {
    const refusing = await startFakeSmtp({ rejectRecipients: true });
    const gone = await startFakeSmtp();
    await gone.close();
    const grZuid = await h.t.db.staffUser.findUniqueOrThrow({ where: { email: "gr.geldrop-zuid@demo.wijklijn.nl" } });
    expect(await linkTelegram(h.t.db, grZuid.id, "777001")).toBe(true);
    try {
      for (const url of [refusing.url, gone.url]) {
        const { logger, lines } = captureLogger("debug");
        notifications = startNotifications({
          db: h.t.db,
          logger,
          mailer: createMailer({ smtpUrl: url, from: "wijklijn@gemeente.test", logger, timeoutMs: 2000 }),
          publicUrl: PUBLIC_URL,
          sendTelegram: async () => Promise.reject(new Error("chat 777001 not found")),
        });
        const conversation = await conversationWithoutResidentText(h.t.db, { tandemSlug: "geldrop-zuid", wijkSlug: "genoenhuis" });
        expect(() => emitInboxEvent({ conversationId: conversation.id, tandemId: conversation.tandemId, kind: "handover" })).not.toThrow();
        await notifications.idle();
        const log = lines.join("\n");
        expect(log).toContain("E-mail notification failed");
        expect(log).toContain("Telegram notification failed");
        expect(log).not.toMatch(/@demo\.wijklijn\.nl|gemeente\.test|777001/);
        await notifications.stop();
        notifications = null;
      }
    } finally {
      await refusing.close();
    }
  });
});

describe("the mailer without SMTP_URL", () => {
  it("drops mail and says once that mail is off", async () => {
    const { logger, lines } = captureLogger();
    const mailer = createMailer({ smtpUrl: undefined, from: "x@y.test", logger });
    expect(mailer.enabled).toBe(false);
    await mailer.send({ to: "a@b.test", subject: "s", text: "t" });
    await mailer.send({ to: "a@b.test", subject: "s", text: "t" });
    expect(lines.filter((line) => line.includes("mail is off"))).toHaveLength(1);
  });
});

describe("linking Telegram", () => {
  const now = new Date("2026-11-26T10:00:00Z");

  it("accepts its own unexpired code and refuses expired, forged and foreign ones", () => {
    const { code, expiresAt } = createTelegramLinkCode("cmstaff0001", SECRET, now);
    expect(code.length).toBeLessThanOrEqual(57);
    expect(code).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(expiresAt.getTime() - now.getTime()).toBe(15 * 60_000);
    expect(verifyTelegramLinkCode(code, SECRET, now)).toBe("cmstaff0001");
    expect(verifyTelegramLinkCode(code, SECRET, new Date(now.getTime() + 14 * 60_000))).toBe("cmstaff0001");
    expect(verifyTelegramLinkCode(code, SECRET, new Date(now.getTime() + 15 * 60_000))).toBeNull();
    expect(verifyTelegramLinkCode(code, "another-secret-another-secret-xx", now)).toBeNull();
    expect(verifyTelegramLinkCode(code.replace("cmstaff0001", "cmstaff0002"), SECRET, now)).toBeNull();
    expect(verifyTelegramLinkCode("nonsense", SECRET, now)).toBeNull();
  });

  it("reads /koppel and the deep link's /start payload", () => {
    expect(parseTelegramLinkCommand("/koppel abc_1_0123456789abcdef0123")).toBe("abc_1_0123456789abcdef0123");
    expect(parseTelegramLinkCommand("/koppel@WijklijnBot  abc ")).toBe("abc");
    expect(parseTelegramLinkCommand("/start koppel_abc")).toBe("abc");
    expect(parseTelegramLinkCommand("koppel abc")).toBeNull();
    expect(parseTelegramLinkCommand("/start")).toBeNull();
  });
});

describeEachDatabase("the Telegram link page", (provider) => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await createBotHarness(provider);
  });
  afterAll(async () => h?.close());

  it("shows a one-time code that links the chat once, and unlinks on request", async () => {
    const db = h.t.db;
    const user = await db.staffUser.findUniqueOrThrow({ where: { email: "gr.geldrop-zuid@demo.wijklijn.nl" } });
    const session = await createStaffSession(db, user.id);
    const app = express();
    app.use(express.urlencoded({ extended: false }), loadStaffSession(db));
    app.use("/inbox", requireSignedIn, verifyCsrf);
    app.use(telegramLinkRoutes({ db, secret: SECRET, timeZone: "Europe/Amsterdam", telegramEnabled: true, now: () => h.clock.now }));
    const server = await listen(app);
    try {
      const page = await (await fetch(`${server.url}/inbox/account/telegram`, { headers: { cookie: `wl_staff=${session.id}` } })).text();
      const code = /\/koppel ([A-Za-z0-9_-]+)/.exec(page)?.[1] ?? "";
      expect(verifyTelegramLinkCode(code, SECRET, h.clock.now)).toBe(user.id);
      expect(page).toContain("15 minuten geldig");

      const first = await handleTelegramLinkCommand(db, { code, chatId: "424242", secret: SECRET, publicUrl: PUBLIC_URL, now: h.clock.now });
      expect(first.linked).toBe(true);
      const again = await handleTelegramLinkCommand(db, { code, chatId: "666", secret: SECRET, publicUrl: PUBLIC_URL, now: h.clock.now });
      expect(again).toMatchObject({ linked: false, reply: expect.stringContaining("al gebruikt") });
      expect(await (await fetch(`${server.url}/inbox/account/telegram`, { headers: { cookie: `wl_staff=${session.id}` } })).text()).toContain("Telegram ontkoppelen");

      const unlink = await fetch(`${server.url}/inbox/account/telegram/ontkoppel`, {
        method: "POST",
        headers: { cookie: `wl_staff=${session.id}`, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: session.csrfToken }),
        redirect: "manual",
      });
      expect(unlink.status).toBe(303);
      expect(await (await fetch(`${server.url}/inbox/account/telegram`, { headers: { cookie: `wl_staff=${session.id}` } })).text()).not.toContain("Telegram ontkoppelen");
    } finally {
      await server.close();
    }
  });
});

describe("renderHandoverNotice", () => {
  it("names the theme and kind in the words the inbox uses", () => {
    const facts = { id: "c1", reference: "WL-2026-00042", theme: "zorg-welzijn", intent: "contact", emergency: null, wijk: { name: "Luchen" }, tandem: { name: "Mierlo" } };
    const notice = renderHandoverNotice(facts, "https://wijklijn.test", "gebiedsregisseur");
    expect(notice.subject).toBe("Nieuw gesprek WL-2026-00042 · Luchen · Zorg en welzijn");
    expect(notice.text).toContain("Thema: Zorg en welzijn\nSoort: Contact met een medewerker");
    expect(notice.telegram).toContain("· Zorg en welzijn");
  });
});
