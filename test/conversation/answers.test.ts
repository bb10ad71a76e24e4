/**
 * Reading residents' answers (src/conversation/answers.ts): the pure functions behind every
 * question the bot asks.
 */
import { describe, expect, it } from "vitest";
import { editDistance, matchChoice, matchLeadingChoice, normalise, parseDate, parseNumber, type Choice } from "../../src/conversation/answers.ts";

describe("normalise", () => {
  it("lower-cases, folds accents and drops punctuation and emoji", () => {
    expect(normalise("  Héél GOED!! 👍 ")).toBe("heel goed");
    expect(normalise("Ça va?")).toBe("ca va");
    expect(normalise("één")).toBe("een");
  });

  it("collapses white space, including new lines and tabs", () => {
    expect(normalise("iets\n\tmelden   graag")).toBe("iets melden graag");
  });

  it("keeps hyphens, @ and #, which carry meaning in names and addresses", () => {
    expect(normalise("Geldrop-Noord")).toBe("geldrop-noord");
    expect(normalise("info@gemeente.nl #wijk")).toBe("info@gemeente nl #wijk");
  });

  it("turns text with nothing to read into the empty string", () => {
    expect(normalise("?!... 🙂")).toBe("");
  });
});

describe("editDistance", () => {
  it("counts insertions, deletions and substitutions", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("melding", "melding")).toBe(0);
  });

  it("counts swapping two neighbouring letters as one typo", () => {
    expect(editDistance("melden", "meldne")).toBe(1);
    expect(editDistance("ab", "ba")).toBe(1);
  });
});

describe("parseNumber", () => {
  it("reads digits, also with a full stop after them or words behind them", () => {
    expect(parseNumber("3")).toBe(3);
    expect(parseNumber(" 12. ")).toBe(12);
    expect(parseNumber("3 personen")).toBe(3);
    expect(parseNumber("-2")).toBe(-2);
  });

  it("reads small Dutch and English number words and ordinals", () => {
    expect(parseNumber("twee")).toBe(2);
    expect(parseNumber("Eén")).toBe(1);
    expect(parseNumber("derde")).toBe(3);
    expect(parseNumber("2e")).toBe(2);
    expect(parseNumber("twaalf")).toBe(12);
    expect(parseNumber("three")).toBe(3);
    expect(parseNumber("first")).toBe(1);
  });

  it('reads "nummer 2", "optie drie" and "nr. 3" as the number', () => {
    expect(parseNumber("nummer 2")).toBe(2);
    expect(parseNumber("Nummer 2.")).toBe(2);
    expect(parseNumber("optie drie")).toBe(3);
    expect(parseNumber("nr. 3")).toBe(3);
    expect(parseNumber("option 4")).toBe(4);
  });

  it('reads "1.000" as a thousand, as Dutch residents write it', () => {
    expect(parseNumber("1.000")).toBe(1000);
    expect(parseNumber("12.500")).toBe(12500);
  });

  it("does not round a number with a fraction to a whole one, so the bot asks again", () => {
    expect(parseNumber("2,5")).toBeNull();
    expect(parseNumber("2.5")).toBeNull();
  });

  it("returns null when there is no number", () => {
    expect(parseNumber("veel")).toBeNull();
    expect(parseNumber("")).toBeNull();
    expect(parseNumber("5662AB")).toBeNull();
  });
});

