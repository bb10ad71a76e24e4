/**
 * Which conversation a resident's message belongs to (README "Which conversation a message belongs
 * to"), with several conversations open at once, on the real bot and a real database.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { StaffPrincipal } from "../../src/api/auth.ts";
import { onInboxEvent, type InboxEvent } from "../../src/domain/events.ts";
import { replyToConversation, setConversationStatus } from "../../src/inbox/conversationActions.ts";
import { REOPEN_RESOLVED_WITHIN_DAYS } from "../../src/routing/pickConversation.ts";
import { createBotHarness, joined, type BotHarness, type Resident } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const DAY = 24 * 3600 * 1000;

describeEachDatabase("threading a resident's messages", (provider) => {
  let h: BotHarness;
  let staff: StaffPrincipal;
  const events: InboxEvent[] = [];
  let stopListening = () => {};

  beforeAll(async () => {
    h = await createBotHarness(provider);
    const user = await h.t.db.staffUser.findUniqueOrThrow({ where: { email: "gr.mierlo@demo.wijklijn.nl" }, include: { tandems: true } });
    staff = { staffUserId: user.id, role: "gebiedsregisseur", gemeenteId: user.gemeenteId, tandemIds: user.tandems.map((m) => m.tandemId) };
    stopListening = onInboxEvent((event) => events.push(event));
  });
  afterAll(async () => {
    stopListening();
    await h?.close();
  });

  async function residentInLuchen(): Promise<Resident> {
    const resident = h.resident();
    await resident.say("hoi");
    await resident.tap("yes");
    await resident.say("ik woon op 5731 bc 12");
    await resident.say("ja");
    return resident;
  }

  async function reportLitter(resident: Resident): Promise<string> {
    await resident.say("Er ligt al een week een berg zwerfafval bij de speeltuin");
    await resident.send({ media: { kind: "photo", ref: "AgACAgQAAxkBAAIB" } });
    await resident.say("Bij de speeltuin aan de Heuvelstraat");
    await resident.say("2");
    expect(joined(await resident.tap("chat"))).toContain("WL-2026-");
    const [melding] = await resident.conversations();
    expect(melding).toMatchObject({ status: "open", intent: "melding" });
    return melding?.id ?? "";
  }

  /** From the menu: an idea with its support and the resident joining in, handed to staff. */
  async function shareIdeaFromMenu(resident: Resident): Promise<void> {
    expect(joined(await resident.tap("idee"))).toContain("Wat is je idee");
    await resident.say("Een moestuin met de buren op het grasveld");
    await resident.say("geld");
    expect(joined(await resident.tap("zelf"))).toContain("Dank je wel voor je idee");
  }

  const conversation = (id: string) => h.t.db.conversation.findUniqueOrThrow({ where: { id }, include: { messages: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } } });

  it("files the answer to staff's question in the melding, not in a newer idee, and brings the melding back to the list", async () => {
    const resident = await residentInLuchen();
    const meldingId = await reportLitter(resident);
    await replyToConversation(h.t.db, staff, meldingId, "Welk huisnummer is het dichtst bij?", { now: h.clock.now });
    await setConversationStatus(h.t.db, staff, meldingId, { status: "snoozed" }, { now: h.clock.now });

    // Meanwhile the resident shares an idea: the menu, then a conversation of its own.
    expect(joined(await resident.say("menu"))).toContain("Waarmee kan ik je helpen?");
    await shareIdeaFromMenu(resident);
    const idee = (await resident.conversations()).find((c) => c.intent === "idee");
    expect(idee).toMatchObject({ status: "open" });
    expect((await conversation(meldingId)).status).toBe("snoozed");
    const ideeMessagesBefore = (await conversation(idee?.id ?? "")).messages.length;

    events.length = 0;
    await resident.say("Het is bij nummer 12");
    const melding = await conversation(meldingId);
    expect(melding.status).toBe("open");
    expect(melding.snoozedUntil).toBeNull();
    // The answer is filed in the melding (staff just asked: no bot text in between).
    expect(melding.messages.filter((m) => m.direction === "in").at(-1)).toMatchObject({ text: "Het is bij nummer 12" });
    expect((await conversation(idee?.id ?? "")).messages.length).toBe(ideeMessagesBefore);
    expect(events).toContainEqual(expect.objectContaining({ conversationId: meldingId, kind: "message" }));
    const reopened = await h.t.db.statusChange.findFirst({ where: { conversationId: meldingId }, orderBy: [{ at: "desc" }, { id: "desc" }] });
    expect(reopened).toMatchObject({ fromStatus: "snoozed", toStatus: "open" });
  });

  it("keeps a snoozed melding asleep when the resident starts a new topic with 'nieuw onderwerp'", async () => {
    const resident = await residentInLuchen();
    const meldingId = await reportLitter(resident);
    await replyToConversation(h.t.db, staff, meldingId, "Is het nog steeds zo?", { now: h.clock.now });
    await setConversationStatus(h.t.db, staff, meldingId, { status: "snoozed" }, { now: h.clock.now });

    expect(joined(await resident.say("nieuw onderwerp"))).toContain("Waarmee kan ik je helpen?");
    expect((await conversation(meldingId)).status).toBe("snoozed");
    await shareIdeaFromMenu(resident);
    const conversations = await resident.conversations();
    expect(conversations.map((c) => c.intent)).toEqual(["idee", "melding"]);
    expect((await conversation(meldingId)).status).toBe("snoozed");
  });

  it(`reopens a resolved melding for a message within ${REOPEN_RESOLVED_WITHIN_DAYS} days, and starts a new conversation after that`, async () => {
    const resident = await residentInLuchen();
    const meldingId = await reportLitter(resident);
    await replyToConversation(h.t.db, staff, meldingId, "Het afval is opgeruimd.", { now: h.clock.now });
    await resident.say("Top, dank je");
    await setConversationStatus(h.t.db, staff, meldingId, { status: "resolved" }, { now: h.clock.now });

    h.clock.now = new Date(h.clock.now.getTime() + 2 * DAY);
    await resident.say("Er ligt alweer nieuw afval");
    const reopened = await conversation(meldingId);
    expect(reopened.status).toBe("open");
    expect(reopened.messages.filter((m) => m.direction === "in").at(-1)).toMatchObject({ text: "Er ligt alweer nieuw afval" });
    expect(await resident.conversations()).toHaveLength(1);

    await setConversationStatus(h.t.db, staff, meldingId, { status: "resolved" }, { now: h.clock.now });
    h.clock.now = new Date(h.clock.now.getTime() + (REOPEN_RESOLVED_WITHIN_DAYS + 1) * DAY);
    await resident.say("Ik heb een idee voor een moestuin met de buren op het grasveld");
    const [fresh, old] = await resident.conversations();
    expect(old?.id).toBe(meldingId);
    expect(old?.status).toBe("resolved");
    expect(fresh?.status).toBe("bot");
  });

  it("does not reopen a resolved melding for a global command such as 'menu'", async () => {
    const resident = await residentInLuchen();
    const meldingId = await reportLitter(resident);
    await setConversationStatus(h.t.db, staff, meldingId, { status: "resolved" }, { now: h.clock.now });
    expect(joined(await resident.say("menu"))).toContain("Waarmee kan ik je helpen?");
    expect((await conversation(meldingId)).status).toBe("resolved");
    const [fresh] = await resident.conversations();
    expect(fresh?.id).not.toBe(meldingId);
    expect(fresh?.status).toBe("bot");
  });
});
