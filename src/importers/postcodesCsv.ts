/**
 * Imports postcode-to-wijk rules from CSV, in either of two formats told apart by the header:
 *
 * - simple: `postcode,wijk`, one rule per line. The postcode is four digits ("5662": the whole
 *   area), six positions ("5662AB", "5662 AB") or a letter range within one area
 *   ("5731AA-5731AZ", "5731AA-AZ"); the wijk is a wijk slug, or empty, `-` or `geen` for
 *   postcodes that belong to no wijk (post-office boxes).
 * - CBS "postcode–huisnummer–buurt–wijk" (pc6hnr): `PC6;Huisnummer;…;Wijk2024;Gemeente2024`,
 *   one line per address, wijk codes as "177101" or "WK177101", matched to the wijken's CBS
 *   codes. Each PC6 becomes one six-position rule for the wijk of most of its addresses (on a
 *   tie, the wijk listed first). Rows of other gemeenten (by the Gemeente column) are left out.
 *
 * Rules are upserted on (gemeente, postcode4, letterFrom, letterTo) with source "import"; with
 * `replace`, the gemeente's other "import" and "demo" rules are deleted in the same transaction.
 * Nothing is written unless every row is valid.
 */
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { type PostcodeRuleInput, type PostcodeRuleKey, postcodeRuleKey, savePostcodeImport } from "../db/import.repo.ts";
import { normalisePostcode } from "../routing/postcode.ts";
import { cell, checkFieldCount, type CsvRecord, type CsvTable, normaliseHeader } from "./csv.ts";
import { cbsGemeenteKey, cbsWijkKey, ImportError, type ImportProblem, type ImportResult, slugify, zodMessages } from "./importReport.ts";
import { describeHeader, parseCsvFor } from "./wijkenCsv.ts";

const SUBJECT = "Postcodes (CSV)";

/** Options of the postcode import. */
export interface PostcodeImportOptions {
  /** Delete the gemeente's rules from earlier imports and the demo data that the file does not repeat. */
  replace?: boolean;
}

/** A rule the import will write, and the line that asked for it. */
interface PlannedRule extends PostcodeRuleInput {
  line: number;
}

/**
 * Imports postcode rules for the gemeente from CSV text (simple or CBS format, see above).
 * Throws ImportError, writing nothing, when any row is bad.
 */
export async function importPostcodesFromCsv(db: Db, gemeenteId: string, text: string, options: PostcodeImportOptions = {}): Promise<ImportResult> {
  const table = parseCsvFor(SUBJECT, text);
  const layout = detectPostcodeLayout(table.header);
  if ("problem" in layout) throw new ImportError(SUBJECT, [layout.problem]);
  if (table.rows.length === 0) throw new ImportError(SUBJECT, [{ message: "the file has a header but no postcodes" }]);
  const read = layout.format === "simple" ? readSimpleRows(table, layout) : readCbsRows(table, layout);

  const saved = await savePostcodeImport(db, gemeenteId, { replace: options.replace === true }, ({ gemeenteCbsCode, wijken }) => {
    const planned = read.format === "simple" ? planSimpleRules(read, wijken) : planCbsRules(read, wijken, gemeenteCbsCode);
    if (planned.problems.length > 0) throw new ImportError(SUBJECT, planned.problems);
    return planned;
  });
  if (!saved) throw new ImportError(SUBJECT, [{ message: `there is no gemeente with id ${gemeenteId}` }]);
  return { ...saved.counts, skipped: saved.planned.skipped, notes: saved.planned.notes };
}

type PostcodeLayout = { format: "simple"; postcode: number; wijk: number } | { format: "cbs"; postcode: number; huisnummer: number | undefined; wijkCode: number; gemeente: number | undefined };

const POSTCODE_COLUMNS = ["postcode", "pc6", "pc", "pc4", "postcode6"];
const HUISNUMMER_COLUMNS = ["huisnummer", "huisnr", "hnr"];
const WIJK_SLUG_COLUMNS = ["wijk", "wijkslug", "slug"];
const CBS_WIJK_COLUMNS = ["wijkcode", "wkcode", "cbswijkcode", "cbscode"];
const GEMEENTE_COLUMNS = ["gemeentecode", "gmcode"];

