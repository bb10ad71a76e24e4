import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createDb, type Db } from "../../src/db/client.ts";
import { startDigestSchedule, type DigestScheduleOptions } from "../../src/digests/digestSchedule.ts";
import { sendDigest, type DigestMailer } from "../../src/digests/sendDigest.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { captureLogger } from "../helpers/logger.ts";
import { local, testSettings } from "./fixtures.ts";

const WETHOUDERS = ["wethouder.a@demo.wijklijn.nl", "wethouder.b@demo.wijklijn.nl", "wethouder.c@demo.wijklijn.nl"];

/** A mailer that keeps what it sends; it can be slow, and refuse an address once. */
function recordingMailer(options: { delayMs?: number; failOnceFor?: string } = {}) {
  const sent: Array<{ to: string; week: number; at: Date }> = [];
  let failFor = options.failOnceFor;
  const mailer: DigestMailer = {
    async send(mail) {
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      if (mail.to === failFor) {
        failFor = undefined;
        throw new Error("451 4.3.0 try again later");
      }
      sent.push({ to: mail.to, week: Number(/week (\d+)/.exec(mail.subject)?.[1]), at: new Date() });
    },
  };
  return { mailer, sent };
}

function scheduleOptions(db: Db, mailer: DigestMailer, now: () => Date, extra: Partial<DigestScheduleOptions> = {}): DigestScheduleOptions {
  return { db, mailer, now, logger: captureLogger("silent").logger, publicUrl: "https://wijklijn.example.nl", officeHours: () => testSettings, runAtStart: false, ...extra };
}

async function wethouderIds(db: Db): Promise<string[]> {
  return (await db.staffUser.findMany({ where: { email: { in: WETHOUDERS } }, orderBy: { email: "asc" } })).map((s) => s.id);
}

async function markSent(db: Db, weeks: string[]): Promise<void> {
  const ids = await wethouderIds(db);
  await db.digestRun.createMany({ data: ids.flatMap((wethouderId) => weeks.map((week) => ({ wethouderId, week, status: "sent", sentAt: new Date("2026-01-01T00:00:00Z") }))) });
}

describeEachDatabase("the digest schedule catching up after downtime", (provider) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    await t.db.staffUser.updateMany({ where: { role: "wethouder" }, data: { createdAt: new Date("2026-01-01T00:00:00Z") } });
  });
  beforeEach(async () => {
    await t.db.digestRun.deleteMany();
  });
  afterAll(async () => t?.drop());

  it("sends last week's digest on Tuesday when the service was down on Monday, and only once", async () => {
    await markSent(t.db, ["2026-W45", "2026-W46", "2026-W47"]);
    const { mailer, sent } = recordingMailer();
    const schedule = startDigestSchedule(scheduleOptions(t.db, mailer, () => local("2026-12-01 10:00")));
    try {
      const report = await schedule.runDue();
      expect(report.weeks).toEqual(["2026-W45", "2026-W46", "2026-W47", "2026-W48"]);
      expect(sent.map((m) => [m.to, m.week])).toEqual(WETHOUDERS.map((to) => [to, 48]));
      expect((await schedule.runDue()).results).toEqual([]);
      expect(sent).toHaveLength(3);
    } finally {
      await schedule.stop();
    }
  });

  it("sends each missed week after three weeks down, oldest first, across week 53", async () => {
    await markSent(t.db, ["2026-W50"]);
    const { mailer, sent } = recordingMailer();
    const schedule = startDigestSchedule(scheduleOptions(t.db, mailer, () => local("2027-01-05 10:00")));
    try {
      await schedule.runDue();
      expect(sent.map((m) => m.week)).toEqual([51, 51, 51, 52, 52, 52, 53, 53, 53]);
      expect(await t.db.digestRun.count({ where: { status: "sent", week: { in: ["2026-W51", "2026-W52", "2026-W53"] } } })).toBe(9);
    } finally {
      await schedule.stop();
    }
  });

  it("catches up at most the last four weeks", async () => {
    const { mailer, sent } = recordingMailer();
    const schedule = startDigestSchedule(scheduleOptions(t.db, mailer, () => local("2027-03-02 10:00")));
    try {
      await schedule.runDue();
      expect([...new Set(sent.map((m) => m.week))]).toEqual([5, 6, 7, 8]);
      expect(sent).toHaveLength(12);
      expect((await t.db.digestRun.findMany({ distinct: ["week"], orderBy: { week: "asc" } })).map((r) => r.week)).toEqual(["2027-W05", "2027-W06", "2027-W07", "2027-W08"]);
    } finally {
      await schedule.stop();
    }
  });

  it("does not send a new wethouder the digests of weeks before their account existed", async () => {
    const gemeente = await t.db.gemeente.findFirstOrThrow();
    const tandem = await t.db.tandem.findFirstOrThrow({ where: { slug: "mierlo" } });
    const d = await t.db.staffUser.create({
      data: { gemeenteId: gemeente.id, email: "wethouder.d@demo.wijklijn.nl", displayName: "Wethouder D", role: "wethouder", createdAt: local("2026-12-01 09:00") },
    });
    await t.db.tandemMember.create({ data: { tandemId: tandem.id, staffUserId: d.id, role: "wethouder" } });
    try {
      await markSent(t.db, ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]);
      const { mailer, sent } = recordingMailer();
      let clock = local("2026-12-01 10:00");
      const schedule = startDigestSchedule(scheduleOptions(t.db, mailer, () => clock));
      try {
        await schedule.runDue();
        expect(sent).toEqual([]);
        clock = local("2026-12-07 08:00");
        await schedule.runDue();
        expect(sent.map((m) => [m.to, m.week])).toEqual([...WETHOUDERS, "wethouder.d@demo.wijklijn.nl"].map((to) => [to, 49]));
      } finally {
        await schedule.stop();
      }
    } finally {
      await t.db.staffUser.delete({ where: { id: d.id } });
    }
  });
});

