/**
 * The office hours, holidays and response target that digests count working hours with
 * (flows/settings.yaml), for callers that have no running bot to ask (the CLI, the API without
 * a bot). The running service should pass the bot's current settings instead.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { SettingsSchema, type Settings } from "../conversation/flowSchema.ts";
import { defaultFlowsDir } from "../conversation/loadFlows.ts";

/** Reads and checks settings.yaml in `flowsDir`; throws naming the file when it is invalid. */
export function loadDigestSettings(flowsDir: string = defaultFlowsDir): Settings {
  const file = join(flowsDir, "settings.yaml");
  const parsed = SettingsSchema.safeParse(parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file} is not valid: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
  return parsed.data;
}
