/**
 * Queries about wijken: listing them and deciding a resident's wijk from a postcode or a
 * shared location. Always scoped to one gemeente.
 */
import type { WijkLookup, WijkRef, WijkSummary, WijkWithTandem } from "../domain/wijk.ts";
import { parseShape, shapeArea, shapeContains } from "../routing/geo.ts";
import { normalisePostcode, parsePostcode } from "../routing/postcode.ts";
import type { DbOrTx } from "./client.ts";

const summarySelect = { slug: true, name: true, active: true, tandem: { select: { slug: true } } } as const;

function toSummary(wijk: { slug: string; name: string; active: boolean; tandem: { slug: string } | null }): WijkSummary {
  return { slug: wijk.slug, name: wijk.name, active: wijk.active, tandem: wijk.tandem?.slug ?? null };
}

/** Every wijk of the gemeente, by name. */
export async function listWijken(db: DbOrTx, gemeenteId: string): Promise<WijkSummary[]> {
  const wijken = await db.wijk.findMany({ where: { gemeenteId }, select: summarySelect, orderBy: { name: "asc" } });
  return wijken.map(toSummary);
}

/** Every wijk of the gemeente with its kern (the village or town it lies in), for reading a place from typed words. */
export async function listWijkenWithKern(db: DbOrTx, gemeenteId: string): Promise<Array<WijkSummary & { kern: string | null }>> {
  const wijken = await db.wijk.findMany({ where: { gemeenteId }, select: { ...summarySelect, kern: true }, orderBy: { name: "asc" } });
  return wijken.map((wijk) => ({ ...toSummary(wijk), kern: wijk.kern }));
}

/** One wijk by slug, or null. */
export async function findWijkBySlug(db: DbOrTx, gemeenteId: string, slug: string): Promise<WijkSummary | null> {
  const wijk = await db.wijk.findUnique({ where: { gemeenteId_slug: { gemeenteId, slug } }, select: summarySelect });
  return wijk ? toSummary(wijk) : null;
}

/**
 * Decides the wijk of a postcode, given alone or inside a sentence. The narrowest matching rule
 * wins (a six-position rule over a four-position one); a rule without a wijk means "no wijk"
 * (post-office boxes); no rule for the four digits means outside the gemeente.
 */
export async function findWijkByPostcode(db: DbOrTx, gemeenteId: string, text: string): Promise<WijkLookup & { postcode: string | null }> {
  const postcode = normalisePostcode(text) ?? parsePostcode(text);
  if (!postcode) return { wijk: null, reason: "invalid", postcode: null };
  const rules = await db.postcodeRule.findMany({
    where: { gemeenteId, postcode4: postcode.postcode4 },
    select: { letterFrom: true, letterTo: true, wijk: { select: summarySelect } },
  });
  if (rules.length === 0) return { wijk: null, reason: "outside", postcode: postcode.formatted };
  const letters = postcode.letters;
  const matching = rules
    .filter((rule) => (letters ? rule.letterFrom <= letters && letters <= rule.letterTo : rule.letterFrom === "AA" && rule.letterTo === "ZZ"))
    .sort((a, b) => letterSpan(a) - letterSpan(b));
  const best = matching[0];
  if (!best) return { wijk: null, reason: "no-wijk", postcode: postcode.formatted };
  if (!best.wijk) return { wijk: null, reason: "no-wijk", postcode: postcode.formatted };
  return { wijk: toSummary(best.wijk), reason: "found", postcode: postcode.formatted };
}

/**
 * The wijken a four-digit postcode reaches (its rules, with or without letters), by name: more than
 * one means "5731" alone does not say which wijk, and the resident is asked.
 */
export async function listWijkenForPostcode4(db: DbOrTx, gemeenteId: string, postcode4: string): Promise<WijkSummary[]> {
  const rules = await db.postcodeRule.findMany({ where: { gemeenteId, postcode4, wijkId: { not: null } }, select: { wijk: { select: summarySelect } } });
  const bySlug = new Map<string, WijkSummary>();
  for (const rule of rules) if (rule.wijk) bySlug.set(rule.wijk.slug, toSummary(rule.wijk));
  return [...bySlug.values()].sort((a, b) => a.name.localeCompare(b.name, "nl"));
}

