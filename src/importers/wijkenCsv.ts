/**
 * Imports wijken from a CSV file with the columns `slug,naam,kern,actief,tandem,cbscode`
 * (header names in any case; `name`, `active` and `wijkcode` are accepted too; only `slug` and
 * `naam` are required). Also holds the upsert that the GeoJSON importer shares: wijken are
 * matched on (gemeente, slug), new ones are created, and nothing is written unless every row
 * is valid.
 */
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { type ImportWijkRow, saveWijkImport, type WijkChanges, type WijkImportScope, type WijkWrite } from "../db/import.repo.ts";
import { cell, checkFieldCount, findColumn, parseCsv, type CsvTable } from "./csv.ts";
import { cbsGemeenteKey, cbsWijkKey, ImportError, type ImportProblem, type ImportResult, SLUG_PATTERN, slugify, YesNoSchema, zodMessages } from "./importReport.ts";

const SUBJECT = "Wijken (CSV)";

/** A wijk as an import file describes it; an undefined field leaves an existing wijk's value as it is. */
export interface ImportedWijk {
  /** Where in the file the wijk is described, for problems. */
  at: { line?: number; feature?: number };
  /** The slug the file gives; when absent, a wijk with the same CBS code keeps its slug, else the name's slug is used. */
  slug?: string;
  name: string;
  kern?: string;
  active?: boolean;
  /** The slug of an existing tandem. */
  tandem?: string;
  /** A CBS wijk code, stored as "WK" and six digits when it is one. */
  cbsCode?: string;
  /** The shape as GeoJSON text (WGS84). */
  shape?: string;
  /** The CBS gemeente code the file gives for this wijk (GeoJSON of all of the Netherlands). */
  gemeenteCode?: string;
}

/** Writes "WK177101" for any spelling of a CBS wijk code; other codes as given, in capitals. */
export function formatCbsWijkCode(code: string): string {
  const key = cbsWijkKey(code);
  return /^\d{6}$/.test(key) ? `WK${key}` : key;
}

const optionalCell = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value));

/** One row of a wijken CSV, as read from its cells. */
const WijkCsvRowSchema = z.object({
  slug: z
    .string()
    .trim()
    .min(1, "is empty: every wijk needs a slug (e.g. coevering)")
    .superRefine((slug, ctx) => {
      if (slug !== "" && !SLUG_PATTERN.test(slug)) {
        const suggestion = slugify(slug);
        ctx.addIssue({
          code: "custom",
          message: `"${slug}" is not a slug: use only lowercase letters, digits and single hyphens${suggestion ? ` (e.g. "${suggestion}")` : ""}`,
        });
      }
    }),
  naam: z.string().trim().min(1, "is empty: every wijk needs a name"),
  kern: optionalCell,
  actief: z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), YesNoSchema.optional()),
  tandem: optionalCell,
  cbscode: optionalCell,
});

/** The columns of a wijken CSV and the header names accepted for each. */
const COLUMNS: Record<"slug" | "naam" | "kern" | "actief" | "tandem" | "cbscode", string[]> = {
  slug: ["slug"],
  naam: ["naam", "name", "wijknaam"],
  kern: ["kern", "woonkern"],
  actief: ["actief", "active"],
  tandem: ["tandem"],
  cbscode: ["cbscode", "wijkcode", "cbswijkcode", "code"],
};

/**
 * Imports (creates or updates) the gemeente's wijken from CSV text. An empty cell leaves the
 * current value of an existing wijk; a new wijk is active unless `actief` says otherwise.
 * Throws ImportError, writing nothing, when any row is bad.
 */
export async function importWijkenFromCsv(db: Db, gemeenteId: string, text: string): Promise<ImportResult> {
  const table = parseCsvFor(SUBJECT, text);
  const header = table.header.fields;
  const problems: ImportProblem[] = [];
  const index = {
    slug: findColumn(header, COLUMNS.slug),
    naam: findColumn(header, COLUMNS.naam),
    kern: findColumn(header, COLUMNS.kern),
    actief: findColumn(header, COLUMNS.actief),
    tandem: findColumn(header, COLUMNS.tandem),
    cbscode: findColumn(header, COLUMNS.cbscode),
  };
  const missing = [index.slug === undefined ? "slug" : null, index.naam === undefined ? "naam (or name)" : null].filter((name) => name !== null);
  if (missing.length > 0) {
    problems.push({ line: table.header.line, message: `missing required column${missing.length > 1 ? "s" : ""} ${missing.join(" and ")}; the header has ${describeHeader(header)}` });
    throw new ImportError(SUBJECT, problems);
  }
  if (table.rows.length === 0) throw new ImportError(SUBJECT, [{ message: "the file has a header but no wijken" }]);

  const wijken: ImportedWijk[] = [];
  for (const record of table.rows) {
    const fieldProblem = checkFieldCount(record, table.header);
    if (fieldProblem) problems.push(fieldProblem);
    const parsed = WijkCsvRowSchema.safeParse({
      slug: cell(record, index.slug),
      naam: cell(record, index.naam),
      kern: cell(record, index.kern),
      actief: cell(record, index.actief),
      tandem: cell(record, index.tandem),
      cbscode: cell(record, index.cbscode),
    });
    if (!parsed.success) {
      for (const message of zodMessages(parsed.error)) problems.push({ line: record.line, message });
      continue;
    }
    const row = parsed.data;
    wijken.push({
      at: { line: record.line },
      slug: row.slug,
      name: row.naam,
      kern: row.kern,
      active: row.actief,
      tandem: row.tandem,
      cbsCode: row.cbscode === undefined ? undefined : formatCbsWijkCode(row.cbscode),
    });
  }
  return saveImportedWijken(db, SUBJECT, gemeenteId, wijken, problems);
}

