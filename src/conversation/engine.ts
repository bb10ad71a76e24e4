/**
 * The flow engine: a pure function from (state, event) to (new state, bot outputs, and at most
 * one action for the bot to carry out). It does no I/O: actions (looking up a wijk, opening a
 * conversation…) are carried out by src/bot and their outcome comes back as an event.
 */
import { z } from "zod";
import { matchChoice, matchLeadingChoice, normalise, parseDate, parseNumber, type Choice } from "./answers.ts";
import type { ActionName, AskStep, Condition, Flow, InputKind, Language, Step, Target, Text } from "./flowSchema.ts";
import type { FlowSet } from "./loadFlows.ts";
import { findPlaceInText, namesStreet } from "./placeInText.ts";
import { asksWasteCalendar, isQuestion, routeQuestion } from "./questionForm.ts";
import type { TriageResult } from "./triage.ts";

/** What the engine remembers between messages (stored as JSON on the conversation). */
export const FlowStateSchema = z.object({
  v: z.literal(1).default(1),
  flow: z.string().nullable().default(null),
  step: z.string().nullable().default(null),
  /** "ask": waiting for the resident; "action": waiting for an action's outcome. */
  waiting: z.enum(["ask", "action"]).nullable().default(null),
  vars: z.record(z.string(), z.unknown()).default({}),
  tries: z.number().int().default(0),
  language: z.enum(["nl", "en"]).default("nl"),
  /** Where to go when the current flow ends (e.g. back to melding after the wijk flow). */
  resume: z.string().nullable().default(null),
  /** A 112 or 113 message stopped the form: the next messages get a safety follow-up, never a form question. */
  safety: z.enum(["112", "113"]).nullable().default(null),
});
export type FlowState = z.infer<typeof FlowStateSchema>;

/** A fresh state. */
export function initialState(language: Language = "nl"): FlowState {
  return FlowStateSchema.parse({ language });
}

/**
 * The state after a 112 or 113 message: whatever form was running is over (its answers are the
 * caller's to keep for staff), only the variables that live across flows stay, and `safety`
 * marks the follow-up.
 */
export function stopForSafety(state: FlowState, emergency: "112" | "113"): FlowState {
  return { ...state, flow: null, step: null, waiting: null, vars: keepVars(state.vars), tries: 0, resume: null, safety: emergency };
}

/**
 * The menu option a tapped button stands for (an option of any of the menu's questions, e.g. from
 * an earlier menu further up the chat), or null.
 */
export function tappedMenuOption(flows: FlowSet, value: string): string | null {
  const menu = flows.flows.get(flows.globals.menu);
  for (const step of Object.values(menu?.steps ?? {})) {
    if (step.type !== "ask") continue;
    const option = step.options?.find((o) => o.value === value && o.next);
    if (option) return option.value;
  }
  return null;
}

/** A shared location. */
export interface GeoPoint {
  lat: number;
  lon: number;
}

/** What happened: the resident wrote, or an action finished, or the bot starts a flow itself. */
export type EngineEvent =
  | { type: "message"; text?: string; value?: string; location?: GeoPoint; media?: { ref: string; kind: "photo" | "voice" | "video" | "document" | "sticker" } }
  | { type: "actionResult"; outcome: string; vars?: Record<string, unknown> }
  | { type: "start"; target: Target; vars?: Record<string, unknown> };

/** A button: what it says and what it answers. */
export interface Button {
  label: string;
  value: string;
}

/** One bot message. `input` tells the channel what kind of answer is expected. */
export interface BotOutput {
  text: string;
  buttons: Button[];
  input?: InputKind;
}

/** What the engine decided. */
export interface EngineResult {
  state: FlowState;
  outputs: BotOutput[];
  /** An action to carry out; its outcome comes back as an actionResult event. */
  action: { name: ActionName; params: Record<string, unknown> } | null;
  /** Which global command the message was, if any (for analytics and the pipeline). */
  command: string | null;
}

/** What the engine needs besides state and event. All pure data and functions. */
export interface EngineContext {
  flows: FlowSet;
  /** Resident facts for conditions and texts: available as `resident.<name>`. */
  resident: Record<string, unknown>;
  /** Free-text classification (pure). */
  classify: (text: string) => TriageResult;
  /** Today in the gemeente's time zone, for dates such as "morgen". */
  today: [number, number, number];
}

/**
 * How sure triage must be before the bot follows an intent without asking; below it the intent
 * counts as `onbekend` and the bot asks what the resident means (globals `unclear`). Chosen on the
 * held-out test split (README, "Triage"): below 0.55 a guessed intent is wrong more often than right.
 */
export const INTENT_CONFIDENCE = 0.55;
/** How sure the triage must be before free text at the wijk question starts another flow. */
const WIJK_QUESTION_INTENT_CONFIDENCE = 0.75;
/** How sure the triage must be of another flow before a flow's entry words ("is het nu weg?") are passed over. */
const ENTRY_OVERRULED_CONFIDENCE = 0.75;
const MAX_TRIES = 3;
/** Set when a global command breaks off a form (flows/doei.yaml): the form's id, or "" when none was open. */
const INTERRUPTED_VAR = "keep_interrupted";
/** Set by the wijk flow when the resident does not know their wijk: flows that need one go on without it. */
const NO_WIJK_VAR = "keep_noWijk";
/** The flow variable that counts messages in a row that were not understood (a keep_ variable lives across flows). */
const STRIKES_VAR = "keep_notUnderstood";
const MAX_STEPS_PER_EVENT = 100;
/** Set once a privacy question at the consent question got the whole answer: a next one gets a short answer. */
const PRIVACY_ANSWERED_VAR = "keep_privacyAnswered";
/** A next question about privacy: how long, who sees it, what is kept or shared. */
const PRIVACY_FOLLOW_UP = /\b(hoe ?lang|wie (kan|kunnen|mag|mogen|ziet|zien|leest|lezen)|bewaren|bewaard|gegevens|privacy|delen jullie|doorgeven|how long|who (can|sees|reads)|my data)\b/;
/** The step of the first-contact flow that asks only the consent question (flows/welkom.yaml). */
const CONSENT_ONLY_STEP = "consent-only";

/** Handles one event. */
export function handleEvent(stateIn: FlowState, event: EngineEvent, ctx: EngineContext): EngineResult {
  const run = new Run(structuredClone(stateIn), ctx);
  run.handle(event);
  return { state: run.state, outputs: run.outputs, action: run.action, command: run.command };
}

class Run {
  outputs: BotOutput[] = [];
  action: EngineResult["action"] = null;
  command: string | null = null;
  private steps = 0;
  private resuming = false;
  /** Messages in a row that were not understood, before this one. */
  private strikes = 0;
  /** The text of the message being handled ("" for other events). */
  private said = "";
  /** Resident facts, updated by action results (e.g. the wijk just chosen). */
  private readonly resident: Record<string, unknown>;

  constructor(
    public state: FlowState,
    private readonly ctx: EngineContext,
  ) {
    this.resident = { ...ctx.resident };
  }

  handle(event: EngineEvent): void {
    switch (event.type) {
      case "start":
        if (event.target.startsWith("flow:")) {
          // As carried vars: startFlow resets the variables of the flow before.
          const [flowId = "", stepId] = event.target.slice("flow:".length).split("#");
          this.startFlow(flowId, stepId, event.vars ?? {});
          return;
        }
        Object.assign(this.state.vars, event.vars ?? {});
        this.goTo(event.target);
        return;
      case "actionResult":
        this.onActionResult(event.outcome, event.vars ?? {});
        return;
      case "message":
        this.onMessage(event);
        return;
    }
  }

  // ----- texts ------------------------------------------------------------------------------

