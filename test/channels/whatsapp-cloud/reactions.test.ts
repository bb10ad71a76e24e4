/**
 * While staff handle a conversation on WhatsApp (Cloud API), the bot acknowledges in words once per
 * quiet period and reacts 👍 to every further message: a `type: "reaction"` message naming the
 * resident's wamid, through the outbox and the fake Graph API. A refused reaction is dropped.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { SentMessage } from "../../fakes/graphApi.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { incoming } from "./webhookPayloads.ts";
import { startWhatsappRig, waitFor, type WhatsappRig } from "./whatsappRig.ts";

const texts = (messages: SentMessage[]) => messages.map((m) => m.text).join("\n");

describeEachDatabase("WhatsApp Cloud reactions while staff handle a conversation", (provider) => {
  let rig: WhatsappRig;
  beforeAll(async () => {
    rig = await startWhatsappRig(provider);
  });
  afterAll(async () => rig?.close());

  /** A resident whose question is with the Luchen gebiedsregisseur; returns a function for one more turn. */
  async function handedOver(waId: string) {
    let seen = 0;
    const turn = async (message: Record<string, unknown>) => {
      await rig.deliver(message);
      const all = await rig.delivered(waId);
      const fresh = all.slice(seen);
      seen = all.length;
      return fresh;
    };
    await turn(incoming.text(waId, "hoi"));
    await turn(incoming.buttonReply(waId, "yes", "Ja"));
    await turn(incoming.text(waId, "5731 BC"));
    await turn(incoming.buttonReply(waId, "yes", "Ja"));
    expect(texts(await turn(incoming.text(waId, "mens")))).toContain("Waar gaat je vraag over?");
    expect(texts(await turn(incoming.text(waId, "over de speeltuin")))).toMatch(/WL-\d{4}-\d+/);
    return turn;
  }

  it("acknowledges the first of three messages in words and reacts 👍 to the other two, by their wamids", async () => {
    const waId = "31612349001";
    const turn = await handedOver(waId);

    const first = await turn(incoming.text(waId, "is daar nog iemand?"));
    expect(first.map((m) => m.kind)).not.toContain("reaction");
    expect(texts(first)).toContain("gebiedsregisseur van Luchen");
    const second = incoming.text(waId, "de stoep ligt er ook slecht bij");
    const third = incoming.text(waId, "en het hek is kapot");
    const reactions = [...(await turn(second)), ...(await turn(third))];
    // Only reactions: no bubble, each on the resident's own message.
    expect(reactions.map((m) => m.body)).toEqual([
      { messaging_product: "whatsapp", recipient_type: "individual", to: waId, type: "reaction", reaction: { message_id: second.id, emoji: "👍" } },
      { messaging_product: "whatsapp", recipient_type: "individual", to: waId, type: "reaction", reaction: { message_id: third.id, emoji: "👍" } },
    ]);

    // Staff read the resident's messages; no 👍 among the conversation's messages.
    const db = rig.harness.t.db;
    const identity = await db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "whatsapp", externalId: waId } } });
    const outbound = await db.message.findMany({ where: { conversation: { channelIdentityId: identity.id }, direction: "out" } });
    expect(outbound.some((m) => m.text === "" || m.text === "👍")).toBe(false);
  });

  it("drops a reaction WhatsApp refuses (too old), without retrying, and the next reply still goes", async () => {
    const waId = "31612349002";
    const turn = await handedOver(waId);
    await turn(incoming.text(waId, "hallo?"));

    rig.fake.failNext(1, { kind: "refused" });
    await rig.deliver(incoming.text(waId, "nog iets"));
    const db = rig.harness.t.db;
    const identity = await db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "whatsapp", externalId: waId } } });
    await waitFor(async () => (await db.outboxMessage.count({ where: { channelIdentityId: identity.id, status: "dead" } })) === 1, "the refused reaction to be dropped");

    const before = rig.fake.sentTo(waId).length;
    await rig.deliver(incoming.text(waId, "mens"));
    await rig.fake.waitForSent(waId, before + 1);
    expect(rig.fake.sentTo(waId).at(-1)?.text).toContain("Je bericht ligt bij de gebiedsregisseur van Luchen");
    const dead = await db.outboxMessage.findFirstOrThrow({ where: { channelIdentityId: identity.id, status: "dead" } });
    expect(dead.attempts).toBe(1);
    expect(dead.payload).toContain('"reaction"');
  });
});
