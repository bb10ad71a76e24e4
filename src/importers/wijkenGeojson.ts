/**
 * Imports wijken with their boundaries from a GeoJSON FeatureCollection in WGS84 (EPSG:4326),
 * such as the CBS "wijken" layer of the Wijk- en Buurtkaart (PDOK) or any GIS export.
 *
 * Each feature is one wijk with a Polygon or MultiPolygon geometry. Properties (names in any
 * case, `_` and spaces ignored):
 * - `wijkcode` (CBS, e.g. "WK177101"), or `wk_code`, `statcode`, `code`, `cbscode` → the CBS code;
 * - `wijknaam`, or `wk_naam`, `statnaam`, `naam`, `name` → the name (required);
 * - `slug` (optional; otherwise a wijk with the same CBS code keeps its slug, else the name's slug);
 * - `tandem` (optional, the slug of an existing tandem), `kern`, `actief`/`active` (optional).
 *
 * The file must hold wijken. Files in the CBS style that also hold other areas are handled where
 * that is unambiguous: features with `water` "JA" and features whose `type`/`rubriek` is
 * "buurt" or "gemeente" (rather than "wijk") are left out, and so are wijken whose `gemeentecode` is not the gemeente's CBS code;
 * a buurt (a `buurtcode`, or a code starting with BU) without such a `type` is an error.
 */
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { ShapeSchema } from "../routing/geo.ts";
import { normaliseHeader } from "./csv.ts";
import { type ImportProblem, type ImportResult, SLUG_PATTERN, YesNoSchema, zodMessages } from "./importReport.ts";
import { formatCbsWijkCode, type ImportedWijk, saveImportedWijken } from "./wijkenCsv.ts";

const SUBJECT = "Wijken (GeoJSON)";

/** Options of the GeoJSON import. */
export interface GeoJsonImportOptions {
  /** The slug of the tandem for wijken that name none (new ones, and existing ones without a tandem). */
  defaultTandem?: string;
}

/**
 * Imports (creates or updates) the gemeente's wijken and their shapes from GeoJSON text.
 * Existing wijken get their name, shape and CBS code updated. Throws ImportError, writing
 * nothing, when the file or any feature is bad.
 */
export async function importWijkenFromGeoJson(db: Db, gemeenteId: string, text: string, options: GeoJsonImportOptions = {}): Promise<ImportResult> {
  const { wijken, problems, skipped, notes } = readWijkenGeoJson(text);
  return saveImportedWijken(db, SUBJECT, gemeenteId, wijken, problems, { defaultTandem: options.defaultTandem, skipped, notes });
}

/** What a GeoJSON file describes, before it is checked against the database. */
export interface WijkenGeoJson {
  wijken: ImportedWijk[];
  problems: ImportProblem[];
  /** Features left out on purpose (water, buurten in a file of several kinds of area). */
  skipped: number;
  notes: string[];
}

const CollectionSchema = z.object({
  type: z.literal("FeatureCollection"),
  features: z.array(z.unknown()),
});

const FeatureSchema = z.object({
  type: z.literal("Feature", { error: (issue) => `is not a GeoJSON Feature (its type is ${JSON.stringify(issue.input)})` }),
  geometry: z.unknown(),
  properties: z.record(z.string(), z.unknown()).nullish(),
});

const emptyToUndefined = (value: unknown) => (value === null || (typeof value === "string" && value.trim() === "") ? undefined : value);
const optionalText = z.preprocess(
  emptyToUndefined,
  z
    .union([z.string(), z.number()])
    .transform((value) => String(value).trim())
    .optional(),
);

/** The properties of a feature that the importer reads, after their names are normalised. */
const WijkPropertiesSchema = z.object({
  code: optionalText,
  name: optionalText,
  slug: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .regex(SLUG_PATTERN, { error: (issue) => `${JSON.stringify(issue.input)} is not a slug: use only lowercase letters, digits and single hyphens` })
      .optional(),
  ),
  tandem: optionalText,
  kern: optionalText,
  active: z.preprocess(emptyToUndefined, YesNoSchema.optional()),
  water: optionalText,
  type: optionalText,
  gemeenteCode: optionalText,
  buurtCode: optionalText,
});