  private t(text: Text): string {
    const template = text[this.state.language] ?? text.nl;
    return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => formatValue(this.lookup(name)));
  }

  private lookup(name: string): unknown {
    if (name.startsWith("resident.")) return this.resident[name.slice("resident.".length)];
    const [head, ...rest] = name.split(".");
    let value: unknown = head ? this.state.vars[head] : undefined;
    for (const key of rest) value = value && typeof value === "object" && key in value ? Object.getOwnPropertyDescriptor(value, key)?.value : undefined;
    return value;
  }

  /**
   * The short answer to a privacy question after the first one at the consent question: how long, who sees
   * it, or what is kept; undefined when the flows have no such texts (then the whole answer again).
   */
  private privacyFollowUp(): Text | undefined {
    const said = normalise(this.said);
    const m = this.messages;
    if (/\b(hoe lang|hoelang|bewaartermijn|wanneer (weg|gewist|verwijderd)|how long)\b/.test(said)) return m.privacyHowLong;
    if (/\b(wie|who)\b/.test(said)) return m.privacyWhoSees;
    return m.privacyWhatKept;
  }

  private say(text: string, buttons: Button[] = [], input?: InputKind): void {
    this.outputs.push(input ? { text, buttons, input } : { text, buttons });
  }

  private get messages() {
    return this.ctx.flows.globals.messages;
  }

  private menuButtons(): Button[] {
    const menu = this.ctx.flows.flows.get(this.ctx.flows.globals.menu);
    return menu ? [{ label: this.t(menu.title), value: "menu" }] : [];
  }

  // ----- moving through flows ---------------------------------------------------------------

  private currentFlow(): Flow | undefined {
    return this.state.flow ? this.ctx.flows.flows.get(this.state.flow) : undefined;
  }

  private goTo(target: Target): void {
    if (++this.steps > MAX_STEPS_PER_EVENT) throw new Error(`flow ${this.state.flow ?? "?"} loops without waiting for the resident`);
    if (target === "end") {
      this.finishFlow();
      return;
    }
    if (target.startsWith("flow:")) {
      const [flowId = "", stepId] = target.slice("flow:".length).split("#");
      this.startFlow(flowId, stepId);
      return;
    }
    const flow = this.currentFlow();
    const step = flow?.steps[target];
    if (!flow || !step) throw new Error(`flow ${this.state.flow ?? "?"} has no step ${target}`);
    this.state.step = target;
    this.state.waiting = null;
    this.state.tries = 0;
    this.runStep(step);
  }

  private startFlow(flowId: string, stepId?: string, carry: Record<string, unknown> = {}): void {
    const flow = this.ctx.flows.flows.get(flowId);
    if (!flow) throw new Error(`there is no flow ${flowId}`);
    // Asked for at the consent question itself ("dialoogtafel" instead of yes or no): the question first, what was asked for kept.
    const atConsentQuestion =
      flowId !== this.ctx.flows.globals.firstContact && this.state.flow === this.ctx.flows.globals.firstContact && this.state.waiting === "ask" && this.resident.consent !== true;
    if ((flow.requiresConsent && this.resident.consent !== true) || atConsentQuestion) {
      // Straight to the consent question (yes or no, typed or tapped), with what the resident wants kept
      // as the first message's is (flows/welkom.yaml): after a yes the melding goes on where it was.
      // "Wat doen jullie met mijn gegevens?" at the consent question: the answer first (what is kept, how long, the
      // privacy page), then the same question again. The answer is what was asked: the privacy menu does not follow.
      // So is its answer typed in words ("what do you do with my data?": the privacy flow's entry to an end step).
      const asksAboutPrivacy = flow.intents.includes("privacy") && (!stepId || flow.steps[stepId]?.type === "end");
      const privacyAnswer = asksAboutPrivacy && atConsentQuestion ? this.messages.privacyBeforeConsent : undefined;
      // A second privacy question at the same consent question: only its own short answer, then only the question.
      const followUp = privacyAnswer && this.state.vars[PRIVACY_ANSWERED_VAR] === true ? this.privacyFollowUp() : undefined;
      this.say(this.t(followUp ?? privacyAnswer ?? this.messages.needsConsent));
      const intent = privacyAnswer ? undefined : flow.intents[0];
      const kept: Record<string, unknown> = { ...keepVars(this.state.vars) };
      if (intent) kept.keep_intent = intent;
      if (typeof carry.initialText === "string") kept.keep_text = carry.initialText;
      if (carry.initialPlace) kept.keep_location = carry.initialPlace;
      if (privacyAnswer) kept[PRIVACY_ANSWERED_VAR] = true;
      this.state.vars = kept;
      this.state.resume = null;
      const firstContact = this.ctx.flows.globals.firstContact;
      if (followUp && this.ctx.flows.flows.get(firstContact)?.steps[CONSENT_ONLY_STEP]) {
        this.goTo(`flow:${firstContact}#${CONSENT_ONLY_STEP}`);
        return;
      }
      // The consent question is where the 'toestemming' command goes (flows/globals.yaml).
      this.goTo(this.ctx.flows.globals.commands.toestemming?.target ?? `flow:${firstContact}`);
      return;
    }
    // A resident who said they do not know their wijk goes on without one (flows/wijk.yaml, unknown).
    if (flow.requiresWijk && !this.resident.wijk && this.state.vars[NO_WIJK_VAR] !== true && flowId !== this.ctx.flows.globals.wijkFlow) {
      // First the wijk, then back here with the answers so far (not those of the flow before).
      if (flowId !== this.state.flow && !this.resuming) this.state.vars = keepVars(this.state.vars);
      Object.assign(this.state.vars, carry);
      this.state.resume = stepId ? `flow:${flowId}#${stepId}` : `flow:${flowId}`;
      this.state.flow = this.ctx.flows.globals.wijkFlow;
      const wijkFlow = this.ctx.flows.flows.get(this.ctx.flows.globals.wijkFlow);
      if (!wijkFlow) throw new Error("the wijk flow is missing");
      this.goTo(wijkFlow.start);
      return;
    }
    if (flowId !== this.state.flow && !this.resuming) this.state.vars = keepVars(this.state.vars);
    Object.assign(this.state.vars, carry);
    this.resuming = false;
    this.state.flow = flowId;
    this.goTo(stepId ?? flow.start);
  }

  private finishFlow(): void {
    const resume = this.state.resume;
    this.state.resume = null;
    if (resume) {
      this.resuming = true;
      this.goTo(resume);
      return;
    }
    const ended = this.state.flow;
    this.state.flow = null;
    this.state.step = null;
    this.state.waiting = null;
    this.state.tries = 0;
    // Never a dead end: the last message offers the menu and a person.
    const last = this.outputs[this.outputs.length - 1];
    if (last && last.buttons.length === 0) last.buttons = [...this.menuButtons(), ...this.humanButton()];
    // A flow that ended without a word would leave the resident in silence: show the menu.
    const menu = this.ctx.flows.globals.menu;
    if (!last && ended !== menu && this.ctx.flows.flows.has(menu)) this.goTo(`flow:${menu}`);
  }

  private humanButton(): Button[] {
    const human = this.ctx.flows.globals.commands.human;
    const label = human?.words[this.state.language][0];
    const value = human?.words.nl[0];
    return label && value ? [{ label: capitalise(label), value }] : [];
  }

  private runStep(step: Step): void {
    switch (step.type) {
      case "say":
        this.say(this.t(step.text));
        this.goTo(step.next);
        return;
      case "ask":
        this.prompt(step, false);
        return;
      case "branch": {
        const match = step.cases.find((c) => this.test(c.if));
        this.goTo(match ? match.next : step.default);
        return;
      }
      case "action":
        this.state.waiting = "action";
        this.action = { name: step.action, params: this.resolveParams(step.with) };
        return;
      case "set":
        Object.assign(this.state.vars, this.resolveParams(step.vars));
        this.goTo(step.next);
        return;
      case "goto":
        if (step.then) this.state.resume = step.then.startsWith("flow:") || step.then === "end" ? step.then : `flow:${this.state.flow ?? ""}#${step.then}`;
        this.goTo(step.step ? `flow:${step.flow}#${step.step}` : `flow:${step.flow}`);
        return;
      case "end":
        if (step.text) this.say(this.t(step.text));
        this.finishFlow();
        return;
      default:
        assertNever(step);
    }
  }

  private resolveParams(params: Record<string, unknown>): Record<string, unknown> {
    const resolved: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(params)) {
      if (typeof value === "string") resolved[key] = value.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => formatValue(this.lookup(name)));
      else if (value && typeof value === "object" && "var" in value && typeof value.var === "string") resolved[key] = this.lookup(value.var);
      else resolved[key] = value;
    }
    return resolved;
  }

  private test(condition: Condition): boolean {
    if ("all" in condition) return condition.all.every((c) => this.test(c));
    if ("any" in condition) return condition.any.some((c) => this.test(c));
    if ("not" in condition) return !this.test(condition.not);
    const value = this.lookup(condition.var);
    if ("exists" in condition) return (value !== undefined && value !== null && value !== "") === condition.exists;
    if ("in" in condition) return condition.in.some((candidate) => candidate === value);
    return value === condition.equals || (condition.equals === null && value === undefined);
  }

  private onActionResult(outcome: string, vars: Record<string, unknown>): void {
    const flow = this.currentFlow();
    const step = this.state.step ? flow?.steps[this.state.step] : undefined;
    if (step?.type !== "action" || this.state.waiting !== "action") throw new Error("an action result arrived while no action was running");
    for (const [key, value] of Object.entries(vars)) {
      if (key.startsWith("resident.")) this.resident[key.slice("resident.".length)] = value;
      else this.state.vars[key] = value;
    }
    this.state.waiting = null;
    const next = typeof step.next === "string" ? step.next : (step.next[outcome] ?? step.next.default);
    if (!next) throw new Error(`action ${step.action} ended with outcome ${outcome} and the step has no default`);
    this.goTo(next);
  }

  // ----- questions and answers -------------------------------------------------------------

  private choicesFor(step: AskStep): Array<Choice & { label: string; next?: Target }> {
    const m = this.messages;
    const lang = this.state.language;
    const list: Array<Choice & { label: string; next?: Target }> = [];
    if (step.input === "postcode" || step.input === "location") {
      // Extra buttons beside the postcode or place ("Weet ik niet", "Ja, daar"), matched before the text is read as a place.
      for (const option of step.options ?? []) {
        list.push({ value: option.value, label: this.t(option.label), labels: [option.label.nl, option.label.en, ...(option.synonyms ?? [])], ...(option.next ? { next: option.next } : {}) });
      }
    }
    if (step.input === "choice") {
      // Options made by an action come first, so their numbers match the list in the text.
      const dynamic = step.optionsFrom ? DynamicOptionsSchema.safeParse(this.state.vars[step.optionsFrom]) : null;
      for (const option of dynamic?.success ? dynamic.data : []) list.push({ value: option.value, label: option.label, labels: [option.label, ...(option.synonyms ?? [])] });
      for (const option of step.options ?? []) {
        list.push({ value: option.value, label: this.t(option.label), labels: [option.label.nl, option.label.en, ...(option.synonyms ?? [])], ...(option.next ? { next: option.next } : {}) });
      }
    }
    if (step.input === "yesno") {
      list.push({ value: "yes", label: m.yes[lang], labels: [m.yes.nl, m.yes.en, ...YES_WORDS] });
      list.push({ value: "no", label: m.no[lang], labels: [m.no.nl, m.no.en, ...NO_WORDS] });
    }
    if (step.optional) {
      const skip = step.skipLabel ?? m.skip;
      list.push({ value: "skip", label: this.t(skip), labels: [skip.nl, skip.en, ...SKIP_WORDS] });
    }
    return list;
  }

  private prompt(step: AskStep, retry: boolean): void {
    const text = retry && step.retry ? this.t(step.retry) : this.t(step.text);
    this.state.waiting = "ask";
    this.say(
      text,
      this.choicesFor(step).map(({ label, value }) => ({ label, value })),
      step.input,
    );
  }

  private onMessage(event: Extract<EngineEvent, { type: "message" }>): void {
    // How many messages in a row were not understood: counted on in notUnderstood(), reset by anything else.
    const counted = this.state.vars[STRIKES_VAR];
    this.strikes = typeof counted === "number" ? counted : 0;
    delete this.state.vars[STRIKES_VAR];
    const text = event.value ?? event.text ?? "";
    this.said = event.text ?? "";
    const matched = event.location || event.media ? null : this.matchCommand(text);
    // A command that is also the exact label of a button of the open question ("alles wissen" at the
    // privacy question) is that button: the question is answered, not asked again.
    // So is a flow's own in-flow entry ("afmelden" at the list of dialoogtafels: a tafel, not the wijkberichten).
    const command = matched && !this.isOpenChoiceLabel(text) && !this.isOwnInFlowEntry(text) ? matched : null;
    if (command) {
      this.command = command.name;
      if (command.language) this.state.language = command.language;
      // The form a command broke off (a melding not sent yet), for the command's flow to mention: "doei" halfway a melding.
      const form = this.currentFlow();
      this.state.vars[INTERRUPTED_VAR] = form?.requiresConsent && this.state.waiting === "ask" ? form.id : "";
      // 'mens' in the middle of a melding or idee: what the resident told there goes with them (flows/contact.yaml told).
      const told = form?.requiresConsent ? this.state.vars.description : undefined;
      // 'mens' at "Klopt dat?" of a wijk just found: that wijk goes with them, so the right tandem gets it.
      if (command.target === `flow:${this.contactFlow() ?? ""}`) this.carryFoundWijk();
      this.state.resume = null;
      this.state.flow = null;
      this.state.step = null;
      this.state.waiting = null;
      const contact = this.contactFlow();
      if (contact && command.target === `flow:${contact}` && typeof told === "string" && told) {
        this.startFlow(contact, undefined, { carriedQuestion: told });
        return;
      }
      this.goTo(command.target);
      return;
    }
    const flow = this.currentFlow();
    const step = this.state.step && flow ? flow.steps[this.state.step] : undefined;
    if (step?.type === "ask" && this.state.waiting === "ask") {
      this.answer(step, event);
      return;
    }
    this.onIdleMessage(event);
  }

  /**
   * At a yes/no question of the wijk flow about a wijk just found ("Dan woon je in Luchen. Klopt dat?"): that wijk is
   * kept for the handover to a person (flows/contact.yaml), so that a resident who asks for one there reaches its tandem.
   */
  private carryFoundWijk(): void {
    const flow = this.currentFlow();
    const step = this.state.step && flow ? flow.steps[this.state.step] : undefined;
    const slug = this.state.vars.wijkSlug;
    if (flow?.id !== this.ctx.flows.globals.wijkFlow || step?.type !== "ask" || step.input !== "yesno" || this.state.waiting !== "ask") return;
    if (typeof slug === "string" && slug) this.state.vars.keep_foundWijk = slug;
  }

  /** Whether the text is exactly (a label or synonym of) one of the open question's own options. */
  private isOpenChoiceLabel(text: string): boolean {
    const flow = this.currentFlow();
    const step = this.state.step && flow ? flow.steps[this.state.step] : undefined;
    if (step?.type !== "ask" || this.state.waiting !== "ask" || step.input !== "choice" || !step.options) return false;
    const said = normalise(text);
    return step.options.some((o) => [o.label.nl, o.label.en, ...(o.synonyms ?? [])].some((label) => normalise(label) === said));
  }

  /** Whether the text is exactly one of the current flow's entry words meant for inside the flow (`inFlowOnly`). */
  private isOwnInFlowEntry(text: string): boolean {
    const flow = this.currentFlow();
    if (!flow || this.state.waiting !== "ask") return false;
    const said = normalise(text);
    return flow.entries.some((entry) => entry.inFlowOnly === true && entry.words.some((word) => normalise(word) === said));
  }

  private matchCommand(text: string): { name: string; target: Target; language?: Language } | null {
    const said = normalise(text);
    if (!said || said.length > 40) return null;
    const polite = withoutCourtesy(said);
    for (const [name, command] of Object.entries(this.ctx.flows.globals.commands)) {
      const words = [...command.words.nl, ...command.words.en].map(normalise);
      if (words.includes(said) || words.includes(said.replace(/^\/+/, "")) || (polite !== said && words.includes(polite)))
        return { name, target: command.target, ...(command.language ? { language: command.language } : {}) };
    }
    return null;
  }

  private onIdleMessage(event: Extract<EngineEvent, { type: "message" }>): void {
    const text = event.text?.trim() ?? "";
    // A menu choice typed or tapped while no question is open: follow it.
    const menu = this.ctx.flows.flows.get(this.ctx.flows.globals.menu);
    const menuStep = menu?.steps[menu.start];
    if (menuStep?.type === "ask" && (text || event.value)) {
      const choice = matchChoice(event.value ?? text, this.choicesFor(menuStep), { inSentence: false });
      const option = choice ? menuStep.options?.find((o) => o.value === choice.value) : undefined;
      if (option?.next) {
        this.goTo(option.next);
        return;
      }
    }
    if (text) {
      const triage = this.ctx.classify(text);
      // Right after a wijkbericht ("Reageren kan hier"), free text is a reply to it: to the tandem, unless it clearly asks for a flow.
      if (this.resident.lastWasWijkbericht === true && !this.asksClearlyForFlow(triage)) {
        const contact = this.contactFlow();
        if (contact) {
          this.startFlow(contact, undefined, { carriedQuestion: text });
          return;
        }
      }
      if (this.followEntry(text, triage)) return;
      if (this.followWasteCalendar(text)) return;
      if (this.followQuestion(text, triage)) return;
      const flowId = this.flowForIntent(triage.intent);
      if (flowId && triage.intent !== "groet" && triage.confidence.intent >= INTENT_CONFIDENCE) {
        this.startFlow(flowId, undefined, carriedText(text, triage));
        return;
      }
      if (triage.intent !== "groet") {
        // Cannot place it: first one short question with buttons (globals `unclear`), then shorter each time, then a person.
        const unclear = this.ctx.flows.globals.unclear;
        const unsure = triage.intent === "onbekend" || (flowId !== null && triage.confidence.intent < INTENT_CONFIDENCE);
        if (unsure && unclear && this.strikes === 0) {
          this.goTo(unclear);
          this.state.vars[STRIKES_VAR] = 1;
          return;
        }
        this.notUnderstood();
        return;
      }
    }
    this.goTo(`flow:${this.ctx.flows.globals.menu}`);
  }

  /**
   * Emoji or nonsense with no question open. The first time the menu with a word of explanation;
   * the second time one short line with the menu's buttons; from the third time a person is offered.
   * Never the whole text again and again.
   */
  private notUnderstood(): void {
    const strikes = this.strikes + 1;
    const menuId = this.ctx.flows.globals.menu;
    if (strikes === 1) this.say(this.t(this.messages.notUnderstood));
    // The menu as 'menu' opens it: without consent only what works without it.
    this.state.flow = null;
    this.state.step = null;
    this.state.waiting = null;
    this.goTo(this.ctx.flows.flows.get(menuId)?.steps.open ? `flow:${menuId}#open` : `flow:${menuId}`);
    const last = this.outputs[this.outputs.length - 1];
    if (strikes >= 2 && last) {
      last.text = this.t(strikes === 2 ? this.messages.notUnderstoodShort : this.messages.notUnderstoodPerson);
      if (strikes >= 3) last.buttons = this.personFirst(last.buttons);
    }
    this.state.vars[STRIKES_VAR] = strikes;
  }

  /** Free text at a question that clearly asks for something else (another flow's intent, or a question about the wijk news): followed. */
  private followIntent(text: string): boolean {
    // After a privacy answer at the consent question, "wie kan het zien?" is a next privacy question, too short for the triage.
    const privacyFlow = this.flowForIntent("privacy");
    if (privacyFlow && this.state.flow === this.ctx.flows.globals.firstContact && this.state.vars[PRIVACY_ANSWERED_VAR] === true && PRIVACY_FOLLOW_UP.test(normalise(text))) {
      this.startFlow(privacyFlow);
      return true;
    }
    const triage = this.ctx.classify(text);
    if (this.followEntry(text, triage)) return true;
    // A question typed at the menu or the wijk news, not in a form (melding, idee): there a question is no topic change.
    if (!this.currentFlow()?.requiresConsent && this.state.flow !== this.ctx.flows.globals.wijkFlow && this.followWasteCalendar(text)) return true;
    if (!this.currentFlow()?.requiresConsent && this.state.flow !== this.ctx.flows.globals.wijkFlow && this.followQuestion(text, triage)) return true;
    const flowId = this.flowForIntent(triage.intent);
    // A question about the wijk at the wijk news' own "Wil je nog iets anders?" ("is the sewer work near my street?"): the news again, not "dat begreep ik niet".
    if (flowId && flowId === this.state.flow && flowId === this.flowForIntent("wijknieuws") && triage.confidence.intent >= INTENT_CONFIDENCE && isQuestion(this.ctx.flows.globals, text)) {
      this.startFlow(flowId);
      return true;
    }
    if (!flowId || flowId === this.state.flow || triage.intent === "groet") return false;
    // At the wijk question, the consent question and in a form, the answer is what is asked: only a clear other request leaves it.
    const current = this.currentFlow();
    const inForm = current?.requiresConsent === true || this.state.flow === this.ctx.flows.globals.firstContact;
    const needed = this.state.flow === this.ctx.flows.globals.wijkFlow || inForm ? WIJK_QUESTION_INTENT_CONFIDENCE : INTENT_CONFIDENCE;
    if (triage.confidence.intent < needed) return false;
    // A question in the middle of a form ("een foto?? van wat dan") is about the form, never a new melding or idee.
    const target = this.ctx.flows.flows.get(flowId);
    if (inForm && text.includes("?") && target?.requiresConsent && flowId !== this.contactFlow()) return false;
    // At the wijk question asked for this very melding, whose story was told already: the words say where it is
    // ("the rubbish is on the Heuvel in Geldrop"), they are no new melding that replaces the story.
    if (this.state.flow === this.ctx.flows.globals.wijkFlow && this.waitsForFlow(flowId, triage.intent) && this.toldAlready()) return false;
    this.state.resume = null;
    // A person asked for in the middle of a form: what the resident told so far is their question, not asked again.
    // (At the wijk question of a melding started from free text, the story is still the text it started with.)
    const told = this.state.vars.description ?? this.state.vars.keep_text ?? this.state.vars.initialText;
    const carried = flowId === this.contactFlow() && typeof told === "string" && told ? { carriedQuestion: told } : carriedText(text, triage);
    if (flowId === this.contactFlow()) this.carryFoundWijk();
    this.startFlow(flowId, undefined, carried);
    return true;
  }

  /**
   * A clear request for another journey typed at a yes/no question of the wijk flow ("Klopt dat?"): the
   * question stays open, asked once more, and the request is carried out once the wijk is settled (after the
   * welcome through keep_intent, flows/welkom.yaml carried; otherwise as the flow the wijk flow resumes to).
   */
  private keepsRequestForAfterWijk(step: AskStep, text: string): boolean {
    if (step.input !== "yesno" || this.state.flow !== this.ctx.flows.globals.wijkFlow || bareYesNo(text) !== null) return false;
    const triage = this.ctx.classify(text);
    const flowId = this.flowForIntent(triage.intent);
    if (!flowId || flowId === this.ctx.flows.globals.wijkFlow || !this.asksClearlyForFlow(triage)) return false;
    const afterWelcome = this.state.resume?.startsWith(`flow:${this.ctx.flows.globals.firstContact}#`) === true;
    if (afterWelcome) {
      this.state.vars.keep_intent = triage.intent;
      const carried = carriedText(text, triage);
      if (typeof carried.initialText === "string") this.state.vars.keep_text = carried.initialText;
      if (carried.initialPlace) this.state.vars.keep_location = carried.initialPlace;
    } else {
      this.state.resume = `flow:${flowId}`;
      Object.assign(this.state.vars, carriedText(text, triage));
    }
    const kept = this.messages.requestAfterQuestion;
    if (kept) this.say(this.t(kept));
    this.prompt(step, true);
    return true;
  }

  /** The wijk is asked for this flow: it resumes after the wijk, or the first message asked for its intent (flows/welkom.yaml keep_intent). */
  private waitsForFlow(flowId: string, intent: string): boolean {
    const resume = this.state.resume?.startsWith("flow:") ? this.state.resume.slice("flow:".length).split("#")[0] : null;
    return resume === flowId || this.state.vars.keep_intent === intent;
  }

  /** The resident told their story already (the first message, or the text the flow started with). */
  private toldAlready(): boolean {
    return [this.state.vars.keep_text, this.state.vars.initialText, this.state.vars.description].some((told) => typeof told === "string" && told.trim() !== "");
  }

  /**
   * Words that lead straight to a step of a flow (a flow's `entries`, e.g. "zeg maar af" to cancel a
   * dialoogtafel), unless the text clearly means another flow. True when followed.
   */
  private followEntry(text: string, triage: TriageResult): boolean {
    // The longest phrase wins: "ben ik aangemeld voor de dialoogtafel?" is the dialoogtafel's, not the wijkberichten' "ben ik aangemeld".
    let best: { flow: string; step: string; length: number } | null = null;
    for (const flow of this.ctx.flows.flows.values()) {
      const entry = entryMatch(flow, text, false);
      if (!entry || entry.step === this.state.step) continue;
      const other = this.flowForIntent(triage.intent);
      // A flow the entry's own flow leads to does not overrule it: "ben ik nou aangemeld voor het wijknieuws?"
      // reads as abonneren, but asks for the status (flows/abonnementen.yaml), which offers abonneren itself.
      if (!entry.overrulesTriage && other && other !== flow.id && !leadsToFlow(flow, other) && triage.confidence.intent >= ENTRY_OVERRULED_CONFIDENCE) continue;
      if (!best || entry.length > best.length) best = { flow: flow.id, step: entry.step, length: entry.length };
    }
    if (!best) return false;
    this.state.resume = null;
    this.startFlow(best.flow, best.step);
    return true;
  }

  /**
   * Text at a question of the current flow that it does not answer, but that names the flow itself
   * ("dialoogtafel" at the list of dialoogtafels: start it again) or one of its entries ("wanneer?").
   */
  private followOwnFlow(text: string): boolean {
    const flow = this.currentFlow();
    if (!flow || flow.id === this.ctx.flows.globals.menu) return false;
    const entry = entryStep(flow, text, true);
    if (entry && entry !== this.state.step) {
      this.goTo(entry);
      return true;
    }
    const said = normalise(text);
    const names = [flow.title.nl, flow.title.en, ...flow.intents].map(normalise);
    if (!names.some((name) => name === said || (name.endsWith("s") && name.slice(0, -1) === said))) return false;
    this.goTo(flow.start);
    return true;
  }

  /** "Wanneer wordt het oud papier opgehaald?": the afvalkalender (globals `wasteCalendar`), not the wijk news. True when followed. */
  private followWasteCalendar(text: string): boolean {
    const cues = this.ctx.flows.globals.wasteCalendar;
    if (!cues || !asksWasteCalendar(this.ctx.flows.globals, text)) return false;
    const firstContact = this.ctx.flows.globals.firstContact;
    if (this.state.flow === firstContact && this.state.waiting === "ask" && this.state.step) {
      // At the consent question: the answer (it needs nothing personal), then the same question once more.
      const [flowId = "", stepId] = (cues.duringWelcome ?? "").replace(/^flow:/, "").split("#");
      if (!stepId || !this.ctx.flows.flows.get(flowId)?.steps[stepId]) return false;
      this.state.resume = `flow:${firstContact}#${this.state.step}`;
      this.state.flow = flowId;
      this.goTo(stepId);
      return true;
    }
    this.state.resume = null;
    this.goTo(cues.target);
    return true;
  }

  /**
   * A question about what is going on ("wanneer is het fietspad klaar?") goes to the wijk news;
   * when it may be a melding too, the menu's `question` step offers both. True when followed.
   */
  private followQuestion(text: string, triage: TriageResult): boolean {
    const route = routeQuestion(this.ctx.flows.globals, text, triage);
    const news = this.flowForIntent("wijknieuws");
    if (!route || !news) return false;
    this.state.resume = null;
    const menuId = this.ctx.flows.globals.menu;
    if (route === "ask" && this.ctx.flows.flows.get(menuId)?.steps.question) {
      this.startFlow(menuId, "question", { keep_text: text });
      return true;
    }
    this.startFlow(news);
    return true;
  }

  private flowForIntent(intent: string): string | null {
    for (const flow of this.ctx.flows.flows.values()) if (flow.intents.includes(intent)) return flow.id;
    return null;
  }

  private answer(step: AskStep, event: Extract<EngineEvent, { type: "message" }>): void {
    // "nee!! ik wil gewoon iemand spreken", "ik wil geen foto sturen ik wil een mens": a person, at any question.
    const typed = !event.value ? event.text?.trim() : undefined;
    if (typed && this.state.flow !== this.contactFlow() && !this.isOpenChoiceLabel(typed) && asksForPersonInWords(typed)) {
      const triage = this.ctx.classify(typed);
      if (triage.intent === "contact" && triage.confidence.intent >= WIJK_QUESTION_INTENT_CONFIDENCE && this.followIntent(typed)) return;
    }
    // "ik wil graag de wijkberichten krijgen" at "Dan woon je in Luchen. Klopt dat?": no yes (the "graag"), and not lost either.
    if (typed && this.keepsRequestForAfterWijk(step, typed)) return;
    const parsed = this.parseAnswer(step, event);
    // Words typed at a postcode question that clearly ask for something else ("ik wil iets melden"): follow the resident.
    // A question ("wat is mijn wijk?") stays: the wijk flow answers it.
    // A street ("molenstraat 20 geldrop") stays too: the wijk flow says it cannot find a wijk from a street.
    if (
      parsed.ok &&
      step.input === "postcode" &&
      isTypedWords(parsed.value) &&
      !isQuestion(this.ctx.flows.globals, parsed.value.text) &&
      !namesStreet(parsed.value.text) &&
      this.followIntent(parsed.value.text)
    )
      return;
    if (parsed.ok) {
      this.state.vars[step.save] = parsed.value;
      this.state.waiting = null;
      // "een idee: een bankje bij de vijver" at the menu: the flow starts with what was said already.
      const sentence = !event.value && event.text && event.text.trim().split(/\s+/).length > 3 ? event.text.trim() : null;
      if (sentence && parsed.next?.startsWith("flow:")) {
        const [flowId = "", stepId] = parsed.next.slice("flow:".length).split("#");
        // A sentence that names one of that flow's entries too goes to that step ("what do you do with my data?": the answer, not the privacy menu).
        const target = this.ctx.flows.flows.get(flowId);
        const entry = !stepId && target ? entryStep(target, sentence, false) : null;
        this.startFlow(flowId, stepId ?? entry ?? undefined, carriedText(sentence, this.ctx.classify(sentence)));
        return;
      }
      this.goTo(parsed.next ?? step.next);
      return;
    }
    // A free-text answer that clearly asks for something else: follow the resident.
    const text = event.text?.trim();
    if (text && step.input !== "text" && !event.value && this.followOwnFlow(text)) return;
    // An address typed at the consent question ("Heuvel 12 in Geldrop") is no request for another flow: the question stays.
    const addressAtConsent = this.state.flow === this.ctx.flows.globals.firstContact && !!text && text.split(/\s+/).length <= 5 && (namesStreet(text) || findPlaceInText(text) !== null);
    if (text && step.input !== "text" && !addressAtConsent && this.followIntent(text)) return;
    // An answer of another kind that the step can use (flows/wijk.yaml confirm: a typed wijk name corrects the wijk).
    const words = event.text?.trim().split(/\s+/).filter(Boolean).length ?? 0;
    // A question ("een foto?? van wat dan") is no more of the story: the step's own retry explains instead.
    const asksBack = step.otherwise?.input === "text" && (event.text ?? "").includes("?");
    if (step.otherwise && !asksBack && parsed.reason !== "media" && !event.value && words >= (step.otherwise.minWords ?? 0)) {
      const other = this.parseInput({ ...step, input: step.otherwise.input, options: [], optional: false }, event, event.value ?? event.text ?? "", []);
      if (other.ok) {
        this.state.vars[step.otherwise.save] = other.value;
        this.state.waiting = null;
        this.goTo(step.otherwise.next);
        return;
      }
    }
    // Not understood at the menu: shorter each time, then a person (as with no question open).
    if (this.state.flow === this.ctx.flows.globals.menu && parsed.reason !== "media") {
      this.notUnderstood();
      return;
    }
    this.state.tries += 1;
    if (this.state.tries >= MAX_TRIES) {
      this.say(this.t(this.messages.tooManyTries), [...this.menuButtons(), ...this.humanButton()]);
      this.state.flow = null;
      this.state.step = null;
      this.state.waiting = null;
      this.state.tries = 0;
      return;
    }
    if (parsed.reason === "media") this.say(this.t(this.messages.unsupportedMedia));
    else if (!step.retry && step.input !== "text") this.say(this.t(this.messages.chooseOption));
    this.prompt(step, true);
    // The last try before giving up: a person is one tap away (with consent, and at the consent question itself:
    // the resident who taps it is asked once more and then put through, flows/welkom.yaml carried).
    const last = this.outputs[this.outputs.length - 1];
    if (this.state.tries === MAX_TRIES - 1 && last && (this.resident.consent === true || this.state.flow === this.ctx.flows.globals.firstContact) && this.state.flow !== this.contactFlow()) {
      const human = this.humanButton().filter((h) => !last.buttons.some((b) => b.value === h.value));
      last.buttons = [...last.buttons, ...human];
    }
  }

  /** The buttons with the way to a person first: the menu's own option for it when it has one, else the 'mens' button. */
  private personFirst(buttons: Button[]): Button[] {
    const target = this.ctx.flows.globals.commands.human?.target;
    const menu = this.ctx.flows.flows.get(this.ctx.flows.globals.menu);
    const step = this.state.step ? menu?.steps[this.state.step] : undefined;
    const own = step?.type === "ask" ? step.options?.find((o) => o.next === target) : undefined;
    const person = own ? buttons.find((b) => b.value === own.value) : undefined;
    if (person) return [person, ...buttons.filter((b) => b !== person)];
    return [...this.humanButton(), ...buttons];
  }

  /** A message that plainly asks for one of the bot's own journeys (a melding, an idee, a dialoogtafel…), not a reply to what the bot sent. */
  private asksClearlyForFlow(triage: TriageResult): boolean {
    return triage.confidence.intent >= 0.9 && ["melding", "idee", "dialoogtafel", "abonneren", "privacy"].includes(triage.intent);
  }

  /** The flow the 'mens' command starts (flows/globals.yaml). */
  private contactFlow(): string | null {
    const target = this.ctx.flows.globals.commands.human?.target ?? "";
    return target.startsWith("flow:") ? (target.slice("flow:".length).split("#")[0] ?? null) : null;
  }

  private parseAnswer(step: AskStep, event: Extract<EngineEvent, { type: "message" }>): { ok: true; value: unknown; next?: Target } | { ok: false; reason: "invalid" | "media" } {
    const text = event.value ?? event.text ?? "";
    const choices = this.choicesFor(step);
    if (step.optional && (event.value === "skip" || (text && this.meansSkip(step, text, choices, false)))) {
      return { ok: true, value: null };
    }
    // "nee" at an optional question for a place ("Waar is het precies?"): no place, skipped.
    if (step.optional && step.input === "location" && !event.value && bareYesNo(text) === "no") return { ok: true, value: null };
    const parsed = this.parseInput(step, event, text, choices);
    // "ik heb geen foto": a sentence with a skip word counts only when it is no answer itself.
    if (!parsed.ok && parsed.reason === "invalid" && step.optional && text && this.meansSkip(step, text, choices, true)) return { ok: true, value: null };
    return parsed;
  }

  /**
   * Whether typed text means "skip". For a choice it is matched against the whole list, so that a
   * number is a button's position ("1" is the first option, not the skip button); for other
   * questions a number is an answer, never a skip.
   */
  private meansSkip(step: AskStep, text: string, choices: Choice[], inSentence: boolean): boolean {
    if (step.input === "choice" || step.input === "yesno") return matchChoice(text, choices, { inSentence })?.value === "skip";
    if (parseNumber(text) !== null) return false;
    return (
      matchChoice(
        text,
        choices.filter((c) => c.value === "skip"),
        { inSentence },
      ) !== null
    );
  }

  private parseInput(
    step: AskStep,
    event: Extract<EngineEvent, { type: "message" }>,
    text: string,
    choices: Array<Choice & { next?: Target }>,
  ): { ok: true; value: unknown; next?: Target } | { ok: false; reason: "invalid" | "media" } {
    switch (step.input) {
      case "text": {
        if (event.media) return { ok: false, reason: "media" };
        if (event.location) return { ok: true, value: `${event.location.lat}, ${event.location.lon}` };
        return text.trim() ? { ok: true, value: text.trim() } : { ok: false, reason: "invalid" };
      }
      case "choice":
      case "yesno": {
        if (event.media) return { ok: false, reason: "media" };
        const options = choices.filter((c) => c.value !== "skip");
        // The flow's own name ("dialoogtafel" at the list of dialoogtafels) picks no option: it starts the flow again.
        const flow = this.currentFlow();
        const flowWords = flow ? [flow.title.nl, flow.title.en, ...flow.intents] : [];
        // Yes or no typed: dialect and repeated too ("jaja", "jao"), and "niet" only as the whole answer (readYesNo).
        const choice =
          step.input === "yesno" && !event.value ? readYesNo(text, options) : (matchChoice(text, options, { ignoreWords: flowWords }) ?? (event.value ? null : matchLeadingChoice(text, options)));
        if (!choice) return { ok: false, reason: "invalid" };
        const value = step.input === "yesno" ? choice.value === "yes" : choice.value;
        const next = choices.find((c) => c.value === choice.value)?.next;
        return next ? { ok: true, value, next } : { ok: true, value };
      }
      case "postcode": {
        if (event.location) return { ok: true, value: { kind: "location", lat: event.location.lat, lon: event.location.lon } };
        if (event.media) return { ok: false, reason: "media" };
        const extra = choices.filter((c) => c.value !== "skip");
        const option = extra.length > 0 ? matchChoice(text, extra, { inSentence: false }) : null;
        const next = option ? extra.find((c) => c.value === option.value)?.next : undefined;
        if (option) return { ok: true, value: option.value, ...(next ? { next } : {}) };
        if (text.trim() && /\d{4}/.test(text)) return { ok: true, value: { kind: "postcode", text: text.trim() } };
        // Words without a postcode: a wijk's name perhaps, or a question (the wijk lookup tells which).
        return (text.match(/\p{L}/gu)?.length ?? 0) >= 3 ? { ok: true, value: { kind: "text", text: text.trim() } } : { ok: false, reason: "invalid" };
      }
      case "location": {
        if (event.location) return { ok: true, value: { kind: "location", lat: event.location.lat, lon: event.location.lon } };
        if (event.media) return { ok: false, reason: "media" };
        const extra = choices.filter((c) => c.value !== "skip");
        const option = extra.length > 0 ? matchChoice(text, extra, { inSentence: false }) : null;
        const next = option ? extra.find((c) => c.value === option.value)?.next : undefined;
        if (option) return { ok: true, value: option.value, ...(next ? { next } : {}) };
        // "jaja" or "ok" at "Waar is het precies?" is no place: asked again (a "nee" there is a skip, see parseAnswer).
        if (bareYesNo(text)) return { ok: false, reason: "invalid" };
        return text.trim().length >= 3 ? { ok: true, value: { kind: "address", text: text.trim() } } : { ok: false, reason: "invalid" };
      }
      case "photo": {
        if (event.media?.kind === "photo") return { ok: true, value: event.media.ref };
        if (event.media) return { ok: false, reason: "media" };
        return { ok: false, reason: "invalid" };
      }
      case "number": {
        const number = parseNumber(text);
        if (number === null || (step.min !== undefined && number < step.min) || (step.max !== undefined && number > step.max)) return { ok: false, reason: "invalid" };
        return { ok: true, value: number };
      }
      case "date": {
        const date = parseDate(text, this.ctx.today);
        return date ? { ok: true, value: date } : { ok: false, reason: "invalid" };
      }
      default:
        return assertNever(step.input);
    }
  }
}

