/**
 * Open311 forwarding exactly once across a crash: the service (src/main.ts, one process) is killed
 * after the gemeente's meldingen system (the fake Open311 server) made the request and before the
 * answer with its service_request_id came back. The next instance finds the request by its kenmerk
 * instead of posting the melding a second time, and keeps its id.
 */
import { expect, it } from "vitest";
import { createDb } from "../../src/db/client.ts";
import { startFakeOpen311Server } from "../fakes/open311Server.ts";
import { createEmptyDatabaseUrl, describeEachDatabase } from "../helpers/db.ts";
import { freePort } from "../helpers/http.ts";
import { exitOf, serviceProcesses, waitUntil } from "../helpers/service.ts";

describeEachDatabase("a crash in the middle of an Open311 forward", (provider) => {
  const processes = serviceProcesses("open311crash");

  it("files the melding once: the next instance finds the request by its kenmerk and posts nothing again", async () => {
    const fake = await startFakeOpen311Server();
    const { url, drop } = await createEmptyDatabaseUrl(provider);
    const port = await freePort();
    const service = processes.on(port, url);
    const start = () => service.start({ OPEN311_FORWARD_URL: fake.url, OPEN311_FORWARD_API_KEY: fake.apiKey, OPEN311_FORWARD_THEMES: "afval=AFV-01" });
    const db = createDb(url);
    try {
      const held = fake.holdNextPost();
      const first = await start();
      // A resident's melding about afval, just handed to staff.
      const gemeente = await db.gemeente.findFirstOrThrow();
      const wijk = await db.wijk.findFirstOrThrow({ where: { slug: "luchen" } });
      const resident = await db.resident.create({ data: { gemeenteId: gemeente.id, wijkId: wijk.id } });
      const identity = await db.channelIdentity.create({ data: { residentId: resident.id, channel: "webchat", externalId: "open311-crash-bewoner" } });
      const now = new Date();
      const conversation = await db.conversation.create({
        data: {
          reference: "WL-2026-77777",
          gemeenteId: gemeente.id,
          residentId: resident.id,
          channelIdentityId: identity.id,
          channel: "webchat",
          wijkId: wijk.id,
          tandemId: wijk.tandemId,
          status: "open",
          intent: "melding",
          theme: "afval",
          createdAt: now,
          lastMessageAt: now,
          statusChanges: {
            create: [
              { toStatus: "bot", at: now },
              { fromStatus: "bot", toStatus: "open", at: now },
            ],
          },
          messages: { create: [{ direction: "in", authorKind: "resident", text: "De glasbak bij de school is vol", channel: "webchat", createdAt: now }] },
        },
      });

      // The meldingen system makes the request; the service dies before it hears the id.
      const made = await held;
      first.kill("SIGKILL");
      await exitOf(first);
      const inDoubt = await db.open311Forward.findUniqueOrThrow({ where: { conversationId: conversation.id } });
      expect(inDoubt).toMatchObject({ status: "sending", externalId: null });
      expect(inDoubt.attemptedAt).not.toBeNull();
      expect(made.fields.description).toContain(`kenmerk ${inDoubt.sendToken}`);

      await start();
      await waitUntil(async () => (await db.open311Forward.findUniqueOrThrow({ where: { conversationId: conversation.id } })).status === "sent", 90_000, "the forward to be found back");
      const forward = await db.open311Forward.findUniqueOrThrow({ where: { conversationId: conversation.id } });
      expect(forward).toMatchObject({ status: "sent", externalId: made.id, sendToken: inDoubt.sendToken });
      // One POST ever reached the meldingen system, and it holds the melding once.
      expect(fake.posts.filter((post) => post.description?.includes(conversation.reference))).toHaveLength(1);
      expect([...fake.requests.values()].filter((request) => request.fields.description?.includes(conversation.reference))).toHaveLength(1);
      expect(fake.gets.some((path) => path.startsWith("/open311/v2/requests.json?"))).toBe(true);
    } finally {
      await service.killAll();
      await db.$disconnect();
      await fake.close();
      await drop();
    }
  }, 180_000);
});