/** Property names accepted for each field, normalised (lowercase, letters and digits only). */
const PROPERTY_NAMES: Record<keyof z.input<typeof WijkPropertiesSchema>, string[]> = {
  code: ["wijkcode", "wkcode", "statcode", "cbscode", "code"],
  name: ["wijknaam", "wknaam", "statnaam", "naam", "name"],
  slug: ["slug"],
  tandem: ["tandem"],
  kern: ["kern", "woonkern"],
  active: ["actief", "active"],
  water: ["water"],
  type: ["type", "rubriek"],
  gemeenteCode: ["gemeentecode", "gmcode"],
  buurtCode: ["buurtcode", "bucode"],
};

/**
 * Reads the wijken of a GeoJSON text without touching the database: every problem of the file
 * is collected, with the feature's index and line.
 */
export function readWijkenGeoJson(input: string): WijkenGeoJson {
  const text = input.startsWith("\uFEFF") ? input.slice(1) : input;
  const result: WijkenGeoJson = { wijken: [], problems: [], skipped: 0, notes: [] };
  const scanned = scanJson(text);
  if ("error" in scanned) {
    const { line, column } = lineAndColumn(text, scanned.offset);
    result.problems.push({ line, message: `the file is not valid JSON (column ${column}): ${scanned.error}` });
    return result;
  }
  const collection = CollectionSchema.safeParse(JSON.parse(text));
  if (!collection.success) {
    result.problems.push({ message: describeNotACollection(JSON.parse(text)) });
    return result;
  }
  const features = collection.data.features;
  if (features.length === 0) result.problems.push({ message: "the FeatureCollection has no features" });
  const lines = lineFinder(text);
  let water = 0;
  let otherAreas = 0;
  features.forEach((raw, index) => {
    const offset = scanned.featureOffsets[index];
    const at = { feature: index, line: offset === undefined ? undefined : lines(offset) };
    const read = readFeature(raw);
    if (read.kind === "problems") for (const message of read.messages) result.problems.push({ ...at, message });
    else if (read.kind === "water") water++;
    else if (read.kind === "other-area") otherAreas++;
    else result.wijken.push({ ...read.wijk, at });
  });
  result.skipped = water + otherAreas;
  if (water > 0) result.notes.push(`${water} water feature${water === 1 ? " was" : "s were"} left out (water = JA).`);
  if (otherAreas > 0) result.notes.push(`${otherAreas} feature${otherAreas === 1 ? " that is not a wijk was" : "s that are not wijken were"} left out (their type is not "wijk").`);
  return result;
}

const AREA_KINDS = new Set(["wijk", "buurt", "gemeente", "water", "land"]);

type FeatureReading = { kind: "wijk"; wijk: Omit<ImportedWijk, "at"> } | { kind: "water" } | { kind: "other-area" } | { kind: "problems"; messages: string[] };

/** Reads one feature: a wijk, a feature to leave out, or what is wrong with it. */
function readFeature(raw: unknown): FeatureReading {
  const feature = FeatureSchema.safeParse(raw);
  if (!feature.success) {
    const message = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? zodMessages(feature.error).join("; ") : "is not a GeoJSON Feature (not an object)";
    return { kind: "problems", messages: [message] };
  }
  const propertiesByName = new Map(Object.entries(feature.data.properties ?? {}).map(([key, value]) => [normaliseHeader(key), value]));
  const pick = (names: string[]) => names.map((name) => propertiesByName.get(name)).find((value) => emptyToUndefined(value) !== undefined);
  const parsed = WijkPropertiesSchema.safeParse(Object.fromEntries(Object.entries(PROPERTY_NAMES).map(([field, names]) => [field, pick(names)])));
  if (!parsed.success) return { kind: "problems", messages: zodMessages(parsed.error, "properties") };
  const properties = parsed.data;

  if (properties.water !== undefined && YesNoSchema.safeParse(properties.water).data === true) return { kind: "water" };
  // A type or rubriek property only counts when it names a kind of CBS area (some files use "type" otherwise).
  const areaKind = properties.type?.toLowerCase();
  if (areaKind !== undefined && AREA_KINDS.has(areaKind)) {
    if (areaKind !== "wijk") return { kind: "other-area" };
  } else if (properties.buurtCode !== undefined || /^BU\d/i.test(properties.code ?? "")) {
    return {
      kind: "problems",
      messages: [`is a buurt (code ${properties.buurtCode ?? properties.code ?? ""}), not a wijk: import the CBS layer of wijken, or give each feature a type "wijk" or "buurt"`],
    };
  } else if (/^GM\d/i.test(properties.code ?? "")) {
    return { kind: "problems", messages: [`is a gemeente (code ${properties.code ?? ""}), not a wijk: import the CBS layer of wijken`] };
  }

  const messages: string[] = [];
  if (properties.name === undefined) messages.push("has no name: give it a wijknaam (or naam or name) property");
  const shape = readGeometry(feature.data.geometry, messages);
  if (messages.length > 0 || properties.name === undefined || shape === null) return { kind: "problems", messages };
  return {
    kind: "wijk",
    wijk: {
      slug: properties.slug,
      name: properties.name,
      kern: properties.kern,
      active: properties.active,
      tandem: properties.tandem,
      cbsCode: properties.code === undefined ? undefined : formatCbsWijkCode(properties.code),
      shape,
      gemeenteCode: properties.gemeenteCode,
    },
  };
}

