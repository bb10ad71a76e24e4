/**
 * Seeds the demo gemeente (prisma/demo/geldrop-mierlo.ts, illustrative data) into a database.
 * Idempotent: running it again changes nothing that is already there and duplicates nothing.
 * Demo accounts get the published demo password; a password hash that is already set (for
 * example one changed with the CLI) is never overwritten.
 */
import {
  demoAdmin,
  demoBounds,
  demoDialoogtafels,
  demoGemeente,
  demoNews,
  demoPassword,
  demoPostcodeRules,
  demoSignInEmail,
  demoSubscribers,
  demoTandems,
  demoWijken,
} from "../../prisma/demo/geldrop-mierlo.ts";
import { nextMeetingDate } from "../domain/dutchHolidays.ts";
import { localDate, zonedTimeToDate } from "../domain/time.ts";
import { hashPassword, verifyPassword } from "../inbox/password.ts";
import { boxRing } from "../routing/geo.ts";
import type { Db, Tx } from "./client.ts";

/** What the seed created (zero counts on a second run). */
export interface SeedReport {
  gemeenteCreated: boolean;
  wijken: number;
  tandems: number;
  staff: number;
  postcodeRules: number;
  newsItems: number;
  dialoogtafels: number;
}

let demoPasswordHash: Promise<string> | undefined;

/**
 * The hash of the demo password, made once per process (argon2id is slow on purpose). All demo
 * accounts share it: they share the published password anyway. Illustrative data only.
 */
function hashDemoPassword(): Promise<string> {
  demoPasswordHash ??= hashPassword(demoPassword);
  return demoPasswordHash;
}

/** Seeds the demo gemeente; `now` places the dialoogtafels a few weeks ahead. */
export async function seedDemoGemeente(db: Db, now: Date = new Date()): Promise<SeedReport> {
  const passwordHash = await hashDemoPassword();
  return db.$transaction((tx) => seedInTransaction(tx, now, passwordHash), { timeout: 30_000 });
}

/**
 * How to sign in to a demo install: the demo account and password, while the demo gemeente is
 * there and that account still has the demo password; otherwise null (nothing to advertise).
 */
export async function findDemoSignIn(db: Db): Promise<{ email: string; password: string } | null> {
  const gemeente = await db.gemeente.findUnique({ where: { slug: demoGemeente.slug } });
  if (!gemeente) return null;
  const account = await db.staffUser.findUnique({ where: { email: demoSignInEmail } });
  if (!account?.active || account.gemeenteId !== gemeente.id || !account.passwordHash) return null;
  return (await verifyPassword(account.passwordHash, demoPassword)) ? { email: demoSignInEmail, password: demoPassword } : null;
}

