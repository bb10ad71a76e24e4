import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMailer } from "../../src/mail/mailer.ts";
import { captureLogger } from "../helpers/logger.ts";
import { sendDigest } from "../../src/digests/sendDigest.ts";
import { WeeklyDigestSchema } from "../../src/digests/weeklyDigest.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { PERSONAL_DATA, testSettings } from "./fixtures.ts";
import { decodeHeader, leafParts, parseMime, startLocalSmtp, type LocalSmtp } from "./localSmtp.ts";
import { seedWeekOfWethouderC } from "./seedDigestWeek.ts";

const WEEK = "2026-W48";
const now = () => new Date("2026-11-30T07:00:00Z");

describe("delivering a digest to a real SMTP server", () => {
  let t: TestDatabase;
  let smtp: LocalSmtp;
  let wethouderC: string;
  beforeAll(async () => {
    t = await createTestDatabase("sqlite", { seed: true });
    await seedWeekOfWethouderC(t.db);
    wethouderC = (await t.db.staffUser.findUniqueOrThrow({ where: { email: "wethouder.c@demo.wijklijn.nl" } })).id;
    smtp = await startLocalSmtp();
  });
  afterAll(async () => {
    await smtp?.close();
    await t?.drop();
  });

  it("sends one multipart e-mail with the bars in HTML, a text part, and no resident's personal data", async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, from: "Wijklijn <wijklijn@gemeente.test>", logger: captureLogger().logger });
    const telegram: Array<{ chatId: string; text: string }> = [];
    try {
      const result = await sendDigest(t.db, mailer, wethouderC, WEEK, {
        publicUrl: "https://wijklijn.example.nl/",
        settings: testSettings,
        now,
        telegramSend: async (chatId, text) => {
          telegram.push({ chatId, text });
        },
        telegramChatIdOf: async (id) => (id === wethouderC ? "424242" : null),
      });
      expect(result).toEqual({ status: "sent", to: "wethouder.c@demo.wijklijn.nl", telegram: "sent" });
    } finally {
      mailer.close();
    }

    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0];
    if (!mail) throw new Error("no mail");
    expect(mail.to).toEqual(["wethouder.c@demo.wijklijn.nl"]);
    expect(mail.from).toBe("wijklijn@gemeente.test");
    const message = parseMime(mail.raw);
    expect(decodeHeader(message.headers.get("subject") ?? "")).toBe("Wijklijn weekoverzicht week 48: 1 spoedsignaal, 9 nieuwe gesprekken, 2 wachten te lang");
    expect(message.headers.get("to")).toBe("wethouder.c@demo.wijklijn.nl");
    expect(message.headers.get("content-type")).toMatch(/^multipart\/alternative/);

    const parts = leafParts(message);
    const text = parts.find((p) => /^text\/plain/.test(p.headers.get("content-type") ?? ""))?.body ?? "";
    const html = parts.find((p) => /^text\/html/.test(p.headers.get("content-type") ?? ""))?.body ?? "";
    expect(text).toContain("WIJKLIJN · WEEKOVERZICHT WEEK 48");
    expect(text).toContain("Nieuwe gesprekken      9 (+38% t.o.v. gemiddeld 6,5)");
    expect(html).toContain("Onderwerpen per wijk");
    expect(html).toMatch(/<td width="100%" height="14" bgcolor="#2b7a9b"/);
    expect(html).toContain('href="https://wijklijn.example.nl/inbox/digests/2026-W48"');
    expect(html).not.toMatch(/<svg|<img/i);
    for (const leak of [...PERSONAL_DATA, "ongeluk"]) {
      expect(text).not.toContain(leak);
      expect(html).not.toContain(leak);
    }

    // The short version went to the linked Telegram chat, with the link to the archive.
    expect(telegram).toHaveLength(1);
    expect(telegram[0]?.chatId).toBe("424242");
    expect(telegram[0]?.text).toContain("https://wijklijn.example.nl/inbox/digests/2026-W48");

    // Recorded: sent, with the digest as it went out.
    const run = await t.db.digestRun.findUniqueOrThrow({ where: { wethouderId_week: { wethouderId: wethouderC, week: WEEK } } });
    expect(run.status).toBe("sent");
    expect(run.sentAt?.toISOString()).toBe("2026-11-30T07:00:00.000Z");
    expect(WeeklyDigestSchema.parse(JSON.parse(run.content ?? "")).total.newConversations.count).toBe(9);

    // Exactly once: a second attempt sends nothing.
    const second = createMailer({ smtpUrl: smtp.url, from: "wijklijn@gemeente.test", logger: captureLogger().logger });
    const again = await sendDigest(t.db, second, wethouderC, WEEK, { publicUrl: "https://wijklijn.example.nl", settings: testSettings, now }).finally(() => second.close());
    expect(again).toEqual({ status: "already-sent", sentAt: new Date("2026-11-30T07:00:00Z") });
    expect(smtp.received).toHaveLength(1);
  });

  it("marks a refused mail failed, and the next run sends it", async () => {
    const wethouderA = (await t.db.staffUser.findUniqueOrThrow({ where: { email: "wethouder.a@demo.wijklijn.nl" } })).id;
    const mailer = createMailer({ smtpUrl: smtp.url, from: "wijklijn@gemeente.test", logger: captureLogger().logger });
    const before = smtp.received.length;
    try {
      smtp.refuseNext(1);
      const failed = await sendDigest(t.db, mailer, wethouderA, WEEK, { publicUrl: "https://wijklijn.example.nl", settings: testSettings, now });
      expect(failed.status).toBe("failed");
      const run = await t.db.digestRun.findUniqueOrThrow({ where: { wethouderId_week: { wethouderId: wethouderA, week: WEEK } } });
      expect(run.status).toBe("failed");
      expect(run.lastError).toMatch(/550/);
      // The shared mailer's error names the SMTP step and code, never the address the server quoted.
      expect(run.lastError).not.toContain("wethouder.a@demo.wijklijn.nl");
      expect(smtp.received).toHaveLength(before);

      const retried = await sendDigest(t.db, mailer, wethouderA, WEEK, { publicUrl: "https://wijklijn.example.nl", settings: testSettings, now });
      expect(retried).toMatchObject({ status: "sent", to: "wethouder.a@demo.wijklijn.nl", telegram: "none" });
      expect(smtp.received).toHaveLength(before + 1);
      expect((await t.db.digestRun.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("sent");
    } finally {
      mailer.close();
    }
  });

  it("keeps the e-mail sent when the Telegram message fails, and says so on the run", async () => {
    const wethouderB = (await t.db.staffUser.findUniqueOrThrow({ where: { email: "wethouder.b@demo.wijklijn.nl" } })).id;
    const mailer = createMailer({ smtpUrl: smtp.url, from: "wijklijn@gemeente.test", logger: captureLogger().logger });
    try {
      const result = await sendDigest(t.db, mailer, wethouderB, WEEK, {
        publicUrl: "https://wijklijn.example.nl",
        settings: testSettings,
        now,
        telegramSend: async () => {
          throw new Error("Telegram: chat not found");
        },
        telegramChatIdOf: async () => "1",
      });
      expect(result).toMatchObject({ status: "sent", telegram: "failed" });
      const run = await t.db.digestRun.findUniqueOrThrow({ where: { wethouderId_week: { wethouderId: wethouderB, week: WEEK } } });
      expect(run.status).toBe("sent");
      expect(run.lastError).toMatch(/^telegram: .*chat not found/);
    } finally {
      mailer.close();
    }
  });
});