/** Checks a feature's geometry and returns it as stored shape text, or null with problems. */
function readGeometry(geometry: unknown, messages: string[]): string | null {
  if (geometry === null || geometry === undefined) {
    messages.push("has no geometry: every wijk needs a Polygon or MultiPolygon");
    return null;
  }
  const kind = z.object({ type: z.string() }).safeParse(geometry);
  if (!kind.success) {
    messages.push("has a geometry without a type: every wijk needs a Polygon or MultiPolygon");
    return null;
  }
  if (kind.data.type !== "Polygon" && kind.data.type !== "MultiPolygon") {
    messages.push(`has a ${kind.data.type} geometry: a wijk needs a Polygon or MultiPolygon`);
    return null;
  }
  const coordinateProblem = checkCoordinateSystem(geometry);
  if (coordinateProblem) {
    messages.push(coordinateProblem);
    return null;
  }
  const shape = ShapeSchema.safeParse(geometry);
  if (!shape.success) {
    messages.push(...zodMessages(shape.error, "geometry").map((message) => `has an invalid ${kind.data.type}: ${message}`));
    return null;
  }
  const polygons = shape.data.type === "Polygon" ? [shape.data.coordinates] : shape.data.coordinates;
  for (const [polygonIndex, rings] of polygons.entries()) {
    for (const [ringIndex, ring] of rings.entries()) {
      const first = ring[0];
      const last = ring[ring.length - 1];
      if (first && last && (first[0] !== last[0] || first[1] !== last[1])) {
        const where = shape.data.type === "Polygon" ? `ring ${ringIndex}` : `polygon ${polygonIndex}, ring ${ringIndex}`;
        messages.push(`has an invalid ${shape.data.type}: ${where} is not closed (its first and last positions differ)`);
      }
    }
  }
  return messages.length > 0 ? null : JSON.stringify(shape.data);
}

/**
 * Tells coordinates that are not WGS84 longitude/latitude apart: RD New (EPSG:28992) metres,
 * other projected systems, and latitude/longitude in the wrong order.
 */
function checkCoordinateSystem(geometry: unknown): string | null {
  const positions: Array<[number, number]> = [];
  const collect = (value: unknown): void => {
    if (!Array.isArray(value)) return;
    const [x, y] = value;
    if (typeof x === "number" && typeof y === "number") positions.push([x, y]);
    else for (const item of value) collect(item);
  };
  collect(z.object({ coordinates: z.unknown() }).safeParse(geometry).data?.coordinates);
  const outOfRange = positions.find(([x, y]) => Math.abs(x) > 180 || Math.abs(y) > 90);
  if (outOfRange) {
    const example = `[${outOfRange[0]}, ${outOfRange[1]}]`;
    const looksRd = positions.every(([x, y]) => x > -10_000 && x < 300_000 && y > 280_000 && y < 650_000);
    return looksRd
      ? `has coordinates in RD New (EPSG:28992) metres, e.g. ${example}; export the file as WGS84 (EPSG:4326), e.g. with QGIS "Export > Save Features As" or ogr2ogr -t_srs EPSG:4326`
      : `has coordinates that are not longitude/latitude degrees, e.g. ${example}; export the file as WGS84 (EPSG:4326)`;
  }
  const looksSwapped = positions.length > 0 && positions.every(([x, y]) => x >= 50.5 && x <= 53.8 && y >= 3 && y <= 7.5);
  if (looksSwapped) return "has coordinates as [latitude, longitude]; GeoJSON needs [longitude, latitude] (e.g. [5.56, 51.42])";
  return null;
}

function describeNotACollection(value: unknown): string {
  const type = z.object({ type: z.string() }).safeParse(value).data?.type;
  if (type === "FeatureCollection") return 'the FeatureCollection has no "features" array';
  if (type === "Feature") return "the file holds a single Feature: put it in a FeatureCollection";
  if (type !== undefined) return `the file holds a GeoJSON ${type}, not a FeatureCollection of wijken`;
  return "the file is JSON but not GeoJSON: a FeatureCollection of wijken is needed";
}

