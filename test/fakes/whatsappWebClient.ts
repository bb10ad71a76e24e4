/**
 * A fake whatsapp-web.js Client: an EventEmitter with the methods Wijklijn uses, emitting messages
 * built exactly as the library's Message._patch builds them from WhatsApp Web's raw message model
 * (node_modules/whatsapp-web.js/src/structures/Message.js, 1.34): `hasMedia` from `directPath`,
 * `body` the caption of media, `location.latitude`/`longitude` the raw `lat`/`lng` STRINGS, `fromMe`
 * from `id.fromMe`, `isStatus` from "status@broadcast", and a back reference to the client.
 * It records every text sent and every reaction, in order.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { WhatsappWebMedia } from "../../src/channels/whatsapp-web/whatsappWebChannel.ts";

/** WhatsApp Web's raw message model, as window.WWebJS.getMessageModel() hands it to the library. */
export interface RawMessageData {
  id: { fromMe: boolean; remote: string; id: string; _serialized: string; participant?: string };
  type: string;
  t: number;
  from: string;
  to: string;
  author?: string;
  body?: string;
  caption?: string;
  directPath?: string;
  mimetype?: string;
  filename?: string;
  lat?: string;
  lng?: string;
  loc?: string;
  isStatusV3?: boolean;
  broadcast?: boolean;
  duration?: string;
  isForwarded?: boolean;
}

/** The pilot phone's own id, as WhatsApp Web reports it. */
export const PILOT_NUMBER = "31850000000@c.us";

/** Builds the library's Message fields from raw data (the public part of Message._patch). */
export function messageFromRawData(client: unknown, data: RawMessageData) {
  const hasMedia = Boolean(data.directPath);
  return {
    client,
    _data: data,
    mediaKey: hasMedia ? randomBytes(32).toString("base64") : undefined,
    id: data.id,
    ack: 1,
    hasMedia,
    body: hasMedia ? data.caption || "" : data.body || "",
    type: data.type,
    timestamp: data.t,
    from: data.from,
    to: data.to,
    author: data.author,
    deviceType: data.id.id.length > 25 ? "android" : data.id.id.substring(0, 2) === "3A" ? "ios" : "web",
    isForwarded: data.isForwarded,
    forwardingScore: 0,
    isStatus: data.isStatusV3 || data.id.remote === "status@broadcast",
    isStarred: false,
    broadcast: data.broadcast,
    fromMe: data.id.fromMe,
    hasQuotedMsg: false,
    hasReaction: false,
    duration: data.duration,
    location:
      data.type === "location"
        ? {
            latitude: data.lat,
            longitude: data.lng,
            name: data.loc?.split("\n")[0],
            address: data.loc?.split("\n")[1],
            url: undefined,
            description: data.loc ?? "",
          }
        : undefined,
    vCards: data.type === "vcard" ? [data.body] : [],
    mentionedIds: [],
    groupMentions: [],
    links: [],
    isGif: false,
    isEphemeral: false,
  };
}

function messageId(remote: string, fromMe: boolean, participant?: string) {
  const id = `3EB0${randomBytes(8).toString("hex").toUpperCase()}`;
  return { fromMe, remote, id, _serialized: `${fromMe}_${remote}_${id}${participant ? `_${participant}` : ""}`, ...(participant ? { participant } : {}) };
}

const now = () => Math.floor(Date.now() / 1000);
// A JPEG thumbnail as WhatsApp Web puts it in the body of location and media messages.
const THUMBNAIL = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wCEAAkGBxISEhUSEhIVFRUVFRUVFRUVFRUVFRUVFRUXFhUVFRUYHSggGBolHRUVITEhJSkrLi4uFx8zODMtNygtLisBCgoKDg0OGhAQGi0lHyUtLS0tLS0t";

function media(from: string, type: string, extra: Partial<RawMessageData> = {}): RawMessageData {
  return {
    id: messageId(from, false),
    type,
    t: now(),
    from,
    to: PILOT_NUMBER,
    body: THUMBNAIL,
    directPath: `/v/t62.7118-24/${randomBytes(6).toString("hex")}.enc`,
    mimetype: "application/octet-stream",
    ...extra,
  };
}

