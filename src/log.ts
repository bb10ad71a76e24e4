/**
 * Structured logging with pino. Resident text and phone numbers are redacted: known fields by
 * path, and every log message and error message through redactText().
 */
import { pino, type Logger } from "pino";
import { redactText, redactedLogPaths } from "./privacy/redact.ts";

export type { Logger };

/** Builds the service logger. `destination` lets tests capture the output. */
export function createLogger(options: { level?: string; pretty?: boolean; destination?: pino.DestinationStream } = {}): Logger {
  const pinoOptions: pino.LoggerOptions = {
    level: options.level ?? "info",
    base: { service: "wijklijn" },
    redact: { paths: redactedLogPaths, censor: "[redacted]" },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === "string" ? redactText(arg) : arg)) as Parameters<typeof method>);
      },
    },
    serializers: {
      err: (error: unknown) => {
        const serialized = pino.stdSerializers.err(error instanceof Error ? error : new Error(String(error)));
        return {
          ...serialized,
          message: redactText(serialized.message),
          stack: serialized.stack ? redactText(serialized.stack) : undefined,
        };
      },
    },
  };
  if (options.destination) return pino(pinoOptions, options.destination);
  if (options.pretty) {
    return pino({ ...pinoOptions, transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname,service" } } });
  }
  return pino(pinoOptions);
}
