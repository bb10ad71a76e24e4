/**
 * Once per run: says which databases the suite covers, and afterwards proves that the run left no
 * process behind. Every process a test starts inherits WIJKLIJN_TEST_RUN; at teardown any process
 * still carrying this run's id (a service a test started and lost) is killed and fails the run.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";

export default function setup(): () => void {
  if (process.env.TEST_DATABASE_URL) {
    console.log("Testing against SQLite and PostgreSQL (TEST_DATABASE_URL is set).");
  } else if (process.env.REQUIRE_POSTGRES === "true") {
    throw new Error("REQUIRE_POSTGRES=true but TEST_DATABASE_URL is not set: the PostgreSQL suite cannot run.");
  } else {
    console.log("PostgreSQL suite skipped: TEST_DATABASE_URL is unset (SQLite suite runs).");
  }
  const run = randomUUID();
  process.env.WIJKLIJN_TEST_RUN = run;
  return () => {
    const left = processesOfRun(run);
    for (const { pid } of left) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone in the meantime.
      }
    }
    if (left.length === 0) return;
    // vitest reports a teardown error but keeps exit code 0, so set it too.
    process.exitCode = 1;
    throw new Error(`The test run left ${left.length} process(es) running (now killed): ${left.map((p) => `${p.pid} ${p.command}`).join("; ")}`);
  };
}

/** Processes started through tsx (services, CLIs) that carry this run's id; Linux only (/proc). */
function processesOfRun(run: string): Array<{ pid: number; command: string }> {
  if (!existsSync("/proc/self/environ")) return [];
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, "latin1");
      if (!environ.includes(`WIJKLIJN_TEST_RUN=${run}`)) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").join(" ").trim();
      if (/\btsx\b/.test(command)) found.push({ pid, command });
    } catch {
      // Not ours to read, or already gone.
    }
  }
  return found;
}
