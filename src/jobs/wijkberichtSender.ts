/**
 * Sends wijkberichten: a scheduled bericht starts at its time; a sending one is queued for its
 * subscribers in batches, each batch one transaction of delivery rows with their outbox rows
 * (unique per bericht and identity), and the outbox dispatcher delivers them at each channel's
 * rate, after replies. At most `window` deliveries of a bericht wait in the outbox at once, so a
 * cancel or an unsubscribe takes back what has not gone yet, and the outbox stays small.
 *
 * A restart continues from the delivery rows: who has one is never queued again, and the outbox
 * never sends a row twice (src/jobs/outboxDispatcher.ts). When every subscriber has a row and
 * none waits any more, the bericht is "sent". Several instances may run: a batch that collides
 * with another instance's fails on the unique key and is retried next round.
 */
import type { Globals, Language } from "../conversation/flowSchema.ts";
import type { Db, Tx } from "../db/client.ts";
import { inTransaction } from "../db/transaction.ts";
import {
  countQueuedDeliveries,
  findLastInboundAt,
  findLastQueuedIdentity,
  findWijkberichtById,
  listActiveWijkberichtIds,
  listUnqueuedSubscribers,
  markWijkberichtQueued,
  moveWijkberichtStatus,
  queueWijkberichtDelivery,
  syncDeliveryStatuses,
  touchSendingWijkbericht,
  type WijkSubscriber,
} from "../db/wijkbericht.repo.ts";
import type { Channel } from "../domain/vocabulary.ts";
import { isWithinServiceWindow } from "../channels/whatsapp-cloud/serviceWindow.ts";
import type { Logger } from "../log.ts";
import { whatsappForm, wijkberichtMessagePayload, type WijkberichtTemplate } from "../wijkberichten/renderWijkbericht.ts";

/** What the sender needs. */
export interface WijkberichtSenderDeps {
  db: Db;
  logger: Logger;
  /** The bot's texts (the footer), read fresh. */
  globals: () => Globals;
  /** The channels this instance sends on; subscribers on another channel are "failed" (channel off). */
  channels: readonly Channel[];
  /** WhatsApp Cloud is the "whatsapp" channel: its approved template for outside the 24-hour window, or null when none is set. */
  whatsappCloud: { template: WijkberichtTemplate | null } | null;
  /** Called after a batch was queued (nudges the outbox dispatcher). */
  onQueued?: () => void;
  now?: () => Date;
  /** How often the sender looks (ms). */
  intervalMs?: number;
  /** At most this many deliveries of one bericht in the outbox at once. */
  window?: number;
  /** Identities per transaction. */
  batchSize?: number;
}

const DEFAULT_WINDOW = 1000;
const DEFAULT_BATCH = 200;

/** What a round did. */
export interface WijkberichtRound {
  started: number;
  queued: number;
  finished: number;
}

/** Queues one subscriber's copy in the caller's transaction, in the form their channel allows. */
async function queueOne(
  tx: Tx,
  deps: WijkberichtSenderDeps,
  bericht: { id: string; text: string; imageUrl: string | null; link: string | null; wijkNames: string[] },
  recipient: WijkSubscriber & { language: string },
  now: Date,
) {
  const { language: residentLanguage, ...subscriber } = recipient;
  const base = { wijkberichtId: bericht.id, subscriber, now };
  if (!deps.channels.includes(subscriber.channel)) {
    await queueWijkberichtDelivery(tx, { ...base, payload: null, form: "text", reason: `the ${subscriber.channel} channel is off` });
    return;
  }
  const language: Language = residentLanguage === "en" ? "en" : "nl";
  const payloadWith = (template: WijkberichtTemplate | null) => wijkberichtMessagePayload(deps.globals(), bericht, bericht.wijkNames, language, template);
  if (subscriber.channel === "whatsapp" && deps.whatsappCloud) {
    const form = whatsappForm(isWithinServiceWindow(await findLastInboundAt(tx, subscriber.channelIdentityId), now), deps.whatsappCloud.template);
    if (form.form === "none") await queueWijkberichtDelivery(tx, { ...base, payload: null, form: "template", reason: form.reason });
    else await queueWijkberichtDelivery(tx, { ...base, payload: payloadWith(form.form === "template" ? form.template : null), form: form.form, reason: null });
    return;
  }
  await queueWijkberichtDelivery(tx, { ...base, payload: payloadWith(null), form: "text", reason: null });
}