/** The column named like one of `names`, or else the one named `<prefix><year>` with the latest year ("Wijk2024"). */
function findColumnOrYear(header: string[], names: string[], prefix: string): number | undefined {
  const normalised = header.map(normaliseHeader);
  for (const name of names) {
    const index = normalised.indexOf(name);
    if (index >= 0) return index;
  }
  let best: { index: number; year: number } | undefined;
  normalised.forEach((name, index) => {
    const match = new RegExp(`^${prefix}(\\d{4})$`).exec(name);
    const year = Number(match?.[1]);
    if (match && (!best || year > best.year)) best = { index, year };
  });
  return best?.index;
}

/** Tells the format from the header, or says which required columns are missing. */
function detectPostcodeLayout(header: CsvRecord): PostcodeLayout | { problem: ImportProblem } {
  const names = header.fields;
  const normalised = names.map(normaliseHeader);
  const find = (candidates: string[]) => candidates.map((name) => normalised.indexOf(name)).find((index) => index >= 0);
  const postcode = find(POSTCODE_COLUMNS);
  const huisnummer = find(HUISNUMMER_COLUMNS);
  const wijk = find(WIJK_SLUG_COLUMNS);
  const wijkCode = findColumnOrYear(names, CBS_WIJK_COLUMNS, "wijk");
  const gemeente = findColumnOrYear(names, GEMEENTE_COLUMNS, "gemeente");
  const missing = (columns: string[]) => ({
    problem: { line: header.line, message: `missing required column${columns.length > 1 ? "s" : ""} ${columns.join(" and ")}; the header has ${describeHeader(names)}` },
  });

  if (huisnummer !== undefined || (wijkCode !== undefined && wijk === undefined)) {
    const absent = [postcode === undefined ? "PC6 (or postcode)" : null, wijkCode === undefined ? "Wijk2024 (or wijkcode) with CBS wijk codes" : null].filter((name) => name !== null);
    if (postcode === undefined || wijkCode === undefined) return missing(absent);
    return { format: "cbs", postcode, huisnummer, wijkCode, gemeente };
  }
  if (postcode === undefined && wijk === undefined) {
    return missing(["postcode and wijk (a wijk slug), or for a CBS file PC6, Huisnummer and Wijk2024 (CBS wijk codes)"]);
  }
  const absent = [postcode === undefined ? "postcode" : null, wijk === undefined ? "wijk (a wijk slug)" : null].filter((name) => name !== null);
  if (postcode === undefined || wijk === undefined) return missing(absent);
  return { format: "simple", postcode, wijk };
}

const NO_WIJK = new Set(["", "-", "geen", "none", "geen wijk"]);
const RANGE = /^([1-9]\d{3})\s?([A-Za-z]{2})\s*(?:-|–|t\/m)\s*(?:([1-9]\d{3})\s?)?([A-Za-z]{2})$/;
const POSTCODE_FORMS = "use 5662, 5662AB, 5662 AB or a range such as 5731AA-5731AZ";

/** A postcode cell of the simple format: four digits, six positions or a range of letters. */
const PostcodeCellSchema = z.string().transform((value, ctx): PostcodeRuleKey & { label: string } => {
  const text = value.trim();
  const issue = (message: string) => {
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  };
  if (text === "") return issue(`is empty: ${POSTCODE_FORMS}`);
  const range = RANGE.exec(text);
  if (range) {
    const [, postcode4 = "", from = "", other, to = ""] = range;
    if (other !== undefined && other !== postcode4) return issue(`"${text}" is a range across two areas: a range must stay within one four-digit postcode (${postcode4}AA-${postcode4}ZZ)`);
    const letterFrom = from.toUpperCase();
    const letterTo = to.toUpperCase();
    if (letterFrom > letterTo) return issue(`"${text}" is a range that runs backwards: write the lower letters first (${postcode4}${letterTo}-${postcode4}${letterFrom})`);
    return { postcode4, letterFrom, letterTo, label: `${postcode4} ${letterFrom}–${letterTo}` };
  }
  const postcode = normalisePostcode(text);
  if (!postcode) return issue(`"${text}" is not a valid postcode: ${POSTCODE_FORMS}`);
  if (postcode.letters === null) return { postcode4: postcode.postcode4, letterFrom: "AA", letterTo: "ZZ", label: postcode.postcode4 };
  return { postcode4: postcode.postcode4, letterFrom: postcode.letters, letterTo: postcode.letters, label: postcode.formatted };
});

