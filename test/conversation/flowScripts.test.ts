/**
 * Runs the scripted conversations in flows/tests/*.test.yaml against the real bot, turn by turn.
 * The communication staff can write these too: see flows/tests/README.md.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { createBotHarness, joined, type BotHarness, type Resident } from "../helpers/botHarness.ts";
import { replyToConversation, setConversationStatus } from "../../src/inbox/conversationActions.ts";
import { askQueuedFeedback } from "../../src/trust/feedbackAsker.ts";
import { captureLogger } from "../helpers/logger.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const dir = fileURLToPath(new URL("../../flows/tests/", import.meta.url));

const CheckSchema = z
  .object({
    status: z.string().optional(),
    intent: z.string().nullable().optional(),
    theme: z.string().nullable().optional(),
    wijk: z.string().nullable().optional(),
    tandem: z.string().nullable().optional(),
    emergency: z.string().nullable().optional(),
    count: z.number().optional(),
    residentWijk: z.string().nullable().optional(),
    subscribed: z.boolean().optional(),
    registrations: z.number().optional(),
    consent: z.boolean().nullable().optional(),
    /** Fragments of what the resident wrote that nothing stored may contain (conversation state and fields, inbound messages). */
    notStored: z.array(z.string()).optional(),
    /** How many of the resident's messages the newest conversation holds for staff. */
    inbound: z.number().optional(),
    /** Fragments the bot's notes for staff in the newest conversation contain (the melding's summary). */
    note: z.array(z.string()).optional(),
  })
  .strict();

const TurnSchema = z
  .object({
    say: z.string().optional(),
    tap: z.string().optional(),
    location: z.tuple([z.number(), z.number()]).optional(),
    photo: z.string().optional(),
    voice: z.string().optional(),
    wait: z
      .string()
      .regex(/^\d+[mhd]$/)
      .optional(),
    repeat: z.boolean().optional().describe("send the previous message again with the same platform id (a duplicate delivery)"),
    /** A reply by the gebiedsregisseur of the newest conversation's tandem, from the inbox (it reaches the resident with the next turn's replies). */
    staff: z.string().optional(),
    /** The gebiedsregisseur resolves the newest conversation from the inbox; "Voelde je je gehoord?" follows (src/trust/feedbackAsker.ts). */
    resolve: z.boolean().optional(),
    expect: z.array(z.string()).default([]),
    notExpect: z.array(z.string()).default([]),
    buttons: z.array(z.string()).optional(),
    /** Buttons the last answer must not offer. */
    notButtons: z.array(z.string()).optional(),
    silent: z.boolean().optional(),
    /** true: the bot put a reaction (👍) on this message, the acknowledgement that is not a bubble; false: it did not. */
    reacted: z.boolean().optional(),
    check: CheckSchema.optional(),
  })
  .strict();

const ScriptSchema = z
  .object({
    name: z.string(),
    at: z.string().optional(),
    given: z
      .object({ consent: z.boolean().optional(), wijk: z.string().optional(), language: z.enum(["nl", "en"]).optional() })
      .strict()
      .optional(),
    turns: z.array(TurnSchema).min(1),
  })
  .strict();

const scripts = readdirSync(dir)
  .filter((name) => name.endsWith(".test.yaml"))
  .sort()
  .map((file) => ({ file, script: ScriptSchema.parse(parse(readFileSync(`${dir}${file}`, "utf8"))) }));

async function prepare(harness: BotHarness, resident: Resident, given: z.infer<typeof ScriptSchema>["given"]) {
  if (!given) return;
  const { db } = harness.t;
  const gemeente = await db.gemeente.findFirstOrThrow();
  const wijk = given.wijk ? await db.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId: gemeente.id, slug: given.wijk } } }) : null;
  const created = await db.resident.create({ data: { gemeenteId: gemeente.id, wijkId: wijk?.id ?? null, language: given.language ?? "nl" } });
  await db.channelIdentity.create({ data: { residentId: created.id, channel: "webchat", externalId: resident.externalId } });
  if (given.consent !== undefined) await db.consent.create({ data: { residentId: created.id, kind: "privacy", granted: given.consent, version: "test" } });
}

async function replyAsStaff(harness: BotHarness, resident: Resident, text: string) {
  const { staff, conversationId } = await staffOfNewest(harness, resident);
  await replyToConversation(harness.t.db, staff, conversationId, text, { now: harness.clock.now });
}

async function resolveAsStaff(harness: BotHarness, resident: Resident) {
  const { staff, conversationId } = await staffOfNewest(harness, resident);
  await setConversationStatus(harness.t.db, staff, conversationId, { status: "resolved" }, { now: harness.clock.now });
  await askQueuedFeedback({ db: harness.t.db, logger: captureLogger().logger, flows: harness.bot.flows, whatsappCloud: null, now: () => harness.clock.now });
}

/** The newest conversation and the gebiedsregisseur of its tandem. */
async function staffOfNewest(harness: BotHarness, resident: Resident) {
  const [newest] = await resident.conversations();
  const tandem = newest?.tandem ? await harness.t.db.tandem.findFirst({ where: { slug: newest.tandem } }) : null;
  if (!newest || !tandem) throw new Error("a staff action needs a conversation with a tandem");
  const member = await harness.t.db.tandemMember.findFirstOrThrow({ where: { tandemId: tandem.id, role: "gebiedsregisseur" }, include: { staffUser: true } });
  const staff = { staffUserId: member.staffUser.id, role: "gebiedsregisseur" as const, gemeenteId: member.staffUser.gemeenteId, tandemIds: [tandem.id] };
  return { staff, conversationId: newest.id };
}

