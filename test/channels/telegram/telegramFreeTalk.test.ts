/**
 * A resident who talks like a person, over real grammY and the fake Bot API: ignores buttons and
 * types instead, answers in free text at every step, changes topic, has two open conversations,
 * and writes in the middle of a staff handover. Never a dead end, nothing asked twice, every
 * answer filed in the conversation it belongs to, and 113 at once.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../../src/channels/telegram/telegramChannel.ts";
import { replyToConversation } from "../../../src/inbox/conversationActions.ts";
import { FAKE_BOT_INFO, startFakeTelegramBotApi, type FakeTelegramBotApi, type SentMessage } from "../../fakes/telegramBotApi.ts";
import { createBotHarness, type BotHarness } from "../../helpers/botHarness.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { captureLogger } from "../../helpers/logger.ts";
import { storedForChat, telegramTexts, textUpdate, waitUntilAnswered, deliveredText, writtenText } from "./telegramTestKit.ts";

const texts = (messages: SentMessage[]) => messages.map((m) => m.text).join("\n");

describeEachDatabase("a resident who types freely on Telegram", (provider) => {
  let fake: FakeTelegramBotApi;
  let harness: BotHarness;
  let telegram: TelegramChannel;
  const channelLog = captureLogger("debug");

  beforeAll(async () => {
    fake = await startFakeTelegramBotApi();
    telegram = createTelegramChannel({
      token: fake.token,
      mode: "polling",
      webhookSecret: undefined,
      apiRoot: fake.apiRoot,
      publicUrl: "http://wijklijn.test",
      ingest: (message) => harness.bot.processor.ingest(message),
      logger: channelLog.logger,
      botInfo: FAKE_BOT_INFO,
      ...telegramTexts(),
      polling: { timeoutSeconds: 5, backoffMs: () => 50 },
      limits: { perSecond: 30, perRecipientIntervalMs: 10 },
    });
    harness = await createBotHarness(provider, new Date(), { channels: [telegram.adapter], realClock: true });
  });
  afterAll(async () => {
    await harness?.close();
    await fake?.close();
  });

  it("never asks twice, follows a change of topic, files the answer to staff in the melding, and gives 113 at once", async () => {
    const chat = 620_001;
    let inbound = 0;
    /** Types a message (never a button) and returns the bot's answers to it, once all are delivered. */
    const say = async (text: string): Promise<string> => {
      const before = fake.sentTo(chat).length;
      fake.pushUpdate(textUpdate(chat, text));
      inbound++;
      await waitUntilAnswered(harness.t.db, () => fake.sentTo(chat), chat, inbound);
      return texts(fake.sentTo(chat).slice(before));
    };
    const { db } = harness.t;
    const conversationOf = (id: string) => db.conversation.findUniqueOrThrow({ where: { id }, include: { messages: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } } });

    // The first message says it all: what, where, and the postcode.
    const welcome = await say("goedemiddag, is dit de gemeente? bij ons ligt troep bij de speeltuin, postcode 5731 BC");
    expect(welcome).toContain("chatbot");
    expect(welcome).toContain("Vind je dat goed?");
    // Consent typed, not tapped: the postcode from the first message is not asked again.
    const consent = await say("ja hoor prima");
    expect(consent).toContain("Luchen. Klopt dat?");
    expect(consent).not.toContain("postcode");
    // The melding was described already: straight to the photo.
    const wijk = await say("jazeker");
    expect(wijk).toContain("je wijk is Luchen");
    expect(wijk).toContain("foto");
    expect(wijk).not.toContain("Wat wil je melden?");
    expect(await say("nee heb ik niet")).toContain("Waar is het precies?");
    // "troep" names no theme for sure: the bot asks what it is about, and a typed theme is taken.
    expect(await say("bij de speeltuin aan de Heuvel")).toContain("Waar gaat het over?");
    expect(await say("afval")).toContain("meehelpen");
    expect(await say("nee")).toContain("reactie van de gemeente");
    const handover = await say("ja graag");
    expect(handover).toContain("gebiedsregisseur van Luchen");
    expect(handover).toMatch(/WL-\d{4}-\d+/);
    const meldingId = (await storedForChat(db, chat)).conversations[0]?.id ?? "";

    // Staff ask something in the melding; the reply reaches the resident's chat.
    const staffUser = await db.staffUser.findFirstOrThrow({ where: { email: "gr.mierlo@demo.wijklijn.nl" } });
    const tandem = await db.tandem.findFirstOrThrow({ where: { slug: "mierlo" } });
    const staff = { staffUserId: staffUser.id, role: "gebiedsregisseur" as const, gemeenteId: staffUser.gemeenteId, tandemIds: [tandem.id] };
    const sentBefore = fake.sentTo(chat).length;
    await replyToConversation(db, staff, meldingId, "Dank voor je melding. Bij welk huisnummer ligt het?", { now: new Date() });
    const [staffReply] = (await fake.waitForSent(chat, sentBefore + 1)).slice(sentBefore);
    expect(staffReply?.text).toContain("Bij welk huisnummer");

    // Meanwhile a new topic: an idea, said in one go at the menu, never asked again.
    expect(await say("nieuw onderwerp")).toContain("Waarmee kan ik je helpen?");
    const idea = await say("een idee: een bankje bij de vijver voor de ouderen");
    expect(idea).not.toContain("Wat is je idee");
    expect(idea).toContain("Wat zou je het meest helpen");
    expect(await say("iemand die meedenkt")).toContain("Wil je zelf meehelpen");
    const ideaDone = await say("ja");
    expect(ideaDone).toContain("Dank je wel voor je idee");
    const open = (await storedForChat(db, chat)).conversations;
    expect(open.map((c) => [c.intent, c.status])).toEqual([
      ["idee", "open"],
      ["melding", "waiting"],
    ]);
    const ideeId = open[0]?.id ?? "";
    const ideaMessagesBefore = (await conversationOf(ideeId)).messages.length;

    // The answer to staff's question goes to the melding, not to the newer idea.
    await say("het is bij nummer 12");
    const melding = await conversationOf(meldingId);
    expect(melding.messages.filter((m) => m.direction === "in").at(-1)?.text).toBe("het is bij nummer 12");
    expect(melding.status).toBe("open");
    expect((await conversationOf(ideeId)).messages.length).toBe(ideaMessagesBefore);

    // In the middle of the handover: what the bot can answer itself, it answers.
    expect(await say("is er nieuws uit de wijk?")).toContain("Dit speelt er in Luchen");

    // A crisis at any moment: 113 at once, then a gentle follow-up and never a form question.
    const crisis = await say("ik wil eigenlijk niet meer leven");
    expect(crisis).toContain("113");
    expect(crisis).toContain("0800-0113");
    const followUp = await say("weet ik niet");
    expect(followUp).toContain("113");
    expect(followUp).not.toMatch(/foto|Wat is je idee|Waar is het/);
    const flagged = (await storedForChat(db, chat)).conversations.filter((c) => c.emergency === "113");
    expect(flagged).toHaveLength(1);
    expect(flagged[0]?.status).toBe("open");

    // Everything was stored once and every answer reached the chat, in order.
    const stored = await storedForChat(db, chat);
    expect(stored.inbound).toHaveLength(inbound);
    expect(deliveredText(fake.sentTo(chat))).toEqual(writtenText(stored.outbound));
  });
});
