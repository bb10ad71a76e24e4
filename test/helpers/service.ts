/**
 * Starting the real service (src/main.ts) as a child process, for tests that need a whole process.
 *
 * It runs as ONE process, `node --import tsx src/main.ts`: the `tsx` binary would start Node as a
 * grandchild, and a SIGKILL to tsx leaves that grandchild serving (and holding its database) long
 * after the test run ended.
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from "node:child_process";

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
