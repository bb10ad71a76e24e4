import { describe, expect, it } from "vitest";
import { defaultFlowsDir, loadFlows } from "../../src/conversation/loadFlows.ts";
import { routeQuestion } from "../../src/conversation/questionForm.ts";

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
