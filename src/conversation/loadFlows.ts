/**
 * Loads flows/ (every *.yaml file at the top level, plus globals.yaml and settings.yaml), checks
 * each file against its schema and then the whole set as a graph. A broken flow stops startup
 * with the file and line of every problem.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { z } from "zod";
import { actionSpecs, summaryParamNames } from "./actionSpecs.ts";
import { editDistance } from "./answers.ts";
import { IntentSchema } from "./triage.ts";
import { FlowSchema, GlobalsSchema, SettingsSchema, type Flow, type Globals, type Settings, type Step, type Target } from "./flowSchema.ts";

/** The default flows folder. */
export const defaultFlowsDir = fileURLToPath(new URL("../../flows", import.meta.url));

/** Every flow, checked, with the global commands and settings. */
export interface FlowSet {
  flows: Map<string, Flow>;
  globals: Globals;
  settings: Settings;
}

/** A problem in a flow file, with where it is. */
export interface FlowProblem {
  file: string;
  line: number | null;
  message: string;
}

/** Raised when flows/ has problems; the message lists every one with file and line. */
export class FlowError extends Error {
  constructor(readonly problems: FlowProblem[]) {
    super(`The flows have ${problems.length} problem(s):\n${problems.map((p) => `  ${p.file}${p.line ? `:${p.line}` : ""}: ${p.message}`).join("\n")}`);
    this.name = "FlowError";
  }
}

interface ParsedFile {
  file: string;
  doc: Document;
  lines: LineCounter;
}

function lineOf(parsed: ParsedFile, path: ReadonlyArray<PropertyKey>): number | null {
  // Walk down as far as the path exists, and report the deepest node found.
  let node: unknown = parsed.doc.contents;
  let offset: number | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
      if (!pair) break;
      offset = isScalar(pair.key) ? pair.key.range?.[0] : offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number") {
      node = node.items[key];
    } else break;
    const range = node && typeof node === "object" && "range" in node && Array.isArray(node.range) ? node.range : undefined;
    if (typeof range?.[0] === "number" && !isMap(node)) offset = range[0];
  }
  if (offset === undefined) {
    const range = parsed.doc.contents?.range;
    offset = range ? range[0] : 0;
  }
  return parsed.lines.linePos(offset).line;
}

function readYaml(dir: string, name: string, problems: FlowProblem[]): ParsedFile | null {
  const lines = new LineCounter();
  const text = readFileSync(join(dir, name), "utf8");
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    // With prettyErrors off, yaml leaves linePos unset: the line comes from the offset.
    for (const error of doc.errors) problems.push({ file: name, line: error.linePos?.[0]?.line ?? lines.linePos(error.pos[0]).line, message: `not valid YAML: ${error.message.split("\n")[0]}` });
    return null;
  }
  return { file: name, doc, lines };
}

function validate<T>(parsed: ParsedFile, schema: z.ZodType<T>, problems: FlowProblem[]): T | null {
  const data: unknown = parsed.doc.toJS();
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    // "expected string, received undefined" means a key is missing: say so, in the authors' terms.
    const missing = issue.code === "invalid_type" && issue.path.length > 0 && valueAt(data, issue.path) === undefined;
    const last = issue.path[issue.path.length - 1];
    const message = missing ? `missing${last === "nl" || last === "en" ? ": every text needs nl (Dutch) and en (English)" : ""}` : issue.message;
    problems.push({ file: parsed.file, line: lineOf(parsed, issue.path), message: `${issue.path.join(".") || "(file)"}: ${message}` });
  }
  return null;
}

function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = data;
  for (const key of path) {
    if (typeof value !== "object" || value === null || typeof key === "symbol" || !Object.hasOwn(value, key)) return undefined;
    value = Object.getOwnPropertyDescriptor(value, key)?.value;
  }
  return value;
}

