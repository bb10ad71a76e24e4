/**
 * Sends the queued "Voelde je je gehoord?" questions: right after staff resolve a conversation (on
 * the inbox's status event, after commit) and every half minute for any left behind (a crash, a
 * second instance). Each question leaves in its own transaction with its outbox row; one that
 * fails is logged and tried again on the next sweep, never holding up the others.
 */
import { messageText } from "../conversation/messageText.ts";
import type { FlowSet } from "../conversation/loadFlows.ts";
import type { Db } from "../db/client.ts";
import { listQueuedFeedback, sendQueuedFeedback, type BuildQuestion } from "../db/feedback.repo.ts";
import { onInboxEvent } from "../domain/events.ts";
import type { Logger } from "../log.ts";
import { FEEDBACK_SCORES, feedbackButtonValue, planFeedbackQuestion } from "./feedback.ts";

/** What the asker needs. */
export interface FeedbackAskerOptions {
  db: Db;
  logger: Logger;
  flows: () => FlowSet;
  /** WhatsApp Cloud is on: its approved template for outside the 24-hour window (WHATSAPP_CLOUD_FEEDBACK_TEMPLATE), if any. */
  whatsappCloud: { template: string | null; language: string } | null;
  /** Called after questions went into the outbox (the dispatcher's nudge). */
  onQueued?: () => void;
  sweepEveryMs?: number;
  now?: () => Date;
}

/** The question as an outbound payload: the text with buttons 1–5, and the template when WhatsApp needs one. */
export function buildFeedbackQuestion(flows: FlowSet, template: { name: string | null; language: string } | null): BuildQuestion {
  return ({ plan, conversationId, reference, language }) => {
    const text = messageText(flows.globals, "feedbackQuestion", language, { reference });
    const buttons = FEEDBACK_SCORES.map((score) => ({ label: String(score), value: feedbackButtonValue(conversationId, score) }));
    if (plan.form === "template" && template?.name) {
      return {
        text,
        buttons,
        input: "choice",
        template: { name: template.name, language: template.language, bodyParameters: [reference], quickReplyPayloads: buttons.map((button) => button.value) },
      };
    }
    return { text, buttons, input: "choice" };
  };
}

/** Sends every queued question whose conversation is resolved; returns how many were asked. */
export async function askQueuedFeedback(options: Omit<FeedbackAskerOptions, "sweepEveryMs">): Promise<number> {
  const ids = await listQueuedFeedback(options.db);
  let asked = 0;
  for (const id of ids) {
    try {
      const now = options.now?.() ?? new Date();
      const plan = await sendQueuedFeedback(options.db, id, {
        now,
        whatsappCloud: options.whatsappCloud ? { template: options.whatsappCloud.template } : null,
        plan: planFeedbackQuestion,
        build: buildFeedbackQuestion(options.flows(), options.whatsappCloud ? { name: options.whatsappCloud.template, language: options.whatsappCloud.language } : null),
      });
      if (plan?.kind === "ask") asked++;
      if (plan?.kind === "skip") options.logger.info({ feedbackId: id, reason: plan.reason }, "Did not ask 'Voelde je je gehoord?'");
    } catch (error) {
      options.logger.error({ err: error, feedbackId: id }, "could not send a feedback question; trying again on the next sweep");
    }
  }
  if (asked > 0) options.onQueued?.();
  return asked;
}

/** Starts the asker; `stop` waits for a running round. */
export function startFeedbackAsker(options: FeedbackAskerOptions): { stop(): Promise<void>; nudge(): void } {
  let running: Promise<void> = Promise.resolve();
  let again = false;
  let busy = false;
  let stopped = false;
  const round = () => {
    if (stopped) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    running = (async () => {
      do {
        again = false;
        await askQueuedFeedback(options).catch((error: unknown) => options.logger.error({ err: error }, "looking for feedback questions to send failed"));
      } while (again && !stopped);
      busy = false;
    })();
  };
  const unsubscribe = onInboxEvent((event) => {
    if (event.kind === "status") round();
  });
  const sweep = setInterval(round, options.sweepEveryMs ?? 30_000);
  sweep.unref();
  round();
  return {
    nudge: round,
    async stop() {
      stopped = true;
      unsubscribe();
      clearInterval(sweep);
      await running;
    },
  };
}
