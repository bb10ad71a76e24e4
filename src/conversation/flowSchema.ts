/**
 * The flow format: YAML files in flows/, parsed by these zod schemas (the source of truth; the
 * JSON Schema for editors is generated from them) and then checked as a graph (flowGraph.ts).
 */
import { z } from "zod";
import { LanguageSchema, OtherLanguageSchema } from "../domain/vocabulary.ts";

/** The languages every bot text is written in (domain/vocabulary.ts); Dutch is the default. */
export { LanguageSchema, type Language } from "../domain/vocabulary.ts";

/** A bot text in every language; `{{name}}` inserts a variable. */
export const TextSchema = z.object({ nl: z.string().min(1), en: z.string().min(1) }).strict();
export type Text = z.infer<typeof TextSchema>;

const identifier = z.string().regex(/^[a-z][a-z0-9-]*$/, "use lower case letters, digits and -");
const variableName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, "use letters, digits and _");

/**
 * Where to go next: a step of this flow ("photo"), another flow ("flow:melding"), a step of
 * another flow ("flow:wijk#postcode"), or "end".
 */
export const TargetSchema = z.string().regex(/^(end|[a-z][a-z0-9-]*|flow:[a-z][a-z0-9-]*(#[a-z][a-z0-9-]*)?)$/, "a step id, flow:<id>, flow:<id>#<step> or end");
export type Target = z.infer<typeof TargetSchema>;

/** A condition on the conversation's variables (resident data is under `resident.`). */
export type Condition =
  | { var: string; equals: string | number | boolean | null }
  | { var: string; in: Array<string | number | boolean> }
  | { var: string; exists: boolean }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ var: z.string(), equals: z.union([z.string(), z.number(), z.boolean(), z.null()]) }).strict(),
    z.object({ var: z.string(), in: z.array(z.union([z.string(), z.number(), z.boolean()])) }).strict(),
    z.object({ var: z.string(), exists: z.boolean() }).strict(),
    z.object({ all: z.array(ConditionSchema) }).strict(),
    z.object({ any: z.array(ConditionSchema) }).strict(),
    z.object({ not: ConditionSchema }).strict(),
  ]),
);

/** The kinds of answer an ask step takes. */
export const InputKindSchema = z.enum(["text", "choice", "yesno", "postcode", "location", "photo", "number", "date"]);
export type InputKind = z.infer<typeof InputKindSchema>;

/** One option of a choice: what is saved, what is shown, other words that mean it. */
export const OptionSchema = z
  .object({
    value: z.string().min(1),
    label: TextSchema,
    synonyms: z.array(z.string()).optional(),
    next: TargetSchema.optional(),
  })
  .strict();
export type Option = z.infer<typeof OptionSchema>;

/** An action's parameter: a text with {{variables}}, a literal, or a variable reference. */
export const ParamSchema = z.union([z.string(), z.number(), z.boolean(), z.object({ var: z.string() }).strict()]);

/** The actions a flow can ask the bot to carry out (src/bot/actions.ts implements them). */
export const ActionNameSchema = z.enum([
  "recordConsent",
  "lookupWijk",
  "setWijk",
  "listWijken",
  "triage",
  "openConversation",
  "handover",
  "subscribe",
  "unsubscribe",
  "subscriptionStatus",
  "listDialoogtafels",
  "chooseDialoogtafel",
  "describeDialoogtafel",
  "registerDialoogtafel",
  "cancelRegistration",
  "showNews",
  "exportData",
  "listMyCases",
  "locateConcern",
  "eraseData",
]);
export type ActionName = z.infer<typeof ActionNameSchema>;

const SayStepSchema = z.object({ type: z.literal("say"), text: TextSchema, next: TargetSchema.default("end") }).strict();

