/**
 * A forwarded melding's new status (Open311) on WhatsApp Cloud, through the outbox and the fake
 * Graph API: a resident who wrote an hour ago gets it as text; one who last wrote 30 hours ago
 * gets the approved template (WHATSAPP_CLOUD_OPEN311_TEMPLATE) with the reference and what the
 * gemeente did; without a template that resident is not told, and staff get a note saying so.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { loadFlows } from "../../../src/conversation/loadFlows.ts";
import { type ForwarderOptions, pollForwardedStatuses } from "../../../src/open311/forwarder.ts";
import { type FakeOpen311Server, startFakeOpen311Server } from "../../fakes/open311Server.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { captureLogger } from "../../helpers/logger.ts";
import { startWhatsappRig, waitFor, type WhatsappRig } from "./whatsappRig.ts";

const RECENT = "31622220001";
const A_DAY_AGO = "31622220002";
const NO_TEMPLATE = "31622220003";
const HOUR = 3_600_000;

describeEachDatabase("a melding's status from the meldingen system on WhatsApp Cloud", (provider) => {
  let rig: WhatsappRig;
  let open311: FakeOpen311Server;

  beforeAll(async () => {
    rig = await startWhatsappRig(provider);
    open311 = await startFakeOpen311Server();
  });
  afterAll(async () => {
    await open311?.close();
    await rig?.close();
  });

  /** A forwarded melding of a resident who last wrote `hoursAgo` hours ago, closed there with a note. */
  async function forwardedMelding(waId: string, reference: string, hoursAgo: number) {
    const db = rig.harness.t.db;
    const gemeente = await db.gemeente.findFirstOrThrow();
    const luchen = await db.wijk.findFirstOrThrow({ where: { slug: "luchen" } });
    const resident = await db.resident.create({ data: { gemeenteId: gemeente.id, wijkId: luchen.id } });
    const identity = await db.channelIdentity.create({ data: { residentId: resident.id, channel: "whatsapp", externalId: waId } });
    const at = new Date(Date.now() - hoursAgo * HOUR);
    const conversation = await db.conversation.create({
      data: {
        reference,
        gemeenteId: gemeente.id,
        residentId: resident.id,
        channelIdentityId: identity.id,
        channel: "whatsapp",
        wijkId: luchen.id,
        tandemId: luchen.tandemId,
        status: "open",
        intent: "melding",
        theme: "afval",
        createdAt: at,
        messages: { create: [{ direction: "in", authorKind: "resident", text: "De container is vol", channel: "whatsapp", createdAt: at }] },
      },
    });
    const post = await fetch(`${open311.url}requests.json`, { method: "POST", body: new URLSearchParams({ api_key: open311.apiKey, service_code: "AFV-01", description: reference }) });
    const [created] = z.array(z.object({ service_request_id: z.string() })).parse(await post.json());
    const externalId = created?.service_request_id ?? "";
    open311.setStatus(externalId, "closed", "Container geleegd op 1 december");
    await db.open311Forward.create({
      data: { conversationId: conversation.id, status: "sent", serviceCode: "AFV-01", nextAttemptAt: at, createdAt: at, sentAt: at, externalId, nextPollAt: new Date(Date.now() - 1000) },
    });
    return conversation;
  }

  const options = (template: string | null): ForwarderOptions => {
    const flows = loadFlows();
    return {
      db: rig.harness.t.db,
      logger: captureLogger("error").logger,
      endpoint: { url: open311.url, apiKey: open311.apiKey, jurisdiction: null },
      services: { afval: "AFV-01" },
      pollEveryMs: 15 * 60_000,
      flows: () => flows,
      whatsappCloud: { template, language: "nl" },
      onQueued: () => rig.harness.bot.dispatcher.nudge(),
    };
  };

  it("goes as text inside the 24-hour window and as the approved template outside it", async () => {
    const db = rig.harness.t.db;
    const recent = await forwardedMelding(RECENT, "WL-2026-06601", 1);
    const old = await forwardedMelding(A_DAY_AGO, "WL-2026-06602", 30);
    expect(await pollForwardedStatuses(options("wijklijn_melding_status"))).toBe(2);
    await waitFor(async () => (await db.outboxMessage.count({ where: { conversationId: { in: [recent.id, old.id] }, status: "sent" } })) === 2, "both statuses to be sent");

    expect(rig.fake.sentTo(RECENT)).toEqual([
      expect.objectContaining({ kind: "text", text: "Nieuws over je melding WL-2026-06601: de gemeente heeft het afgehandeld. Container geleegd op 1 december" }),
    ]);
    const template = rig.fake.sentTo(A_DAY_AGO);
    expect(template).toHaveLength(1);
    expect(template[0]).toMatchObject({
      kind: "template",
      body: {
        template: {
          name: "wijklijn_melding_status",
          language: { code: "nl" },
          components: [
            {
              type: "body",
              parameters: [
                { type: "text", text: "WL-2026-06602" },
                { type: "text", text: "de gemeente heeft het afgehandeld. Container geleegd op 1 december" },
              ],
            },
          ],
        },
      },
    });
  });

  it("tells a resident outside the window nothing without a template, and says so to staff", async () => {
    const db = rig.harness.t.db;
    const conversation = await forwardedMelding(NO_TEMPLATE, "WL-2026-06603", 30);
    expect(await pollForwardedStatuses(options(null))).toBe(0);
    expect(await db.outboxMessage.count({ where: { conversationId: conversation.id } })).toBe(0);
    expect(await db.open311Forward.findUniqueOrThrow({ where: { conversationId: conversation.id } })).toMatchObject({ externalStatus: "closed" });
    const note = await db.message.findFirst({ where: { conversationId: conversation.id, direction: "note" }, orderBy: { createdAt: "desc" } });
    expect(note?.text).toContain("afgehandeld — Container geleegd op 1 december");
    expect(note?.text).toContain("WHATSAPP_CLOUD_OPEN311_TEMPLATE");
    expect(rig.fake.sentTo(NO_TEMPLATE)).toEqual([]);
  });
});
