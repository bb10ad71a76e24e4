/** Entry of `npm run cli`: runs one admin command against DATABASE_URL. */
import "dotenv/config";
import { runCli } from "./run.ts";

const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
});
process.exitCode = code;
