/**
 * How staff see a resident's address on a channel (the WhatsApp number, the Telegram chat id, the
 * Bot Framework conversation, the web chat visitor): masked, always. Enough to tell two residents
 * apart, or to confirm "my number ends in 4321" on the phone; not enough to call or look someone
 * up. The full address never leaves the database layer for staff: Wijklijn answers in the chat,
 * and a resident who wants to be called gives a number for that in the chat itself. Pure.
 */
import type { Channel } from "../domain/messages.ts";

const DOTS = "••••";

/** The masked address, e.g. "+31 6 •••• 4321" for a Dutch mobile on WhatsApp; null when there is nothing to show. */
export function maskChannelAddress(channel: Channel, externalId: string): string | null {
  const id = externalId.trim();
  if (!id) return null;
  if (channel === "whatsapp") {
    // WhatsApp ids are the number in international form, "31612345678" (Cloud API) or "31612345678@c.us" (WhatsApp Web).
    const digits = id.replace(/@.*$/, "").replace(/\D/g, "");
    if (digits.length >= 8) {
      const last = digits.slice(-4);
      if (digits.startsWith("316")) return `+31 6 ${DOTS} ${last}`;
      return `+${digits.slice(0, 2)} ${DOTS} ${last}`;
    }
  }
  const tail = id.replace(/[^A-Za-z0-9]/g, "").slice(-4);
  return tail.length === 4 && id.length > 8 ? `${DOTS} ${tail}` : DOTS;
}