async function seedInTransaction(tx: Tx, now: Date, passwordHash: string): Promise<SeedReport> {
  const report: SeedReport = { gemeenteCreated: false, wijken: 0, tandems: 0, staff: 0, postcodeRules: 0, newsItems: 0, dialoogtafels: 0 };
  let gemeente = await tx.gemeente.findUnique({ where: { slug: demoGemeente.slug } });
  if (!gemeente) {
    gemeente = await tx.gemeente.create({ data: { ...demoGemeente } });
    report.gemeenteCreated = true;
  }
  const gemeenteId = gemeente.id;

  const staffIds = new Map<string, string>();
  const ensureStaff = async (email: string, displayName: string, role: string) => {
    const existing = await tx.staffUser.findUnique({ where: { email } });
    if (existing) {
      // A demo account from before demo passwords existed gets one; a set password is kept.
      if (!existing.passwordHash) await tx.staffUser.updateMany({ where: { id: existing.id, passwordHash: null }, data: { passwordHash } });
      staffIds.set(email, existing.id);
      return;
    }
    const created = await tx.staffUser.create({ data: { gemeenteId, email, displayName, role, passwordHash } });
    staffIds.set(email, created.id);
    report.staff++;
  };
  await ensureStaff(demoAdmin.email, demoAdmin.displayName, "admin");

  const tandemIds = new Map<string, string>();
  for (const tandem of demoTandems) {
    let row = await tx.tandem.findUnique({ where: { gemeenteId_slug: { gemeenteId, slug: tandem.slug } } });
    if (!row) {
      row = await tx.tandem.create({ data: { gemeenteId, slug: tandem.slug, name: tandem.name } });
      report.tandems++;
    }
    tandemIds.set(tandem.slug, row.id);
    await ensureStaff(tandem.gebiedsregisseur.email, tandem.gebiedsregisseur.displayName, "gebiedsregisseur");
    await ensureStaff(tandem.wethouder.email, tandem.wethouder.displayName, "wethouder");
    for (const [member, role] of [
      [tandem.gebiedsregisseur, "gebiedsregisseur"],
      [tandem.wethouder, "wethouder"],
    ] as const) {
      const staffUserId = staffIds.get(member.email);
      if (!staffUserId) continue;
      await tx.tandemMember.upsert({
        where: { tandemId_staffUserId: { tandemId: row.id, staffUserId } },
        create: { tandemId: row.id, staffUserId, role },
        update: {},
      });
    }
  }

  const holes = demoWijken.flatMap((wijk) => (wijk.box ? [boxRing(wijk.box.lat, wijk.box.lon)] : []));
  const wijkIds = new Map<string, string>();
  for (const wijk of demoWijken) {
    const shape = wijk.box ? { type: "Polygon", coordinates: [boxRing(wijk.box.lat, wijk.box.lon)] } : { type: "Polygon", coordinates: [boxRing(demoBounds.lat, demoBounds.lon), ...holes] };
    let row = await tx.wijk.findUnique({ where: { gemeenteId_slug: { gemeenteId, slug: wijk.slug } } });
    if (!row) {
      row = await tx.wijk.create({
        data: { gemeenteId, slug: wijk.slug, name: wijk.name, kern: wijk.kern, active: true, shape: JSON.stringify(shape), tandemId: tandemIds.get(wijk.tandem) ?? null },
      });
      report.wijken++;
    }
    wijkIds.set(wijk.slug, row.id);
  }

  for (const rule of demoPostcodeRules) {
    const letterFrom = rule.letterFrom ?? "AA";
    const letterTo = rule.letterTo ?? "ZZ";
    const key = { gemeenteId_postcode4_letterFrom_letterTo: { gemeenteId, postcode4: rule.postcode4, letterFrom, letterTo } };
    if (await tx.postcodeRule.findUnique({ where: key })) continue;
    const wijkId = rule.wijk ? (wijkIds.get(rule.wijk) ?? null) : null;
    await tx.postcodeRule.create({ data: { gemeenteId, postcode4: rule.postcode4, letterFrom, letterTo, wijkId, source: "demo" } });
    report.postcodeRules++;
  }

  for (const item of demoNews) {
    const wijkId = wijkIds.get(item.wijk);
    if (!wijkId || (await tx.newsItem.findFirst({ where: { wijkId, title: item.title } }))) continue;
    await tx.newsItem.create({ data: { wijkId, kind: item.kind, title: item.title, body: item.body, publishedAt: now } });
    report.newsItems++;
  }

  const [year, month, day] = localDate(now, demoGemeente.timeZone);
  for (const tafel of demoDialoogtafels) {
    const wijkId = wijkIds.get(tafel.wijk);
    if (!wijkId || (await tx.dialoogtafel.findFirst({ where: { wijkId, title: tafel.title } }))) continue;
    // A few weeks ahead, moved on to a Tuesday to Thursday away from holidays (never Christmas Day).
    const ahead = new Date(Date.UTC(year, month - 1, day + tafel.weeksAhead * 7));
    const [y, m, d] = nextMeetingDate([ahead.getUTCFullYear(), ahead.getUTCMonth() + 1, ahead.getUTCDate()]);
    const startsAt = zonedTimeToDate(demoGemeente.timeZone, y, m, d, 19, 30);
    const endsAt = new Date(startsAt.getTime() + 2 * 60 * 60 * 1000);
    await tx.dialoogtafel.create({
      data: { wijkId, title: tafel.title, topic: tafel.topic, location: tafel.location, startsAt, endsAt, capacity: tafel.capacity },
    });
    report.dialoogtafels++;
  }
  return report;
}

/**
 * Adds the demo's invented wijkbericht subscribers (prisma/demo, demoSubscribers) when they are
 * not there yet; returns how many were added. Separate from the demo gemeente: only a fresh demo
 * install (npm start on an empty database) gets them, so tests on the seeded gemeente count no
 * residents they did not make.
 */
export async function seedDemoSubscribers(db: Db, now: Date = new Date()): Promise<number> {
  return db.$transaction(async (tx) => {
    const gemeente = await tx.gemeente.findUnique({ where: { slug: demoGemeente.slug } });
    if (!gemeente) return 0;
    let added = 0;
    for (const group of demoSubscribers) {
      const wijk = await tx.wijk.findUnique({ where: { gemeenteId_slug: { gemeenteId: gemeente.id, slug: group.wijk } } });
      if (!wijk) continue;
      for (let n = 1; n <= group.count; n++) {
        const externalId = `demo-abonnee-${group.wijk}-${String(n).padStart(3, "0")}`;
        if (await tx.channelIdentity.findUnique({ where: { channel_externalId: { channel: "webchat", externalId } } })) continue;
        const resident = await tx.resident.create({ data: { gemeenteId: gemeente.id, wijkId: wijk.id, createdAt: now, lastSeenAt: now } });
        const identity = await tx.channelIdentity.create({ data: { residentId: resident.id, channel: "webchat", externalId, createdAt: now, lastSeenAt: now } });
        await tx.subscription.create({ data: { residentId: resident.id, wijkId: wijk.id, channelIdentityId: identity.id, frequency: n <= group.weekly ? "weekly" : "each", createdAt: now } });
        added++;
      }
    }
    return added;
  });
}
