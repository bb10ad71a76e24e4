/**
 * How a chat message's text shows on one channel, as segments for the inbox's preview: which
 * parts a resident sees bold, italic or struck through, and which become a tappable link. Pure.
 *
 * What each channel does with the text Wijklijn sends (keep in step with the channels):
 * - WhatsApp formats *bold*, _italic_ and ~struck~ itself; links are tappable, without a preview
 *   card (renderOutbound.ts sends preview_url: false).
 *   https://faq.whatsapp.com/539178204879377
 * - Telegram gets plain text (no parse_mode, telegramChannel.ts), so the asterisks stay as typed;
 *   links are tappable, without a preview card (link_preview_options.is_disabled).
 * - The web chat shows plain text and makes links, references and phone numbers tappable
 *   (src/channels/webchat/app.js appendRich).
 */

/** The channels a preview is shown for. */
export type PreviewChannel = "whatsapp" | "telegram" | "webchat";

/** One piece of a line as the resident sees it; `break` starts a new line. */
export type PreviewSegment = { kind: "text" | "bold" | "italic" | "strike" | "link"; text: string } | { kind: "break" };

// The web chat's own pattern for links (app.js): a full address, or a bare site such as "www.geldrop-mierlo.nl".
const LINK = /https?:\/\/[^\s<>"']+|\b(?:www\.)?[a-z0-9-]+\.(?:nl|com|org|eu)(?:\/[^\s<>"']*)?/gi;
// WhatsApp: a marker right before a non-space and right after one, not inside a word.
const WHATSAPP_STYLE = /(?<![\p{L}\p{N}])([*_~])(?=\S)([^\n]*?\S)\1(?![\p{L}\p{N}])/gu;
const STYLE_OF: Record<string, "bold" | "italic" | "strike"> = { "*": "bold", _: "italic", "~": "strike" };

function styled(text: string, channel: PreviewChannel): PreviewSegment[] {
  if (channel !== "whatsapp") return text ? [{ kind: "text", text }] : [];
  const out: PreviewSegment[] = [];
  let at = 0;
  for (const match of text.matchAll(WHATSAPP_STYLE)) {
    const [whole, marker = "", inner = ""] = match;
    if (match.index > at) out.push({ kind: "text", text: text.slice(at, match.index) });
    out.push({ kind: STYLE_OF[marker] ?? "bold", text: inner });
    at = match.index + whole.length;
  }
  if (at < text.length) out.push({ kind: "text", text: text.slice(at) });
  return out;
}

function line(text: string, channel: PreviewChannel): PreviewSegment[] {
  const out: PreviewSegment[] = [];
  let at = 0;
  for (const match of text.matchAll(LINK)) {
    // A sentence's full stop or closing bracket is not part of the link (as in the web chat).
    const link = match[0].replace(/[.,;:!?)]+$/, "");
    out.push(...styled(text.slice(at, match.index), channel));
    out.push({ kind: "link", text: link });
    at = match.index + link.length;
  }
  out.push(...styled(text.slice(at), channel));
  return out;
}

/** The text as segments, line by line, as `channel` shows it. */
export function previewSegments(text: string, channel: PreviewChannel): PreviewSegment[] {
  return text.split("\n").flatMap((row, index) => [...(index > 0 ? [{ kind: "break" as const }] : []), ...line(row, channel)]);
}