/** Loads and checks every flow in `dir`. Throws FlowError listing every problem. */
export function loadFlows(dir: string = defaultFlowsDir): FlowSet {
  const problems: FlowProblem[] = [];
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".yaml") && !name.endsWith(".test.yaml"))
    .sort();
  const flows = new Map<string, Flow>();
  const sources = new Map<string, ParsedFile>();
  let globals: Globals | null = null;
  let settings: Settings | null = null;
  let globalsFile: ParsedFile | null = null;

  for (const name of files) {
    const parsed = readYaml(dir, name, problems);
    if (!parsed) continue;
    if (name === "globals.yaml") {
      globals = validate(parsed, GlobalsSchema, problems);
      globalsFile = parsed;
    } else if (name === "settings.yaml") {
      settings = validate(parsed, SettingsSchema, problems);
    } else {
      const flow = validate(parsed, FlowSchema, problems);
      if (!flow) continue;
      if (flows.has(flow.id)) {
        problems.push({ file: name, line: lineOf(parsed, ["id"]), message: `flow id "${flow.id}" is used by ${sources.get(flow.id)?.file} too` });
        continue;
      }
      flows.set(flow.id, flow);
      sources.set(flow.id, parsed);
    }
  }
  if (!files.includes("globals.yaml")) problems.push({ file: "globals.yaml", line: null, message: "missing: the global commands and bot texts live here" });
  if (!files.includes("settings.yaml")) problems.push({ file: "settings.yaml", line: null, message: "missing: office hours and the response target live here" });

  // A global command may lead straight to a step (flow:welkom#consent): that step is reachable.
  // Without usable globals there is no telling which steps the commands reach: reachability is then not checked.
  const commandTargets = globals
    ? [
        ...Object.values(globals.commands).map((command) => command.target),
        ...(globals.unclear ? [globals.unclear] : []),
        ...(globals.wijkNamed ? [globals.wijkNamed] : []),
        ...(globals.wasteCalendar ? [globals.wasteCalendar.target] : []),
        ...(globals.wasteCalendar?.duringWelcome ? [globals.wasteCalendar.duringWelcome] : []),
        ...(globals.wasteCalendar?.again ? [globals.wasteCalendar.again] : []),
      ]
    : null;
  for (const [id, flow] of flows) {
    const source = sources.get(id);
    if (source) problems.push(...checkFlowGraph(flow, flows, source, commandTargets));
  }
  if (globals && globalsFile) {
    const file = globalsFile;
    for (const [key, id] of [
      ["firstContact", globals.firstContact],
      ["menu", globals.menu],
      ["wijkFlow", globals.wijkFlow],
    ] as const) {
      if (!flows.has(id)) problems.push({ file: file.file, line: lineOf(file, [key]), message: `${key}: there is no flow "${id}"` });
    }
    for (const [name, command] of Object.entries(globals.commands)) {
      const problem = targetProblem(command.target, null, flows);
      if (problem) problems.push({ file: file.file, line: lineOf(file, ["commands", name, "target"]), message: `commands.${name}.target: ${problem}` });
    }
    if (globals.wasteCalendar) {
      for (const key of ["target", "duringWelcome", "again"] as const) {
        const target = globals.wasteCalendar[key];
        const problem = target ? targetProblem(target, null, flows) : null;
        if (problem) problems.push({ file: file.file, line: lineOf(file, ["wasteCalendar", key]), message: `wasteCalendar.${key}: ${problem}` });
      }
    }
    // Every answer that can go to staff needs its label in the handover note.
    for (const name of summaryParamNames) {
      if (Object.hasOwn(globals.handoverNote.labels, name)) continue;
      const message = `handoverNote.labels.${name}: missing: staff read this answer in the handover note`;
      problems.push({ file: file.file, line: lineOf(file, ["handoverNote", "labels"]), message });
    }
  }
  if (problems.length > 0 || !globals || !settings) throw new FlowError(problems);
  return { flows, globals, settings };
}

function targetProblem(target: Target, flow: Flow | null, flows: Map<string, Flow>): string | null {
  if (target === "end") return null;
  if (target.startsWith("flow:")) {
    const [flowId, stepId] = target.slice(5).split("#");
    const other = flowId ? flows.get(flowId) : undefined;
    if (!other) return `there is no flow "${flowId}"`;
    if (stepId && !other.steps[stepId]) return `flow "${flowId}" has no step "${stepId}"`;
    return null;
  }
  if (!flow) return `"${target}" must be flow:<id> here`;
  return flow.steps[target] ? null : `there is no step "${target}" in this flow`;
}

/** The targets a step can continue to. */
export function targetsOf(step: Step): Target[] {
  switch (step.type) {
    case "say":
      return [step.next];
    case "ask":
      return [step.next, ...(step.options ?? []).flatMap((o) => (o.next ? [o.next] : [])), ...(step.otherwise ? [step.otherwise.next] : [])];
    case "branch":
      return [...step.cases.map((c) => c.next), step.default];
    case "action":
      return typeof step.next === "string" ? [step.next] : Object.values(step.next);
    case "set":
      return [step.next];
    case "goto":
      return [step.step ? `flow:${step.flow}#${step.step}` : `flow:${step.flow}`, ...(step.then ? [step.then] : [])];
    case "end":
      return [];
  }
}

