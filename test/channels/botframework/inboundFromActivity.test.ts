import type { Activity } from "botbuilder";
import { describe, expect, it } from "vitest";
import { activityFromPayload } from "../../../src/channels/botframework/activityFromPayload.ts";
import { parseConversationReference } from "../../../src/channels/botframework/conversationReference.ts";
import { inboundFromActivity } from "../../../src/channels/botframework/inboundFromActivity.ts";

/** A Web Chat message activity as Direct Line delivers it. */
function webchat(extra: Partial<Activity> = {}): Partial<Activity> {
  return {
    type: "message",
    id: "7Hq2kLmN3pR-eu|0000004",
    timestamp: new Date("2026-11-26T10:00:00Z"),
    serviceUrl: "https://webchat.botframework.com/",
    channelId: "webchat",
    from: { id: "dl_8c7d9e", name: "Jan de Vries" },
    conversation: { id: "7Hq2kLmN3pR-eu", isGroup: false, conversationType: "personal", name: "" },
    recipient: { id: "wijklijn-bot@abc", name: "Wijklijn" },
    locale: "nl-NL",
    text: "hoi",
    ...extra,
  };
}

function accepted(activity: Partial<Activity>) {
  const result = inboundFromActivity(activity);
  if (!result.accepted) throw new Error(`expected the activity to be accepted, it was ignored: ${result.reason}`);
  return result.message;
}

describe("translating Bot Framework activities", () => {
  it("turns a message into text from the conversation, keeping the reference to answer later", () => {
    const message = accepted(webchat({ text: "  Er ligt afval  " }));
    expect(message).toMatchObject({ channel: "botframework", externalId: "7Hq2kLmN3pR-eu", channelMessageId: "7Hq2kLmN3pR-eu|0000004", text: "Er ligt afval", locale: "nl-NL" });
    const reference = JSON.parse(message.reference ?? "null");
    expect(reference).toMatchObject({
      serviceUrl: "https://webchat.botframework.com/",
      channelId: "webchat",
      conversation: { id: "7Hq2kLmN3pR-eu" },
      bot: { id: "wijklijn-bot@abc" },
      user: { id: "dl_8c7d9e" },
    });
  });

  it("keeps no resident name in the stored reference", () => {
    const message = accepted(webchat({ from: { id: "29:1abc", name: "Jan de Vries", aadObjectId: "0f3c…" } }));
    expect(message.reference).not.toContain("Jan");
    expect(message.reference).not.toContain("aadObjectId");
  });

  it("scopes an activity id by its conversation (Teams ids are unique per conversation only)", () => {
    expect(accepted(webchat({ channelId: "msteams", id: "1764151200000", conversation: { id: "a:1FQd", isGroup: false, conversationType: "personal", name: "" } })).channelMessageId).toBe(
      "a:1FQd|1764151200000",
    );
  });

  it("makes a stable id from the content when the activity has none", () => {
    const first = accepted(webchat({ id: undefined }));
    const again = accepted(webchat({ id: undefined }));
    expect(first.channelMessageId).toMatch(/^sha256:/);
    expect(again.channelMessageId).toBe(first.channelMessageId);
    expect(accepted(webchat({ id: undefined, text: "iets anders" })).channelMessageId).not.toBe(first.channelMessageId);
  });

  it("reads a tapped suggested action's value: { choice }, a string, or { value }", () => {
    expect(accepted(webchat({ text: "Ja", value: { choice: "yes" } }))).toMatchObject({ text: "Ja", value: "yes" });
    expect(accepted(webchat({ text: undefined, value: "melding" })).value).toBe("melding");
    expect(accepted(webchat({ text: undefined, value: { value: "skip" } })).value).toBe("skip");
    expect(accepted(webchat({ value: { unrelated: 1 } })).value).toBeUndefined();
  });

  it("reads a GeoCoordinates entity (or a Place with one) as a location", () => {
    expect(accepted(webchat({ text: undefined, entities: [{ type: "ClientCapabilities" }, { type: "GeoCoordinates", latitude: 51.4423, longitude: 5.6195 }] })).location).toEqual({
      lat: 51.4423,
      lon: 5.6195,
    });
    expect(accepted(webchat({ text: undefined, entities: [{ type: "Place", geo: { type: "GeoCoordinates", latitude: "51.41", longitude: "5.55" } }] })).location).toEqual({ lat: 51.41, lon: 5.55 });
    expect(accepted(webchat({ entities: [{ type: "GeoCoordinates", latitude: 123, longitude: 5 }] })).location).toBeUndefined();
  });

  it("turns an image attachment into a photo referenced by its contentUrl", () => {
    const message = accepted(
      webchat({ text: undefined, attachments: [{ contentType: "image/jpeg", contentUrl: "https://webchat.botframework.com/attachments/abc/views/original", name: "foto.jpg" }] }),
    );
    expect(message.media).toEqual({ ref: "https://webchat.botframework.com/attachments/abc/views/original", kind: "photo" });
  });

  it("reads audio as voice and other files as documents, but not Teams' HTML copy of the text", () => {
    expect(accepted(webchat({ attachments: [{ contentType: "audio/webm", contentUrl: "https://x.test/a" }] })).media?.kind).toBe("voice");
    expect(accepted(webchat({ attachments: [{ contentType: "application/pdf", contentUrl: "https://x.test/b" }] })).media?.kind).toBe("document");
    const teams = accepted(webchat({ channelId: "msteams", attachments: [{ contentType: "text/html", content: "<p>hoi</p>" }] }));
    expect(teams.media).toBeUndefined();
    expect(teams.text).toBe("hoi");
  });

  it("does not keep a data: URL as a media reference", () => {
    const message = accepted(webchat({ attachments: [{ contentType: "image/png", contentUrl: `data:image/png;base64,${"A".repeat(2000)}` }] }));
    expect(message.media).toEqual({ ref: "7Hq2kLmN3pR-eu|0000004#attachment-0", kind: "photo" });
  });

  it("ignores conversation updates, typing, group conversations and empty messages", () => {
    expect(inboundFromActivity(webchat({ type: "conversationUpdate", text: undefined, membersAdded: [{ id: "dl_8c7d9e", name: "" }] }))).toEqual({ accepted: false, reason: "not-a-message" });
    expect(inboundFromActivity(webchat({ type: "typing", text: undefined }))).toEqual({ accepted: false, reason: "not-a-message" });
    expect(inboundFromActivity(webchat({ conversation: { id: "19:abc@thread.v2", isGroup: true, conversationType: "groupChat", name: "Buren" } }))).toEqual({ accepted: false, reason: "group" });
    expect(inboundFromActivity(webchat({ text: "   " }))).toEqual({ accepted: false, reason: "empty" });
  });
});

