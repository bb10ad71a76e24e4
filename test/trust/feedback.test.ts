import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StaffPrincipal } from "../../src/api/auth.ts";
import { renderGraphMessages } from "../../src/channels/whatsapp-cloud/renderOutbound.ts";
import { OutboundPayloadSchema } from "../../src/domain/messages.ts";
import { setConversationStatus } from "../../src/inbox/conversationActions.ts";
import { planFeedbackQuestion, readFeedbackAnswer, readTypedScore, reopensConversation, type QuestionFacts } from "../../src/trust/feedback.ts";
import { askQueuedFeedback } from "../../src/trust/feedbackAsker.ts";
import { createBotHarness, joined, type BotHarness, type Resident } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { captureLogger } from "../helpers/logger.ts";
import { createStaffSession } from "../../src/db/session.repo.ts";
import { createApp } from "../../src/http/app.ts";
import { listen } from "../helpers/http.ts";

describe("the feedback rules", () => {
  const asked = { conversationId: "c1", status: "asked" as const, askedAt: new Date("2026-12-01T10:00:00Z"), scoredAt: null };
  const now = new Date("2026-12-01T11:00:00Z");
  const input = { now, typedCounts: true, isCommand: () => false };

  it("reads a bare number 1 to 5 as a score, and nothing longer", () => {
    expect(readTypedScore("4")).toBe(4);
    expect(readTypedScore(" 2! ")).toBe(2);
    expect(readTypedScore("vijf")).toBe(5);
    expect(readTypedScore("6")).toBeNull();
    expect(readTypedScore("0")).toBeNull();
    expect(readTypedScore("4 bomen zijn nog steeds niet gesnoeid")).toBeNull();
    expect(readTypedScore("Wanneer is de dialoogtafel?")).toBeNull();
  });

  it("takes a tapped button only for its own question, and typed words only when they can only be meant for it", () => {
    expect(readFeedbackAnswer(asked, { value: "feedback:c1:3", hasMedia: false }, input)).toEqual({ kind: "score", score: 3 });
    expect(readFeedbackAnswer(asked, { value: "feedback:c2:3", hasMedia: false }, input)).toEqual({ kind: "other" });
    expect(readFeedbackAnswer(asked, { text: "1", hasMedia: false }, input)).toEqual({ kind: "score", score: 1 });
    expect(readFeedbackAnswer(asked, { text: "1", hasMedia: false }, { ...input, typedCounts: false })).toEqual({ kind: "other" });
    expect(readFeedbackAnswer(asked, { text: "Er ligt weer afval", hasMedia: false }, input)).toEqual({ kind: "other" });
    expect(readFeedbackAnswer(asked, { value: "feedback:c1:3", hasMedia: false }, { ...input, now: new Date("2026-12-09T11:00:00Z") })).toEqual({ kind: "other" });
  });

  it("after a score takes the next typed words as the open answer, but not a command, a photo or words a day later", () => {
    const scored = { ...asked, status: "scored" as const, scoredAt: now };
    expect(readFeedbackAnswer(scored, { text: "Ze luisterden echt", hasMedia: false }, input)).toEqual({ kind: "comment" });
    expect(readFeedbackAnswer(scored, { text: "menu", hasMedia: false }, { ...input, isCommand: () => true })).toEqual({ kind: "other" });
    expect(readFeedbackAnswer(scored, { hasMedia: true }, input)).toEqual({ kind: "other" });
    expect(readFeedbackAnswer(scored, { text: "nog iets", hasMedia: false }, { ...input, now: new Date("2026-12-02T12:00:00Z") })).toEqual({ kind: "other" });
  });

  it("after a score takes a new concern for a new message, not for the open answer; words on how it went stay the open answer", () => {
    const scored = { ...asked, status: "scored" as const, scoredAt: now };
    expect(readFeedbackAnswer(scored, { text: "er ligt nu ook glas op de stoep", hasMedia: false }, input)).toEqual({ kind: "other" });
    expect(readFeedbackAnswer(scored, { text: "Er staat ook een kapotte lantaarnpaal bij de kerk", hasMedia: false }, input)).toEqual({ kind: "other" });
    expect(readFeedbackAnswer(scored, { text: "Het duurde wel lang, maar ze waren vriendelijk", hasMedia: false }, input)).toEqual({ kind: "comment" });
    expect(readFeedbackAnswer(scored, { text: "De boom is gesnoeid, maar de bladeren liggen er nog", hasMedia: false }, input)).toEqual({ kind: "comment" });
  });

  it("reopens on a score of 1 or 2 and on any open answer (Signalen's KTO rule)", () => {
    expect([1, 2, 3, 4, 5].map((score) => reopensConversation({ kind: "score", score }))).toEqual([true, true, false, false, false]);
    expect(reopensConversation({ kind: "comment" })).toBe(true);
    expect(reopensConversation({ kind: "other" })).toBe(false);
  });

  it("asks with buttons, with a template on WhatsApp Cloud outside the 24-hour window, and not at all when it should not", () => {
    const facts: QuestionFacts = { channel: "telegram", hasRecipient: true, consent: true, emergency: null, lastInboundAt: now, whatsappCloud: null, now };
    expect(planFeedbackQuestion(facts)).toEqual({ kind: "ask", form: "buttons" });
    expect(planFeedbackQuestion({ ...facts, consent: false })).toEqual({ kind: "skip", reason: "no-consent" });
    expect(planFeedbackQuestion({ ...facts, hasRecipient: false })).toEqual({ kind: "skip", reason: "no-resident" });
    expect(planFeedbackQuestion({ ...facts, emergency: "113" })).toEqual({ kind: "skip", reason: "emergency" });
    const whatsapp = { ...facts, channel: "whatsapp", whatsappCloud: { template: "wijklijn_gehoord" } };
    expect(planFeedbackQuestion(whatsapp)).toEqual({ kind: "ask", form: "buttons" });
    const late = new Date(now.getTime() + 25 * 3600 * 1000);
    expect(planFeedbackQuestion({ ...whatsapp, now: late })).toEqual({ kind: "ask", form: "template" });
    expect(planFeedbackQuestion({ ...whatsapp, now: late, whatsappCloud: { template: null } })).toEqual({ kind: "skip", reason: "whatsapp-window" });
    // WhatsApp Web has no window: whatsappCloud is null there.
    expect(planFeedbackQuestion({ ...facts, channel: "whatsapp", now: late })).toEqual({ kind: "ask", form: "buttons" });
  });

  it("renders the template for the Graph API with the reference and a payload per quick-reply button", () => {
    const payload = OutboundPayloadSchema.parse({
      text: "Je vraag WL-2026-00001 is afgerond.",
      buttons: [],
      template: { name: "wijklijn_gehoord", language: "nl", bodyParameters: ["WL-2026-00001"], quickReplyPayloads: ["feedback:c1:1", "feedback:c1:2"] },
    });
    expect(renderGraphMessages("31612345678", payload, { listButton: "Kies" })).toEqual([
      {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: "31612345678",
        type: "template",
        template: {
          name: "wijklijn_gehoord",
          language: { code: "nl" },
          components: [
            { type: "body", parameters: [{ type: "text", text: "WL-2026-00001" }] },
            { type: "button", sub_type: "quick_reply", index: 0, parameters: [{ type: "payload", payload: "feedback:c1:1" }] },
            { type: "button", sub_type: "quick_reply", index: 1, parameters: [{ type: "payload", payload: "feedback:c1:2" }] },
          ],
        },
      },
    ]);
  });
});