async function check(harness: BotHarness, resident: Resident, expected: z.infer<typeof CheckSchema>, where: string) {
  const conversations = await resident.conversations();
  const newest = conversations[0];
  if (expected.count !== undefined) expect(conversations.length, `${where}: number of conversations`).toBe(expected.count);
  if (expected.inbound !== undefined) expect(newest?.messages.filter((m) => m.direction === "in").length, `${where}: resident messages for staff`).toBe(expected.inbound);
  const notes = (newest?.messages ?? [])
    .filter((m) => m.direction === "note")
    .map((m) => m.text ?? "")
    .join("\n");
  for (const fragment of expected.note ?? []) expect(notes, `${where}: note for staff`).toContain(fragment);
  for (const key of ["status", "intent", "theme", "wijk", "tandem", "emergency"] as const) {
    if (expected[key] !== undefined) expect(newest?.[key], `${where}: conversation ${key}`).toBe(expected[key]);
  }
  const identity = await harness.t.db.channelIdentity.findUniqueOrThrow({
    where: { channel_externalId: { channel: "webchat", externalId: resident.externalId } },
    include: {
      resident: { include: { wijk: true, consents: { where: { kind: "privacy" }, orderBy: { at: "desc" } }, registrations: { where: { status: { in: ["registered", "waitlist"] } } } } },
      subscriptions: { where: { cancelledAt: null } },
    },
  });
  if (expected.residentWijk !== undefined) expect(identity.resident.wijk?.slug ?? null, `${where}: resident wijk`).toBe(expected.residentWijk);
  if (expected.subscribed !== undefined) expect(identity.subscriptions.length > 0, `${where}: subscribed`).toBe(expected.subscribed);
  if (expected.registrations !== undefined) expect(identity.resident.registrations.length, `${where}: registrations`).toBe(expected.registrations);
  if (expected.consent !== undefined) expect(identity.resident.consents[0]?.granted ?? null, `${where}: consent`).toBe(expected.consent);
  if (expected.notStored) {
    const stored = await harness.t.db.conversation.findMany({ where: { residentId: identity.residentId }, include: { messages: { where: { direction: "in" } } } });
    const text = JSON.stringify(stored).toLowerCase();
    for (const fragment of expected.notStored) expect(text, `${where}: stored`).not.toContain(fragment.toLowerCase());
  }
}

describeEachDatabase("scripted conversations (flows/tests)", (provider) => {
  let harness: BotHarness;
  beforeAll(async () => {
    harness = await createBotHarness(provider);
  });
  afterAll(async () => harness?.close());

  for (const { file, script } of scripts) {
    it(`${file}: ${script.name}`, async () => {
      if (script.at) harness.clock.now = new Date(script.at);
      const resident = harness.resident();
      await prepare(harness, resident, script.given);
      let lastId = "";
      for (const [index, turn] of script.turns.entries()) {
        const where = `${file} turn ${index + 1}`;
        if (turn.wait) {
          const amount = Number(turn.wait.slice(0, -1));
          const unit = turn.wait.slice(-1);
          harness.clock.now = new Date(harness.clock.now.getTime() + amount * (unit === "m" ? 60_000 : unit === "h" ? 3_600_000 : 86_400_000));
        }
        const id = turn.repeat ? lastId : `${file}-${index}`;
        lastId = id;
        const message =
          turn.say !== undefined
            ? { text: turn.say }
            : turn.tap !== undefined
              ? { value: turn.tap }
              : turn.location
                ? { location: { lat: turn.location[0], lon: turn.location[1] } }
                : turn.photo
                  ? { media: { ref: turn.photo, kind: "photo" as const } }
                  : turn.voice
                    ? { media: { ref: turn.voice, kind: "voice" as const } }
                    : null;
        if (message) {
          const channelMessageId = `${resident.externalId}-${id}`;
          const replies = await resident.send({ ...message, channelMessageId });
          const text = joined(replies);
          // A reaction is no reply, but it is an answer: a turn that got only a reaction is not silent.
          const reactions = await resident.reactionsOn(channelMessageId);
          if (turn.silent) {
            expect(replies, `${where}: the bot should stay quiet`).toEqual([]);
            expect(reactions, `${where}: the bot should not react either`).toEqual([]);
          } else if (!turn.repeat && !turn.reacted) expect(replies.length, `${where}: the bot should answer`).toBeGreaterThan(0);
          if (turn.reacted !== undefined) expect(reactions.length > 0, `${where}: a reaction on the message`).toBe(turn.reacted);
          for (const fragment of turn.expect) expect(text, `${where}`).toContain(fragment);
          for (const fragment of turn.notExpect) expect(text, `${where}`).not.toContain(fragment);
          if (turn.buttons) {
            const labels = replies[replies.length - 1]?.buttons.map((b) => b.label) ?? [];
            for (const label of turn.buttons) expect(labels, `${where}: buttons`).toContain(label);
          }
          if (turn.notButtons) {
            const labels = replies[replies.length - 1]?.buttons.map((b) => b.label) ?? [];
            for (const label of turn.notButtons) expect(labels, `${where}: buttons`).not.toContain(label);
          }
        }
        if (turn.staff) await replyAsStaff(harness, resident, turn.staff);
        if (turn.resolve) await resolveAsStaff(harness, resident);
        if (turn.check) await check(harness, resident, turn.check, where);
      }
    });
  }
});
