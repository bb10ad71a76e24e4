/**
 * The inbound rate limit per resident identity, turn by turn on the harness's clock (each message
 * a second after the previous one).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { INBOUND_LIMIT } from "../../src/bot/floodLimit.ts";
import { emergency112Text } from "../../src/conversation/emergencyKinds.ts";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import { createBotHarness, type BotHarness } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const { globals } = loadFlows();
const { messages } = globals;

describeEachDatabase("the inbound rate limit", (provider) => {
  let harness: BotHarness;
  beforeAll(async () => {
    harness = await createBotHarness(provider);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it("answers the first messages of a minute, sends one notice for the rest, still answers 112, and answers again once the minute is over", async () => {
    const resident = harness.resident();
    const answers: string[][] = [];
    for (let i = 0; i < INBOUND_LIMIT.messages + 8; i++) {
      const text = i === INBOUND_LIMIT.messages + 4 ? "Er is brand, help!" : `bericht ${i}`;
      answers.push((await resident.say(text)).map((reply) => reply.text));
    }
    expect(answers.slice(0, INBOUND_LIMIT.messages).every((replies) => replies.length > 0)).toBe(true);
    expect(answers[INBOUND_LIMIT.messages]).toEqual([messages.floodNotice.nl]);
    // The 112 answer for a fire (flows/globals.yaml emergencyKinds).
    expect(answers.slice(INBOUND_LIMIT.messages + 1).flat()).toEqual([emergency112Text(globals, "Er is brand, help!", "nl")]);
    // Nothing was lost: every message is in the conversation staff see.
    const [conversation] = await resident.conversations();
    expect(conversation?.messages.filter((m) => m.direction === "in")).toHaveLength(INBOUND_LIMIT.messages + 8);

    harness.clock.now = new Date(harness.clock.now.getTime() + INBOUND_LIMIT.windowMs);
    expect((await resident.say("menu")).length).toBeGreaterThan(0);
  });

  it("counts per resident: another resident is answered as usual meanwhile", async () => {
    const other = harness.resident();
    expect((await other.say("hoi")).length).toBeGreaterThan(0);
  });
});