describeEachDatabase("feedback after resolution", (provider) => {
  let harness: BotHarness;
  let staff: StaffPrincipal;
  const { logger } = captureLogger();

  beforeAll(async () => {
    harness = await createBotHarness(provider);
    const user = await harness.t.db.staffUser.findUniqueOrThrow({ where: { email: "gr.mierlo@demo.wijklijn.nl" }, include: { tandems: true } });
    staff = { staffUserId: user.id, role: "gebiedsregisseur", gemeenteId: user.gemeenteId, tandemIds: user.tandems.map((m) => m.tandemId) };
  });
  afterAll(async () => harness?.close());

  /** A resident whose melding is with the Mierlo tandem; returns the open conversation. */
  async function residentWithStaff(): Promise<{ resident: Resident; conversationId: string }> {
    const resident = harness.resident();
    for (const step of ["hoi", "ja", "5731 BB", "ja", "mens", "Over de bomen bij de school"]) await resident.say(step);
    const conversation = (await resident.conversations()).find((c) => c.status === "open");
    if (!conversation) throw new Error("no open conversation");
    return { resident, conversationId: conversation.id };
  }

  const ask = () => askQueuedFeedback({ db: harness.t.db, logger, flows: harness.bot.flows, whatsappCloud: null, now: () => harness.clock.now });
  const resolve = async (conversationId: string) => {
    harness.clock.now = new Date(harness.clock.now.getTime() + 60_000);
    await setConversationStatus(harness.t.db, staff, conversationId, { status: "resolved" }, { now: harness.clock.now });
    await ask();
  };
  const feedbackOf = (conversationId: string) => harness.t.db.feedback.findUniqueOrThrow({ where: { conversationId } });
  const statusOf = async (conversationId: string) => (await harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).status;
  const questionsIn = (conversationId: string) => harness.t.db.message.count({ where: { conversationId, direction: "out", text: { contains: "Voelde je je gehoord" } } });
  const notesIn = (conversationId: string) => harness.t.db.message.findMany({ where: { conversationId, direction: "note", text: { contains: "Voelde je je gehoord" } } });

  it("asks once in the resident's chat, with buttons 1 to 5, when staff resolve", async () => {
    const { resident, conversationId } = await residentWithStaff();
    await resident.say("Bedankt voor het antwoord");
    await resolve(conversationId);
    const out = await harness.t.db.message.findFirstOrThrow({ where: { conversationId, direction: "out", text: { contains: "Voelde je je gehoord" } } });
    const row = await harness.t.db.outboxMessage.findFirstOrThrow({ where: { conversationId, payload: { contains: out.id } } });
    const payload = OutboundPayloadSchema.parse(JSON.parse(row.payload));
    expect(payload.buttons.map((b) => b.label)).toEqual(["1", "2", "3", "4", "5"]);
    expect(payload.buttons[0]?.value).toBe(`feedback:${conversationId}:1`);
    expect(payload.template).toBeUndefined();
    expect((await feedbackOf(conversationId)).status).toBe("asked");
  });

  it("thanks a tap of 4 without reopening, and reopens with a note on an open answer after it", async () => {
    const { resident, conversationId } = await residentWithStaff();
    await resolve(conversationId);
    const thanks = await resident.tap(`feedback:${conversationId}:4`);
    expect(joined(thanks)).toContain("Dank je wel! Wil je er nog iets over zeggen?");
    expect(await statusOf(conversationId)).toBe("resolved");
    expect(await feedbackOf(conversationId)).toMatchObject({ status: "scored", score: 4, reopened: false });

    const after = await resident.say("De boom is gesnoeid, maar de bladeren liggen er nog");
    expect(await statusOf(conversationId)).toBe("open");
    expect(await feedbackOf(conversationId)).toMatchObject({ status: "done", score: 4, reopened: true });
    expect((await feedbackOf(conversationId)).commentMessageId).not.toBeNull();
    expect((await notesIn(conversationId))[0]?.text).toContain("cijfer 4 van 5");
    // Then as any message to staff: the usual acknowledgement.
    expect(joined(after)).toContain("gebiedsregisseur");
  });

  it("shows the score and the reopening on the conversation in the inbox", async () => {
    const { resident, conversationId } = await residentWithStaff();
    await resolve(conversationId);
    await resident.say("1");
    const server = await listen(createApp({ db: harness.t.db, provider, logger, bot: harness.bot, secret: "test-secret-test-secret-test-secret" }));
    try {
      const session = await createStaffSession(harness.t.db, staff.staffUserId);
      const page = await fetch(`${server.url}/inbox/c/${conversationId}`, { headers: { cookie: `wl_staff=${session.id}` } });
      expect(page.status).toBe(200);
      const body = await page.text();
      expect(body).toContain("<dt>Feedback</dt><dd>Gehoord: 1 van 5 (weer geopend)</dd>");
      expect(body).toContain("gaf een 1 van 5");
    } finally {
      await server.close();
    }
  });

  it("reopens the conversation for the tandem on a typed 2, with a note", async () => {
    const { resident, conversationId } = await residentWithStaff();
    await resolve(conversationId);
    const replies = await resident.say("2");
    expect(joined(replies)).toContain("Ik zet je vraag weer open");
    expect(await statusOf(conversationId)).toBe("open");
    expect(await feedbackOf(conversationId)).toMatchObject({ status: "scored", score: 2, reopened: true });
    expect((await notesIn(conversationId))[0]?.text).toContain("gaf een 2 van 5");
  });

  it("asks at most once per conversation, also when it is resolved again", async () => {
    const { resident, conversationId } = await residentWithStaff();
    await resolve(conversationId);
    await resident.say("1");
    expect(await statusOf(conversationId)).toBe("open");
    await resolve(conversationId);
    await resolve(conversationId);
    expect(await questionsIn(conversationId)).toBe(1);
    expect(await harness.t.db.feedback.count({ where: { conversationId } })).toBe(1);
    // A second tap on the old buttons is thanked, and changes nothing.
    const again = await resident.tap(`feedback:${conversationId}:5`);
    expect(joined(again)).toContain("Je antwoord op deze vraag had ik al");
    expect(await feedbackOf(conversationId)).toMatchObject({ score: 1 });
    expect(await statusOf(conversationId)).toBe("resolved");
  });

  it("never forces the answer: a resident who writes something else goes on as usual", async () => {
    const { resident, conversationId } = await residentWithStaff();
    await resolve(conversationId);
    const replies = await resident.say("Er staat ook een kapotte lantaarnpaal bij de kerk");
    expect(joined(replies)).not.toContain("Dank je wel! Wil je er nog iets over zeggen?");
    expect(await feedbackOf(conversationId)).toMatchObject({ status: "ignored", score: null });
    // A new concern soon after resolution is a conversation of its own (src/routing/pickConversation.ts): the resolved one stays resolved, without a note.
    expect(await statusOf(conversationId)).toBe("resolved");
    expect(await notesIn(conversationId)).toHaveLength(0);
    const newest = (await resident.conversations()).find((c) => c.id !== conversationId && c.messages.some((m) => m.text?.includes("lantaarnpaal")));
    expect(newest).toBeDefined();
    // The buttons still work later: the question was not answered.
    await resident.tap(`feedback:${conversationId}:5`);
    expect(await feedbackOf(conversationId)).toMatchObject({ status: "scored", score: 5 });
  });

  it("takes a new concern after the score for a new conversation, not for a comment that reopens the old one", async () => {
    const { resident, conversationId } = await residentWithStaff();
    await resolve(conversationId);
    await resident.tap(`feedback:${conversationId}:4`);
    await resident.say("er ligt nu ook glas op de stoep");
    expect(await statusOf(conversationId)).toBe("resolved");
    expect(await feedbackOf(conversationId)).toMatchObject({ status: "done", score: 4, reopened: false, commentMessageId: null });
    const newest = (await resident.conversations()).find((c) => c.id !== conversationId && c.messages.some((m) => m.text?.includes("glas op de stoep")));
    expect(newest).toBeDefined();
  });

  it("ignores the question when the resident taps 'menu', and does not take a later '3' for a score", async () => {
    const { resident, conversationId } = await residentWithStaff();
    await resolve(conversationId);
    await resident.say("menu");
    expect(await feedbackOf(conversationId)).toMatchObject({ status: "ignored" });
    await resident.say("3");
    expect(await feedbackOf(conversationId)).toMatchObject({ status: "ignored", score: null });
  });

  it("does not ask when staff resolve a conversation that never reached them", async () => {
    const resident = harness.resident();
    await resident.say("hoi");
    const conversation = (await resident.conversations())[0];
    if (!conversation) throw new Error("no conversation");
    const admin = await harness.t.db.staffUser.findUniqueOrThrow({ where: { email: "admin@demo.wijklijn.nl" } });
    await setConversationStatus(
      harness.t.db,
      { staffUserId: admin.id, role: "admin", gemeenteId: admin.gemeenteId, tandemIds: [] },
      conversation.id,
      { status: "resolved" },
      { now: harness.clock.now },
    );
    await ask();
    expect(await statusOf(conversation.id)).toBe("resolved");
    expect(await harness.t.db.feedback.count({ where: { conversationId: conversation.id } })).toBe(0);
  });

  it("on WhatsApp Cloud outside the 24-hour window asks through the configured template, or not at all without one", async () => {
    for (const template of ["wijklijn_gehoord", null]) {
      const { conversationId } = await residentWithStaff();
      // The same conversation as if on WhatsApp, the resident's last message two days ago.
      await harness.t.db.conversation.update({ where: { id: conversationId }, data: { channel: "whatsapp" } });
      harness.clock.now = new Date(harness.clock.now.getTime() + 2 * 24 * 3600 * 1000);
      await setConversationStatus(harness.t.db, staff, conversationId, { status: "resolved" }, { now: harness.clock.now });
      await askQueuedFeedback({ db: harness.t.db, logger, flows: harness.bot.flows, whatsappCloud: { template, language: "nl" }, now: () => harness.clock.now });
      const feedback = await feedbackOf(conversationId);
      if (template) {
        expect(feedback).toMatchObject({ status: "asked", askedAs: "template" });
        const row = await harness.t.db.outboxMessage.findFirstOrThrow({ where: { conversationId, payload: { contains: "wijklijn_gehoord" } } });
        const payload = OutboundPayloadSchema.parse(JSON.parse(row.payload));
        const reference = (await harness.t.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).reference;
        expect(payload.template).toEqual({ name: "wijklijn_gehoord", language: "nl", bodyParameters: [reference], quickReplyPayloads: [1, 2, 3, 4, 5].map((n) => `feedback:${conversationId}:${n}`) });
      } else {
        expect(feedback).toMatchObject({ status: "skipped", skipReason: "whatsapp-window" });
        expect(await questionsIn(conversationId)).toBe(0);
      }
    }
  });
});
