import express from "express";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ChannelSendError } from "../../../src/channels/channel.ts";
import { createBotFrameworkChannel, parseRetryAfter, type BotFrameworkChannelOptions } from "../../../src/channels/botframework/botFrameworkChannel.ts";
import { startFakeBotFrameworkConnector, type FakeBotFrameworkConnector, type RecordedActivity } from "../../fakes/botFrameworkConnector.ts";
import { createBotHarness, type BotHarness } from "../../helpers/botHarness.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { listen } from "../../helpers/http.ts";
import { captureLogger } from "../../helpers/logger.ts";

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

const options = (overrides: Partial<BotFrameworkChannelOptions> = {}): BotFrameworkChannelOptions => ({
  appId: undefined,
  appPassword: undefined,
  appType: "MultiTenant",
  tenantId: undefined,
  production: false,
  logger: captureLogger("silent").logger,
  ingest: async () => ({ stored: true, conversationId: null }),
  ...overrides,
});

/** The bot on a real database, /api/messages on loopback, and a fake Bot Framework service URL. */
async function startBotFramework(provider: Parameters<typeof createBotHarness>[0], overrides: Partial<BotFrameworkChannelOptions> = {}) {
  const connector = await startFakeBotFrameworkConnector();
  let harness: BotHarness | null = null;
  const channel = createBotFrameworkChannel(
    options({
      ingest: (message) => {
        if (!harness) throw new Error("the bot is not running yet");
        return harness.bot.processor.ingest(message);
      },
      ...overrides,
    }),
  );
  harness = await createBotHarness(provider, undefined, { channels: [channel.adapter], realClock: true });
  const h = harness;
  const app = express();
  app.use(channel.routes);
  const server = await listen(app);
  let counter = 0;
  let seen = 0;

  /** Posts an activity as the channel would; returns the HTTP status. */
  const post = async (activity: Record<string, unknown>) => {
    const response = await fetch(`${server.url}/api/messages`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(activity) });
    return response.status;
  };
  /** The replies delivered since the last call, once the bot and the outbox are done. */
  const settle = async (): Promise<RecordedActivity[]> => {
    await waitFor("the outbox to be delivered", async () => {
      await h.bot.processor.idle();
      return (await h.t.db.outboxMessage.count({ where: { channel: "botframework", status: "pending" } })) === 0;
    });
    const fresh = connector.activities.slice(seen);
    seen = connector.activities.length;
    return fresh;
  };
  /** A resident in a Web Chat conversation (or another channel) sending one message. */
  const resident = (conversationId: string, channelId = "webchat") => {
    const send = async (fields: Record<string, unknown>, id = `${conversationId}|${String(++counter).padStart(7, "0")}`) => {
      const status = await post({
        type: "message",
        id,
        timestamp: new Date().toISOString(),
        serviceUrl: connector.url,
        channelId,
        from: { id: `dl_${conversationId}`, name: "Jan de Vries" },
        conversation: { id: conversationId },
        recipient: { id: "wijklijn-bot", name: "Wijklijn" },
        locale: "nl-NL",
        ...fields,
      });
      expect(status).toBe(200);
      return settle();
    };
    return {
      send,
      say: (text: string) => send({ text }),
      /** A tap on a messageBack suggested action, posted as Web Chat posts it. */
      tap: (label: string, value: string) => send({ text: label, value: { choice: value } }),
    };
  };
  return {
    harness: h,
    connector,
    channel,
    post,
    settle,
    resident,
    close: async () => {
      await server.close();
      await h.close();
      await connector.close();
    },
  };
}

const texts = (activities: RecordedActivity[]) => activities.map((a) => String(a.activity.text));
const buttons = (activity: RecordedActivity | undefined) => {
  const suggested = activity?.activity.suggestedActions;
  if (!suggested || typeof suggested !== "object" || !("actions" in suggested) || !Array.isArray(suggested.actions)) return [];
  return suggested.actions.map((action: unknown) => (action && typeof action === "object" && "title" in action ? String(action.title) : ""));
};

