/**
 * The outbound Open311 connector: meldingen of the configured themes (OPEN311_FORWARD_THEMES) that
 * reach staff are filed at the gemeente's meldingen system over GeoReport v2, once, and their status
 * there is fetched back and told to the resident in their own chat.
 *
 * - Sending: each forward is claimed with a lease (one instance sends it), posted, and marked sent
 *   with the external service_request_id (or token). A failure that may pass (network, 5xx, 408,
 *   429) is tried again after 1, 2, 4 … minutes (at most an hour between tries) up to
 *   MAX_SEND_ATTEMPTS; a refusal (other 4xx) or the last failed try gives up, with a note for staff.
 * - Polling: every OPEN311_FORWARD_POLL_MINUTES, GET requests/:id. A new status or new notes go to
 *   the resident once (flows/globals.yaml `open311Update`, `open311Closed`) through the outbox, with a
 *   note for staff; a closed request is polled no more. A failed poll waits longer each time.
 *
 * What is sent: the service_code, the resident's typed messages of the conversation (the melding,
 * with the Wijklijn reference), the place they shared or else the wijk; never their name, number
 * or chat id.
 */
import { randomUUID } from "node:crypto";
import { isWithinServiceWindow } from "../channels/whatsapp-cloud/serviceWindow.ts";
import type { FlowSet } from "../conversation/loadFlows.ts";
import { messageText } from "../conversation/messageText.ts";
import type { Db } from "../db/client.ts";
import {
  type ClaimedForward,
  claimDueForward,
  listDuePolls,
  markForwardFailed,
  markForwardSent,
  type PollableForward,
  queueOpen311Forwards,
  recordForwardAttempt,
  recordForwardId,
  recordPolledStatus,
  recordPollFailure,
} from "../db/open311Forward.repo.ts";
import type { OutboundPayload, TemplatePayload } from "../domain/messages.ts";
import { parseLanguage } from "../domain/vocabulary.ts";
import type { Logger } from "../log.ts";
import { templateParameter } from "../wijkberichten/renderWijkbericht.ts";
import { findOpen311RequestByMarker, getOpen311Status, Open311CallError, type Open311Endpoint, postOpen311Request, resolveOpen311Token } from "./open311Client.ts";

/** How many times a send is tried before it is given up. */
export const MAX_SEND_ATTEMPTS = 8;
/** How far back a hand-over is looked for (a connector switched on later forwards no older meldingen). */
export const FORWARD_LOOKBACK_MS = 24 * 3600 * 1000;
const MINUTE = 60_000;
/** How far around the attempt a look-up by kenmerk searches (the endpoint's clock may differ). */
const LOOK_UP_MARGIN_MS = 24 * 3600 * 1000;

/** A send's claim: longer than a look-up and a POST can take, so a live instance never loses it; a crashed one's runs out soon. */
function sendLeaseMs(endpoint: Open311Endpoint): number {
  return 2 * (endpoint.timeoutMs ?? 10_000) + 5_000;
}

/** The wait before try `attempt + 1` after `attempt` failed tries: 1, 2, 4 … minutes, at most an hour. */
export function retryDelayMs(failedAttempts: number): number {
  return Math.min(MINUTE * 2 ** Math.max(0, failedAttempts - 1), 60 * MINUTE);
}

/** What the connector needs. */
export interface ForwarderOptions {
  db: Db;
  logger: Logger;
  endpoint: Open311Endpoint;
  /** Theme → the endpoint's service_code. */
  services: Readonly<Record<string, string>>;
  pollEveryMs: number;
  flows: () => FlowSet;
  /**
   * WhatsApp Cloud is the channel behind "whatsapp": outside the 24-hour window the status goes as
   * this approved template (WHATSAPP_CLOUD_OPEN311_TEMPLATE), or (null) not to the resident at all.
   */
  whatsappCloud?: { template: string | null; language: string } | null;
  /** Called after a resident message went into the outbox (the dispatcher's nudge). */
  onQueued?: () => void;
  now?: () => Date;
}

/** The kenmerk line that ends every description: the reference for people, the token to find it back by. */
function markerOf(forward: ClaimedForward, token: string): string {
  return `(Wijklijn ${forward.reference}, kenmerk ${token})`;
}

/** The description: the resident's words, then the kenmerk line. */
function descriptionOf(forward: ClaimedForward, marker: string): string {
  const text = forward.texts.join("\n").trim();
  const body = text.length > 0 ? text : "Melding via Wijklijn.";
  return `${body.slice(0, 4000 - marker.length - 2)}\n\n${marker}`;
}

