import { readFileSync } from "node:fs";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { Db } from "../../src/db/client.ts";
import { findDefaultGemeente } from "../../src/db/gemeente.repo.ts";
import { findWijkByLocation } from "../../src/db/wijk.repo.ts";
import { ImportError, type ImportProblem } from "../../src/importers/importReport.ts";
import { importWijkenFromGeoJson, readWijkenGeoJson } from "../../src/importers/wijkenGeojson.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";

const fixture = readFileSync(new URL("../fixtures/import/wijken.geojson", import.meta.url), "utf8");

/** Everything an import could change, to show that a refused import changed nothing. */
async function snapshot(db: Db) {
  return {
    wijken: await db.wijk.findMany({ orderBy: { slug: "asc" }, select: { slug: true, name: true, kern: true, active: true, cbsCode: true, shape: true, tandemId: true, updatedAt: true } }),
    rules: await db.postcodeRule.count(),
  };
}

async function refusal(promise: Promise<unknown>): Promise<ImportProblem[]> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ImportError);
  return error instanceof ImportError ? error.problems : [];
}

const square = (lon: number, lat: number, size = 0.01) => [
  [lon, lat],
  [lon + size, lat],
  [lon + size, lat + size],
  [lon, lat + size],
  [lon, lat],
];

function collection(features: unknown[]): string {
  return JSON.stringify({ type: "FeatureCollection", features }, null, 2);
}

function polygonFeature(properties: Record<string, unknown>, ring = square(5.7, 51.5)) {
  return { type: "Feature", properties, geometry: { type: "Polygon", coordinates: [ring] } };
}

