/**
 * Writes the known week of fixtures.ts into a real (demo-seeded) database: the same
 * conversations with their status history and resident messages, plus filler conversations so
 * that the earlier weeks have the fixture's counts.
 */
import { randomBytes } from "node:crypto";
import type { Db } from "../../src/db/client.ts";
import type { DigestConversationInput } from "../../src/digests/buildWeeklyDigest.ts";
import { isoWeekBounds, isoWeekOf } from "../../src/digests/isoWeek.ts";
import { KERKAKKERS, LUCHEN, weekOfWethouderC } from "./fixtures.ts";

const SLUGS: Record<string, string> = { [LUCHEN.id]: "luchen", [KERKAKKERS.id]: "kerkakkers", "w-centrum": "centrum" };

/** Stores one conversation (with a resident, a web chat identity, its history and messages). */
export async function storeConversation(db: Db, input: DigestConversationInput, wijkSlug: string | null, messages: Array<{ text: string; value?: string }> = []): Promise<string> {
  const gemeente = await db.gemeente.findFirstOrThrow();
  const wijk = wijkSlug ? await db.wijk.findFirstOrThrow({ where: { gemeenteId: gemeente.id, slug: wijkSlug } }) : null;
  const resident = await db.resident.create({ data: { gemeenteId: gemeente.id, wijkId: wijk?.id ?? null, createdAt: input.createdAt } });
  const identity = await db.channelIdentity.create({ data: { residentId: resident.id, channel: "webchat", externalId: `digest-${randomBytes(8).toString("hex")}` } });
  const conversation = await db.conversation.create({
    data: {
      reference: input.reference,
      gemeenteId: gemeente.id,
      residentId: resident.id,
      channelIdentityId: identity.id,
      channel: "webchat",
      wijkId: wijk?.id ?? null,
      tandemId: wijk?.tandemId ?? null,
      status: input.status,
      intent: input.intent,
      theme: input.theme,
      emergency: input.emergency,
      createdAt: input.createdAt,
      lastMessageAt: input.createdAt,
      firstResponseAt: input.firstResponseAt,
      resolvedAt: input.status === "resolved" ? (input.statusChanges[input.statusChanges.length - 1]?.at ?? null) : null,
    },
  });
  await db.statusChange.createMany({ data: input.statusChanges.map((change) => ({ conversationId: conversation.id, fromStatus: change.from, toStatus: change.to, at: change.at })) });
  const all = [...messages, ...(input.residentText ? [{ text: input.residentText }] : [])];
  let offset = 0;
  for (const message of all) {
    await db.message.create({
      data: {
        conversationId: conversation.id,
        direction: "in",
        authorKind: "resident",
        text: message.text,
        value: message.value ?? null,
        channel: "webchat",
        channelMessageId: `m-${randomBytes(8).toString("hex")}`,
        createdAt: new Date(input.createdAt.getTime() + ++offset * 1000),
      },
    });
  }
  return conversation.id;
}

/** Writes week 48 of 2026 for Wethouder C (and the earlier weeks' counts) into `db`. */
export async function seedWeekOfWethouderC(db: Db): Promise<void> {
  const fixture = weekOfWethouderC();
  let filler = 0;
  for (const conversation of fixture.conversations) {
    const slug = conversation.wijkId ? (SLUGS[conversation.wijkId] ?? null) : null;
    // A tapped button and a shorter message: the quote must be the longest typed message.
    const extra = conversation.residentText ? [{ text: "Melding", value: "melding" }, { text: "Hallo, ik heb een vraag" }] : [];
    await storeConversation(db, conversation, slug, extra);
  }
  // The earlier weeks: as many conversations as the fixture counts, minus the fixture's own.
  for (const row of fixture.previousWeeks) {
    const own = fixture.conversations.filter((c) => c.wijkId === row.wijkId && c.intent === row.intent && c.theme === row.theme && isoWeekOf(c.createdAt, "Europe/Amsterdam") === row.week).length;
    const wednesdayNoon = new Date(isoWeekBounds(row.week, "Europe/Amsterdam").start.getTime() + (2 * 24 + 12) * 3_600_000);
    for (let i = 0; i < row.count - own; i++) {
      filler++;
      const createdAt = new Date(wednesdayNoon.getTime() + filler * 60_000);
      await storeConversation(
        db,
        {
          id: "",
          reference: `WL-2026-9${String(filler).padStart(4, "0")}`,
          wijkId: row.wijkId,
          intent: row.intent,
          theme: row.theme,
          emergency: null,
          status: "resolved",
          createdAt,
          firstResponseAt: null,
          statusChanges: [
            { from: null, to: "bot", at: createdAt },
            { from: "bot", to: "resolved", at: createdAt },
          ],
          residentText: null,
        },
        SLUGS[row.wijkId] ?? null,
      );
    }
  }
}
