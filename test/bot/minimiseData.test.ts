/**
 * Data minimisation: a BSN, an IBAN or health details that the bot did not ask for get one short
 * warning with "Verwijder het" / "Laat maar staan"; removing it masks it in the message and in
 * every copy (form answers, the note for staff, bot replies, the outbox), also when the resident
 * taps the button after the melding went to staff.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBotHarness, joined, type BotHarness, type Reply, type Resident } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const BSN = "123456782";
const IBAN = "NL91ABNA0417164300";

async function residentInLuchen(harness: BotHarness): Promise<Resident> {
  const resident = harness.resident();
  const { db } = harness.t;
  const gemeente = await db.gemeente.findFirstOrThrow();
  const wijk = await db.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId: gemeente.id, slug: "luchen" } } });
  const created = await db.resident.create({ data: { gemeenteId: gemeente.id, wijkId: wijk.id, language: "nl" } });
  await db.channelIdentity.create({ data: { residentId: created.id, channel: "webchat", externalId: resident.externalId } });
  await db.consent.create({ data: { residentId: created.id, kind: "privacy", granted: true, version: "test" } });
  return resident;
}

/** Everything stored for the resident's conversations, as one text: messages of every kind, flow states, outbox payloads. */
async function storedFor(harness: BotHarness, resident: Resident): Promise<string> {
  const { db } = harness.t;
  const identity = await db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "webchat", externalId: resident.externalId } } });
  const conversations = await db.conversation.findMany({ where: { residentId: identity.residentId }, include: { messages: true } });
  const outbox = await db.outboxMessage.findMany({ where: { residentId: identity.residentId } });
  return JSON.stringify({ conversations, outbox });
}

function buttonOf(replies: Reply[], label: string): string {
  const button = replies.flatMap((reply) => reply.buttons).find((b) => b.label === label);
  if (!button) throw new Error(`no button "${label}" in ${JSON.stringify(replies)}`);
  return button.value;
}

describeEachDatabase("data the bot did not ask for", (provider) => {
  let harness: BotHarness;
  beforeAll(async () => {
    harness = await createBotHarness(provider);
  });
  afterAll(async () => harness?.close());

  it("warns once, and removes a BSN and an IBAN from the message, the form, the note for staff and the outbox", async () => {
    const resident = await residentInLuchen(harness);
    const first = await resident.say(`De stoeptegels bij de speeltuin liggen los. Mijn BSN is ${BSN} en mijn rekening ${IBAN}.`);
    expect(joined(first)).toContain("foto");
    const warnings = first.filter((reply) => reply.text.includes("Dat heb ik niet nodig"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.text).toContain("burgerservicenummer (BSN) en een rekeningnummer");
    const remove = buttonOf(first, "Verwijder het");

    // The resident goes on with the melding first; it lands with staff, the description in the note.
    await resident.send({ media: { ref: "AgACAgQAAxkBAAIB", kind: "photo" } });
    await resident.say("Bij de speeltuin aan de Heuvelstraat");
    await resident.say("2");
    expect(joined(await resident.tap("chat"))).toContain("WL-2026-");
    const before = await storedFor(harness, resident);
    expect(before).toContain(BSN);
    expect(before).toContain(IBAN);
    const [conversation] = await resident.conversations();
    expect(conversation?.messages.some((m) => m.direction === "note" && m.text?.includes(BSN))).toBe(true);

    const removed = await resident.tap(remove);
    expect(joined(removed)).toContain("Ik heb het bij de gemeente weggehaald");
    const after = await storedFor(harness, resident);
    expect(after).not.toContain(BSN);
    expect(after).not.toContain(IBAN);
    expect(after).toContain("[BSN verwijderd]");
    expect(after).toContain("[IBAN verwijderd]");
    expect(after).toContain("De stoeptegels bij de speeltuin liggen los.");

    const audit = await harness.t.db.auditEvent.findMany({ where: { action: "resident.redacted" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.data).toContain('"bsn","iban"');
    expect(audit[0]?.data).not.toContain(BSN);
    expect(harness.logs.join("\n")).not.toContain(BSN);
  });

  it("leaves it when the resident says so, and warns about nothing in a message with a phone number and a reference", async () => {
    const resident = await residentInLuchen(harness);
    const first = await resident.say("Ik heb diabetes en kan de afvalbak niet meer naar de straat brengen.");
    expect(joined(first)).toContain("iets over gezondheid");
    const kept = await resident.tap(buttonOf(first, "Laat maar staan"));
    expect(joined(kept)).toContain("ik laat het staan");
    expect(await storedFor(harness, resident)).toContain("diabetes");

    const other = await residentInLuchen(harness);
    const replies = await other.say("Over melding WL-2026-00042: bel me op 06-12345678, ik woon op 5662 AB. Bestelnummer 123456789.");
    expect(joined(replies)).not.toContain("niet nodig");
    expect(replies.flatMap((reply) => reply.buttons).map((b) => b.label)).not.toContain("Verwijder het");
  });

  it("warns at first contact too, and the melding then goes on with the text without the BSN", async () => {
    const resident = harness.resident();
    const first = await resident.say(`Bij de speeltuin in Luchen ligt al een week een berg zwerfafval. Mijn BSN is ${BSN}.`);
    expect(joined(first)).toContain("Dat heb ik niet nodig");
    await resident.tap(buttonOf(first, "Verwijder het"));
    expect(await storedFor(harness, resident)).not.toContain(BSN);
    const consent = await resident.say("ja");
    expect(joined(consent)).not.toContain(BSN);
    expect(await storedFor(harness, resident)).not.toContain(BSN);
  });

  it("answers an emergency with 112 alone, without a warning", async () => {
    const resident = await residentInLuchen(harness);
    const replies = await resident.say("Mijn buurman heeft een hartinfarct, hij ligt op straat! Bel 112!");
    expect(joined(replies)).toContain("Bel meteen 112");
    expect(joined(replies)).not.toContain("niet nodig");
  });

  it("never removes anything from another resident's message", async () => {
    const victim = await residentInLuchen(harness);
    const warned = await victim.say(`Mijn BSN is ${BSN}, de lantaarnpaal is kapot.`);
    const victimsButton = buttonOf(warned, "Verwijder het");
    const attacker = await residentInLuchen(harness);
    await attacker.say("hoi");
    await attacker.tap(victimsButton);
    expect(await storedFor(harness, victim)).toContain(BSN);
  });
});

describe("the warning's texts", () => {
  it("are in Dutch and English in flows/globals.yaml", async () => {
    const { loadFlows } = await import("../../src/conversation/loadFlows.ts");
    const { messages } = loadFlows().globals;
    expect(messages.sensitiveRemoveButton).toEqual({ nl: "Verwijder het", en: "Remove it" });
    expect(messages.sensitiveKeepButton.nl).toBe("Laat maar staan");
  });
});
