/**
 * Reads a YAML file that staff edit (the triage lexicon, the other languages' cues) and checks it
 * against its schema. Every problem is told with its line, so that the person who edited the file
 * can find it; the caller wraps the problems in its own error.
 */
import { readFileSync } from "node:fs";
import { isNode, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";

/** The file's problems, each with its line where known; none when the data is returned. */
export type YamlFileResult<T> = { ok: true; data: T } | { ok: false; problems: string[] };

/** Reads `path`, parses it as YAML (keys unique) and validates it with `schema`. */
export function readYamlFile<S extends z.ZodType>(path: string, schema: S): YamlFileResult<z.infer<S>> {
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch (error) {
    return { ok: false, problems: [`cannot be read: ${error instanceof Error ? error.message : String(error)}`] };
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((error) => {
        const at = error.linePos?.[0];
        const what = error.message.split(" at line ")[0] ?? error.message;
        return `${at ? `line ${at.line}: ` : ""}${what}`;
      }),
    };
  }
  const parsed = schema.safeParse(document.toJS());
  if (parsed.success) return { ok: true, data: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      const where = issue.path.map(String).join(".") || "(top level)";
      const line = findLineOfPath(document, lineCounter, issue.path);
      // A bad key in a record (a cue) is reported by zod as "Invalid key in record"; say what is wrong with it.
      const message = issue.code === "invalid_key" ? issue.issues.map((inner) => inner.message).join("; ") : issue.message;
      return `${line ? `line ${line}, ` : ""}${where}: ${message}`;
    }),
  };
}

/** The line of the deepest existing YAML node along a zod issue path. */
function findLineOfPath(document: ReturnType<typeof parseDocument>, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let length = path.length; length >= 0; length--) {
    const node: unknown = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}
