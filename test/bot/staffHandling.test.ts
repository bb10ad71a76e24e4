/**
 * While staff handle a conversation: the bot acknowledges once per quiet period, again after a
 * staff reply, and says who reads it and when in the resident's words (bot/staffHandling.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  acknowledgeOtherLanguage,
  ACKNOWLEDGED_AT_VAR,
  asksWhetherAnyoneReads,
  describeStaffHandling,
  isTextForStaff,
  needsAcknowledgement,
  OTHER_LANGUAGE_LINE_AT_VAR,
  QUIET_PERIOD_MS,
} from "../../src/bot/staffHandling.ts";
import { initialState } from "../../src/conversation/engine.ts";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import { replyToConversation } from "../../src/inbox/conversationActions.ts";
import { createBotHarness, joined, type BotHarness } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const now = new Date("2026-11-26T10:00:00+01:00");

describe("the acknowledgement while staff handle a conversation", () => {
  it("is given when none was given yet, and not again within the quiet period", () => {
    expect(needsAcknowledgement({}, null, now)).toBe(true);
    const vars = { [ACKNOWLEDGED_AT_VAR]: now.toISOString() };
    expect(needsAcknowledgement(vars, null, new Date(now.getTime() + 60_000))).toBe(false);
    expect(needsAcknowledgement(vars, null, new Date(now.getTime() + QUIET_PERIOD_MS))).toBe(true);
  });

  it("is not given in words right after a staff reply (the resident talks with a person), but after a quiet period since it", () => {
    const vars = { [ACKNOWLEDGED_AT_VAR]: now.toISOString() };
    const staffReply = new Date(now.getTime() + 60_000);
    expect(needsAcknowledgement(vars, staffReply, new Date(now.getTime() + 120_000))).toBe(false);
    expect(needsAcknowledgement({}, staffReply, new Date(now.getTime() + 120_000))).toBe(false);
    expect(needsAcknowledgement(vars, staffReply, new Date(staffReply.getTime() + QUIET_PERIOD_MS))).toBe(true);
  });

  it("names the wijk's gebiedsregisseur and an answer in office hours", () => {
    const flows = loadFlows();
    const text = describeStaffHandling(flows, { now, timeZone: "Europe/Amsterdam", language: "nl", wijkName: "Coevering" });
    expect(text).toContain("gebiedsregisseur van Coevering");
    expect(text).toContain("morgen vóór 10:00");
    const friday = describeStaffHandling(flows, { now: new Date("2026-11-27T15:00:00+01:00"), timeZone: "Europe/Amsterdam", language: "en", wijkName: null });
    expect(friday).toContain("member of staff");
    expect(friday).toContain("by Monday 30 November");
  });

  it("takes free text that does not fit an open question as a message for staff, not a tap or a fitting answer", () => {
    const flows = loadFlows();
    const before = { ...initialState(), flow: "wijknieuws", step: "more", waiting: "ask" as const };
    expect(isTextForStaff(before, { ...before, tries: 1 }, { text: "wanneer belt iemand?" }, flows)).toBe(true);
    expect(isTextForStaff(before, { ...before, tries: 1 }, { text: "x", value: "tafel" }, flows)).toBe(false);
    expect(isTextForStaff(before, { ...before, flow: "dialoogtafel", step: "list" }, { text: "dialoogtafel" }, flows)).toBe(false);
    // A form the resident started beside staff asks again, as anywhere.
    const idea = { ...initialState(), flow: "idee", step: "support", waiting: "ask" as const };
    expect(isTextForStaff(idea, { ...idea, tries: 1 }, { text: "ja" }, flows)).toBe(false);
  });

  it("asks once more when a short reply may be a try at the answer, and passes it to staff the second time", () => {
    const flows = loadFlows();
    const confirm = { ...initialState(), flow: "privacy", step: "confirm-erase", waiting: "ask" as const };
    expect(isTextForStaff(confirm, { ...confirm, tries: 1 }, { text: "jao" }, flows)).toBe(false);
    expect(isTextForStaff({ ...confirm, tries: 1 }, { ...confirm, tries: 2 }, { text: "jao" }, flows)).toBe(true);
    expect(isTextForStaff(confirm, { ...confirm, tries: 1 }, { text: "weten jullie nog in welke wijk ik woon?" }, flows)).toBe(true);
  });
});

describeEachDatabase("a conversation with staff", (provider) => {
  let harness: BotHarness;
  beforeAll(async () => {
    harness = await createBotHarness(provider, now);
  });
  afterAll(async () => harness?.close());

  it("acknowledges once, not in between a staff reply and the answer to it, again after a quiet period, and passes every message on", async () => {
    const { db } = harness.t;
    const resident = harness.resident();
    await resident.say("hoi");
    await resident.tap("yes");
    await resident.say("5731 BC");
    await resident.say("ja");
    await resident.say("mens");
    await resident.say("over de speeltuin");
    const [conversation] = await resident.conversations();
    if (!conversation) throw new Error("no conversation");
    expect(conversation.status).toBe("open");

    expect(joined(await resident.say("hallo?"))).toContain("gebiedsregisseur van Luchen");
    expect(await resident.reactionsOnLast(), "words, no reaction as well").toEqual([]);
    // Within the quiet period: no second bubble, but a 👍 on the message, so it is never silent.
    expect(await resident.say("nog iets")).toEqual([]);
    expect(await resident.reactionsOnLast()).toEqual(["👍"]);

    const staffUser = await db.staffUser.findFirstOrThrow({ where: { email: "gr.mierlo@demo.wijklijn.nl" } });
    const tandem = await db.tandem.findFirstOrThrow({ where: { slug: "mierlo" } });
    harness.clock.now = new Date(now.getTime() + 10 * 60_000);
    await replyToConversation(db, { staffUserId: staffUser.id, role: "gebiedsregisseur", gemeenteId: staffUser.gemeenteId, tandemIds: [tandem.id] }, conversation.id, "Ik kijk ernaar.", {
      now: harness.clock.now,
    });
    // Answering the person who just replied: no bot text in between.
    harness.clock.now = new Date(now.getTime() + 20 * 60_000);
    expect(joined(await resident.say("dank je, ik ben thuis"))).not.toContain("gebiedsregisseur van Luchen");
    // Quiet for hours since: the resident hears again who reads it and when.
    harness.clock.now = new Date(now.getTime() + 10 * 60_000 + QUIET_PERIOD_MS + 60_000);
    expect(joined(await resident.say("is er al nieuws?"))).toContain("gebiedsregisseur van Luchen");
    const [after] = await resident.conversations();
    expect(after?.status).toBe("open");
    expect(after?.messages.filter((m) => m.direction === "in").map((m) => m.text)).toEqual(expect.arrayContaining(["hallo?", "nog iets", "dank je, ik ben thuis", "is er al nieuws?"]));
  });

  it("follows a tapped button of an earlier menu during the handover, without 'menu' first", async () => {
    const resident = harness.resident();
    await resident.say("hoi");
    await resident.tap("yes");
    await resident.say("5731 BC");
    await resident.say("ja");
    await resident.say("mens");
    await resident.say("over de speeltuin");
    const [handedOver] = await resident.conversations();
    expect(handedOver?.status).toBe("open");

    // "Praten met een mens" from the menu further up the chat: a person already has it, said once more; no second handover.
    expect(joined(await resident.tap("contact"))).toContain("gebiedsregisseur van Luchen");
    // "Wat speelt er?" from that menu: the news, not an acknowledgement.
    const news = joined(await resident.tap("wijknieuws"));
    expect(news).toContain("Luchen");
    expect(news).not.toContain("Je bericht ligt bij");
    const conversations = await resident.conversations();
    expect(conversations).toHaveLength(1);
    expect(conversations[0]?.status).toBe("open");
  });
});

describe("asksWhetherAnyoneReads", () => {
  it.each(["is daar iemand?", "Is er nog iemand?", "hallo??", "hello? is anybody there?", "is anyone there", "leest er iemand mee?", "hoi?"])("hears %j as asking whether anyone reads", (text) => {
    expect(asksWhetherAnyoneReads(text)).toBe(true);
  });
  it.each(["hallo", "hoe laat komen ze ongeveer?", "hoi, de lamp is weer kapot"])("does not hear %j so", (text) => {
    expect(asksWhetherAnyoneReads(text)).toBe(false);
  });
});

describe("a further message in another language while staff handle it", () => {
  const later = (ms: number) => new Date(now.getTime() + ms);
  const plain = { thanks: false, question: false };
  const afterHandover = { [ACKNOWLEDGED_AT_VAR]: now.toISOString() };
  const afterLine = { [ACKNOWLEDGED_AT_VAR]: now.toISOString(), [OTHER_LANGUAGE_LINE_AT_VAR]: now.toISOString() };

  it("gets the handover text when nothing was said yet", () => {
    expect(acknowledgeOtherLanguage({}, null, now, plain)).toBe("handover");
  });

  it("gets the short line once after the handover, then a reaction", () => {
    expect(acknowledgeOtherLanguage(afterHandover, null, later(60_000), plain)).toBe("line");
    expect(acknowledgeOtherLanguage(afterLine, null, later(60_000), plain)).toBe("reaction");
  });

  it("answers a question with the line (by when a person answers), and thanks with a reaction", () => {
    expect(acknowledgeOtherLanguage(afterLine, null, later(60_000), { thanks: false, question: true })).toBe("line");
    expect(acknowledgeOtherLanguage(afterHandover, null, later(60_000), { thanks: true, question: false })).toBe("reaction");
  });

  it("adds the resident's answers to a staff reply with a reaction, also a question, never the same sentence", () => {
    const staffReply = later(60_000);
    expect(acknowledgeOtherLanguage(afterLine, staffReply, later(120_000), plain)).toBe("reaction");
    expect(acknowledgeOtherLanguage(afterLine, staffReply, later(180_000), { thanks: false, question: true })).toBe("reaction");
    expect(acknowledgeOtherLanguage({}, staffReply, later(120_000), plain)).toBe("reaction");
  });

  it("says who reads it again after a quiet period: the handover text, or after a staff reply the short line", () => {
    expect(acknowledgeOtherLanguage(afterLine, null, later(QUIET_PERIOD_MS), plain)).toBe("handover");
    expect(acknowledgeOtherLanguage(afterLine, later(60_000), later(60_000 + QUIET_PERIOD_MS), plain)).toBe("line");
  });
});