describeEachDatabase("Bot Framework at /api/messages", (provider) => {
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    close = null;
  });

  it("takes a Web Chat resident from 'hoi' to a melding with photo and location in the Mierlo tandem", async () => {
    const bf = await startBotFramework(provider);
    close = bf.close;
    const jan = bf.resident("conv-jan");

    const welcome = await jan.say("hoi");
    expect(texts(welcome).join("\n")).toContain("Ik ben Wijklijn");
    const consent = welcome.at(-1);
    expect(consent?.activity.text).toContain("Vind je dat goed?");
    expect(consent?.activity.suggestedActions).toEqual({
      actions: [
        { type: "messageBack", title: "Ja", displayText: "Ja", text: "Ja", value: { choice: "yes" } },
        { type: "messageBack", title: "Nee", displayText: "Nee", text: "Nee", value: { choice: "no" } },
      ],
    });
    // Proactive replies to the resident's conversation, from the bot, without a token (no app id).
    expect(consent).toMatchObject({ conversationId: "conv-jan", authorization: null, activity: { type: "message", from: { id: "wijklijn-bot" }, recipient: { id: "dl_conv-jan" } } });

    const afterConsent = await jan.tap("Ja", "yes");
    expect(texts(afterConsent).join("\n")).toContain("Dank je wel");
    expect(buttons(afterConsent.at(-1))).toEqual(["Weet ik niet", "Kies uit lijst"]);

    const confirm = await jan.say("5731 BC");
    expect(texts(confirm)).toEqual(["Dan woon je in Luchen. Klopt dat?"]);
    expect(buttons(confirm[0])).toEqual(["Ja", "Nee"]);

    const menu = await jan.tap("Ja", "yes");
    expect(texts(menu).join("\n")).toContain("je wijk is Luchen");
    expect(buttons(menu.at(-1))).toContain("Iets melden");

    expect(texts(await jan.tap("Iets melden", "melding")).join("\n")).toContain("Wat wil je melden?");
    expect(buttons((await jan.say("Er ligt al een week een berg zwerfafval bij de speeltuin")).at(-1))).toEqual(["Geen foto"]);
    const photoUrl = `${bf.connector.url}v3/attachments/att-1/views/original`;
    expect(texts(await jan.send({ attachments: [{ contentType: "image/jpeg", contentUrl: photoUrl, name: "speeltuin.jpg" }] })).join("\n")).toContain("Waar is het precies?");
    expect(buttons((await jan.send({ entities: [{ type: "GeoCoordinates", latitude: 51.4503, longitude: 5.6195 }] })).at(-1))).toEqual(["Ja, ik help mee", "Ja, met mijn buren", "Nee, liever niet"]);
    expect(buttons((await jan.tap("Nee, liever niet", "nee")).at(-1))).toEqual(["Ja, hier in de chat", "Nee, alleen melden"]);
    const done = await jan.tap("Ja, hier in de chat", "chat");
    expect(texts(done).join("\n")).toMatch(/gebiedsregisseur van Luchen(: de medewerker van de gemeente voor jouw wijk)?\. Je nummer is WL-\d{4}-\d{5}/);

    const { db } = bf.harness.t;
    const identity = await db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "botframework", externalId: "conv-jan" } } });
    expect(identity.reference).not.toContain("Jan de Vries");
    const conversation = await db.conversation.findFirstOrThrow({ where: { channelIdentityId: identity.id, intent: "melding" }, include: { tandem: true, wijk: true } });
    expect({ status: conversation.status, channel: conversation.channel, theme: conversation.theme, wijk: conversation.wijk?.slug, tandem: conversation.tandem?.slug }).toEqual({
      status: "open",
      channel: "botframework",
      theme: "afval",
      wijk: "luchen",
      tandem: "mierlo",
    });
    const inbound = await db.message.findMany({ where: { conversation: { channelIdentityId: identity.id }, direction: "in" } });
    expect(inbound.some((m) => m.mediaRef === `photo:${photoUrl}`)).toBe(true);
    expect(inbound.some((m) => m.latitude === 51.4503 && m.longitude === 5.6195)).toBe(true);
    // The tapped label is what the resident saw; the value is what the engine used.
    expect(inbound.some((m) => m.text === "Ja" && m.value === "yes")).toBe(true);

    const outbox = await db.outboxMessage.findMany({ where: { channelIdentityId: identity.id } });
    expect(outbox.every((row) => row.status === "sent")).toBe(true);
    expect(new Set(outbox.map((row) => row.externalMessageId))).toEqual(new Set(bf.connector.activities.map((a) => a.id)));
  });

  it("in Teams, buttons post their label, which the engine understands", async () => {
    const bf = await startBotFramework(provider);
    close = bf.close;
    const teams = bf.resident("a:1FQdTeamsPersonal", "msteams");
    const welcome = await teams.say("hoi");
    expect(welcome.at(-1)?.activity.suggestedActions).toEqual({
      actions: [
        { type: "imBack", title: "Ja", value: "Ja" },
        { type: "imBack", title: "Nee", value: "Nee" },
      ],
    });
    expect(texts(await teams.say("Ja")).join("\n")).toContain("Dank je wel");
  });

  it("stores an activity delivered twice once, and answers it once", async () => {
    const bf = await startBotFramework(provider);
    close = bf.close;
    const jan = bf.resident("conv-twice");
    const first = await jan.send({ text: "hoi" }, "conv-twice|0000001");
    // The welcome and the consent question: one message.
    expect(first).toHaveLength(1);
    expect(await jan.send({ text: "hoi" }, "conv-twice|0000001")).toEqual([]);
    expect(await bf.harness.t.db.message.count({ where: { channel: "botframework", direction: "in" } })).toBe(1);
  });

  it("sends no reaction to Web Chat, which shows none from bots: the 👍 is marked done", async () => {
    const bf = await startBotFramework(provider);
    close = bf.close;
    const jan = bf.resident("conv-react");
    await jan.say("hoi");
    await jan.tap("Ja", "yes");
    await jan.say("5731 BC");
    await jan.tap("Ja", "yes");
    expect(texts(await jan.say("mens")).join("\n")).toContain("Waar gaat je vraag over?");
    await jan.say("over de speeltuin");
    expect(texts(await jan.say("hallo?")).join("\n")).toContain("gebiedsregisseur van Luchen");
    expect(await jan.say("nog iets"), "nothing reaches the connector").toEqual([]);
    const rows = await bf.harness.t.db.outboxMessage.findMany({ where: { channel: "botframework", payload: { contains: '"reaction"' } } });
    expect(rows.map((row) => [row.status, row.externalMessageId])).toEqual([["sent", null]]);
  });

  it("ignores conversation updates and typing: nothing stored, nothing sent", async () => {
    const bf = await startBotFramework(provider);
    close = bf.close;
    const base = { serviceUrl: bf.connector.url, channelId: "webchat", conversation: { id: "conv-quiet" }, from: { id: "dl_q" }, recipient: { id: "wijklijn-bot" } };
    expect(await bf.post({ ...base, type: "conversationUpdate", id: "u1", membersAdded: [{ id: "dl_q" }, { id: "wijklijn-bot" }] })).toBe(200);
    expect(await bf.post({ ...base, type: "typing", id: "t1" })).toBe(200);
    expect(await bf.settle()).toEqual([]);
    expect(await bf.harness.t.db.message.count({ where: { channel: "botframework" } })).toBe(0);
  });
});

