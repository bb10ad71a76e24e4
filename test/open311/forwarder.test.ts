import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseForwardThemes } from "../../src/config/env.ts";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import { OutboundPayloadSchema } from "../../src/domain/messages.ts";
import { type ForwarderOptions, forwardDueMeldingen, MAX_SEND_ATTEMPTS, pollForwardedStatuses, retryDelayMs } from "../../src/open311/forwarder.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { captureLogger } from "../helpers/logger.ts";
import { type FakeOpen311Server, startFakeOpen311Server } from "../fakes/open311Server.ts";

const flows = loadFlows("flows");
const MINUTE = 60_000;
const POLL_MS = 15 * MINUTE;

describe("the connector's settings", () => {
  it("reads the themes with their optional external service_code", () => {
    expect(parseForwardThemes("afval, groen=GR-01")).toEqual({ afval: "afval", groen: "GR-01" });
    expect(parseForwardThemes("potholes")).toBeNull();
    expect(parseForwardThemes(" , ")).toBeNull();
  });

  it("is on with URL, key and themes, and refuses to start with only some of them", () => {
    const on = loadConfig({ OPEN311_FORWARD_URL: "https://meldingen.example.nl/open311/v2/", OPEN311_FORWARD_API_KEY: "k", OPEN311_FORWARD_THEMES: "afval" });
    expect(on.open311Forward).toEqual({ enabled: true, url: "https://meldingen.example.nl/open311/v2/", apiKey: "k", jurisdiction: null, services: { afval: "afval" }, pollEveryMs: 15 * 60_000 });
    expect(loadConfig({}).open311Forward).toEqual({ enabled: false });
    expect(() => loadConfig({ OPEN311_FORWARD_URL: "https://meldingen.example.nl/open311/v2/" })).toThrow(ConfigError);
    expect(() => loadConfig({ OPEN311_FORWARD_URL: "https://x.nl/", OPEN311_FORWARD_API_KEY: "k", OPEN311_FORWARD_THEMES: "potholes" })).toThrow(/OPEN311_FORWARD_THEMES/);
  });
});

