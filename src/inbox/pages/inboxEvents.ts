/**
 * GET /inbox/events: server-sent events for the signed-in staff user. Each committed change of a
 * conversation in their tandems (every tandem for an admin) becomes a `change` event with the
 * conversation id and the kind; a comment line every 15 seconds keeps proxies from closing the
 * stream. A stream ends after `maxStreamMs`; the browser reconnects, and so a session that was
 * ended stops receiving.
 */
import type { RequestHandler } from "express";
import { staffOf } from "../../api/auth.ts";
import { canSee, type StaffAccess } from "../../domain/access.ts";
import { onInboxEvent, type InboxEvent } from "../../domain/events.ts";

/** Timing of the event stream. */
export interface InboxEventsOptions {
  /** 15 s by default. */
  heartbeatMs?: number;
  /** 30 minutes by default. */
  maxStreamMs?: number;
}

/**
 * Whether a staff user may hear about this event: same rule as seeing the conversation. An event
 * of a conversation without a tandem reaches every gebiedsregisseur too (isUnrouted: the shared
 * queue); it carries no text, only that the list changed.
 */
export function mayHearEvent(staff: StaffAccess, event: InboxEvent): boolean {
  if (event.tandemId === null) return staff.role === "admin" || staff.role === "gebiedsregisseur";
  return canSee(staff, event.tandemId);
}

/** The SSE handler; mount after the session middleware. */
export function inboxEventsHandler(options: InboxEventsOptions = {}): RequestHandler {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxStreamMs = options.maxStreamMs ?? 30 * 60_000;
  return (_req, res) => {
    const staff = staffOf(res);
    res.status(200);
    res.setHeader("Content-Type", "text/event-stream; charset=utf-8");
    res.setHeader("Cache-Control", "no-cache, no-transform");
    res.setHeader("X-Accel-Buffering", "no");
    res.flushHeaders();
    res.write("retry: 5000\n\n");
    const unsubscribe = onInboxEvent((event) => {
      if (!mayHearEvent(staff, event)) return;
      res.write(`event: change\ndata: ${JSON.stringify({ conversationId: event.conversationId, kind: event.kind })}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), heartbeatMs);
    const limit = setTimeout(() => res.end(), maxStreamMs);
    res.on("close", () => {
      unsubscribe();
      clearInterval(heartbeat);
      clearTimeout(limit);
    });
  };
}
