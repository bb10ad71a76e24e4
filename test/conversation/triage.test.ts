import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadTriageModel } from "../../src/conversation/loadTriageModel.ts";
import { TriageLexiconError, detectLanguage, explainTriage, loadTriageLexicon, triageText } from "../../src/conversation/triage.ts";

const lexicon = loadTriageLexicon();
const model = loadTriageModel();

describe("triageText", () => {
  it("folds accents: suïcide is suicide and sends to 113", () => {
    const result = triageText("Ik denk de laatste tijd aan suïcide", lexicon, model);
    expect(result).toMatchObject({ intent: "crisis", emergency: "113", theme: "zorg-welzijn" });
  });

  it("catches a gas smell told in passing inside a message about something else (fresh-eyes try)", () => {
    expect(triageText("die containers worden nooit geleegd, het stinkt. ik ruik trouwens al de hele ochtend gas en ben een beetje duizelig haha", lexicon, model).emergency).toBe("112");
    expect(triageText("containers nooit op tijd geleegd, trouwens ruik ik al de hele ochtend gas in de keuken, zal wel aan mij liggen", lexicon, model).emergency).toBe("112");
    expect(triageText("de gasfles van de bbq is leeg", lexicon, model).emergency).toBeNull();
  });

  it("tolerates one typo in long words", () => {
    expect(triageText("ik denk aan zelfmoort", lexicon, model).emergency).toBe("113");
    expect(triageText("ik ben bewustelos geweest en lig op straat", lexicon, model).emergency).toBe("112");
    expect(triageText("de lantaarnpal bij ons doet het niet", lexicon, model)).toMatchObject({
      intent: "melding",
      theme: "onderhoud",
    });
    expect(triageText("de klikko is niet geleegd", lexicon, model).theme).toBe("afval");
  });

  it("matches stems, split compounds, capitals and stretched letters", () => {
    expect(triageText("STOEPTEGELS LIGGEN LOS!!!", lexicon, model).theme).toBe("onderhoud");
    expect(triageText("overal honden poep op het veldje", lexicon, model)).toMatchObject({ intent: "melding", theme: "overlast" });
    expect(triageText("hoiiii", lexicon, model).intent).toBe("groet");
  });

  it("does not take a short word for a longer one ('staat' is not 'straat')", () => {
    expect(triageText("de lamp staat aan", lexicon, model).theme).not.toBe("verkeer");
  });

  it("does not read a common word as a typo of an emergency cue", () => {
    for (const text of [
      "de containers stinken enorm", // stinken is not stikken
      "de bloemen bloeien mooi in het park", // bloeien is not bloeden
      "ik heb het al twee keer gemeld", // gemeld is not geweld
      "het is hier niet gezond meer met die uitlaatgassen", // gezond is not gewond
      "schiet eens op met die lantaarnpaal", // schiet op: hurry up
    ]) {
      expect(triageText(text, lexicon, model).emergency, text).toBeNull();
    }
  });

  it("recognises plurals and diminutives of whole-word cues", () => {
    expect(triageText("de drempels zijn veel te hoog", lexicon, model).theme).toBe("verkeer");
    expect(triageText("alle bankjes in het park zijn kapot", lexicon, model).theme).toBe("onderhoud");
  });

  it("keeps '=' phrases together: 'de vijver zijn in' is not 'de vijver in'", () => {
    expect(triageText("de wilgen bij de vijver zijn in jaren niet geknot", lexicon, model).emergency).toBeNull();
    expect(triageText("er rijdt een auto de vijver in!", lexicon, model).emergency).toBe("112");
  });

  it("lets an emergency win over a greeting and a melding", () => {
    expect(triageText("hoi, er is brand in de container bij de flat", lexicon, model)).toMatchObject({
      intent: "spoed",
      emergency: "112",
    });
  });

  it("raises no emergency for harmless look-alikes", () => {
    for (const text of [
      "de brandweerkazerne is mooi opgeknapt",
      "ik heb een idee voor de speeltuin, help je mee?",
      "ik ga dood van het lawaai van de buren",
      "ik wil een einde maken aan de overlast van de hangjongeren",
      "er ligt glas op straat bij de glasbak",
      "vorige week was er een brand in de schuur, wie ruimt het puin op?",
      "kunnen jullie me helpen met de afvalkalender?",
      "de gasleiding wordt vervangen, hoe lang duurt dat?",
    ]) {
      expect(triageText(text, lexicon, model).emergency, text).toBeNull();
    }
  });

  it("answers onbekend with low confidence when it cannot tell", () => {
    for (const text of ["mijn kat heet Pietje", "ja", "blabla", "", "🙂"]) {
      const result = triageText(text, lexicon, model);
      expect(result.intent, text).toBe("onbekend");
      expect(result.theme, text).toBe("overig");
      expect(result.confidence.intent, text).toBeLessThan(0.3);
    }
  });

  it("is more confident about a clear melding than about an unclear one", () => {
    const clear = triageText("de lantaarnpaal is kapot en doet het al weken niet", lexicon, model);
    const vague = triageText("lantaarnpaal", lexicon, model);
    expect(clear.confidence.intent).toBeGreaterThan(vague.confidence.intent);
  });

  it("is deterministic", () => {
    const text = "Er wordt keihard gereden in onze straat, graag een drempel";
    expect(triageText(text, lexicon, model)).toEqual(triageText(text, lexicon, model));
  });

  it("explains which cues decided", () => {
    const explanation = explainTriage("kliko niet geleegd", lexicon, model);
    expect(explanation.matches.themes.afval).toHaveProperty("kliko*");
    expect(explanation.matches.intents.melding).toHaveProperty("niet geleegd");
  });
});

