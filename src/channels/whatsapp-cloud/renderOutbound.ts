/**
 * Where a Wijklijn message becomes Graph API request bodies: pure, no I/O.
 *
 * - no buttons → text;
 * - 1–3 buttons whose labels fit 20 characters → interactive reply buttons;
 * - 1–3 with a longer label, or 4–10 → an interactive list ("Kies"); a label longer than a row
 *   title (24) is shortened there and given in full in the row's description (72);
 * - more than 10, or a question longer than WhatsApp allows in an interactive body (1024) →
 *   text with a numbered list, which the engine reads back ("2", "twee", or the words).
 * - a payload with a `template` (WhatsApp outside the 24-hour window) → that approved template,
 *   its body parameters and quick-reply payloads filled in; the text is only for the inbox.
 * - a payload with an `image` → an image message by link with the text as its caption; a text
 *   longer than a caption (1024) or with buttons follows the photo as its own message(s).
 *   https://developers.facebook.com/docs/whatsapp/cloud-api/messages/image-messages
 * Text longer than WhatsApp's 4096 characters is split into several messages at a paragraph,
 * line or word boundary.
 * https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-reply-buttons-messages
 * https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-list-messages
 */
import type { OutboundPayload } from "../../domain/messages.ts";
import { renderNumberedList } from "../channel.ts";

/** WhatsApp's limits for what Wijklijn sends. */
export const WHATSAPP_LIMITS = {
  textBody: 4096,
  interactiveBody: 1024,
  replyButtons: 3,
  buttonTitle: 20,
  listRows: 10,
  rowTitle: 24,
  rowDescription: 72,
  listButton: 20,
  caption: 1024,
} as const;

/** The bot texts the rendering needs (flows/globals.yaml). */
export interface GraphTexts {
  /** The text on the button that opens a list (messages.listButton). */
  listButton: string;
}

/** A free-form text message. */
export interface GraphTextMessage {
  messaging_product: "whatsapp";
  recipient_type: "individual";
  to: string;
  type: "text";
  text: { body: string; preview_url: boolean };
}

/** Up to three reply buttons under a question. */
export interface GraphButtonMessage {
  messaging_product: "whatsapp";
  recipient_type: "individual";
  to: string;
  type: "interactive";
  interactive: {
    type: "button";
    body: { text: string };
    action: { buttons: Array<{ type: "reply"; reply: { id: string; title: string } }> };
  };
}

/** Up to ten options behind a button that opens the list. */
export interface GraphListMessage {
  messaging_product: "whatsapp";
  recipient_type: "individual";
  to: string;
  type: "interactive";
  interactive: {
    type: "list";
    body: { text: string };
    action: { button: string; sections: Array<{ rows: Array<{ id: string; title: string; description?: string }> }> };
  };
}

/** An emoji reaction on a message the resident sent (https://developers.facebook.com/docs/whatsapp/cloud-api/messages/reaction-messages). */
export interface GraphReactionMessage {
  messaging_product: "whatsapp";
  recipient_type: "individual";
  to: string;
  type: "reaction";
  reaction: { message_id: string; emoji: string };
}

/** An approved template (https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates). */
export interface GraphTemplateMessage {
  messaging_product: "whatsapp";
  recipient_type: "individual";
  to: string;
  type: "template";
  template: {
    name: string;
    language: { code: string };
    components?: Array<
      { type: "body"; parameters: Array<{ type: "text"; text: string }> } | { type: "button"; sub_type: "quick_reply"; index: number; parameters: Array<{ type: "payload"; payload: string }> }
    >;
  };
}

/** A photo by its https address, with an optional caption. */
export interface GraphImageMessage {
  messaging_product: "whatsapp";
  recipient_type: "individual";
  to: string;
  type: "image";
  image: { link: string; caption?: string };
}

/** A request body for POST /{phone-number-id}/messages that Wijklijn sends for a payload. */
export type GraphMessage = GraphTextMessage | GraphButtonMessage | GraphListMessage | GraphTemplateMessage | GraphImageMessage;

