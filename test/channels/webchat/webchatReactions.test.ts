/**
 * The acknowledgement that is not a bubble, in the web chat: while staff handle the conversation,
 * a message after the text acknowledgement gets a "✓ doorgegeven" mark on the resident's own
 * bubble, announced on the event stream; staff never see it as a message. Real service over HTTP.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../../../src/config/env.ts";
import { createApiToken } from "../../../src/db/staff.repo.ts";
import { startService, type Service } from "../../../src/service.ts";
import { createEmptyDatabaseUrl, describeEachDatabase } from "../../helpers/db.ts";
import { captureLogger } from "../../helpers/logger.ts";

const MessagesSchema = z.object({
  messages: z.array(z.object({ id: z.string(), direction: z.string(), text: z.string() })),
  acknowledged: z.array(z.string()),
  passedOn: z.string().nullable(),
});
const ConversationSchema = z.object({ messages: z.array(z.object({ direction: z.string(), text: z.string().nullable() })) });
const ListSchema = z.object({ items: z.array(z.object({ id: z.string() })) });

describeEachDatabase("the web chat's acknowledgement mark while staff handle a conversation", (provider) => {
  let service: Service;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const database = await createEmptyDatabaseUrl(provider);
    drop = database.drop;
    service = await startService(loadConfig({ DATABASE_URL: database.url, PORT: "0", HOST: "127.0.0.1", NODE_ENV: "test" }), captureLogger().logger);
  });
  afterAll(async () => {
    await service?.stop();
    await drop?.();
  });

  function visitor() {
    let cookie = "";
    let counter = 0;
    return {
      cookie: () => cookie,
      say: async (body: Record<string, unknown>) => {
        const response = await fetch(`${service.url}/chat/api/messages`, {
          method: "POST",
          headers: { "content-type": "application/json", cookie },
          body: JSON.stringify({ clientMessageId: `msg-${Date.now()}-${++counter}`, ...body }),
        });
        expect(response.status).toBe(202);
        const setCookie = response.headers.get("set-cookie");
        if (setCookie) cookie = setCookie.split(";")[0] ?? "";
        await service.bot.processor.idle();
      },
      read: async () => MessagesSchema.parse(await (await fetch(`${service.url}/chat/api/messages`, { headers: { cookie } })).json()),
    };
  }

  /** Opens the page's event stream; once it is open (its "retry" line came), `update` resolves with the next "update" event's data. */
  async function openEventStream(cookie: string) {
    const controller = new AbortController();
    const response = await fetch(`${service.url}/chat/api/events`, { headers: { cookie }, signal: controller.signal });
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no event stream");
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (pattern: RegExp) => {
      for (;;) {
        const match = pattern.exec(text);
        if (match) return match;
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${pattern}: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil(/retry: \d+\n\n/);
    return { update: () => readUntil(/event: update\ndata: (.+)\n\n/).finally(() => controller.abort()) };
  }

  it("marks a message after the text acknowledgement '✓ doorgegeven', over the event stream, and shows staff no 👍", async () => {
    const resident = visitor();
    await resident.say({ text: "hoi" });
    await resident.say({ value: "yes", text: "Ja" });
    await resident.say({ text: "5731 BC" });
    await resident.say({ value: "yes", text: "Ja" });
    await resident.say({ text: "mens" });
    await resident.say({ text: "over de speeltuin" });
    await resident.say({ text: "hallo?" });
    const acknowledged = await resident.read();
    expect(acknowledged.messages.at(-1)?.text).toContain("gebiedsregisseur van Luchen");
    const helloId = acknowledged.messages.filter((m) => m.direction === "in").at(-1)?.id;
    expect(acknowledged.acknowledged, "the message that got words gets no mark").not.toContain(helloId);

    const stream = await openEventStream(resident.cookie());
    await resident.say({ text: "nog iets: het hek is ook kapot" });
    await stream.update();
    const after = await resident.read();
    const own = after.messages.filter((m) => m.direction === "in");
    const last = own.at(-1);
    expect(last?.text).toBe("nog iets: het hek is ook kapot");
    // No bubble from the bot, a mark on the resident's own message instead.
    expect(after.messages.at(-1)?.direction).toBe("in");
    expect(after.acknowledged).toContain(last?.id);

    // The page says it in the resident's words.
    const page = await (await fetch(`${service.url}/chat`, { headers: { cookie: resident.cookie() } })).text();
    expect(page).toContain("✓ doorgegeven");

    // Staff read the resident's messages, not the bot's 👍.
    const { token } = await createApiToken(service.db, { email: "gr.mierlo@demo.wijklijn.nl" });
    const list = ListSchema.parse(await (await fetch(`${service.url}/api/v1/conversations?status=open`, { headers: { authorization: `Bearer ${token}` } })).json());
    const details = await Promise.all(
      list.items.map(async (item) => ConversationSchema.parse(await (await fetch(`${service.url}/api/v1/conversations/${item.id}`, { headers: { authorization: `Bearer ${token}` } })).json())),
    );
    const conversation = details.find((d) => d.messages.some((m) => m.text === "nog iets: het hek is ook kapot"));
    expect(conversation).toBeDefined();
    expect(conversation?.messages.at(-1)).toMatchObject({ direction: "in", text: "nog iets: het hek is ook kapot" });
    expect(conversation?.messages.some((m) => m.text === "👍" || m.text === "")).toBe(false);
  });

  it("gives a Polish resident the mark in Polish, and a Dutch one none of their own (the page's '✓ doorgegeven')", async () => {
    const resident = visitor();
    await resident.say({ text: "Dzień dobry, czy mówisz po polsku? Chcę zgłosić problem" });
    // A plain thanks gets the mark, not a bubble ("tak" or a question gets a short answer in Polish: flows/tests/127).
    await resident.say({ text: "dziękuję" });
    const read = await resident.read();
    const thanks = read.messages.filter((m) => m.direction === "in").at(-1);
    expect(read.acknowledged).toContain(thanks?.id);
    expect(read.passedOn).toBe("✓ przekazano");

    const dutch = visitor();
    await dutch.say({ text: "hoi" });
    expect((await dutch.read()).passedOn).toBeNull();
  });
});