/** A wijk cell of the simple format: a slug, or "no wijk". */
const WijkCellSchema = z.string().transform((value) => {
  const text = value.trim();
  return NO_WIJK.has(text.toLowerCase()) ? null : text;
});

/** One line of the simple format. */
const SimpleRowSchema = z.object({ postcode: PostcodeCellSchema, wijk: WijkCellSchema });
type SimpleRow = z.infer<typeof SimpleRowSchema> & { line: number };

interface SimpleRead {
  format: "simple";
  rows: SimpleRow[];
  problems: ImportProblem[];
}

/** Reads the simple format: each line checked on its own, and no postcode given two wijken. */
function readSimpleRows(table: CsvTable, layout: { postcode: number; wijk: number }): SimpleRead {
  const problems: ImportProblem[] = [];
  const rows: SimpleRow[] = [];
  const seen = new Map<string, SimpleRow>();
  for (const record of table.rows) {
    const fieldProblem = checkFieldCount(record, table.header);
    if (fieldProblem) problems.push(fieldProblem);
    const parsed = SimpleRowSchema.safeParse({ postcode: cell(record, layout.postcode), wijk: cell(record, layout.wijk) });
    if (!parsed.success) {
      for (const message of zodMessages(parsed.error)) problems.push({ line: record.line, message });
      continue;
    }
    const row = { ...parsed.data, line: record.line };
    const key = postcodeRuleKey(row.postcode);
    const earlier = seen.get(key);
    if (earlier) {
      if (sameWijk(earlier.wijk, row.wijk)) continue;
      problems.push({
        line: record.line,
        message: `postcode ${row.postcode.label} is given ${describeWijk(row.wijk)} here but ${describeWijk(earlier.wijk)} on line ${earlier.line}: give each postcode one wijk`,
      });
      continue;
    }
    seen.set(key, row);
    rows.push(row);
  }
  return { format: "simple", rows, problems };
}

interface WijkRef {
  id: string;
  slug: string;
  name: string;
  cbsCode: string | null;
}

interface Plan {
  rules: PlannedRule[];
  problems: ImportProblem[];
  skipped: number;
  notes: string[];
}

/** Resolves the simple format's wijk slugs to the gemeente's wijken. */
function planSimpleRules(read: SimpleRead, wijken: WijkRef[]): Plan {
  const problems = [...read.problems];
  const bySlug = new Map(wijken.map((wijk) => [wijk.slug, wijk]));
  const rules: PlannedRule[] = [];
  for (const row of read.rows) {
    if (row.wijk === null) {
      rules.push({ ...keyOf(row.postcode), wijkId: null, line: row.line });
      continue;
    }
    const wijk = bySlug.get(row.wijk.toLowerCase());
    if (!wijk) {
      problems.push({ line: row.line, message: `unknown wijk "${row.wijk}"${suggestWijk(row.wijk, wijken)}; import the wijken first, or use -, geen or an empty cell for postcodes of no wijk` });
      continue;
    }
    rules.push({ ...keyOf(row.postcode), wijkId: wijk.id, line: row.line });
  }
  return { rules, problems, skipped: 0, notes: [] };
}

/** " (did you mean "coevering"?)" when a wijk's slug or name is close to what was written. */
function suggestWijk(value: string, wijken: WijkRef[]): string {
  const slug = slugify(value);
  const match = wijken.find((wijk) => wijk.slug === slug || wijk.name.toLowerCase() === value.toLowerCase() || slugify(wijk.name) === slug);
  return match ? ` (did you mean "${match.slug}"?)` : "";
}