describe("the safety layer's rules of 2026-12-06", () => {
  it("holds back even a spoed cue of weight 5 far in the past or denied (past112), unless a now cue matched", () => {
    expect(triageText("mijn opa had vorig jaar een hartaanval, kan er een AED in onze straat komen", lexicon, model).emergency).toBeNull();
    expect(triageText("er is geen gaslucht hoor, maar de afvoer stinkt al dagen", lexicon, model).emergency).toBeNull();
    expect(triageText("vorig jaar ook al, en op dit moment weer een hartaanval, hij reageert niet", lexicon, model).emergency).toBe("112");
  });

  it("asks about a short text the model is sure of, and not about short answers", () => {
    const short = explainTriage("brandweer nummer?? snel", lexicon, model);
    expect(short.safety["112"].score).toBeGreaterThanOrEqual(short.safety["112"].sure);
    expect(short.result).toMatchObject({ emergency: null, possibleEmergency: "112" });
    for (const answer of ["zelf", "nee wacht", "heb ik niet", "ja"]) expect(triageText(answer, lexicon, model), answer).toMatchObject({ emergency: null, possibleEmergency: null });
  });

  it("never asks about a text without letters: a score, a choice or a time is an answer (the model gave '4' 0.71 for 112)", () => {
    for (const answer of ["1", "2", "3", "4", "5", "4!", "13:00", "2 3"]) expect(triageText(answer, lexicon, model), answer).toMatchObject({ emergency: null, possibleEmergency: null });
  });

  it("asks about 112 for a worry about someone's welfare (possible112), unless it is in the past", () => {
    const worries = ["buurvrouw van 85 doet al 3 dagen niet open, post stapelt op", "er loopt een oude man verward over straat in zijn pyjama"];
    for (const text of worries) {
      const explanation = explainTriage(text, lexicon, model);
      expect(explanation.result, text).toMatchObject({ emergency: null, possibleEmergency: "112" });
      expect(explanation.safety.worryCues.length, text).toBeGreaterThan(0);
    }
    expect(triageText("vorige week deed de buurvrouw 3 dagen niet open, nu is ze gelukkig weer thuis", lexicon, model).possibleEmergency).toBeNull();
    expect(triageText("de winkel doet op maandag de deur niet vroeg open", lexicon, model).possibleEmergency).toBeNull();
  });

  it("answers someone else's poisoning with 112, the writer's own with 113 (poisoned112, self113, taken113)", () => {
    expect(triageText("mijn broer heeft een hele doos slaappillen geslikt", lexicon, model).emergency).toBe("112");
    expect(triageText("onze peuter heeft een slok gootsteenontstopper gedronken", lexicon, model).emergency).toBe("112");
    expect(triageText("ik heb een hele doos slaappillen geslikt", lexicon, model).emergency).toBe("113");
    // A wish beside it is still a 113: the verb at the end of the clause ("dat hij dood wil").
    expect(triageText("mijn broer heeft pillen geslikt en zegt dat hij dood wil", lexicon, model).emergency).toBe("113");
  });

  it("holds back the word suicide in a story, a film or a crisis long over, never a wish of the writer's own (story113, topic113)", () => {
    expect(triageText("in de serie die ik kijk pleegt iemand zelfmoord, is er een filmhuis in Geldrop?", lexicon, model)).toMatchObject({ emergency: null, possibleEmergency: null });
    expect(triageText("ik heb een film over zelfmoord gezien en denk nu zelf aan zelfmoord", lexicon, model).emergency).toBe("113");
    expect(triageText("ik heb vijf jaar geleden geprobeerd zelfmoord te plegen en nu denk ik er weer elke dag aan", lexicon, model).emergency).toBe("113");
  });

  it("gives the menu's own asks their intent with a confidence the bot follows", () => {
    const asks: Array<{ text: string; intent: string }> = [
      { text: "ik wil iets melden over de weg", intent: "melding" },
      { text: "ik wil een melding doen", intent: "melding" },
      { text: "ik heb een idee", intent: "idee" },
      { text: "Wat speelt er in mijn wijk?", intent: "wijknieuws" },
    ];
    for (const { text, intent } of asks) {
      const result = triageText(text, lexicon, model);
      expect(result.intent, text).toBe(intent);
      expect(result.confidence.intent, text).toBeGreaterThanOrEqual(0.55);
    }
  });
});

