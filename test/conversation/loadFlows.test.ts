/**
 * Loading flows/ (src/conversation/loadFlows.ts): the real flows load, and a broken copy is
 * refused with the file and line of every problem, in words the communication staff can act on.
 * Each test breaks one thing in a copy of flows/ (or in a small flow of its own added to it).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnPiped } from "../helpers/service.ts";
import { defaultFlowsDir, FlowError, loadFlows, type FlowProblem } from "../../src/conversation/loadFlows.ts";

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A copy of the real flows/ to break. */
function copyOfFlows(): string {
  const dir = tempDir("wijklijn-flows-");
  cpSync(defaultFlowsDir, dir, { recursive: true });
  return dir;
}

/** Replaces `from` (which must be there once) in a file of the copy. */
function edit(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  expect(text.split(from).length - 1, `${file} should contain ${JSON.stringify(from)} once`).toBe(1);
  writeFileSync(path, text.replace(from, to));
}

/** The 1-based line of the first line of `file` that contains `fragment`. */
function lineWith(dir: string, file: string, fragment: string): number {
  const index = readFileSync(join(dir, file), "utf8")
    .split("\n")
    .findIndex((line) => line.includes(fragment));
  if (index < 0) throw new Error(`${file} has no line with ${JSON.stringify(fragment)}`);
  return index + 1;
}

/** The problems loadFlows reports for `dir`; fails the test when it loads. */
function problemsIn(dir: string): { problems: FlowProblem[]; message: string } {
  try {
    loadFlows(dir);
  } catch (error) {
    if (error instanceof FlowError) return { problems: error.problems, message: error.message };
    throw error;
  }
  throw new Error(`expected the flows in ${dir} to be refused`);
}

/** A small valid flow of our own, so that the lines below are known and stay put. */
const PROEF = `# yaml-language-server: $schema=./schema/flow.schema.json
version: 1
id: proef
title: { nl: Proef, en: Trial }
intents: [idee]
start: vraag
steps:
  vraag:
    type: ask
    input: choice
    text:
      nl: "Welke kleur wil je?"
      en: "Which colour would you like?"
    save: kleur
    options:
      - { value: rood, label: { nl: Rood, en: Red } }
      - { value: blauw, label: { nl: Blauw, en: Blue } }
    next: klaar
  klaar:
    type: end
    text:
      nl: "Dank je, {{kleur}} is genoteerd."
      en: "Thank you, {{kleur}} is noted."
`;

/** A copy of flows/ with proef.yaml added. */
function copyWithProef(): string {
  const dir = copyOfFlows();
  writeFileSync(join(dir, "proef.yaml"), PROEF);
  return dir;
}

describe("loading the real flows", () => {
  it("loads flows/ without problems", () => {
    const set = loadFlows();
    expect(set.flows.get(set.globals.menu)).toBeDefined();
    expect(set.flows.get(set.globals.firstContact)).toBeDefined();
    expect(set.flows.get(set.globals.wijkFlow)).toBeDefined();
  });

  it("accepts a copy with one more valid flow (the fixture the other tests break)", () => {
    expect(loadFlows(copyWithProef()).flows.get("proef")?.start).toBe("vraag");
  });

  it("has every bot text in Dutch and English, with the same {{variables}} in both", () => {
    const set = loadFlows();
    const texts = [...[...set.flows.values()].flatMap((flow) => textsIn(flow, `flows/${flow.id}`)), ...textsIn(set.globals, "globals")];
    expect(texts.length).toBeGreaterThan(100);
    for (const { where, nl, en } of texts) {
      expect(nl.trim(), `${where}.nl`).not.toBe("");
      expect(en.trim(), `${where}.en`).not.toBe("");
      expect(variablesIn(en), `${where}: the English text uses other {{variables}} than the Dutch`).toEqual(variablesIn(nl));
    }
  });

  it("gives every global command words in both languages", () => {
    for (const [name, command] of Object.entries(loadFlows().globals.commands)) {
      expect(command.words.nl.length, `commands.${name}.words.nl`).toBeGreaterThan(0);
      expect(command.words.en.length, `commands.${name}.words.en`).toBeGreaterThan(0);
    }
  });
});