describeEachDatabase("importWijkenFromGeoJson", (provider) => {
  let database: TestDatabase;
  let db: Db;
  let gemeenteId: string;

  beforeEach(async () => {
    database = await createTestDatabase(provider, { seed: true });
    db = database.db;
    const gemeente = await findDefaultGemeente(db);
    if (!gemeente) throw new Error("the demo gemeente was not seeded");
    gemeenteId = gemeente.id;
  });
  afterEach(async () => {
    await database.drop();
  });

  it("updates an existing wijk and creates a new one, with their shapes", async () => {
    const result = await importWijkenFromGeoJson(db, gemeenteId, fixture);
    expect(result).toMatchObject({ created: 1, updated: 1, unchanged: 0, skipped: 0 });

    const centrum = await db.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId, slug: "centrum" } }, include: { tandem: true } });
    expect(centrum).toMatchObject({ name: "Centrum", cbsCode: "WK177101", active: true });
    expect(centrum.tandem?.slug).toBe("geldrop-noord");
    const created = await db.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId, slug: "hooge-heide-eind" } }, include: { tandem: true } });
    expect(created).toMatchObject({ name: "Hooge Heide-Ëind", cbsCode: "WK177112", active: true });
    expect(created.tandem?.slug).toBe("buitengebied");
  });

  it("answers shared locations from the imported shapes: holes and both parts of a MultiPolygon", async () => {
    await importWijkenFromGeoJson(db, gemeenteId, fixture);
    expect((await findWijkByLocation(db, gemeenteId, 51.418, 5.553)).wijk?.slug).toBe("centrum");
    // Inside the hole of the new centrum shape (and inside the hole the demo buitengebied leaves for centrum).
    expect(await findWijkByLocation(db, gemeenteId, 51.4215, 5.559)).toEqual({ wijk: null, reason: "outside" });
    expect((await findWijkByLocation(db, gemeenteId, 51.475, 5.535)).wijk?.slug).toBe("hooge-heide-eind");
    expect((await findWijkByLocation(db, gemeenteId, 51.382, 5.605)).wijk?.slug).toBe("hooge-heide-eind");
  });

  it("changes nothing when the same file is imported again", async () => {
    await importWijkenFromGeoJson(db, gemeenteId, fixture);
    const before = await snapshot(db);
    const again = await importWijkenFromGeoJson(db, gemeenteId, fixture);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect(await snapshot(db)).toEqual(before);
  });

  it("keeps the slug of a wijk already known by its CBS code when the file gives no slug", async () => {
    await db.wijk.update({ where: { gemeenteId_slug: { gemeenteId, slug: "coevering" } }, data: { cbsCode: "WK177102" } });
    const text = collection([polygonFeature({ wijkcode: "177102", wijknaam: "Wijk 02 Coevering" })]);
    expect(await importWijkenFromGeoJson(db, gemeenteId, text)).toMatchObject({ created: 0, updated: 1 });
    const coevering = await db.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId, slug: "coevering" } } });
    expect(coevering.name).toBe("Wijk 02 Coevering");
  });

  it("reads CBS-style properties in any case, active flags, and a default tandem for new wijken", async () => {
    const text = collection([
      polygonFeature({ WK_CODE: "WK177120", WK_NAAM: "Nieuwbouw Zuid", ACTIEF: "nee" }),
      polygonFeature({ statcode: "WK177121", statnaam: "Nieuwbouw Noord", active: true }, square(5.8, 51.5)),
    ]);
    const result = await importWijkenFromGeoJson(db, gemeenteId, text, { defaultTandem: "mierlo" });
    expect(result).toMatchObject({ created: 2 });
    const zuid = await db.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId, slug: "nieuwbouw-zuid" } }, include: { tandem: true } });
    expect(zuid).toMatchObject({ active: false, cbsCode: "WK177120" });
    expect(zuid.tandem?.slug).toBe("mierlo");
  });

  it("leaves out water, buurten in a file of several area kinds, and wijken of other gemeenten", async () => {
    const text = collection([
      polygonFeature({ wijkcode: "WK177130", wijknaam: "Land", gemeentecode: "GM1771", water: "NEE" }),
      polygonFeature({ wijkcode: "WK177131", wijknaam: "Meer", gemeentecode: "GM1771", water: "JA" }),
      polygonFeature({ statcode: "BU17713000", statnaam: "Een buurt", rubriek: "buurt" }),
      polygonFeature({ wijkcode: "WK077201", wijknaam: "Eindhoven Centrum", gemeentecode: "GM0772", water: "NEE" }),
    ]);
    const result = await importWijkenFromGeoJson(db, gemeenteId, text);
    expect(result).toMatchObject({ created: 1, skipped: 3 });
    expect(result.notes.join(" ")).toMatch(/water/);
    expect(await db.wijk.findUnique({ where: { gemeenteId_slug: { gemeenteId, slug: "land" } } })).not.toBeNull();
    expect(await db.wijk.count({ where: { slug: { in: ["meer", "een-buurt", "eindhoven-centrum"] } } })).toBe(0);
  });

  it("refuses the whole file, writing nothing, and reports every bad feature with its line", async () => {
    const before = await snapshot(db);
    const lines = [
      "{",
      '  "type": "FeatureCollection",',
      '  "features": [',
      '    { "type": "Feature", "properties": { "wijknaam": "Goed" }, "geometry": { "type": "Polygon", "coordinates": [[[5.7, 51.5], [5.71, 51.5], [5.71, 51.51], [5.7, 51.5]]] } },',
      '    { "type": "Feature", "properties": { "wijknaam": "Zonder vorm" }, "geometry": null },',
      '    { "type": "Feature", "properties": { "wijknaam": "Punt" }, "geometry": { "type": "Point", "coordinates": [5.7, 51.5] } },',
      '    { "type": "Feature", "properties": { "wijkcode": "WK177140" }, "geometry": { "type": "Polygon", "coordinates": [[[5.7, 51.5], [5.71, 51.5], [5.71, 51.51], [5.7, 51.5]]] } },',
      '    { "type": "Feature", "properties": { "wijknaam": "Onbekend", "tandem": "nergens" }, "geometry": { "type": "Polygon", "coordinates": [[[5.7, 51.5], [5.71, 51.5], [5.71, 51.51], [5.7, 51.5]]] } },',
      '    { "type": "Feature", "properties": { "wijknaam": "Dubbel", "slug": "goed" }, "geometry": { "type": "Polygon", "coordinates": [[[5.7, 51.5], [5.71, 51.5], [5.71, 51.51], [5.7, 51.5]]] } },',
      '    { "type": "Feature", "properties": { "wijknaam": "In RD" }, "geometry": { "type": "Polygon", "coordinates": [[[160000, 380000], [161000, 380000], [161000, 381000], [160000, 380000]]] } },',
      '    { "type": "Feature", "properties": { "wijknaam": "Open ring" }, "geometry": { "type": "Polygon", "coordinates": [[[5.7, 51.5], [5.71, 51.5], [5.71, 51.51], [5.7, 51.51]]] } },',
      '    { "type": "Feature", "properties": { "wijknaam": "Omgedraaid" }, "geometry": { "type": "Polygon", "coordinates": [[[51.5, 5.7], [51.5, 5.71], [51.51, 5.71], [51.5, 5.7]]] } },',
      '    { "type": "Feature", "properties": { "wijknaam": "Kort" }, "geometry": { "type": "Polygon", "coordinates": [[[5.7, 51.5], [5.71, 51.5], [5.7, 51.5]]] } }',
      "  ]",
      "}",
    ];
    const problems = await refusal(importWijkenFromGeoJson(db, gemeenteId, lines.join("\n")));
    const at = (feature: number) => problems.filter((problem) => problem.feature === feature);
    expect(at(0)).toEqual([]);
    expect(at(1)).toEqual([{ feature: 1, line: 5, message: expect.stringMatching(/has no geometry/) }]);
    expect(at(2)).toEqual([{ feature: 2, line: 6, message: expect.stringMatching(/has a Point geometry: a wijk needs a Polygon or MultiPolygon/) }]);
    expect(at(3)).toEqual([{ feature: 3, line: 7, message: expect.stringMatching(/has no name/) }]);
    expect(at(4)).toEqual([{ feature: 4, line: 8, message: expect.stringMatching(/unknown tandem "nergens" \(known tandems: buitengebied, geldrop-noord, geldrop-zuid, mierlo\)/) }]);
    expect(at(5)).toEqual([{ feature: 5, line: 9, message: expect.stringMatching(/slug "goed" is used twice in the file \(also at features\[0\], line 4\)/) }]);
    expect(at(6)).toEqual([{ feature: 6, line: 10, message: expect.stringMatching(/RD New \(EPSG:28992\).*export the file as WGS84 \(EPSG:4326\)/) }]);
    expect(at(7)).toEqual([{ feature: 7, line: 11, message: expect.stringMatching(/ring 0 is not closed/) }]);
    expect(at(8)).toEqual([{ feature: 8, line: 12, message: expect.stringMatching(/\[latitude, longitude\]/) }]);
    expect(at(9)).toEqual([{ feature: 9, line: 13, message: expect.stringMatching(/has an invalid Polygon: geometry.coordinates\[0\]: a ring needs at least four positions/) }]);
    expect(problems).toHaveLength(9);
    expect(await snapshot(db)).toEqual(before);
  });

  it("reports a file that is not JSON with the line of the mistake", async () => {
    const before = await snapshot(db);
    const text = '{\n  "type": "FeatureCollection",\n  "features": [\n    { "type": "Feature", }\n  ]\n}\n';
    const problems = await refusal(importWijkenFromGeoJson(db, gemeenteId, text));
    expect(problems).toEqual([{ line: 4, message: expect.stringMatching(/not valid JSON \(column 26\): expected a property name in double quotes but found "}" \(a comma too many\?\)/) }]);
    expect(await snapshot(db)).toEqual(before);
  });

  it("reports JSON that is not a FeatureCollection", async () => {
    const feature = JSON.stringify(polygonFeature({ wijknaam: "Alleen" }));
    expect(await refusal(importWijkenFromGeoJson(db, gemeenteId, feature))).toEqual([{ message: expect.stringMatching(/single Feature: put it in a FeatureCollection/) }]);
    expect(await refusal(importWijkenFromGeoJson(db, gemeenteId, "[1, 2]"))).toEqual([{ message: expect.stringMatching(/not GeoJSON/) }]);
    expect(await refusal(importWijkenFromGeoJson(db, gemeenteId, collection([])))).toEqual([{ message: "the FeatureCollection has no features" }]);
  });

  it("refuses an unknown default tandem", async () => {
    const problems = await refusal(importWijkenFromGeoJson(db, gemeenteId, fixture, { defaultTandem: "nergens" }));
    expect(problems).toEqual([{ message: expect.stringMatching(/default tandem "nergens" does not exist/) }]);
  });
});

