/**
 * A 112 or 113 that is possible but not sure: the bot asks at once, with buttons and the number in
 * the question, at any step of a flow. "Ja" gives the emergency answer; "Nee" goes on where the
 * resident was, with the text they wrote.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadTriageCorpus } from "../../src/conversation/triageCorpus.ts";
import { createBotHarness, joined, type BotHarness, type Resident } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";

async function residentAtDescription(harness: BotHarness): Promise<Resident> {
  const resident = harness.resident();
  const { db } = harness.t;
  const gemeente = await db.gemeente.findFirstOrThrow();
  const wijk = await db.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId: gemeente.id, slug: "luchen" } } });
  const created = await db.resident.create({ data: { gemeenteId: gemeente.id, wijkId: wijk.id, language: "nl" } });
  await db.channelIdentity.create({ data: { residentId: created.id, channel: "webchat", externalId: resident.externalId } });
  await db.consent.create({ data: { residentId: created.id, kind: "privacy", granted: true, version: "test" } });
  await resident.tap("menu");
  const [conversation] = await resident.conversations();
  if (!conversation) throw new Error("no conversation");
  const flowState = { v: 1, flow: "melding", step: "describe", waiting: "ask", vars: {}, tries: 0, language: "nl", resume: null };
  await db.conversation.update({ where: { id: conversation.id }, data: { state: JSON.stringify(flowState) } });
  return resident;
}

describeEachDatabase("the safety question when 112 is possible but not sure", (provider) => {
  let harness: BotHarness;
  let unsure: string;
  beforeAll(async () => {
    harness = await createBotHarness(provider);
    // A Dutch corpus line the shipped model finds possible but not sure, whatever its label (the model
    // decides which; the behaviour is what is tested).
    const found = loadTriageCorpus().messages.find((m) => {
      if (m.lang !== "nl") return false;
      const result = harness.bot.classify(m.text);
      return result.possibleEmergency === "112" && result.emergency === null;
    });
    if (!found) throw new Error("no corpus line is a possible 112 for the shipped model");
    unsure = found.text;
  });
  afterAll(async () => harness?.close());

  it("asks at once with the number and two buttons, and after 'Nee' goes on with the text as the answer", async () => {
    const resident = await residentAtDescription(harness);
    const asked = await resident.say(unsure);
    expect(joined(asked)).toContain("Is er nu gevaar? Bel 112.");
    expect(asked.at(-1)?.buttons.map((b) => b.value)).toEqual(["yes", "no"]);
    const after = joined(await resident.tap("no"));
    expect(after).not.toContain("Bel meteen 112");
    // The description step took the kept text: the melding goes on to its next question.
    expect(after).not.toContain("Is er nu gevaar");
    const [conversation] = await resident.conversations();
    expect(conversation?.emergency).toBeNull();
  });

  it("answers 'Ja' with the 112 answer and hands the conversation to staff", async () => {
    const resident = await residentAtDescription(harness);
    await resident.say(unsure);
    expect(joined(await resident.tap("yes"))).toContain("Bel meteen 112");
    const [conversation] = await resident.conversations();
    expect(conversation?.emergency).toBe("112");
    expect(conversation?.status).toBe("open");
  });
});