const AskStepSchema = z
  .object({
    type: z.literal("ask"),
    input: InputKindSchema,
    text: TextSchema,
    save: variableName,
    options: z.array(OptionSchema).optional(),
    /** A variable holding a list of options made by an action (e.g. listWijken). */
    optionsFrom: variableName.optional(),
    /** The resident may skip this question; the button says `skipLabel`. */
    optional: z.boolean().default(false),
    skipLabel: TextSchema.optional(),
    /** Said instead of the question when an answer did not fit. */
    retry: TextSchema.optional(),
    /**
     * An answer that does not fit, read as another kind of answer: saved and followed instead of the retry
     * (a wijk name typed at "Dan woon je in Genoenhuis. Klopt dat?" is a correction).
     */
    otherwise: z
      .object({
        input: InputKindSchema,
        save: variableName,
        next: TargetSchema,
        /** Only text of at least this many words counts (the story typed at "Heb je een foto?", not "ja"). */
        minWords: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    next: TargetSchema,
  })
  .strict();

const BranchStepSchema = z
  .object({
    type: z.literal("branch"),
    cases: z.array(z.object({ if: ConditionSchema, next: TargetSchema }).strict()).min(1),
    default: TargetSchema,
  })
  .strict();

const ActionStepSchema = z
  .object({
    type: z.literal("action"),
    action: ActionNameSchema,
    with: z.record(z.string(), ParamSchema).default({}),
    /** One target, or a target per outcome with `default` for the rest. */
    next: z.union([TargetSchema, z.record(z.string(), TargetSchema).refine((map) => "default" in map, "a map of outcomes needs a default")]),
  })
  .strict();

/** Jumps to another flow; with `then`, comes back there when that flow ends. */
const GotoStepSchema = z.object({ type: z.literal("goto"), flow: identifier, step: identifier.optional(), then: TargetSchema.optional() }).strict();

const SetStepSchema = z.object({ type: z.literal("set"), vars: z.record(variableName, ParamSchema), next: TargetSchema }).strict();

const EndStepSchema = z.object({ type: z.literal("end"), text: TextSchema.optional() }).strict();

/** One step of a flow. */
export const StepSchema = z.discriminatedUnion("type", [SayStepSchema, AskStepSchema, BranchStepSchema, ActionStepSchema, SetStepSchema, GotoStepSchema, EndStepSchema]);
export type Step = z.infer<typeof StepSchema>;
export type AskStep = z.infer<typeof AskStepSchema>;

/** The current version of the flow format (files with an older version are migrated forward). */
export const FLOW_FORMAT_VERSION = 1;

/** A flow file. */
export const FlowSchema = z
  .object({
    version: z.literal(FLOW_FORMAT_VERSION),
    id: identifier,
    title: TextSchema,
    description: z.string().optional(),
    /** Triage intents that start this flow from free text. */
    intents: z.array(z.string()).default([]),
    /** Only for residents who consented to storing their conversation. */
    requiresConsent: z.boolean().default(false),
    /** Needs the resident's wijk first (the wijk flow runs, then this one). */
    requiresWijk: z.boolean().default(false),
    start: identifier,
    steps: z.record(identifier, StepSchema),
    /**
     * Words that lead straight to a step ("zeg maar af": the cancel step): when the flow is started
     * from free text, and at a question of this flow that the text does not answer. With `inFlowOnly`,
     * only the latter ("wanneer?" at the list of dialoogtafels). With `firstMessage`, a resident's very first
     * message with these words starts there instead of the welcome ("is het nu weg?" after an erasure): for
     * steps that need nothing personal and lead on to the welcome themselves. With `overrulesTriage`, the
     * words win even when the triage is sure of another flow ("information about my neighbourhood" reads
     * as an idee), also in a first message: for phrases that can mean nothing else.
     */
    entries: z
      .array(
        z
          .object({
            words: z.array(z.string().min(1)).min(1),
            step: identifier,
            inFlowOnly: z.boolean().default(false),
            firstMessage: z.boolean().default(false),
            overrulesTriage: z.boolean().default(false),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();
export type Flow = z.infer<typeof FlowSchema>;

/** A global command: words that work at every step. */
export const CommandSchema = z
  .object({
    words: z.object({ nl: z.array(z.string()).min(1), en: z.array(z.string()).min(1) }).strict(),
    target: TargetSchema,
    /** Also switch the conversation language. */
    language: LanguageSchema.optional(),
  })
  .strict();

/** A text in one other language that must carry the emergency numbers it names, so an edit cannot lose them. */
function textWithNumbers(...numbers: string[]) {
  return z
    .string()
    .min(1)
    .refine((text) => numbers.every((number) => text.includes(number)), { message: `must give the numbers ${numbers.join(" and ")}` });
}

/**
 * The bot's set texts in a language it recognises but does not converse in (tr, ar, pl, uk, de):
 * the 112 and 113 answers, the safety follow-up, and the handover to a person.
 */
export const OtherLanguageTextsSchema = z
  .object({
    /** As messages.emergency112: danger now, call 112. */
    emergency112: textWithNumbers("112"),
    /** As messages.crisis113: 113 and 0800-0113, day and night. */
    crisis113: textWithNumbers("113", "0800-0113"),
    /** Every further message after a 112 message: passed on to staff, still danger? 112. */
    followUp112: textWithNumbers("112"),
    /** Every further message after a 113 message: still here, 113 and 0800-0113. */
    followUp113: textWithNumbers("113", "0800-0113"),
    /**
     * Any other message: I am a chatbot, a person of the gemeente will answer here, by {{when}}
     * (filled in as in the Dutch handover: the response target in working hours, in that language); danger? 112.
     */
    handover: textWithNumbers("112").refine((text) => text.includes("{{when}}"), { message: "must say by when a person answers ({{when}})" }),
    /** The handover to a resident who has not agreed to the bot keeping messages: the same, without saying it keeps them. */
    handoverNoConsent: textWithNumbers("112").refine((text) => text.includes("{{when}}"), { message: "must say by when a person answers ({{when}})" }),
    /** A further message in the same quiet period: it arrived, a person answers here by {{when}}; danger? 112. Never a bare 👍 for a question or a "yes". */
    stillThere: textWithNumbers("112").refine((text) => text.includes("{{when}}"), { message: "must say by when a person answers ({{when}})" }),
    /** Bare thanks or ok in that language ("teşekkürler"): a 👍 says it arrived, no words needed. */
    thanks: z.array(z.string().min(1)).min(1),
  })
  .strict();

/**
 * A kind of emergency with its own 112 answer (gas, fire, someone not breathing, violence): the
 * words that tell it in a message that triage already found to be a 112 emergency, and the
 * answer, which names 112 in every language.
 */
export const EmergencyKindSchema = z
  .object({
    kind: identifier,
    /** Words or phrases (any language), matched as whole words on the normalised text. */
    words: z.array(z.string().min(2)).min(1),
    text: z.object({ nl: textWithNumbers("112"), en: textWithNumbers("112") }).strict(),
  })
  .strict();

/** flows/globals.yaml: the global commands and the texts the bot itself needs. */
export const GlobalsSchema = z
  .object({
    version: z.literal(FLOW_FORMAT_VERSION),
    /** The flow for a resident's very first message. */
    firstContact: identifier,
    /** The flow shown for `menu` and when nothing else fits. */
    menu: identifier,
    /** The flow that asks for the resident's wijk (run first by flows with requiresWijk). */
    wijkFlow: identifier,
    /**
     * Where free text goes that the triage cannot place (intent `onbekend`) while no question is
     * open: one short question with buttons (flows/menu.yaml, `unclear`). Without it, the menu.
     */
    unclear: TargetSchema.optional(),
    /**
     * A wijk's name typed on its own with no question open, not the resident's own wijk
     * (src/bot/turn.ts): whether it should become theirs (flows/wijk.yaml, `named-other`). Without it, the flows decide.
     */
    wijkNamed: TargetSchema.optional(),
    commands: z.record(identifier, CommandSchema),
    /** How each theme is named to residents. */
    themes: z.record(z.string(), TextSchema),
    messages: z
      .object({
        emergency112: TextSchema,
        crisis113: TextSchema,
        notUnderstood: TextSchema,
        /** The second message in a row that was not understood: one short line with the menu's buttons. */
        notUnderstoodShort: TextSchema,
        /** The third and later: a person is offered, with the menu's buttons. */
        notUnderstoodPerson: TextSchema,
        chooseOption: TextSchema,
        tooManyTries: TextSchema,
        welcomeBack: TextSchema,
        /** While staff handle a conversation, once per quiet period: {{wijkName}} reads it, answer {{expectedResponse}}. */
        staffHandling: TextSchema,
        /** The same when the resident's wijk is not known: a person of the gemeente reads it. */
        staffHandlingNoWijk: TextSchema,
        /** "Hallo?" or "is daar iemand?" soon after that acknowledgement: not the same text again, but that the message arrived. */
        staffStillThere: TextSchema,
        staffStillThereNoWijk: TextSchema,
        /** "Wanneer hoor ik wat?" while staff handle it: when the answer comes ({{expectedResponse}}), first. Without it, staffStillThere. */
        staffWhenAnswered: TextSchema.optional(),
        staffWhenAnsweredNoWijk: TextSchema.optional(),
        skip: TextSchema,
        yes: TextSchema,
        no: TextSchema,
        needsConsent: TextSchema,
        /**
         * A question about privacy at the consent question ("wat doen jullie met mijn gegevens?"): what is
         * kept, how long ({{resident.messageMonths}}, {{resident.inactiveMonths}}), the privacy page; the
         * consent question follows. Without it, needsConsent.
         */
        privacyBeforeConsent: TextSchema.optional(),
        /**
         * Short answers to a next privacy question at the same consent question ("hoe lang bewaren jullie het?",
         * "wie kan het zien?", anything else): only what was asked; the consent question alone follows
         * (flows/welkom.yaml, consent-only). Without them, privacyBeforeConsent again.
         */
        privacyHowLong: TextSchema.optional(),
        privacyWhoSees: TextSchema.optional(),
        privacyWhatKept: TextSchema.optional(),
        /** A request typed at a question of the wijk flow ("Klopt dat?"): it is kept for after the question, asked once more. */
        requestAfterQuestion: TextSchema.optional(),
        somethingWentWrong: TextSchema,
        /** Once when a resident sends more messages at once than the bot answers (src/bot/floodLimit.ts); the rest are kept for staff. */
        floodNotice: TextSchema,
        unsupportedMedia: TextSchema,
        /** Said once to a group chat: Wijklijn only talks one-to-one. */
        groupChat: TextSchema,
        /** The label of a "share my location" button where a platform has one. */
        shareLocation: TextSchema,
        /** The label of the button that opens a list of options where a platform has one (WhatsApp), in Dutch. */
        listButton: TextSchema,
        /** After a sign-up in the resident's list of their dialoogtafels when it is on the waitlist. */
        onWaitlist: TextSchema,
        /** When an answer can be expected ({{expectedResponse}}): {{time}} today, {{time}} tomorrow, or by {{date}}. */
        deadlineToday: TextSchema,
        deadlineTomorrow: TextSchema,
        deadlineLater: TextSchema,
        /** After a dialoogtafel in the list of upcoming ones when all places are taken. */
        tafelFull: TextSchema,
        /**
         * Dialoogtafel messages outside a conversation turn (src/dialoogtafels/residentTexts.ts), each
         * on the channel the resident signed up on: {{title}}, {{when}}, {{where}}, {{calendarLink}}, {{number}};
         * a place from the waitlist, the reminder the day before, the summary afterwards
         * ({{heard}}, {{next}}), and the description in the calendar file ({{topic}}).
         */
        tafelPromoted: TextSchema,
        tafelReminder: TextSchema,
        tafelSummary: TextSchema,
        tafelCalendarDescription: TextSchema,
        /** The dialoogtafel is cancelled: to each resident signed up or on its waitlist ({{title}}, {{when}}, {{where}}). */
        tafelCancelled: TextSchema,
        /**
         * Wijkberichten (src/wijkberichten): the line under every bericht ({{wijken}}: the wijk names),
         * and the weekly bundle for weekly subscribers ({{wijken}}, {{berichten}}: the week's berichten).
         */
        wijkberichtFooter: TextSchema,
        wijkberichtWeekly: TextSchema,
        /** How often a resident gets them, as the subscriptionStatus action names it in {{subscriptionList}}: each bericht, or the weekly bundle. */
        subscriptionEach: TextSchema,
        subscriptionWeekly: TextSchema,
        /** What the bot knows of a resident (privacy export): {{wijk}}, {{language}}, {{conversations}}, {{messages}} (what the resident sent), {{replies}} (what the bot and staff sent), {{signUps}}, {{wijkberichten}}. */
        exportSummary: TextSchema,
        /**
         * The resident's own cases (src/privacy/residentCases.ts), in "wat heb ik gemeld?" and in the export:
         * {{reference}} and {{date}}; what they wrote ({{text}}); {{wijk}}, {{status}} and {{handler}}.
         */
        myCaseHeading: TextSchema,
        myCaseWrote: TextSchema,
        myCaseDetails: TextSchema,
        myCaseOpen: TextSchema,
        myCaseWaiting: TextSchema,
        myCaseSnoozed: TextSchema,
        myCaseResolved: TextSchema,
        /** Who has it: the wijk's gebiedsregisseur ({{wijk}}), or a member of staff of the gemeente. */
        myCaseHandlerWijk: TextSchema,
        myCaseHandlerGemeente: TextSchema,
        /** The line before the cases in the export, and the line when there are none. */
        exportCases: TextSchema,
        exportNoCases: TextSchema,
        /** {{wijkberichten}} in exportSummary: the resident gets wijkberichten, or not. */
        exportSubscribed: TextSchema,
        exportNotSubscribed: TextSchema,
        /** Each language's own name, as {{language}} in exportSummary shows the resident's language. */
        languageName: TextSchema,
        /** The safety follow-up after a 112 or 113 message (src/bot/safety.ts): the first reply after it, offering a person. */
        safetyAsk112: TextSchema,
        safetyAsk113: TextSchema,
        /** The resident wants a person after a 112 or 113 message. */
        safetyPerson112: TextSchema,
        safetyPerson113: TextSchema,
        /** The resident does not want a person now. */
        safetyNoPerson112: TextSchema,
        safetyNoPerson113: TextSchema,
        /** Every further message after a 113 message: still here, a person in one step. */
        safetyStayAvailable113: TextSchema,
        /** "Weet ik niet" at "Is er nu gevaar?": call 112 to be safe, the police for a worry, a person offered. */
        safetyUnsure112: TextSchema,
        /** "Wat moet ik doen?" after a worry about someone with no danger now: the police can go and check, a person offered. */
        safetyWelfareAdvice: TextSchema,
        /** Stopping after a 113 moment in the conversation: 113 is there any time. */
        safetyReminder113: TextSchema,
        /** Another question answered in the 113 follow-up (the afvalkalender): 113 once, short, and a person offered. */
        safetyOtherQuestion113: TextSchema,
        /** "Nee hoeft niet" to a person with another question, or a no said again, after 113: short, here is fine, 113 always. */
        safetyNoPersonShort113: TextSchema,
        /** Thanks or bye ("ok dank je. doei") after a 112 answer: one warm line, 112 in sight. */
        safetyBye112: TextSchema,
        /** A no ("nee hoeft niet") right after that close: respected, no "a member of staff answers". */
        safetyNoThanks112: TextSchema,
        /**
         * A 112 or 113 that is possible but not sure (src/bot/safety.ts, askSafetyCheck): the question
         * at once, with the number in it, and its two buttons. "No" goes on where the resident was.
         */
        safetyCheck112: TextSchema,
        safetyCheck113: TextSchema,
        safetyCheckYes112: TextSchema,
        safetyCheckYes113: TextSchema,
        safetyCheckNo: TextSchema,
        /**
         * Data minimisation (src/bot/minimiseData.ts): the resident shared data the bot did not ask
         * for; {{what}} names it (the three texts below, joined), with the two buttons after it.
         */
        sensitiveWarning: TextSchema,
        sensitiveBsn: TextSchema,
        sensitiveIban: TextSchema,
        sensitiveMedical: TextSchema,
        /** Joins two or three of the names above in {{what}}. */
        sensitiveAnd: TextSchema,
        sensitiveRemoveButton: TextSchema,
        sensitiveKeepButton: TextSchema,
        /** After "Verwijder het": it is gone from the message and every copy of it. */
        sensitiveRemoved: TextSchema,
        /** After "Laat maar staan". */
        sensitiveKept: TextSchema,
        /**
         * "Voelde je je gehoord?" after staff resolved a conversation (src/trust): the question
         * ({{reference}}; buttons 1–5), the thanks after a score of 3–5 and after 1–2 (the
         * conversation is back with the tandem), both inviting an optional word, and the answer to a
         * button tapped after the question was over.
         */
        feedbackQuestion: TextSchema,
        feedbackThanks: TextSchema,
        feedbackThanksLow: TextSchema,
        feedbackAlreadyAnswered: TextSchema,
        /** Thanks or "nothing to add" in a resolved conversation. */
        feedbackClosing: TextSchema,
        /** The same, right before the trust pulse's offer (src/trust/answerFeedback.ts): a short word with no question in it. */
        feedbackClosingBeforePulse: TextSchema.optional(),
        /** The resident says the case staff have is solved and may be closed (src/bot/turn.ts quietWhileStaffHandle). */
        caseSolvedPassedOn: TextSchema,
        /** The same words in a resolved conversation (src/trust/answerFeedback.ts answerClosingWords). */
        caseAlreadyClosed: TextSchema,
        /**
         * A forwarded melding's status from the gemeente's meldingen system (src/open311/forwarder.ts):
         * {{reference}} and that system's {{notes}} (may be empty).
         */
        open311Update: TextSchema,
        open311Closed: TextSchema,
        /**
         * The trust pulse (src/trust/trustPulse.ts): the offer with its two buttons, the question
         * (buttons 1–5), the thanks, and the answer to "no".
         */
        trustPulseOffer: TextSchema,
        trustPulseYes: TextSchema,
        trustPulseNo: TextSchema,
        trustPulseQuestion: TextSchema,
        trustPulseThanks: TextSchema,
        trustPulseDeclined: TextSchema,
      })
      .strict(),
    /**
     * How a question about what is going on is told from a melding (src/conversation/questionForm.ts):
     * a question ("wanneer…", "komt er…", a trailing ?) about a project goes to the wijk news.
     */
    questionCues: z
      .object({
        /** Words or phrases a question starts with (matched on the normalised text). */
        starts: z.array(z.string().min(1)).min(1),
        /** Words of what is happening in a wijk: a question with one of these is about the wijk news. */
        project: z.array(z.string().min(1)).min(1),
        /** Words that make a question one about reporting ("hoe meld ik…"): no wijk news then. */
        report: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .optional(),
    /**
     * A question about when afval is collected ("wanneer wordt het oud papier opgehaald?", src/conversation/questionForm.ts):
     * it goes to `target` (the afvalkalender), not to the wijk news. One of `words` anywhere, or a question (questionCues.starts,
     * "welke…", a trailing ?) that names one of `kinds` and one of `collect`; never with one of `not` ("niet opgehaald" is a melding).
     */
    wasteCalendar: z
      .object({
        target: TargetSchema,
        /** Where it goes at the welcome's own questions (consent): a step that ends, after which the same question comes once more. */
        duringWelcome: TargetSchema.optional(),
        /** Asked again right after the answer (after a 112/113 moment, beside staff): a short step that ends, so the same text does not come twice in a row. */
        again: TargetSchema.optional(),
        words: z.array(z.string().min(1)).default([]),
        kinds: z.array(z.string().min(1)).min(1),
        collect: z.array(z.string().min(1)).min(1),
        not: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .optional(),
    /** The 112 answers for particular emergencies, the first whose words match wins; otherwise messages.emergency112. */
    emergencyKinds: z.array(EmergencyKindSchema).default([]),
    /** The set texts in each other language the bot recognises (every one of them must be there). */
    otherLanguages: z.record(OtherLanguageSchema, OtherLanguageTextsSchema),
    /**
     * The note staff read in the inbox when the bot hands a conversation over (in Dutch, as the
     * inbox): a heading, then a line per answer the flow passed to openConversation or handover.
     */
    handoverNote: z
      .object({
        heading: z.string().min(1),
        /** The label of each answer (by its parameter name), in the order staff read them. */
        labels: z.record(variableName, z.string().min(1)),
      })
      .strict(),
  })
  .strict();
export type Globals = z.infer<typeof GlobalsSchema>;

/** flows/settings.yaml: office hours and the promised response time. */
export const SettingsSchema = z
  .object({
    version: z.literal(FLOW_FORMAT_VERSION),
    officeHours: z.partialRecord(z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), z.tuple([z.string().regex(/^\d{2}:\d{2}$/), z.string().regex(/^\d{2}:\d{2}$/)])),
    /** Public holidays (YYYY-MM-DD) on which nobody answers. */
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).default([]),
    /** The service target: an answer within this many working hours. */
    responseTargetWorkingHours: z.number().positive(),
    /** The general phone number and website for everything the bot cannot do. */
    contact: z
      .object({
        phone: z.string(),
        website: z.string(),
        /** How residents reach the gemeente's data protection officer (FG), for the privacy statement (/privacy): an e-mail address or web page. */
        privacyOfficer: z.string().min(1).optional(),
        /** The gemeente's afvalkalender (collection days by postcode), for "wanneer wordt het oud papier opgehaald?". Without it, the website. */
        wasteCalendar: z.string().min(1).optional(),
      })
      .strict(),
  })
  .strict();
export type Settings = z.infer<typeof SettingsSchema>;
