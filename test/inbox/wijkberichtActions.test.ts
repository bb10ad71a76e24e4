/**
 * Wijkberichten from writing to delivered, on the seeded demo gemeente and real databases: the
 * staff actions (role, scope, audit), the sender job queueing each subscriber exactly once as bulk
 * (delivery row and outbox row together), cancel while it runs, and the WhatsApp Cloud form
 * (text inside the 24-hour window, the template outside it). Delivery over the real outbox and the
 * fake Telegram API, with a kill halfway, is test/service/wijkberichtCrash.test.ts.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { StaffPrincipal } from "../../src/api/auth.ts";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import { ActionError } from "../../src/inbox/conversationActions.ts";
import { cancelWijkbericht, listWijkberichtWijken, loadWijkbericht, saveWijkbericht } from "../../src/inbox/wijkberichtActions.ts";
import { runWijkberichtRound, type WijkberichtSenderDeps } from "../../src/jobs/wijkberichtSender.ts";
import { captureLogger } from "../helpers/logger.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";

const now = new Date("2026-12-01T10:00:00Z");
const flows = loadFlows();
const log = captureLogger("warn");

describeEachDatabase("wijkberichten", (provider) => {
  let t: TestDatabase;
  const staff: Record<"grMierlo" | "grNoord" | "wethouderC", StaffPrincipal> = {
    grMierlo: { staffUserId: "", role: "gebiedsregisseur", gemeenteId: "", tandemIds: [] },
    grNoord: { staffUserId: "", role: "gebiedsregisseur", gemeenteId: "", tandemIds: [] },
    wethouderC: { staffUserId: "", role: "wethouder", gemeenteId: "", tandemIds: [] },
  };
  let luchen = "";
  let deps: WijkberichtSenderDeps;

  const subscribe = async (channel: "telegram" | "whatsapp" | "webchat", externalId: string, wijkId = luchen) => {
    const resident = await t.db.resident.create({ data: { gemeenteId: staff.grMierlo.gemeenteId, wijkId } });
    const identity = await t.db.channelIdentity.create({ data: { residentId: resident.id, channel, externalId } });
    await t.db.subscription.create({ data: { residentId: resident.id, wijkId, channelIdentityId: identity.id } });
    return { resident, identity };
  };

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    const principal = async (email: string, role: StaffPrincipal["role"]): Promise<StaffPrincipal> => {
      const user = await t.db.staffUser.findUniqueOrThrow({ where: { email }, include: { tandems: true } });
      return { staffUserId: user.id, role, gemeenteId: user.gemeenteId, tandemIds: user.tandems.map((m) => m.tandemId) };
    };
    staff.grMierlo = await principal("gr.mierlo@demo.wijklijn.nl", "gebiedsregisseur");
    staff.grNoord = await principal("gr.geldrop-noord@demo.wijklijn.nl", "gebiedsregisseur");
    staff.wethouderC = await principal("wethouder.c@demo.wijklijn.nl", "wethouder");
    luchen = (await t.db.wijk.findFirstOrThrow({ where: { slug: "luchen" } })).id;
    deps = { db: t.db, logger: log.logger, globals: () => flows.globals, channels: ["telegram", "whatsapp", "webchat"], whatsappCloud: null, now: () => now };
  });
  afterAll(async () => {
    if (log.lines.length > 0) console.log(log.lines.join("\n").slice(0, 3000));
    await t?.drop();
  });
  beforeEach(async () => {
    await t.db.wijkberichtDelivery.deleteMany();
    await t.db.wijkbericht.deleteMany();
    await t.db.outboxMessage.deleteMany();
    await t.db.subscription.deleteMany();
  });

  const form = (text = "Zaterdag is de buurtschoonmaak. Doe je mee?") => ({ text, imageUrl: "", link: "https://www.geldrop-mierlo.nl/schoonmaak", wijkIds: [luchen] });

  it("lets a gebiedsregisseur write and send for their own wijken only; a wethouder may not; another tandem's bericht is unknown", async () => {
    const actor = { kind: "staff" as const, staff: staff.grMierlo };
    await expect(saveWijkbericht(t.db, { kind: "staff", staff: staff.wethouderC }, { form: form(), intent: { action: "draft" } }, { now })).rejects.toBeInstanceOf(ActionError);
    expect(await saveWijkbericht(t.db, { kind: "staff", staff: staff.grNoord }, { form: form(), intent: { action: "draft" } }, { now })).toEqual({
      ok: false,
      errors: { wijkIds: "Kies wijken uit de lijst." },
    });
    expect(await saveWijkbericht(t.db, actor, { form: { ...form(""), link: "ftp://x" }, intent: { action: "draft" } }, { now })).toMatchObject({
      ok: false,
      errors: { text: expect.any(String), link: expect.any(String) },
    });
    expect(await saveWijkbericht(t.db, actor, { form: form(), intent: { action: "schedule", scheduledAt: new Date(now.getTime() - 1) } }, { now })).toMatchObject({
      ok: false,
      errors: { scheduledAt: expect.any(String) },
    });

    const draft = await saveWijkbericht(t.db, actor, { form: form(), intent: { action: "draft" } }, { now });
    if (!draft.ok) throw new Error("not saved");
    await expect(loadWijkbericht(t.db, { kind: "staff", staff: staff.grNoord }, draft.id)).rejects.toMatchObject({ status: 404 });
    expect((await loadWijkbericht(t.db, actor, draft.id)).progress).toMatchObject({ status: "draft" });
    expect(await t.db.auditEvent.count({ where: { subjectId: draft.id, action: "wijkbericht.saved", actorStaffId: staff.grMierlo.staffUserId } })).toBe(1);
  });

  it("queues every subscriber exactly once as bulk with the footer, and the bericht is sent when the outbox is done", async () => {
    const { identity } = await subscribe("telegram", "4242");
    await subscribe("webchat", "visitor-abcdefghijklmnopqrstu");
    const actor = { kind: "staff" as const, staff: staff.grMierlo };
    expect((await listWijkberichtWijken(t.db, actor)).find((w) => w.id === luchen)?.subscribers).toEqual({ each: 2, weekly: 0 });
    const saved = await saveWijkbericht(t.db, actor, { form: form(), intent: { action: "send" } }, { now });
    if (!saved.ok) throw new Error("not saved");
    expect(await t.db.outboxMessage.count()).toBe(0);

    expect(await runWijkberichtRound(deps)).toMatchObject({ queued: 2 });
    expect(await runWijkberichtRound(deps)).toMatchObject({ queued: 0, finished: 0 });
    const rows = await t.db.outboxMessage.findMany({ where: { channelIdentityId: identity.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel: "telegram", priority: 10, status: "pending" });
    const payload: unknown = JSON.parse(rows[0]?.payload ?? "null");
    expect(payload).toMatchObject({ text: expect.stringMatching(/^Zaterdag is de buurtschoonmaak\. Doe je mee\?\n\nhttps:\/\/www\.geldrop-mierlo\.nl\/schoonmaak\n\n.*Luchen.*'stop'/s) });
    expect((await loadWijkbericht(t.db, actor, saved.id)).progress).toMatchObject({ status: "sending", recipients: 2, queued: 2, sent: 0 });

    await t.db.outboxMessage.updateMany({ data: { status: "sent", sentAt: now } });
    expect(await runWijkberichtRound(deps)).toMatchObject({ finished: 1 });
    expect((await loadWijkbericht(t.db, actor, saved.id)).progress).toMatchObject({ status: "sent", recipients: 2, queued: 0, sent: 2, failed: 0 });
    expect(await t.db.wijkberichtDelivery.count()).toBe(2);
  });

  it("queues in a window, and a cancel takes back what no platform has yet", async () => {
    for (let i = 0; i < 7; i++) await subscribe("telegram", `50${i}`);
    const actor = { kind: "staff" as const, staff: staff.grMierlo };
    const saved = await saveWijkbericht(t.db, actor, { form: form(), intent: { action: "send" } }, { now });
    if (!saved.ok) throw new Error("not saved");
    const small = { ...deps, window: 3, batchSize: 2 };
    expect(await runWijkberichtRound(small)).toMatchObject({ queued: 3 });
    expect(await runWijkberichtRound(small)).toMatchObject({ queued: 0 });
    // Two went out; the window fills up again.
    const sent = await t.db.outboxMessage.findMany({ take: 2, orderBy: { id: "asc" } });
    await t.db.outboxMessage.updateMany({ where: { id: { in: sent.map((row) => row.id) } }, data: { status: "sent" } });
    expect(await runWijkberichtRound(small)).toMatchObject({ queued: 2 });

    expect(await cancelWijkbericht(t.db, actor, saved.id, { now })).toEqual({ takenBack: 3, alreadyDone: false });
    expect(await cancelWijkbericht(t.db, actor, saved.id, { now })).toEqual({ takenBack: 0, alreadyDone: true });
    expect(await runWijkberichtRound(small)).toMatchObject({ queued: 0 });
    expect(await t.db.outboxMessage.count({ where: { status: "pending" } })).toBe(0);
    expect((await loadWijkbericht(t.db, actor, saved.id)).progress).toMatchObject({ status: "cancelled", sent: 2, cancelled: 3, queued: 0 });
  });

  it("sends WhatsApp Cloud subscribers text inside the 24-hour window and the approved template outside it", async () => {
    const inside = await subscribe("whatsapp", "31611111111");
    const outside = await subscribe("whatsapp", "31622222222");
    for (const [who, at] of [
      [inside, new Date(now.getTime() - 3_600_000)],
      [outside, new Date(now.getTime() - 30 * 3_600_000)],
    ] as const) {
      const conversation = await t.db.conversation.create({
        data: {
          reference: `WL-2026-${who.identity.externalId.slice(-5)}`,
          gemeenteId: staff.grMierlo.gemeenteId,
          residentId: who.resident.id,
          channelIdentityId: who.identity.id,
          channel: "whatsapp",
          wijkId: luchen,
        },
      });
      await t.db.message.create({ data: { conversationId: conversation.id, direction: "in", authorKind: "resident", text: "hoi", channel: "whatsapp", createdAt: at } });
    }
    const saved = await saveWijkbericht(t.db, { kind: "staff", staff: staff.grMierlo }, { form: form("Regel een\nRegel twee"), intent: { action: "send" } }, { now });
    if (!saved.ok) throw new Error("not saved");
    await runWijkberichtRound({ ...deps, whatsappCloud: { template: { name: "wijkbericht", language: "nl" } } });
    const payloadOf = async (identityId: string): Promise<Record<string, unknown>> => JSON.parse((await t.db.outboxMessage.findFirstOrThrow({ where: { channelIdentityId: identityId } })).payload);
    expect(await payloadOf(inside.identity.id)).not.toHaveProperty("template");
    const template = await payloadOf(outside.identity.id);
    expect(template).toMatchObject({ template: { name: "wijkbericht", language: "nl", bodyParameters: [expect.stringMatching(/^Regel een · Regel twee · https:/)] } });
    // The copy in the resident's conversation shows staff what a reply answers.
    expect(await t.db.wijkberichtDelivery.findFirstOrThrow({ where: { channelIdentityId: outside.identity.id } })).toMatchObject({ form: "template", status: "queued", messageId: expect.any(String) });

    // Without a template, a resident outside the window gets nothing (counted as failed, with the reason).
    await t.db.wijkberichtDelivery.deleteMany();
    await t.db.outboxMessage.deleteMany();
    const again = await saveWijkbericht(t.db, { kind: "staff", staff: staff.grMierlo }, { form: form(), intent: { action: "send" } }, { now });
    if (!again.ok) throw new Error("not saved");
    await runWijkberichtRound({ ...deps, whatsappCloud: { template: null } });
    expect(await t.db.wijkberichtDelivery.findFirstOrThrow({ where: { wijkberichtId: again.id, channelIdentityId: outside.identity.id } })).toMatchObject({
      status: "failed",
      reason: expect.stringContaining("TEMPLATE"),
    });
    expect(await t.db.outboxMessage.count({ where: { channelIdentityId: outside.identity.id } })).toBe(0);
  });
});