function letterSpan(rule: { letterFrom: string; letterTo: string }): number {
  const value = (letters: string) => (letters.charCodeAt(0) - 65) * 26 + (letters.charCodeAt(1) - 65);
  return value(rule.letterTo) - value(rule.letterFrom);
}

/** Decides the wijk of a shared location; the smallest containing shape wins where shapes overlap. */
export async function findWijkByLocation(db: DbOrTx, gemeenteId: string, lat: number, lon: number): Promise<WijkLookup> {
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return { wijk: null, reason: "invalid" };
  const wijken = await db.wijk.findMany({ where: { gemeenteId, shape: { not: null } }, select: { ...summarySelect, shape: true } });
  const containing = wijken
    .map((wijk) => ({ wijk, shape: parseShape(wijk.shape) }))
    .filter((entry) => entry.shape !== null && shapeContains(entry.shape, lat, lon))
    .sort((a, b) => (a.shape && b.shape ? shapeArea(a.shape) - shapeArea(b.shape) : 0));
  const best = containing[0];
  return best ? { wijk: toSummary(best.wijk), reason: "found" } : { wijk: null, reason: "outside" };
}

function toRef(wijk: { id: string; slug: string; name: string; active: boolean; tandemId: string | null }): WijkRef {
  return { id: wijk.id, slug: wijk.slug, name: wijk.name, active: wijk.active, tandem: wijk.tandemId ? { id: wijk.tandemId } : null };
}

/** One wijk by slug with its tandem's id (for routing a resident who chose it), or null. */
export async function findWijkRefBySlug(db: DbOrTx, gemeenteId: string, slug: string): Promise<WijkRef | null> {
  const wijk = await db.wijk.findUnique({ where: { gemeenteId_slug: { gemeenteId, slug } } });
  return wijk ? toRef(wijk) : null;
}

/** One wijk by id with its tandem's id (for routing a resident whose wijk is on record), or null. */
export async function findWijkRefById(db: DbOrTx, wijkId: string): Promise<WijkRef | null> {
  const wijk = await db.wijk.findUnique({ where: { id: wijkId } });
  return wijk ? toRef(wijk) : null;
}

/** The wijk on record for a resident, with the tandem that holds it; null when none is known. */
export async function findResidentWijk(db: DbOrTx, residentId: string): Promise<WijkWithTandem | null> {
  const resident = await db.resident.findUniqueOrThrow({ where: { id: residentId }, include: { wijk: { include: { tandem: true } } } });
  const wijk = resident.wijk;
  if (!wijk) return null;
  return { id: wijk.id, slug: wijk.slug, name: wijk.name, active: wijk.active, tandem: wijk.tandem ? { id: wijk.tandem.id, slug: wijk.tandem.slug, name: wijk.tandem.name } : null };
}

/** One tandem by slug, or null. */
export async function findTandemBySlug(db: DbOrTx, gemeenteId: string, slug: string): Promise<{ id: string; slug: string; name: string } | null> {
  return db.tandem.findUnique({ where: { gemeenteId_slug: { gemeenteId, slug } }, select: { id: true, slug: true, name: true } });
}

/** The ids of the other wijken of a tandem (dialoogtafels are held per tandem). */
export async function listSiblingWijkIds(db: DbOrTx, tandemId: string, wijkId: string): Promise<string[]> {
  const siblings = await db.wijk.findMany({ where: { tandemId, id: { not: wijkId } }, select: { id: true } });
  return siblings.map((sibling) => sibling.id);
}

/** One wijk by slug with the tandem that holds it (id, slug, name), or null: for staff moving a conversation. */
export async function findWijkWithTandemBySlug(db: DbOrTx, gemeenteId: string, slug: string): Promise<WijkWithTandem | null> {
  const wijk = await db.wijk.findUnique({ where: { gemeenteId_slug: { gemeenteId, slug } }, include: { tandem: true } });
  if (!wijk) return null;
  const tandem = wijk.tandem ? { id: wijk.tandem.id, slug: wijk.tandem.slug, name: wijk.tandem.name } : null;
  return { id: wijk.id, slug: wijk.slug, name: wijk.name, active: wijk.active, tandem };
}
