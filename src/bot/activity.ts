/**
 * The Activity model (Bot Framework's channel-neutral message format) as the core uses it: an
 * inbound message becomes an Activity, the bot runs on a TurnContext, and the Activities it sends
 * are collected and turned into outbox payloads. Only this file and src/channels/botframework
 * import botbuilder; the Microsoft 365 Agents SDK keeps the same Activity protocol.
 */
import { randomUUID } from "node:crypto";
import { ActivityTypes, BotAdapter, MessageFactory, TurnContext, type Activity, type ConversationReference, type ResourceResponse } from "botbuilder-core";
import { OutboundPayloadSchema, type OutboundPayload } from "../domain/messages.ts";
import type { BotOutput, GeoPoint } from "../conversation/engine.ts";

export { TurnContext, type Activity };

/** A stored inbound message, as the turn needs it. */
export interface StoredInbound {
  id: string;
  channel: string;
  text: string | null;
  mediaRef: string | null;
  latitude: number | null;
  longitude: number | null;
  createdAt: Date;
}

/** Builds the Activity of a stored inbound message. `value` carries a tapped button's value. */
export function activityFromMessage(message: StoredInbound, who: { externalId: string; conversationId: string; locale: string; value?: string }): Partial<Activity> {
  const entities = message.latitude !== null && message.longitude !== null ? [{ type: "GeoCoordinates", latitude: message.latitude, longitude: message.longitude }] : [];
  const media = message.mediaRef ? /^(photo|voice|video|document|sticker):(.*)$/.exec(message.mediaRef) : null;
  const attachments = media ? [{ contentType: media[1] === "photo" ? "image/*" : `application/vnd.wijklijn.${media[1]}`, contentUrl: media[2] ?? "", name: media[1] }] : [];
  return {
    type: ActivityTypes.Message,
    id: message.id,
    channelId: message.channel,
    timestamp: message.createdAt,
    locale: who.locale,
    from: { id: who.externalId, name: "", role: "user" },
    recipient: { id: "wijklijn", name: "Wijklijn", role: "bot" },
    conversation: { id: who.conversationId, name: "", isGroup: false, conversationType: "personal" },
    text: message.text ?? "",
    ...(who.value ? { value: { choice: who.value } } : {}),
    entities,
    attachments,
  };
}

/** Reads the parts of an Activity the engine understands. */
export function readActivity(activity: Partial<Activity>): { text?: string; value?: string; location?: GeoPoint; media?: { ref: string; kind: "photo" | "voice" | "video" | "document" | "sticker" } } {
  const result: ReturnType<typeof readActivity> = {};
  if (activity.text) result.text = activity.text;
  const value: unknown = activity.value;
  if (value && typeof value === "object" && "choice" in value && typeof value.choice === "string") result.value = value.choice;
  const geo = activity.entities?.find((entity) => entity.type === "GeoCoordinates");
  if (geo && typeof geo.latitude === "number" && typeof geo.longitude === "number") result.location = { lat: geo.latitude, lon: geo.longitude };
  const attachment = activity.attachments?.[0];
  if (attachment) {
    const kind = attachment.contentType.startsWith("image/") ? "photo" : (attachment.name ?? "document");
    result.media = { ref: attachment.contentUrl ?? "", kind: kind === "voice" || kind === "video" || kind === "sticker" || kind === "photo" ? kind : "document" };
  }
  return result;
}

/** Turns a bot output into an Activity with suggested actions (buttons). */
export function activityFromOutput(output: BotOutput): Partial<Activity> {
  const activity =
    output.buttons.length > 0
      ? MessageFactory.suggestedActions(
          output.buttons.map((button) => ({ type: "imBack", title: button.label, value: button.value })),
          output.text,
        )
      : MessageFactory.text(output.text);
  activity.inputHint = output.input ? "expectingInput" : "acceptingInput";
  if (output.input) activity.channelData = { wijklijn: { input: output.input } };
  return activity;
}

/** The emoji the bot puts on a resident's message to say "passed on" (a person would put 👍 on it). */
export const ACKNOWLEDGEMENT_EMOJI = "👍";

/**
 * A visible acknowledgement that is not a chat bubble: a 👍 reaction on the resident's own message
 * (`inbound.id`, our stored Message id). Channels that show no bot reactions leave it out.
 */
export function acknowledgeActivity(inbound: Partial<Activity>): Partial<Activity> {
  return { type: ActivityTypes.MessageReaction, replyToId: inbound.id, reactionsAdded: [{ type: ACKNOWLEDGEMENT_EMOJI }] };
}

/** True for a reaction the bot sent: one added emoji on a message it names. */
function isReaction(activity: Partial<Activity>): boolean {
  return activity.type === ActivityTypes.MessageReaction && Boolean(activity.replyToId) && Boolean(activity.reactionsAdded?.[0]?.type);
}

/** Turns an Activity the bot sent into the outbox payload every channel renders. */
export function payloadFromActivity(activity: Partial<Activity>): OutboundPayload {
  if (isReaction(activity)) {
    return OutboundPayloadSchema.parse({ text: "", buttons: [], reaction: { emoji: activity.reactionsAdded?.[0]?.type, messageId: activity.replyToId } });
  }
  const channelData: unknown = activity.channelData;
  const input =
    channelData && typeof channelData === "object" && "wijklijn" in channelData && channelData.wijklijn && typeof channelData.wijklijn === "object" && "input" in channelData.wijklijn
      ? channelData.wijklijn.input
      : undefined;
  return OutboundPayloadSchema.parse({
    text: activity.text ?? "",
    buttons: (activity.suggestedActions?.actions ?? []).map((action) => ({ label: action.title ?? String(action.value), value: String(action.value) })),
    ...(typeof input === "string" ? { input } : {}),
  });
}

/** An adapter that collects what the bot sends during a turn (messages with text, reactions), for the outbox. */
export class CollectingAdapter extends BotAdapter {
  readonly sent: Array<Partial<Activity>> = [];

  /** Runs `logic` on a TurnContext for `activity`, through this adapter's middleware. */
  async run(activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const context = new TurnContext(this, activity);
    await this.runMiddleware(context, logic);
  }

  override async sendActivities(_context: TurnContext, activities: Array<Partial<Activity>>): Promise<ResourceResponse[]> {
    this.sent.push(...activities.filter((activity) => (activity.type === ActivityTypes.Message && activity.text) || isReaction(activity)));
    return activities.map(() => ({ id: randomUUID() }));
  }

  override async updateActivity(): Promise<void> {
    throw new Error("Wijklijn does not edit sent messages");
  }

  override async deleteActivity(): Promise<void> {
    throw new Error("Wijklijn does not delete sent messages");
  }

  override async continueConversation(_reference: Partial<ConversationReference>, _logic: (context: TurnContext) => Promise<void>): Promise<void> {
    throw new Error("proactive messages go through the outbox");
  }
}
