/**
 * The demo's invented activity (prisma/demo/geldrop-mierlo.ts, demoActivity; ILLUSTRATIVE DATA):
 * resolved conversations of the last months with their first staff reply, "Voelde je je gehoord?"
 * scores, trust pulse answers and "jullie zeiden, wij deden" items, so that a fresh install's
 * pilot evaluation and public wijk pages show figures and a trend instead of empty charts.
 *
 * Made with a fixed pseudo-random sequence (the same demo every time, relative to `now`): the pilot
 * grows over the months, the gemeente answers faster, and residents feel a little more heard and
 * trust a little more. Everything is resolved and older than two days, so nothing waits for staff,
 * nothing is forwarded and no question goes out. Added once: a second run adds nothing.
 */
import { demoActivity, demoActivityMonths, demoGemeente, demoMeldingTexts, demoStaffReplies, demoWijDeden } from "../../prisma/demo/geldrop-mierlo.ts";
import type { Settings } from "../conversation/flowSchema.ts";
import { addWorkingHours } from "../routing/officeHours.ts";
import { quarterOf } from "../trust/trustPulse.ts";
import { randomUUID } from "node:crypto";
import type { Db, Tx } from "./client.ts";

const DAY = 86_400_000;
const MINUTE = 60_000;

/** What the activity seed added. */
export interface ActivityReport {
  conversations: number;
  feedback: number;
  trustPulses: number;
  wijDeden: number;
}

/** The rows the activity seed writes, per table. */
interface DemoRows {
  residents: Array<{ id: string; gemeenteId: string; wijkId: string; createdAt: Date; lastSeenAt: Date }>;
  identities: Array<{ id: string; residentId: string; channel: string; externalId: string; createdAt: Date; lastSeenAt: Date }>;
  consents: Array<{ residentId: string; kind: string; granted: boolean; version: string; at: Date }>;
  conversations: Array<{
    id: string;
    reference: string;
    gemeenteId: string;
    residentId: string;
    channelIdentityId: string;
    channel: string;
    wijkId: string;
    tandemId: string | null;
    status: string;
    intent: string;
    theme: string;
    language: string;
    assigneeId: string | null;
    createdAt: Date;
    lastMessageAt: Date;
    firstResponseAt: Date;
    resolvedAt: Date;
  }>;
  statusChanges: Array<{ conversationId: string; fromStatus: string | null; toStatus: string; at: Date; actorStaffId?: string | null }>;
  messages: Array<{ conversationId: string; direction: string; authorKind: string; authorStaffId?: string | null; text: string; channel: string; createdAt: Date; processedAt?: Date }>;
  feedback: Array<{ conversationId: string; gemeenteId: string; status: string; score: number; reopened: boolean; askedAs: string; createdAt: Date; askedAt: Date; scoredAt: Date }>;
  trustPulses: Array<{
    gemeenteId: string;
    residentId: string;
    wijkId: string;
    conversationId: string;
    quarter: string;
    status: string;
    score: number | null;
    offeredAt: Date;
    scoredAt: Date | null;
  }>;
}

