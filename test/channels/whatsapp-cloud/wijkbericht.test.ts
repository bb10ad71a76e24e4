/**
 * A wijkbericht on WhatsApp Cloud, through the outbox and the fake Graph API: a subscriber who
 * wrote an hour ago gets it as text; one who last wrote 30 hours ago (the 24-hour window closed)
 * gets the approved template with the bericht as its body parameter. A bericht with a photo goes
 * as an image message with the text as caption inside the window; the template carries the
 * photo's address in its text.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadFlows } from "../../../src/conversation/loadFlows.ts";
import { saveWijkbericht } from "../../../src/inbox/wijkberichtActions.ts";
import { runWijkberichtRound } from "../../../src/jobs/wijkberichtSender.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { captureLogger } from "../../helpers/logger.ts";
import { incoming } from "./webhookPayloads.ts";
import { startWhatsappRig, waitFor, type WhatsappRig } from "./whatsappRig.ts";

const RECENT = "31611110001";
const A_DAY_AGO = "31611110002";

describeEachDatabase("a wijkbericht on WhatsApp Cloud", (provider) => {
  let rig: WhatsappRig;

  beforeAll(async () => {
    rig = await startWhatsappRig(provider);
  });
  afterAll(async () => rig?.close());

  it("goes as text inside the 24-hour window and as the approved template outside it", async () => {
    const db = rig.harness.t.db;
    const gemeente = await db.gemeente.findFirstOrThrow();
    const luchen = await db.wijk.findFirstOrThrow({ where: { slug: "luchen" } });
    // One resident writes now (the bot answers), the other wrote 30 hours ago.
    await rig.deliver(incoming.text(RECENT, "hoi"));
    await rig.delivered(RECENT);
    const old = await db.resident.create({ data: { gemeenteId: gemeente.id, wijkId: luchen.id } });
    const oldIdentity = await db.channelIdentity.create({ data: { residentId: old.id, channel: "whatsapp", externalId: A_DAY_AGO } });
    const conversation = await db.conversation.create({
      data: { reference: "WL-2026-08888", gemeenteId: gemeente.id, residentId: old.id, channelIdentityId: oldIdentity.id, channel: "whatsapp", wijkId: luchen.id },
    });
    await db.message.create({
      data: { conversationId: conversation.id, direction: "in", authorKind: "resident", text: "hallo", channel: "whatsapp", createdAt: new Date(Date.now() - 30 * 3_600_000) },
    });
    for (const externalId of [RECENT, A_DAY_AGO]) {
      const identity = await db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "whatsapp", externalId } } });
      await db.subscription.create({ data: { residentId: identity.residentId, wijkId: luchen.id, channelIdentityId: identity.id } });
    }

    const saved = await saveWijkbericht(
      db,
      { kind: "cli", gemeenteId: gemeente.id },
      { form: { text: "Het fietspad in Luchen is weer open.", imageUrl: null, link: null, wijkIds: [luchen.id] }, intent: { action: "send" } },
    );
    if (!saved.ok) throw new Error("not saved");
    const flows = loadFlows();
    await runWijkberichtRound({
      db,
      logger: captureLogger("error").logger,
      globals: () => flows.globals,
      channels: ["whatsapp", "webchat"],
      whatsappCloud: { template: { name: "wijklijn_wijkbericht", language: "nl" } },
    });
    rig.harness.bot.dispatcher.nudge();
    await waitFor(async () => (await db.wijkberichtDelivery.count({ where: { wijkberichtId: saved.id, outboxMessage: { is: { status: "sent" } } } })) === 2, "both copies to be sent");

    const recent = rig.fake.sentTo(RECENT).at(-1);
    expect(recent).toMatchObject({ kind: "text", text: expect.stringContaining("Het fietspad in Luchen is weer open.") });
    const template = rig.fake.sentTo(A_DAY_AGO);
    expect(template).toHaveLength(1);
    expect(template[0]).toMatchObject({
      kind: "template",
      body: {
        template: {
          name: "wijklijn_wijkbericht",
          language: { code: "nl" },
          components: [{ type: "body", parameters: [{ type: "text", text: expect.stringMatching(/^Het fietspad in Luchen is weer open\. · Wijkbericht van de gemeente voor Luchen/) }] }],
        },
      },
    });
  });

  it("sends a bericht's photo as an image message with the text as caption inside the window, and its address in the template outside it", async () => {
    const db = rig.harness.t.db;
    const gemeente = await db.gemeente.findFirstOrThrow();
    const luchen = await db.wijk.findFirstOrThrow({ where: { slug: "luchen" } });
    const before = { recent: rig.fake.sentTo(RECENT).length, old: rig.fake.sentTo(A_DAY_AGO).length };
    const saved = await saveWijkbericht(
      db,
      { kind: "cli", gemeenteId: gemeente.id },
      { form: { text: "Kijk: de nieuwe speeltuin.", imageUrl: "https://www.geldrop-mierlo.nl/speeltuin.jpg", link: null, wijkIds: [luchen.id] }, intent: { action: "send" } },
    );
    if (!saved.ok) throw new Error("not saved");
    const flows = loadFlows();
    await runWijkberichtRound({
      db,
      logger: captureLogger("error").logger,
      globals: () => flows.globals,
      channels: ["whatsapp", "webchat"],
      whatsappCloud: { template: { name: "wijklijn_wijkbericht", language: "nl" } },
    });
    rig.harness.bot.dispatcher.nudge();
    await waitFor(async () => (await db.wijkberichtDelivery.count({ where: { wijkberichtId: saved.id, outboxMessage: { is: { status: "sent" } } } })) === 2, "both copies to be sent");

    const recent = rig.fake.sentTo(RECENT).slice(before.recent);
    expect(recent).toHaveLength(1);
    expect(recent[0]).toMatchObject({ kind: "image", body: { image: { link: "https://www.geldrop-mierlo.nl/speeltuin.jpg", caption: expect.stringContaining("Kijk: de nieuwe speeltuin.") } } });
    // The caption is the text without the photo's address.
    expect(recent[0]?.text).not.toContain("speeltuin.jpg");
    const old = rig.fake.sentTo(A_DAY_AGO).slice(before.old);
    expect(old).toHaveLength(1);
    expect(old[0]).toMatchObject({ kind: "template", body: { template: { components: [{ parameters: [{ text: expect.stringContaining("https://www.geldrop-mierlo.nl/speeltuin.jpg") }] }] } } });
  });
});
