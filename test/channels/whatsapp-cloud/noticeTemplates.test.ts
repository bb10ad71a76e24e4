/**
 * The weekly bundle and the dialoogtafel notices on WhatsApp Cloud, through the outbox and the fake
 * Graph API: a resident who wrote an hour ago gets them as text; one who last wrote 48 hours ago
 * (the 24-hour window closed) gets the approved template (WHATSAPP_CLOUD_BUNDLE_TEMPLATE,
 * WHATSAPP_CLOUD_DIALOOGTAFEL_TEMPLATE) with the text on one line as {{1}}. Without a template the
 * closed-window resident gets nothing.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Channel } from "../../../src/domain/vocabulary.ts";
import { loadFlows } from "../../../src/conversation/loadFlows.ts";
import { isoWeekBounds, isoWeekOf, addIsoWeeks } from "../../../src/digests/isoWeek.ts";
import { sendDueTafelNotices } from "../../../src/jobs/dialoogtafelNotices.ts";
import { sendWeeklyBundles } from "../../../src/jobs/wijkberichtBundles.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { captureLogger } from "../../helpers/logger.ts";
import { startWhatsappRig, waitFor, type WhatsappRig } from "./whatsappRig.ts";

const RECENT = "31622220001";
const A_DAY_AGO = "31622220002";
const HOUR = 3_600_000;
const WHATSAPP_ONLY: Channel[] = ["whatsapp"];

describeEachDatabase("the weekly bundle and dialoogtafel notices on WhatsApp Cloud", (provider) => {
  let rig: WhatsappRig;
  const flows = loadFlows();
  const identities: Record<string, { residentId: string; identityId: string }> = {};

  beforeAll(async () => {
    rig = await startWhatsappRig(provider);
    const db = rig.harness.t.db;
    const gemeente = await db.gemeente.findFirstOrThrow();
    const luchen = await db.wijk.findFirstOrThrow({ where: { slug: "luchen" } });
    for (const { externalId, agoMs } of [
      { externalId: RECENT, agoMs: HOUR },
      { externalId: A_DAY_AGO, agoMs: 48 * HOUR },
    ]) {
      const resident = await db.resident.create({ data: { gemeenteId: gemeente.id, wijkId: luchen.id, language: "nl" } });
      const identity = await db.channelIdentity.create({ data: { residentId: resident.id, channel: "whatsapp", externalId } });
      const conversation = await db.conversation.create({
        data: { reference: `WL-2026-0${externalId.slice(-4)}`, gemeenteId: gemeente.id, residentId: resident.id, channelIdentityId: identity.id, channel: "whatsapp", wijkId: luchen.id },
      });
      await db.message.create({
        data: {
          conversationId: conversation.id,
          direction: "in",
          authorKind: "resident",
          text: "hallo",
          channel: "whatsapp",
          createdAt: new Date(Date.now() - agoMs),
          processedAt: new Date(Date.now() - agoMs),
        },
      });
      identities[externalId] = { residentId: resident.id, identityId: identity.id };
    }
  });
  afterAll(async () => rig?.close());

  const sentSince = (waId: string, before: number) => rig.fake.sentTo(waId).slice(before);

  it("sends the weekly bundle as text inside the window and as the bundle template outside it", async () => {
    const db = rig.harness.t.db;
    const gemeente = await db.gemeente.findFirstOrThrow();
    const luchen = await db.wijk.findFirstOrThrow({ where: { slug: "luchen" } });
    for (const { residentId, identityId } of Object.values(identities)) {
      await db.subscription.create({ data: { residentId, wijkId: luchen.id, channelIdentityId: identityId, frequency: "weekly" } });
    }
    // A bericht of last week; the bundle job runs now. On a Monday before 09:00 in the gemeente the job waits for 09:00,
    // so then it runs as on the Sunday evening before (and the bundle is that of the week before last). That clock is up to
    // 9 hours behind, so the closed-window resident last wrote 48 hours ago: still more than 24 hours before it.
    const real = new Date();
    const parts = new Intl.DateTimeFormat("en-GB", { timeZone: gemeente.timeZone, weekday: "short", hour: "2-digit", hourCycle: "h23" }).formatToParts(real);
    const weekday = parts.find((part) => part.type === "weekday")?.value;
    const hour = Number(parts.find((part) => part.type === "hour")?.value ?? "12");
    const now = weekday === "Mon" && hour < 9 ? new Date(real.getTime() - (hour + 1) * HOUR) : real;
    const lastWeek = addIsoWeeks(isoWeekOf(now, gemeente.timeZone), -1);
    const startedAt = new Date(isoWeekBounds(lastWeek, gemeente.timeZone).start.getTime() + 10 * HOUR);
    await db.wijkbericht.create({
      data: {
        gemeenteId: gemeente.id,
        text: "De markt is verplaatst naar het plein.",
        status: "sent",
        authorKind: "cli",
        startedAt,
        finishedAt: startedAt,
        wijken: { create: [{ wijkId: luchen.id }] },
      },
    });
    const before = { recent: rig.fake.sentTo(RECENT).length, old: rig.fake.sentTo(A_DAY_AGO).length };
    const deps = { db, logger: captureLogger("error").logger, globals: () => flows.globals, gemeenteId: gemeente.id, timeZone: gemeente.timeZone, channels: WHATSAPP_ONLY };
    const queued = await sendWeeklyBundles({ ...deps, whatsappCloud: { template: { name: "wijklijn_weekoverzicht", language: "nl" } }, now: () => now });
    expect(queued).toBe(2);
    rig.harness.bot.dispatcher.nudge();
    await waitFor(async () => sentSince(RECENT, before.recent).length === 1 && sentSince(A_DAY_AGO, before.old).length === 1, "both bundles to be sent");
    expect(sentSince(RECENT, before.recent)[0]).toMatchObject({ kind: "text", text: expect.stringContaining("De markt is verplaatst naar het plein.") });
    expect(sentSince(A_DAY_AGO, before.old)[0]).toMatchObject({
      kind: "template",
      body: {
        template: {
          name: "wijklijn_weekoverzicht",
          language: { code: "nl" },
          components: [{ type: "body", parameters: [{ type: "text", text: expect.stringMatching(/^Wijkberichten van deze week voor Luchen: · • De markt is verplaatst/) }] }],
        },
      },
    });
  });

  it("sends a dialoogtafel summary as text inside the window and as the dialoogtafel template outside it; without a template, not at all", async () => {
    const db = rig.harness.t.db;
    const luchen = await db.wijk.findFirstOrThrow({ where: { slug: "luchen" } });
    const tafel = async (title: string) => {
      const created = await db.dialoogtafel.create({
        data: {
          wijkId: luchen.id,
          title,
          topic: "Het park",
          location: "Wijkhuis",
          startsAt: new Date(Date.now() - 48 * HOUR),
          capacity: 10,
          summaryHeard: "Meer bankjes.",
          summaryNext: "We zetten er drie neer.",
          summaryPublishedAt: new Date(Date.now() - HOUR),
        },
      });
      for (const { residentId, identityId } of Object.values(identities)) {
        await db.registration.create({ data: { dialoogtafelId: created.id, residentId, channelIdentityId: identityId, status: "registered", checkedInAt: new Date(Date.now() - 48 * HOUR) } });
      }
    };
    const deps = {
      db,
      logger: captureLogger("error").logger,
      globals: () => flows.globals,
      timeZone: "Europe/Amsterdam",
      reminderTime: "10:00",
      publicUrl: "http://localhost",
      secret: "s".repeat(32),
    };

    await tafel("Tafel over het park");
    let before = { recent: rig.fake.sentTo(RECENT).length, old: rig.fake.sentTo(A_DAY_AGO).length };
    expect(await sendDueTafelNotices({ ...deps, whatsappCloud: { template: { name: "wijklijn_dialoogtafel", language: "nl" } } })).toMatchObject({ summaries: 2 });
    rig.harness.bot.dispatcher.nudge();
    await waitFor(async () => sentSince(RECENT, before.recent).length === 1 && sentSince(A_DAY_AGO, before.old).length === 1, "both summaries to be sent");
    expect(sentSince(RECENT, before.recent)[0]).toMatchObject({ kind: "text", text: expect.stringContaining("We zetten er drie neer.") });
    expect(sentSince(A_DAY_AGO, before.old)[0]).toMatchObject({
      kind: "template",
      body: { template: { name: "wijklijn_dialoogtafel", components: [{ type: "body", parameters: [{ type: "text", text: expect.stringContaining("We zetten er drie neer.") }] }] } },
    });

    // No template set: the resident outside the window gets nothing (WhatsApp would refuse free text), the other the text.
    await tafel("Tweede tafel over het park");
    before = { recent: rig.fake.sentTo(RECENT).length, old: rig.fake.sentTo(A_DAY_AGO).length };
    expect(await sendDueTafelNotices({ ...deps, whatsappCloud: { template: null } })).toMatchObject({ summaries: 1 });
    rig.harness.bot.dispatcher.nudge();
    await waitFor(async () => sentSince(RECENT, before.recent).length === 1, "the summary inside the window to be sent");
    expect(sentSince(A_DAY_AGO, before.old)).toEqual([]);
  });
});
