import { describe, expect, it } from "vitest";
import { CHANNEL_PAUSE_AFTER_REFUSALS, SendPacer } from "../../src/jobs/sendPacer.ts";

const WHATSAPP = { perSecond: 80, perRecipientIntervalMs: 6_000, perRecipientBurst: 4 };
const T = 1_000_000;

describe("the send pacer", () => {
  it("allows a recipient its burst, then one message per interval", () => {
    const pacer = new SendPacer();
    for (let i = 0; i < 4; i++) {
      expect(pacer.recipientMaySend("anna", T)).toBe(true);
      pacer.recordSend("whatsapp", WHATSAPP, "anna", T);
    }
    expect(pacer.recipientMaySend("anna", T)).toBe(false);
    expect(pacer.recipientReadyAt("anna", T)).toBe(T + 6_000);
    expect(pacer.recipientMaySend("anna", T + 5_999)).toBe(false);
    expect(pacer.recipientMaySend("anna", T + 6_000)).toBe(true);
    // Another recipient is not affected.
    expect(pacer.recipientMaySend("bram", T)).toBe(true);
  });

  it("counts one recipient at a time by default (burst 1) and not at all without an interval", () => {
    const pacer = new SendPacer();
    pacer.recordSend("telegram", { perSecond: 30, perRecipientIntervalMs: 1_000 }, "anna", T);
    expect(pacer.recipientMaySend("anna", T + 999)).toBe(false);
    pacer.recordSend("webchat", { perSecond: 30, perRecipientIntervalMs: 0 }, "bram", T);
    expect(pacer.recipientMaySend("bram", T)).toBe(true);
  });

  it("caps the messages per second of a channel over all recipients", () => {
    const pacer = new SendPacer();
    const limits = { perSecond: 3, perRecipientIntervalMs: 1_000 };
    for (const to of ["a", "b", "c"]) pacer.recordSend("telegram", limits, to, T);
    expect(pacer.channelMaySend("telegram", limits, T + 999)).toBe(false);
    expect(pacer.channelMaySend("whatsapp", limits, T)).toBe(true);
    expect(pacer.channelMaySend("telegram", limits, T + 1_000)).toBe(true);
  });

  it("holds back only the refused recipient for the platform's retry-after", () => {
    const pacer = new SendPacer();
    expect(pacer.recordRefusal("telegram", undefined, { recipient: "anna", retryAfterMs: 30_000 }, T)).toBe("recipient");
    expect(pacer.recipientMaySend("anna", T + 29_999)).toBe(false);
    expect(pacer.recipientMaySend("anna", T + 30_000)).toBe(true);
    expect(pacer.recipientMaySend("bram", T)).toBe(true);
    expect(pacer.channelPaused("telegram", T)).toBe(false);
    expect(pacer.heldRecipients(T, 10)).toEqual(["anna"]);
  });

  it("pauses the channel when several recipients in a row are refused, for the shortest wait", () => {
    const pacer = new SendPacer();
    const waits = [60_000, 20_000, 40_000];
    const paused = waits.map((retryAfterMs, i) => pacer.recordRefusal("whatsapp", WHATSAPP, { recipient: `r${i}`, retryAfterMs }, T));
    expect(paused).toEqual([...Array<string>(CHANNEL_PAUSE_AFTER_REFUSALS - 1).fill("recipient"), "channel"]);
    expect(pacer.channelPaused("whatsapp", T + 19_999)).toBe(true);
    expect(pacer.channelPaused("whatsapp", T + 20_000)).toBe(false);
  });

  it("starts counting refusals again after a delivered message", () => {
    const pacer = new SendPacer();
    pacer.recordRefusal("whatsapp", WHATSAPP, { recipient: "r1", retryAfterMs: 6_000 }, T);
    pacer.recordRefusal("whatsapp", WHATSAPP, { recipient: "r2", retryAfterMs: 6_000 }, T);
    pacer.recordSend("whatsapp", WHATSAPP, "r3", T);
    expect(pacer.recordRefusal("whatsapp", WHATSAPP, { recipient: "r4", retryAfterMs: 6_000 }, T)).toBe("recipient");
    expect(pacer.channelPaused("whatsapp", T)).toBe(false);
  });

  it("pauses the channel at once when the platform says the limit is channel-wide", () => {
    const pacer = new SendPacer();
    expect(pacer.recordRefusal("whatsapp", WHATSAPP, { recipient: "r1", retryAfterMs: 300_000, scope: "channel" }, T)).toBe("channel");
    expect(pacer.channelMaySend("whatsapp", WHATSAPP, T + 299_999)).toBe(false);
    expect(pacer.channelMaySend("whatsapp", WHATSAPP, T + 300_000)).toBe(true);
  });
});
