/**
 * What a resident receives for a wijkbericht, per channel: the photo as a real photo with the
 * text as its caption (each channel renders `image`), the link under the text, and the footer from
 * flows/globals.yaml that says where it comes from and how to stop. WhatsApp Cloud outside the
 * 24-hour window gets the approved template with the whole message (the photo's address included)
 * as its one body parameter. Pure functions.
 */
import type { Globals, Language } from "../conversation/flowSchema.ts";
import { messageText } from "../conversation/messageText.ts";
import type { OutboundPayload, TemplatePayload } from "../domain/messages.ts";

/** The content of a bericht as staff wrote it. */
export interface WijkberichtContent {
  text: string;
  imageUrl: string | null;
  link: string | null;
}

/** The approved WhatsApp template for wijkberichten (WHATSAPP_CLOUD_WIJKBERICHT_TEMPLATE), its language. */
export interface WijkberichtTemplate {
  name: string;
  language: string;
}

/** The longest text staff may write: with a photo link, a link and the footer it stays one message (4096) everywhere. */
export const WIJKBERICHT_TEXT_MAX = 3500;
/** WhatsApp's limit for one template body parameter. */
const TEMPLATE_PARAMETER_MAX = 1024;

/** "Geldrop-Centrum en Coevering", "Luchen, Braakhuizen en Skiffard". */
export function joinWijkNames(names: readonly string[], language: Language): string {
  if (names.length <= 1) return names[0] ?? "";
  const and = language === "en" ? "and" : "en";
  return `${names.slice(0, -1).join(", ")} ${and} ${names.at(-1)}`;
}

/** The body of the bericht without the footer: text, then the photo and the link each on its own line. */
export function wijkberichtBody(content: WijkberichtContent): string {
  return [content.text.trim(), content.imageUrl, content.link].filter((part): part is string => Boolean(part)).join("\n\n");
}

/** The whole chat message: the body and the footer. */
export function wijkberichtText(globals: Globals, content: WijkberichtContent, wijkNames: readonly string[], language: Language): string {
  return `${wijkberichtBody(content)}\n\n${messageText(globals, "wijkberichtFooter", language, { wijken: joinWijkNames(wijkNames, language) })}`;
}

/**
 * The e-mail a staff member gets as a test to themselves: a short note that it is a test, then the
 * bericht as residents read it, without the chat's own footer lines ("Reageren kan hier", "Stuur
 * 'stop'"): they make no sense in an e-mail. A last line says what the chat adds under it.
 */
export function wijkberichtTestMail(content: WijkberichtContent, wijkNames: readonly string[]): { subject: string; text: string } {
  const wijken = joinWijkNames(wijkNames, "nl");
  return {
    subject: `Test: wijkbericht voor ${wijken}`,
    text: [
      `Dit is een test. Bewoners hebben niets gekregen.`,
      wijkberichtBody(content),
      `In hun chat zien bewoners onder het bericht ook dat het een wijkbericht van de gemeente voor ${wijken} is, en hoe ze zich afmelden.`,
    ].join("\n\n"),
  };
}

/**
 * The template's body parameter: WhatsApp refuses new lines, tabs and more than four spaces in a
 * row in a parameter (error 132018), so lines are joined with " · ", and it is cut at 1024.
 * https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates
 */
export function templateParameter(body: string): string {
  const flat = body
    .split(/\s*\n+\s*/)
    .filter(Boolean)
    .join(" · ")
    .replace(/[\t ]{2,}/g, " ");
  return flat.length <= TEMPLATE_PARAMETER_MAX ? flat : `${flat.slice(0, TEMPLATE_PARAMETER_MAX - 1)}…`;
}

/** The outbox payload: plain text, or the template (with the text as fallback for every other channel). */
export function wijkberichtPayload(text: string, template: WijkberichtTemplate | null): OutboundPayload {
  const templatePayload: TemplatePayload | undefined = template ? { name: template.name, language: template.language, bodyParameters: [templateParameter(text)], quickReplyPayloads: [] } : undefined;
  return { text, buttons: [], ...(templatePayload ? { template: templatePayload } : {}) };
}

/**
 * The outbox payload of one bericht: with a photo, the photo and the text without its address as
 * the caption; as a template (WhatsApp outside the window), the whole text with the photo's
 * address, since the template's body has only the text parameter.
 */
export function wijkberichtMessagePayload(globals: Globals, content: WijkberichtContent, wijkNames: readonly string[], language: Language, template: WijkberichtTemplate | null): OutboundPayload {
  if (template || !content.imageUrl) return wijkberichtPayload(wijkberichtText(globals, content, wijkNames, language), template);
  return { text: wijkberichtText(globals, { ...content, imageUrl: null }, wijkNames, language), buttons: [], image: { url: content.imageUrl } };
}

/** How a bericht goes to one WhatsApp Cloud recipient: as text inside the window, as the template outside it, or not at all. */
export type WhatsappForm = { form: "text" } | { form: "template"; template: WijkberichtTemplate } | { form: "none"; reason: string };

/** Picks the form for WhatsApp Cloud from whether the 24-hour window is open and a template is configured. */
export function whatsappForm(windowOpen: boolean, template: WijkberichtTemplate | null): WhatsappForm {
  if (windowOpen) return { form: "text" };
  if (template) return { form: "template", template };
  return { form: "none", reason: "WhatsApp window closed and no WHATSAPP_CLOUD_WIJKBERICHT_TEMPLATE set" };
}
