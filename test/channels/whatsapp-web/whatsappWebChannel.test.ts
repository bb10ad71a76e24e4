import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { ChannelSendError } from "../../../src/channels/channel.ts";
import { createWhatsappWebChannel, type WhatsappWebChannel } from "../../../src/channels/whatsapp-web/whatsappWebChannel.ts";
import type { InboundMessage } from "../../../src/domain/messages.ts";
import { FakeWhatsappWebClient, raw, type RawMessageData } from "../../fakes/whatsappWebClient.ts";
import { createBotHarness, type BotHarness } from "../../helpers/botHarness.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { captureLogger } from "../../helpers/logger.ts";

const RESIDENT = "31612345678@c.us";

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

/** A bot on a real database with the WhatsApp Web channel on a fake client. */
async function startWhatsapp(provider: Parameters<typeof createBotHarness>[0], fake: FakeWhatsappWebClient) {
  const inflight = new Set<Promise<unknown>>();
  let harness: BotHarness | null = null;
  const { logger } = captureLogger("warn");
  const qrCodes: string[] = [];
  const channel: WhatsappWebChannel = createWhatsappWebChannel({
    dataDir: "/nonexistent/whatsapp-web",
    chromiumPath: "/usr/bin/chromium",
    logger,
    clientFactory: () => fake,
    printQr: (qr) => qrCodes.push(qr),
    reconnect: { initialDelayMs: 30, maxDelayMs: 200 },
    notReadyRetryMs: 60,
    // The real 1 s per resident would make this journey take half a minute.
    limits: { perSecond: 50, perRecipientIntervalMs: 0 },
    ingest: (message: InboundMessage) => {
      if (!harness) throw new Error("the bot is not running yet");
      const stored = harness.bot.processor.ingest(message);
      inflight.add(stored);
      void stored.finally(() => inflight.delete(stored)).catch(() => undefined);
      return stored;
    },
  });
  harness = await createBotHarness(provider, undefined, { channels: [channel.adapter], realClock: true });
  const h = harness;
  let seen = 0;

  /** Waits until every message is stored, answered and delivered; returns the texts sent since the last call. */
  const settle = async (): Promise<string[]> => {
    await waitFor("the outbox to be delivered", async () => {
      await Promise.allSettled([...inflight]);
      await h.bot.processor.idle();
      const pending = await h.t.db.outboxMessage.count({ where: { channel: "whatsapp", status: "pending" } });
      return inflight.size === 0 && pending === 0;
    });
    const fresh = fake.sent.slice(seen).map((s) => s.text);
    seen = fake.sent.length;
    return fresh;
  };
  const send = async (data: RawMessageData) => {
    fake.receive(data);
    return settle();
  };
  return { harness: h, channel, qrCodes, settle, send, say: (text: string) => send(raw.text(RESIDENT, text)) };
}