/** Parses CSV text, reporting syntax problems under the importer's own subject. */
export function parseCsvFor(subject: string, text: string): CsvTable {
  try {
    return parseCsv(text);
  } catch (error) {
    if (error instanceof ImportError) throw new ImportError(subject, error.problems);
    throw error;
  }
}

/** "slug, naam, kern" (the header as the file spells it) for messages about missing columns. */
export function describeHeader(header: string[]): string {
  const names = header.map((name) => name.trim()).filter((name) => name !== "");
  return names.length > 0 ? `the columns ${names.map((name) => `"${name}"`).join(", ")}` : "no column names";
}

/** Options of the shared wijk upsert. */
export interface SaveWijkenOptions {
  /** The slug of the tandem for new wijken (and existing ones without a tandem) that name none. */
  defaultTandem?: string;
  /** Wijken left out before saving (water, another gemeente), for the result. */
  skipped?: number;
  notes?: string[];
}

/**
 * The upsert both wijk importers end in: in one transaction, checks the wijken against the
 * database (tandems exist, no slug or CBS code twice) and, only when neither this nor the
 * file's own checks (`problems`) found anything wrong, creates and updates them.
 */
export async function saveImportedWijken(db: Db, subject: string, gemeenteId: string, wijken: ImportedWijk[], fileProblems: ImportProblem[], options: SaveWijkenOptions = {}): Promise<ImportResult> {
  const result = await saveWijkImport(db, gemeenteId, (scope) => planWijkImport(scope, subject, wijken, fileProblems, options));
  if (!result) throw new ImportError(subject, [{ message: `there is no gemeente with id ${gemeenteId}` }]);
  return result;
}

