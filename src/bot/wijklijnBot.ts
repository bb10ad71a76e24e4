/**
 * The assembled bot: flows (reloaded on change in development), the triage model and lexicon, the
 * conversation processor and the outbox dispatcher, for the installation's gemeente.
 */
import { watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import type { ChannelAdapter } from "../channels/channel.ts";
import { defaultFlowsDir, loadFlows, type FlowSet } from "../conversation/loadFlows.ts";
import { triageResidentText, type ResidentTriage, type TriageRules } from "../conversation/residentTriage.ts";
import { loadSafetyLanguages } from "../conversation/safetyLanguages.ts";
import { loadTriageModel } from "../conversation/loadTriageModel.ts";
import { explainTriage, loadTriageLexicon, type TriageExplanation } from "../conversation/triage.ts";
import type { DatabaseProvider, Db } from "../db/client.ts";
import { OutboxDispatcher, type DispatcherOptions } from "../jobs/outboxDispatcher.ts";
import type { Logger } from "../log.ts";
import { retentionSettings, type RetentionSettings } from "../privacy/retentionSettings.ts";
import { ConversationProcessor } from "./processor.ts";

/** How many recent texts keep their triage (src/bot/wijklijnBot.ts classify). */
const TRIAGE_CACHE_SIZE = 1_000;

/** Everything the bot needs to run. */
export interface BotOptions {
  db: Db;
  provider: DatabaseProvider;
  logger: Logger;
  gemeente: { id: string; name: string; timeZone: string };
  publicUrl: string;
  secret: string;
  flowsDir?: string;
  lexiconPath?: string;
  /** The trained triage model (default flows/triage/model.json in flowsDir). */
  modelPath?: string;
  /** The other languages' 112/113 cues (default flows/triage/safety-languages.yaml in flowsDir). */
  safetyLanguagesPath?: string;
  /** Reload flows/ when a file changes (development). */
  watchFlows?: boolean;
  channels: ChannelAdapter[];
  dispatcher?: Partial<DispatcherOptions>;
  /** Where web chat photos are kept (DATA_DIR/media): erasure deletes a resident's files there. */
  mediaDir?: string;
  /** The retention periods in force (RETENTION_*), for what the bot says about keeping data; default the privacy defaults. */
  retention?: RetentionSettings;
  /** How often to look for messages that another (crashed) instance stored but did not handle; default 5 s. */
  recoverEveryMs?: number;
  now?: () => Date;
}

/** A running bot. */
export interface WijklijnBot {
  processor: ConversationProcessor;
  dispatcher: OutboxDispatcher;
  flows: () => FlowSet;
  classify: (text: string) => ResidentTriage;
  /** Why the model and the lexicon decided as they did (POST /api/v1/triage). */
  explain: (text: string) => TriageExplanation;
  stop(): Promise<void>;
}

/** Loads flows, the triage model, lexicon and the other languages' cues (throwing on a broken file), recovers waiting messages and starts delivery. */
export async function startBot(options: BotOptions): Promise<WijklijnBot> {
  const flowsDir = options.flowsDir ?? defaultFlowsDir;
  let flows = loadFlows(flowsDir);
  const lexiconPath = options.lexiconPath ?? join(flowsDir, "triage", "lexicon.yaml");
  const safetyLanguagesPath = options.safetyLanguagesPath ?? join(flowsDir, "triage", "safety-languages.yaml");
  const modelPath = options.modelPath ?? join(flowsDir, "triage", "model.json");
  const loadRules = (): TriageRules => ({ model: loadTriageModel(modelPath), lexicon: loadTriageLexicon(lexiconPath), languages: loadSafetyLanguages(safetyLanguagesPath) });
  let rules = loadRules();
  // One message is classified by several parts of its turn (the store's command check, the flood
  // limit, emergencies, other languages, the engine): the latest results are kept, frozen, so a
  // text costs one triage. A reload of the rules starts afresh.
  let triaged = new Map<string, ResidentTriage>();
  let triagedRules = rules;
  const classify = (text: string): ResidentTriage => {
    if (triagedRules !== rules || triaged.size >= TRIAGE_CACHE_SIZE) {
      triaged = new Map();
      triagedRules = rules;
    }
    let result = triaged.get(text);
    if (!result) {
      result = Object.freeze(triageResidentText(text, rules));
      triaged.set(text, result);
    }
    return result;
  };
  const explain = (text: string) => explainTriage(text, rules.lexicon, rules.model);

  let watcher: FSWatcher | null = null;
  if (options.watchFlows) {
    let pending: NodeJS.Timeout | null = null;
    watcher = watch(flowsDir, { recursive: true }, () => {
      if (pending) clearTimeout(pending);
      pending = setTimeout(() => {
        try {
          flows = loadFlows(flowsDir);
          rules = loadRules();
          options.logger.info("Reloaded the flows");
        } catch (error) {
          options.logger.error(error instanceof Error ? error.message : String(error));
          options.logger.warn("Keeping the previous flows until the files are fixed");
        }
      }, 200);
    });
  }

  const processor = new ConversationProcessor(
    options.db,
    options.provider,
    {
      flows: () => flows,
      classify,
      gemeente: options.gemeente,
      publicUrl: options.publicUrl,
      secret: options.secret,
      ...(options.mediaDir ? { mediaDir: options.mediaDir } : {}),
      retention: options.retention ?? retentionSettings(),
      ...(options.now ? { now: options.now } : {}),
    },
    options.logger,
  );
  const dispatcher = new OutboxDispatcher(options.db, options.logger, options.dispatcher ?? {}, options.now);
  for (const channel of options.channels) dispatcher.register(channel);
  processor.on("turn", () => dispatcher.nudge());
  for (const channel of options.channels) await channel.start();
  dispatcher.start();
  const recovered = await processor.recover();
  if (recovered > 0) options.logger.info({ conversations: recovered }, "Handling messages that were stored but not yet answered");
  // With several instances, one that dies leaves its stored messages to the others: they pick them up once they have waited a while.
  const recoverEveryMs = options.recoverEveryMs ?? 5_000;
  const sweep = setInterval(() => {
    const storedBefore = new Date((options.now?.() ?? new Date()).getTime() - recoverEveryMs);
    processor.recover({ storedBefore }).then(
      (count) => {
        if (count > 0) options.logger.info({ conversations: count }, "Handling messages another instance stored but did not answer");
      },
      (error: unknown) => options.logger.warn({ err: error }, "could not look for unanswered messages"),
    );
  }, recoverEveryMs);
  sweep.unref();

  return {
    processor,
    dispatcher,
    flows: () => flows,
    classify,
    explain,
    async stop() {
      clearInterval(sweep);
      watcher?.close();
      await processor.stop();
      await dispatcher.stop();
      for (const channel of options.channels) await channel.stop();
    },
  };
}
