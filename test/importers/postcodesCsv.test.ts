import { readFileSync } from "node:fs";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { Db } from "../../src/db/client.ts";
import { findDefaultGemeente } from "../../src/db/gemeente.repo.ts";
import { findWijkByPostcode } from "../../src/db/wijk.repo.ts";
import { ImportError, type ImportProblem } from "../../src/importers/importReport.ts";
import { importPostcodesFromCsv } from "../../src/importers/postcodesCsv.ts";
import { importWijkenFromCsv } from "../../src/importers/wijkenCsv.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url), "utf8");
const simpleFile = fixture("postcodes-simple.csv");
// Semicolons, a byte order mark and CRLF, as CBS publishes them; the codes are illustrative.
const cbsFile = fixture("postcodes-cbs.csv");
const wijkenFile = fixture("wijken.csv");

async function rules(db: Db) {
  return db.postcodeRule.findMany({
    orderBy: [{ postcode4: "asc" }, { letterFrom: "asc" }, { letterTo: "asc" }],
    select: { postcode4: true, letterFrom: true, letterTo: true, wijkId: true, source: true },
  });
}

async function refusal(promise: Promise<unknown>): Promise<ImportProblem[]> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ImportError);
  return error instanceof ImportError ? error.problems : [];
}

describeEachDatabase("importPostcodesFromCsv", (provider) => {
  let database: TestDatabase;
  let db: Db;
  let gemeenteId: string;
  const wijkOf = async (postcode: string) => {
    const found = await findWijkByPostcode(db, gemeenteId, postcode);
    return found.wijk?.slug ?? found.reason;
  };

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

  it("imports the simple format: four digits, six positions, ranges and postcodes of no wijk", async () => {
    const result = await importPostcodesFromCsv(db, gemeenteId, simpleFile);
    // 5662AB and 5662AC are new; the eight others replace the demo rules for the same postcodes.
    expect(result).toMatchObject({ created: 2, updated: 8, unchanged: 0, deleted: 0 });
    expect(await wijkOf("5662AB")).toBe("braakhuizen-noord");
    expect(await wijkOf("5662 ac")).toBe("braakhuizen-noord");
    expect(await wijkOf("5662 AD")).toBe("coevering");
    expect(await wijkOf("5731 BC")).toBe("luchen");
    expect(await wijkOf("5731 AB")).toBe("mierlo-dorp");
    expect(await wijkOf("5660 AA")).toBe("no-wijk");
    expect(await wijkOf("5667 XY")).toBe("no-wijk");
    // Untouched demo rules stay without replace.
    expect(await wijkOf("5663")).toBe("genoenhuis");
    const imported = await db.postcodeRule.findUniqueOrThrow({ where: { gemeenteId_postcode4_letterFrom_letterTo: { gemeenteId, postcode4: "5731", letterFrom: "BA", letterTo: "BZ" } } });
    expect(imported.source).toBe("import");
  });

  it("changes nothing when the same file is imported again", async () => {
    await importPostcodesFromCsv(db, gemeenteId, simpleFile);
    const before = await rules(db);
    expect(await importPostcodesFromCsv(db, gemeenteId, simpleFile)).toMatchObject({ created: 0, updated: 0, unchanged: 10, deleted: 0 });
    expect(await importPostcodesFromCsv(db, gemeenteId, simpleFile, { replace: true })).toMatchObject({ created: 0, updated: 0, unchanged: 10, deleted: 6 });
    expect(await importPostcodesFromCsv(db, gemeenteId, simpleFile, { replace: true })).toMatchObject({ created: 0, updated: 0, unchanged: 10, deleted: 0 });
    expect((await rules(db)).length).toBe(before.length - 6);
  });

  it("with replace, removes the demo rules the file does not repeat, in the same transaction", async () => {
    const result = await importPostcodesFromCsv(db, gemeenteId, simpleFile, { replace: true });
    expect(result).toMatchObject({ created: 2, updated: 8, deleted: 6 });
    expect(await wijkOf("5663 AA")).toBe("outside");
    expect(await wijkOf("5731 CA")).toBe("mierlo-dorp");
    expect((await rules(db)).every((rule) => rule.source === "import")).toBe(true);
  });

  it("keeps rules of another source with replace", async () => {
    await db.postcodeRule.create({ data: { gemeenteId, postcode4: "5668", wijkId: null, source: "manual" } });
    await importPostcodesFromCsv(db, gemeenteId, simpleFile, { replace: true });
    expect(await wijkOf("5668")).toBe("no-wijk");
  });

  it("imports a CBS postcode–huisnummer file: one rule per PC6 for the wijk of most of its addresses", async () => {
    await importWijkenFromCsv(db, gemeenteId, wijkenFile);
    const result = await importPostcodesFromCsv(db, gemeenteId, cbsFile);
    expect(result).toMatchObject({ created: 10, updated: 0, unchanged: 0, skipped: 2 });
    expect(result.notes.join("\n")).toMatch(/2 addresses of other gemeenten were left out/);
    expect(result.notes.join("\n")).toMatch(/3 postcodes have addresses in more than one wijk .*5661 AA \(centrum 3, coevering 1\)/);

    // 5661AA: three addresses in centrum, one in coevering.
    expect(await wijkOf("5661AA")).toBe("centrum");
    // 5662AC: a tie goes to the wijk listed first.
    expect(await wijkOf("5662AC")).toBe("braakhuizen-noord");
    // Six positions win over the demo's four-position rule for 5662.
    expect(await wijkOf("5662 AB")).toBe("braakhuizen-noord");
    expect(await wijkOf("5662 AD")).toBe("coevering");
    expect(await wijkOf("5731 BA")).toBe("luchen");
    expect(await wijkOf("5641 AA")).toBe("outside");
    const rule = await db.postcodeRule.findUniqueOrThrow({ where: { gemeenteId_postcode4_letterFrom_letterTo: { gemeenteId, postcode4: "5661", letterFrom: "AA", letterTo: "AA" } } });
    expect(rule.source).toBe("import");
  });

  it("changes nothing when the same CBS file is imported again", async () => {
    await importWijkenFromCsv(db, gemeenteId, wijkenFile);
    await importPostcodesFromCsv(db, gemeenteId, cbsFile, { replace: true });
    const before = await rules(db);
    expect(before).toHaveLength(10);
    expect(await importPostcodesFromCsv(db, gemeenteId, cbsFile, { replace: true })).toMatchObject({ created: 0, updated: 0, unchanged: 10, deleted: 0 });
    expect(await rules(db)).toEqual(before);
  });

  it("matches CBS wijk codes with or without the WK prefix", async () => {
    await db.wijk.update({ where: { gemeenteId_slug: { gemeenteId, slug: "luchen" } }, data: { cbsCode: "177108" } });
    await db.wijk.update({ where: { gemeenteId_slug: { gemeenteId, slug: "kerkakkers" } }, data: { cbsCode: "WK177110" } });
    const text = "PC6,Huisnummer,WijkCode\n5731BA,1,WK177108\n5731DA,2,177110\n";
    expect(await importPostcodesFromCsv(db, gemeenteId, text)).toMatchObject({ created: 2 });
    expect(await wijkOf("5731BA")).toBe("luchen");
    expect(await wijkOf("5731DA")).toBe("kerkakkers");
  });

  it("refuses a simple file with bad rows, writing nothing, and reports every one with its line", async () => {
    const before = await rules(db);
    const text = [
      "postcode,wijk",
      "5661,centrum",
      "56621,coevering",
      "5662AB,Braakhuizen Noord",
      "5663,nergens",
      "5664AA,zesgehuchten",
      "5664 aa,genoenhuis",
      "5664AA,zesgehuchten",
      "5731AA-5732AZ,luchen",
      "5731BZ-5731BA,luchen",
      ",centrum",
      "5665SA,braakhuizen-noord",
    ].join("\r\n");
    const problems = await refusal(importPostcodesFromCsv(db, gemeenteId, text));
    expect(problems).toEqual([
      { line: 3, message: 'postcode: "56621" is not a valid postcode: use 5662, 5662AB, 5662 AB or a range such as 5731AA-5731AZ' },
      { line: 4, message: 'unknown wijk "Braakhuizen Noord" (did you mean "braakhuizen-noord"?); import the wijken first, or use -, geen or an empty cell for postcodes of no wijk' },
      { line: 5, message: expect.stringMatching(/^unknown wijk "nergens";/) },
      { line: 7, message: 'postcode 5664 AA is given wijk "genoenhuis" here but wijk "zesgehuchten" on line 6: give each postcode one wijk' },
      { line: 9, message: expect.stringMatching(/a range across two areas/) },
      { line: 10, message: expect.stringMatching(/a range that runs backwards: write the lower letters first \(5731BA-5731BZ\)/) },
      { line: 11, message: expect.stringMatching(/^postcode: is empty/) },
      { line: 12, message: expect.stringMatching(/"5665SA" is not a valid postcode/) },
    ]);
    expect(await rules(db)).toEqual(before);
  });

  it("refuses a CBS file with bad rows, writing nothing, and reports every one with its line", async () => {
    await importWijkenFromCsv(db, gemeenteId, wijkenFile);
    const before = await rules(db);
    const text = [
      "PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024",
      "5661AA;1;17710101;177101;1771",
      "5661;3;17710101;177101;1771",
      "5661AB;x;17710101;177101;1771",
      "5661AC;5;17710101;177199;1771",
      "5661AD;7;17710101;;1771",
      "PC;9;17710101;177101;1771",
    ].join("\r\n");
    const problems = await refusal(importPostcodesFromCsv(db, gemeenteId, `\uFEFF${text}\r\n`));
    expect(problems).toEqual([
      { line: 3, message: 'PC6: "5661" has four positions: a CBS file needs six (e.g. 5661AB)' },
      { line: 4, message: 'Huisnummer: "x" is not a house number' },
      { line: 5, message: "Wijk2024: unknown CBS wijk code 177199: no wijk of this gemeente has it as its CBS code" },
      { line: 6, message: "Wijk2024: is empty: every address needs a CBS wijk code" },
      { line: 7, message: 'PC6: "PC" is not a valid six-position postcode (e.g. 5662AB)' },
    ]);
    expect(await rules(db)).toEqual(before);
  });

  it("says so when no wijk has a CBS code yet", async () => {
    const problems = await refusal(importPostcodesFromCsv(db, gemeenteId, cbsFile));
    expect(problems).toEqual([{ message: expect.stringMatching(/none of the gemeente's wijken has a CBS code yet: import the wijken with their CBS codes first/) }]);
  });

  it("names the required columns that are missing", async () => {
    expect(await refusal(importPostcodesFromCsv(db, gemeenteId, "postcode;straat\n5661;Markt\n"))).toEqual([
      { line: 1, message: 'missing required column wijk (a wijk slug); the header has the columns "postcode", "straat"' },
    ]);
    expect(await refusal(importPostcodesFromCsv(db, gemeenteId, "PC6;Huisnummer;Buurt2024\n5661AA;1;17710101\n"))).toEqual([
      { line: 1, message: 'missing required column Wijk2024 (or wijkcode) with CBS wijk codes; the header has the columns "PC6", "Huisnummer", "Buurt2024"' },
    ]);
    expect(await refusal(importPostcodesFromCsv(db, gemeenteId, "Huisnummer,Wijk2024\n1,177101\n"))).toEqual([
      { line: 1, message: expect.stringMatching(/^missing required column PC6 \(or postcode\);/) },
    ]);
    expect(await refusal(importPostcodesFromCsv(db, gemeenteId, "a,b\n1,2\n"))).toEqual([
      { line: 1, message: expect.stringMatching(/^missing required column postcode and wijk \(a wijk slug\), or for a CBS file PC6, Huisnummer and Wijk2024/) },
    ]);
  });

  it("imports a CBS file of 12,000 addresses in seconds", async () => {
    await importWijkenFromCsv(db, gemeenteId, wijkenFile);
    const lines = ["PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024"];
    const letters = "ABCDEFGHJKLMNPRTVWXZ";
    let pc6Count = 0;
    for (const [index, postcode4] of ["5661", "5662", "5663", "5664", "5665"].entries()) {
      for (const first of letters) {
        for (const second of letters.slice(0, 10)) {
          pc6Count++;
          for (let house = 1; house <= 12; house++) lines.push(`${postcode4}${first}${second};${house};177${index + 1}0101;17710${index + 1};1771`);
        }
      }
    }
    expect(lines.length - 1).toBe(12_000);
    const started = performance.now();
    const result = await importPostcodesFromCsv(db, gemeenteId, lines.join("\r\n"), { replace: true });
    const seconds = (performance.now() - started) / 1000;
    expect(result).toMatchObject({ created: pc6Count, deleted: 14 });
    expect(seconds).toBeLessThan(10);
    expect(await wijkOf("5664 ZK")).toBe("genoenhuis");
  });
});
