/**
 * Erasure is complete: a resident who used every feature (a melding with a photo and a place, staff
 * reply and note, a WhatsApp number and a Telegram chat, wijkberichten, a dialoogtafel, a digest
 * quote, an export link) erases their data from the chat, the CLI or the admin page; afterwards no
 * table (every table the database holds, so a new one is covered at once) and, on SQLite, not the
 * database file nor its write-ahead log holds their sentence, phone number or chat ids.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import { afterEach, beforeEach, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.ts";
import { createStaffSession } from "../../src/db/session.repo.ts";
import { createApp } from "../../src/http/app.ts";
import { sqliteFilePath } from "../../src/db/client.ts";
import { quoteForDigest } from "../../src/digests/redactQuote.ts";
import { privacyRoutes } from "../../src/privacy/privacy.routes.ts";
import { completeErasures } from "../../src/privacy/residentData.ts";
import { ERASURE_NOTE } from "../../src/db/residentData.repo.ts";
import { createBotHarness, joined, type BotHarness, type Resident } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

const SENTENCE = "Mijn buurman Quirijn Zevenbergen laat zijn hond elke nacht op de Vlierbesgaarde blaffen";
const PLACE = "Achter het hek van Vlierbesgaarde 41 bij de garageboxen";
const PHONE = "31612398745";
const TELEGRAM_CHAT = "918273645";
const SECRET = "test-secret-test-secret-test-secret";

/** Every row of every table the database holds, as text (the catalogue, not a list kept by hand). */
async function everyTableAsText(harness: BotHarness): Promise<Map<string, string>> {
  const { db, provider } = harness.t;
  const tables: Array<{ name: string }> =
    provider === "sqlite"
      ? await db.$queryRawUnsafe("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      : await db.$queryRawUnsafe("SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'");
  expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["Message", "ChannelIdentity", "DigestRun", "AuditEvent", "OutboxMessage"]));
  const contents = new Map<string, string>();
  for (const { name } of tables) {
    const rows: unknown[] = await db.$queryRawUnsafe(`SELECT * FROM "${name}"`);
    contents.set(
      name,
      JSON.stringify(rows, (_key, value) => (typeof value === "bigint" ? value.toString() : value)),
    );
  }
  return contents;
}

/** What must be found nowhere once the resident is erased. */
function traces(resident: Resident): string[] {
  return [SENTENCE, "Quirijn Zevenbergen", PLACE, PHONE, TELEGRAM_CHAT, resident.externalId];
}

async function expectNoTraceInTables(harness: BotHarness, resident: Resident): Promise<void> {
  for (const [table, text] of await everyTableAsText(harness)) {
    for (const trace of traces(resident)) expect(text.includes(trace), `table ${table} still holds "${trace}"`).toBe(false);
  }
}

function expectNoTraceInSqliteFiles(harness: BotHarness, resident: Resident): void {
  if (harness.t.provider !== "sqlite") return;
  const file = sqliteFilePath(harness.t.url);
  for (const path of [file, `${file}-wal`, `${file}-journal`]) {
    if (!existsSync(path)) continue;
    const bytes = readFileSync(path);
    for (const trace of traces(resident)) expect(bytes.includes(Buffer.from(trace, "utf8")), `${path} still holds "${trace}"`).toBe(false);
  }
}

/** Runs the outbox until nothing is left to send (one message per resident per round). */
async function deliverEverything(harness: BotHarness): Promise<void> {
  for (let round = 0; round < 50 && (await harness.bot.dispatcher.runOnce()) > 0; round++);
  expect(await harness.t.db.outboxMessage.count({ where: { status: { in: ["pending", "sending"] } } })).toBe(0);
}