/** Every { nl, en } text anywhere in a value, with where it is. */
function textsIn(value: unknown, where: string): Array<{ where: string; nl: string; en: string }> {
  if (Array.isArray(value)) return value.flatMap((item, index) => textsIn(item, `${where}[${index}]`));
  if (typeof value !== "object" || value === null) return [];
  const entries = Object.entries(value);
  const nl = entries.find(([key]) => key === "nl")?.[1];
  const en = entries.find(([key]) => key === "en")?.[1];
  if (typeof nl === "string" || typeof en === "string") return [{ where, nl: typeof nl === "string" ? nl : "", en: typeof en === "string" ? en : "" }];
  return entries.flatMap(([key, item]) => textsIn(item, `${where}.${key}`));
}

function variablesIn(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((match) => match[1] ?? "").sort();
}

describe("refusing a broken flow with file, line and what is wrong", () => {
  it("reports a YAML syntax error with its line", () => {
    const dir = copyWithProef();
    edit(dir, "proef.yaml", "  klaar:\n    type: end\n", "  klaar:\n    type end\n");
    const { problems, message } = problemsIn(dir);
    expect(problems[0]).toEqual({ file: "proef.yaml", line: lineWith(dir, "proef.yaml", "type end"), message: expect.stringContaining("not valid YAML") });
    expect(message).toContain(`proef.yaml:${lineWith(dir, "proef.yaml", "type end")}: not valid YAML`);
  });

  it("reports a YAML syntax error in a real flow file too", () => {
    const dir = copyOfFlows();
    edit(dir, "stop.yaml", "intents: []", "intents: [melding");
    const { problems } = problemsIn(dir);
    const problem = problems.find((p) => p.file === "stop.yaml");
    expect(problem?.message).toMatch(/^not valid YAML: /);
    // The parser notices the missing ] at the start of the next line.
    expect(problem?.line).toBeGreaterThanOrEqual(lineWith(dir, "stop.yaml", "intents: [melding"));
    expect(problem?.line).toBeLessThanOrEqual(lineWith(dir, "stop.yaml", "intents: [melding") + 1);
  });

  it("reports a step without its Dutch text, at the step's text", () => {
    const dir = copyWithProef();
    edit(dir, "proef.yaml", '      nl: "Welke kleur wil je?"\n', "");
    const { problems } = problemsIn(dir);
    expect(problems).toEqual([{ file: "proef.yaml", line: lineWith(dir, "proef.yaml", "    text:"), message: expect.stringMatching(/^steps\.vraag\.text\.nl: .*missing/) }]);
  });

  it("reports a step without its English text", () => {
    const dir = copyWithProef();
    edit(dir, "proef.yaml", '      en: "Thank you, {{kleur}} is noted."\n', "");
    const { problems } = problemsIn(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/^steps\.klaar\.text\.en: .*missing/);
    // klaar: / type: end / text:
    expect(problems[0]?.line).toBe(lineWith(dir, "proef.yaml", "  klaar:") + 2);
  });

  it("reports an empty text", () => {
    const dir = copyWithProef();
    edit(dir, "proef.yaml", '      nl: "Welke kleur wil je?"', '      nl: ""');
    const { problems } = problemsIn(dir);
    expect(problems).toEqual([{ file: "proef.yaml", line: lineWith(dir, "proef.yaml", '      nl: ""'), message: expect.stringContaining("steps.vraag.text.nl") }]);
  });

  it("reports an unknown step type and lists the types there are", () => {
    const dir = copyWithProef();
    edit(dir, "proef.yaml", "    type: end", "    type: einde");
    const { problems } = problemsIn(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: "proef.yaml", line: lineWith(dir, "proef.yaml", "type: einde") });
    expect(problems[0]?.message).toMatch(/^steps\.klaar\.type: /);
    for (const type of ["say", "ask", "branch", "action", "set", "goto", "end"]) expect(problems[0]?.message).toContain(`'${type}'`);
  });

  it("reports a target that is not a step of the flow", () => {
    const dir = copyWithProef();
    edit(dir, "proef.yaml", "    next: klaar", "    next: klaarr");
    expect(problemsIn(dir).problems).toEqual([
      { file: "proef.yaml", line: lineWith(dir, "proef.yaml", "  vraag:"), message: 'steps.vraag: there is no step "klaarr" in this flow' },
      expect.objectContaining({ message: "steps.klaar: no step leads here" }),
    ]);
  });

  it("reports a target to a flow that does not exist", () => {
    const dir = copyWithProef();
    edit(dir, "proef.yaml", "      - { value: blauw, label: { nl: Blauw, en: Blue } }", "      - { value: blauw, label: { nl: Blauw, en: Blue }, next: flow:nergens }");
    expect(problemsIn(dir).problems).toEqual([{ file: "proef.yaml", line: lineWith(dir, "proef.yaml", "  vraag:"), message: 'steps.vraag: there is no flow "nergens"' }]);
  });

  it("reports a target to a step that another flow does not have", () => {
    const dir = copyWithProef();
    edit(dir, "proef.yaml", "    next: klaar", "    next: flow:menu#bestaat-niet");
    expect(problemsIn(dir).problems[0]).toEqual({ file: "proef.yaml", line: lineWith(dir, "proef.yaml", "  vraag:"), message: 'steps.vraag: flow "menu" has no step "bestaat-niet"' });
  });

  it("reports a start step that does not exist", () => {
    const dir = copyWithProef();
    edit(dir, "proef.yaml", "start: vraag", "start: begin");
    expect(problemsIn(dir).problems[0]).toEqual({ file: "proef.yaml", line: lineWith(dir, "proef.yaml", "start: begin"), message: 'start: there is no step "begin"' });
  });

  it("reports a choice without options", () => {
    const dir = copyWithProef();
    edit(dir, "proef.yaml", "    options:\n      - { value: rood, label: { nl: Rood, en: Red } }\n      - { value: blauw, label: { nl: Blauw, en: Blue } }\n", "");
    expect(problemsIn(dir).problems).toEqual([{ file: "proef.yaml", line: lineWith(dir, "proef.yaml", "  vraag:"), message: "steps.vraag: a choice needs options or optionsFrom" }]);
  });

  it("reports options on a question that is not a choice", () => {
    const dir = copyWithProef();
    edit(dir, "proef.yaml", "    input: choice", "    input: text");
    // The line of the first option, where the options start.
    expect(problemsIn(dir).problems).toEqual([{ file: "proef.yaml", line: lineWith(dir, "proef.yaml", "value: rood"), message: "steps.vraag: only a choice has options" }]);
  });

  it("reports a step that no step leads to", () => {
    const dir = copyWithProef();
    writeFileSync(join(dir, "proef.yaml"), `${PROEF}  vergeten:\n    type: end\n`);
    expect(problemsIn(dir).problems).toEqual([{ file: "proef.yaml", line: lineWith(dir, "proef.yaml", "  vergeten:"), message: "steps.vergeten: no step leads here" }]);
  });

  it("accepts a step that only another flow or a global command leads to", () => {
    const dir = copyWithProef();
    writeFileSync(join(dir, "proef.yaml"), `${PROEF}  van-elders:\n    type: end\n  via-commando:\n    type: end\n`);
    edit(dir, "stop.yaml", "steps:\n", "steps:\n  eerst:\n    type: goto\n    flow: proef\n    step: van-elders\n    then: what\n");
    edit(dir, "stop.yaml", "start: what", "start: eerst");
    edit(dir, "globals.yaml", "    target: flow:menu\n    language: en", "    target: flow:proef#via-commando\n    language: en");
    expect(loadFlows(dir).flows.get("proef")?.steps["via-commando"]).toBeDefined();
  });

  it("reports an intent that triage does not know", () => {
    const dir = copyWithProef();
    edit(dir, "proef.yaml", "intents: [idee]", "intents: [idee, klacht]");
    expect(problemsIn(dir).problems).toEqual([{ file: "proef.yaml", line: lineWith(dir, "proef.yaml", "intents:"), message: expect.stringContaining('"klacht" is not an intent') }]);
  });

  it("reports a flow id used twice, in the second file", () => {
    const dir = copyWithProef();
    writeFileSync(join(dir, "proef2.yaml"), PROEF);
    expect(problemsIn(dir).problems).toEqual([{ file: "proef2.yaml", line: lineWith(dir, "proef2.yaml", "id: proef"), message: 'flow id "proef" is used by proef.yaml too' }]);
  });

  it("reports a missing globals.yaml", () => {
    const dir = copyOfFlows();
    rmSync(join(dir, "globals.yaml"));
    const { problems, message } = problemsIn(dir);
    expect(problems).toEqual([{ file: "globals.yaml", line: null, message: expect.stringContaining("missing") }]);
    expect(message).toContain("globals.yaml: missing");
  });

  it("reports a missing settings.yaml", () => {
    const dir = copyOfFlows();
    rmSync(join(dir, "settings.yaml"));
    expect(problemsIn(dir).problems).toEqual([{ file: "settings.yaml", line: null, message: expect.stringContaining("missing") }]);
  });

  it("reports globals naming a menu flow that does not exist", () => {
    const dir = copyOfFlows();
    edit(dir, "globals.yaml", "\nmenu: menu\n", "\nmenu: hoofdmenu\n");
    expect(problemsIn(dir).problems).toEqual([{ file: "globals.yaml", line: lineWith(dir, "globals.yaml", "menu: hoofdmenu"), message: 'menu: there is no flow "hoofdmenu"' }]);
  });

  it("reports a global command leading to a flow that does not exist", () => {
    const dir = copyOfFlows();
    edit(dir, "globals.yaml", "    target: flow:help\n", "    target: flow:hulp\n");
    expect(problemsIn(dir).problems).toEqual([{ file: "globals.yaml", line: lineWith(dir, "globals.yaml", "target: flow:hulp"), message: 'commands.help.target: there is no flow "hulp"' }]);
  });

  it("reports a bad setting", () => {
    const dir = copyOfFlows();
    edit(dir, "settings.yaml", "responseTargetWorkingHours: 8", "responseTargetWorkingHours: -8");
    expect(problemsIn(dir).problems).toEqual([
      { file: "settings.yaml", line: lineWith(dir, "settings.yaml", "responseTargetWorkingHours"), message: expect.stringContaining("responseTargetWorkingHours") },
    ]);
  });

  it("reports a bot text missing from globals (a dialoogtafel list would say nothing when full)", () => {
    const dir = copyOfFlows();
    edit(dir, "globals.yaml", '  tafelFull:\n    nl: "Vol: wachtlijst."\n    en: "Full: waiting list."\n', "");
    expect(problemsIn(dir).problems).toEqual([{ file: "globals.yaml", line: lineWith(dir, "globals.yaml", "messages:"), message: "messages.tafelFull: missing" }]);
  });

  it("reports an answer for staff without its label in the handover note", () => {
    const dir = copyOfFlows();
    edit(dir, "globals.yaml", "    photo: Foto\n", "");
    expect(problemsIn(dir).problems).toEqual([
      { file: "globals.yaml", line: lineWith(dir, "globals.yaml", "  labels:"), message: "handoverNote.labels.photo: missing: staff read this answer in the handover note" },
    ]);
  });

  it("lists every problem at once, across files", () => {
    const dir = copyWithProef();
    edit(dir, "proef.yaml", "intents: [idee]", "intents: [klacht]");
    edit(dir, "proef.yaml", "    next: klaar", "    next: flow:nergens");
    edit(dir, "stop.yaml", "  stopped:\n    type: end", "  stopped:\n    type: stoppen");
    edit(dir, "globals.yaml", "\nmenu: menu\n", "\nmenu: hoofdmenu\n");
    const { problems, message } = problemsIn(dir);
    const expected = [
      `proef.yaml:${lineWith(dir, "proef.yaml", "intents:")}: intents: "klacht" is not an intent`,
      `proef.yaml:${lineWith(dir, "proef.yaml", "  vraag:")}: steps.vraag: there is no flow "nergens"`,
      `stop.yaml:${lineWith(dir, "stop.yaml", "type: stoppen")}: steps.stopped.type: `,
      `globals.yaml:${lineWith(dir, "globals.yaml", "menu: hoofdmenu")}: menu: there is no flow "hoofdmenu"`,
    ];
    for (const line of expected) expect(message).toContain(line);
    expect(message).toMatch(/^The flows have \d+ problem\(s\):\n/);
    expect(problems.length).toBeGreaterThanOrEqual(expected.length);
  });
});

