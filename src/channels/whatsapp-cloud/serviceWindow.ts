/**
 * WhatsApp's 24-hour customer-service window: after a resident's last message, a business may
 * send free-form messages (text, buttons, lists) for 24 hours. After that only an approved
 * template reaches them, until they write again.
 * https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages#customer-service-windows
 */

/** How long the window stays open after the resident's last message. */
export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * When the window closes: 24 hours after `lastInboundAt`, or null when the resident never wrote
 * (no window has ever been open).
 */
export function serviceWindowEndsAt(lastInboundAt: Date | null): Date | null {
  return lastInboundAt ? new Date(lastInboundAt.getTime() + SERVICE_WINDOW_MS) : null;
}

/**
 * Whether a free-form message may be sent now. False when the resident never wrote, and from the
 * exact moment 24 hours have passed (WhatsApp refuses later sends with error 131047).
 * `lastInboundAt` is when Wijklijn stored the resident's newest message on this channel identity:
 * a webhook Meta delivered late makes the window look slightly longer than WhatsApp's own, so a
 * send near the end can still fail with 131047 (it then lands in the dead letters with that reason).
 */
export function isWithinServiceWindow(lastInboundAt: Date | null, now: Date): boolean {
  const endsAt = serviceWindowEndsAt(lastInboundAt);
  return endsAt !== null && now.getTime() < endsAt.getTime();
}
