/**
 * CSV for spreadsheets as Dutch staff open them: `;` between fields (Dutch Excel expects it, since
 * `,` is the decimal separator), CRLF line ends (RFC 4180), and a UTF-8 byte order mark so that
 * Excel reads "ë" and "€" correctly. Pure functions.
 */

/** The UTF-8 byte order mark, first in the file. */
export const UTF8_BOM = "\uFEFF";

/**
 * One field: quoted when it holds the separator, a quote or a line break (quotes doubled). A field
 * that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) gets a leading
 * apostrophe (OWASP "CSV injection").
 */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole file: BOM, header line, rows. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  return `${UTF8_BOM + [header, ...rows].map((row) => row.map(csvField).join(";")).join("\r\n")}\r\n`;
}
