/**
 * WhatsApp Cloud API webhook bodies as Meta sends them (shapes from Meta's payload examples),
 * and a helper that POSTs them signed like Meta does.
 * https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples
 */
import { signWebhookBody } from "../../../src/channels/whatsapp-cloud/webhookSignature.ts";

/** Our test business number's id. */
export const PHONE_NUMBER_ID = "106540352242922";
/** The Meta app secret that signs webhook calls. */
export const APP_SECRET = "test-app-secret-0123456789abcdef";
/** The verify token of the webhook handshake. */
export const VERIFY_TOKEN = "wijklijn-verify-token";
/** The Graph API access token the fake accepts. */
export const ACCESS_TOKEN = "EAAtest-access-token";
/** The name in the resident's WhatsApp profile: must never be stored. */
export const PROFILE_NAME = "Jantje Profielnaam";

let sequence = 0;
/** A fresh wamid, shaped like Meta's (which embed the sender's number). */
export function newWamid(): string {
  return `wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQUI${(++sequence).toString().padStart(6, "0")}A`;
}

const timestamp = () => String(Math.floor(Date.now() / 1000));

type Fields = Record<string, unknown>;
const message = (from: string, type: string, fields: Fields, id = newWamid()) => ({ from, id, timestamp: timestamp(), type, ...fields });

/** Inbound messages of every type, as they appear in `value.messages`. */
export const incoming = {
  text: (from: string, body: string, id?: string) => message(from, "text", { text: { body } }, id),
  buttonReply: (from: string, id: string, title: string) =>
    message(from, "interactive", { context: { from: PHONE_NUMBER_ID, id: newWamid() }, interactive: { type: "button_reply", button_reply: { id, title } } }),
  listReply: (from: string, id: string, title: string, description?: string) =>
    message(from, "interactive", { interactive: { type: "list_reply", list_reply: { id, title, ...(description ? { description } : {}) } } }),
  templateButton: (from: string, payload: string, text: string) => message(from, "button", { button: { payload, text } }),
  location: (from: string, latitude: number, longitude: number) => message(from, "location", { location: { latitude, longitude, name: "Speeltuin Heuvelstraat", address: "Heuvelstraat 1, Mierlo" } }),
  image: (from: string, mediaId: string, caption?: string) => message(from, "image", { image: { id: mediaId, mime_type: "image/jpeg", sha256: "a1b2c3", ...(caption ? { caption } : {}) } }),
  audio: (from: string, mediaId: string) => message(from, "audio", { audio: { id: mediaId, mime_type: "audio/ogg; codecs=opus", voice: true } }),
  video: (from: string, mediaId: string) => message(from, "video", { video: { id: mediaId, mime_type: "video/mp4" } }),
  document: (from: string, mediaId: string) => message(from, "document", { document: { id: mediaId, mime_type: "application/pdf", filename: "brief-van-jantje.pdf", caption: "de brief" } }),
  sticker: (from: string, mediaId: string) => message(from, "sticker", { sticker: { id: mediaId, mime_type: "image/webp", animated: false } }),
  reaction: (from: string) => message(from, "reaction", { reaction: { message_id: newWamid(), emoji: "👍" } }),
  contacts: (from: string) => message(from, "contacts", { contacts: [{ name: { formatted_name: "Buurman" }, phones: [{ phone: "+31 6 11112222" }] }] }),
  unsupported: (from: string) => message(from, "unsupported", { errors: [{ code: 131051, title: "Message type unknown" }] }),
};

/** A `messages` webhook body for our number (or `phoneNumberId`). */
export function webhookBody(messages: Fields[], options: { statuses?: Fields[]; phoneNumberId?: string } = {}) {
  const from = typeof messages[0]?.from === "string" ? messages[0].from : undefined;
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "31402345678", phone_number_id: options.phoneNumberId ?? PHONE_NUMBER_ID },
              ...(from ? { contacts: [{ profile: { name: PROFILE_NAME }, wa_id: from }] } : {}),
              ...(messages.length > 0 ? { messages } : {}),
              ...(options.statuses ? { statuses: options.statuses } : {}),
            },
          },
        ],
      },
    ],
  };
}

/** A delivery status as Meta reports it. */
export function statusUpdate(id: string, status: string, recipient: string, errors?: Array<{ code: number; title: string }>) {
  return { id, status, timestamp: timestamp(), recipient_id: recipient, ...(errors ? { errors } : {}) };
}

/** POSTs a body to the webhook, signed with the app secret unless told otherwise. */
export async function postWebhook(baseUrl: string, body: unknown, options: { signature?: string | null; raw?: string } = {}): Promise<Response> {
  const raw = options.raw ?? JSON.stringify(body);
  const signature = options.signature === undefined ? signWebhookBody(APP_SECRET, raw) : options.signature;
  return fetch(`${baseUrl}/webhooks/whatsapp`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(signature !== null ? { "X-Hub-Signature-256": signature } : {}) },
    body: raw,
  });
}
