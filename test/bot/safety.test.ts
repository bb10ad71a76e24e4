/**
 * Safety interrupts everything: at every question of every flow, a 112 or a 113 message ends the
 * form (its answers kept for staff), gives the number at once, and the resident's next message
 * gets a safety follow-up, never a form question.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import { createBotHarness, joined, type BotHarness, type Resident } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const flows = loadFlows();

/** Every question of every flow, as [flow, step]. */
const askSteps = [...flows.flows.values()].flatMap((flow) => Object.entries(flow.steps).flatMap(([id, step]) => (step.type === "ask" ? [[flow.id, id] as const] : [])));

/** The fixed part of every question any flow asks (up to its first {{variable}}), in both languages. */
const questionTexts = [...flows.flows.values()]
  .flatMap((flow) => Object.values(flow.steps).flatMap((step) => (step.type === "ask" ? [step.text.nl, step.text.en, ...(step.retry ? [step.retry.nl, step.retry.en] : [])] : [])))
  .flatMap((text) => {
    const fixed = (text ?? "").split("{{")[0]?.trim() ?? "";
    return fixed.length >= 12 ? [fixed] : [];
  });

const EMERGENCIES = [
  { kind: "112", text: "Er is brand in het huis naast ons!" },
  { kind: "113", text: "ik wil niet meer leven" },
] as const;

const DESCRIPTION = "De stoep bij nummer 4 is kapot";

async function residentAt(harness: BotHarness, state: { flow: string; step: string } | null): Promise<Resident> {
  const resident = harness.resident();
  const { db } = harness.t;
  const gemeente = await db.gemeente.findFirstOrThrow();
  const wijk = await db.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId: gemeente.id, slug: "luchen" } } });
  const created = await db.resident.create({ data: { gemeenteId: gemeente.id, wijkId: wijk.id, language: "nl" } });
  await db.channelIdentity.create({ data: { residentId: created.id, channel: "webchat", externalId: resident.externalId } });
  await db.consent.create({ data: { residentId: created.id, kind: "privacy", granted: true, version: "test" } });
  await resident.tap("menu");
  if (state) {
    const [conversation] = await resident.conversations();
    if (!conversation) throw new Error("no conversation");
    const flowState = { v: 1, ...state, waiting: "ask", vars: { description: DESCRIPTION }, tries: 0, language: "nl", resume: null };
    await db.conversation.update({ where: { id: conversation.id }, data: { state: JSON.stringify(flowState) } });
  }
  return resident;
}

describeEachDatabase("safety interrupts every form", (provider) => {
  let harness: BotHarness;
  beforeAll(async () => {
    harness = await createBotHarness(provider);
  });
  afterAll(async () => harness?.close());

  it("knows the flows' questions", () => {
    expect(askSteps.length).toBeGreaterThan(15);
    expect(questionTexts).toContain("Heb je een foto? Stuur die dan nu. Dat helpt ons. Geen foto? Tik op 'Geen foto'.");
  });

  describe.each(EMERGENCIES)("a $kind message", ({ kind, text }) => {
    it.each(askSteps)("at %s#%s ends the form, and the next message gets no form question", async (flow, step) => {
      const resident = await residentAt(harness, { flow, step });
      const urgent = joined(await resident.say(text));
      expect(urgent).toContain(kind);
      const next = await resident.say("ok");
      expect(next.length, "never silent after an emergency").toBeGreaterThan(0);
      const answer = joined(next);
      for (const question of questionTexts) expect(answer).not.toContain(question);
      expect(answer).toContain(kind === "113" ? "113" : "112");
      const [conversation] = await resident.conversations();
      expect(conversation?.emergency).toBe(kind);
      expect(conversation?.status).toBe("open");
      const notes = conversation?.messages.filter((m) => m.direction === "note").map((m) => m.text ?? "") ?? [];
      expect(
        notes.some((note) => note.includes(`Noodsignaal (${kind})`) && note.includes(`Omschrijving: ${DESCRIPTION}`)),
        "the answers so far are kept for staff",
      ).toBe(true);
    });
  });

  it("after 112 asks whether help is coming and passes a wish for a person to staff", async () => {
    const resident = await residentAt(harness, { flow: "melding", step: "photo" });
    await resident.say("Er is brand in het huis naast ons!");
    const follow = await resident.say("wat moet ik doen");
    expect(joined(follow)).toContain("Is de hulp onderweg?");
    expect(follow.at(-1)?.buttons.map((b) => b.value)).toEqual(["yes", "no"]);
    expect(joined(await resident.tap("yes"))).toContain("Een medewerker neemt contact met je op");
    const [conversation] = await resident.conversations();
    expect(conversation?.messages.some((m) => m.direction === "note" && (m.text ?? "").includes("wil de bewoner graag dat een medewerker contact opneemt"))).toBe(true);
    // The follow-up is over: the conversation is with staff, and the form does not come back.
    expect(joined(await resident.say("dank je"))).not.toContain("Heb je een foto?");
  });

  it("after 113 stays available and offers a person on every message until the resident chooses", async () => {
    const resident = await residentAt(harness, { flow: "idee", step: "support" });
    expect(joined(await resident.say("ik wil niet meer leven"))).toContain("0800-0113");
    expect(joined(await resident.say("ok"))).toContain("Ik ben er nog");
    const still = await resident.say("ik weet het niet");
    expect(joined(still)).toContain("Ik lees je bericht");
    expect(still.at(-1)?.buttons.map((b) => b.value)).toEqual(["yes", "no"]);
    expect(joined(await resident.say("nee"))).toContain("0800-0113");
  });

  it("lets a global command end the follow-up", async () => {
    const resident = await residentAt(harness, { flow: "melding", step: "describe" });
    await resident.say("Er is brand in het huis naast ons!");
    expect(joined(await resident.say("mens"))).toContain("Een medewerker neemt contact met je op");
  });

  it("follows up on an emergency as a very first message too", async () => {
    const resident = harness.resident();
    expect(joined(await resident.say("mijn buurman is in elkaar gezakt en ademt niet"))).toContain("112");
    expect(joined(await resident.say("ok ik heb gebeld"))).toContain("Is de hulp onderweg?");
  });
});