describeEachDatabase("the outbound Open311 connector", (provider) => {
  let t: TestDatabase;
  let fake: FakeOpen311Server;
  let gemeenteId = "";
  let clock = new Date("2026-11-30T10:00:00+01:00");
  let options: ForwarderOptions;
  let sequence = 0;

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    gemeenteId = (await t.db.gemeente.findFirstOrThrow()).id;
    fake = await startFakeOpen311Server({ now: () => clock });
    options = {
      db: t.db,
      logger: captureLogger().logger,
      endpoint: { url: fake.url, apiKey: fake.apiKey, jurisdiction: "gm1771" },
      services: { afval: "AFV-01", onderhoud: "OND" },
      pollEveryMs: POLL_MS,
      flows: () => flows,
      now: () => clock,
    };
  });
  afterAll(async () => {
    await fake?.close();
    await t?.drop();
  });

  const advance = (ms: number) => {
    clock = new Date(clock.getTime() + ms);
  };

  /** A resident's melding handed to staff just now, with their own words and a shared place. */
  async function melding(theme: string, options: { emergency?: string } = {}) {
    const wijk = await t.db.wijk.findFirstOrThrow({ where: { slug: "luchen" } });
    const resident = await t.db.resident.create({ data: { gemeenteId, wijkId: wijk.id } });
    const identity = await t.db.channelIdentity.create({ data: { residentId: resident.id, channel: "telegram", externalId: `0612345${String(++sequence).padStart(3, "0")}` } });
    return t.db.conversation.create({
      data: {
        reference: `WL-2026-${String(90000 + sequence)}`,
        gemeenteId,
        residentId: resident.id,
        channelIdentityId: identity.id,
        channel: "telegram",
        wijkId: wijk.id,
        tandemId: wijk.tandemId,
        status: "open",
        intent: "melding",
        theme,
        emergency: options.emergency ?? null,
        createdAt: clock,
        lastMessageAt: clock,
        statusChanges: {
          create: [
            { toStatus: "bot", at: clock },
            { fromStatus: "bot", toStatus: "open", at: clock },
          ],
        },
        messages: {
          create: [
            { direction: "in", authorKind: "resident", text: "De container bij de speeltuin is al een week vol", channel: "telegram", createdAt: clock },
            { direction: "in", authorKind: "resident", text: "Ja", value: "yes", channel: "telegram", createdAt: clock },
            { direction: "in", authorKind: "resident", latitude: 51.4478, longitude: 5.6201, channel: "telegram", createdAt: clock },
          ],
        },
      },
    });
  }

  const forwardOf = (conversationId: string) => t.db.open311Forward.findUniqueOrThrow({ where: { conversationId } });
  const postsOf = (reference: string) => fake.posts.filter((post) => post.description?.includes(reference));

  it("waits 1, 2, 4 … minutes between tries, at most an hour", () => {
    expect([1, 2, 3, 4, 7, 8].map(retryDelayMs)).toEqual([MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE, 60 * MINUTE, 60 * MINUTE]);
  });

  it("forwards a melding of a listed theme once, trying again with backoff after a 500 and a dropped connection", async () => {
    const conversation = await melding("afval");
    fake.failPosts("500", "drop");

    expect(await forwardDueMeldingen(options)).toBe(0);
    expect(postsOf(conversation.reference)).toHaveLength(1);
    expect(await forwardOf(conversation.id)).toMatchObject({ status: "pending", attempts: 1, nextAttemptAt: new Date(clock.getTime() + MINUTE) });
    // Not due yet: nothing is sent.
    expect(await forwardDueMeldingen(options)).toBe(0);
    expect(postsOf(conversation.reference)).toHaveLength(1);

    advance(MINUTE);
    expect(await forwardDueMeldingen(options)).toBe(0);
    expect(postsOf(conversation.reference)).toHaveLength(2);
    expect(await forwardOf(conversation.id)).toMatchObject({ status: "pending", attempts: 2, nextAttemptAt: new Date(clock.getTime() + 2 * MINUTE) });
    advance(MINUTE);
    expect(await forwardDueMeldingen(options)).toBe(0);
    expect(postsOf(conversation.reference)).toHaveLength(2);

    advance(MINUTE);
    expect(await forwardDueMeldingen(options)).toBe(1);
    const posts = postsOf(conversation.reference);
    expect(posts).toHaveLength(3);
    const created = [...fake.requests.values()].filter((request) => request.fields.description?.includes(conversation.reference));
    expect(created).toHaveLength(1);
    const forward = await forwardOf(conversation.id);
    expect(forward).toMatchObject({ status: "sent", attempts: 3, externalId: created[0]?.id, lastError: null });

    // What went there: the mapped service, the resident's typed words with the reference, the place; no chat id or button tap.
    expect(posts[2]).toMatchObject({ api_key: fake.apiKey, jurisdiction_id: "gm1771", service_code: "AFV-01", lat: "51.4478", long: "5.6201" });
    expect(posts[2]?.description).toBe(`De container bij de speeltuin is al een week vol\n\n(Wijklijn ${conversation.reference}, kenmerk ${forward.sendToken})`);
    expect(forward.sendToken).toMatch(/^wl-[0-9a-f]{16}$/);
    // Every try carried the same kenmerk.
    expect(new Set(posts.map((post) => post.description))).toHaveProperty("size", 1);
    expect(JSON.stringify(posts[2])).not.toContain("0612345");
    const note = await t.db.message.findFirst({ where: { conversationId: conversation.id, direction: "note" } });
    expect(note?.text).toContain(`nummer ${forward.externalId}`);

    advance(10 * MINUTE);
    await forwardDueMeldingen(options);
    expect(postsOf(conversation.reference)).toHaveLength(3);
  });

  it("forwards no other theme, no 112 conversation and nothing that came in over Open311", async () => {
    const groen = await melding("groen");
    const emergency = await melding("afval", { emergency: "112" });
    const filed = await t.db.conversation.create({
      data: {
        reference: `WL-2026-${String(90000 + ++sequence)}`,
        gemeenteId,
        channel: "open311",
        status: "open",
        intent: "melding",
        theme: "afval",
        createdAt: clock,
        lastMessageAt: clock,
        statusChanges: { create: [{ toStatus: "open", at: clock }] },
      },
    });
    await forwardDueMeldingen(options);
    expect(await t.db.open311Forward.findUnique({ where: { conversationId: filed.id } })).toBeNull();
    expect(await t.db.open311Forward.findUnique({ where: { conversationId: groen.id } })).toBeNull();
    expect(await t.db.open311Forward.findUnique({ where: { conversationId: emergency.id } })).toBeNull();
  });

  it("gives up at once on a refusal (400), with a note for staff", async () => {
    const conversation = await melding("onderhoud");
    fake.failPosts("400");
    await forwardDueMeldingen(options);
    expect(await forwardOf(conversation.id)).toMatchObject({ status: "failed", attempts: 1, lastError: expect.stringContaining("service_code onbekend") });
    const note = await t.db.message.findFirst({ where: { conversationId: conversation.id, direction: "note" } });
    expect(note?.text).toContain("niet gelukt na 1 poging");
    advance(2 * 3600 * 1000);
    await forwardDueMeldingen(options);
    expect(postsOf(conversation.reference)).toHaveLength(1);
  });

  it(`gives up after ${MAX_SEND_ATTEMPTS} failed tries`, async () => {
    const conversation = await melding("afval");
    fake.failPosts(...Array.from({ length: MAX_SEND_ATTEMPTS }, () => "500" as const));
    for (let i = 0; i < MAX_SEND_ATTEMPTS + 2; i++) {
      await forwardDueMeldingen(options);
      advance(61 * MINUTE);
    }
    expect(postsOf(conversation.reference)).toHaveLength(MAX_SEND_ATTEMPTS);
    expect(await forwardOf(conversation.id)).toMatchObject({ status: "failed", attempts: MAX_SEND_ATTEMPTS });
  });

  it("finds a request back by its kenmerk when the answer to the POST was lost, and posts it no second time", async () => {
    const conversation = await melding("afval");
    fake.failPosts("accept-drop");
    expect(await forwardDueMeldingen(options)).toBe(0);
    expect(await forwardOf(conversation.id)).toMatchObject({ status: "pending", attempts: 1, attemptedAt: clock });
    const made = [...fake.requests.values()].filter((request) => request.fields.description?.includes(conversation.reference));
    expect(made).toHaveLength(1);

    advance(MINUTE);
    expect(await forwardDueMeldingen(options)).toBe(1);
    expect(postsOf(conversation.reference)).toHaveLength(1);
    expect(fake.gets.some((path) => path.startsWith("/open311/v2/requests.json?") && path.includes("service_code=AFV-01"))).toBe(true);
    expect(await forwardOf(conversation.id)).toMatchObject({ status: "sent", externalId: made[0]?.id });
  });

  it("takes over a claim left by a sender that stopped between the POST and storing its id, and finds the request instead of posting again", async () => {
    const conversation = await melding("afval");
    // The first sender's POST reaches the endpoint and never gets its answer: it hangs as a crashed process would.
    const held = fake.holdNextPost();
    const stalled = forwardDueMeldingen({ ...options, endpoint: { ...options.endpoint, timeoutMs: 1_500 } });
    const inDoubt = await held;
    expect(await forwardOf(conversation.id)).toMatchObject({ status: "sending", attemptedAt: clock });

    // Another instance, once the claim has run out.
    advance(3 * MINUTE);
    expect(await forwardDueMeldingen(options)).toBe(1);
    expect(postsOf(conversation.reference)).toHaveLength(1);
    expect(await forwardOf(conversation.id)).toMatchObject({ status: "sent", externalId: inDoubt.id });

    // When the stalled sender wakes up after all (its call times out), it leaves the row alone.
    await stalled;
    expect(await forwardOf(conversation.id)).toMatchObject({ status: "sent", externalId: inDoubt.id, lastError: null });
  });

  it("posts again after a lost answer only when the endpoint certainly does not have it", async () => {
    const conversation = await melding("afval");
    fake.failPosts("drop");
    await forwardDueMeldingen(options);
    expect(await forwardOf(conversation.id)).toMatchObject({ status: "pending", attemptedAt: clock });
    advance(MINUTE);
    expect(await forwardDueMeldingen(options)).toBe(1);
    expect(postsOf(conversation.reference)).toHaveLength(2);
    expect([...fake.requests.values()].filter((request) => request.fields.description?.includes(conversation.reference))).toHaveLength(1);
  });

  it("leaves a forward in doubt to staff, with its kenmerk, when the endpoint lists requests without their descriptions", async () => {
    const conversation = await melding("onderhoud");
    fake.failPosts("accept-drop");
    fake.listWithoutDescriptions = true;
    try {
      await forwardDueMeldingen(options);
      advance(MINUTE);
      expect(await forwardDueMeldingen(options)).toBe(0);
    } finally {
      fake.listWithoutDescriptions = false;
    }
    const forward = await forwardOf(conversation.id);
    expect(forward).toMatchObject({ status: "failed" });
    expect(postsOf(conversation.reference)).toHaveLength(1);
    const note = await t.db.message.findFirst({ where: { conversationId: conversation.id, direction: "note" }, orderBy: { createdAt: "desc" } });
    expect(note?.text).toContain(`"${forward.sendToken}"`);
    expect(note?.text).toContain("zet hem er dan zelf in");
    advance(2 * 3600 * 1000);
    await forwardDueMeldingen(options);
    expect(postsOf(conversation.reference)).toHaveLength(1);
  });

  it("tells the resident in their chat once when the status changes there, and stops polling a closed request", async () => {
    const conversation = await melding("afval");
    await forwardDueMeldingen(options);
    const forward = await forwardOf(conversation.id);
    const externalId = forward.externalId ?? "";
    const getsOf = () => fake.gets.filter((path) => path.endsWith(`/${externalId}.json`)).length;
    const outboxOf = () => t.db.outboxMessage.findMany({ where: { conversationId: conversation.id }, orderBy: { createdAt: "asc" } });

    // Not due before the poll interval; then still open without notes: nothing to tell.
    await pollForwardedStatuses(options);
    expect(getsOf()).toBe(0);
    advance(POLL_MS);
    await pollForwardedStatuses(options);
    expect(getsOf()).toBe(1);
    expect(await outboxOf()).toHaveLength(0);

    // A failed poll waits longer and tells nobody anything.
    fake.failGets(externalId, "500");
    advance(POLL_MS);
    await pollForwardedStatuses(options);
    expect(getsOf()).toBe(2);
    expect(await forwardOf(conversation.id)).toMatchObject({ pollFailures: 1, nextPollAt: new Date(clock.getTime() + 2 * POLL_MS) });
    advance(POLL_MS);
    await pollForwardedStatuses(options);
    expect(getsOf()).toBe(2);

    fake.setStatus(externalId, "closed", "Container geleegd op 1 december");
    advance(POLL_MS);
    expect(await pollForwardedStatuses(options)).toBeGreaterThanOrEqual(1);
    const outbox = await outboxOf();
    expect(outbox).toHaveLength(1);
    const payload = OutboundPayloadSchema.parse(JSON.parse(outbox[0]?.payload ?? "{}"));
    expect(payload.text).toBe(`Nieuws over je melding ${conversation.reference}: de gemeente heeft het afgehandeld. Container geleegd op 1 december`);
    expect(outbox[0]).toMatchObject({ channel: "telegram", status: "pending" });
    expect(await forwardOf(conversation.id)).toMatchObject({ externalStatus: "closed", closedAt: clock, nextPollAt: null });
    const notes = await t.db.message.findMany({ where: { conversationId: conversation.id, direction: "note" }, orderBy: { createdAt: "asc" } });
    expect(notes.at(-1)?.text).toContain("afgehandeld — Container geleegd op 1 december");

    advance(POLL_MS * 4);
    await pollForwardedStatuses(options);
    expect(getsOf()).toBe(3);
    expect(await outboxOf()).toHaveLength(1);
  });
});