describe("Bot Framework replies", () => {
  const payload = {
    text: "Vind je dat goed?",
    buttons: [
      { label: "Ja", value: "yes" },
      { label: "Nee", value: "no" },
    ],
    input: "yesno" as const,
  };

  it("shows buttons in Web Chat as messageBack suggested actions: the label shown, the value sent", () => {
    const activity = activityFromPayload(payload, "webchat");
    expect(activity).toMatchObject({ type: "message", text: "Vind je dat goed?", inputHint: "expectingInput" });
    expect(activity.suggestedActions?.actions).toEqual([
      { type: "messageBack", title: "Ja", displayText: "Ja", text: "Ja", value: { choice: "yes" } },
      { type: "messageBack", title: "Nee", displayText: "Nee", text: "Nee", value: { choice: "no" } },
    ]);
  });

  it("uses imBack in Teams, which posts the label the engine then recognises", () => {
    expect(activityFromPayload(payload, "msteams").suggestedActions?.actions).toEqual([
      { type: "imBack", title: "Ja", value: "Ja" },
      { type: "imBack", title: "Nee", value: "Nee" },
    ]);
  });

  it("sends plain text without suggested actions", () => {
    const activity = activityFromPayload({ text: "Dank je wel!", buttons: [] }, "webchat");
    expect(activity.suggestedActions).toBeUndefined();
    expect(activity.inputHint).toBe("acceptingInput");
  });

  it("reads a stored conversation reference back, and refuses what is not one", () => {
    const stored = accepted(webchat()).reference ?? null;
    expect(parseConversationReference(stored)).toMatchObject({
      serviceUrl: "https://webchat.botframework.com/",
      channelId: "webchat",
      conversation: { id: "7Hq2kLmN3pR-eu", isGroup: false },
      bot: { id: "wijklijn-bot@abc" },
    });
    expect(parseConversationReference(null)).toBeNull();
    expect(parseConversationReference("{not json")).toBeNull();
    expect(parseConversationReference(JSON.stringify({ serviceUrl: "file:///etc/passwd", channelId: "x", conversation: { id: "c" }, bot: { id: "b" } }))).toBeNull();
  });
});