describe("matchChoice", () => {
  const choices: Choice[] = [
    { value: "melding", labels: ["Iets melden", "melden", "probleem"] },
    { value: "idee", labels: ["Een idee delen", "initiatief"] },
    { value: "nieuws", labels: ["Wat speelt er?", "wijknieuws"] },
  ];
  const picked = (text: string, options?: { inSentence?: boolean }) => matchChoice(text, choices, options)?.value ?? null;

  it("takes a button's value as it is", () => {
    expect(picked("idee")).toBe("idee");
    expect(picked("nieuws")).toBe("nieuws");
  });

  it("takes a number as the position in the list, in digits or words", () => {
    expect(picked("1")).toBe("melding");
    expect(picked("twee")).toBe("idee");
    expect(picked("nummer 3")).toBe("nieuws");
    expect(picked("3e")).toBe("nieuws");
  });

  it("returns null for a number outside the list", () => {
    expect(picked("4")).toBeNull();
    expect(picked("0")).toBeNull();
  });

  it("takes a label or a synonym, whatever the case and punctuation", () => {
    expect(picked("IETS MELDEN!")).toBe("melding");
    expect(picked("wat speelt er")).toBe("nieuws");
    expect(picked("Initiatief")).toBe("idee");
  });

  it("forgives a small typo (one letter, or two in a long label), also a swap of two letters", () => {
    expect(picked("iets meldne")).toBe("melding");
    expect(picked("medlen")).toBe("melding");
    expect(picked("prbleem")).toBe("melding");
    expect(picked("wijknieus")).toBe("nieuws");
    expect(picked("een idee deln")).toBe("idee");
  });

  it("does not guess from a typo in a word shorter than five letters", () => {
    const yesNo: Choice[] = [
      { value: "yes", labels: ["ja"] },
      { value: "no", labels: ["nee"] },
    ];
    expect(matchChoice("nae", yesNo)).toBeNull();
    expect(matchChoice("jo", yesNo)).toBeNull();
  });

  it("reads an answer of emoji only as the choice with that emoji, skin tone ignored", () => {
    const yesNo: Choice[] = [
      { value: "yes", labels: ["ja", "👍", "👌"] },
      { value: "no", labels: ["nee", "👎"] },
    ];
    expect(matchChoice("👍", yesNo)?.value).toBe("yes");
    expect(matchChoice(" 👍🏽 ", yesNo)?.value).toBe("yes");
    expect(matchChoice("👎🏻", yesNo)?.value).toBe("no");
    expect(matchChoice("🙂", yesNo)).toBeNull();
    expect(matchChoice("👍👎", yesNo)).toBeNull();
  });

  it("finds the one label a sentence contains", () => {
    expect(picked("ik wil graag iets melden")).toBe("melding");
    expect(picked("Ik heb een probleem met de stoep")).toBe("melding");
  });

  it("finds the one option a few of its own words name", () => {
    const tafels: Choice[] = [
      { value: "t1", labels: ["Dialoogtafel Geldrop-Noord (do 10 dec, 19:30)"] },
      { value: "t2", labels: ["Dialoogtafel Mierlo-Dorp (di 15 dec, 20:00)"] },
    ];
    expect(matchChoice("die van geldrop noord", tafels)?.value).toBe("t1");
    expect(matchChoice("mierlo dorp graag", tafels)?.value).toBe("t2");
    expect(matchChoice("die van geldrop", tafels)?.value).toBe("t1");
    expect(matchChoice("dialoogtafel", tafels)).toBeNull();
    expect(matchChoice("die van eindhoven", tafels)).toBeNull();
  });

  it("reads English words around an option's own words as filler ('I want to join the one in Mierlo')", () => {
    const tafels: Choice[] = [
      { value: "t1", labels: ["Dialoogtafel Geldrop-Zuid"] },
      { value: "t2", labels: ["Dialoogtafel Mierlo"] },
    ];
    expect(matchChoice("I want to join the one in Geldrop-Zuid", tafels)?.value).toBe("t1");
    expect(matchChoice("I'd like to go to the Mierlo one", tafels)?.value).toBe("t2");
    expect(matchChoice("sign me up for mierlo please", tafels)?.value).toBe("t2");
    expect(matchChoice("I want to join the one in Eindhoven", tafels)).toBeNull();
  });

  it("returns null when a sentence names more than one option", () => {
    expect(picked("iets melden of een initiatief")).toBeNull();
  });

  it("returns null when two options share the word", () => {
    const shared: Choice[] = [
      { value: "no", labels: ["Nee", "nope"] },
      { value: "skip", labels: ["Overslaan", "nee"] },
    ];
    expect(matchChoice("nee", shared)).toBeNull();
  });

  it("ignores labels inside a sentence when inSentence is false", () => {
    expect(picked("ik wil graag iets melden", { inSentence: false })).toBeNull();
    expect(picked("iets melden", { inSentence: false })).toBe("melding");
  });

  it("returns null for empty or unreadable text", () => {
    expect(picked("")).toBeNull();
    expect(picked("🙂")).toBeNull();
    expect(picked("iets heel anders")).toBeNull();
  });
});