describeEachDatabase("WhatsApp via whatsapp-web.js", (provider) => {
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    close = null;
  });

  it("takes a resident from 'hoi' to a melding with photo and location in the Mierlo tandem, choices as numbered lists", async () => {
    const fake = new FakeWhatsappWebClient({ linked: true });
    const wa = await startWhatsapp(provider, fake);
    close = () => wa.harness.close();
    await waitFor("WhatsApp Web to be ready", () => wa.channel.status().state === "ready");

    const welcome = await wa.say("hoi");
    expect(welcome.join("\n")).toContain("Ik ben Wijklijn");
    expect(welcome.at(-1)).toMatch(/Vind je dat goed\?\n\n1\. Ja\n2\. Nee$/);

    const consent = await wa.say("1");
    expect(consent.join("\n")).toContain("Dank je wel");
    expect(consent.at(-1)).toMatch(/postcode[\s\S]*\n\n1\. Weet ik niet\n2\. Kies uit lijst$/);

    expect(await wa.say("5731 BC")).toEqual([expect.stringMatching(/^Dan woon je in Luchen\. Klopt dat\?\n\n1\. Ja\n2\. Nee$/)]);

    const menu = await wa.say("ja");
    expect(menu.join("\n")).toContain("je wijk is Luchen");
    expect(menu.at(-1)).toMatch(/Waarmee kan ik je helpen\?[\s\S]*\n\n1\. Iets melden\n2\. Een idee delen\n[\s\S]*\n7\. Mijn gegevens$/);

    expect((await wa.say("een")).join("\n")).toContain("Wat wil je melden?");

    const afterVoice = await wa.send(raw.voiceNote(RESIDENT));
    expect(afterVoice.join("\n")).toContain("Ik kan helaas geen spraakberichten");
    expect(afterVoice.at(-1)).toContain("Wat wil je melden?");

    expect((await wa.say("Er ligt al een week een berg zwerfafval bij de speeltuin")).at(-1)).toMatch(/foto[\s\S]*\n\n1\. Geen foto$/);
    const photo = raw.image(RESIDENT);
    expect((await wa.send(photo)).join("\n")).toContain("Waar is het precies?");
    expect((await wa.send(raw.location(RESIDENT, "51.4503", "5.6195"))).at(-1)).toMatch(/meehelpen[\s\S]*\n\n1\. Ja, ik help mee\n2\. Ja, met mijn buren\n3\. Nee, liever niet$/);
    expect((await wa.say("3")).at(-1)).toMatch(/reactie van de gemeente\?\n\n1\. Ja, hier in de chat\n2\. Nee, alleen melden$/);
    const done = await wa.say("ja, hier in de chat");
    expect(done.join("\n")).toMatch(/Dank je wel! Je melding is nu bij de gebiedsregisseur van Luchen: de medewerker van de gemeente voor jouw wijk\. Je nummer is WL-\d{4}-\d{5}/);

    const { db } = wa.harness.t;
    const identity = await db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "whatsapp", externalId: RESIDENT } } });
    const conversation = await db.conversation.findFirstOrThrow({ where: { channelIdentityId: identity.id, intent: "melding" }, include: { tandem: true, wijk: true, messages: true } });
    expect({ status: conversation.status, channel: conversation.channel, theme: conversation.theme, wijk: conversation.wijk?.slug, tandem: conversation.tandem?.slug }).toEqual({
      status: "open",
      channel: "whatsapp",
      theme: "afval",
      wijk: "luchen",
      tandem: "mierlo",
    });
    const inbound = await db.message.findMany({ where: { conversation: { channelIdentityId: identity.id }, direction: "in" } });
    expect(inbound.some((m) => m.mediaRef === `photo:${photo.id._serialized}`)).toBe(true);
    expect(inbound.some((m) => m.latitude === 51.4503 && m.longitude === 5.6195)).toBe(true);

    // Every reply went to the resident, once, in the order the bot wrote them.
    const outbox = await db.outboxMessage.findMany({ where: { channelIdentityId: identity.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    expect(outbox.every((row) => row.status === "sent")).toBe(true);
    expect(fake.sent.map((s) => s.id)).toEqual(outbox.map((row) => row.externalMessageId));
    expect(new Set(fake.sent.map((s) => s.to))).toEqual(new Set([RESIDENT]));
  });

  it("ignores its own messages, status updates, groups and notices: nothing stored, nothing sent", async () => {
    const fake = new FakeWhatsappWebClient({ linked: true });
    const wa = await startWhatsapp(provider, fake);
    close = () => wa.harness.close();
    await waitFor("WhatsApp Web to be ready", () => wa.channel.status().state === "ready");

    await wa.send(raw.own(RESIDENT, "hoi"));
    await wa.send(raw.status(RESIDENT, "op vakantie"));
    await wa.send(raw.groupText("120363041234567890@g.us", RESIDENT, "hoi allemaal"));
    await wa.send(raw.notice(RESIDENT));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await wa.settle()).toEqual([]);
    expect(await wa.harness.t.db.message.count({ where: { channel: "whatsapp" } })).toBe(0);
    expect(await wa.harness.t.db.channelIdentity.count({ where: { channel: "whatsapp" } })).toBe(0);
  });

  it("reconnects after a disconnect; replies wait meanwhile and are delivered once each after", async () => {
    const fake = new FakeWhatsappWebClient({ linked: true });
    const wa = await startWhatsapp(provider, fake);
    close = () => wa.harness.close();
    await waitFor("WhatsApp Web to be ready", () => wa.channel.status().state === "ready");
    expect(fake.initializeCalls).toBe(1);

    // The resident writes; the phone drops off before the bot has answered.
    fake.autoConnect = false;
    fake.receive(raw.text(RESIDENT, "hoi"));
    fake.disconnect("NAVIGATION");
    expect(wa.channel.status()).toMatchObject({ state: "disconnected", lastError: "disconnected (NAVIGATION)" });

    const { db } = wa.harness.t;
    await waitFor("the replies to wait while offline", async () => {
      await wa.harness.bot.processor.idle();
      const rows = await db.outboxMessage.findMany({ where: { channel: "whatsapp" } });
      // The welcome and the consent question, joined into one message.
      return rows.length === 1 && rows.every((row) => row.status === "pending");
    });
    await waitFor("a reconnect attempt", () => fake.initializeCalls === 2);
    expect(fake.destroyCalls).toBeGreaterThanOrEqual(1);
    expect(fake.sent).toEqual([]);
    // While the channel is unavailable the dispatcher leaves its messages alone: no attempts are used up.
    expect(await db.outboxMessage.count({ where: { channel: "whatsapp", attempts: { gt: 0 } } })).toBe(0);
    expect((await wa.channel.readiness.check()).ok).toBe(false);

    fake.comeBack();
    expect(wa.channel.status()).toMatchObject({ state: "ready", lastError: null });
    const delivered = await wa.settle();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toContain("Ik ben Wijklijn");
    expect(delivered[0]).toContain("Vind je dat goed?");
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(fake.sent).toHaveLength(1);
    expect(await wa.channel.readiness.check()).toEqual({ ok: true });
  });

  it("shows the QR code until the phone is linked, and is not ready meanwhile", async () => {
    const fake = new FakeWhatsappWebClient({ linked: false });
    const wa = await startWhatsapp(provider, fake);
    close = () => wa.harness.close();
    await waitFor("a QR code", () => wa.channel.status().state === "qr");
    const { qr } = wa.channel.status();
    expect(qr).toMatch(/^2@/);
    expect(wa.qrCodes).toEqual([qr]);
    expect(await wa.channel.readiness.check()).toEqual({ ok: false, detail: expect.stringContaining("QR") });

    fake.scanQr();
    expect(wa.channel.status()).toMatchObject({ state: "ready", qr: null });
    expect(await wa.channel.readiness.check()).toEqual({ ok: true });
  });
});