/** One address line of a CBS file. */
const CbsRowSchema = z.object({
  pc6: z.string().transform((value, ctx) => {
    const text = value.trim();
    const postcode = normalisePostcode(text);
    if (postcode?.letters) return { postcode4: postcode.postcode4, letters: postcode.letters, label: postcode.formatted };
    ctx.addIssue({
      code: "custom",
      message: postcode
        ? `"${text}" has four positions: a CBS file needs six (e.g. ${postcode.postcode4}AB)`
        : text === ""
          ? "is empty"
          : `"${text}" is not a valid six-position postcode (e.g. 5662AB)`,
    });
    return z.NEVER;
  }),
  huisnummer: z
    .string()
    .trim()
    .refine((value) => value === "" || /^\d+/.test(value), { error: (issue) => `"${String(issue.input)}" is not a house number` }),
  wijkcode: z
    .string()
    .trim()
    .transform((value, ctx) => {
      if (/^(?:WK)?\s*\d{1,6}$/i.test(value)) return cbsWijkKey(value);
      ctx.addIssue({ code: "custom", message: value === "" ? "is empty: every address needs a CBS wijk code" : `"${value}" is not a CBS wijk code (e.g. 177101 or WK177101)` });
      return z.NEVER;
    }),
  gemeente: z.string().trim(),
});
type CbsRow = z.infer<typeof CbsRowSchema> & { line: number };

interface CbsRead {
  format: "cbs";
  rows: CbsRow[];
  problems: ImportProblem[];
  /** The header names, for messages. */
  columns: { pc6: string; huisnummer: string; wijkcode: string };
}

/** Reads the CBS format: each address line checked on its own. */
function readCbsRows(table: CsvTable, layout: { postcode: number; huisnummer: number | undefined; wijkCode: number; gemeente: number | undefined }): CbsRead {
  const header = table.header.fields;
  const columns = {
    pc6: header[layout.postcode]?.trim() || "PC6",
    huisnummer: (layout.huisnummer !== undefined ? header[layout.huisnummer]?.trim() : undefined) || "Huisnummer",
    wijkcode: header[layout.wijkCode]?.trim() || "Wijk",
  };
  const problems: ImportProblem[] = [];
  const rows: CbsRow[] = [];
  for (const record of table.rows) {
    const fieldProblem = checkFieldCount(record, table.header);
    if (fieldProblem) problems.push(fieldProblem);
    const parsed = CbsRowSchema.safeParse({
      pc6: cell(record, layout.postcode),
      huisnummer: cell(record, layout.huisnummer),
      wijkcode: cell(record, layout.wijkCode),
      gemeente: cell(record, layout.gemeente),
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const column = columns[issue.path[0] === "pc6" ? "pc6" : issue.path[0] === "huisnummer" ? "huisnummer" : "wijkcode"];
        problems.push({ line: record.line, message: `${column}: ${issue.message}` });
      }
      continue;
    }
    rows.push({ ...parsed.data, line: record.line });
  }
  return { format: "cbs", rows, problems, columns };
}

/** How many addresses of one PC6 lie in each wijk, in the order the wijken first appear. */
interface Pc6Tally {
  postcode4: string;
  letters: string;
  label: string;
  line: number;
  counts: Map<string, number>;
}

