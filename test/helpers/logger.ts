/** A real pino logger whose output a test can read. */
import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/log.ts";

/** A logger writing JSON lines into `lines`. */
export function captureLogger(level = "info"): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      callback();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}