describeEachDatabase("WhatsApp Web reactions while staff handle a conversation", (provider) => {
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    close = null;
  });

  async function handedOver(fake: FakeWhatsappWebClient) {
    const wa = await startWhatsapp(provider, fake);
    close = () => wa.harness.close();
    await waitFor("WhatsApp Web to be ready", () => wa.channel.status().state === "ready");
    await wa.say("hoi");
    await wa.say("1");
    await wa.say("5731 BC");
    await wa.say("ja");
    expect((await wa.say("mens")).join("\n")).toContain("Waar gaat je vraag over?");
    expect((await wa.say("over de speeltuin")).join("\n")).toMatch(/WL-\d{4}-\d+/);
    return wa;
  }

  it("acknowledges the first of three messages in words and reacts 👍 to the other two (Message.react)", async () => {
    const fake = new FakeWhatsappWebClient({ linked: true });
    const wa = await handedOver(fake);
    expect((await wa.say("is daar nog iemand?")).join("\n")).toContain("gebiedsregisseur van Luchen");
    const second = raw.text(RESIDENT, "de stoep ligt er ook slecht bij");
    expect(await wa.send(second), "no bubble for the second message").toEqual([]);
    const third = raw.text(RESIDENT, "en het hek is kapot");
    expect(await wa.send(third), "no bubble for the third message").toEqual([]);
    expect(fake.reactions).toEqual([
      { messageId: second.id._serialized, emoji: "👍" },
      { messageId: third.id._serialized, emoji: "👍" },
    ]);
  });

  it("drops a reaction WhatsApp Web fails on, without retrying, and the next reply still goes", async () => {
    const fake = new FakeWhatsappWebClient({ linked: true });
    const wa = await handedOver(fake);
    await wa.say("hallo?");
    fake.failNextReaction = "Evaluation failed: Error: Msg not found";
    expect(await wa.say("nog iets")).toEqual([]);
    expect((await wa.say("mens")).join("\n")).toContain("Je bericht ligt bij de gebiedsregisseur van Luchen");
    const dead = await wa.harness.t.db.outboxMessage.findMany({ where: { channel: "whatsapp", status: "dead" } });
    expect(dead.map((row) => [row.attempts, row.payload.includes('"reaction"')])).toEqual([[1, true]]);
    expect(fake.reactions).toEqual([]);
  });
});