it("reads a GeoJSON file with a byte order mark and gives each feature its line (readWijkenGeoJson)", () => {
  const read = readWijkenGeoJson(`\uFEFF${fixture}`);
  expect(read.problems).toEqual([]);
  expect(read.wijken.map((wijk) => wijk.at)).toEqual([
    { feature: 0, line: 5 },
    { feature: 1, line: 16 },
  ]);
});

it("reports a truncated GeoJSON file and a string without its closing quote", () => {
  const cut = readWijkenGeoJson(fixture.slice(0, fixture.indexOf('"geometry"')));
  expect(cut.problems).toEqual([{ line: 8, message: expect.stringMatching(/not valid JSON .*found the end of the file/) }]);
  const insideString = readWijkenGeoJson(fixture.slice(0, 200));
  expect(insideString.problems).toEqual([{ line: 7, message: expect.stringMatching(/the file ends inside a string: is the file cut off\?/) }]);
  const unclosed = readWijkenGeoJson('{\n  "type": "FeatureCollection,\n  "features": []\n}');
  expect(unclosed.problems).toEqual([{ line: 2, message: expect.stringMatching(/a string runs past the end of its line/) }]);
});

it("reports a buurten file that has no type to tell buurten from wijken", () => {
  const read = readWijkenGeoJson(collection([polygonFeature({ buurtcode: "BU17710101", buurtnaam: "Buurt", wijkcode: "WK177101", wijknaam: "Centrum" })]));
  expect(read.problems).toEqual([{ feature: 0, line: 4, message: expect.stringMatching(/is a buurt \(code BU17710101\), not a wijk/) }]);
});