/** The Graph API body that puts `emoji` on the resident's message `wamid` (the id it was stored under). */
export function renderGraphReaction(to: string, wamid: string, emoji: string): GraphReactionMessage {
  return { ...base(to), type: "reaction", reaction: { message_id: wamid, emoji } };
}

/** Cuts to at most `max` UTF-16 units without splitting a character, ending in "…" when cut. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let result = "";
  for (const char of text) {
    if (result.length + char.length > max - 1) break;
    result += char;
  }
  return `${result.trimEnd()}…`;
}

/** Splits text into pieces of at most `max` UTF-16 units, preferring paragraph, line, then word breaks. */
export function splitText(text: string, max: number = WHATSAPP_LIMITS.textBody): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const breakAt = [window.lastIndexOf("\n\n"), window.lastIndexOf("\n"), window.lastIndexOf(" ")].find((index) => index > max / 2);
    let end = breakAt ?? max;
    // Never split a surrogate pair.
    const code = rest.charCodeAt(end - 1);
    if (breakAt === undefined && code >= 0xd800 && code <= 0xdbff) end -= 1;
    pieces.push(rest.slice(0, end).trimEnd());
    rest = rest.slice(end).trimStart();
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}

const base = (to: string) => ({ messaging_product: "whatsapp" as const, recipient_type: "individual" as const, to });

function textMessages(to: string, text: string): GraphTextMessage[] {
  return splitText(text).map((body) => ({ ...base(to), type: "text", text: { body, preview_url: false } }));
}

/**
 * The Graph API bodies for one outbound payload to WhatsApp id `to`: usually one; several only
 * when a very long text has to be split.
 */
export function renderGraphMessages(to: string, payload: OutboundPayload, texts: GraphTexts): GraphMessage[] {
  const { image, ...withoutImage } = payload;
  if (image && !payload.template) {
    if (payload.buttons.length === 0 && payload.text.length <= WHATSAPP_LIMITS.caption) return [{ ...base(to), type: "image", image: { link: image.url, caption: payload.text } }];
    return [{ ...base(to), type: "image", image: { link: image.url } }, ...renderGraphMessages(to, withoutImage, texts)];
  }
  const { text, buttons, template } = payload;
  if (template) {
    const components: NonNullable<GraphTemplateMessage["template"]["components"]> = [
      ...(template.bodyParameters.length > 0 ? [{ type: "body" as const, parameters: template.bodyParameters.map((value) => ({ type: "text" as const, text: value })) }] : []),
      ...template.quickReplyPayloads.map((value, index) => ({ type: "button" as const, sub_type: "quick_reply" as const, index, parameters: [{ type: "payload" as const, payload: value }] })),
    ];
    return [{ ...base(to), type: "template", template: { name: template.name, language: { code: template.language }, ...(components.length > 0 ? { components } : {}) } }];
  }
  if (buttons.length === 0) return textMessages(to, text);
  if (buttons.length > WHATSAPP_LIMITS.listRows || text.length > WHATSAPP_LIMITS.interactiveBody) {
    return textMessages(to, renderNumberedList(payload));
  }
  const fitsButtons = buttons.length <= WHATSAPP_LIMITS.replyButtons && buttons.every((button) => button.label.length <= WHATSAPP_LIMITS.buttonTitle);
  if (fitsButtons) {
    return [
      {
        ...base(to),
        type: "interactive",
        interactive: {
          type: "button",
          body: { text },
          action: { buttons: buttons.map((button) => ({ type: "reply", reply: { id: button.value, title: button.label } })) },
        },
      },
    ];
  }
  return [
    {
      ...base(to),
      type: "interactive",
      interactive: {
        type: "list",
        body: { text },
        action: {
          button: shorten(texts.listButton, WHATSAPP_LIMITS.listButton),
          sections: [
            {
              rows: buttons.map((button) =>
                button.label.length <= WHATSAPP_LIMITS.rowTitle
                  ? { id: button.value, title: button.label }
                  : { id: button.value, title: shorten(button.label, WHATSAPP_LIMITS.rowTitle), description: shorten(button.label, WHATSAPP_LIMITS.rowDescription) },
              ),
            },
          ],
        },
      },
    },
  ];
}