describe("refusing an action step its action does not fit (conversation/actionSpecs.ts)", () => {
  const register = "    action: registerDialoogtafel\n    with: { tafel: { var: tafel } }";

  it("reports a misspelt parameter at its line, with the one it probably means", () => {
    const dir = copyOfFlows();
    edit(dir, "dialoogtafel.yaml", register, "    action: registerDialoogtafel\n    with: { tafle: { var: tafel } }");
    const line = lineWith(dir, "dialoogtafel.yaml", "tafle:");
    expect(problemsIn(dir).problems).toEqual([
      { file: "dialoogtafel.yaml", line, message: 'steps.register.with.tafle: registerDialoogtafel has no parameter "tafle" (did you mean "tafel"?); it takes tafel' },
      { file: "dialoogtafel.yaml", line, message: 'steps.register.with: registerDialoogtafel needs "tafel"' },
    ]);
  });

  it("reports a misspelt outcome at its line, with the outcomes there are", () => {
    const dir = copyOfFlows();
    edit(dir, "dialoogtafel.yaml", "      registered: registered\n", "      registred: registered\n");
    expect(problemsIn(dir).problems).toEqual([
      {
        file: "dialoogtafel.yaml",
        line: lineWith(dir, "dialoogtafel.yaml", "registred:"),
        message:
          'steps.register.next.registred: registerDialoogtafel never ends with "registred" (did you mean "registered"?); ' + "its outcomes are registered, waitlist, already, gone (and default)",
      },
    ]);
  });

  it("reports a required parameter left out, at the step", () => {
    const dir = copyOfFlows();
    edit(dir, "wijk.yaml", "    with: { place: { var: place } }\n", "");
    expect(problemsIn(dir).problems).toEqual([{ file: "wijk.yaml", line: lineWith(dir, "wijk.yaml", "  lookup:"), message: 'steps.lookup.with: lookupWijk needs "place"' }]);
  });

  it("reports a parameter given to an action that takes none", () => {
    const dir = copyOfFlows();
    edit(dir, "privacy.yaml", "    action: exportData\n", "    action: exportData\n    with: { format: pdf }\n");
    const line = lineWith(dir, "privacy.yaml", "format: pdf");
    expect(problemsIn(dir).problems).toEqual([{ file: "privacy.yaml", line, message: 'steps.export.with.format: exportData has no parameter "format"; it takes none' }]);
  });

  it("reports a literal value that does not fit the parameter", () => {
    const dir = copyOfFlows();
    edit(dir, "idee.yaml", "      intent: idee\n", "      intent: ide\n");
    edit(
      dir,
      "dialoogtafel.yaml",
      "  mine:\n    type: action\n    action: listDialoogtafels\n    with: { mine: true }",
      "  mine:\n    type: action\n    action: listDialoogtafels\n    with: { mine: ja }",
    );
    const { problems } = problemsIn(dir);
    expect(problems).toEqual([
      { file: "dialoogtafel.yaml", line: lineWith(dir, "dialoogtafel.yaml", "mine: ja"), message: expect.stringMatching(/^steps\.mine\.with\.mine: .*boolean/) },
      { file: "idee.yaml", line: lineWith(dir, "idee.yaml", "intent: ide"), message: expect.stringMatching(/^steps\.open\.with\.intent: .*"idee"/) },
    ]);
  });

  it("accepts a {{template}} text and outcomes left to default, as the real flows have them", () => {
    const set = loadFlows();
    // melding.yaml gives triage a {{template}}; contact.yaml leaves handover's closed and general to default.
    expect(set.flows.get("melding")?.steps.classify).toMatchObject({ action: "triage", with: { text: "{{description}}" } });
    expect(set.flows.get("contact")?.steps.handover).toMatchObject({ action: "handover", next: { open: "now", default: "later" } });
  });
});

