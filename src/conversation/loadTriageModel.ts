/** Reading the trained triage model (flows/triage/model.json, written by `npm run triage:train`). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { prepareTriageModel, TriageModelSchema, type TriageModel } from "./triageModel.ts";

/** Where the model lives by default. */
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL("../../flows/triage/model.json", import.meta.url));

/** Thrown when the model file is missing, not JSON, or not a model. */
export class TriageModelError extends Error {
  override readonly name = "TriageModelError";

  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`Triage model ${file} is not usable: ${problem}\nTrain it again with \`npm run triage:train\` (it reads flows/triage/corpus/).`);
  }
}

/** Reads, validates and prepares the triage model. */
export function loadTriageModel(path: string = DEFAULT_MODEL_PATH): TriageModel {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new TriageModelError(path, error instanceof Error ? error.message : String(error));
  }
  const parsed = TriageModelSchema.safeParse(json);
  if (!parsed.success) throw new TriageModelError(path, parsed.error.issues.map((issue) => `${issue.path.join(".") || "(top level)"}: ${issue.message}`).join("; "));
  return prepareTriageModel(parsed.data);
}
