import { describe, expect, it } from "vitest";
import { maskChannelAddress } from "../../src/privacy/maskChannelAddress.ts";

describe("maskChannelAddress", () => {
  it.each([
    ["whatsapp", "31612344321", "+31 6 •••• 4321"],
    ["whatsapp", "31612344321@c.us", "+31 6 •••• 4321"],
    ["whatsapp", "32470123456", "+32 •••• 3456"],
    ["telegram", "987654321", "•••• 4321"],
    ["telegram", "4242", "••••"],
    ["webchat", "visitor-3f9c2a1b7d", "•••• 1b7d"],
    ["botframework", "a:1Xy_Zk9-QpL3", "•••• QpL3"],
  ] as const)("shows %s %s as %s", (channel, externalId, masked) => {
    expect(maskChannelAddress(channel, externalId)).toBe(masked);
  });

  it("never shows more than the last four characters of a number", () => {
    const masked = maskChannelAddress("whatsapp", "31612344321") ?? "";
    expect(masked.replace(/\D/g, "")).toBe("3164321");
    expect(masked).not.toContain("1234");
  });

  it("shows nothing for an empty address", () => {
    expect(maskChannelAddress("telegram", " ")).toBeNull();
  });
});
