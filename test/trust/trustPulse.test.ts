import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StaffPrincipal } from "../../src/api/auth.ts";
import { setConversationStatus } from "../../src/inbox/conversationActions.ts";
import { HIDDEN_PULSE_ANSWER } from "../../src/trust/answerTrustPulse.ts";
import { inTransaction } from "../../src/db/transaction.ts";
import { eraseResidentData, exportResidentData } from "../../src/privacy/residentData.ts";
import { askQueuedFeedback } from "../../src/trust/feedbackAsker.ts";
import { quarterOf, readTrustPulseTap, shouldOfferTrustPulse, trustPulseButtonValue } from "../../src/trust/trustPulse.ts";
import { createBotHarness, joined, type BotHarness, type Reply, type Resident } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { captureLogger } from "../helpers/logger.ts";

describe("the trust pulse rules", () => {
  it("counts quarters in the gemeente's zone", () => {
    expect(quarterOf(new Date("2026-03-31T21:30:00Z"), "Europe/Amsterdam")).toBe("2026-Q1");
    // 23:30 UTC on 31 March is already 1 April in Amsterdam.
    expect(quarterOf(new Date("2026-03-31T22:30:00Z"), "Europe/Amsterdam")).toBe("2026-Q2");
    expect(quarterOf(new Date("2026-12-31T22:59:00Z"), "Europe/Amsterdam")).toBe("2026-Q4");
    expect(quarterOf(new Date("2026-12-31T23:00:00Z"), "Europe/Amsterdam")).toBe("2027-Q1");
  });

  it("offers only with consent, never after an emergency, and once a quarter", () => {
    expect(shouldOfferTrustPulse({ consent: true, emergency: null, offeredThisQuarter: false })).toBe(true);
    expect(shouldOfferTrustPulse({ consent: true, emergency: null, offeredThisQuarter: true })).toBe(false);
    expect(shouldOfferTrustPulse({ consent: false, emergency: null, offeredThisQuarter: false })).toBe(false);
    expect(shouldOfferTrustPulse({ consent: true, emergency: "113", offeredThisQuarter: false })).toBe(false);
  });

  it("reads only its own buttons", () => {
    expect(readTrustPulseTap(trustPulseButtonValue("p1", "yes"))).toEqual({ pulseId: "p1", answer: "yes" });
    expect(readTrustPulseTap(trustPulseButtonValue("p1", 4))).toEqual({ pulseId: "p1", answer: "score", score: 4 });
    expect(readTrustPulseTap("pulse:p1:6")).toBeNull();
    expect(readTrustPulseTap("feedback:c1:4")).toBeNull();
    expect(readTrustPulseTap("4")).toBeNull();
  });
});

