/**
 * Changes in conversations that staff should see at once (live inbox updates, notifications).
 * Emitted only after the change is committed. In-process: with several instances, each serves
 * its own live connections and the inbox also refreshes on a timer.
 */
import { EventEmitter } from "node:events";

/** A change in a conversation. `handover`: it just landed in a tandem's inbox. */
export interface InboxEvent {
  conversationId: string;
  tandemId: string | null;
  kind: "message" | "note" | "status" | "assigned" | "routed" | "theme" | "handover";
}

/** The event bus ("change" events carry an InboxEvent). */
export const inboxEvents = new EventEmitter();
inboxEvents.setMaxListeners(1000);

/** Emits an inbox event. */
export function emitInboxEvent(event: InboxEvent): void {
  inboxEvents.emit("change", event);
}

/** Subscribes to inbox events; returns the unsubscribe function. */
export function onInboxEvent(listener: (event: InboxEvent) => void): () => void {
  inboxEvents.on("change", listener);
  return () => inboxEvents.off("change", listener);
}
