/**
 * The web chat page's own words (header, placeholder, buttons, notices), in the resident's language.
 * The bot's messages come from the flows; these are only the page around them.
 */
import { z } from "zod";
import { OtherLanguageSchema, type OtherLanguage } from "../../domain/vocabulary.ts";

/** The languages the page speaks: the bot's (Resident.language). */
export const WebchatLanguageSchema = z.enum(["nl", "en"]);
export type WebchatLanguage = z.infer<typeof WebchatLanguageSchema>;

/** Every text the page shows, by key; the page and app.js use the same keys. */
export const WEBCHAT_TEXTS = {
  nl: {
    title: "Wijklijn — chat met je wijk",
    intro: "Chat met de gemeente over je wijk. Je praat eerst met een chatbot; medewerkers lezen mee. Bij gevaar: bel 112.",
    hint: 'Typ je vraag, of begin met "hallo".',
    log: "Gesprek",
    answerButtons: "Antwoordknoppen",
    messageLabel: "Je bericht",
    placeholder: "Typ je bericht…",
    send: "Stuur",
    shareLocation: "Deel locatie",
    sendPhoto: "Stuur een foto",
    you: "Jij",
    staff: "Medewerker gemeente",
    bot: "Wijklijn (chatbot)",
    photo: "📷 Foto",
    notKept: "(bericht niet bewaard)",
    wijkberichtPhoto: "Foto bij het wijkbericht",
    passedOn: "✓ doorgegeven",
    sending: "Versturen…",
    sendFailed: "Versturen lukte niet. Controleer je verbinding en probeer het opnieuw.",
    offline: "Geen verbinding. We proberen het opnieuw.",
    locating: "Locatie opvragen…",
    locationFailed: "Je locatie delen lukte niet. Typ je postcode.",
    myLocation: "📍 Mijn locatie",
    photoSending: "Foto versturen…",
    photoTooLarge: "Deze foto is te groot. Stuur een foto van maximaal 5 MB.",
    photoWrongType: "Dit bestand kunnen we niet gebruiken. Stuur een foto (JPEG, PNG of WebP).",
    photoFailed: "De foto versturen lukte niet. Probeer het opnieuw.",
    privacyLink: "Privacy: wat we bewaren en waarom",
    waitingForAnswer: "Het antwoord komt zo.",
    reload: "Laad de pagina opnieuw",
  },
  en: {
    title: "Wijklijn — chat about your neighbourhood",
    intro: "Chat with the municipality about your neighbourhood. You talk to a chatbot first; staff read along. In danger: call 112.",
    hint: 'Type your question, or start with "hello".',
    log: "Conversation",
    answerButtons: "Answer buttons",
    messageLabel: "Your message",
    placeholder: "Type your message…",
    send: "Send",
    shareLocation: "Share location",
    sendPhoto: "Send a photo",
    you: "You",
    staff: "Municipality staff",
    bot: "Wijklijn (chatbot)",
    photo: "📷 Photo",
    notKept: "(message not kept)",
    wijkberichtPhoto: "Photo with the neighbourhood news",
    passedOn: "✓ passed on",
    sending: "Sending…",
    sendFailed: "Sending failed. Check your connection and try again.",
    offline: "No connection. We are trying again.",
    locating: "Finding your location…",
    locationFailed: "Sharing your location did not work. Type your postcode.",
    myLocation: "📍 My location",
    photoSending: "Sending photo…",
    photoTooLarge: "This photo is too large. Send a photo of at most 5 MB.",
    photoWrongType: "We cannot use this file. Send a photo (JPEG, PNG or WebP).",
    photoFailed: "Sending the photo failed. Please try again.",
    privacyLink: "Privacy: what we keep and why",
    waitingForAnswer: "The answer is on its way.",
    reload: "Reload the page",
  },
} satisfies Record<WebchatLanguage, Record<string, string>>;

/**
 * The "passed on" mark in the languages the bot recognises but does not converse in (OTHER_LANGUAGES): a
 * Turkish or Polish resident whose messages go to staff reads it in their own language, not in Dutch.
 */
