/** Who hears a live inbox event (src/inbox/pages/inboxEvents.ts): the access rule, plus the shared queue of conversations without a tandem. */
import { describe, expect, it } from "vitest";
import type { StaffAccess } from "../../src/domain/access.ts";
import { mayHearEvent } from "../../src/inbox/pages/inboxEvents.ts";

const regisseur: StaffAccess = { role: "gebiedsregisseur", gemeenteId: "g1", tandemIds: ["noord"] };
const wethouder: StaffAccess = { role: "wethouder", gemeenteId: "g1", tandemIds: ["noord"] };
const admin: StaffAccess = { role: "admin", gemeenteId: "g1", tandemIds: [] };

describe("live inbox events", () => {
  it("reach the tandem's members and the admins", () => {
    const event = { conversationId: "c1", tandemId: "noord", kind: "message" as const };
    expect(mayHearEvent(regisseur, event)).toBe(true);
    expect(mayHearEvent(wethouder, event)).toBe(true);
    expect(mayHearEvent(admin, event)).toBe(true);
    expect(mayHearEvent(regisseur, { ...event, tandemId: "zuid" })).toBe(false);
  });

  it("of a conversation without a tandem reach every gebiedsregisseur, not a wethouder", () => {
    const event = { conversationId: "c2", tandemId: null, kind: "message" as const };
    expect(mayHearEvent(regisseur, event)).toBe(true);
    expect(mayHearEvent(admin, event)).toBe(true);
    expect(mayHearEvent(wethouder, event)).toBe(false);
  });
});