/** Options made by an action, e.g. the list of wijken or dialoogtafels. */
export const DynamicOptionsSchema = z.array(z.object({ value: z.string(), label: z.string(), synonyms: z.array(z.string()).optional() }));

const YES_WORDS = [
  ...["ja", "jaa", "jah", "jazeker", "zeker", "ok", "oke", "oké", "okay", "prima", "goed", "klopt", "graag", "is goed", "ja hoor", "ja graag", "jep", "jup", "jawel", "tuurlijk", "natuurlijk"],
  ...["akkoord", "doe maar", "doe maar ja", "goed dan", "oke dan", "vooruit", "yes", "yep", "yeah", "sure", "of course", "y", "j", "👍", "👌"],
];
// "niet" and "nie" alone are no as well, but only as the whole answer (readYesNo): in a sentence ("ik weet mijn postcode
// niet uit mijn hoofd") they are no answer.
const NO_WORDS = [
  ...["nee", "neen", "nee hoor", "nee dank je", "nope", "nah", "no", "n", "liever niet", "liever nie", "klopt niet", "hoeft niet", "hoeft nie", "niet nodig", "niet doen"],
  ...["zeker niet", "echt niet", "helemaal niet", "natuurlijk niet", "no thanks", "👎"],
];

/** Letters typed more than once in a row count once ("jaaa" is "ja", "neeee" is "nee"): the forms below are written so. */
const squeeze = (word: string) => word.replace(/(\p{L})\1+/gu, "$1");
/** Yes as residents type it, dialect and repeated ("jaja", "jao", "jup", "jazeker"), squeezed. */
const YES_ROOTS = new Set(
  "ja jaja jajaja jah jaha jao joa jo jou jep jup jip jop yup yep yes yea yeah jazeker jawel jawol ok oke okay okido okidoki prima tuurlijk natuurlijk zeker klopt goed top akkoord sure graag"
    .split(" ")
    .map(squeeze),
);
/** No as typed alone or with a word after it ("neeee", "nee joh", "niet"). */
const NO_ROOTS = new Set("ne nen nein nop nope no nah niet nie neuh nej".split(" "));
/** Words that may follow yes or no without changing it ("ja joh", "jao is goed", "nee hoor, dank je"). */
const YES_NO_TAIL = new Set(
  "joh hoor ho he hoe zeker wel graag natuurlijk tuurlijk prima is goed dat klopt top man jong jonge gast toch dan maar ok oke please thanks bedankt dank je dankje dankjewel sure zo allee alee echt ja yes sorry niet nie absoluut doe fijn super mooi perfect"
    .split(" ")
    .map(squeeze),
);
const NEGATION = /(^|\s)(niet|nie|not|geen|nooit|never|dont|don t)(\s|$)/;

