/**
 * The writes of the importers (src/importers): each import is one transaction that reads what
 * the file is checked against, hands it to the importer's pure `plan` (which throws to refuse the
 * file, so that nothing is written), and writes what the plan decided.
 */
import type { Db, Tx } from "./client.ts";

/** Import transactions are long: a CBS file holds tens of thousands of addresses. */
const IMPORT_TIMEOUT_MS = 120_000;
/** Rows per createMany / ids per updateMany and deleteMany: well within both databases' parameter limits. */
const BATCH_SIZE = 500;

/** A wijk of the gemeente as an import compares it. */
export interface ImportWijkRow {
  id: string;
  slug: string;
  name: string;
  kern: string | null;
  active: boolean;
  cbsCode: string | null;
  shape: string | null;
  tandemId: string | null;
}

/** What a wijk import is checked against: the gemeente's CBS code, tandems and wijken. */
export interface WijkImportScope {
  gemeenteCbsCode: string | null;
  tandems: Array<{ id: string; slug: string }>;
  wijken: ImportWijkRow[];
}

/** The fields of an existing wijk an import changes. */
export interface WijkChanges {
  name?: string;
  kern?: string;
  active?: boolean;
  cbsCode?: string;
  shape?: string;
  tandemId?: string;
}

/** One write of a wijk import, done in the order planned. */
export type WijkWrite =
  | { kind: "create"; wijk: { slug: string; name: string; kern: string | null; active: boolean; cbsCode: string | null; shape: string | null; tandemId: string | null } }
  | { kind: "update"; id: string; changes: WijkChanges };

/**
 * Imports wijken into the gemeente in one transaction: `plan` gets the scope and returns the
 * writes and the result to report, or throws to write nothing. Null when there is no such gemeente.
 */
export async function saveWijkImport<T>(db: Db, gemeenteId: string, plan: (scope: WijkImportScope) => { writes: WijkWrite[]; result: T }): Promise<T | null> {
  return db.$transaction(
    async (tx) => {
      const gemeente = await tx.gemeente.findUnique({ where: { id: gemeenteId }, select: { cbsCode: true } });
      if (!gemeente) return null;
      const tandems = await tx.tandem.findMany({ where: { gemeenteId }, select: { id: true, slug: true } });
      const wijken = await tx.wijk.findMany({
        where: { gemeenteId },
        select: { id: true, slug: true, name: true, kern: true, active: true, cbsCode: true, shape: true, tandemId: true },
      });
      const { writes, result } = plan({ gemeenteCbsCode: gemeente.cbsCode, tandems, wijken });
      for (const write of writes) {
        if (write.kind === "create") await tx.wijk.create({ data: { gemeenteId, ...write.wijk } });
        else await tx.wijk.update({ where: { id: write.id }, data: write.changes });
      }
      return result;
    },
    { timeout: IMPORT_TIMEOUT_MS },
  );
}

/** What a postcode import is checked against: the gemeente's CBS code and wijken. */
export interface PostcodeImportScope {
  gemeenteCbsCode: string | null;
  wijken: Array<{ id: string; slug: string; name: string; cbsCode: string | null }>;
}

/** The postcodes one rule covers: four digits and a range of letter pairs ("AA"–"ZZ" for all). */
export interface PostcodeRuleKey {
  postcode4: string;
  letterFrom: string;
  letterTo: string;
}

/** A rule an import asks for: its postcodes and their wijk (null: no wijk, e.g. post-office boxes). */
export interface PostcodeRuleInput extends PostcodeRuleKey {
  wijkId: string | null;
}

/** What a postcode import changed. */
export interface PostcodeRuleCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

/** The identity of a rule: one per (gemeente, postcode4, letterFrom, letterTo). */
export function postcodeRuleKey(rule: PostcodeRuleKey): string {
  return `${rule.postcode4}:${rule.letterFrom}:${rule.letterTo}`;
}

/**
 * Imports postcode rules into the gemeente in one transaction: `plan` gets the scope and returns
 * the rules, or throws to write nothing. The rules are upserted with source "import"; with
 * `replace`, the gemeente's other "import" and "demo" rules are deleted. Returns the plan with
 * what was written; null when there is no such gemeente.
 */
export async function savePostcodeImport<P extends { rules: PostcodeRuleInput[] }>(
  db: Db,
  gemeenteId: string,
  options: { replace: boolean },
  plan: (scope: PostcodeImportScope) => P,
): Promise<{ planned: P; counts: PostcodeRuleCounts } | null> {
  return db.$transaction(
    async (tx) => {
      const gemeente = await tx.gemeente.findUnique({ where: { id: gemeenteId }, select: { cbsCode: true } });
      if (!gemeente) return null;
      const wijken = await tx.wijk.findMany({ where: { gemeenteId }, select: { id: true, slug: true, name: true, cbsCode: true } });
      const planned = plan({ gemeenteCbsCode: gemeente.cbsCode, wijken });
      return { planned, counts: await writeRules(tx, gemeenteId, planned.rules, options.replace) };
    },
    { timeout: IMPORT_TIMEOUT_MS },
  );
}

/** Upserts the planned rules (and, with `replace`, deletes earlier imported and demo rules the file does not repeat). */
async function writeRules(tx: Tx, gemeenteId: string, planned: PostcodeRuleInput[], replace: boolean): Promise<PostcodeRuleCounts> {
  const existing = await tx.postcodeRule.findMany({
    where: { gemeenteId },
    select: { id: true, postcode4: true, letterFrom: true, letterTo: true, wijkId: true, source: true },
  });
  const existingByKey = new Map(existing.map((rule) => [postcodeRuleKey(rule), rule]));
  const plannedKeys = new Set(planned.map(postcodeRuleKey));

  const toCreate: Array<PostcodeRuleInput & { gemeenteId: string; source: string }> = [];
  // Rules to update, grouped by their new wijk, so that one updateMany serves many rules.
  const toUpdate = new Map<string | null, string[]>();
  let unchanged = 0;
  for (const rule of planned) {
    const current = existingByKey.get(postcodeRuleKey(rule));
    if (!current) {
      toCreate.push({ gemeenteId, postcode4: rule.postcode4, letterFrom: rule.letterFrom, letterTo: rule.letterTo, wijkId: rule.wijkId, source: "import" });
    } else if (current.wijkId === rule.wijkId && current.source === "import") {
      unchanged++;
    } else {
      const ids = toUpdate.get(rule.wijkId) ?? [];
      ids.push(current.id);
      toUpdate.set(rule.wijkId, ids);
    }
  }
  const toDelete = replace ? existing.filter((rule) => (rule.source === "import" || rule.source === "demo") && !plannedKeys.has(postcodeRuleKey(rule))).map((rule) => rule.id) : [];

  for (const ids of chunks(toDelete)) await tx.postcodeRule.deleteMany({ where: { id: { in: ids } } });
  for (const rows of chunks(toCreate)) await tx.postcodeRule.createMany({ data: rows });
  let updated = 0;
  for (const [wijkId, ids] of toUpdate) {
    for (const batch of chunks(ids)) updated += (await tx.postcodeRule.updateMany({ where: { id: { in: batch } }, data: { wijkId, source: "import" } })).count;
  }
  return { created: toCreate.length, updated, unchanged, deleted: toDelete.length };
}

function chunks<T>(items: T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH_SIZE) result.push(items.slice(i, i + BATCH_SIZE));
  return result;
}