describe("parseDate", () => {
  const today: [number, number, number] = [2026, 11, 26];

  it("reads vandaag, morgen, overmorgen and gisteren (and English) relative to today", () => {
    expect(parseDate("vandaag", today)).toBe("2026-11-26");
    expect(parseDate("Morgen!", today)).toBe("2026-11-27");
    expect(parseDate("overmorgen", today)).toBe("2026-11-28");
    expect(parseDate("gisteren", today)).toBe("2026-11-25");
    expect(parseDate("tomorrow", today)).toBe("2026-11-27");
  });

  it("crosses month and year ends", () => {
    expect(parseDate("morgen", [2026, 12, 31])).toBe("2027-01-01");
    expect(parseDate("gisteren", [2027, 3, 1])).toBe("2027-02-28");
  });

  it("reads day-month in this year, and day-month-year with / - or .", () => {
    expect(parseDate("26-11", today)).toBe("2026-11-26");
    expect(parseDate("3/2", today)).toBe("2026-02-03");
    expect(parseDate("26/11/2026", today)).toBe("2026-11-26");
    expect(parseDate("26.11.27", today)).toBe("2027-11-26");
    expect(parseDate("op 26-11", today)).toBe("2026-11-26");
  });

  it('reads "26 november", "1 mei 2027", "26e nov" and English month names', () => {
    expect(parseDate("26 november", today)).toBe("2026-11-26");
    expect(parseDate("op 1 mei 2027", today)).toBe("2027-05-01");
    expect(parseDate("26e nov", today)).toBe("2026-11-26");
    expect(parseDate("3rd december", today)).toBe("2026-12-03");
    expect(parseDate("12 March", today)).toBe("2026-03-12");
  });

  it("reads an ISO date", () => {
    expect(parseDate("2027-01-05", today)).toBe("2027-01-05");
  });

  it("returns null for a date that does not exist", () => {
    expect(parseDate("31-02", today)).toBeNull();
    expect(parseDate("29-02-2027", today)).toBeNull();
    expect(parseDate("29-02-2028", today)).toBe("2028-02-29");
    expect(parseDate("32 januari", today)).toBeNull();
    expect(parseDate("2026-13-01", today)).toBeNull();
  });

  it("returns null for a year with three digits (a typo) instead of a date in the year 202", () => {
    expect(parseDate("26-11-202", today)).toBeNull();
  });

  it("returns null when there is no date", () => {
    expect(parseDate("volgende week", today)).toBeNull();
    expect(parseDate("26 blabla", today)).toBeNull();
    expect(parseDate("", today)).toBeNull();
  });
});

describe("matchLeadingChoice", () => {
  const yesNo: Choice[] = [
    { value: "yes", labels: ["Ja", "ja hoor", "doe maar"] },
    { value: "no", labels: ["Nee", "hoeft nie", "niet"] },
  ];
  it("reads an answer at the start of a sentence", () => {
    expect(matchLeadingChoice("ja hoor, grofvuil", yesNo)?.value).toBe("yes");
    expect(matchLeadingChoice("ja grofvuil", yesNo)?.value).toBe("yes");
    expect(matchLeadingChoice("doe maar, is goed", yesNo)?.value).toBe("yes");
    expect(matchLeadingChoice("hoeft nie, als t maar gemaakt word", yesNo)?.value).toBe("no");
  });
  it("counts for neither when the sentence also holds the other answer", () => {
    expect(matchLeadingChoice("ja nee niet echt", yesNo)).toBeNull();
    expect(matchLeadingChoice("nee ja doe maar", yesNo)).toBeNull();
  });
  it("needs more than the answer alone, and the answer first", () => {
    expect(matchLeadingChoice("ja", yesNo)).toBeNull();
    expect(matchLeadingChoice("grofvuil ja", yesNo)).toBeNull();
  });
});
