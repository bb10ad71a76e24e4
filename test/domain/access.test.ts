import { describe, expect, it } from "vitest";
import { canSee, scopeOf, type StaffAccess } from "../../src/domain/access.ts";

const admin: StaffAccess = { role: "admin", gemeenteId: "g1", tandemIds: [] };
const regisseur: StaffAccess = { role: "gebiedsregisseur", gemeenteId: "g1", tandemIds: ["noord"] };
const wethouder: StaffAccess = { role: "wethouder", gemeenteId: "g1", tandemIds: ["noord", "zuid"] };

describe("the access rule", () => {
  it("lets an admin see every tandem of the gemeente, and conversations without a tandem", () => {
    expect(scopeOf(admin)).toEqual({ gemeenteId: "g1", tandemIds: "all" });
    expect(canSee(admin, { gemeenteId: "g1", tandemId: "zuid" })).toBe(true);
    expect(canSee(admin, { gemeenteId: "g1", tandemId: null })).toBe(true);
    expect(canSee(admin, null)).toBe(true);
  });

  it("limits a gebiedsregisseur and a wethouder to their own tandems", () => {
    // A gebiedsregisseur also sees what reached no tandem and needs a person (issue 13: no one waits for an admin).
    expect(scopeOf(regisseur)).toEqual({ gemeenteId: "g1", tandemIds: ["noord"], unrouted: true });
    expect(scopeOf(wethouder)).toEqual({ gemeenteId: "g1", tandemIds: ["noord", "zuid"] });
    expect(canSee(regisseur, { gemeenteId: "g1", tandemId: "noord" })).toBe(true);
    expect(canSee(regisseur, { gemeenteId: "g1", tandemId: "zuid" })).toBe(false);
    expect(canSee(regisseur, "zuid")).toBe(false);
    expect(canSee(wethouder, "zuid")).toBe(true);
  });

  it("keeps a conversation without a tandem from everyone but the admins while the bot has it", () => {
    expect(canSee(regisseur, { gemeenteId: "g1", tandemId: null })).toBe(false);
    expect(canSee(regisseur, { gemeenteId: "g1", tandemId: null, status: "bot" })).toBe(false);
    expect(canSee(wethouder, null)).toBe(false);
  });

  it("shows every gebiedsregisseur a conversation without a tandem once it needs a person, never a wethouder", () => {
    expect(canSee(regisseur, { gemeenteId: "g1", tandemId: null, status: "open" })).toBe(true);
    expect(canSee(regisseur, { gemeenteId: "g1", tandemId: null, status: "bot", emergency: "113" })).toBe(true);
    expect(canSee(regisseur, { gemeenteId: "g2", tandemId: null, status: "open" })).toBe(false);
    expect(canSee(wethouder, { gemeenteId: "g1", tandemId: null, status: "open" })).toBe(false);
  });

  it("never shows another gemeente's conversation, not even to its admin", () => {
    expect(canSee(admin, { gemeenteId: "g2", tandemId: "noord" })).toBe(false);
    expect(canSee(regisseur, { gemeenteId: "g2", tandemId: "noord" })).toBe(false);
  });

  it("copies the tandem list, so a later change to the staff user does not change a scope", () => {
    const tandemIds = ["noord"];
    const scope = scopeOf({ role: "gebiedsregisseur", gemeenteId: "g1", tandemIds });
    tandemIds.push("zuid");
    expect(scope.tandemIds).toEqual(["noord"]);
  });
});
