// Generates the Prisma clients for both databases after `npm install`. Uses Prisma's JS engine
// (engineType "client"), so nothing is downloaded; the env settings stop the CLI from looking
// for engine binaries it does not need.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

if (!existsSync("node_modules/prisma/build/index.js")) {
  console.log("postinstall: prisma is not installed here, skipping client generation");
  process.exit(0);
}
const env = { ...process.env, PRISMA_QUERY_ENGINE_LIBRARY: "/bin/false", PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false", PRISMA_HIDE_UPDATE_MESSAGE: "1" };
for (const provider of ["sqlite", "postgresql"]) {
  execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "generate", "--config", `prisma/${provider}.config.ts`], { stdio: "inherit", env });
}
