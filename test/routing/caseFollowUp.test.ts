import { describe, expect, it } from "vitest";
import { asksToCloseCase, readCaseFollowUp } from "../../src/routing/caseFollowUp.ts";

describe("asksToCloseCase", () => {
  it("reads a request to close a case that is solved", () => {
    for (const said of [
      "kunnen jullie mijn melding afsluiten? is opgelost",
      "de melding mag gesloten worden",
      "mijn melding mag dicht",
      "het is al opgelost",
      "is inmiddels verholpen, dank je",
      "it's fixed now, you can close the report",
    ]) {
      expect(asksToCloseCase(said), said).toBe(true);
    }
  });

  it("does not take a case that goes on, or a new matter, for one", () => {
    for (const said of ["het is nog steeds niet opgelost", "niet opgelost hoor", "de weg is afgesloten en er ligt glas", "er ligt een gat in de weg", "wanneer wordt het gemaakt?"]) {
      expect(asksToCloseCase(said), said).toBe(false);
    }
  });

  it("leaves the reading after a resolution as it was", () => {
    expect(readCaseFollowUp("nog steeds niet opgelost")).toBe("continues");
  });
});