/** Checks the wijken against the gemeente's tandems and wijken and decides the writes; throws ImportError on any problem. Pure. */
function planWijkImport(scope: WijkImportScope, subject: string, wijken: ImportedWijk[], fileProblems: ImportProblem[], options: SaveWijkenOptions): { writes: WijkWrite[]; result: ImportResult } {
  const problems = [...fileProblems];
  const { tandems, wijken: existing } = scope;
  const tandemIds = new Map(tandems.map((tandem) => [tandem.slug, tandem.id]));
  const knownTandems =
    tandems.length > 0
      ? `known tandems: ${tandems
          .map((tandem) => tandem.slug)
          .sort()
          .join(", ")}`
      : "the gemeente has no tandems yet";
  const bySlug = new Map(existing.map((wijk) => [wijk.slug, wijk]));
  const byCbsKey = new Map<string, ImportWijkRow[]>();
  for (const wijk of existing) {
    if (!wijk.cbsCode) continue;
    const key = cbsWijkKey(wijk.cbsCode);
    byCbsKey.set(key, [...(byCbsKey.get(key) ?? []), wijk]);
  }

  let defaultTandemId: string | undefined;
  if (options.defaultTandem !== undefined) {
    defaultTandemId = tandemIds.get(options.defaultTandem);
    if (!defaultTandemId) problems.push({ message: `the default tandem "${options.defaultTandem}" does not exist (${knownTandems})` });
  }

  // Wijken of other gemeenten (a file for the whole country) are left out.
  const gemeenteKey = scope.gemeenteCbsCode ? cbsGemeenteKey(scope.gemeenteCbsCode) : null;
  let skipped = options.skipped ?? 0;
  const notes = [...(options.notes ?? [])];
  const ours = wijken.filter((wijk) => gemeenteKey === null || wijk.gemeenteCode === undefined || cbsGemeenteKey(wijk.gemeenteCode) === gemeenteKey);
  if (ours.length < wijken.length) {
    skipped += wijken.length - ours.length;
    notes.push(`${wijken.length - ours.length} wijken of other gemeenten were left out (gemeente code is not ${scope.gemeenteCbsCode ?? ""}).`);
  }
  if (ours.length === 0 && wijken.length > 0 && fileProblems.length === 0) {
    problems.push({ message: `none of the wijken in the file belongs to this gemeente (CBS code ${scope.gemeenteCbsCode ?? "unknown"})` });
  }

  const slugSeen = new Map<string, ImportedWijk>();
  const cbsSeen = new Map<string, ImportedWijk>();
  const resolved: Array<{ wijk: ImportedWijk; slug: string }> = [];
  for (const wijk of ours) {
    const slug = resolveSlug(wijk, byCbsKey, problems);
    if (slug === null) continue;
    const earlier = slugSeen.get(slug);
    if (earlier) {
      problems.push({ ...wijk.at, message: `slug "${slug}" is used twice in the file (also at ${describeAt(earlier.at)}); give each wijk its own slug` });
      continue;
    }
    slugSeen.set(slug, wijk);
    if (wijk.cbsCode !== undefined) {
      const key = cbsWijkKey(wijk.cbsCode);
      const earlierCode = cbsSeen.get(key);
      if (earlierCode) problems.push({ ...wijk.at, message: `CBS code ${wijk.cbsCode} is used twice in the file (also at ${describeAt(earlierCode.at)})` });
      else cbsSeen.set(key, wijk);
    }
    if (wijk.tandem !== undefined && !tandemIds.has(wijk.tandem)) {
      problems.push({ ...wijk.at, message: `unknown tandem "${wijk.tandem}" (${knownTandems})` });
      continue;
    }
    resolved.push({ wijk, slug });
  }
  if (problems.length > 0) throw new ImportError(subject, problems);

  const result: ImportResult = { created: 0, updated: 0, unchanged: 0, deleted: 0, skipped, notes };
  const writes: WijkWrite[] = [];
  for (const { wijk, slug } of resolved) {
    const tandemId = wijk.tandem !== undefined ? tandemIds.get(wijk.tandem) : undefined;
    const current = bySlug.get(slug);
    if (!current) {
      writes.push({
        kind: "create",
        wijk: {
          slug,
          name: wijk.name,
          kern: wijk.kern ?? null,
          active: wijk.active ?? true,
          cbsCode: wijk.cbsCode ?? null,
          shape: wijk.shape ?? null,
          tandemId: tandemId ?? defaultTandemId ?? null,
        },
      });
      result.created++;
      continue;
    }
    const changes = changedFields(current, wijk, tandemId ?? (current.tandemId === null ? defaultTandemId : undefined));
    if (Object.keys(changes).length === 0) {
      result.unchanged++;
      continue;
    }
    writes.push({ kind: "update", id: current.id, changes });
    result.updated++;
  }
  return { writes, result };
}

/** The slug a wijk is saved under, or null (with a problem) when none can be made. */
function resolveSlug(wijk: ImportedWijk, byCbsKey: Map<string, ImportWijkRow[]>, problems: ImportProblem[]): string | null {
  if (wijk.slug !== undefined) return wijk.slug;
  if (wijk.cbsCode !== undefined) {
    // Without a slug in the file, a wijk already known by its CBS code keeps its slug (CBS may rename a wijk).
    const holders = byCbsKey.get(cbsWijkKey(wijk.cbsCode)) ?? [];
    const [holder, other] = holders;
    if (holder && other) {
      problems.push({ ...wijk.at, message: `CBS code ${wijk.cbsCode} is held by more than one wijk (${holders.map((w) => w.slug).join(", ")}); add a slug to say which one this is` });
      return null;
    }
    if (holder) return holder.slug;
  }
  const slug = slugify(wijk.name);
  if (slug === "") {
    problems.push({ ...wijk.at, message: `no slug can be made from the name "${wijk.name}": give the wijk a slug` });
    return null;
  }
  return slug;
}

/** The fields of `current` that the imported wijk changes. */
function changedFields(current: ImportWijkRow, wijk: ImportedWijk, tandemId: string | undefined): WijkChanges {
  const changes: WijkChanges = {};
  if (wijk.name !== current.name) changes.name = wijk.name;
  if (wijk.kern !== undefined && wijk.kern !== current.kern) changes.kern = wijk.kern;
  if (wijk.active !== undefined && wijk.active !== current.active) changes.active = wijk.active;
  if (wijk.cbsCode !== undefined && wijk.cbsCode !== current.cbsCode) changes.cbsCode = wijk.cbsCode;
  if (wijk.shape !== undefined && wijk.shape !== current.shape) changes.shape = wijk.shape;
  if (tandemId !== undefined && tandemId !== current.tandemId) changes.tandemId = tandemId;
  return changes;
}

function describeAt(at: { line?: number; feature?: number }): string {
  if (at.feature !== undefined) return `features[${at.feature}]${at.line !== undefined ? `, line ${at.line}` : ""}`;
  return at.line !== undefined ? `line ${at.line}` : "another row";
}