describeEachDatabase("the trust pulse in the chat", (provider) => {
  let harness: BotHarness;
  let staff: StaffPrincipal;
  const { logger } = captureLogger();

  beforeAll(async () => {
    // Wednesday 25 November 2026: Q4, with Q1 of 2027 a few weeks on.
    harness = await createBotHarness(provider, new Date("2026-11-25T10:00:00+01:00"));
    const user = await harness.t.db.staffUser.findUniqueOrThrow({ where: { email: "gr.mierlo@demo.wijklijn.nl" }, include: { tandems: true } });
    staff = { staffUserId: user.id, role: "gebiedsregisseur", gemeenteId: user.gemeenteId, tandemIds: user.tandems.map((m) => m.tandemId) };
  });
  afterAll(async () => harness?.close());

  async function meldingWithStaff(resident: Resident): Promise<string> {
    const before = new Set((await resident.conversations()).map((c) => c.id));
    const steps = before.size === 0 ? ["hoi", "ja", "5731 BB", "ja", "mens", "Over de bomen bij de school"] : ["mens", "Over de lantaarnpaal bij de kerk"];
    for (const step of steps) await resident.say(step);
    const conversation = (await resident.conversations()).find((c) => c.status === "open" && !before.has(c.id));
    if (!conversation) throw new Error("no new open conversation");
    return conversation.id;
  }
  /**
   * Staff resolve; the resident taps a feedback score, then has nothing to add ("nee hoor, bedankt"). Returns the replies
   * to both. The thanks asks a question of its own, so the pulse never comes with it: one question at a time.
   */
  async function resolveAndScore(resident: Resident, conversationId: string, score: number): Promise<Reply[]> {
    harness.clock.now = new Date(harness.clock.now.getTime() + 60_000);
    await setConversationStatus(harness.t.db, staff, conversationId, { status: "resolved" }, { now: harness.clock.now });
    await askQueuedFeedback({ db: harness.t.db, logger, flows: harness.bot.flows, whatsappCloud: null, now: () => harness.clock.now });
    const thanks = await resident.tap(`feedback:${conversationId}:${score}`);
    expect(offerIn(thanks)).toBeUndefined();
    return [...thanks, ...(await resident.say("nee hoor, bedankt"))];
  }
  const offerIn = (replies: Reply[]) => replies.find((reply) => reply.text.includes("Mag ik je nog één korte vraag stellen"));
  const pulsesOf = async (conversationId: string) => harness.t.db.trustPulse.findMany({ where: { conversationId } });
  const statusOf = async (conversationId: string) => (await harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).status;

  it("offers the pulse after a good feedback score, asks only after yes, and records the score without reopening or showing it", async () => {
    const resident = harness.resident();
    const conversationId = await meldingWithStaff(resident);
    const replies = await resolveAndScore(resident, conversationId, 4);
    const offer = offerIn(replies);
    expect(offer?.buttons.map((button) => button.label)).toEqual(["Ja, stel maar", "Nee, liever niet"]);
    const yes = offer?.buttons[0]?.value ?? "";

    const question = await resident.tap(yes);
    expect(joined(question)).toContain("Hoeveel vertrouwen heb je in de gemeente?");
    expect(question[0]?.buttons.map((button) => button.label)).toEqual(["1", "2", "3", "4", "5"]);
    const thanks = await resident.tap(question[0]?.buttons[1]?.value ?? "");
    expect(joined(thanks)).toContain("Dank je wel! Zo ziet de gemeente hoe het gaat in de wijk.");

    const [pulse] = await pulsesOf(conversationId);
    expect(pulse).toMatchObject({ status: "scored", score: 2, quarter: "2026-Q4", scoredAt: harness.clock.now });
    expect(pulse?.wijkId).not.toBeNull();
    // A low trust score is no complaint about this conversation: it stays resolved, in its own conversation.
    expect(await statusOf(conversationId)).toBe("resolved");
    expect((await resident.conversations())[0]?.id).toBe(conversationId);
    const tapped = await harness.t.db.message.findMany({ where: { conversationId, direction: "in", value: "pulse" } });
    expect(tapped.map((message) => message.text)).toEqual([HIDDEN_PULSE_ANSWER]);
  });

  it("offers at most once a quarter per resident, whatever they answered, and again next quarter", async () => {
    const resident = harness.resident();
    const first = await meldingWithStaff(resident);
    const offer = offerIn(await resolveAndScore(resident, first, 5));
    const declined = await resident.tap(offer?.buttons[1]?.value ?? "");
    expect(joined(declined)).toContain("Prima, dank je wel.");
    expect((await pulsesOf(first))[0]).toMatchObject({ status: "declined", score: null });

    // The same quarter: a second conversation ends well, and no offer comes.
    const second = await meldingWithStaff(resident);
    const again = await resolveAndScore(resident, second, 5);
    expect(joined(again)).toContain("Dank je wel!");
    expect(offerIn(again)).toBeUndefined();
    expect(await pulsesOf(second)).toEqual([]);
    // A tap on the old offer's yes does not ask after a no.
    expect(joined(await resident.tap(offer?.buttons[0]?.value ?? ""))).not.toContain("Hoeveel vertrouwen");

    // January 2027: a new quarter, a new offer.
    harness.clock.now = new Date("2027-01-06T10:00:00+01:00");
    const third = await meldingWithStaff(resident);
    expect(offerIn(await resolveAndScore(resident, third, 4))).toBeDefined();
    expect((await pulsesOf(third))[0]).toMatchObject({ quarter: "2027-Q1", status: "offered" });
  });

  it("gives the resident their own feedback and trust answers in the export, and keeps the trust score only anonymously after erasure", async () => {
    const resident = harness.resident();
    const conversationId = await meldingWithStaff(resident);
    const offer = offerIn(await resolveAndScore(resident, conversationId, 5));
    const question = await resident.tap(offer?.buttons[0]?.value ?? "");
    await resident.tap(question[0]?.buttons[3]?.value ?? "");
    const residentId = (await harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).residentId ?? "";
    const exported = await exportResidentData(harness.t.db, residentId);
    expect(exported?.trustPulses).toEqual([expect.objectContaining({ status: "scored", score: 4, quarter: expect.stringMatching(/^\d{4}-Q[1-4]$/) })]);
    expect(exported?.conversations.find((c) => c.reference === exported.conversations.at(-1)?.reference)?.feedback).toMatchObject({ score: 5 });
    await inTransaction(harness.t.db, (tx) => eraseResidentData(tx, residentId, null, harness.clock.now, { audit: false }));
    const [pulse] = await pulsesOf(conversationId);
    expect(pulse).toMatchObject({ residentId: null, score: 4, status: "scored" });
  });

  it("does not offer after a low feedback score (the conversation goes back to the tandem)", async () => {
    const resident = harness.resident();
    const conversationId = await meldingWithStaff(resident);
    const replies = await resolveAndScore(resident, conversationId, 1);
    expect(offerIn(replies)).toBeUndefined();
    expect(await statusOf(conversationId)).toBe("open");
  });

  it("ignores a tap on another resident's pulse", async () => {
    const owner = harness.resident();
    const conversationId = await meldingWithStaff(owner);
    const offer = offerIn(await resolveAndScore(owner, conversationId, 4));
    const stranger = harness.resident();
    await stranger.say("hoi");
    await stranger.tap(offer?.buttons[0]?.value ?? "");
    expect((await pulsesOf(conversationId))[0]?.status).toBe("offered");
  });
});