/** Raw messages as a resident's phone produces them. */
export const raw = {
  text: (from: string, body: string): RawMessageData => ({ id: messageId(from, false), type: "chat", t: now(), from, to: PILOT_NUMBER, body }),
  /** A shared location: WhatsApp Web gives the coordinates as strings. */
  location: (from: string, lat: string, lng: string, loc?: string): RawMessageData => ({
    id: messageId(from, false),
    type: "location",
    t: now(),
    from,
    to: PILOT_NUMBER,
    body: THUMBNAIL,
    lat,
    lng,
    ...(loc ? { loc } : {}),
  }),
  image: (from: string, caption?: string) => media(from, "image", { mimetype: "image/jpeg", ...(caption ? { caption } : {}) }),
  voiceNote: (from: string) => media(from, "ptt", { mimetype: "audio/ogg; codecs=opus", duration: "4" }),
  audio: (from: string) => media(from, "audio", { mimetype: "audio/mpeg", duration: "31" }),
  video: (from: string, caption?: string) => media(from, "video", { mimetype: "video/mp4", ...(caption ? { caption } : {}) }),
  document: (from: string, filename: string) => media(from, "document", { mimetype: "application/pdf", filename }),
  sticker: (from: string) => media(from, "sticker", { mimetype: "image/webp" }),
  contactCard: (from: string): RawMessageData => ({ id: messageId(from, false), type: "vcard", t: now(), from, to: PILOT_NUMBER, body: "BEGIN:VCARD\nVERSION:3.0\nFN:Buurman\nEND:VCARD" }),
  /** A message in a group: `from` is the group, `author` the member. */
  groupText: (group: string, author: string, body: string): RawMessageData => ({ id: messageId(group, false, author), type: "chat", t: now(), from: group, to: PILOT_NUMBER, author, body }),
  /** A message the pilot phone itself sent (also emitted by "message_create", never by "message" in the real client). */
  own: (to: string, body: string): RawMessageData => ({ id: messageId(to, true), type: "chat", t: now(), from: PILOT_NUMBER, to, body }),
  status: (author: string, body: string): RawMessageData => ({
    id: messageId("status@broadcast", false, author),
    type: "chat",
    t: now(),
    from: "status@broadcast",
    to: PILOT_NUMBER,
    author,
    body,
    isStatusV3: true,
  }),
  notice: (from: string): RawMessageData => ({ id: messageId(from, false), type: "e2e_notification", t: now(), from, to: PILOT_NUMBER, body: "" }),
};

/** A sent text as the fake recorded it. */
export interface SentText {
  to: string;
  /** The text, or a photo's caption. */
  text: string;
  id: string;
  /** A photo sent as MessageMedia. */
  media?: WhatsappWebMedia;
}

/**
 * The fake client. `linked` says whether a LocalAuth session exists (initialize() goes straight
 * to ready) or a QR scan is needed; `autoConnect: false` keeps it away after a reconnect until
 * `comeBack()`.
 */
export class FakeWhatsappWebClient extends EventEmitter {
  initializeCalls = 0;
  destroyCalls = 0;
  connected = false;
  linked: boolean;
  autoConnect = true;
  /** When set, the next sendMessage() resolves to undefined (the library's "chat not found"). */
  loseNextChat = false;
  readonly sent: SentText[] = [];
  /** Every reaction put on a message, in order (`messageId`: the message's serialized id). */
  readonly reactions: Array<{ messageId: string; emoji: string }> = [];
  /** When set, the next sendReaction() fails with this error message (as the page's evaluate would). */
  failNextReaction: string | null = null;

  constructor(options: { linked?: boolean } = {}) {
    super();
    this.linked = options.linked ?? true;
  }

  async initialize(): Promise<void> {
    this.initializeCalls++;
    setImmediate(() => {
      if (!this.linked) this.emit("qr", `2@${randomBytes(24).toString("base64")},${randomBytes(16).toString("base64")},1`);
      else if (this.autoConnect) this.comeBack();
    });
  }

  /** The operator scans the QR code with the pilot phone. */
  scanQr(): void {
    this.linked = true;
    this.comeBack();
  }

  /** The session is back: authenticated, then ready. */
  comeBack(): void {
    this.connected = true;
    this.emit("authenticated");
    this.emit("ready");
  }

  /** The phone goes offline or WhatsApp drops the session; like the library, the browser is closed. */
  disconnect(reason = "NAVIGATION"): void {
    this.connected = false;
    this.emit("disconnected", reason);
  }

  async destroy(): Promise<void> {
    this.destroyCalls++;
    this.connected = false;
  }

  async getState(): Promise<string | null> {
    if (!this.connected) throw new Error("Protocol error (Runtime.callFunctionOn): Session closed.");
    return "CONNECTED";
  }

  async sendMessage(chatId: string, content: string | WhatsappWebMedia, options: { caption?: string } = {}): Promise<unknown> {
    if (!this.connected) throw new Error("Protocol error (Runtime.callFunctionOn): Target closed.");
    if (this.loseNextChat) {
      this.loseNextChat = false;
      return undefined;
    }
    // Media goes as an image message with the caption as its body, as the library sends it.
    const media = typeof content === "string" ? null : content;
    const body = typeof content === "string" ? content : (options.caption ?? "");
    const data: RawMessageData = { id: messageId(chatId, true), type: media ? "image" : "chat", t: now(), from: PILOT_NUMBER, to: chatId, body };
    this.sent.push({ to: chatId, text: body, id: data.id._serialized, ...(media ? { media } : {}) });
    return messageFromRawData(this, data);
  }

  /** As the library's Client.sendReaction (what Message.react calls): resolves to nothing. */
  async sendReaction(messageId: string, reaction: string): Promise<void> {
    if (!this.connected) throw new Error("Protocol error (Runtime.callFunctionOn): Target closed.");
    if (this.failNextReaction) {
      const message = this.failNextReaction;
      this.failNextReaction = null;
      throw new Error(message);
    }
    this.reactions.push({ messageId, emoji: reaction });
  }

  /** A resident's message arrives; returns the Message as the library emitted it. */
  receive(data: RawMessageData): ReturnType<typeof messageFromRawData> {
    const message = messageFromRawData(this, data);
    this.emit("message", message);
    return message;
  }
}