export const PASSED_ON_IN_OTHER_LANGUAGES: Record<OtherLanguage, string> = {
  tr: "✓ iletildi",
  ar: "✓ تم التحويل",
  pl: "✓ przekazano",
  uk: "✓ передано",
  de: "✓ weitergeleitet",
};

/** The "passed on" mark for a conversation in another language; null for Dutch and English (the page's own text). */
export function passedOnInOtherLanguage(conversationLanguage: string | null): string | null {
  const parsed = OtherLanguageSchema.safeParse(conversationLanguage);
  return parsed.success ? PASSED_ON_IN_OTHER_LANGUAGES[parsed.data] : null;
}

/** A page text's key. */
export type WebchatTextKey = keyof (typeof WEBCHAT_TEXTS)["nl"];

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A message of the conversation as the page without JavaScript shows it. */
export interface StaticChatMessage {
  direction: "in" | "out";
  author: string;
  text: string;
  photo: boolean;
  notKept: boolean;
  buttons: Array<{ label: string; value: string }>;
}

/** What a page without JavaScript needs beside the texts: the conversation so far, a fresh message id, a prefilled message. */
export interface StaticChat {
  messages: readonly StaticChatMessage[];
  clientMessageId: string;
  prefill: string;
}

/**
 * The conversation as HTML for the page without JavaScript (inside <noscript>): the bubbles, the last
 * message's buttons as a form that posts their value, and while the bot has not answered a line that
 * says so with a reload link. Every text is escaped.
 */
export function renderStaticConversation(chat: StaticChat, language: WebchatLanguage): string {
  const texts = WEBCHAT_TEXTS[language];
  if (chat.messages.length === 0) return "";
  const items = chat.messages.map((message) => {
    const who = message.direction === "in" ? texts.you : message.author === "staff" ? texts.staff : texts.bot;
    const label = message.photo ? texts.photo : message.notKept ? texts.notKept : "";
    const body = [label, message.text].filter(Boolean).map(escapeHtml).join("\n");
    return `<li class="${message.direction} ${escapeHtml(message.author)}"><span class="who">${escapeHtml(who)}</span>${body}</li>`;
  });
  const last = chat.messages[chat.messages.length - 1];
  const buttons =
    last && last.direction === "out" && last.buttons.length > 0
      ? `<form method="post" action="/chat" class="static-buttons" aria-label="${escapeHtml(texts.answerButtons)}"><input type="hidden" name="clientMessageId" value="${escapeHtml(chat.clientMessageId)}">${last.buttons
          .map((button) => `<button type="submit" name="value" value="${escapeHtml(button.value)}">${escapeHtml(button.label)}</button>`)
          .join("")}</form>`
      : "";
  const waiting = last && last.direction === "in" ? `<p class="waiting">${escapeHtml(texts.waitingForAnswer)} <a href="/chat#text">${escapeHtml(texts.reload)}</a></p>` : "";
  return `<ol class="log log--static" aria-label="${escapeHtml(texts.log)}">${items.join("")}</ol>${buttons}${waiting}`;
}

/**
 * Fills page.html for one language: `{{lang}}`, `{{key}}` (HTML-escaped) and `{{texts}}`, the texts of
 * every language as JSON for app.js (in a non-executed `application/json` block, so the CSP stays strict);
 * with `chat`, also the conversation for a browser without JavaScript (`{{conversation}}`), the form's
 * message id and a prefilled message.
 */
export function renderWebchatPage(template: string, language: WebchatLanguage, chat?: StaticChat): string {
  const texts: Record<string, string> = WEBCHAT_TEXTS[language];
  // "<" escaped, so that no text can end the JSON block early.
  const json = JSON.stringify(WEBCHAT_TEXTS).replace(/</g, "\\u003c");
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
    if (key === "lang") return language;
    if (key === "texts") return json;
    if (key === "conversation") return chat ? renderStaticConversation(chat, language) : "";
    if (key === "clientMessageId") return escapeHtml(chat?.clientMessageId ?? "");
    if (key === "prefill") return escapeHtml(chat?.prefill ?? "");
    const text = texts[key];
    return text === undefined ? whole : escapeHtml(text);
  });
}
