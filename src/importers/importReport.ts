/**
 * What the importers (wijken from GeoJSON or CSV, postcodes from CSV) report: the problems that
 * make them refuse a file, and what an accepted import changed. Also the few value rules the
 * importers share (slugs, CBS codes, yes/no cells). Pure.
 */
import { z } from "zod";

/** One thing wrong with an import file; `line` is 1-based, `feature` the index in `features`. */
export interface ImportProblem {
  /** The line in the file (CSV: counting the header line as line 1). */
  line?: number;
  /** GeoJSON: the 0-based index of the feature in the FeatureCollection's `features` array. */
  feature?: number;
  /** What is wrong and, where possible, what to do about it. */
  message: string;
}

/** How many problems an ImportError's message lists before "and N more". */
const MAX_LISTED_PROBLEMS = 50;

/** Formats one problem as "line 4: …", "features[2] (line 40): …" or just the message. */
export function formatImportProblem(problem: ImportProblem): string {
  const where =
    problem.feature !== undefined ? `features[${problem.feature}]${problem.line !== undefined ? ` (line ${problem.line})` : ""}` : problem.line !== undefined ? `line ${problem.line}` : null;
  return where ? `${where}: ${problem.message}` : problem.message;
}

/** Orders problems as they appear in the file; problems about the whole file come first. */
export function sortImportProblems(problems: ImportProblem[]): ImportProblem[] {
  const position = (problem: ImportProblem) => problem.line ?? (problem.feature !== undefined ? Number.MAX_SAFE_INTEGER / 2 + problem.feature : -1);
  return problems
    .map((problem, index) => ({ problem, index }))
    .sort((a, b) => position(a.problem) - position(b.problem) || a.index - b.index)
    .map((entry) => entry.problem);
}

/**
 * An import refused as a whole: nothing was written. `problems` holds every problem found, in
 * file order; the message lists the first fifty.
 */
export class ImportError extends Error {
  /** What was imported, e.g. "Postcodes (CSV)". */
  readonly subject: string;
  /** Every problem found, in file order. */
  readonly problems: ImportProblem[];

  /** `subject` names what was imported, e.g. "Wijken (GeoJSON)". */
  constructor(subject: string, problems: ImportProblem[]) {
    const sorted = sortImportProblems(problems);
    const listed = sorted.slice(0, MAX_LISTED_PROBLEMS).map((problem) => `  - ${formatImportProblem(problem)}`);
    const more = sorted.length > MAX_LISTED_PROBLEMS ? [`  … and ${sorted.length - MAX_LISTED_PROBLEMS} more`] : [];
    const count = sorted.length === 1 ? "1 problem" : `${sorted.length} problems`;
    super([`${subject}: import refused (${count}), nothing was written. Fix the file and import it again:`, ...listed, ...more].join("\n"));
    this.name = "ImportError";
    this.subject = subject;
    this.problems = sorted;
  }
}

/** What an accepted import changed. */
export interface ImportResult {
  /** Rows (wijken or postcode rules) that did not exist before. */
  created: number;
  /** Existing rows that the file changed. */
  updated: number;
  /** Existing rows that already said what the file says (a re-import gives created 0, updated 0). */
  unchanged: number;
  /** Postcode rules removed by `replace: true`; 0 otherwise. */
  deleted: number;
  /** Rows or features deliberately left out (water, another gemeente); see `notes`. */
  skipped: number;
  /** Remarks worth showing to whoever imported the file, in plain English. */
  notes: string[];
}

/** A wijk slug: lowercase letters and digits in groups joined by single hyphens. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Turns a name into a slug: lowercase, accents folded, anything else becomes "-". */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * The part of a CBS wijk code that identifies the wijk: "WK177101", "wk 177101" and "177101"
 * all give "177101" (digits padded to six, as a spreadsheet may drop leading zeros). Other
 * codes are compared as written, in capitals.
 */
export function cbsWijkKey(code: string): string {
  const trimmed = code.trim().toUpperCase();
  const match = /^(?:WK)?\s*(\d{1,6})$/.exec(trimmed);
  return match?.[1] ? match[1].padStart(6, "0") : trimmed;
}

/** The digits of a CBS gemeente code: "GM1771", "1771" and "0771"-style codes compare equal. */
export function cbsGemeenteKey(code: string): string {
  const trimmed = code.trim().toUpperCase();
  const match = /^(?:GM)?\s*(\d{1,4})$/.exec(trimmed);
  return match?.[1] ? match[1].padStart(4, "0") : trimmed;
}

const YES = new Set(["ja", "j", "yes", "y", "true", "waar", "1", "actief", "active"]);
const NO = new Set(["nee", "n", "no", "false", "onwaar", "0", "inactief", "inactive"]);

/**
 * A yes/no value as municipalities write it: a boolean, 1/0, or "ja"/"nee", "true"/"false",
 * "yes"/"no" in any case.
 */
export const YesNoSchema = z.union([z.boolean(), z.number(), z.string()]).transform((value, ctx) => {
  if (typeof value === "boolean") return value;
  const text = String(value).trim().toLowerCase();
  if (YES.has(text)) return true;
  if (NO.has(text)) return false;
  ctx.addIssue({ code: "custom", message: `"${String(value)}" is not a yes/no value: use ja or nee (or true/false)` });
  return z.NEVER;
});

/** The messages of a failed zod parse, each prefixed with its path ("geometry.coordinates[0]: …"). */
export function zodMessages(error: z.ZodError, prefix = ""): string[] {
  return error.issues.map((issue) => {
    const where = issue.path.reduce<string>((path, part) => (typeof part === "number" ? `${path}[${part}]` : path === "" ? String(part) : `${path}.${String(part)}`), prefix);
    return where ? `${where}: ${issue.message}` : issue.message;
  });
}