describe("Bot Framework security", () => {
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    close = null;
  });

  const serve = async (overrides: Partial<BotFrameworkChannelOptions>) => {
    const stored: unknown[] = [];
    const channel = createBotFrameworkChannel(
      options({
        ...overrides,
        ingest: async (message) => {
          stored.push(message);
          return { stored: true, conversationId: null };
        },
      }),
    );
    const app = express();
    app.use(channel.routes);
    const server = await listen(app);
    close = server.close;
    const post = (serviceUrl: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/api/messages`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body: JSON.stringify({ type: "message", id: "x1", serviceUrl, channelId: "emulator", conversation: { id: "c1" }, from: { id: "u1" }, recipient: { id: "b1" }, text: "hoi" }),
      }).then((r) => r.status);
    return { channel, stored, post, url: server.url };
  };

  it("warns loudly, in one line, when it runs without MICROSOFT_APP_ID in production", () => {
    const { warnings } = createBotFrameworkChannel(options({ production: true }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/WITHOUT authentication.*MICROSOFT_APP_ID/);
    expect(warnings[0]).not.toContain("\n");
    expect(createBotFrameworkChannel(options({ production: false })).warnings).toEqual([]);
    expect(createBotFrameworkChannel(options({ production: true, appId: "00000000-0000-0000-0000-000000000001", appPassword: "secret" })).warnings).toEqual([]);
  });

  it("unauthenticated in production, it only answers callers on this machine", async () => {
    const { post, stored } = await serve({ production: true });
    expect(await post("https://smba.trafficmanager.net/emea/")).toBe(403);
    expect(stored).toEqual([]);
    expect(await post("http://localhost:53001/")).toBe(200);
    expect(stored).toHaveLength(1);
  });

  it("unauthenticated in development too, it never posts replies to a serviceUrl elsewhere (SSRF)", async () => {
    const { post, stored } = await serve({ production: false });
    expect(await post("http://169.254.169.254/latest/")).toBe(403);
    expect(await post("https://attacker.example/collect/")).toBe(403);
    expect(stored).toEqual([]);
    expect(await post("http://127.0.0.1:53001/")).toBe(200);
    expect(stored).toHaveLength(1);
  });

  it("refuses a stored reference elsewhere when sending unauthenticated", async () => {
    const { channel } = await serve({ production: false });
    const reference = JSON.stringify({ serviceUrl: "https://attacker.example/", channelId: "webchat", conversation: { id: "conv-1" }, bot: { id: "b" }, user: { id: "u" } });
    const error = await channel.adapter.send({ externalId: "u", reference }, { text: "hoi", buttons: [] }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ChannelSendError);
    expect(error instanceof ChannelSendError && error.options.permanent).toBe(true);
  });

  it("answers a malformed activity with a clear 400 in its own words, never the SDK's text", async () => {
    const { stored, url } = await serve({ production: false });
    for (const body of ["[1,2]", '"text"', "{}", '{"type":5}', '{"type":"message"}', '{"type":"message","serviceUrl":"not a url","conversation":{"id":"c"},"from":{"id":"u"}}']) {
      const res = await fetch(`${url}/api/messages`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
      expect(res.status, body).toBe(400);
      const text = await res.text();
      expect(text, body).toContain("invalid_activity");
      expect(text, body).not.toMatch(/req\.body|middleware|TypeError|botbuilder/i);
    }
    expect(stored).toEqual([]);
  });

  it("with MICROSOFT_APP_ID set, refuses a request without a token and stores nothing", async () => {
    const { post, stored } = await serve({ appId: "00000000-0000-0000-0000-000000000001", appPassword: "secret" });
    // CloudAdapter prints every refused request with console.error.
    const printed = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      expect(await post("http://127.0.0.1:9/")).toBe(401);
      expect(await post("http://127.0.0.1:9/", { Authorization: "Bearer not-a-jwt" })).toBe(401);
    } finally {
      printed.mockRestore();
    }
    expect(stored).toEqual([]);
  });
});

describe("Bot Framework sending", () => {
  let connector: FakeBotFrameworkConnector | null = null;
  afterEach(async () => {
    await connector?.close();
    connector = null;
  });

  const reference = (serviceUrl: string) => JSON.stringify({ serviceUrl, channelId: "webchat", conversation: { id: "conv-9" }, bot: { id: "wijklijn-bot" }, user: { id: "dl_9" } });
  const sendError = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    if (!(error instanceof ChannelSendError)) throw new Error(`expected a ChannelSendError, got ${String(error)}`);
    return error;
  };

  it("returns the connector's activity id", async () => {
    connector = await startFakeBotFrameworkConnector();
    const { adapter } = createBotFrameworkChannel(options());
    const result = await adapter.send({ externalId: "conv-9", reference: reference(connector.url) }, { text: "Hoi", buttons: [] });
    expect(result.externalMessageId).toBe(connector.activities[0]?.id);
    expect(connector.activities[0]).toMatchObject({ conversationId: "conv-9", activity: { text: "Hoi", recipient: { id: "dl_9" } } });
  });

  it("pauses for Retry-After on a 429, without retrying inside the SDK", async () => {
    connector = await startFakeBotFrameworkConnector();
    const { adapter } = createBotFrameworkChannel(options());
    connector.failNext({ status: 429, headers: { "Retry-After": "3" } });
    const error = await sendError(adapter.send({ externalId: "conv-9", reference: reference(connector.url) }, { text: "Hoi", buttons: [] }));
    expect(error.options).toEqual({ retryAfterMs: 3000 });
    expect(connector.requests).toBe(1);
  });

  it.each([401, 403, 404])("gives up on a %i at once", async (status) => {
    connector = await startFakeBotFrameworkConnector();
    const { adapter } = createBotFrameworkChannel(options());
    connector.failNext({ status });
    expect((await sendError(adapter.send({ externalId: "conv-9", reference: reference(connector.url) }, { text: "Hoi", buttons: [] }))).options.permanent).toBe(true);
  });

  it("retries later on a 500", async () => {
    connector = await startFakeBotFrameworkConnector();
    const { adapter } = createBotFrameworkChannel(options());
    connector.failNext({ status: 500 });
    const error = await sendError(adapter.send({ externalId: "conv-9", reference: reference(connector.url) }, { text: "Hoi", buttons: [] }));
    expect(error.options.permanent).toBeUndefined();
    expect(connector.requests).toBe(1);
  });

  it("cannot send without a stored conversation reference", async () => {
    const { adapter } = createBotFrameworkChannel(options());
    expect((await sendError(adapter.send({ externalId: "conv-9", reference: null }, { text: "Hoi", buttons: [] }))).options.permanent).toBe(true);
  });

  it("reads Retry-After as seconds or a date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter(new Date(Date.UTC(2026, 10, 26, 10, 0, 30)).toUTCString(), Date.UTC(2026, 10, 26, 10, 0, 0))).toBe(30_000);
    expect(parseRetryAfter("soon")).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });
});