/** Maps the CBS wijk codes to the gemeente's wijken and gives each PC6 the wijk of most of its addresses. */
function planCbsRules(read: CbsRead, wijken: WijkRef[], gemeenteCbsCode: string | null): Plan {
  const problems = [...read.problems];
  const notes: string[] = [];
  const byKey = new Map<string, WijkRef[]>();
  for (const wijk of wijken) {
    if (!wijk.cbsCode) continue;
    const key = cbsWijkKey(wijk.cbsCode);
    byKey.set(key, [...(byKey.get(key) ?? []), wijk]);
  }
  if (byKey.size === 0) {
    problems.push({ message: "none of the gemeente's wijken has a CBS code yet: import the wijken with their CBS codes first (a cbscode column, or the CBS GeoJSON)" });
  }

  const ownGemeente = gemeenteCbsCode ? cbsGemeenteKey(gemeenteCbsCode) : null;
  let skipped = 0;
  const tallies = new Map<string, Pc6Tally>();
  const reportedAmbiguous = new Set<string>();
  for (const row of read.rows) {
    if (ownGemeente && row.gemeente !== "" && cbsGemeenteKey(row.gemeente) !== ownGemeente) {
      skipped++;
      continue;
    }
    const holders = byKey.get(row.wijkcode) ?? [];
    const [wijk, other] = holders;
    if (!wijk) {
      if (byKey.size > 0) problems.push({ line: row.line, message: `${read.columns.wijkcode}: unknown CBS wijk code ${row.wijkcode}: no wijk of this gemeente has it as its CBS code` });
      continue;
    }
    if (other) {
      if (!reportedAmbiguous.has(row.wijkcode)) {
        reportedAmbiguous.add(row.wijkcode);
        problems.push({ line: row.line, message: `CBS wijk code ${row.wijkcode} belongs to more than one wijk (${holders.map((w) => w.slug).join(", ")}): give each wijk its own CBS code` });
      }
      continue;
    }
    const key = `${row.pc6.postcode4}${row.pc6.letters}`;
    let tally = tallies.get(key);
    if (!tally) {
      tally = { postcode4: row.pc6.postcode4, letters: row.pc6.letters, label: row.pc6.label, line: row.line, counts: new Map() };
      tallies.set(key, tally);
    }
    tally.counts.set(wijk.id, (tally.counts.get(wijk.id) ?? 0) + 1);
  }
  if (skipped > 0) notes.push(`${skipped} address${skipped === 1 ? "" : "es"} of other gemeenten ${skipped === 1 ? "was" : "were"} left out.`);
  if (ownGemeente && tallies.size === 0 && skipped > 0 && problems.length === 0) {
    problems.push({ message: `none of the addresses in the file belongs to this gemeente (CBS code ${gemeenteCbsCode ?? ""})` });
  }

  const slugById = new Map(wijken.map((wijk) => [wijk.id, wijk.slug]));
  const rules: PlannedRule[] = [];
  const split: string[] = [];
  for (const tally of tallies.values()) {
    let best: { wijkId: string; count: number } | undefined;
    // Map order is first appearance, and only a larger count replaces the best: ties go to the wijk listed first.
    for (const [wijkId, count] of tally.counts) if (!best || count > best.count) best = { wijkId, count };
    if (!best) continue;
    if (tally.counts.size > 1) {
      const parts = [...tally.counts].map(([wijkId, count]) => `${slugById.get(wijkId) ?? wijkId} ${count}`);
      split.push(`${tally.label} (${parts.join(", ")})`);
    }
    rules.push({ postcode4: tally.postcode4, letterFrom: tally.letters, letterTo: tally.letters, wijkId: best.wijkId, line: tally.line });
  }
  if (split.length > 0) {
    const shown = split.slice(0, 10).join("; ");
    notes.push(
      `${split.length} postcode${split.length === 1 ? " has" : "s have"} addresses in more than one wijk and ${split.length === 1 ? "was" : "were"} given the wijk of most of them: ${shown}${split.length > 10 ? `; and ${split.length - 10} more` : ""}.`,
    );
  }
  return { rules, problems, skipped, notes };
}

function keyOf(rule: PostcodeRuleKey): PostcodeRuleKey {
  return { postcode4: rule.postcode4, letterFrom: rule.letterFrom, letterTo: rule.letterTo };
}

function sameWijk(a: string | null, b: string | null): boolean {
  return (a === null && b === null) || (a !== null && b !== null && a.toLowerCase() === b.toLowerCase());
}

function describeWijk(wijk: string | null): string {
  return wijk === null ? "no wijk" : `wijk "${wijk}"`;
}