describe("language detection", () => {
  it("detects English", () => {
    expect(triageText("The street light outside my house is broken", lexicon, model)).toMatchObject({
      language: "en",
      intent: "melding",
      theme: "onderhoud",
    });
    expect(detectLanguage("I want to talk to someone about the playground", lexicon)).toBe("en");
    expect(triageText("I don't want to live anymore", lexicon, model)).toMatchObject({ language: "en", emergency: "113" });
  });

  it("detects Dutch, also when it borrows English words", () => {
    expect(detectLanguage("de container bij de flat is vol", lexicon)).toBe("nl");
    expect(detectLanguage("ik wil updates over de wijk", lexicon)).toBe("nl");
  });
});

describe("loadTriageLexicon", () => {
  const folder = mkdtempSync(join(tmpdir(), "wijklijn-lexicon-"));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("rejects a lexicon with a missing theme and a bad weight, naming the file and the problem", () => {
    const file = join(folder, "broken.yaml");
    const source = readFileSync(fileURLToPath(new URL("../../flows/triage/lexicon.yaml", import.meta.url)), "utf8")
      .replace(/^ {2}jeugd:\n(?: {4}.*\n)+/m, "")
      .replace("    defect: 2\n", "    defect: heel erg\n");
    writeFileSync(file, source);

    expect(() => loadTriageLexicon(file)).toThrow(TriageLexiconError);
    try {
      loadTriageLexicon(file);
    } catch (error) {
      expect(error).toBeInstanceOf(TriageLexiconError);
      const message = error instanceof Error ? error.message : "";
      expect(message).toContain(file);
      expect(message).toMatch(/themes\.jeugd/);
      expect(message).toMatch(/line \d+, intents\.melding\.defect: .*number/);
    }
  });

  it("rejects a misplaced star in a cue", () => {
    const file = join(folder, "star.yaml");
    const source = readFileSync(fileURLToPath(new URL("../../flows/triage/lexicon.yaml", import.meta.url)), "utf8").replace("    defect: 2\n", "    de*fect: 2\n");
    writeFileSync(file, source);
    expect(() => loadTriageLexicon(file)).toThrow(/intents\.melding\.de\*fect: a "\*" may only stand/);
  });

  it("rejects a file that is not valid YAML, with the line", () => {
    const file = join(folder, "not-yaml.yaml");
    writeFileSync(file, "version: 1\nsettings:\n  typoMinLength: 6\n  typoMinLength: 7\n");
    expect(() => loadTriageLexicon(file)).toThrow(/not-yaml\.yaml[\s\S]*line 4/);
  });

  it("says so when the file does not exist", () => {
    expect(() => loadTriageLexicon(join(folder, "missing.yaml"))).toThrow(/missing\.yaml[\s\S]*cannot be read/);
  });
});

