/** The bot's own texts (flows/globals.yaml, `messages`) in one language, with their {{variables}} filled in. */
import type { Globals, Language } from "./flowSchema.ts";

/** The name of one of the bot's own texts. */
export type MessageKey = keyof Globals["messages"];

/** A bot text from globals in `language`; a {{variable}} not in `vars` becomes empty. */
export function messageText(globals: Globals, key: MessageKey, language: Language, vars: Record<string, string | number> = {}): string {
  return globals.messages[key][language].replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(vars[name] ?? ""));
}
