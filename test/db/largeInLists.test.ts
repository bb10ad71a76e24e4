/**
 * A busy week: the digest reads the typed messages of every quotable conversation. With 2,000 of
 * them, one `IN` list beside the other filters would pass SQLite's 999 bound parameters (P2029),
 * so the repository reads them in slices; on PostgreSQL too the answer is whole.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { listTypedResidentMessages } from "../../src/db/digest.repo.ts";
import { describeEachDatabase, createTestDatabase, type TestDatabase } from "../helpers/db.ts";

const CONVERSATIONS = 2_000;

describeEachDatabase("repositories over a week with 2,000 conversations", (provider) => {
  let t: TestDatabase;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    const gemeente = await t.db.gemeente.findFirstOrThrow();
    const resident = await t.db.resident.create({ data: { gemeenteId: gemeente.id } });
    const at = new Date("2026-11-24T10:00:00Z");
    const conversations = Array.from({ length: CONVERSATIONS }, (_, i) => ({
      id: `c-week-${String(i).padStart(5, "0")}`,
      reference: `WL-2026-9${String(i).padStart(4, "0")}`,
      gemeenteId: gemeente.id,
      residentId: resident.id,
      channel: "webchat",
      status: "resolved",
      createdAt: at,
      updatedAt: at,
      lastMessageAt: at,
    }));
    await t.db.conversation.createMany({ data: conversations });
    await t.db.message.createMany({
      data: conversations.flatMap((c, i) => [
        { conversationId: c.id, direction: "in", authorKind: "resident", text: `stoep ${i} is kapot`, channel: "webchat", createdAt: at },
        { conversationId: c.id, direction: "in", authorKind: "resident", text: "Ja", value: "yes", channel: "webchat", createdAt: at },
      ]),
    });
    ids.push(...conversations.map((c) => c.id));
  }, 120_000);
  afterAll(async () => {
    await t?.drop();
  });

  it("reads the typed messages of every conversation (no parameter limit), and no tapped button", async () => {
    const messages = await listTypedResidentMessages(t.db, ids);
    expect(messages).toHaveLength(CONVERSATIONS);
    expect(new Set(messages.map((m) => m.conversationId)).size).toBe(CONVERSATIONS);
    expect(messages.every((m) => m.text.startsWith("stoep "))).toBe(true);
  });
});
