import { describe, expect, it } from "vitest";
import { defaultFlowsDir, loadFlows } from "../../src/conversation/loadFlows.ts";
import { asksWasteCalendar, asksWasteCalendarInClauses, routeQuestion } from "../../src/conversation/questionForm.ts";

const { globals } = loadFlows(defaultFlowsDir);

describe("routeQuestion", () => {
  it.each([
    ["wanneer is da fietspad klaar", "melding"],
    ["komt er een nieuwe speeltuin?", "melding"],
    ["Wat gaat er gebeuren met het oude schoolplein?", "onbekend"],
    ["hoe lang duren de werkzaamheden aan de riolering nog", "melding"],
  ])("sends %j (triage: %s) to the wijk news", (text, intent) => {
    expect(routeQuestion(globals, text, { intent })).toBe("wijknieuws");
  });

  it("is unsure about a question that sounds like a melding, and offers both", () => {
    expect(routeQuestion(globals, "waarom ligt er nog steeds afval op straat?", { intent: "melding" })).toBe("ask");
  });

  it.each([
    ["de stoep is kapot bij de Heuvel 12", "melding"],
    ["hoe meld ik een kapotte lantaarnpaal?", "melding"],
    ["wanneer kan ik iemand spreken?", "contact"],
    ["wat bewaren jullie van mij?", "privacy"],
  ])("leaves %j (triage: %s) alone", (text, intent) => {
    expect(routeQuestion(globals, text, { intent })).toBeNull();
  });
});

describe("asksWasteCalendar: when afval is collected goes to the afvalkalender", () => {
  it.each([
    "wanneer wordt het oud papier opgehaald",
    "Wanneer wordt de groene bak geleegd?",
    "wanneer halen jullie het pmd op",
    "wanneer wordt het grofvuil opgehaald?",
    "welke dag wordt de grijze container geleegd",
    "waar vind ik de afvalkalender",
    "wat is de ophaaldag hier",
    "when is the bin collected?",
  ])("reads %j as a calendar question", (text) => {
    expect(asksWasteCalendar(globals, text)).toBe(true);
  });

  it.each([
    "mijn groene bak is niet geleegd",
    "het oud papier is vergeten",
    "er ligt afval op de stoep",
    "wanneer is het fietspad klaar?",
    "de container is kapot, wanneer wordt hij gemaakt?",
    "er is grofvuil gedumpt bij de Heuvel 12",
  ])("reads %j as no calendar question", (text) => {
    expect(asksWasteCalendar(globals, text)).toBe(false);
  });
});

describe("asksWasteCalendarInClauses: the calendar question beside something else (after 112/113, beside staff)", () => {
  it.each([
    "ja weet ik ook wel. wanneer wordt oud papier eigenlijk opgehaald bij ons",
    "nee hoeft niet. maar oud papier?",
    "nee. ik wil gewoon weten wanneer het oud papier is",
    "hallo?? oud papier",
    "wanneer wordt het oud papier opgehaald",
  ])("reads %j as a calendar question", (text) => {
    expect(asksWasteCalendarInClauses(globals, text)).toBe(true);
  });

  it.each([
    "nee hoeft niet",
    "mijn groene bak is niet geleegd",
    "de container is kapot, wanneer wordt hij gemaakt?",
    "er is grofvuil gedumpt bij de Heuvel 12",
    "er ligt afval op de stoep",
    "het oud papier is niet opgehaald?",
    "hallo??",
  ])("reads %j as no calendar question", (text) => {
    expect(asksWasteCalendarInClauses(globals, text)).toBe(false);
  });
});
