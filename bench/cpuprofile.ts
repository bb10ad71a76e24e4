/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): the top functions by self time and by inclusive
 * time, and self time per package (node_modules/<name>, the project's src/, node's own). For
 * reading where the bench's time goes: `npx tsx bench/cpuprofile.ts FILE [TOP]`.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

const ProfileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

const file = process.argv[2];
if (!file) throw new Error("usage: tsx bench/cpuprofile.ts FILE.cpuprofile [TOP]");
const top = Number(process.argv[3] ?? "30");
/** PROFILE_FROM=seconds: leave out the samples before then (start-up), to read the load alone. */
const fromUs = Number(process.env.PROFILE_FROM ?? "0") * 1e6;
const profile = ProfileSchema.parse(JSON.parse(readFileSync(file, "utf8")));

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

function shortUrl(url: string): string {
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) return url.slice(modules + "node_modules/".length);
  const src = url.search(/\/(src|bench|test)\//);
  return src >= 0 ? url.slice(src + 1) : url.replace(/^file:\/\//, "");
}

function packageOf(url: string): string {
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "node_modules/".length).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? "?");
  }
  const src = url.match(/\/src\/([^/]+)/);
  if (src) return `src/${src[1]}`;
  if (url.startsWith("node:")) return "node";
  return url === "" ? "(native/vm)" : "other";
}

function key(id: number): string {
  const frame = byId.get(id)?.callFrame;
  if (!frame) return "?";
  return `${frame.functionName || "(anonymous)"} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

// Samples before PROFILE_FROM count as left out (their node set to none).
{
  let at = 0;
  profile.samples.forEach((_, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < fromUs) profile.timeDeltas[i] = 0;
  });
}
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const perPackage = new Map<string, number>();
let total = 0;
let idle = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const frame = byId.get(id)?.callFrame;
  if (frame?.functionName === "(idle)") {
    idle += dt;
    return;
  }
  const k = key(id);
  self.set(k, (self.get(k) ?? 0) + dt);
  perPackage.set(packageOf(frame?.url ?? ""), (perPackage.get(packageOf(frame?.url ?? "")) ?? 0) + dt);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const name = key(at);
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
  }
});

const busy = total - idle;
const pct = (n: number) => `${((n / busy) * 100).toFixed(1).padStart(5)}%`;
const ms = (n: number) => `${(n / 1000).toFixed(0).padStart(7)} ms`;
const print = (title: string, map: Map<string, number>, count: number) => {
  console.log(`\n${title}`);
  for (const [name, time] of [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, count)) console.log(`${ms(time)} ${pct(time)}  ${name}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy (percentages of busy time)`);
print("self time per package", perPackage, 25);
print("self time", self, top);
print("inclusive time", inclusive, top);

// With a third argument (a function name or url part): which of the project's functions lead to it,
// by time (the nearest src/ frame above the first matching frame of each sample).
const pattern = process.argv[4];
if (pattern) {
  const callers = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    let matched = false;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame) break;
      if (!matched && key(at).includes(pattern)) matched = true;
      else if (matched && /\/src\//.test(frame.url)) {
        const name = key(at);
        callers.set(name, (callers.get(name) ?? 0) + dt);
        return;
      }
    }
    if (matched) callers.set("(no src caller)", (callers.get("(no src caller)") ?? 0) + dt);
  });
  print(`src callers of ${pattern}`, callers, top);
}

// With a fifth argument: what a matching function spends its time in (the frames right below it, inclusive).
const below = process.argv[5];
if (below) {
  const children = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    let child: number | undefined;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (key(at).includes(below)) {
        const name = child === undefined ? "(self)" : key(child);
        children.set(name, (children.get(name) ?? 0) + dt);
        return;
      }
      child = at;
    }
  });
  print(`inside ${below}`, children, top);
}
