import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.ts";
import { createDb, type Db } from "../../src/db/client.ts";
import { findDefaultGemeente } from "../../src/db/gemeente.repo.ts";
import { findWijkByLocation, findWijkByPostcode, findWijkBySlug } from "../../src/db/wijk.repo.ts";
import { createEmptyDatabaseUrl, describeEachDatabase } from "../helpers/db.ts";

const fixturesDir = fileURLToPath(new URL("../fixtures/import/", import.meta.url));
const fixture = (name: string) => join(fixturesDir, name);

function capture(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line), env }, out, err };
}

/** Row counts an import could change, to show that a refused import changed nothing. */
async function counts(db: Db) {
  return {
    wijken: await db.wijk.count(),
    rules: await db.postcodeRule.count(),
    imports: await db.auditEvent.count({ where: { action: { startsWith: "import." } } }),
    wijkUpdates: (await db.wijk.findMany({ orderBy: { slug: "asc" }, select: { slug: true, updatedAt: true } })).map((wijk) => `${wijk.slug}@${wijk.updatedAt.toISOString()}`),
  };
}

describeEachDatabase("the import commands of the admin CLI", (provider) => {
  let scratch: string;
  let url: string;
  let drop: () => Promise<void>;
  let db: Db;
  let gemeenteId: string;
  const cli = async (argv: string[], env: Record<string, string> = {}) => {
    const run = capture({ DATABASE_URL: url, ...env });
    const code = await runCli(argv, run.io);
    return { code, out: run.out.join("\n"), err: run.err.join("\n") };
  };
  const wijkOf = async (postcode: string) => {
    const found = await findWijkByPostcode(db, gemeenteId, postcode);
    return found.wijk?.slug ?? found.reason;
  };
  const writeScratch = (name: string, content: string | Uint8Array) => {
    const path = join(scratch, name);
    writeFileSync(path, content);
    return path;
  };

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "wijklijn-cli-import-"));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  beforeEach(async () => {
    ({ url, drop } = await createEmptyDatabaseUrl(provider));
    expect((await cli(["seed", "demo"])).code).toBe(0);
    db = createDb(url);
    const gemeente = await findDefaultGemeente(db);
    if (!gemeente) throw new Error("the demo gemeente was not seeded");
    gemeenteId = gemeente.id;
  });
  afterEach(async () => {
    await db.$disconnect();
    await drop();
  });

  it("imports wijken from CSV and then a CBS postcode file, whose six-position rules win over the demo's", async () => {
    expect(await wijkOf("5662 AB")).toBe("coevering");

    const wijken = await cli(["import", "wijken", "--csv", fixture("wijken.csv")]);
    expect(wijken).toMatchObject({ code: 0, err: "" });
    expect(wijken.out).toBe("Imported wijken from wijken.csv: 1 created, 11 updated, 0 unchanged, 0 deleted, 0 skipped.");
    expect(await findWijkBySlug(db, gemeenteId, "sang-en-akkers")).toMatchObject({ active: false, tandem: "mierlo" });

    const postcodes = await cli(["import", "postcodes", "--csv", fixture("postcodes-cbs.csv")]);
    expect(postcodes.code).toBe(0);
    const [summary, ...notes] = postcodes.out.split("\n");
    expect(summary).toBe("Imported postcode rules from postcodes-cbs.csv: 10 created, 0 updated, 0 unchanged, 0 deleted, 2 skipped.");
    expect(notes.join("\n")).toMatch(/2 addresses of other gemeenten were left out/);
    expect(await wijkOf("5662 AB")).toBe("braakhuizen-noord");
    expect(await wijkOf("5662 AD")).toBe("coevering");
    expect(await wijkOf("5661AA")).toBe("centrum");

    const audit = await db.auditEvent.findMany({ where: { action: { startsWith: "import." } } });
    expect(audit.map((event) => [event.action, event.actorKind, event.gemeenteId]).sort()).toEqual([
      ["import.postcodes", "cli", gemeenteId],
      ["import.wijken", "cli", gemeenteId],
    ]);
    const postcodeAudit = audit.find((event) => event.action === "import.postcodes");
    expect(JSON.parse(postcodeAudit?.data ?? "null")).toEqual({ file: "postcodes-cbs.csv", format: "csv", created: 10, updated: 0, unchanged: 0, deleted: 0, skipped: 2, replace: false });
    // Counts and the base name only: no directory, no rows of the file.
    const logged = audit.map((event) => event.data ?? "").join("\n");
    expect(logged).not.toContain(fixturesDir);
    expect(logged).not.toMatch(/5661|centrum|Geldrop/);

    const again = await cli(["import", "wijken", "--csv", fixture("wijken.csv")]);
    expect(again.out).toMatch(/0 created, 0 updated, 12 unchanged/);
  });

  it("imports simple postcode rules, and with --replace deletes the demo rules the file does not repeat", async () => {
    const first = await cli(["import", "postcodes", "--csv", fixture("postcodes-simple.csv")]);
    expect(first).toMatchObject({ code: 0, out: "Imported postcode rules from postcodes-simple.csv: 2 created, 8 updated, 0 unchanged, 0 deleted, 0 skipped." });
    expect(await wijkOf("5662 AB")).toBe("braakhuizen-noord");
    expect(await wijkOf("5667 XY")).toBe("no-wijk");
    expect(await wijkOf("5663 AA")).toBe("genoenhuis");

    const replaced = await cli(["import", "postcodes", "--csv", fixture("postcodes-simple.csv"), "--replace"]);
    expect(replaced).toMatchObject({ code: 0, out: expect.stringMatching(/0 created, 0 updated, 10 unchanged, 6 deleted, 0 skipped\.$/) });
    expect(await wijkOf("5663 AA")).toBe("outside");
    expect(await db.postcodeRule.count()).toBe(10);
    const audit = await db.auditEvent.findMany({ where: { action: "import.postcodes" } });
    expect(audit.map((event) => JSON.parse(event.data ?? "null"))).toContainEqual(expect.objectContaining({ file: "postcodes-simple.csv", deleted: 6, replace: true }));
  });

  it("imports GeoJSON wijken with a default tandem, and postcodes can then name the new wijk", async () => {
    const geojson = writeScratch(
      "nieuwe-wijken.geojson",
      JSON.stringify({
        type: "FeatureCollection",
        features: [
          {
            type: "Feature",
            properties: { wijkcode: "WK177114", wijknaam: "Nieuwe Akkers", gemeentecode: "GM1771" },
            geometry: {
              type: "Polygon",
              coordinates: [
                [
                  [5.7, 51.5],
                  [5.71, 51.5],
                  [5.71, 51.51],
                  [5.7, 51.51],
                  [5.7, 51.5],
                ],
              ],
            },
          },
        ],
      }),
    );
    const wijken = await cli(["import", "wijken", "--geojson", geojson, "--tandem", "mierlo"]);
    expect(wijken).toMatchObject({ code: 0, out: "Imported wijken from nieuwe-wijken.geojson: 1 created, 0 updated, 0 unchanged, 0 deleted, 0 skipped." });
    expect(await findWijkBySlug(db, gemeenteId, "nieuwe-akkers")).toMatchObject({ name: "Nieuwe Akkers", tandem: "mierlo" });
    expect((await findWijkByLocation(db, gemeenteId, 51.505, 5.705)).wijk?.slug).toBe("nieuwe-akkers");
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "import.wijken" } });
    expect(JSON.parse(audit.data ?? "null")).toEqual({ file: "nieuwe-wijken.geojson", format: "geojson", created: 1, updated: 0, unchanged: 0, deleted: 0, skipped: 0, defaultTandem: "mierlo" });

    const fixtureImport = await cli(["import", "wijken", "--geojson", fixture("wijken.geojson")]);
    expect(fixtureImport.out).toMatch(/1 created, 1 updated, 0 unchanged/);
    expect(await findWijkBySlug(db, gemeenteId, "hooge-heide-eind")).toMatchObject({ name: "Hooge Heide-Ëind", tandem: "buitengebied" });

    const postcodes = writeScratch("postcodes-nieuw.csv", "postcode;wijk\r\n5666 AB;nieuwe-akkers\r\n");
    expect((await cli(["import", "postcodes", "--csv", postcodes])).code).toBe(0);
    expect(await wijkOf("5666AB")).toBe("nieuwe-akkers");
    expect(await wijkOf("5666AC")).toBe("braakhuizen-zuid");
  });

  it("takes a relative path from the directory npm was started in (INIT_CWD)", async () => {
    const run = await cli(["import", "postcodes", "--csv", "postcodes-simple.csv"], { INIT_CWD: fixturesDir });
    expect(run).toMatchObject({ code: 0, out: expect.stringMatching(/^Imported postcode rules from postcodes-simple\.csv: 2 created/) });
  });

  it("refuses a postcode file with bad rows: exit 1, every line in stderr, nothing written", async () => {
    const before = await counts(db);
    const bad = writeScratch("bad-postcodes.csv", ["postcode,wijk", "5661,centrum", "56621,coevering", "5662AB,braakhuizen-noord", "5663,nergens", "5664AA,zesgehuchten"].join("\n"));
    const run = await cli(["import", "postcodes", "--csv", bad, "--replace"]);
    expect(run.code).toBe(1);
    expect(run.out).toBe("");
    expect(run.err).toMatch(/^Postcodes \(CSV\): import refused \(2 problems\), nothing was written/);
    expect(run.err).toMatch(/line 3: postcode: "56621" is not a valid postcode/);
    expect(run.err).toMatch(/line 5: unknown wijk "nergens"/);
    expect(await counts(db)).toEqual(before);
    expect(await wijkOf("5662 AB")).toBe("coevering");
  });

  it("refuses bad wijken files, CSV and GeoJSON, changing nothing", async () => {
    const before = await counts(db);
    const badCsv = writeScratch("bad-wijken.csv", "slug,naam,actief\ncentrum,Centrum,ja\nNieuw Slug,Nieuw,ja\nleeg,,misschien\n");
    const csv = await cli(["import", "wijken", "--csv", badCsv]);
    expect(csv.code).toBe(1);
    expect(csv.err).toMatch(/^Wijken \(CSV\): import refused .*nothing was written/);
    expect(csv.err).toMatch(/line 3: /);
    expect(csv.err).toMatch(/line 4: /);
    expect(csv.err).not.toMatch(/line 2: /);

    const badGeojson = writeScratch("bad.geojson", '{\n  "type": "FeatureCollection",\n  "features": [\n    { "type": "Feature", "properties": { "naam": "X" }, "geometry": null }\n  ]\n}\n');
    const geojson = await cli(["import", "wijken", "--geojson", badGeojson]);
    expect(geojson.code).toBe(1);
    expect(geojson.err).toMatch(/features\[0\] \(line 4\): has no geometry/);

    const unknownTandem = await cli(["import", "wijken", "--geojson", fixture("wijken.geojson"), "--tandem", "atlantis"]);
    expect(unknownTandem.code).toBe(1);
    expect(unknownTandem.err).toMatch(/the default tandem "atlantis" does not exist \(known tandems: .*mierlo/);

    expect(await counts(db)).toEqual(before);
  });

  it("names the path of a file that is missing or not UTF-8", async () => {
    const missing = join(scratch, "bestaat-niet.csv");
    const run = await cli(["import", "postcodes", "--csv", missing]);
    expect(run.code).toBe(1);
    expect(run.err).toBe(`Error: the file ${missing} does not exist`);

    const latin1 = writeScratch("latin1.csv", Uint8Array.from([...Buffer.from("slug,naam\nhooge-heide,Hooge Heide-"), 0xcb, 0x69, 0x6e, 0x64, 0x0a]));
    const encoding = await cli(["import", "wijken", "--csv", latin1]);
    expect(encoding.code).toBe(1);
    expect(encoding.err).toContain(`the file ${latin1} is not UTF-8 text`);

    const directory = await cli(["import", "wijken", "--geojson", scratch]);
    expect(directory.code).toBe(1);
    expect(directory.err).toContain(`${scratch} is a directory`);
  });

  it.each([
    [["import", "wijken"], /--csv <file> or --geojson <file> is required/],
    [["import", "wijken", "--csv", "a.csv", "--geojson", "b.geojson"], /either --csv or --geojson, not both/],
    [["import", "wijken", "--csv", "a.csv", "--tandem", "mierlo"], /--tandem only applies to --geojson/],
    [["import", "wijken", "--csv"], /argument missing/],
    [["import", "wijken", "--csv", "a.csv", "--replace"], /Unknown option '--replace'/],
    [["import", "postcodes"], /--csv is required/],
    [["import", "postcodes", "--geojson", "b.geojson"], /Unknown option '--geojson'/],
    [["import", "postcodes", "--csv", ""], /--csv is required/],
  ])("is a usage error: %j", async (argv, message) => {
    const before = await counts(db);
    const run = await cli(argv);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
    expect(run.err).toMatch(/Usage: npm run cli -- import (wijken|postcodes) --csv <file>/);
    expect(await counts(db)).toEqual(before);
  });

  it("lists both import commands with their usage in --help", async () => {
    const run = await cli(["--help"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("import wijken --csv <file> | --geojson <file> [--tandem <slug>]");
    expect(run.out).toContain("import postcodes --csv <file> [--replace]");
  });
});
