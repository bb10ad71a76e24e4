/**
 * The actions' parameter schemas and outcomes (src/conversation/actionSpecs.ts): how an action
 * reads its parameters at run time, after the engine filled in {{templates}} and { var }s.
 */
import { describe, expect, it } from "vitest";
import { actionSpecs } from "../../src/conversation/actionSpecs.ts";
import { ActionNameSchema } from "../../src/conversation/flowSchema.ts";

describe("reading an action's parameters at run time", () => {
  it("keeps the values that fit", () => {
    expect(actionSpecs.lookupWijk.read({ place: { kind: "postcode", text: "5662 AB" } })).toEqual({ place: { kind: "postcode", text: "5662 AB" } });
    expect(actionSpecs.recordConsent.read({ kind: "privacy", granted: true })).toEqual({ kind: "privacy", granted: true });
  });

  it("leaves out a variable that is unset, blank or of another kind, as if the flow had not passed it", () => {
    expect(actionSpecs.registerDialoogtafel.read({ tafel: undefined })).toEqual({});
    expect(actionSpecs.registerDialoogtafel.read({ tafel: "  " })).toEqual({});
    const read = actionSpecs.openConversation.read({ intent: "melding", photo: null, location: "de markt", description: "Losse stoeptegel" });
    expect(read).toEqual({ intent: "melding", description: "Losse stoeptegel" });
    expect(actionSpecs.lookupWijk.read({ place: "5662" })).toEqual({});
  });

  it("drops a parameter the action does not take", () => {
    expect(actionSpecs.exportData.read({ format: "pdf" })).toEqual({});
  });
});

describe("the actions' outcomes", () => {
  it("gives every action at least one outcome, and none called default (that is every step's fallback)", () => {
    for (const name of ActionNameSchema.options) {
      expect(actionSpecs[name].outcomes.length, name).toBeGreaterThan(0);
      expect(actionSpecs[name].outcomes, name).not.toContain("default");
    }
  });
});
