/**
 * A small RFC 4180 CSV parser for import files: quoted fields (with "" for a quote, and
 * delimiters or line breaks inside quotes), CRLF, LF or CR line ends, a UTF-8 byte order mark,
 * and `,`, `;` or tab as delimiter, detected from the header line (Dutch CBS files use `;`).
 * Every record keeps the line it starts on, counting the header as line 1. Pure.
 */
import { ImportError, type ImportProblem } from "./importReport.ts";

/** A field delimiter the parser can detect. */
export type CsvDelimiter = "," | ";" | "\t";

/** One record of the file and the 1-based line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A parsed file: its header record and the records after it (blank lines left out). */
export interface CsvTable {
  delimiter: CsvDelimiter;
  header: CsvRecord;
  rows: CsvRecord[];
}

const DELIMITERS: CsvDelimiter[] = [",", ";", "\t"];

/** Picks the delimiter that occurs most often outside quotes in the first line; "," on a tie. */
export function detectDelimiter(text: string): CsvDelimiter {
  const counts = new Map<CsvDelimiter, number>(DELIMITERS.map((delimiter) => [delimiter, 0]));
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === "\n" || char === "\r")) break;
    else if (!quoted && (char === "," || char === ";" || char === "\t")) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best: CsvDelimiter = ",";
  for (const delimiter of DELIMITERS) if ((counts.get(delimiter) ?? 0) > (counts.get(best) ?? 0)) best = delimiter;
  return best;
}

/**
 * Parses CSV text into records. Throws ImportError for an empty file, a quoted field that is
 * never closed, or text right after a closing quote; a quote inside an unquoted field is kept
 * as a character, as spreadsheets write it.
 */
export function parseCsv(input: string, options: { delimiter?: CsvDelimiter } = {}): CsvTable {
  const text = input.startsWith("\uFEFF") ? input.slice(1) : input;
  const delimiter = options.delimiter ?? detectDelimiter(text);
  const records: CsvRecord[] = [];
  const problems: ImportProblem[] = [];
  const lineBreakAt = (at: number) => (text[at] === "\r" ? (text[at + 1] === "\n" ? 2 : 1) : text[at] === "\n" ? 1 : 0);

  let line = 1;
  let recordLine = 1;
  let fields: string[] = [];
  let field = "";
  // Whether the current field was a quoted one (closed): a later quote is then a stray character.
  let fieldQuoted = false;
  const endField = () => {
    fields.push(field);
    field = "";
    fieldQuoted = false;
  };
  const endRecord = () => {
    endField();
    // A line with nothing on it (often the last one) is not a record.
    if (!(fields.length === 1 && fields[0] === "")) records.push({ line: recordLine, fields });
    fields = [];
  };

  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '"' && field === "" && !fieldQuoted) {
      // A quoted field: read up to the closing quote; "" inside stands for one quote.
      const startLine = line;
      let closed = false;
      i++;
      while (i < text.length) {
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        const lineBreak = lineBreakAt(i);
        if (lineBreak > 0) line++;
        const width = Math.max(lineBreak, 1);
        field += text.slice(i, i + width);
        i += width;
      }
      if (!closed) {
        problems.push({ line: startLine, message: 'a quoted field starts here but is never closed: a closing " is missing' });
        break;
      }
      fieldQuoted = true;
      // After the closing quote only a delimiter, a line break or the end of the file may follow.
      let end = i;
      while (end < text.length && text[end] !== delimiter && lineBreakAt(end) === 0) end++;
      if (end > i) {
        problems.push({ line, message: `unexpected text ${JSON.stringify(text.slice(i, end))} after a closing quote: write a quote inside a quoted field as ""` });
        i = end;
      }
      continue;
    }
    if (char === delimiter) {
      endField();
      i++;
      continue;
    }
    const lineBreak = lineBreakAt(i);
    if (lineBreak > 0) {
      endRecord();
      i += lineBreak;
      line++;
      recordLine = line;
      continue;
    }
    field += char;
    i++;
  }
  if (field !== "" || fields.length > 0 || fieldQuoted) endRecord();

  const [header, ...rows] = records;
  if (!header && problems.length === 0) problems.push({ message: "the file is empty: it needs a header line and at least one row" });
  if (!header || problems.length > 0) throw new ImportError("The CSV file", problems);
  return { delimiter, header, rows };
}

/**
 * Normalises a header name for matching: lowercase, only letters and digits
 * ("Wijk_Code", "wijk code" and "WijkCode" all become "wijkcode").
 */
export function normaliseHeader(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}

/** The index of the first header column whose normalised name is one of `names`, or undefined. */
export function findColumn(header: string[], names: string[]): number | undefined {
  const wanted = names.map(normaliseHeader);
  for (const name of wanted) {
    const index = header.findIndex((column) => normaliseHeader(column) === name);
    if (index >= 0) return index;
  }
  return undefined;
}

/** The trimmed value of column `index` in a record; "" when the column is absent or the row short. */
export function cell(record: CsvRecord, index: number | undefined): string {
  return index === undefined ? "" : (record.fields[index] ?? "").trim();
}

/**
 * A problem when a record has non-empty fields beyond the header's columns (a stray delimiter
 * or a misquoted value); trailing empty fields are tolerated.
 */
export function checkFieldCount(record: CsvRecord, header: CsvRecord): ImportProblem | null {
  const extra = record.fields.slice(header.fields.length);
  if (extra.every((value) => value.trim() === "")) return null;
  return {
    line: record.line,
    message: `has ${record.fields.length} fields but the header has ${header.fields.length} columns: is a value with a delimiter missing its quotes?`,
  };
}