/** A small deterministic generator (mulberry32): the demo looks the same on every install. */
function randomSequence(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A score 1–5 around `mean`, at most `spread` away. */
function scoreAround(random: () => number, mean: number, spread: number): number {
  const offset = ((random() + random() + random()) / 1.5 - 1) * spread;
  return Math.min(5, Math.max(1, Math.round(mean + offset)));
}

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

const CHANNELS = [
  { channel: "whatsapp", weight: 0.5 },
  { channel: "telegram", weight: 0.2 },
  { channel: "webchat", weight: 0.3 },
] as const;

function pickChannel(random: () => number): string {
  let r = random();
  for (const option of CHANNELS) {
    if (r < option.weight) return option.channel;
    r -= option.weight;
  }
  return "webchat";
}

/**
 * Adds the demo activity to the demo gemeente when it has no conversations yet; `settings` gives
 * the office hours the response times are counted in.
 */
export async function seedDemoActivity(db: Db, options: { now?: Date; settings: Settings }): Promise<ActivityReport> {
  const now = options.now ?? new Date();
  return db.$transaction((tx) => seedActivityInTransaction(tx, now, options.settings), { timeout: 30_000 });
}

async function seedActivityInTransaction(tx: Tx, now: Date, settings: Settings): Promise<ActivityReport> {
  const report: ActivityReport = { conversations: 0, feedback: 0, trustPulses: 0, wijDeden: 0 };
  const gemeente = await tx.gemeente.findUnique({ where: { slug: demoGemeente.slug } });
  if (!gemeente || (await tx.conversation.count({ where: { gemeenteId: gemeente.id } })) > 0) return report;
  const zone = gemeente.timeZone;
  const wijken = await tx.wijk.findMany({ where: { gemeenteId: gemeente.id }, select: { id: true, slug: true, tandemId: true } });
  const staff = await tx.tandemMember.findMany({ where: { role: "gebiedsregisseur" }, select: { tandemId: true, staffUserId: true } });
  const random = randomSequence(1771);
  // Made in memory and written in a few batches: a fresh install starts in about a second.
  const rows: DemoRows = { residents: [], identities: [], consents: [], conversations: [], statusChanges: [], messages: [], feedback: [], trustPulses: [] };
  const counters = new Map<number, number>();
  const nextReference = (at: Date) => {
    const year = at.getUTCFullYear();
    const value = (counters.get(year) ?? 0) + 1;
    counters.set(year, value);
    return `WL-${year}-${String(value).padStart(5, "0")}`;
  };
  /** Per resident: when they were last seen. */
  const lastSeen = new Map<string, Date>();

  const start = Math.floor((now.getTime() - demoActivityMonths * 30 * DAY) / DAY) * DAY;
  const end = now.getTime() - 2 * DAY;
  /** Per wijk: its residents so far (some write again) and the quarters each already answered the pulse in. */
  const residentsOfWijk = new Map<string, Array<{ id: string; identityId: string; channel: string; pulseQuarters: Set<string> }>>();
  const resolvedOfWijk = new Map<string, Array<{ id: string; theme: string; resolvedAt: Date }>>();

  for (let day = start; day < end; day += DAY) {
    const progress = (day - start) / (end - start);
    for (const activity of demoActivity) {
      const wijk = wijken.find((w) => w.slug === activity.wijk);
      if (!wijk) continue;
      const expected = (activity.perMonth / 30) * (0.4 + 0.6 * progress);
      const count = Math.floor(expected) + (random() < expected - Math.floor(expected) ? 1 : 0);
      for (let n = 0; n < count; n++) {
        // Residents write between 7 and 22 o'clock.
        const createdAt = new Date(day + (7 + random() * 15) * 3_600_000);
        const theme = pick(random, activity.themes);
        const handedOverAt = new Date(createdAt.getTime() + (2 + random() * 4) * MINUTE);
        // The gemeente answers faster as the pilot goes on: from about 14 to about 4 working hours.
        const responseHours = (14 - 10 * progress) * (0.3 + random() * 1.4);
        const firstResponseAt = addWorkingHours(handedOverAt, responseHours, settings, zone);
        const resolvedAt = addWorkingHours(firstResponseAt, 4 + random() * 30, settings, zone);
        if (resolvedAt.getTime() > end) continue;
        const assignee = staff.find((member) => member.tandemId === wijk.tandemId)?.staffUserId ?? null;
        const feedbackScore = random() < 0.7 ? scoreAround(random, 3.1 + 1.1 * progress, 2.2) : null;
        const reopened = feedbackScore !== null && feedbackScore <= 2;
        const finalResolvedAt = reopened ? addWorkingHours(resolvedAt, 6 + random() * 10, settings, zone) : resolvedAt;
        if (finalResolvedAt.getTime() > end) continue;
        const scoredAt = new Date(resolvedAt.getTime() + (5 + random() * 120) * MINUTE);
        const intent = theme === "jeugd" || theme === "wonen" || theme === "zorg-welzijn" || random() < 0.15 ? "idee" : "melding";
        const residents = residentsOfWijk.get(wijk.id) ?? [];
        residentsOfWijk.set(wijk.id, residents);
        let resident = residents.length > 3 && random() < 0.35 ? pick(random, residents) : undefined;
        if (!resident) {
          const channel = pickChannel(random);
          const id = randomUUID();
          const identityId = randomUUID();
          rows.residents.push({ id, gemeenteId: gemeente.id, wijkId: wijk.id, createdAt, lastSeenAt: createdAt });
          rows.identities.push({
            id: identityId,
            residentId: id,
            channel,
            externalId: `demo-bewoner-${activity.wijk}-${String(residents.length + 1).padStart(3, "0")}`,
            createdAt,
            lastSeenAt: createdAt,
          });
          rows.consents.push({ residentId: id, kind: "privacy", granted: true, version: "2026-11", at: createdAt });
          resident = { id, identityId, channel, pulseQuarters: new Set() };
          residents.push(resident);
        }
        const statusChanges = [
          { fromStatus: null, toStatus: "bot", at: createdAt },
          { fromStatus: "bot", toStatus: "open", at: handedOverAt },
          { fromStatus: "open", toStatus: "resolved", at: resolvedAt, actorStaffId: assignee },
          ...(reopened
            ? [
                { fromStatus: "resolved", toStatus: "open", at: scoredAt },
                { fromStatus: "open", toStatus: "resolved", at: finalResolvedAt, actorStaffId: assignee },
              ]
            : []),
        ];
        const conversation = { id: randomUUID() };
        rows.conversations.push({
          id: conversation.id,
          reference: nextReference(createdAt),
          gemeenteId: gemeente.id,
          residentId: resident.id,
          channelIdentityId: resident.identityId,
          channel: resident.channel,
          wijkId: wijk.id,
          tandemId: wijk.tandemId,
          status: "resolved",
          intent,
          theme,
          language: "nl",
          assigneeId: assignee,
          createdAt,
          lastMessageAt: firstResponseAt,
          firstResponseAt,
          resolvedAt: finalResolvedAt,
        });
        rows.statusChanges.push(...statusChanges.map((change) => ({ conversationId: conversation.id, ...change })));
        rows.messages.push(
          {
            conversationId: conversation.id,
            direction: "in",
            authorKind: "resident",
            text: pick(random, demoMeldingTexts[theme] ?? ["Ik heb een vraag over de wijk."]),
            channel: resident.channel,
            createdAt,
            processedAt: createdAt,
          },
          {
            conversationId: conversation.id,
            direction: "out",
            authorKind: "staff",
            authorStaffId: assignee,
            text: pick(random, demoStaffReplies),
            channel: resident.channel,
            createdAt: firstResponseAt,
          },
        );
        lastSeen.set(resident.id, finalResolvedAt);
        report.conversations++;
        const resolved = resolvedOfWijk.get(wijk.id) ?? [];
        resolved.push({ id: conversation.id, theme, resolvedAt: finalResolvedAt });
        resolvedOfWijk.set(wijk.id, resolved);
        if (feedbackScore === null) continue;
        rows.feedback.push({
          conversationId: conversation.id,
          gemeenteId: gemeente.id,
          status: "done",
          score: feedbackScore,
          reopened,
          askedAs: "buttons",
          createdAt: resolvedAt,
          askedAt: resolvedAt,
          scoredAt,
        });
        report.feedback++;
        // The trust pulse after a score of 3–5, at most once a quarter, for the residents who say yes.
        const quarter = quarterOf(scoredAt, zone);
        if (reopened || resident.pulseQuarters.has(quarter) || random() > 0.9) continue;
        resident.pulseQuarters.add(quarter);
        const declined = random() < 0.15;
        rows.trustPulses.push({
          gemeenteId: gemeente.id,
          residentId: resident.id,
          wijkId: wijk.id,
          conversationId: conversation.id,
          quarter,
          status: declined ? "declined" : "scored",
          score: declined ? null : scoreAround(random, 2.5 + 1.2 * progress, 1.6),
          offeredAt: new Date(scoredAt.getTime() + MINUTE),
          scoredAt: declined ? null : new Date(scoredAt.getTime() + 2 * MINUTE),
        });
        if (!declined) report.trustPulses++;
      }
    }
  }

  for (const resident of rows.residents) resident.lastSeenAt = lastSeen.get(resident.id) ?? resident.lastSeenAt;
  await tx.resident.createMany({ data: rows.residents });
  await tx.channelIdentity.createMany({ data: rows.identities });
  await tx.consent.createMany({ data: rows.consents });
  await tx.conversation.createMany({ data: rows.conversations });
  await tx.statusChange.createMany({ data: rows.statusChanges });
  await tx.message.createMany({ data: rows.messages });
  await tx.feedback.createMany({ data: rows.feedback });
  await tx.trustPulse.createMany({ data: rows.trustPulses });
  for (const [year, value] of counters) {
    await tx.referenceCounter.upsert({ where: { gemeenteId_year: { gemeenteId: gemeente.id, year } }, create: { gemeenteId: gemeente.id, year, value }, update: { value } });
  }

  for (const item of demoWijDeden) {
    const wijk = wijken.find((w) => w.slug === item.wijk);
    if (!wijk) continue;
    const publishedAt = new Date(now.getTime() - item.daysAgo * DAY);
    const source = (resolvedOfWijk.get(wijk.id) ?? []).find((c) => c.theme === item.theme && c.resolvedAt < publishedAt);
    const author = staff.find((member) => member.tandemId === wijk.tandemId)?.staffUserId ?? null;
    await tx.wijDedenItem.create({
      data: {
        gemeenteId: gemeente.id,
        wijkId: wijk.id,
        conversationId: source?.id ?? null,
        theme: item.theme,
        said: item.said,
        did: item.did,
        publishedAt,
        createdByStaffId: author,
        createdAt: publishedAt,
      },
    });
    if (source)
      resolvedOfWijk.set(
        wijk.id,
        (resolvedOfWijk.get(wijk.id) ?? []).filter((c) => c.id !== source.id),
      );
    report.wijDeden++;
  }
  return report;
}
