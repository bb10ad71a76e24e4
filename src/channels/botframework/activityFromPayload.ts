/**
 * An outbox payload as a Bot Framework message activity: text, with the buttons as suggested
 * actions. Where the client supports it (Web Chat, Direct Line, the Emulator) a button is a
 * messageBack: the resident sees the label, Wijklijn receives `{ choice: value }`. Elsewhere
 * (Teams only offers imBack in suggested actions) a button posts its label as text, which the
 * engine matches to the option just as if the resident had typed it. A photo goes as a hero card's
 * image.
 */
import { ActionTypes, CardFactory, InputHints, MessageFactory, type Activity, type CardAction } from "botbuilder-core";
import type { OutboundPayload } from "../../domain/messages.ts";

/** Channels whose clients send messageBack values. */
const MESSAGE_BACK_CHANNELS = new Set(["webchat", "directline", "emulator"]);

/** Builds the activity for a payload, with buttons fitting the resident's channel. */
export function activityFromPayload(payload: OutboundPayload, channelId: string): Partial<Activity> {
  const messageBack = MESSAGE_BACK_CHANNELS.has(channelId);
  const actions: CardAction[] = payload.buttons.map((button) =>
    messageBack
      ? { type: ActionTypes.MessageBack, title: button.label, displayText: button.label, text: button.label, value: { choice: button.value } }
      : { type: ActionTypes.ImBack, title: button.label, value: button.label },
  );
  const activity = actions.length > 0 ? MessageFactory.suggestedActions(actions, payload.text) : MessageFactory.text(payload.text);
  activity.inputHint = payload.input ? InputHints.ExpectingInput : InputHints.AcceptingInput;
  // A photo (a wijkbericht's) as a hero card's image above the text: Web Chat and Teams both show it.
  if (payload.image) activity.attachments = [CardFactory.heroCard("", CardFactory.images([payload.image.url]))];
  return activity;
}