describeEachDatabase("erasing a resident", (provider) => {
  let harness: BotHarness;
  let mediaDir: string;
  let server: Server;
  let baseUrl: string;

  beforeEach(async () => {
    mediaDir = mkdtempSync(join(tmpdir(), "wijklijn-media-"));
    harness = await createBotHarness(provider, new Date("2026-11-26T10:00:00+01:00"), { mediaDir });
    const app = express();
    app.use(privacyRoutes({ db: harness.t.db, secret: SECRET, now: () => harness.clock.now }));
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    const address = server.address();
    baseUrl = typeof address === "object" && address ? `http://127.0.0.1:${address.port}` : "";
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await harness.close();
  });

  /** A resident who did everything Wijklijn offers; returns their export link and photo file. */
  async function residentWhoUsedEverything(resident: Resident): Promise<{ exportLink: string; photoFile: string; residentId: string }> {
    const { db } = harness.t;
    await resident.say("hoi");
    await resident.tap("yes");
    await resident.say("5731 BC");
    await resident.say("ja");
    expect(joined(await resident.say(SENTENCE))).toContain("foto");
    mkdirSync(join(mediaDir, "webchat"), { recursive: true });
    const photoFile = join(mediaDir, "webchat", "f1e2d3c4-0000-4000-8000-000000000001.jpg");
    writeFileSync(photoFile, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]));
    await resident.send({ media: { ref: "webchat/f1e2d3c4-0000-4000-8000-000000000001.jpg", kind: "photo" } });
    await resident.say(PLACE);
    await resident.say("2");
    expect(joined(await resident.tap("chat"))).toContain("WL-2026-");

    const identity = await db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "webchat", externalId: resident.externalId } } });
    const residentId = identity.residentId;
    const [conversation] = await resident.conversations();
    if (!conversation) throw new Error("no conversation");
    const staff = await db.staffUser.findFirstOrThrow({ where: { role: "gebiedsregisseur" } });
    // Staff answered and noted, quoting the resident.
    await db.message.create({
      data: {
        conversationId: conversation.id,
        direction: "out",
        authorKind: "staff",
        authorStaffId: staff.id,
        text: `Over "${SENTENCE}": we gaan kijken`,
        channel: "webchat",
        createdAt: harness.clock.now,
      },
    });
    await db.message.create({
      data: { conversationId: conversation.id, direction: "note", authorKind: "staff", authorStaffId: staff.id, text: `Belde met ${PHONE}`, channel: "webchat", createdAt: harness.clock.now },
    });
    // The same resident on WhatsApp and Telegram, subscribed to wijkberichten and signed up for a dialoogtafel.
    const whatsapp = await db.channelIdentity.create({ data: { residentId, channel: "whatsapp", externalId: PHONE } });
    await db.channelIdentity.create({ data: { residentId, channel: "telegram", externalId: TELEGRAM_CHAT } });
    const wijk = await db.wijk.findFirstOrThrow({ where: { slug: "luchen" } });
    await db.subscription.create({ data: { residentId, wijkId: wijk.id, channelIdentityId: whatsapp.id } });
    const tafel = await db.dialoogtafel.findFirstOrThrow();
    await db.registration.create({ data: { dialoogtafelId: tafel.id, residentId, status: "registered" } });
    await db.outboxMessage.create({
      data: { residentId, channelIdentityId: whatsapp.id, channel: "whatsapp", payload: JSON.stringify({ text: `Je schreef: ${SENTENCE}`, buttons: [] }), status: "sent", sentAt: new Date() },
    });
    // A wethouder's digest quoted them.
    const quote = quoteForDigest(SENTENCE);
    expect(quote).toContain("Vlierbesgaarde");
    const wethouder = await db.staffUser.findFirstOrThrow({ where: { role: "wethouder" } });
    const otherQuote = { text: "De lantaarnpalen in het park doen het weer, fijn!", wijk: "luchen", wijkName: "Luchen", theme: "verkeer", themeLabel: "Verkeer" };
    await db.digestRun.create({
      data: {
        wethouderId: wethouder.id,
        week: "2026-W48",
        status: "sent",
        content: JSON.stringify({ week: "2026-W48", quotes: [{ text: quote, wijk: "luchen", wijkName: "Luchen", theme: "overlast", themeLabel: "Overlast" }, otherQuote] }),
      },
    });
    // And asked for their data: the link works.
    await resident.say("privacy");
    const shown = joined(await resident.tap("inzien"));
    const exportLink = /\/privacy\/export\/(\S+)/.exec(shown)?.[1];
    if (!exportLink) throw new Error(`no export link in: ${shown}`);
    const before = await fetch(`${baseUrl}/privacy/export/${exportLink}`);
    expect(before.status).toBe(200);
    expect(await before.text()).toContain("Vlierbesgaarde");
    return { exportLink, photoFile, residentId };
  }

  async function expectErased(resident: Resident, used: { exportLink: string; photoFile: string }, conversationsBefore: number): Promise<void> {
    const { db } = harness.t;
    await expectNoTraceInTables(harness, resident);
    expectNoTraceInSqliteFiles(harness, resident);
    expect(existsSync(used.photoFile), "the web chat photo file").toBe(false);
    expect((await fetch(`${baseUrl}/privacy/export/${used.exportLink}`)).status).toBe(404);
    // The conversations stay only as anonymous counts: no resident, no flow answers, no messages but the note that says why.
    const conversations = await db.conversation.findMany({ include: { messages: true } });
    expect(conversations.length).toBe(conversationsBefore);
    for (const conversation of conversations) {
      expect(conversation.residentId).toBeNull();
      expect(conversation.channelIdentityId).toBeNull();
      expect(conversation.messages.map((m) => ({ direction: m.direction, authorKind: m.authorKind, text: m.text }))).toEqual(
        conversation.status === "resolved" && conversation.tandemId ? [{ direction: "note", authorKind: "bot", text: ERASURE_NOTE }] : [],
      );
      expect(conversation.state).toBe("{}");
    }
    // The melding staff had stays in their inbox: resolved, with the note, in its wijk and tandem.
    const melding = conversations.find((c) => c.intent === "melding");
    expect(melding?.status).toBe("resolved");
    expect(melding?.tandemId).not.toBeNull();
    expect(melding?.messages.map((m) => m.text)).toEqual([ERASURE_NOTE]);
    expect(await db.registration.count()).toBe(0);
    expect(await db.subscription.count()).toBe(0);
    expect(await db.resident.count()).toBe(0);
    // The other resident's quote stays in the digest.
    const digest = await db.digestRun.findFirstOrThrow();
    expect(digest.content).toContain("lantaarnpalen");
    for (const line of harness.logs) expect(line).not.toContain("Zevenbergen");
  }

  it("leaves nothing that identifies the resident after erasure in the chat", async () => {
    const resident = harness.resident();
    const used = await residentWhoUsedEverything(resident);
    const conversationsBefore = await harness.t.db.conversation.count();
    await resident.say("privacy");
    expect(joined(await resident.tap("wissen"))).toContain("Weet je het zeker?");
    expect(joined(await resident.say("ja"))).toContain("Ik heb al je gegevens gewist");
    // The export link dies at once; the chat itself goes once the confirmation is delivered.
    expect((await fetch(`${baseUrl}/privacy/export/${used.exportLink}`)).status).toBe(404);
    await deliverEverything(harness);
    await completeErasures(harness.t.db, { now: new Date(harness.clock.now.getTime() + 60 * 60_000), mediaDir });
    await expectErased(resident, used, conversationsBefore);
  });

  it("tells staff, without any personal data, when a resident erases their data while a melding is open", async () => {
    const resident = harness.resident();
    await resident.say("hoi");
    await resident.tap("yes");
    await resident.say("5731 BC");
    await resident.say("ja");
    await resident.say(SENTENCE);
    await resident.tap("skip");
    await resident.tap("skip");
    await resident.say("3");
    expect(joined(await resident.tap("chat"))).toContain("WL-2026-");
    const [before] = await resident.conversations();
    expect(before?.status).toBe("open");
    await resident.say("privacy");
    await resident.tap("wissen");
    expect(joined(await resident.say("ja"))).toContain("Ik heb al je gegevens gewist");
    const conversation = await harness.t.db.conversation.findUniqueOrThrow({ where: { id: before?.id ?? "" }, include: { tandem: true, messages: { where: { direction: "note" } } } });
    // Still in the tandem's inbox, resolved, with a note that says why it is empty.
    expect(conversation.tandem?.slug).toBe("mierlo");
    expect(conversation.status).toBe("resolved");
    expect(conversation.messages.map((m) => m.text)).toEqual([ERASURE_NOTE]);
    expect(ERASURE_NOTE).toContain("De bewoner heeft zijn gegevens laten wissen");
    expect(JSON.stringify(conversation)).not.toContain("Vlierbesgaarde");
    // Once the erasure is completed, the note is all that is left.
    await deliverEverything(harness);
    await completeErasures(harness.t.db, { now: new Date(harness.clock.now.getTime() + 60 * 60_000), mediaDir });
    const after = await harness.t.db.conversation.findUniqueOrThrow({ where: { id: before?.id ?? "" }, include: { messages: true } });
    expect(after.tandemId).toBe(conversation.tandemId);
    expect(after.messages.map((m) => m.text)).toEqual([ERASURE_NOTE]);
  });

  it("starts afresh, and keeps the new messages, when the resident writes again before the erasure is completed", async () => {
    const resident = harness.resident();
    await resident.say("hoi");
    await resident.tap("yes");
    await resident.say("privacy");
    await resident.tap("wissen");
    expect(joined(await resident.say("ja"))).toContain("Ik heb al je gegevens gewist");
    expect(joined(await resident.say("Hallo, ik ben er weer"))).toContain("Vind je dat goed?");
    await deliverEverything(harness);
    expect(await completeErasures(harness.t.db, { now: new Date(harness.clock.now.getTime() + 60 * 60_000), mediaDir })).toBe(0);
    const texts = (await resident.conversations()).flatMap((c) => c.messages.map((m) => m.text));
    expect(texts).toContain("Hallo, ik ben er weer");
  });

  it("leaves nothing that identifies the resident after erasure from the CLI", async () => {
    const resident = harness.resident();
    const used = await residentWhoUsedEverything(resident);
    const conversationsBefore = await harness.t.db.conversation.count();
    const out: string[] = [];
    const io = { out: (line: string) => out.push(line), err: (line: string) => out.push(line), env: { DATABASE_URL: harness.t.url, DATA_DIR: join(mediaDir, "..", "x") } };
    // The CLI finds photos under DATA_DIR/media.
    const dataDir = mkdtempSync(join(tmpdir(), "wijklijn-data-"));
    mkdirSync(join(dataDir, "media", "webchat"), { recursive: true });
    const photoInDataDir = join(dataDir, "media", "webchat", "f1e2d3c4-0000-4000-8000-000000000001.jpg");
    writeFileSync(photoInDataDir, readFileSync(used.photoFile));
    io.env.DATA_DIR = dataDir;
    expect(await runCli(["privacy", "erase", "--resident", used.residentId], io)).toBe(0);
    expect(existsSync(photoInDataDir)).toBe(false);
    await expectErased(resident, { ...used, photoFile: photoInDataDir }, conversationsBefore);
  });

  it("leaves nothing that identifies the resident after erasure from the admin page", async () => {
    const resident = harness.resident();
    const used = await residentWhoUsedEverything(resident);
    const conversationsBefore = await harness.t.db.conversation.count();
    const [conversation] = await resident.conversations();
    const app = createApp({ db: harness.t.db, provider, logger: captureLogger("error").logger, bot: harness.bot, secret: SECRET, timeZone: "Europe/Amsterdam", mediaDir });
    const served = await listen(app);
    try {
      const admin = await harness.t.db.staffUser.findFirstOrThrow({ where: { role: "admin" } });
      const session = await createStaffSession(harness.t.db, admin.id);
      const erase = (fields: Record<string, string>) =>
        fetch(`${served.url}/inbox/admin/erase`, {
          method: "POST",
          redirect: "manual",
          headers: { cookie: `wl_staff=${session.id}`, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ _csrf: session.csrfToken, ...fields }),
        });
      // Without the confirmation nothing happens.
      expect((await erase({ reference: conversation?.reference ?? "" })).headers.get("location")).toContain("fout=wissen-bevestigen");
      expect(await harness.t.db.resident.count()).toBe(1);
      expect((await erase({ reference: conversation?.reference ?? "", confirm: "ja" })).headers.get("location")).toContain("gedaan=gewist");
    } finally {
      await served.close();
    }
    await expectErased(resident, used, conversationsBefore);
    const audit = await harness.t.db.auditEvent.findFirstOrThrow({ where: { action: "resident.erased" } });
    expect(audit.actorKind).toBe("staff");
  });

  it("forgets a photo a resident sent before declining consent, file and all", async () => {
    const resident = harness.resident();
    mkdirSync(join(mediaDir, "webchat"), { recursive: true });
    const photoFile = join(mediaDir, "webchat", "a0a0a0a0-0000-4000-8000-000000000002.jpg");
    writeFileSync(photoFile, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]));
    await resident.send({ media: { ref: "webchat/a0a0a0a0-0000-4000-8000-000000000002.jpg", kind: "photo" } });
    await resident.tap("no");
    expect(existsSync(photoFile)).toBe(false);
  });
});
