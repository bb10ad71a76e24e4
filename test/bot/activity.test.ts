/** The Activity model at the core's edge: what the bot sends becomes an outbox payload (src/bot/activity.ts). */
import { describe, expect, it } from "vitest";
import { acknowledgeActivity, activityFromOutput, payloadFromActivity } from "../../src/bot/activity.ts";
import { OutboundPayloadSchema } from "../../src/domain/messages.ts";

describe("the acknowledgement that is not a bubble", () => {
  it("is a 👍 messageReaction on the resident's own stored message", () => {
    const activity = acknowledgeActivity({ type: "message", id: "msg-in-1", text: "nog iets" });
    expect(activity).toMatchObject({ type: "messageReaction", replyToId: "msg-in-1", reactionsAdded: [{ type: "👍" }] });
    expect(payloadFromActivity(activity)).toEqual({ text: "", buttons: [], reaction: { emoji: "👍", messageId: "msg-in-1" } });
  });

  it("leaves a message a message: text and buttons, no reaction", () => {
    const payload = payloadFromActivity(activityFromOutput({ text: "Klopt dat?", buttons: [{ label: "Ja", value: "yes" }], input: "yesno" }));
    expect(payload).toEqual({ text: "Klopt dat?", buttons: [{ label: "Ja", value: "yes" }], input: "yesno" });
  });

  it("refuses an outbox payload without text unless it is a reaction", () => {
    expect(OutboundPayloadSchema.safeParse({ text: "", buttons: [] }).success).toBe(false);
    expect(OutboundPayloadSchema.safeParse({ text: "", reaction: { emoji: "👍", messageId: "m1" } }).success).toBe(true);
  });
});
