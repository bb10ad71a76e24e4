/**
 * The JSON Schemas in flows/schema/ (for editors) stay in step with the zod schemas they are
 * generated from (scripts/flow-json-schema.ts). No JSON Schema validator is installed, so the
 * flow files themselves are checked by loadFlows.test.ts; here: the committed documents are the
 * generated ones, they describe what authors write, and every flow file points at its schema.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildFlowJsonSchemas, flowSchemaDir, serialiseJsonSchema } from "../../scripts/flow-json-schema.ts";
import { defaultFlowsDir } from "../../src/conversation/loadFlows.ts";
import { StepSchema } from "../../src/conversation/flowSchema.ts";

const documents = buildFlowJsonSchemas();

/** A property of a JSON object, or undefined. */
function get(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, key)) return undefined;
    current = Object.getOwnPropertyDescriptor(current, key)?.value;
  }
  return current;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

describe("the JSON Schemas for editors (flows/schema)", () => {
  it("makes one document per kind of file", () => {
    expect(Object.keys(documents).sort()).toEqual(["flow.schema.json", "globals.schema.json", "settings.schema.json"]);
  });

  it.each(Object.keys(documents))("has %s committed as generated (run `npm run flows:schema` after changing flowSchema.ts)", (name) => {
    const document = documents[name];
    const path = join(flowSchemaDir, name);
    expect(existsSync(path), `${path} is missing`).toBe(true);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(document);
    // Byte for byte too, so that regenerating never shows up as a diff.
    if (document) expect(readFileSync(path, "utf8")).toBe(serialiseJsonSchema(document));
  });

  it("uses draft-07, which the YAML language server supports fully", () => {
    for (const document of Object.values(documents)) expect(document.$schema).toBe("http://json-schema.org/draft-07/schema#");
  });

  it("offers every step kind, each with a description to show on hover", () => {
    const kinds = list(get(documents["flow.schema.json"], "properties", "steps", "additionalProperties", "oneOf"));
    const types = kinds.map((kind) => get(kind, "properties", "type", "const"));
    expect(types).toEqual(StepSchema.options.map((option) => option.shape.type.value));
    expect(types).toEqual(expect.arrayContaining(["say", "ask", "branch", "action", "set", "goto", "end"]));
    for (const kind of kinds) expect(get(kind, "description"), `step ${String(get(kind, "title"))}`).toEqual(expect.any(String));
  });

  it("describes the recursive condition once, referring to itself for all, any and not", () => {
    const condition = get(documents["flow.schema.json"], "definitions", "Condition");
    const shapes = list(get(condition, "anyOf"));
    expect(shapes).toHaveLength(6);
    const ref = { $ref: "#/definitions/Condition" };
    expect(shapes).toContainEqual(expect.objectContaining({ properties: { all: { type: "array", items: ref } } }));
    expect(shapes).toContainEqual(expect.objectContaining({ properties: { any: { type: "array", items: ref } } }));
    expect(shapes).toContainEqual(expect.objectContaining({ properties: { not: ref } }));
  });

  it("does not require what has a default (io: input)", () => {
    const flow = documents["flow.schema.json"];
    expect(get(flow, "required")).toEqual(expect.arrayContaining(["version", "id", "title", "start", "steps"]));
    for (const optional of ["intents", "requiresConsent", "requiresWijk", "description"]) expect(get(flow, "required")).not.toContain(optional);
    const say = list(get(flow, "properties", "steps", "additionalProperties", "oneOf")).find((kind) => get(kind, "properties", "type", "const") === "say");
    expect(get(say, "required")).toEqual(["type", "text"]);
    expect(get(documents["settings.schema.json"], "required")).not.toContain("holidays");
  });

  it("requires a Dutch and an English version of every text", () => {
    expect(get(documents["flow.schema.json"], "definitions", "Text", "required")).toEqual(["nl", "en"]);
  });

  it("lists the actions and the global bot messages, so editors can complete them", () => {
    const action = list(get(documents["flow.schema.json"], "properties", "steps", "additionalProperties", "oneOf")).find((kind) => get(kind, "properties", "type", "const") === "action");
    expect(get(action, "properties", "action", "enum")).toEqual(expect.arrayContaining(["lookupWijk", "handover", "eraseData"]));
    expect(get(documents["globals.schema.json"], "properties", "messages", "required")).toEqual(expect.arrayContaining(["emergency112", "crisis113", "tooManyTries"]));
  });

  it("is pointed at by the first line of every file in flows/", () => {
    const files = readdirSync(defaultFlowsDir).filter((name) => name.endsWith(".yaml"));
    expect(files.length).toBeGreaterThan(5);
    for (const name of files) {
      const schema = name === "globals.yaml" ? "globals.schema.json" : name === "settings.yaml" ? "settings.schema.json" : "flow.schema.json";
      const firstLine = readFileSync(join(defaultFlowsDir, name), "utf8").split("\n")[0];
      expect(firstLine, name).toBe(`# yaml-language-server: $schema=./schema/${schema}`);
    }
  });
});
