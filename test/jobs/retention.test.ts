/**
 * Retention: what is older than its period is emptied or removed, what is newer stays; several
 * instances at once do the day's work once; the log and the audit row hold counts, never content.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.ts";
import type { RetentionPeriods } from "../../src/config/env.ts";
import { runDailyRetention } from "../../src/jobs/retention.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { captureLogger } from "../helpers/logger.ts";

const NOW = new Date("2026-12-03T04:00:00Z");
const DAY = 86_400_000;
const PERIODS: RetentionPeriods = { messageMonths: 12, identityMonths: 24, loginAttemptDays: 30, auditYears: 5 };
const OLD_TEXT = "Oude klacht over de buren van nummer 13 Xylofoonstraat";
const NEW_TEXT = "Nieuwe vraag over het grofvuil bij de Yucca-hof";

describeEachDatabase("retention", (provider) => {
  let t: TestDatabase;
  let mediaDir: string;
  const ids = { oldConversation: "", newConversation: "", oldResident: "", activeResident: "" };

  async function resident(lastSeenAt: Date, externalId: string) {
    const gemeente = await t.db.gemeente.findFirstOrThrow();
    const created = await t.db.resident.create({ data: { gemeenteId: gemeente.id, lastSeenAt, createdAt: lastSeenAt } });
    const identity = await t.db.channelIdentity.create({ data: { residentId: created.id, channel: "whatsapp", externalId, lastSeenAt } });
    return { gemeenteId: gemeente.id, residentId: created.id, identityId: identity.id };
  }

  async function conversation(owner: Awaited<ReturnType<typeof resident>>, reference: string, resolvedAt: Date, text: string, photo: string) {
    const created = await t.db.conversation.create({
      data: {
        reference,
        gemeenteId: owner.gemeenteId,
        residentId: owner.residentId,
        channelIdentityId: owner.identityId,
        channel: "whatsapp",
        status: "resolved",
        intent: "melding",
        theme: "overlast",
        resolvedAt,
        createdAt: resolvedAt,
        state: JSON.stringify({ vars: { description: text } }),
      },
    });
    await t.db.message.create({ data: { conversationId: created.id, direction: "in", authorKind: "resident", text, channel: "whatsapp", createdAt: resolvedAt } });
    await t.db.message.create({ data: { conversationId: created.id, direction: "in", authorKind: "resident", mediaRef: `photo:webchat/${photo}.jpg`, channel: "whatsapp", createdAt: resolvedAt } });
    writeFileSync(join(mediaDir, "webchat", `${photo}.jpg`), Buffer.from([0xff, 0xd8, 0xff]));
    return created.id;
  }

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    mediaDir = mkdtempSync(join(tmpdir(), "wijklijn-retention-"));
    mkdirSync(join(mediaDir, "webchat"));
    // Seen recently, with a conversation resolved 13 months ago and one resolved last month.
    const active = await resident(new Date(NOW.getTime() - 5 * DAY), "31600000001");
    ids.activeResident = active.residentId;
    ids.oldConversation = await conversation(active, "WL-2025-90001", new Date(NOW.getTime() - 400 * DAY), OLD_TEXT, "0a0a0a0a-0000-4000-8000-000000000001");
    ids.newConversation = await conversation(active, "WL-2026-90002", new Date(NOW.getTime() - 30 * DAY), NEW_TEXT, "0a0a0a0a-0000-4000-8000-000000000002");
    // Not seen for 25 months.
    const gone = await resident(new Date(NOW.getTime() - 25 * 31 * DAY), "31600000002");
    ids.oldResident = gone.residentId;
    await conversation(gone, "WL-2024-90003", new Date(NOW.getTime() - 25 * 31 * DAY), "Heel oud bericht", "0a0a0a0a-0000-4000-8000-000000000003");
    await t.db.loginAttempt.createMany({
      data: [
        { key: "email:old", success: false, at: new Date(NOW.getTime() - 31 * DAY) },
        { key: "email:new", success: false, at: new Date(NOW.getTime() - 29 * DAY) },
      ],
    });
    await t.db.auditEvent.createMany({
      data: [
        { actorKind: "system", action: "import.wijken", subjectType: "Gemeente", subjectId: "old", at: new Date(NOW.getTime() - 6 * 365 * DAY) },
        { actorKind: "system", action: "import.wijken", subjectType: "Gemeente", subjectId: "new", at: new Date(NOW.getTime() - 4 * 365 * DAY) },
      ],
    });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("counts without changing anything on --dry-run, and lists the command in --help", async () => {
    const out: string[] = [];
    const io = { out: (line: string) => out.push(line), err: (line: string) => out.push(line), env: { DATABASE_URL: t.url, DATA_DIR: mediaDir } };
    expect(await runCli(["retention", "--dry-run"], io)).toBe(0);
    expect(out.join("\n")).toMatch(/dry run/);
    expect(out.join("\n")).toMatch(/residents removed: 1/);
    expect(await t.db.message.count({ where: { text: OLD_TEXT } })).toBe(1);
    expect(await t.db.resident.count({ where: { id: ids.oldResident } })).toBe(1);
    const help: string[] = [];
    await runCli(["--help"], { ...io, out: (line: string) => help.push(line) });
    expect(help.join("\n")).toContain("retention [--dry-run]");
  });

  it("runs once when two instances start it at the same moment, removing only what is older than its period", async () => {
    const { logger, lines } = captureLogger("debug");
    const deps = { db: t.db, logger, periods: PERIODS, timeZone: "Europe/Amsterdam", mediaDir, now: () => NOW };
    const results = await Promise.all([runDailyRetention({ ...deps, instance: "a" }), runDailyRetention({ ...deps, instance: "b" })]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await runDailyRetention({ ...deps, instance: "c" })).toBeNull();

    // Messages of the conversation resolved 13 months ago are empty, their photo file gone; last month's stay.
    const old = await t.db.conversation.findUniqueOrThrow({ where: { id: ids.oldConversation }, include: { messages: true } });
    expect(old.messages.map((m) => [m.text, m.mediaRef])).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(old.state).toBe("{}");
    expect(old.theme).toBe("overlast");
    expect(existsSync(join(mediaDir, "webchat", "0a0a0a0a-0000-4000-8000-000000000001.jpg"))).toBe(false);
    const recent = await t.db.conversation.findUniqueOrThrow({ where: { id: ids.newConversation }, include: { messages: true } });
    expect(recent.messages.map((m) => m.text)).toContain(NEW_TEXT);
    expect(existsSync(join(mediaDir, "webchat", "0a0a0a0a-0000-4000-8000-000000000002.jpg"))).toBe(true);
    // The resident not seen for 25 months is gone with their number; the conversation is an anonymous count.
    expect(await t.db.resident.count({ where: { id: ids.oldResident } })).toBe(0);
    expect(await t.db.channelIdentity.count({ where: { externalId: "31600000002" } })).toBe(0);
    expect(await t.db.conversation.count({ where: { reference: "WL-2024-90003", residentId: null } })).toBe(1);
    expect(await t.db.resident.count({ where: { id: ids.activeResident } })).toBe(1);
    // Sign-in attempts after 30 days, audit rows after 5 years.
    expect((await t.db.loginAttempt.findMany()).map((a) => a.key)).toEqual(["email:new"]);
    expect(await t.db.auditEvent.count({ where: { subjectId: "old" } })).toBe(0);
    expect(await t.db.auditEvent.count({ where: { subjectId: "new" } })).toBe(1);

    // Logged and audited as counts, never content.
    const audit = await t.db.auditEvent.findMany({ where: { action: "retention.applied" } });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]?.data ?? "{}")).toMatchObject({ messagesEmptied: 4, residentsRemoved: 1, loginAttemptsDeleted: 1, auditEventsDeleted: 1 });
    const logged = lines.join("\n");
    expect(logged).toMatch(/Retention applied/);
    for (const secret of [OLD_TEXT, "Heel oud bericht", "31600000002", NEW_TEXT]) {
      expect(logged).not.toContain(secret);
      expect(audit[0]?.data).not.toContain(secret);
    }
  });
});