/** The 1-based line and column of an offset in the text. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** A function from offset to 1-based line, for many look-ups in one text. */
function lineFinder(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}

const WHITESPACE = /[ \t\n\r]*/y;
const STRING = /"(?:[^"\\\u0000-\u001F]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const MAX_DEPTH = 256;

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Why the string starting at `start` is not valid JSON. */
function describeBadString(text: string, start: number): string {
  for (let i = start + 1; i < text.length; i++) {
    const char = text[i] ?? "";
    if (char === "\\") {
      if (!/^(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/.test(text.slice(i + 1, i + 6))) return `a string holds an invalid escape \\${text[i + 1] ?? ""} (write a backslash as \\\\)`;
      i++;
    } else if (char === '"') {
      return "a string is not valid JSON";
    } else if (char < " ") {
      return "a string runs past the end of its line: is a closing quote missing?";
    }
  }
  return "the file ends inside a string: is the file cut off?";
}

/**
 * Checks JSON syntax and finds where each element of the top-level "features" array starts.
 * JSON.parse alone gives neither a reliable error position nor any positions at all.
 */
function scanJson(text: string): { featureOffsets: number[] } | { error: string; offset: number } {
  const featureOffsets: number[] = [];
  let pos = 0;
  const found = () => (pos >= text.length ? "the end of the file" : JSON.stringify(text[pos]));
  const fail = (message: string): never => {
    throw new JsonSyntaxError(message, pos);
  };
  const skipWhitespace = () => {
    WHITESPACE.lastIndex = pos;
    WHITESPACE.exec(text);
    pos = WHITESPACE.lastIndex;
  };
  const string = (): string => {
    STRING.lastIndex = pos;
    const match = STRING.exec(text);
    if (!match) fail(describeBadString(text, pos));
    pos = STRING.lastIndex;
    return match?.[0] ?? "";
  };
  const value = (depth: number, onElement?: (offset: number) => void): void => {
    if (depth > MAX_DEPTH) fail("the JSON is nested too deeply");
    skipWhitespace();
    const char = text[pos];
    if (char === "{") {
      pos++;
      skipWhitespace();
      if (text[pos] === "}") {
        pos++;
        return;
      }
      for (;;) {
        skipWhitespace();
        if (text[pos] !== '"') fail(`expected a property name in double quotes but found ${found()}${text[pos] === "}" ? " (a comma too many?)" : ""}`);
        const key = string();
        skipWhitespace();
        if (text[pos] !== ":") fail(`expected ':' after the property name ${key} but found ${found()}`);
        pos++;
        skipWhitespace();
        const isFeatures = depth === 0 && key === '"features"' && text[pos] === "[";
        value(depth + 1, isFeatures ? (offset) => featureOffsets.push(offset) : undefined);
        skipWhitespace();
        if (text[pos] === ",") {
          pos++;
          continue;
        }
        if (text[pos] === "}") {
          pos++;
          return;
        }
        fail(`expected ',' or '}' after a property value but found ${found()}`);
      }
    }
    if (char === "[") {
      pos++;
      skipWhitespace();
      if (text[pos] === "]") {
        pos++;
        return;
      }
      for (;;) {
        skipWhitespace();
        if (text[pos] === "]") fail('expected a value but found "]" (a comma too many?)');
        onElement?.(pos);
        value(depth + 1);
        skipWhitespace();
        if (text[pos] === ",") {
          pos++;
          continue;
        }
        if (text[pos] === "]") {
          pos++;
          return;
        }
        fail(`expected ',' or ']' after an array element but found ${found()}`);
      }
    }
    if (char === '"') {
      string();
      return;
    }
    NUMBER.lastIndex = pos;
    if (NUMBER.exec(text) && NUMBER.lastIndex > pos) {
      pos = NUMBER.lastIndex;
      return;
    }
    for (const literal of ["true", "false", "null"]) {
      if (text.startsWith(literal, pos)) {
        pos += literal.length;
        return;
      }
    }
    fail(`expected a value (an object, array, string, number, true, false or null) but found ${found()}`);
  };
  try {
    value(0);
    skipWhitespace();
    if (pos < text.length) fail(`unexpected ${found()} after the end of the JSON`);
    return { featureOffsets };
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { error: error.message, offset: error.offset };
    throw error;
  }
}
