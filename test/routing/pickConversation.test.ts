import { describe, expect, it } from "vitest";
import { pickConversation, REOPEN_RESOLVED_WITHIN_DAYS, type ConversationCandidate } from "../../src/routing/pickConversation.ts";

const at = (day: number) => new Date(Date.UTC(2026, 10, day, 10));
const now = at(20);
const notACommand = () => false;

function candidate(id: string, fields: Partial<ConversationCandidate> = {}): ConversationCandidate {
  return {
    id,
    status: "open",
    snoozedUntil: null,
    createdAt: at(1),
    lastMessageAt: at(1),
    resolvedAt: null,
    lastStaffReplyAt: null,
    lastResidentMessageAt: at(1),
    lastOutboundAt: at(1),
    botAsking: false,
    wasWithStaff: true,
    ...fields,
  };
}

describe("pickConversation", () => {
  it("prefers a melding snoozed until the resident reacts over a newer idee", () => {
    const melding = candidate("melding", { status: "snoozed", lastStaffReplyAt: at(10), lastOutboundAt: at(10), lastMessageAt: at(10) });
    const idee = candidate("idee", { createdAt: at(12), lastMessageAt: at(12), lastOutboundAt: at(12), lastResidentMessageAt: at(12) });
    expect(pickConversation([idee, melding], { now, isCommand: notACommand })).toEqual({ kind: "existing", conversationId: "melding", reopen: false });
  });

  it("of two conversations that wait on the resident, takes the one asked in last", () => {
    const older = candidate("older", { status: "waiting", lastStaffReplyAt: at(5), lastOutboundAt: at(5) });
    const newer = candidate("newer", { status: "waiting", lastStaffReplyAt: at(8), lastOutboundAt: at(8) });
    expect(pickConversation([older, newer], { now, isCommand: notACommand })).toMatchObject({ conversationId: "newer" });
  });

  it("counts an unanswered staff reply and an open bot question as waiting on the resident", () => {
    const answered = candidate("answered", { lastStaffReplyAt: at(5), lastResidentMessageAt: at(6), lastMessageAt: at(15) });
    const unanswered = candidate("unanswered", { lastStaffReplyAt: at(7), lastResidentMessageAt: at(6), lastOutboundAt: at(7), lastMessageAt: at(7) });
    expect(pickConversation([answered, unanswered], { now, isCommand: notACommand })).toMatchObject({ conversationId: "unanswered" });
    const asking = candidate("asking", { status: "bot", botAsking: true, lastOutboundAt: at(9), lastMessageAt: at(9) });
    expect(pickConversation([answered, asking], { now, isCommand: notACommand })).toMatchObject({ conversationId: "asking" });
  });

  it("does not count a conversation snoozed until a time as waiting on the resident", () => {
    const snoozed = candidate("snoozed", { status: "snoozed", snoozedUntil: at(25), lastMessageAt: at(5) });
    const recent = candidate("recent", { lastMessageAt: at(9) });
    expect(pickConversation([snoozed, recent], { now, isCommand: notACommand })).toMatchObject({ conversationId: "recent" });
  });

  it("otherwise takes the most recently active conversation", () => {
    const a = candidate("a", { lastMessageAt: at(3) });
    const b = candidate("b", { lastMessageAt: at(4) });
    expect(pickConversation([a, b], { now, isCommand: notACommand })).toMatchObject({ conversationId: "b" });
  });

  it(`reopens a conversation staff resolved at most ${REOPEN_RESOLVED_WITHIN_DAYS} days ago when the words carry it on, and not a command or an older one`, () => {
    const lately = candidate("lately", { status: "resolved", resolvedAt: at(20 - REOPEN_RESOLVED_WITHIN_DAYS) });
    const stillThere = "Het afval ligt er nog steeds";
    expect(pickConversation([lately], { now, isCommand: notACommand, text: stillThere })).toEqual({ kind: "existing", conversationId: "lately", reopen: true });
    expect(pickConversation([lately], { now, isCommand: () => true, text: stillThere })).toEqual({ kind: "new" });
    const older = candidate("older", { status: "resolved", resolvedAt: at(19 - REOPEN_RESOLVED_WITHIN_DAYS) });
    expect(pickConversation([older], { now, isCommand: notACommand, text: stillThere })).toEqual({ kind: "new" });
    const botOnly = candidate("bot-only", { status: "resolved", resolvedAt: at(19), wasWithStaff: false });
    expect(pickConversation([botOnly], { now, isCommand: notACommand, text: stillThere })).toEqual({ kind: "new" });
  });

  it("starts a new conversation for a new concern soon after a resolution, and reopens for 'not fixed', 'alweer' or the reference", () => {
    const lately = candidate("lately", { status: "resolved", resolvedAt: at(19) });
    const pick = (text: string) => pickConversation([lately], { now, isCommand: notACommand, text });
    expect(pick("er ligt nu ook glas op de stoep")).toEqual({ kind: "new" });
    expect(pick("De lantaarnpaal in de Dorpsstraat is kapot")).toEqual({ kind: "new" });
    expect(pick("Er ligt alweer nieuw afval")).toMatchObject({ kind: "existing", reopen: true });
    expect(pick("het is niet opgelost")).toMatchObject({ kind: "existing", reopen: true });
    expect(pick("over WL-2026-00012: de bank is nog steeds kapot")).toMatchObject({ kind: "existing", reopen: true });
    expect(pickConversation([lately], { now, isCommand: notACommand })).toEqual({ kind: "new" });
  });

  it("files 'kunnen jullie mijn melding afsluiten? is opgelost' after a resolution with that case, without reopening it or starting a new one", () => {
    const lately = candidate("lately", { status: "resolved", resolvedAt: at(19) });
    const pick = (text: string) => pickConversation([lately], { now, isCommand: notACommand, text });
    expect(pick("kunnen jullie mijn melding afsluiten? is opgelost")).toEqual({ kind: "existing", conversationId: "lately", reopen: false });
    expect(pick("de melding mag gesloten worden")).toEqual({ kind: "existing", conversationId: "lately", reopen: false });
  });

  it("asks whether the message is a command only when a resolved conversation could reopen", () => {
    let asked = 0;
    pickConversation([candidate("open")], { now, isCommand: () => ++asked > 0 });
    pickConversation([], { now, isCommand: () => ++asked > 0 });
    expect(asked).toBe(0);
  });
});