/** A new kenmerk: unguessable, short enough to read out on the phone. */
function newSendToken(): string {
  return `wl-${randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

/**
 * Queues what is new, then sends every forward that is due; returns how many were sent (or found
 * back). Exactly once, also across a crash: the kenmerk and the attempt are committed before the
 * POST, and a try after one that may have reached the endpoint (a crash, a lost answer, a 5xx)
 * first looks the request up by its kenmerk; it posts again only when the endpoint certainly does
 * not have it, and gives up with a note for staff when it cannot tell.
 */
export async function forwardDueMeldingen(options: ForwarderOptions): Promise<number> {
  const now = options.now?.() ?? new Date();
  await queueOpen311Forwards(options.db, { services: options.services, since: new Date(now.getTime() - FORWARD_LOOKBACK_MS), now });
  let sent = 0;
  for (let i = 0; i < 100; i++) {
    const at = options.now?.() ?? new Date();
    const forward = await claimDueForward(options.db, at, sendLeaseMs(options.endpoint));
    if (!forward) break;
    const token = forward.sendToken ?? newSendToken();
    const marker = markerOf(forward, token);
    let posting = false;
    try {
      if (forward.attemptedAt) {
        const found = await findOpen311RequestByMarker(options.endpoint, {
          serviceCode: forward.serviceCode,
          marker,
          from: new Date(forward.attemptedAt.getTime() - LOOK_UP_MARGIN_MS),
          to: new Date(at.getTime() + LOOK_UP_MARGIN_MS),
        });
        if (found.kind === "found") {
          if (await markSent(options, forward, { id: found.id, token: null }, at)) sent++;
          continue;
        }
        if (found.kind === "unknown") {
          await markForwardFailed(options.db, forward, {
            error: "the Open311 endpoint lists requests without their description, so a request sent before cannot be found back",
            retryAt: null,
            note: `Doorsturen naar het meldingensysteem (Open311) is onderbroken, en Wijklijn kan niet zien of de melding daar is aangekomen. Zoek daar op "${token}" of ${forward.reference}; staat hij er niet, zet hem er dan zelf in.`,
            now: at,
            certainlyNotFiled: false,
          });
          options.logger.warn({ forwardId: forward.id }, "an Open311 forward in doubt could not be looked up; left to staff");
          continue;
        }
      }
      if (!(await recordForwardAttempt(options.db, forward, { token, now: at }))) continue; // the claim ran out meanwhile
      posting = true;
      const created = await postOpen311Request(options.endpoint, {
        serviceCode: forward.serviceCode,
        description: descriptionOf(forward, marker),
        lat: forward.location?.lat ?? null,
        long: forward.location?.lon ?? null,
        addressString: forward.location ? null : forward.wijkName ? `${forward.wijkName}, ${forward.gemeenteName}` : forward.gemeenteName,
      });
      if (await markSent(options, forward, created, at)) sent++;
    } catch (error) {
      const message = error instanceof Open311CallError ? error.message : "the Open311 request could not be made";
      const attempts = forward.attempts + 1;
      const refused = error instanceof Open311CallError && error.permanent;
      const giveUp = refused || attempts >= MAX_SEND_ATTEMPTS;
      // Only a refused POST is certainly not there; a refused look-up, a 5xx or silence may be.
      const certainlyNotFiled = refused && posting;
      const maybeThere = !certainlyNotFiled && (posting || forward.attemptedAt !== null);
      await markForwardFailed(options.db, forward, {
        error: message,
        retryAt: giveUp ? null : new Date(at.getTime() + retryDelayMs(attempts)),
        note: giveUp
          ? `Doorsturen naar het meldingensysteem (Open311) is niet gelukt na ${attempts} ${attempts === 1 ? "poging" : "pogingen"}: ${message}. ${maybeThere ? `Misschien staat de melding er toch: zoek op "${token}" of ${forward.reference}, en zet hem er anders zelf in.` : "Zet de melding daar zelf in."}`
          : null,
        now: at,
        certainlyNotFiled,
      });
      options.logger.warn({ forwardId: forward.id, attempts, giveUp, err: error instanceof Open311CallError ? error.message : error }, "forwarding a melding over Open311 failed");
    }
  }
  return sent;
}

async function markSent(options: ForwarderOptions, forward: ClaimedForward, created: { id: string | null; token: string | null }, at: Date): Promise<boolean> {
  return markForwardSent(options.db, forward, {
    externalId: created.id,
    token: created.token,
    note: `Doorgestuurd naar het meldingensysteem van de gemeente (Open311)${created.id ? `, nummer ${created.id}` : ""}. De status komt hier en bij de bewoner terug.`,
    now: at,
    firstPollAt: new Date(at.getTime() + options.pollEveryMs),
  });
}

/** Fetches the status of every sent forward that is due; returns how many residents were told something. */
export async function pollForwardedStatuses(options: ForwarderOptions): Promise<number> {
  const now = options.now?.() ?? new Date();
  let told = 0;
  for (const forward of await listDuePolls(options.db, now)) {
    try {
      if (await pollOne(options, forward, now)) told++;
    } catch (error) {
      const message = error instanceof Open311CallError ? error.message : "the status could not be fetched";
      const wait = Math.min(options.pollEveryMs * 2 ** (forward.pollFailures + 1), 24 * 3600 * 1000);
      await recordPollFailure(options.db, forward.id, { error: message, nextPollAt: new Date(now.getTime() + wait) });
      options.logger.warn({ forwardId: forward.id, failures: forward.pollFailures + 1, err: message }, "fetching an Open311 status failed");
    }
  }
  if (told > 0) options.onQueued?.();
  return told;
}

async function pollOne(options: ForwarderOptions, forward: PollableForward, now: Date): Promise<boolean> {
  const nextPollAt = new Date(now.getTime() + options.pollEveryMs);
  let externalId = forward.externalId;
  if (!externalId && forward.externalToken) {
    externalId = await resolveOpen311Token(options.endpoint, forward.externalToken);
    if (!externalId) {
      await recordForwardId(options.db, forward.id, null, nextPollAt);
      return false;
    }
    await recordForwardId(options.db, forward.id, externalId, now);
  }
  if (!externalId) return false;
  const status = await getOpen311Status(options.endpoint, externalId);
  const changed = status.status !== (forward.externalStatus ?? "open") || (status.notes !== null && status.notes !== forward.externalNotes);
  const language = parseLanguage(forward.recipient?.language) ?? "nl";
  const notes = status.notes ?? "";
  const text = changed ? messageText(options.flows().globals, status.status === "closed" ? "open311Closed" : "open311Update", language, { reference: forward.reference, notes }).trim() : "";
  const form: StatusForm = changed && forward.recipient ? whatsappFormOf(options, forward.recipient, now) : { kind: "text" };
  const residentMessage: OutboundPayload | null =
    !changed || form.kind === "none" ? null : { text, buttons: [], ...(form.kind === "template" ? { template: open311Template(form, forward.reference, text) } : {}) };
  const statusNote = `Meldingensysteem (Open311): ${status.status === "closed" ? "afgehandeld" : "in behandeling"}${status.notes ? ` — ${status.notes}` : ""}.`;
  const untold = form.kind === "none" ? " De bewoner is niet bericht: het WhatsApp-venster van 24 uur is dicht en er is geen sjabloon ingesteld (WHATSAPP_CLOUD_OPEN311_TEMPLATE)." : "";
  await recordPolledStatus(options.db, forward, {
    status: status.status,
    notes: status.notes,
    now,
    nextPollAt,
    residentMessage,
    staffNote: changed ? `${statusNote}${untold}` : null,
  });
  return residentMessage !== null && forward.recipient !== null;
}

type StatusForm = { kind: "text" } | { kind: "template"; name: string; language: string } | { kind: "none" };

/** Text, except on WhatsApp Cloud outside the 24-hour window: the approved template, or nothing without one. */
function whatsappFormOf(options: ForwarderOptions, recipient: { channel: string; lastInboundAt: Date | null }, now: Date): StatusForm {
  if (recipient.channel !== "whatsapp" || !options.whatsappCloud || isWithinServiceWindow(recipient.lastInboundAt, now)) return { kind: "text" };
  return options.whatsappCloud.template ? { kind: "template", name: options.whatsappCloud.template, language: options.whatsappCloud.language } : { kind: "none" };
}

/** The template's {{1}} (the reference) and {{2}} (what follows it in the chat text: the status and the notes). */
function open311Template(form: { name: string; language: string }, reference: string, text: string): TemplatePayload {
  const at = text.indexOf(reference);
  const rest = (at >= 0 ? text.slice(at + reference.length) : text).replace(/^[\s:]+/, "");
  return { name: form.name, language: form.language, bodyParameters: [reference, templateParameter(rest || text)], quickReplyPayloads: [] };
}

/** Starts the connector: sends every half minute, polls every `pollEveryMs`; `stop` waits for a running round. */
export function startOpen311Forwarder(options: ForwarderOptions & { sendEveryMs?: number }): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const run = (work: () => Promise<unknown>, what: string) => {
    if (stopped) return;
    running = running.then(work).catch((error: unknown) => options.logger.error({ err: error }, what));
  };
  const send = setInterval(() => run(() => forwardDueMeldingen(options), "forwarding meldingen over Open311 failed"), options.sendEveryMs ?? 30_000);
  const poll = setInterval(() => run(() => pollForwardedStatuses(options), "fetching Open311 statuses failed"), Math.min(options.pollEveryMs, 5 * MINUTE));
  send.unref();
  poll.unref();
  run(() => forwardDueMeldingen(options), "forwarding meldingen over Open311 failed");
  return {
    async stop() {
      stopped = true;
      clearInterval(send);
      clearInterval(poll);
      await running;
    },
  };
}
