import { describe, expect, it } from "vitest";
import { asksWhoIsThere } from "../../src/conversation/asksWhoIsThere.ts";

describe("asksWhoIsThere", () => {
  it("sees a resident who wonders whether a person is there", () => {
    for (const text of ["is daar iemand?", "Hallo, is er iemand?", "ben je een mens?", "ben jij een robot", "praat ik met een computer?", "is anybody there?", "are you a bot?"]) {
      expect(asksWhoIsThere(text), text).toBe(true);
    }
  });

  it("does not take a wijk name, a postcode or a melding for it", () => {
    for (const text of ["Genoenhuis", "5662 AB", "ik woon in de Luchen", "er ligt afval bij de speeltuin, kan iemand dat opruimen?", "wat is mijn wijk?"]) {
      expect(asksWhoIsThere(text), text).toBe(false);
    }
  });
});