describe("the WhatsApp Web adapter on its own", () => {
  const make = (fake: FakeWhatsappWebClient) =>
    createWhatsappWebChannel({
      dataDir: "/nonexistent",
      chromiumPath: "/usr/bin/chromium",
      logger: captureLogger("silent").logger,
      clientFactory: () => fake,
      printQr: () => undefined,
      ingest: async () => ({ stored: true, conversationId: null }),
      notReadyRetryMs: 5_000,
    });

  it("refuses to send while not connected, asking the outbox to pause and retry", async () => {
    const channel = make(new FakeWhatsappWebClient());
    const error = await channel.adapter.send({ externalId: RESIDENT, reference: null }, { text: "Hoi", buttons: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelSendError);
    expect(error instanceof ChannelSendError && error.options).toEqual({ retryAfterMs: 5_000 });
  });

  it("sends a wijkbericht's photo as MessageMedia fetched from its address, with the text as caption", async () => {
    // The photo's host is the outside world: a loopback server with a one-pixel PNG.
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");
    const host = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "image/png", "content-length": String(png.length) });
      res.end(png);
    });
    await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
    const address = host.address();
    const port = address && typeof address === "object" ? address.port : 0;
    try {
      const fake = new FakeWhatsappWebClient();
      // The payload wants https (as staff must give); the loopback host serves plain http, so the test's loader swaps the scheme, as a proxy would.
      const loading = createWhatsappWebChannel({
        dataDir: "/nonexistent",
        chromiumPath: "/usr/bin/chromium",
        logger: captureLogger("silent").logger,
        clientFactory: () => fake,
        printQr: () => undefined,
        ingest: async () => ({ stored: true, conversationId: null }),
        loadMedia: async (url) => {
          const response = await fetch(url.replace(/^https:\/\/photos\.example/, `http://127.0.0.1:${port}`));
          return { mimetype: response.headers.get("content-type") ?? "", data: Buffer.from(await response.arrayBuffer()).toString("base64"), filename: "speeltuin.png" };
        },
      });
      await loading.adapter.start();
      await waitFor("ready", () => loading.status().state === "ready");
      await loading.adapter.send({ externalId: RESIDENT, reference: null }, { text: "De nieuwe speeltuin is open.", buttons: [], image: { url: "https://photos.example/speeltuin.png" } });
      expect(fake.sent.at(-1)).toMatchObject({ to: RESIDENT, text: "De nieuwe speeltuin is open.", media: { mimetype: "image/png", data: png.toString("base64") } });
      await loading.adapter.stop();
    } finally {
      host.close();
    }
  });

  it("sends buttons as a numbered list and returns WhatsApp's message id, gently", async () => {
    const fake = new FakeWhatsappWebClient();
    const channel = make(fake);
    expect(channel.adapter.limits).toEqual({ perSecond: 5, perRecipientIntervalMs: 1000 });
    expect(channel.adapter.capabilities.buttons).toBe(false);
    await channel.adapter.start();
    await waitFor("ready", () => channel.status().state === "ready");
    const result = await channel.adapter.send(
      { externalId: RESIDENT, reference: null },
      {
        text: "Klopt dat?",
        buttons: [
          { label: "Ja", value: "yes" },
          { label: "Nee", value: "no" },
        ],
      },
    );
    expect(fake.sent).toEqual([{ to: RESIDENT, text: "Klopt dat?\n\n1. Ja\n2. Nee", id: result.externalMessageId }]);
    expect(result.externalMessageId).toMatch(/^true_31612345678@c\.us_3EB0/);

    fake.loseNextChat = true;
    const lost = await channel.adapter.send({ externalId: RESIDENT, reference: null }, { text: "Hoi", buttons: [] }).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(ChannelSendError);
    expect(lost instanceof ChannelSendError && lost.options.permanent).toBeFalsy();

    await channel.adapter.stop();
    expect(channel.status().state).toBe("stopped");
    expect(fake.destroyCalls).toBe(1);
  });
});
