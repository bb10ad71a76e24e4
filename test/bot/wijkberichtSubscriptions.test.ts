/**
 * Subscriptions to wijkberichten through the bot, on the real bot, outbox and databases: "stop"
 * right after a wijkbericht (or with no question open) ends the subscription (and says how to come
 * back), "stop" in the middle of a question only stops that; "afmelden" during a running bericht takes back the
 * copy still waiting and no later bericht reaches the resident; weekly subscribers get one bundle
 * a week, once.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { saveWijkbericht } from "../../src/inbox/wijkberichtActions.ts";
import { sendWeeklyBundles } from "../../src/jobs/wijkberichtBundles.ts";
import { runWijkberichtRound, type WijkberichtSenderDeps } from "../../src/jobs/wijkberichtSender.ts";
import { createBotHarness, joined, type BotHarness, type Resident } from "../helpers/botHarness.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { captureLogger } from "../helpers/logger.ts";

describeEachDatabase("wijkbericht subscriptions in the chat", (provider) => {
  let h: BotHarness;
  let gemeenteId = "";
  let centrum = "";
  let deps: WijkberichtSenderDeps;

  beforeAll(async () => {
    // A Monday morning in December (Amsterdam time).
    h = await createBotHarness(provider, new Date("2026-12-07T10:00:00+01:00"));
    gemeenteId = (await h.t.db.gemeente.findFirstOrThrow()).id;
    centrum = (await h.t.db.wijk.findFirstOrThrow({ where: { slug: "centrum" } })).id;
    deps = { db: h.t.db, logger: captureLogger("error").logger, globals: () => h.bot.flows().globals, channels: ["webchat"], whatsappCloud: null, now: () => h.clock.now };
  });
  afterAll(async () => h?.close());

  /** A resident of Geldrop-Centrum who consented and subscribed in the chat. */
  async function subscribed(frequency: "each" | "weekly"): Promise<Resident> {
    const resident = h.resident();
    await resident.say("hoi");
    await resident.tap("yes");
    await resident.say("5661 AB");
    await resident.say("ja");
    expect(joined(await resident.say("wijkberichten"))).toContain("Geldrop-Centrum");
    await resident.tap("aan");
    expect(joined(await resident.tap(frequency))).toContain("Gelukt");
    return resident;
  }

  const identityOf = async (resident: Resident) => h.t.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "webchat", externalId: resident.externalId } } });
  const activeSubscriptions = async (resident: Resident) => h.t.db.subscription.count({ where: { channelIdentityId: (await identityOf(resident)).id, cancelledAt: null } });

  async function sendBericht(text: string): Promise<string> {
    const saved = await saveWijkbericht(h.t.db, { kind: "cli", gemeenteId }, { form: { text, imageUrl: null, link: null, wijkIds: [centrum] }, intent: { action: "send" } }, { now: h.clock.now });
    if (!saved.ok) throw new Error("not saved");
    await runWijkberichtRound(deps);
    return saved.id;
  }

  it("reads 'stop' right after a wijkbericht as 'no more wijkberichten', and says how to get them back", async () => {
    const resident = await subscribed("each");
    await sendBericht("Zaterdag is de buurtschoonmaak.");
    await h.bot.processor.idle();
    const reply = joined(await resident.say("stop"));
    expect(reply).toContain("geen wijkberichten meer");
    expect(reply).toContain("wijkberichten");
    expect(await activeSubscriptions(resident)).toBe(0);
  });

  it("files a reply to a wijkbericht ('Reageren kan hier') with the tandem as a conversation of its own, and a clear ask still goes to its flow", async () => {
    const resident = await subscribed("each");
    await sendBericht("Vanaf maandag wordt de Heuvel opnieuw bestraat.");
    await h.bot.processor.idle();
    const reply = joined(await resident.say("Welke dag wordt het dan precies?"));
    expect(reply).toContain("doorgezet");
    expect(reply).not.toContain("Wat bedoel je?");
    const [latest] = await resident.conversations();
    expect(latest).toMatchObject({ status: "open", intent: "contact" });
    const handedOver = await h.t.db.message.findFirst({ where: { conversationId: latest?.id ?? "", direction: "in" }, orderBy: { createdAt: "desc" } });
    expect(handedOver?.text).toBe("Welke dag wordt het dan precies?");

    // Another subscriber: a plain melding right after a bericht is a melding.
    const other = await subscribed("each");
    await sendBericht("Zaterdag is de buurtschoonmaak.");
    await h.bot.processor.idle();
    expect(joined(await other.say("ik wil iets melden: de lantaarnpaal bij de kerk is kapot"))).toContain("foto");
  });

  it("reads 'stop' in the middle of something else as stopping that, and keeps the wijkberichten; one more 'stop' ends them", async () => {
    const resident = await subscribed("each");
    await resident.say("ik wil iets melden");
    const reply = joined(await resident.say("stop"));
    expect(reply).toContain("ik ben gestopt");
    expect(reply).toContain("Stuur nog een keer 'stop'");
    expect(await activeSubscriptions(resident)).toBe(1);
    expect(joined(await resident.say("stop"))).toContain("geen wijkberichten meer");
    expect(await activeSubscriptions(resident)).toBe(0);
  });

  it("stops a running bericht for a resident who unsubscribes, and sends them no later one", async () => {
    const resident = await subscribed("each");
    await h.bot.dispatcher.stop();
    try {
      const first = await sendBericht("Het fietspad wordt verbreed.");
      const identity = await identityOf(resident);
      expect(await h.t.db.wijkberichtDelivery.findFirstOrThrow({ where: { wijkberichtId: first, channelIdentityId: identity.id } })).toMatchObject({ status: "queued" });
      expect(joined(await resident.say("afmelden"))).toContain("geen wijkberichten meer");
      const delivery = await h.t.db.wijkberichtDelivery.findFirstOrThrow({ where: { wijkberichtId: first, channelIdentityId: identity.id }, include: { outboxMessage: true } });
      expect(delivery).toMatchObject({ status: "unsubscribed", outboxMessage: { status: "cancelled" } });
      const second = await sendBericht("De markt verhuist.");
      expect(await h.t.db.wijkberichtDelivery.count({ where: { wijkberichtId: second, channelIdentityId: identity.id } })).toBe(0);
    } finally {
      h.bot.dispatcher.start();
    }
  });

  it("gives a weekly subscriber one bundle with last week's berichten, on Monday from 09:00, once", async () => {
    const resident = await subscribed("weekly");
    const identity = await identityOf(resident);
    const lastWeek = new Date("2026-12-02T12:00:00+01:00");
    const bericht = await h.t.db.wijkbericht.create({
      data: { gemeenteId, text: "De kerstmarkt is op 19 december.", status: "sent", authorKind: "cli", startedAt: lastWeek, createdAt: lastWeek, wijken: { create: [{ wijkId: centrum }] } },
    });
    // Each-bericht subscribers got it then; the weekly one did not.
    await runWijkberichtRound(deps);
    expect(await h.t.db.wijkberichtDelivery.count({ where: { wijkberichtId: bericht.id, channelIdentityId: identity.id } })).toBe(0);

    const bundleDeps = { db: h.t.db, logger: deps.logger, globals: deps.globals, gemeenteId, timeZone: "Europe/Amsterdam", channels: ["webchat" as const], whatsappCloud: null };
    expect(await sendWeeklyBundles({ ...bundleDeps, now: () => new Date("2026-12-07T08:30:00+01:00") })).toBe(0);
    expect(await sendWeeklyBundles({ ...bundleDeps, now: () => new Date("2026-12-07T09:05:00+01:00") })).toBeGreaterThanOrEqual(1);
    expect(await sendWeeklyBundles({ ...bundleDeps, now: () => new Date("2026-12-07T11:00:00+01:00") })).toBe(0);
    const bundle = await h.t.db.wijkberichtBundle.findUniqueOrThrow({ where: { channelIdentityId_week: { channelIdentityId: identity.id, week: "2026-W49" } } });
    expect(bundle.berichten).toBeGreaterThanOrEqual(1);
    const outbox = await h.t.db.outboxMessage.findUniqueOrThrow({ where: { id: bundle.outboxMessageId ?? "" } });
    expect(outbox.payload).toContain("De kerstmarkt is op 19 december.");
    expect(outbox.payload).toContain("Wijkberichten van deze week voor Geldrop-Centrum");
  });
});
