import { describe, expect, it } from "vitest";
import { cell, checkFieldCount, detectDelimiter, findColumn, normaliseHeader, parseCsv } from "../../src/importers/csv.ts";
import { cbsWijkKey, formatImportProblem, ImportError, slugify, YesNoSchema } from "../../src/importers/importReport.ts";

function problemsOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportError) return error.problems;
    throw error;
  }
  throw new Error("expected an ImportError");
}

describe("parseCsv", () => {
  it("reads a plain comma file with the line number of every record", () => {
    const table = parseCsv("postcode,wijk\n5661,centrum\n5662,coevering\n");
    expect(table.delimiter).toBe(",");
    expect(table.header).toEqual({ line: 1, fields: ["postcode", "wijk"] });
    expect(table.rows).toEqual([
      { line: 2, fields: ["5661", "centrum"] },
      { line: 3, fields: ["5662", "coevering"] },
    ]);
  });

  it("detects the semicolon of Dutch CBS files and strips the byte order mark", () => {
    const table = parseCsv("\uFEFFPC6;Huisnummer;Wijk2024\r\n5661AA;1;177101\r\n5661AA;3;177101\r\n");
    expect(table.delimiter).toBe(";");
    expect(table.header.fields).toEqual(["PC6", "Huisnummer", "Wijk2024"]);
    expect(table.rows.map((row) => row.line)).toEqual([2, 3]);
    expect(table.rows[1]?.fields).toEqual(["5661AA", "3", "177101"]);
  });

  it("keeps delimiters, escaped quotes and line breaks inside quoted fields, counting lines right", () => {
    const text = 'slug;naam;kern\r\na;"Sang; en ""Akkers""";Mierlo\r\nb;"Twee\r\nregels";Geldrop\r\nc;"komma, hier";\r\n';
    const table = parseCsv(text);
    expect(table.rows).toEqual([
      { line: 2, fields: ["a", 'Sang; en "Akkers"', "Mierlo"] },
      { line: 3, fields: ["b", "Twee\r\nregels", "Geldrop"] },
      { line: 5, fields: ["c", "komma, hier", ""] },
    ]);
  });

  it("does not let a delimiter inside quotes in the header decide the delimiter", () => {
    expect(detectDelimiter('"a;b;c",d,e\n1,2,3')).toBe(",");
    expect(detectDelimiter("a\tb\tc\n")).toBe("\t");
    expect(detectDelimiter("single\n")).toBe(",");
  });

  it("handles a file without a final line break, old Mac line ends and blank lines", () => {
    expect(parseCsv("a,b\n1,2").rows).toEqual([{ line: 2, fields: ["1", "2"] }]);
    expect(parseCsv("a,b\r1,2\r3,4").rows.map((row) => row.line)).toEqual([2, 3]);
    expect(parseCsv("a,b\n\n1,2\n\n\n3,4\n").rows).toEqual([
      { line: 3, fields: ["1", "2"] },
      { line: 6, fields: ["3", "4"] },
    ]);
  });

  it("keeps empty fields, including a quoted empty field and a trailing one", () => {
    expect(parseCsv('a,b,c\n"",,\n').rows).toEqual([{ line: 2, fields: ["", "", ""] }]);
  });

  it("keeps a quote in the middle of an unquoted field as a character", () => {
    expect(parseCsv('a,b\n5" buis,x\n').rows[0]?.fields).toEqual(['5" buis', "x"]);
  });

  it("reports a quoted field that is never closed at the line where it starts", () => {
    const problems = problemsOf(() => parseCsv('a,b\n1,2\n3,"open\n4,5\n'));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.line).toBe(3);
    expect(problems[0]?.message).toMatch(/never closed/);
  });

  it("reports text after a closing quote", () => {
    const problems = problemsOf(() => parseCsv('a,b\n"x"y,2\n"ok",3\n'));
    expect(problems).toEqual([{ line: 2, message: expect.stringMatching(/unexpected text "y" after a closing quote/) }]);
  });

  it("reports an empty file", () => {
    expect(problemsOf(() => parseCsv(""))[0]?.message).toMatch(/empty/);
    expect(problemsOf(() => parseCsv("\uFEFF\r\n\r\n"))[0]?.message).toMatch(/empty/);
  });
});

describe("CSV column helpers", () => {
  it("matches header names whatever their case, spaces or underscores", () => {
    expect(normaliseHeader(" Wijk_Code ")).toBe("wijkcode");
    expect(findColumn(["PC6", "Huisnummer", "WijkCode"], ["wijkcode"])).toBe(2);
    expect(findColumn(["Slug", "Name"], ["naam", "name"])).toBe(1);
    expect(findColumn(["a"], ["b"])).toBeUndefined();
  });

  it("reads missing cells as empty and flags only non-empty extra fields", () => {
    const header = { line: 1, fields: ["a", "b"] };
    expect(cell({ line: 2, fields: ["1"] }, 1)).toBe("");
    expect(cell({ line: 2, fields: [" 1 "] }, 0)).toBe("1");
    expect(checkFieldCount({ line: 2, fields: ["1", "2", ""] }, header)).toBeNull();
    expect(checkFieldCount({ line: 3, fields: ["1", "2", "3"] }, header)).toEqual({ line: 3, message: expect.stringMatching(/3 fields but the header has 2 columns/) });
  });
});

describe("import report helpers", () => {
  it("makes slugs from names, folding accents", () => {
    expect(slugify("Hooge Heide-Ëind")).toBe("hooge-heide-eind");
    expect(slugify("Buitengebied (Gijzenrooi e.o.)")).toBe("buitengebied-gijzenrooi-e-o");
    expect(slugify("  Café 't Hof  ")).toBe("cafe-t-hof");
    expect(slugify("???")).toBe("");
  });

  it("compares CBS wijk codes with or without the WK prefix", () => {
    expect(cbsWijkKey("WK177101")).toBe("177101");
    expect(cbsWijkKey("wk177101")).toBe("177101");
    expect(cbsWijkKey("177101")).toBe("177101");
    expect(cbsWijkKey("30101")).toBe("030101");
  });

  it("reads ja/nee and true/false", () => {
    expect(YesNoSchema.parse("Ja")).toBe(true);
    expect(YesNoSchema.parse("NEE")).toBe(false);
    expect(YesNoSchema.parse(true)).toBe(true);
    expect(YesNoSchema.parse(0)).toBe(false);
    expect(YesNoSchema.safeParse("misschien").success).toBe(false);
  });

  it("lists at most fifty problems in the error message, in file order", () => {
    const problems = Array.from({ length: 60 }, (_, index) => ({ line: 61 - index, message: `bad row ${61 - index}` }));
    const error = new ImportError("Postcodes (CSV)", problems);
    expect(error.problems).toHaveLength(60);
    expect(error.problems[0]?.line).toBe(2);
    expect(error.message).toMatch(/^Postcodes \(CSV\): import refused \(60 problems\), nothing was written/);
    expect(error.message).toContain("line 2: bad row 2");
    expect(error.message).toContain("line 51: bad row 51");
    expect(error.message).not.toContain("line 52:");
    expect(error.message).toContain("and 10 more");
  });

  it("formats where a problem is", () => {
    expect(formatImportProblem({ feature: 2, line: 40, message: "has no name" })).toBe("features[2] (line 40): has no name");
    expect(formatImportProblem({ line: 3, message: "x" })).toBe("line 3: x");
    expect(formatImportProblem({ message: "the file is empty" })).toBe("the file is empty");
  });
});