describeEachDatabase("exactly-once sending with two instances on one database", (provider) => {
  let t: TestDatabase;
  let other: Db;
  const now = () => local("2026-12-01 10:00");
  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    other = createDb(t.url);
    if (provider === "sqlite") {
      for (const db of [t.db, other]) {
        await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
        await db.$queryRawUnsafe("PRAGMA busy_timeout = 10000");
      }
    }
    // Accounts made just before week 48's digest fell due: that is the only week due.
    await t.db.staffUser.updateMany({ where: { role: "wethouder" }, data: { createdAt: local("2026-11-25 12:00") } });
  });
  beforeEach(async () => {
    await t.db.digestRun.deleteMany();
  });
  afterAll(async () => {
    await other?.$disconnect();
    await t?.drop();
  });

  it("sends each wethouder's digest once when two schedulers start and run at the same moment", async () => {
    const { mailer, sent } = recordingMailer({ delayMs: 30 });
    const a = startDigestSchedule(scheduleOptions(t.db, mailer, now, { runAtStart: true }));
    const b = startDigestSchedule(scheduleOptions(other, mailer, now, { runAtStart: true }));
    try {
      await Promise.all([a.runDue(), b.runDue(), a.runDue(), b.runDue()]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(sent.map((m) => m.to).sort()).toEqual(WETHOUDERS);
    expect(sent.every((m) => m.week === 48)).toBe(true);
    const runs = await t.db.digestRun.findMany();
    expect(runs).toHaveLength(3);
    expect(runs.every((r) => r.status === "sent" && r.week === "2026-W48")).toBe(true);
  });

  it("gives one mail for many simultaneous sends of one digest", async () => {
    const { mailer, sent } = recordingMailer({ delayMs: 20 });
    const [wethouderA] = await wethouderIds(t.db);
    if (!wethouderA) throw new Error("no wethouder");
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => sendDigest(i % 2 === 0 ? t.db : other, mailer, wethouderA, "2026-W48", { publicUrl: "https://wijklijn.example.nl", settings: testSettings, now })),
    );
    expect(results.filter((r) => r.status === "sent")).toHaveLength(1);
    expect(results.every((r) => r.status === "sent" || r.status === "in-progress" || r.status === "already-sent")).toBe(true);
    expect(sent).toHaveLength(1);
  });

  it("retries a failed send on the next run (from either instance) and sends it once", async () => {
    const { mailer, sent } = recordingMailer({ failOnceFor: "wethouder.b@demo.wijklijn.nl" });
    const a = startDigestSchedule(scheduleOptions(t.db, mailer, now));
    const b = startDigestSchedule(scheduleOptions(other, mailer, now));
    try {
      const first = await a.runDue();
      expect(first.results.map((r) => r.result.status)).toEqual(["sent", "failed", "sent"]);
      const failed = await t.db.digestRun.findMany({ where: { status: "failed" }, include: { wethouder: true } });
      expect(failed.map((r) => [r.wethouder.email, r.lastError])).toEqual([["wethouder.b@demo.wijklijn.nl", "451 4.3.0 try again later"]]);
      const second = await b.runDue();
      expect(second.results.map((r) => r.result.status)).toEqual(["sent"]);
      expect(sent.map((m) => m.to)).toEqual(["wethouder.a@demo.wijklijn.nl", "wethouder.c@demo.wijklijn.nl", "wethouder.b@demo.wijklijn.nl"]);
      expect((await a.runDue()).results).toEqual([]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("leaves a run being sent alone, but takes it over once its instance has been silent for 30 minutes", async () => {
    const [wethouderA] = await wethouderIds(t.db);
    if (!wethouderA) throw new Error("no wethouder");
    const run = await t.db.digestRun.create({ data: { wethouderId: wethouderA, week: "2026-W48", status: "building", createdAt: new Date(now().getTime() - 10 * 60_000) } });
    const { mailer, sent } = recordingMailer();
    expect(await sendDigest(other, mailer, wethouderA, "2026-W48", { publicUrl: "https://x.test", settings: testSettings, now })).toEqual({ status: "in-progress" });
    await t.db.digestRun.update({ where: { id: run.id }, data: { createdAt: new Date(now().getTime() - 31 * 60_000) } });
    expect(await sendDigest(other, mailer, wethouderA, "2026-W48", { publicUrl: "https://x.test", settings: testSettings, now })).toMatchObject({ status: "sent" });
    expect(sent).toHaveLength(1);
  });
});

describe("the digest timer with fake time across the DST changes", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("sqlite", { seed: true });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => t?.drop());

  /** Starts the schedule at `start` (fake clock), accounts made at `accountsMade`; returns a way to move time. */
  async function startAt(start: string, accountsMade: Date, settings?: DigestScheduleOptions["settings"]) {
    await t.db.digestRun.deleteMany();
    await t.db.staffUser.updateMany({ where: { role: "wethouder" }, data: { createdAt: accountsMade } });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"], now: new Date(start) });
    const { mailer, sent } = recordingMailer();
    const schedule = startDigestSchedule(scheduleOptions(t.db, mailer, () => new Date(), { runAtStart: true, ...(settings ? { settings } : {}) }));
    const advanceTo = async (iso: string) => {
      await vi.advanceTimersByTimeAsync(new Date(iso).getTime() - Date.now());
      // Wait for a pass the timer started (a new pass queues after it and finds nothing left to do).
      return schedule.runDue();
    };
    return { schedule, sent, advanceTo };
  }

  it("sends at 06:00Z on the Monday after the spring change (08:00 summer time), not at 07:00Z", async () => {
    // Sunday 29 March 2026, after the clocks went forward at 01:00Z. Rechecks fall at :07, :22, :37, :52.
    const { schedule, sent, advanceTo } = await startAt("2026-03-29T12:07:00Z", new Date("2026-03-25T00:00:00Z"));
    try {
      expect(schedule.nextDueAt().toISOString()).toBe("2026-03-30T06:00:00.000Z");
      expect((await advanceTo("2026-03-30T05:59:00Z")).results).toEqual([]);
      expect(sent).toEqual([]);
      const after = await advanceTo("2026-03-30T06:00:05Z");
      expect(after.results).toEqual([]); // the timer's pass had sent them already
      expect(sent.map((m) => m.week)).toEqual([13, 13, 13]);
      for (const mail of sent) expect(mail.at.toISOString()).toBe("2026-03-30T06:00:01.000Z");
      expect(schedule.nextDueAt().toISOString()).toBe("2026-04-06T06:00:00.000Z");
    } finally {
      await schedule.stop();
    }
  });

  it("sends at 07:00Z on the Monday after the autumn change (08:00 winter time), not at 06:00Z", async () => {
    // Sunday 25 October 2026, after the clocks went back at 01:00Z.
    const { schedule, sent, advanceTo } = await startAt("2026-10-25T12:07:00Z", new Date("2026-10-21T00:00:00Z"));
    try {
      expect(schedule.nextDueAt().toISOString()).toBe("2026-10-26T07:00:00.000Z");
      await advanceTo("2026-10-26T06:30:00Z");
      expect(sent).toEqual([]);
      await advanceTo("2026-10-26T07:00:05Z");
      expect(sent.map((m) => m.week)).toEqual([43, 43, 43]);
      for (const mail of sent) expect(mail.at.toISOString()).toBe("2026-10-26T07:00:01.000Z");
    } finally {
      await schedule.stop();
    }
  });

  it("sends on the first start after downtime, and follows a configured weekday and time", async () => {
    // Friday 16:30: week 47's digest was due on Friday 4 December; the service starts on Saturday.
    const { schedule, sent, advanceTo } = await startAt("2026-12-05T09:00:00Z", new Date("2026-11-01T00:00:00Z"), { weekday: 5, time: "16:30" });
    try {
      await advanceTo("2026-12-05T09:00:01Z");
      // Weeks 45–48 fell due on the Fridays after them; week 48's on 4 December 15:30Z.
      expect([...new Set(sent.map((m) => m.week))]).toEqual([45, 46, 47, 48]);
      expect(schedule.nextDueAt().toISOString()).toBe("2026-12-11T15:30:00.000Z");
    } finally {
      await schedule.stop();
    }
  });
});
