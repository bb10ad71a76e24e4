/** The bot's own texts (flows/globals.yaml, `messages`) in one language, with their {{variables}} filled in. */
import type { Globals, Language } from "./flowSchema.ts";

type Messages = Globals["messages"];

/** The name of one of the bot's own texts that every flow set has (an optional text is read where it is used). */
export type MessageKey = { [K in keyof Messages]-?: undefined extends Messages[K] ? never : K }[keyof Messages];

/** A bot text from globals in `language`; a {{variable}} not in `vars` becomes empty. */
export function messageText(globals: Globals, key: MessageKey, language: Language, vars: Record<string, string | number> = {}): string {
  return globals.messages[key][language].replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(vars[name] ?? ""));
}