/**
 * Yes or no at a yes/no question: the whole answer in dialect or repeated ("jaja", "jao", "jaaa", "ja joh", "nee joh",
 * "niet"), else the usual matching. A sentence with "niet" in it is yes only when it starts with yes ("ja, maar niet
 * op zondag"), so that "ik weet het niet zeker" is no answer at all.
 */
function readYesNo(text: string, options: Choice[]): Choice | null {
  const bare = bareYesNo(text);
  if (bare) return options.find((c) => c.value === bare) ?? null;
  const choice = matchChoice(text, options) ?? matchLeadingChoice(text, options);
  if (choice?.value !== "yes" || !NEGATION.test(normalise(text))) return choice;
  return matchLeadingChoice(text, options)?.value === "yes" ? choice : null;
}
/** The whole answer is yes or no ("jaja", "ok", "nee joh"), with nothing else in it; null for anything more. */
function bareYesNo(text: string): "yes" | "no" | null {
  const words = normalise(text).split(" ").filter(Boolean).map(squeeze);
  const [first, ...rest] = words;
  if (!first || !rest.every((word) => YES_NO_TAIL.has(word))) return null;
  if (YES_ROOTS.has(first) && !rest.some((w) => NO_ROOTS.has(w))) return "yes";
  return NO_ROOTS.has(first) ? "no" : null;
}
const SKIP_WORDS = ["overslaan", "sla over", "skip", "geen", "geen foto", "nee", "no", "niet nodig", "hoeft niet", "heb ik niet", "heb ik nie", "heb geen", "heb ik geen", "nvt", "n.v.t.", "no photo"];