// A sweep of common meldingen about things lying somewhere, written 2026-12-07 and never trained on
// (flows/triage/corpus/nl-liggen.yaml has other lines of the kind): with batch 7's model, 15 of these
// 21 got the 112 answer or its question, as the model had learned "er ligt … op straat / op de grond /
// in het water" from emergencies about a person lying there. After nl-liggen.yaml: none decided, one asked.
describe("things lying somewhere are no emergency; a person lying there is", () => {
  const things = [
    "er ligt een matras op straat",
    "er ligt een fiets op straat",
    "er ligt een boom op de weg",
    "er ligt glas op het fietspad",
    "er ligt een dode kat op straat",
    "er ligt afval naast de container",
    "er ligt een kapotte stoeptegel",
    "er ligt een bank op de stoep",
    "er ligt grofvuil op de hoek",
    "er ligt een hoop zand op de stoep",
    "er ligt al een week een koelkast op straat",
    "er staat een auto al weken op de stoep",
    "er ligt een omgevallen boom op het pad",
    "er ligt een tak op de weg",
    "er ligt olie op de weg",
    "er ligt een paal op de grond",
    "de stoep ligt open",
    "er ligt een scooter in de sloot",
    "er ligt een winkelwagen in de vijver",
    "er ligt een deur op straat",
    "de lantaarnpaal is kapot",
  ];
  const people = ["er ligt iemand op straat", "er ligt een man op de grond", "mijn buurman ligt op de grond en reageert niet", "er ligt een vrouw op straat bij de bushalte"];

  it("never decides 112 for a thing, and asks about at most one of 21", () => {
    const results = things.map((text) => ({ text, result: triageText(text, lexicon, model) }));
    expect(results.filter(({ result }) => result.emergency !== null).map(({ text }) => text)).toEqual([]);
    expect(results.filter(({ result }) => result.possibleEmergency !== null).length).toBeLessThanOrEqual(1);
  });

  it("answers 112 for a person lying there", () => {
    for (const text of people) expect(triageText(text, lexicon, model).emergency, text).toBe("112");
  });
});

describe("fresh-eyes try 9: ordinary answers that got the 113 answer or its question", () => {
  it("reads 'not there now' and 'may be closed' as calm, and 'er niet meer zijn' still as 113", () => {
    for (const text of ["nee geen foto, ik sta er nu niet", "ik sta er nu niet", "nee, ik ben er nu niet", "het is opgeruimd zag ik net, mag dicht wat mij betreft"]) {
      const result = triageText(text, lexicon, model);
      expect([result.emergency, result.possibleEmergency], text).toEqual([null, null]);
    }
    for (const text of ["ik ben er straks niet meer", "binnenkort ben ik er niet meer", "ik wil er niet meer zijn"]) expect(triageText(text, lexicon, model).emergency, text).toBe("113");
  });
});