/** Starts the service (src/main.ts) on the flows in `flows` and waits for it to exit. */
async function startService(flows: string): Promise<{ code: number | null; output: string }> {
  const data = tempDir("wijklijn-broken-");
  const child = spawnPiped({
    NODE_ENV: "development",
    PORT: "0",
    HOST: "127.0.0.1",
    FLOWS_DIR: flows,
    DATA_DIR: data,
    DATABASE_URL: `file:${join(data, "w.db")}`,
    LOG_LEVEL: "warn",
    TELEGRAM_BOT_TOKEN: "",
    WHATSAPP_WEB_ENABLED: "false",
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += String(chunk)));
  child.stderr.on("data", (chunk) => (output += String(chunk)));
  const timer = setTimeout(() => child.kill("SIGKILL"), 25_000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}

describe("starting the service with a broken flow", () => {
  it("refuses to start and names the file and line", async () => {
    const flows = copyWithProef();
    edit(flows, "proef.yaml", "    next: klaar", "    next: klaarr");
    const { code, output } = await startService(flows);
    expect(code, output).not.toBe(0);
    expect(code, output).not.toBeNull();
    expect(output).toContain(`proef.yaml:${lineWith(flows, "proef.yaml", "  vraag:")}: steps.vraag: there is no step "klaarr" in this flow`);
  });

  it("refuses to start on a misspelt action parameter and names the file and line", async () => {
    const flows = copyOfFlows();
    edit(flows, "dialoogtafel.yaml", "\n    with: { tafel: { var: tafel } }\n    next:\n      registered:", "\n    with: { tafle: { var: tafel } }\n    next:\n      registered:");
    const { code, output } = await startService(flows);
    expect(code, output).not.toBe(0);
    expect(code, output).not.toBeNull();
    expect(output).toContain(`dialoogtafel.yaml:${lineWith(flows, "dialoogtafel.yaml", "tafle:")}: steps.register.with.tafle: registerDialoogtafel has no parameter "tafle"`);
  });
});