/**
 * What a flow started from free text may reuse: the text itself when it says something about
 * the matter (a theme, or more than a few words), so the resident is not asked twice.
 */
function carriedText(text: string, triage: TriageResult): Record<string, unknown> {
  if (!describesMatter(text, triage)) return {};
  // The place it names ("bij de Heuvel 12"): the melding confirms it rather than asking "waar precies?".
  const place = findPlaceInText(text);
  return { initialText: text, suggestedTheme: triage.theme, ...(place ? { initialPlace: place } : {}) };
}

/** "ik wil iemand spreken", "kan ik een mens spreken?", "I want a real person": a person asked for in a sentence. */
function asksForPersonInWords(text: string): boolean {
  const said = normalise(text);
  return (
    /\b(mens|iemand|medewerker|persoon|ambtenaar)\b.{0,30}\b(spreken|praten|bellen|chatten)\b/.test(said) ||
    /\b(spreken|praten|bellen)\b.{0,12}\b(met )?(een )?(mens|medewerker|persoon|iemand)\b/.test(said) ||
    /\bik wil (gewoon |liever |graag )*(een )?(mens|medewerker|persoon|echt iemand)\b/.test(said) ||
    /\b(talk|speak|chat) (to|with) (a )?(human|person|someone|real person)\b|\bi want (a )?(human|real person)\b/.test(said)
  );
}

