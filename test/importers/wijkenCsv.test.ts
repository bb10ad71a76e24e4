import { readFileSync } from "node:fs";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { Db } from "../../src/db/client.ts";
import { findDefaultGemeente } from "../../src/db/gemeente.repo.ts";
import { findWijkBySlug, listWijken } from "../../src/db/wijk.repo.ts";
import { ImportError, type ImportProblem } from "../../src/importers/importReport.ts";
import { importWijkenFromCsv } from "../../src/importers/wijkenCsv.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";

// The CBS codes in the fixture are illustrative, like the rest of the demo gemeente.
const fixture = readFileSync(new URL("../fixtures/import/wijken.csv", import.meta.url), "utf8");

async function snapshot(db: Db) {
  return db.wijk.findMany({ orderBy: { slug: "asc" }, select: { slug: true, name: true, kern: true, active: true, cbsCode: true, shape: true, tandemId: true, updatedAt: true } });
}

async function refusal(promise: Promise<unknown>): Promise<ImportProblem[]> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ImportError);
  return error instanceof ImportError ? error.problems : [];
}

describeEachDatabase("importWijkenFromCsv", (provider) => {
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

  it("adds CBS codes to the demo wijken and creates a new, not yet active wijk", async () => {
    const result = await importWijkenFromCsv(db, gemeenteId, fixture);
    expect(result).toMatchObject({ created: 1, updated: 11, unchanged: 0 });
    const coevering = await db.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId, slug: "coevering" } } });
    expect(coevering.cbsCode).toBe("WK177102");
    expect(await findWijkBySlug(db, gemeenteId, "sang-en-akkers")).toEqual({ slug: "sang-en-akkers", name: "Sang en Akkers, Mierlo", active: false, tandem: "mierlo" });
    expect(await listWijken(db, gemeenteId)).toHaveLength(12);
  });

  it("changes nothing when the same file is imported again", async () => {
    await importWijkenFromCsv(db, gemeenteId, fixture);
    const before = await snapshot(db);
    expect(await importWijkenFromCsv(db, gemeenteId, fixture)).toMatchObject({ created: 0, updated: 0, unchanged: 12 });
    expect(await snapshot(db)).toEqual(before);
  });

  it("accepts English headers in any case, a semicolon file with BOM and CRLF, and leaves empty cells alone", async () => {
    const text = "\uFEFFSLUG;Name;Active;Tandem\r\ncoevering;De Coevering;false;\r\nnieuw;Nieuwe wijk;;geldrop-zuid\r\n";
    expect(await importWijkenFromCsv(db, gemeenteId, text)).toMatchObject({ created: 1, updated: 1 });
    expect(await findWijkBySlug(db, gemeenteId, "coevering")).toEqual({ slug: "coevering", name: "De Coevering", active: false, tandem: "geldrop-noord" });
    expect(await findWijkBySlug(db, gemeenteId, "nieuw")).toEqual({ slug: "nieuw", name: "Nieuwe wijk", active: true, tandem: "geldrop-zuid" });
    const coevering = await db.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId, slug: "coevering" } } });
    expect(coevering.kern).toBe("Geldrop");
    expect(coevering.shape).not.toBeNull();
  });

  it("stores a numeric CBS code as WK and six digits", async () => {
    await importWijkenFromCsv(db, gemeenteId, "slug,naam,cbscode\ncentrum,Geldrop-Centrum,177101\n");
    expect((await db.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId, slug: "centrum" } } })).cbsCode).toBe("WK177101");
  });

  it("refuses the whole file, writing nothing, and reports every bad row with its line", async () => {
    const before = await snapshot(db);
    const text = [
      "slug,naam,kern,actief,tandem,cbscode",
      "centrum,Nieuw Centrum,Geldrop,ja,geldrop-noord,WK177101",
      ",Zonder slug,,,,",
      "Met Spatie,Foute slug,,,,",
      "leeg,,,,,",
      "vaag,Vaag,,misschien,,",
      "weg,Weg,,ja,nergens,",
      "centrum,Tweemaal,,,,",
      "codes,Codes,,,,WK177101",
      "teveel,Te veel,Geldrop,ja,mierlo,WK177199,extra",
    ].join("\n");
    const problems = await refusal(importWijkenFromCsv(db, gemeenteId, text));
    expect(problems).toEqual([
      { line: 3, message: "slug: is empty: every wijk needs a slug (e.g. coevering)" },
      { line: 4, message: 'slug: "Met Spatie" is not a slug: use only lowercase letters, digits and single hyphens (e.g. "met-spatie")' },
      { line: 5, message: "naam: is empty: every wijk needs a name" },
      { line: 6, message: 'actief: "misschien" is not a yes/no value: use ja or nee (or true/false)' },
      { line: 7, message: expect.stringMatching(/^unknown tandem "nergens" \(known tandems: /) },
      { line: 8, message: 'slug "centrum" is used twice in the file (also at line 2); give each wijk its own slug' },
      { line: 9, message: "CBS code WK177101 is used twice in the file (also at line 2)" },
      { line: 10, message: expect.stringMatching(/has 7 fields but the header has 6 columns/) },
    ]);
    expect(await snapshot(db)).toEqual(before);
  });

  it("names the required columns that are missing", async () => {
    expect(await refusal(importWijkenFromCsv(db, gemeenteId, "code;kern\nx;y\n"))).toEqual([
      { line: 1, message: 'missing required columns slug and naam (or name); the header has the columns "code", "kern"' },
    ]);
    expect(await refusal(importWijkenFromCsv(db, gemeenteId, "slug,naam\n"))).toEqual([{ message: "the file has a header but no wijken" }]);
  });
});
