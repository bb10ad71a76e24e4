/**
 * The labelled corpus the triage model learns from: every *.yaml in flows/triage/corpus/, each a
 * list of `- { text, intent, theme, emergency, lang }` (README, "Triage"), and the fixed
 * train/test split over it.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import { z } from "zod";
import { EmergencySchema, IntentSchema, ThemeSchema } from "../domain/vocabulary.ts";

/** One labelled resident message. `lang` is the language it is written in (nl when left out). */
export const LabelledMessageSchema = z.strictObject({
  text: z.string().min(1),
  intent: IntentSchema,
  theme: ThemeSchema,
  emergency: EmergencySchema,
  lang: z.string().min(2).default("nl"),
});
/** One labelled resident message. */
export type LabelledMessage = z.infer<typeof LabelledMessageSchema>;

/** The folder the trainer reads by default. */
export const DEFAULT_CORPUS_DIR = fileURLToPath(new URL("../../flows/triage/corpus/", import.meta.url));

/** Thrown when a corpus file cannot be read or a line does not match the format. */
export class TriageCorpusError extends Error {
  override readonly name = "TriageCorpusError";
}

/** The corpus: its files (names only) and all their messages, in file order. */
export type TriageCorpus = { files: string[]; messages: LabelledMessage[] };

/** Reads every *.yaml in the corpus folder (sorted by name), refusing a file with a bad line. */
export function loadTriageCorpus(dir: string = DEFAULT_CORPUS_DIR): TriageCorpus {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".yaml"))
    .sort();
  const messages: LabelledMessage[] = [];
  for (const file of files) {
    const document = parseDocument(readFileSync(join(dir, file), "utf8"));
    if (document.errors.length > 0) throw new TriageCorpusError(`${file}: ${document.errors.map((error) => error.message).join("; ")}`);
    const parsed = z.array(LabelledMessageSchema).safeParse(document.toJS() ?? []);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `line ${Number(issue.path[0]) + 1} of the list, ${issue.path.slice(1).join(".") || "(line)"}: ${issue.message}`);
      throw new TriageCorpusError(`${file} does not match the corpus format (- { text, intent, theme, emergency, lang }):\n  ${problems.join("\n  ")}`);
    }
    messages.push(...parsed.data);
  }
  return { files, messages };
}

/**
 * Whether a message belongs to the test split (about 20%): decided by a hash of its own text, so
 * adding files or lines never moves an existing line from one side to the other.
 */
export function isTestMessage(text: string): boolean {
  return (createHash("sha256").update(text.trim()).digest()[0] ?? 0) < 51;
}

/** The train and test split of a list of messages. */
export function splitCorpus(messages: readonly LabelledMessage[]): { train: LabelledMessage[]; test: LabelledMessage[] } {
  const train: LabelledMessage[] = [];
  const test: LabelledMessage[] = [];
  for (const message of messages) (isTestMessage(message.text) ? test : train).push(message);
  return { train, test };
}