function checkFlowGraph(flow: Flow, flows: Map<string, Flow>, source: ParsedFile, commandTargets: Target[] | null): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const at = (path: PropertyKey[], message: string) => problems.push({ file: source.file, line: lineOf(source, path), message });
  if (!flow.steps[flow.start]) at(["start"], `start: there is no step "${flow.start}"`);
  for (const intent of flow.intents) {
    if (!IntentSchema.safeParse(intent).success) at(["intents"], `intents: "${intent}" is not an intent (see CONTRACTS vocabularies)`);
  }
  for (const [id, step] of Object.entries(flow.steps)) {
    const targets = targetsOf(step);
    for (const target of targets) {
      const problem = targetProblem(target, flow, flows);
      if (problem) at(["steps", id], `steps.${id}: ${problem}`);
    }
    if (step.type === "ask") {
      if (step.input === "choice" && !step.options?.length && !step.optionsFrom) at(["steps", id], `steps.${id}: a choice needs options or optionsFrom`);
      // A postcode or place question may have extra buttons ("Weet ik niet", "Ja, daar"); only a choice has a list of options.
      if (step.input !== "choice" && (step.optionsFrom || (step.options && step.input !== "postcode" && step.input !== "location")))
        at(["steps", id, "options"], `steps.${id}: only a choice has options`);
    }
    if (step.type === "action") {
      for (const problem of actionStepProblems(step)) at(["steps", id, ...problem.path], `${[`steps.${id}`, ...problem.path].join(".")}: ${problem.message}`);
    }
  }
  // Every step must be reachable from the start: an unreachable step is a mistake in the graph.
  const reachable = new Set<string>();
  flow.entries.forEach((entry, i) => {
    if (!flow.steps[entry.step]) at(["entries", i], `entries: there is no step "${entry.step}"`);
  });
  const queue = [flow.start, ...flow.entries.map((e) => e.step)];
  while (queue.length > 0) {
    const id = queue.pop();
    if (!id || reachable.has(id)) continue;
    reachable.add(id);
    const step = flow.steps[id];
    if (!step) continue;
    for (const target of targetsOf(step)) if (target !== "end" && !target.startsWith("flow:")) queue.push(target);
  }
  // Steps reachable from another flow or a global command (flow:<this>#<step>) count as reachable too.
  const targetsElsewhere = [...[...flows.values()].flatMap((other) => Object.values(other.steps).flatMap(targetsOf)), ...(commandTargets ?? [])];
  for (const target of targetsElsewhere) {
    const match = /^flow:([a-z0-9-]+)#([a-z0-9-]+)$/.exec(target);
    if (match?.[1] === flow.id && match[2]) {
      reachable.add(match[2]);
    }
  }
  if (commandTargets) for (const id of Object.keys(flow.steps)) if (!reachable.has(id) && !isReachableFrom(flow, reachable, id)) at(["steps", id], `steps.${id}: no step leads here`);
  return problems;
}

function isReachableFrom(flow: Flow, roots: Set<string>, id: string): boolean {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const current = queue.pop();
    if (!current || seen.has(current)) continue;
    if (current === id) return true;
    seen.add(current);
    const step = flow.steps[current];
    if (step) for (const target of targetsOf(step)) if (target !== "end" && !target.startsWith("flow:")) queue.push(target);
  }
  return false;
}

/**
 * What is wrong in an action step for its action (actionSpecs.ts): a parameter it does not take,
 * a literal value that does not fit, a required parameter left out, an outcome it never ends with.
 * Outcomes it can end with but the step leaves out go to `default`, as the engine does.
 */
function actionStepProblems(step: Extract<Step, { type: "action" }>): Array<{ path: string[]; message: string }> {
  const spec = actionSpecs[step.action];
  const shape: Record<string, z.ZodType> = spec.params.shape;
  const names = Object.keys(shape);
  const problems: Array<{ path: string[]; message: string }> = [];
  for (const [name, value] of Object.entries(step.with)) {
    const schema = shape[name];
    if (!schema) {
      const takes = names.length > 0 ? `it takes ${names.join(", ")}` : "it takes none";
      problems.push({ path: ["with", name], message: `${step.action} has no parameter "${name}"${didYouMean(name, names)}; ${takes}` });
      continue;
    }
    // A { var } is only known at run time; a literal or {{template}} text can be checked now.
    if (typeof value === "object") continue;
    const fits = z.safeParse(schema, value);
    if (!fits.success) problems.push({ path: ["with", name], message: fits.error.issues[0]?.message ?? "does not fit" });
  }
  for (const [name, schema] of Object.entries(shape)) {
    if (!Object.hasOwn(step.with, name) && !z.safeParse(schema, undefined).success) problems.push({ path: ["with"], message: `${step.action} needs "${name}"` });
  }
  if (typeof step.next !== "string") {
    const outcomes: readonly string[] = spec.outcomes;
    for (const outcome of Object.keys(step.next)) {
      if (outcome === "default" || outcomes.includes(outcome)) continue;
      const hint = didYouMean(outcome, outcomes);
      problems.push({ path: ["next", outcome], message: `${step.action} never ends with "${outcome}"${hint}; its outcomes are ${outcomes.join(", ")} (and default)` });
    }
  }
  return problems;
}

/** " (did you mean "x"?)" for the one candidate a small typo away, else "". */
function didYouMean(word: string, candidates: readonly string[]): string {
  const near = candidates.filter((candidate) => editDistance(word, candidate) <= Math.min(2, Math.floor(candidate.length / 3)));
  return near.length === 1 ? ` (did you mean "${near[0]}"?)` : "";
}