/** Advances one sending bericht: statuses from the outbox, the next batches, "sent" at the end. Returns how many were queued and whether it finished. */
async function advance(deps: WijkberichtSenderDeps, id: string, now: Date): Promise<{ queued: number; finished: boolean }> {
  const { db } = deps;
  const found = await findWijkberichtById(db, id);
  if (found?.status !== "sending") return { queued: 0, finished: false };
  const bericht = { id: found.id, text: found.text, imageUrl: found.imageUrl, link: found.link, wijkNames: found.wijken.map((w) => w.wijk.name).sort((a, b) => a.localeCompare(b, "nl")) };
  const wijkIds = found.wijken.map((w) => w.wijkId);
  await syncDeliveryStatuses(db, id, now);
  let waiting = await countQueuedDeliveries(db, id);
  let queued = 0;
  let allQueued = found.queuedAt !== null;
  const window = deps.window ?? DEFAULT_WINDOW;
  // Subscribers are queued in identity order: each batch starts after the last one queued, so a
  // bericht to 100,000 does not re-read everyone before it (quadratic). Whoever subscribed meanwhile
  // with an earlier identity is found by one full look before the bericht counts as queued.
  let after = allQueued ? undefined : await findLastQueuedIdentity(db, id);
  while (!allQueued && waiting < window) {
    const take = Math.min(deps.batchSize ?? DEFAULT_BATCH, window - waiting);
    let batch = await listUnqueuedSubscribers(db, id, wijkIds, take, after);
    if (batch.length === 0 && after !== undefined) {
      after = undefined;
      batch = await listUnqueuedSubscribers(db, id, wijkIds, take);
    }
    if (batch.length === 0) {
      await markWijkberichtQueued(db, id, now);
      allQueued = true;
      break;
    }
    const written = await inTransaction(
      db,
      async (tx) => {
        // Cancelled meanwhile: nothing more goes out.
        if (!(await touchSendingWijkbericht(tx, id, now))) return -1;
        for (const subscriber of batch) await queueOne(tx, deps, bericht, subscriber, now);
        return batch.length;
      },
      { timeoutMs: 60_000 },
    );
    if (written < 0) return { queued, finished: false };
    // The batch comes in the database's identity order: its last one is where the next starts.
    after = batch.at(-1)?.channelIdentityId ?? after;
    queued += written;
    waiting += written;
    deps.onQueued?.();
  }
  if (allQueued && waiting === 0) {
    const finished = await moveWijkberichtStatus(db, id, ["sending"], { status: "sent", at: now });
    return { queued, finished };
  }
  return { queued, finished: false };
}

/** One round: due berichten start, sending ones advance. Each bericht has its own try/catch. */
export async function runWijkberichtRound(deps: WijkberichtSenderDeps): Promise<WijkberichtRound> {
  const now = deps.now?.() ?? new Date();
  const { due, sending } = await listActiveWijkberichtIds(deps.db, now);
  const round: WijkberichtRound = { started: 0, queued: 0, finished: 0 };
  for (const id of due) if (await moveWijkberichtStatus(deps.db, id, ["scheduled"], { status: "sending", at: now })) round.started++;
  for (const id of [...new Set([...due, ...sending])]) {
    try {
      const result = await advance(deps, id, now);
      round.queued += result.queued;
      if (result.finished) round.finished++;
    } catch (error) {
      deps.logger.warn({ err: error, wijkberichtId: id }, "queueing a wijkbericht failed; the next round tries again");
    }
  }
  if (round.started + round.queued + round.finished > 0) deps.logger.info({ ...round }, "wijkberichten: a round");
  return round;
}

/** Runs rounds every `intervalMs` (default 1 s) until stopped; `nudge` runs one soon (a bericht was just sent). */
export function startWijkberichtSender(deps: WijkberichtSenderDeps): { nudge(): void; stop(): Promise<void> } {
  const intervalMs = deps.intervalMs ?? 1000;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    timer = null;
    if (stopped || running) return;
    running = runWijkberichtRound(deps)
      .then(
        () => undefined,
        (error: unknown) => deps.logger.error({ err: error }, "the wijkbericht round failed"),
      )
      .finally(() => {
        running = null;
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);
  return {
    nudge() {
      if (stopped || running) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(tick, 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
