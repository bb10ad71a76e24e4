import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.ts";
import { createDb, type Db } from "../../src/db/client.ts";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import { runWijkberichtRound } from "../../src/jobs/wijkberichtSender.ts";
import { createEmptyDatabaseUrl, describeEachDatabase } from "../helpers/db.ts";
import { captureLogger } from "../helpers/logger.ts";

function capture(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line), env }, out, err };
}

describeEachDatabase("the privacy and broadcast commands", (provider) => {
  let url: string;
  let drop: () => Promise<void>;
  let db: Db;
  let residentId = "";
  const dir = mkdtempSync(join(tmpdir(), "wijklijn-broadcast-"));

  beforeAll(async () => {
    ({ url, drop } = await createEmptyDatabaseUrl(provider));
    expect(await runCli(["seed", "demo"], capture({ DATABASE_URL: url }).io)).toBe(0);
    db = createDb(url);
    const gemeente = await db.gemeente.findFirstOrThrow();
    const wijk = await db.wijk.findFirstOrThrow({ where: { slug: "luchen" } });
    const resident = await db.resident.create({ data: { gemeenteId: gemeente.id, wijkId: wijk.id } });
    residentId = resident.id;
    const identity = await db.channelIdentity.create({ data: { residentId, channel: "telegram", externalId: "777" } });
    await db.subscription.create({ data: { residentId, wijkId: wijk.id, channelIdentityId: identity.id } });
    const conversation = await db.conversation.create({
      data: { reference: "WL-2026-09999", gemeenteId: gemeente.id, residentId, channelIdentityId: identity.id, channel: "telegram", wijkId: wijk.id },
    });
    await db.message.create({ data: { conversationId: conversation.id, direction: "in", authorKind: "resident", text: "De stoep is kapot", channel: "telegram", channelMessageId: "777:1" } });
  });
  afterAll(async () => {
    await db?.$disconnect();
    await drop?.();
  });

  it("queues a wijkbericht for the subscribers as bulk (after replies), or only counts them with --dry-run", async () => {
    const file = join(dir, "bericht.txt");
    writeFileSync(file, "Zaterdag is de buurtschoonmaak. Doe je mee?\n");
    const dry = capture({ DATABASE_URL: url });
    expect(await runCli(["broadcast", "--wijk", "luchen", "--text-file", file, "--dry-run"], dry.io)).toBe(0);
    expect(dry.out.join()).toMatch(/Would send to 1 subscriber/);
    expect(await db.outboxMessage.count()).toBe(0);
    const real = capture({ DATABASE_URL: url });
    expect(await runCli(["broadcast", "--wijk", "luchen", "--text-file", file], real.io)).toBe(0);
    expect(real.out.join()).toMatch(/Sending wijkbericht \S+ to 1 subscriber/);
    const bericht = await db.wijkbericht.findFirstOrThrow();
    expect(bericht).toMatchObject({ status: "sending", authorKind: "cli", text: "Zaterdag is de buurtschoonmaak. Doe je mee?" });
    // The running service's sender queues it (the same job as for berichten from the inbox).
    const flows = loadFlows();
    await runWijkberichtRound({ db, logger: captureLogger("error").logger, globals: () => flows.globals, channels: ["telegram"], whatsappCloud: null });
    const rows = await db.outboxMessage.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel: "telegram", priority: 10, status: "pending" });
    expect(rows[0]?.payload).toContain("buurtschoonmaak");
    const status = capture({ DATABASE_URL: url });
    expect(await runCli(["wijkbericht", "status", "--id", bericht.id], status.io)).toBe(0);
    expect(status.out.join()).toMatch(/^\[░+\]\s+0%\s+0\/1 sent · 0 failed · 0 unsubscribed · 1 waiting \(sending\)$/);
    await db.outboxMessage.updateMany({ data: { status: "sent" } });
    const watched = capture({ DATABASE_URL: url });
    await runWijkberichtRound({ db, logger: captureLogger("error").logger, globals: () => flows.globals, channels: ["telegram"], whatsappCloud: null });
    expect(await runCli(["wijkbericht", "status", "--id", bericht.id, "--watch"], watched.io)).toBe(0);
    expect(watched.out.join()).toMatch(/^\[█+\] 100%\s+1\/1 sent .*\(sent\)$/);
    const unknown = capture({ DATABASE_URL: url });
    expect(await runCli(["broadcast", "--wijk", "atlantis", "--text-file", file], unknown.io)).toBe(1);
  });

  it("exports everything about a resident, then erases it completely", async () => {
    const exported = capture({ DATABASE_URL: url });
    expect(await runCli(["privacy", "export", "--resident", residentId], exported.io)).toBe(0);
    const data: unknown = JSON.parse(exported.out.join("\n"));
    expect(JSON.stringify(data)).toContain("De stoep is kapot");
    const erased = capture({ DATABASE_URL: url });
    expect(await runCli(["privacy", "erase", "--resident", residentId], erased.io)).toBe(0);
    expect(await db.resident.count({ where: { id: residentId } })).toBe(0);
    expect(await db.message.count({ where: { text: "De stoep is kapot" } })).toBe(0);
    expect(await db.channelIdentity.count({ where: { externalId: "777" } })).toBe(0);
    expect(await db.outboxMessage.count()).toBe(0);
    const again = capture({ DATABASE_URL: url });
    expect(await runCli(["privacy", "export", "--resident", residentId], again.io)).toBe(1);
    expect(again.err.join()).toMatch(/no resident/);
  });
});
