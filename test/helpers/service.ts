/**
 * Starting the real service (src/main.ts) as a child process, for tests that need a whole process.
 *
 * It runs as ONE process, `node --import tsx src/main.ts`: the `tsx` binary would start Node as a
 * grandchild, and a SIGKILL to tsx leaves that grandchild serving (and holding its database) long
 * after the test run ended.
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/** Spawns the service with `env` added to this process's environment, its output ignored. */
export function spawnService(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { env: { ...process.env, ...env }, stdio: "ignore" });
}

/** Spawns a TypeScript entry point (default the service) with stdin, stdout and stderr piped to the test. */
export function spawnPiped(env: Record<string, string>, script = "src/main.ts"): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ["--import", "tsx", script], { env: { ...process.env, ...env }, stdio: "pipe" });
}

/** True while a process with this id exists. */
export function isRunning(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves when the child has exited (at once if it already has). */
export function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));
}

/** Polls `condition` (an exception counts as not yet) until it holds, or fails after `timeoutMs` saying what it waited for. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await Promise.resolve()
      .then(condition)
      .catch(() => false))
  ) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The service processes of one test file: all on one port, data folder and database, killed after the file. */
export type ServiceProcesses = {
  /** Starts an instance with the base settings plus `env`, and resolves once /healthz answers. */
  start(env?: Record<string, string>): Promise<ChildProcess>;
  /** Kills every instance started so far (SIGKILL, as a crash) and waits until they are gone. */
  killAll(): Promise<void>;
};

/**
 * For crash tests: a temporary data folder for the file (removed after it), and instances of the
 * service on `port` with `databaseUrl`, every one killed after the file whatever happened.
 */
export function serviceProcesses(prefix: string): { dir: string; on(port: number, databaseUrl: string): ServiceProcesses } {
  const dir = mkdtempSync(join(tmpdir(), `wijklijn-${prefix}-`));
  const children: ChildProcess[] = [];
  const killAll = async () => {
    for (const child of children) child.kill("SIGKILL");
    await Promise.all(children.map(exitOf));
  };
  afterAll(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    on: (port, databaseUrl) => ({
      killAll,
      async start(env = {}) {
        const child = spawnService({ PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dir, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn", NODE_ENV: "test", ...env });
        children.push(child);
        await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60_000, "the service to start");
        return child;
      },
    }),
  };
}
