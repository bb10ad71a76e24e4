/**
 * The weekly bundle for subscribers who chose "één keer per week": from Monday 09:00 (the
 * gemeente's time) each of them gets one message with the wijkberichten of their wijken that went
 * out the week before, through the outbox as bulk. Once per identity and ISO week: the bundle row
 * (unique) is written with its outbox row, so a restart or a second instance sends nothing twice.
 * Nothing is sent in a week without berichten. Texts: flows/globals.yaml (wijkberichtWeekly).
 */
import type { Globals, Language } from "../conversation/flowSchema.ts";
import { messageText } from "../conversation/messageText.ts";
import type { Db } from "../db/client.ts";
import { inTransaction } from "../db/transaction.ts";
import { findLastInboundAt, listBerichtenStartedBetween, listWeeklySubscribersWithoutBundle, queueWeeklyBundle } from "../db/wijkbericht.repo.ts";
import { addIsoWeeks, isoWeekBounds, isoWeekMoment, isoWeekOf } from "../digests/isoWeek.ts";
import type { Channel } from "../domain/vocabulary.ts";
import type { Logger } from "../log.ts";
import { isWithinServiceWindow } from "../channels/whatsapp-cloud/serviceWindow.ts";
import { joinWijkNames, whatsappForm, wijkberichtBody, wijkberichtPayload, type WhatsappForm, type WijkberichtTemplate } from "../wijkberichten/renderWijkbericht.ts";
import { MAX_MERGED_TEXT } from "../domain/messages.ts";

/** What the bundle job needs. */
export interface WeeklyBundleDeps {
  db: Db;
  logger: Logger;
  globals: () => Globals;
  gemeenteId: string;
  timeZone: string;
  channels: readonly Channel[];
  /**
   * WhatsApp Cloud: inside the 24-hour window the bundle goes as text, outside it as the approved
   * template (WHATSAPP_CLOUD_BUNDLE_TEMPLATE, else the wijkbericht template); without one it is not sent.
   */
  whatsappCloud: { template: WijkberichtTemplate | null } | null;
  now?: () => Date;
  batchSize?: number;
}

/** The bundle's text for one resident: each bericht of their wijken, the newest last, cut to one message. */
export function weeklyBundleText(globals: Globals, berichten: ReadonlyArray<{ text: string; imageUrl: string | null; link: string | null }>, wijkNames: readonly string[], language: Language): string {
  const wijken = joinWijkNames(wijkNames, language);
  const frame = messageText(globals, "wijkberichtWeekly", language, { wijken, berichten: "" });
  const room = MAX_MERGED_TEXT - frame.length - 10;
  const parts: string[] = [];
  for (const bericht of berichten) {
    const body = `• ${wijkberichtBody(bericht).replace(/\n{2,}/g, "\n")}`;
    if ([...parts, body].join("\n\n").length > room) break;
    parts.push(body);
  }
  return messageText(globals, "wijkberichtWeekly", language, { wijken, berichten: parts.join("\n\n") });
}

/** Sends the bundles of the week before `now`, when Monday 09:00 has passed; returns how many were queued. */
export async function sendWeeklyBundles(deps: WeeklyBundleDeps): Promise<number> {
  const now = deps.now?.() ?? new Date();
  const thisWeek = isoWeekOf(now, deps.timeZone);
  if (now < isoWeekMoment(thisWeek, 1, "09:00", deps.timeZone)) return 0;
  const week = addIsoWeeks(thisWeek, -1);
  const { start, end } = isoWeekBounds(week, deps.timeZone);
  const berichten = await listBerichtenStartedBetween(deps.db, deps.gemeenteId, start, end);
  if (berichten.length === 0) return 0;
  const wijkIds = [...new Set(berichten.flatMap((b) => b.wijken.map((w) => w.wijkId)))];
  const names = new Map(berichten.flatMap((b) => b.wijken.map((w) => [w.wijkId, w.wijk.name] as const)));
  let queued = 0;
  for (;;) {
    const batch = await listWeeklySubscribersWithoutBundle(deps.db, wijkIds, week, deps.batchSize ?? 200);
    if (batch.length === 0) return queued;
    await inTransaction(deps.db, async (tx) => {
      for (const { language: stored, wijkIds: followed, ...subscriber } of batch) {
        const language: Language = stored === "en" ? "en" : "nl";
        const theirs = berichten.filter((b) => b.wijken.some((w) => followed.includes(w.wijkId)));
        const wijkNames = followed.flatMap((id) => names.get(id) ?? []).sort((a, b) => a.localeCompare(b, "nl"));
        const text = weeklyBundleText(deps.globals(), theirs, wijkNames, language);
        const reachable = deps.channels.includes(subscriber.channel);
        const form: WhatsappForm =
          subscriber.channel === "whatsapp" && deps.whatsappCloud
            ? whatsappForm(isWithinServiceWindow(await findLastInboundAt(tx, subscriber.channelIdentityId), now), deps.whatsappCloud.template)
            : { form: "text" };
        const payload = reachable && form.form !== "none" ? wijkberichtPayload(text, form.form === "template" ? form.template : null) : null;
        await queueWeeklyBundle(tx, { subscriber, week, berichten: theirs.length, payload, now });
        if (payload) queued++;
      }
    });
  }
}

/** Looks every 10 minutes (a bundle waits at most that long after Monday 09:00). */
export function startWeeklyBundles(deps: WeeklyBundleDeps & { onQueued?: () => void; intervalMs?: number }): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = sendWeeklyBundles(deps)
      .then(
        (queued) => {
          if (queued > 0) {
            deps.logger.info({ queued }, "wijkberichten: weekly bundles queued");
            deps.onQueued?.();
          }
        },
        (error: unknown) => deps.logger.warn({ err: error }, "the weekly wijkbericht bundles failed; the next round tries again"),
      )
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, deps.intervalMs ?? 10 * 60_000);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
