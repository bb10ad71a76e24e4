/**
 * The inbox sorts on Conversation.waitingSince (src/db/inbox.repo.ts), which changeStatus keeps:
 * set when a conversation becomes open, kept while it stays open, cleared in any other status.
 * The list reads it page by page from the index, emergencies first, whoever waits longest next.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { changeStatus, createConversation, findOrCreateIdentity } from "../../src/db/conversation.repo.ts";
import { listConversationsByWaitingTime } from "../../src/db/inbox.repo.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";

/** Monday 30 November 2026, 10:00 in Geldrop. */
const NOW = new Date("2026-11-30T10:00:00+01:00");
const MINUTE = 60_000;
const at = (minutes: number) => new Date(NOW.getTime() + minutes * MINUTE);

describeEachDatabase("waiting since, as the inbox sorts on it", (provider) => {
  let t: TestDatabase;
  let gemeenteId: string;
  let wijkId: string;
  let counter = 0;

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    gemeenteId = (await t.db.gemeente.findFirstOrThrow()).id;
    wijkId = (await t.db.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId, slug: "luchen" } } })).id;
  });
  afterAll(async () => {
    await t?.drop();
  });

  async function conversation(): Promise<string> {
    const n = ++counter;
    return t.db.$transaction(async (tx) => {
      const { identity, resident } = await findOrCreateIdentity(tx, { gemeenteId, channel: "webchat", externalId: `waiting-since-${n}-abcdefghijklmnop`, now: at(-600) });
      const created = await createConversation(tx, { gemeenteId, residentId: resident.id, channelIdentityId: identity.id, channel: "webchat", wijkId, now: at(-600) });
      return created.id;
    });
  }

  const move = (id: string, to: "open" | "waiting" | "snoozed" | "resolved", minutes: number) => t.db.$transaction((tx) => changeStatus(tx, id, to, { now: at(minutes) }));
  const waitingSinceOf = async (id: string) => (await t.db.conversation.findUniqueOrThrow({ where: { id }, select: { waitingSince: true } })).waitingSince;

  it("is set when a conversation becomes open, kept while it stays open, and cleared in any other status", async () => {
    const id = await conversation();
    expect(await waitingSinceOf(id)).toBeNull();
    await move(id, "open", -300);
    expect(await waitingSinceOf(id)).toEqual(at(-300));
    // A second "open" (the resident writes again before staff answered) does not reset the wait.
    await move(id, "open", -200);
    expect(await waitingSinceOf(id)).toEqual(at(-300));
    for (const to of ["waiting", "snoozed", "resolved"] as const) {
      await move(id, to, -100);
      expect(await waitingSinceOf(id)).toBeNull();
      await move(id, "open", -50);
      expect(await waitingSinceOf(id)).toEqual(at(-50));
    }
  });

  it("lists whoever waits longest first, a reopened conversation by its reopening, page by page", async () => {
    const scope = { gemeenteId, tandemIds: "all" as const };
    const [early, reopened, late, answered] = [await conversation(), await conversation(), await conversation(), await conversation()];
    await move(early, "open", -500);
    await move(reopened, "open", -490);
    await move(late, "open", -400);
    await move(answered, "open", -480);
    await move(answered, "waiting", -470);
    // Answered, then the resident wrote again: waiting since then, behind the ones waiting longer.
    await move(reopened, "waiting", -480);
    await move(reopened, "open", -450);
    const ours = new Set([early, reopened, late, answered]);
    const listed = async (limit: number) => {
      const page = await listConversationsByWaitingTime(t.db, scope, { statuses: ["open", "waiting"], limit });
      return { ids: page.items.map((item) => item.id).filter((id) => ours.has(id)), page };
    };
    const all = await listed(100);
    expect(all.ids).toEqual([early, reopened, late, answered]);
    expect(all.page.items.find((item) => item.id === reopened)?.waitingSince).toEqual(at(-450));
    expect(all.page.items.find((item) => item.id === answered)?.waitingSince).toBeNull();
    expect(all.page.hasMore).toBe(false);
    // The first page holds the longest waits, and says there is more.
    const total = all.page.items.length;
    const first = await listConversationsByWaitingTime(t.db, scope, { statuses: ["open", "waiting"], limit: total - 1 });
    expect(first.items.map((item) => item.id)).toEqual(all.page.items.slice(0, total - 1).map((item) => item.id));
    expect(first.hasMore).toBe(true);
  });
});