/** Polite words around a command ("human please", "i want a human", "mens aub", "een mens graag"), as normalise() writes them. */
const COURTESY_BEFORE =
  /^(?:(?:hoi|hallo|hey|hi|hello)\s+)?(?:(?:ik wil|ik wou|ik zou|wij willen|mag ik|kan ik|i want|i would like|id like|can i|could i|may i)\s+(?:graag\s+)?(?:even\s+)?(?:(?:spreken|praten|talk|speak|chatten|chat)\s+(?:met|to|with)\s+)?(?:een|a|an)?\s*)/;
const COURTESY_AFTER = /\s+(?:please|pls|plz|thanks|aub|a u b|graag|alsjeblieft|alstublieft|asjeblieft|svp|nu|now|spreken|praten)$/;

/** The command word without the polite words around it; the text itself when there are none. */
function withoutCourtesy(said: string): string {
  let rest = said;
  for (let i = 0; i < 2; i++) rest = rest.replace(COURTESY_AFTER, "");
  rest = rest
    .replace(COURTESY_BEFORE, "")
    .replace(/^(?:een|a|an)\s+/, "")
    .trim();
  return rest || said;
}

/** "ik wil iets melden over", "I want to report": words that ask for a flow and say nothing of the matter. */
const REQUEST_WORDS =
  /^(?:(?:hoi|hallo|hey|hi|hello|goedemorgen|goedemiddag|goedenavond)[,!.]?\s+)?(?:(?:ik|wij|we)\s+(?:wil|wou|willen|zou|zouden|wil graag|zou graag|wilde)\s+(?:graag\s+)?(?:even\s+)?(?:iets|wat|een melding|een klacht|een probleem|een idee)?\s*(?:melden|doorgeven|aangeven|maken|delen|indienen)?|(?:ik heb|wij hebben|we hebben)\s+(?:een\s+)?(?:melding|klacht|probleem|vraag|idee)|(?:i|we)\s+(?:want|would like|'d like|wanna)\s+(?:to\s+)?(?:report|make a report|complain|share an idea)(?:\s+something)?|(?:can|could|may)\s+i\s+(?:report|complain)(?:\s+something)?)\s*(?:over|van|bij|aan|about|on|of)?\s*/i;

const ARTICLES = new Set(["de", "het", "een", "mijn", "onze", "ons", "the", "a", "an", "my", "our"]);

/**
 * Whether the text says something about the matter itself, beyond asking for a flow: "de stoep die
 * kapot is" does, "ik wil iets melden over de weg" does not (it gets the question "Wat wil je melden?";
 * its theme still counts). Also used for the first message (src/bot/turn.ts).
 */
export function describesMatter(text: string, triage: Pick<TriageResult, "theme">): boolean {
  const rest = text.trim().replace(REQUEST_WORDS, "");
  // What is left besides articles: one word ("de weg", "afval", "the park") names only the topic.
  const restWords = rest.split(/\s+/).filter((word) => /[\p{L}\d]/u.test(word) && !ARTICLES.has(word.toLowerCase())).length;
  if (rest.length < text.trim().length && restWords <= 1) return false;
  return triage.theme !== "overig" || text.split(/\s+/).length > 6;
}

/**
 * Whether the text is a request the flows know by its words: a global command ("alles wissen") or a
 * flow's entry ("is het nu weg?", "delete my data"). Such text is no possible emergency to ask
 * about (a sure 112 or 113 is still answered first).
 */
export function namesKnownRequest(flows: FlowSet, text: string): boolean {
  const said = normalise(text);
  if (!said) return false;
  const polite = withoutCourtesy(said);
  for (const command of Object.values(flows.globals.commands)) {
    if ([...command.words.nl, ...command.words.en].some((word) => normalise(word) === said.replace(/^\/+/, "") || normalise(word) === polite)) return true;
  }
  return [...flows.flows.values()].some((flow) => entryStep(flow, text, false) !== null);
}

/**
 * Where a resident's very first message starts when it names a flow's `firstMessage` entry ("is het nu
 * weg?" right after an erasure: flows/privacy.yaml), or null: then the welcome.
 */
export function firstMessageEntry(flows: FlowSet, text: string): Target | null {
  const said = ` ${normalise(text)} `;
  for (const flow of flows.flows.values()) {
    for (const entry of flow.entries) {
      if (entry.firstMessage && entry.words.some((word) => said.includes(` ${normalise(word)} `))) return `flow:${flow.id}#${entry.step}`;
    }
  }
  return null;
}

/** The step a flow's `entries` lead to for this text (a word or phrase in it), or null. `inFlow`: also the entries for inside the flow. */
function entryStep(flow: Flow, text: string, inFlow: boolean): string | null {
  return entryMatch(flow, text, inFlow)?.step ?? null;
}

/** The step of the longest of the flow's entry phrases in this text, with that phrase's length, or null. */
function entryMatch(flow: Flow, text: string, inFlow: boolean): { step: string; length: number; overrulesTriage: boolean } | null {
  const said = ` ${normalise(text)} `;
  let best: { step: string; length: number; overrulesTriage: boolean } | null = null;
  for (const entry of flow.entries) {
    if (entry.inFlowOnly && !inFlow) continue;
    for (const word of entry.words) {
      const phrase = normalise(word);
      if (said.includes(` ${phrase} `) && (!best || phrase.length > best.length)) best = { step: entry.step, length: phrase.length, overrulesTriage: entry.overrulesTriage };
    }
  }
  return best;
}

/**
 * The intent a first message asks for by a flow's entry words that overrule the triage
 * (`overrulesTriage`: "information about my neighbourhood" is the wijk news, whatever the model
 * reads), or null. Only entries that start the flow at its start: the welcome carries an intent, not a step.
 */
export function intentOfOverrulingEntry(flows: FlowSet, text: string): string | null {
  for (const flow of flows.flows.values()) {
    const entry = entryMatch(flow, text, false);
    if (entry?.overrulesTriage && entry.step === flow.start && flow.intents[0]) return flow.intents[0];
  }
  return null;
}

/** Whether one of the flow's steps goes on to the other flow (`flow:<id>` or `flow:<id>#step`). */
function leadsToFlow(flow: Flow, other: string): boolean {
  const targets: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === "string") targets.push(value);
    else if (Array.isArray(value)) for (const item of value) collect(item);
    else if (typeof value === "object" && value !== null) for (const item of Object.values(value)) collect(item);
  };
  collect(flow.steps);
  return targets.some((target) => target === `flow:${other}` || target.startsWith(`flow:${other}#`));
}

/** A postcode question's answer that is typed words, not a postcode or location. */
function isTypedWords(value: unknown): value is { kind: "text"; text: string } {
  return typeof value === "object" && value !== null && "kind" in value && value.kind === "text" && "text" in value && typeof value.text === "string";
}

/** Variables that live across flows (the rest is reset when another flow starts). */
function keepVars(vars: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(vars)) if (key.startsWith("keep_")) kept[key] = value;
  return kept;
}

function formatValue(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(formatValue).join("\n");
  return JSON.stringify(value);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

export { normalise };
