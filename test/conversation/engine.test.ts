/**
 * The flow engine (src/conversation/engine.ts), on a tiny flow set made here rather than the real
 * flows/, so that each behaviour is visible in a few lines: every step kind, every kind of
 * question, global commands, consent and wijk first, three tries, changing the subject, never a
 * dead end, and the safety nets. The real journeys are driven in flows/tests/*.test.yaml.
 */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { FlowSchema, GlobalsSchema, SettingsSchema, type Flow } from "../../src/conversation/flowSchema.ts";
import { handleEvent, INTENT_CONFIDENCE, initialState, namesKnownRequest, type EngineContext, type EngineEvent, type EngineResult, type FlowState } from "../../src/conversation/engine.ts";
import type { FlowSet } from "../../src/conversation/loadFlows.ts";
import type { Intent, Theme, TriageResult } from "../../src/conversation/triage.ts";

// ----- the tiny flow set -----------------------------------------------------------------------

const text = (nl: string, en: string) => ({ nl, en });

const flowList: Array<z.input<typeof FlowSchema>> = [
  {
    version: 1,
    id: "menu",
    title: text("Menu", "Menu"),
    start: "kies",
    steps: {
      kies: {
        type: "ask",
        input: "choice",
        text: text("Waarmee kan ik helpen?", "How can I help?"),
        save: "keuze",
        options: [
          { value: "vragen", label: text("Vragen", "Questions"), next: "flow:vragen" },
          { value: "melden", label: text("Iets melden", "Report something"), synonyms: ["melding"], next: "flow:melden" },
          { value: "mens", label: text("Een mens", "A person"), next: "flow:mens" },
        ],
        next: "end",
      },
    },
  },
  {
    // One question of each kind, then a set and a say that use the answers.
    version: 1,
    id: "vragen",
    title: text("Vragen", "Questions"),
    start: "naam",
    steps: {
      naam: { type: "ask", input: "text", text: text("Hoe heet je?", "What is your name?"), save: "naam", next: "aantal" },
      aantal: {
        type: "ask",
        input: "number",
        min: 1,
        max: 10,
        text: text("Met hoeveel mensen?", "How many people?"),
        retry: text("Typ een getal van 1 tot 10.", "Type a number from 1 to 10."),
        save: "aantal",
        next: "datum",
      },
      datum: { type: "ask", input: "date", text: text("Welke dag?", "Which day?"), save: "datum", next: "kleur" },
      kleur: {
        type: "ask",
        input: "choice",
        text: text("Welke kleur?", "Which colour?"),
        save: "kleur",
        options: [
          { value: "rood", label: text("Rood", "Red") },
          { value: "blauw", label: text("Blauw", "Blue"), synonyms: ["azuur"] },
        ],
        next: "zeker",
      },
      zeker: { type: "ask", input: "yesno", text: text("Weet je het zeker?", "Are you sure?"), save: "zeker", next: "foto" },
      foto: { type: "ask", input: "photo", optional: true, skipLabel: text("Geen foto", "No photo"), text: text("Stuur een foto.", "Send a photo."), save: "foto", next: "plek" },
      plek: { type: "ask", input: "location", text: text("Waar is het?", "Where is it?"), save: "plek", next: "postcode" },
      postcode: { type: "ask", input: "postcode", text: text("Wat is je postcode?", "What is your postcode?"), save: "postcode", next: "zet" },
      zet: { type: "set", vars: { samenvatting: "{{naam}} met {{aantal}} op {{datum}}", bron: { var: "kleur" }, klaar: true }, next: "zeg" },
      zeg: { type: "say", text: text("Genoteerd: {{samenvatting}}, {{bron}}.", "Noted: {{samenvatting}}, {{bron}}."), next: "end" },
    },
  },
  {
    // Optional questions, to see when an answer means "skip".
    version: 1,
    id: "optioneel",
    title: text("Optioneel", "Optional"),
    start: "hoeveel",
    steps: {
      hoeveel: { type: "ask", input: "number", optional: true, text: text("Hoeveel?", "How many?"), save: "hoeveel", next: "welke" },
      welke: {
        type: "ask",
        input: "choice",
        optional: true,
        text: text("Welke?", "Which?"),
        save: "welke",
        options: [
          { value: "a", label: text("Optie A", "Option A") },
          { value: "b", label: text("Optie B", "Option B") },
        ],
        next: "vraag",
      },
      vraag: { type: "ask", input: "text", optional: true, text: text("Waar gaat je vraag over?", "What is your question about?"), save: "vraag", next: "akkoord" },
      akkoord: { type: "ask", input: "yesno", optional: true, text: text("Mogen we je bellen?", "May we call you?"), save: "akkoord", next: "klaar" },
      klaar: { type: "end", text: text("Klaar.", "Done.") },
    },
  },
  {
    version: 1,
    id: "sorteer",
    title: text("Sorteer", "Sort"),
    start: "welk",
    steps: {
      welk: {
        type: "branch",
        cases: [
          {
            if: {
              all: [
                { var: "resident.kleur", equals: "rood" },
                { var: "resident.aantal", in: [1, 2] },
              ],
            },
            next: "rood-weinig",
          },
          {
            if: {
              any: [
                { var: "resident.kleur", equals: "groen" },
                { var: "resident.wijk", equals: "noord" },
              ],
            },
            next: "groen-of-noord",
          },
          { if: { not: { var: "resident.kleur", exists: true } }, next: "geen-kleur" },
          { if: { var: "resident.opmerking", equals: null }, next: "zonder-opmerking" },
        ],
        default: "anders",
      },
      "rood-weinig": { type: "end", text: text("rood-weinig", "red-few") },
      "groen-of-noord": { type: "end", text: text("groen-of-noord", "green-or-north") },
      "geen-kleur": { type: "end", text: text("geen-kleur", "no-colour") },
      "zonder-opmerking": { type: "end", text: text("zonder-opmerking", "no-remark") },
      anders: { type: "end", text: text("anders", "other") },
    },
  },
  {
    version: 1,
    id: "melden",
    title: text("Iets melden", "Report something"),
    intents: ["melding"],
    requiresConsent: true,
    requiresWijk: true,
    start: "heeft-tekst",
    steps: {
      "heeft-tekst": { type: "branch", cases: [{ if: { var: "initialText", exists: true }, next: "neem-tekst" }], default: "wat" },
      "neem-tekst": { type: "set", vars: { wat: { var: "initialText" } }, next: "open" },
      wat: { type: "ask", input: "text", text: text("Wat wil je melden?", "What would you like to report?"), save: "wat", next: "open" },
      open: { type: "action", action: "openConversation", with: { tekst: "Melding: {{wat}}", wijk: { var: "resident.wijk" }, spoed: false }, next: { open: "gelukt", vol: "vol", default: "mislukt" } },
      gelukt: { type: "end", text: text("Je melding staat bij {{resident.wijkName}} met nummer {{reference}}.", "Your report is with {{resident.wijkName}}, number {{reference}}.") },
      vol: { type: "end", text: text("Het is nu te druk.", "It is too busy now.") },
      mislukt: { type: "end", text: text("Dat lukte niet.", "That did not work.") },
    },
  },
  {
    version: 1,
    id: "idee",
    title: text("Een idee", "An idea"),
    intents: ["idee"],
    requiresWijk: true,
    start: "heeft-tekst",
    steps: {
      "heeft-tekst": { type: "branch", cases: [{ if: { var: "initialText", exists: true }, next: "neem-tekst" }], default: "wat" },
      "neem-tekst": { type: "set", vars: { idee: { var: "initialText" } }, next: "bedankt" },
      wat: { type: "ask", input: "text", text: text("Wat is je idee?", "What is your idea?"), save: "idee", next: "bedankt" },
      bedankt: { type: "end", text: text("Mooi idee: {{idee}}", "Nice idea: {{idee}}") },
    },
  },
  {
    version: 1,
    id: "wijk",
    title: text("Mijn wijk", "My neighbourhood"),
    start: "plek",
    steps: {
      plek: {
        type: "ask",
        input: "postcode",
        optional: true,
        skipLabel: text("Kies uit lijst", "Pick from list"),
        text: text("Wat is je postcode?", "What is your postcode?"),
        save: "plek",
        next: "heeft-plek",
      },
      "heeft-plek": { type: "branch", cases: [{ if: { var: "plek", exists: true }, next: "zoek" }], default: "lijst" },
      zoek: { type: "action", action: "lookupWijk", with: { plek: { var: "plek" } }, next: { found: "opslaan", default: "lijst" } },
      lijst: { type: "action", action: "listWijken", next: "kies" },
      kies: { type: "ask", input: "choice", optionsFrom: "wijkOptions", text: text("Kies je wijk:", "Choose your neighbourhood:"), save: "wijkSlug", next: "opslaan" },
      opslaan: { type: "action", action: "setWijk", with: { wijk: { var: "wijkSlug" } }, next: "opgeslagen" },
      opgeslagen: { type: "say", text: text("Je wijk is {{resident.wijkName}}.", "Your neighbourhood is {{resident.wijkName}}."), next: "end" },
    },
  },
  {
    version: 1,
    id: "omweg",
    title: text("Omweg", "Detour"),
    start: "bewaar",
    steps: {
      bewaar: { type: "set", vars: { keep_mee: "blijft", weg: "gaat" }, next: "heen" },
      heen: { type: "goto", flow: "tussen", then: "terug" },
      terug: { type: "end", text: text("Weer terug: {{keep_mee}}/{{weg}}.", "Back again: {{keep_mee}}/{{weg}}.") },
    },
  },
  {
    version: 1,
    id: "tussen",
    title: text("Tussendoor", "In between"),
    start: "vraag",
    steps: {
      vraag: { type: "ask", input: "yesno", text: text("Gaat het goed?", "Are you well?"), save: "goed", next: "einde" },
      einde: { type: "end", text: text("Tussendoor klaar.", "In between done.") },
    },
  },
  {
    version: 1,
    id: "mens",
    title: text("Een mens", "A person"),
    start: "door",
    steps: { door: { type: "end", text: text("Ik zet je door.", "I will put you through.") } },
  },
  {
    version: 1,
    id: "stop",
    title: text("Stoppen", "Stop"),
    start: "gestopt",
    steps: { gestopt: { type: "end", text: text("Ik ben gestopt.", "I have stopped.") } },
  },
  {
    version: 1,
    id: "hallo",
    title: text("Welkom", "Welcome"),
    start: "welkom",
    steps: {
      welkom: { type: "say", text: text("Hoi!", "Hi!"), next: "toestemming" },
      toestemming: { type: "ask", input: "yesno", text: text("Mag ik je berichten bewaren?", "May I keep your messages?"), save: "consent", next: "vastleggen" },
      vastleggen: { type: "action", action: "recordConsent", with: { granted: { var: "consent" } }, next: "flow:menu" },
    },
  },
  {
    // Ends after an action without saying anything.
    version: 1,
    id: "stil",
    title: text("Stil", "Quiet"),
    start: "doe",
    steps: {
      doe: { type: "action", action: "exportData", next: "klaar" },
      klaar: { type: "end" },
    },
  },
  {
    version: 1,
    id: "lus",
    title: text("Lus", "Loop"),
    start: "a",
    steps: {
      a: { type: "say", text: text("Nog eens", "Again"), next: "b" },
      b: { type: "set", vars: { rondje: true }, next: "a" },
    },
  },
];

const globals = GlobalsSchema.parse({
  version: 1,
  firstContact: "hallo",
  menu: "menu",
  wijkFlow: "wijk",
  commands: {
    menu: { words: { nl: ["menu", "begin"], en: ["main menu"] }, target: "flow:menu" },
    stop: { words: { nl: ["stop"], en: ["cancel"] }, target: "flow:stop" },
    human: { words: { nl: ["mens", "medewerker"], en: ["human"] }, target: "flow:mens" },
    toestemming: { words: { nl: ["toestemming"], en: ["consent"] }, target: "flow:hallo#toestemming" },
    english: { words: { nl: ["engels"], en: ["english"] }, target: "flow:menu", language: "en" },
    nederlands: { words: { nl: ["nederlands"], en: ["dutch"] }, target: "flow:menu", language: "nl" },
  },
  themes: { afval: text("afval", "waste"), overig: text("iets anders", "something else") },
  messages: {
    emergency112: text("Bel 112.", "Call 112."),
    crisis113: text("Bel 113.", "Call 113."),
    notUnderstood: text("Dat begrijp ik niet.", "I don't understand."),
    notUnderstoodShort: text("Dat snap ik niet.", "I don't get that."),
    notUnderstoodPerson: text("Een mens?", "A person?"),
    chooseOption: text("Dat past niet.", "That does not fit."),
    tooManyTries: text("Het lukt niet, sorry.", "It is not working, sorry."),
    welcomeBack: text("Welkom terug.", "Welcome back."),
    staffHandling: text("Een medewerker kijkt mee.", "Staff are on it."),
    staffHandlingNoWijk: text("Een medewerker kijkt mee.", "Staff are on it."),
    staffStillThere: text("Ja, ik ben er. {{wijkName}} kijkt mee.", "Yes, I'm here. {{wijkName}} is on it."),
    staffStillThereNoWijk: text("Ja, ik ben er. Een medewerker kijkt mee.", "Yes, I'm here. Staff are on it."),
    skip: text("Overslaan", "Skip"),
    yes: text("Ja", "Yes"),
    no: text("Nee", "No"),
    needsConsent: text("Daarvoor heb ik je toestemming nodig.", "I need your consent for that."),
    somethingWentWrong: text("Er ging iets mis.", "Something went wrong."),
    floodNotice: text("Je stuurt veel berichten tegelijk.", "You are sending a lot of messages at once."),
    unsupportedMedia: text("Dat kan ik niet lezen.", "I cannot read that."),
    groupChat: text("Alleen één-op-één.", "Only one-to-one."),
    shareLocation: text("Deel locatie", "Share location"),
    listButton: text("Kies", "Choose"),
    onWaitlist: text("(wachtlijst)", "(waiting list)"),
    deadlineToday: text("vandaag vóór {{time}}", "today before {{time}}"),
    deadlineTomorrow: text("morgen vóór {{time}}", "tomorrow before {{time}}"),
    deadlineLater: text("uiterlijk {{date}}", "by {{date}}"),
    tafelFull: text("Vol.", "Full."),
    tafelPromoted: text("Plek vrij: {{title}}.", "A place for you: {{title}}."),
    tafelReminder: text("Morgen: {{title}}.", "Tomorrow: {{title}}."),
    tafelSummary: text("Wat we hoorden: {{heard}}", "What we heard: {{heard}}"),
    tafelCalendarDescription: text("{{topic}}", "{{topic}}"),
    tafelCancelled: text("Gaat niet door: {{title}}.", "Cancelled: {{title}}."),
    wijkberichtFooter: text("Wijkbericht voor {{wijken}}", "News for {{wijken}}"),
    wijkberichtWeekly: text("{{berichten}}", "{{berichten}}"),
    subscriptionEach: text("elk bericht meteen", "each message straight away"),
    subscriptionWeekly: text("één keer per week", "once a week"),
    exportSummary: text("Wijk: {{wijk}}", "Neighbourhood: {{wijk}}"),
    exportSubscribed: text("ja", "yes"),
    exportNotSubscribed: text("nee", "no"),
    myCaseHeading: text("• {{reference}}", "• {{reference}}"),
    myCaseWrote: text("{{text}}", "{{text}}"),
    myCaseDetails: text("{{wijk}} {{status}} {{handler}}", "{{wijk}} {{status}} {{handler}}"),
    myCaseOpen: text("open", "open"),
    myCaseWaiting: text("wacht", "waiting"),
    myCaseSnoozed: text("bezig", "busy"),
    myCaseResolved: text("klaar", "done"),
    myCaseHandlerWijk: text("{{wijk}}", "{{wijk}}"),
    myCaseHandlerGemeente: text("gemeente", "municipality"),
    exportCases: text("Meldingen:", "Reports:"),
    exportNoCases: text("Meldingen: geen", "Reports: none"),
    languageName: text("Nederlands", "English"),
    safetyAsk112: text("Is de hulp onderweg?", "Is help on its way?"),
    safetyAsk113: text("Ik ben er nog. Bel 113.", "I am still here. Call 113."),
    safetyPerson112: text("Een medewerker neemt contact op.", "Staff will contact you."),
    safetyPerson113: text("Een medewerker neemt contact op. Bel 113.", "Staff will contact you. Call 113."),
    safetyNoPerson112: text("Goed.", "All right."),
    safetyNoPerson113: text("Goed. Bel 113.", "All right. Call 113."),
    safetyStayAvailable113: text("Ik lees mee. Bel 113.", "I read along. Call 113."),
    safetyCheck112: text("Is er nu gevaar? Bel 112.", "Danger now? Call 112."),
    safetyCheck113: text("Denk je aan zelfdoding? Bel 113.", "Thinking about suicide? Call 113."),
    safetyCheckYes112: text("Ja, nu gevaar", "Yes, danger now"),
    safetyCheckYes113: text("Ja", "Yes"),
    safetyCheckNo: text("Nee, ga verder", "No, go on"),
    safetyUnsure112: text("Weet je het niet zeker? Bel 112.", "Not sure? Call 112."),
    safetyWelfareAdvice: text("Bel de politie: 0900-8844.", "Call the police: 0900-8844."),
    safetyReminder113: text("113 is er altijd.", "113 is always there."),
    safetyOtherQuestion113: text("Wil je praten? Bel 113. Een medewerker?", "Want to talk? Call 113. A member of staff?"),
    safetyNoPersonShort113: text("Goed. 113 is er dag en nacht.", "All right. 113 is there day and night."),
    safetyBye112: text("Graag gedaan. Dag!", "You are welcome. Bye!"),
    safetyNoThanks112: text("Goed. Bel 112 bij gevaar.", "All right. Call 112 in danger."),
    sensitiveWarning: text("Je stuurde {{what}}. Weghalen?", "You sent {{what}}. Remove it?"),
    sensitiveBsn: text("een BSN", "a BSN"),
    sensitiveIban: text("een rekeningnummer", "a bank account number"),
    sensitiveMedical: text("iets over gezondheid", "something about health"),
    sensitiveAnd: text(" en ", " and "),
    sensitiveRemoveButton: text("Verwijder het", "Remove it"),
    sensitiveKeepButton: text("Laat maar staan", "Leave it"),
    sensitiveRemoved: text("Weggehaald.", "Removed."),
    sensitiveKept: text("Goed.", "All right."),
    feedbackQuestion: text("Voelde je je gehoord?", "Did you feel heard?"),
    feedbackThanks: text("Dank je.", "Thank you."),
    feedbackThanksLow: text("Jammer.", "Sorry to hear."),
    feedbackAlreadyAnswered: text("Al beantwoord.", "Already answered."),
    feedbackClosing: text("Graag gedaan.", "You're welcome."),
    caseAlreadyClosed: text("Je melding is al afgesloten.", "Your report is closed already."),
    caseSolvedPassedOn: text("Ik geef door dat het is opgelost.", "I will pass on that it is solved."),
    open311Update: text("Nieuws over {{reference}}.", "News about {{reference}}."),
    open311Closed: text("{{reference}} is afgehandeld.", "{{reference}} is done."),
    trustPulseOffer: text("Nog een vraag?", "One more question?"),
    trustPulseYes: text("Ja", "Yes"),
    trustPulseNo: text("Nee", "No"),
    trustPulseQuestion: text("Hoeveel vertrouwen?", "How much trust?"),
    trustPulseThanks: text("Dank je.", "Thanks."),
    trustPulseDeclined: text("Prima.", "Fine."),
  },
  otherLanguages: Object.fromEntries(
    ["tr", "ar", "pl", "uk", "de"].map((language) => [
      language,
      {
        emergency112: "112",
        crisis113: "113 0800-0113",
        followUp112: "112",
        followUp113: "113 0800-0113",
        handover: "112 {{when}}",
        handoverNoConsent: "112 {{when}}",
        stillThere: "{{when}} 112",
        thanks: ["ok"],
      },
    ]),
  ),
  handoverNote: { heading: "Antwoorden in de chat:", labels: { description: "Omschrijving" } },
});

const settings = SettingsSchema.parse({ version: 1, officeHours: { mon: ["09:00", "17:00"] }, responseTargetWorkingHours: 8, contact: { phone: "14 040", website: "https://example.org" } });

const flows: FlowSet = { flows: new Map(flowList.map((input): [string, Flow] => [input.id, FlowSchema.parse(input)])), globals, settings };

// ----- a small, predictable classifier (triage itself is tested in triage.test.ts) -------------

const CUES: Array<[RegExp, Intent, Theme]> = [
  [/afval|vuilnis/, "melding", "afval"],
  [/melden|kapot/, "melding", "overig"],
  [/idee/, "idee", "overig"],
  [/^(hoi|hallo)\b/, "groet", "overig"],
];

function classify(input: string): TriageResult {
  for (const [pattern, intent, theme] of CUES) {
    if (pattern.test(input.toLowerCase())) return { intent, theme, emergency: null, possibleEmergency: null, confidence: { intent: 0.9, theme: theme === "overig" ? 0.1 : 0.8 }, language: "nl" };
  }
  return { intent: "onbekend", theme: "overig", emergency: null, possibleEmergency: null, confidence: { intent: 0.05, theme: 0.05 }, language: "nl" };
}

// ----- a conversation, turn by turn ------------------------------------------------------------

type Message = Extract<EngineEvent, { type: "message" }>;

/** One resident talking to the engine; resident facts follow action results, as src/bot does. */
function chat(resident: Record<string, unknown> = { consent: true, wijk: "noord", wijkName: "Noord" }, state: FlowState = initialState()) {
  const facts = { ...resident };
  let current = state;
  const context = (): EngineContext => ({ flows, resident: facts, classify, today: [2026, 11, 26] });
  const send = (event: EngineEvent): EngineResult => {
    const result = handleEvent(current, event, context());
    current = result.state;
    return result;
  };
  return {
    get state() {
      return current;
    },
    facts,
    send,
    start: (target: string, vars?: Record<string, unknown>) => send(vars ? { type: "start", target, vars } : { type: "start", target }),
    say: (said: string) => send({ type: "message", text: said }),
    tap: (value: string) => send({ type: "message", value }),
    message: (message: Omit<Message, "type">) => send({ type: "message", ...message }),
    /** The action the engine asked for finished with `outcome`. */
    finish: (outcome: string, vars: Record<string, unknown> = {}) => {
      for (const [key, value] of Object.entries(vars)) if (key.startsWith("resident.")) facts[key.slice("resident.".length)] = value;
      return send({ type: "actionResult", outcome, vars });
    },
  };
}

const texts = (result: EngineResult) => result.outputs.map((output) => output.text);
const lastOutput = (result: EngineResult) => result.outputs[result.outputs.length - 1];
const buttonLabels = (result: EngineResult) => lastOutput(result)?.buttons.map((button) => button.label) ?? [];

// ----- the tests -------------------------------------------------------------------------------

describe("asking questions", () => {
  it("asks each kind of question, saves the answers and uses them in set and say", () => {
    const c = chat();
    let r = c.start("flow:vragen");
    expect(lastOutput(r)).toEqual({ text: "Hoe heet je?", buttons: [], input: "text" });
    expect(c.state).toMatchObject({ flow: "vragen", step: "naam", waiting: "ask" });

    r = c.say("  Fatima ");
    expect(lastOutput(r)).toMatchObject({ text: "Met hoeveel mensen?", input: "number" });
    r = c.say("drie");
    expect(lastOutput(r)).toMatchObject({ text: "Welke dag?", input: "date" });
    r = c.say("morgen");
    expect(lastOutput(r)).toEqual({
      text: "Welke kleur?",
      input: "choice",
      buttons: [
        { label: "Rood", value: "rood" },
        { label: "Blauw", value: "blauw" },
      ],
    });
    r = c.say("azuur");
    expect(lastOutput(r)).toEqual({
      text: "Weet je het zeker?",
      input: "yesno",
      buttons: [
        { label: "Ja", value: "yes" },
        { label: "Nee", value: "no" },
      ],
    });
    r = c.say("jazeker");
    expect(lastOutput(r)).toMatchObject({ text: "Stuur een foto.", input: "photo", buttons: [{ label: "Geen foto", value: "skip" }] });
    r = c.message({ media: { ref: "foto-1", kind: "photo" } });
    expect(lastOutput(r)).toMatchObject({ text: "Waar is het?", input: "location" });
    r = c.message({ location: { lat: 51.42, lon: 5.56 } });
    expect(lastOutput(r)).toMatchObject({ text: "Wat is je postcode?", input: "postcode" });
    r = c.say("5662 AB");

    expect(texts(r)[0]).toBe("Genoteerd: Fatima met 3 op 2026-11-27, blauw.");
    expect(c.state.vars).toMatchObject({
      naam: "Fatima",
      aantal: 3,
      datum: "2026-11-27",
      kleur: "blauw",
      zeker: true,
      foto: "foto-1",
      plek: { kind: "location", lat: 51.42, lon: 5.56 },
      postcode: { kind: "postcode", text: "5662 AB" },
      samenvatting: "Fatima met 3 op 2026-11-27",
      bron: "blauw",
      klaar: true,
    });
    expect(c.state).toMatchObject({ flow: null, step: null, waiting: null });
  });

  it("takes a typed address for a location and a tapped button for a choice", () => {
    const c = chat();
    c.start("flow:vragen#kleur");
    c.tap("rood");
    expect(c.state.vars.kleur).toBe("rood");
    c.start("flow:vragen#plek");
    c.say("Dorpstraat 12");
    expect(c.state.vars.plek).toEqual({ kind: "address", text: "Dorpstraat 12" });
  });

  it("saves no for a yes/no question as false", () => {
    const c = chat();
    c.start("flow:vragen#zeker");
    c.say("nee hoor");
    expect(c.state.vars.zeker).toBe(false);
  });

  it("reads yes and no in dialect or repeated, and takes 'niet' in a sentence for no answer", () => {
    const answers: Array<[string, boolean | undefined]> = [
      ["jaja", true],
      ["jao", true],
      ["jaaa", true],
      ["ja joh", true],
      ["jazeker", true],
      ["jup", true],
      ["jao is goed", true],
      ["ja, maar niet op zondag", true],
      ["neeee", false],
      ["nee joh", false],
      ["niet", false],
      ["zeker niet", false],
      ["ik weet mijn postcode niet uit mijn hoofd", undefined],
      ["ik weet het niet zeker", undefined],
      ["ja nee", false],
    ];
    for (const [said, expected] of answers) {
      const c = chat();
      c.start("flow:vragen#zeker");
      c.say(said);
      expect(c.state.vars.zeker, said).toBe(expected);
    }
  });

  it("asks again, after a hint, when an answer does not fit; with the step's own retry text if it has one", () => {
    const c = chat();
    c.start("flow:vragen#aantal");
    let r = c.say("11");
    expect(texts(r)).toEqual(["Typ een getal van 1 tot 10."]);
    expect(c.state).toMatchObject({ step: "aantal", waiting: "ask", tries: 1 });

    c.start("flow:vragen#datum");
    r = c.say("31-02");
    expect(texts(r)).toEqual(["Dat past niet.", "Welke dag?"]);
    r = c.say("26 november");
    expect(c.state.vars.datum).toBe("2026-11-26");
    expect(c.state.tries).toBe(0);
  });

  it("does not take a photo where a choice was asked, and says it cannot read voice messages", () => {
    const c = chat();
    c.start("flow:vragen#kleur");
    let r = c.message({ media: { ref: "x", kind: "photo" } });
    expect(texts(r)).toEqual(["Dat kan ik niet lezen.", "Welke kleur?"]);
    c.start("flow:vragen#foto");
    r = c.message({ media: { ref: "spraak-1", kind: "voice" } });
    expect(texts(r)).toEqual(["Dat kan ik niet lezen.", "Stuur een foto."]);
    r = c.say("wat bedoel je");
    expect(texts(r)).toEqual(["Dat past niet.", "Stuur een foto."]);
  });

  it("skips an optional question by its button or its words, saving null", () => {
    const c = chat();
    c.start("flow:vragen#foto");
    c.tap("skip");
    expect(c.state.vars.foto).toBeNull();
    expect(c.state.step).toBe("plek");
    c.start("flow:vragen#foto");
    c.say("ik heb geen foto");
    expect(c.state.vars.foto).toBeNull();
    expect(c.state.step).toBe("plek");
  });

  it("does not take a number for a skip: 1 is the first option, or simply 1", () => {
    const c = chat();
    let r = c.start("flow:optioneel");
    expect(lastOutput(r)?.buttons).toEqual([{ label: "Overslaan", value: "skip" }]);
    c.say("1");
    expect(c.state.vars.hoeveel).toBe(1);
    c.say("1");
    expect(c.state.vars.welke).toBe("a");
    c.start("flow:optioneel#welke");
    r = c.say("3");
    expect(c.state.vars.welke).toBeNull();
    expect(c.state.step).toBe("vraag");
  });

  it("keeps a free-text answer that merely contains a skip word", () => {
    const c = chat();
    c.start("flow:optioneel#vraag");
    c.say("geen idee waar ik moet beginnen, het gaat over de stoep");
    expect(c.state.vars.vraag).toBe("geen idee waar ik moet beginnen, het gaat over de stoep");
    c.start("flow:optioneel#vraag");
    c.say("sla over");
    expect(c.state.vars.vraag).toBeNull();
  });

  it("takes nee for no on an optional yes/no question, although nee can also mean skip", () => {
    const c = chat();
    const r = c.start("flow:optioneel#akkoord");
    expect(lastOutput(r)?.buttons.map((b) => b.value)).toEqual(["yes", "no", "skip"]);
    c.say("nee");
    expect(c.state.vars.akkoord).toBe(false);
    c.start("flow:optioneel#akkoord");
    c.say("3");
    expect(c.state.vars.akkoord).toBeNull();
  });

  it("follows an option's own next instead of the step's", () => {
    const c = chat();
    const r = c.start("flow:menu");
    expect(buttonLabels(r)).toEqual(["Vragen", "Iets melden", "Een mens"]);
    expect(texts(c.say("2"))).toEqual(["Wat wil je melden?"]);
    expect(c.state.flow).toBe("melden");
  });
});

describe("branch", () => {
  it.each([
    [{ kleur: "rood", aantal: 2 }, "rood-weinig"],
    [{ kleur: "rood", aantal: 3 }, "zonder-opmerking"],
    [{ kleur: "groen", aantal: 3 }, "groen-of-noord"],
    [{ kleur: "paars", wijk: "noord" }, "groen-of-noord"],
    [{}, "geen-kleur"],
    [{ kleur: "" }, "geen-kleur"],
    [{ kleur: null }, "geen-kleur"],
    [{ kleur: "paars", opmerking: null }, "zonder-opmerking"],
    [{ kleur: "paars", opmerking: "graag snel" }, "anders"],
    [{ kleur: "rood", aantal: "2", opmerking: "x" }, "anders"],
  ])("with resident %o goes to %s", (resident, expected) => {
    const r = chat(resident).start("flow:sorteer");
    expect(texts(r)).toEqual([expected]);
  });
});

describe("actions", () => {
  it("asks for the action with its parameters resolved, and waits", () => {
    const c = chat();
    c.start("flow:melden");
    const r = c.say("Lantaarnpaal kapot");
    expect(r.action).toEqual({ name: "openConversation", params: { tekst: "Melding: Lantaarnpaal kapot", wijk: "noord", spoed: false } });
    expect(r.outputs).toEqual([]);
    expect(c.state).toMatchObject({ step: "open", waiting: "action" });
  });

  it("goes where the outcome says, with the variables the action returned", () => {
    const c = chat();
    c.start("flow:melden");
    c.say("Lantaarnpaal kapot");
    const r = c.finish("open", { reference: "WL-123", "resident.wijkName": "Noord-Oost" });
    expect(texts(r)).toEqual(["Je melding staat bij Noord-Oost met nummer WL-123."]);
    expect(r.action).toBeNull();
  });

  it("goes to default for an outcome the step does not name", () => {
    const c = chat();
    c.start("flow:melden");
    c.say("Lantaarnpaal kapot");
    expect(texts(c.finish("onbekend"))).toEqual(["Dat lukte niet."]);
  });

  it("goes to the outcome's own target when there is one", () => {
    const c = chat();
    c.start("flow:melden");
    c.say("Lantaarnpaal kapot");
    expect(texts(c.finish("vol"))).toEqual(["Het is nu te druk."]);
  });

  it("refuses an action result when no action is running", () => {
    const c = chat();
    c.start("flow:menu");
    expect(() => c.finish("open")).toThrow(/no action was running/);
  });
});

describe("goto", () => {
  it("runs the other flow and comes back at `then` when it ends", () => {
    const c = chat();
    let r = c.start("flow:omweg");
    expect(texts(r)).toEqual(["Gaat het goed?"]);
    expect(c.state).toMatchObject({ flow: "tussen", resume: "flow:omweg#terug" });
    r = c.say("ja");
    expect(texts(r)[0]).toBe("Tussendoor klaar.");
    expect(texts(r)[1]).toMatch(/^Weer terug: blijft\//);
    expect(c.state).toMatchObject({ flow: null, resume: null });
  });
});

describe("global commands", () => {
  it("goes to the menu from the middle of a question, forgetting the answers so far", () => {
    const c = chat();
    c.start("flow:vragen");
    c.say("Fatima");
    const r = c.say("Menu!");
    expect(r.command).toBe("menu");
    expect(texts(r)).toEqual(["Waarmee kan ik helpen?"]);
    expect(c.state).toMatchObject({ flow: "menu", step: "kies", resume: null });
    expect(c.state.vars.naam).toBeUndefined();
  });

  it("stops, and offers the menu and a person afterwards", () => {
    const c = chat();
    c.start("flow:vragen");
    const r = c.say("stop");
    expect(r.command).toBe("stop");
    expect(lastOutput(r)).toEqual({
      text: "Ik ben gestopt.",
      buttons: [
        { label: "Menu", value: "menu" },
        { label: "Mens", value: "mens" },
      ],
    });
    expect(c.state).toMatchObject({ flow: null, step: null, waiting: null });
  });

  it("understands the command as a tapped button too", () => {
    const c = chat();
    c.start("flow:vragen");
    expect(c.tap("mens").command).toBe("human");
  });

  it("understands a command with polite words around it ('human please', 'een mens graag'), not a longer sentence", () => {
    for (const said of ["human please", "i want a human", "mens aub", "een mens graag", "Mens a.u.b.", "ik wil een mens spreken"]) {
      const c = chat();
      c.start("flow:vragen");
      expect(c.say(said).command, said).toBe("human");
    }
    const c = chat();
    c.start("flow:vragen");
    expect(c.say("de mens die hier woont").command).toBeNull();
    // Known as a request, so no possible emergency is asked about first ("i want a human").
    expect(namesKnownRequest(flows, "i want a human")).toBe(true);
    expect(namesKnownRequest(flows, "de mens die hier woont")).toBe(false);
  });

  it("switches to English and back, also for the buttons", () => {
    const c = chat();
    c.start("flow:vragen");
    let r = c.say("english");
    expect(r.command).toBe("english");
    expect(c.state.language).toBe("en");
    expect(lastOutput(r)).toMatchObject({ text: "How can I help?", buttons: [{ label: "Questions" }, { label: "Report something" }, { label: "A person" }] });
    r = c.say("stop");
    expect(lastOutput(r)).toEqual({
      text: "I have stopped.",
      buttons: [
        { label: "Menu", value: "menu" },
        { label: "Human", value: "mens" },
      ],
    });
    r = c.say("nederlands");
    expect(c.state.language).toBe("nl");
    expect(texts(r)).toEqual(["Waarmee kan ik helpen?"]);
  });

  it("never takes a photo or a location for a command", () => {
    const c = chat();
    c.start("flow:vragen#foto");
    const r = c.message({ text: "stop", media: { ref: "foto-2", kind: "photo" } });
    expect(r.command).toBeNull();
    expect(c.state.vars.foto).toBe("foto-2");
  });
});

describe("consent and wijk first", () => {
  it("asks the consent question itself instead of starting a flow that needs it, keeping what the resident wanted", () => {
    const c = chat({ consent: false, wijk: "noord" });
    const r = c.tap("melden");
    expect(texts(r)).toEqual(["Daarvoor heb ik je toestemming nodig.", "Mag ik je berichten bewaren?"]);
    expect(c.state).toMatchObject({ flow: "hallo", step: "toestemming", waiting: "ask" });
    expect(c.state.vars.keep_intent).toBe("melding");
  });

  it("runs the wijk flow first and then comes back to the flow that needed it", () => {
    const c = chat({ consent: true });
    let r = c.start("flow:melden");
    expect(texts(r)).toEqual(["Wat is je postcode?"]);
    expect(c.state).toMatchObject({ flow: "wijk", step: "plek", resume: "flow:melden" });
    r = c.say("5662 AB");
    expect(r.action).toEqual({ name: "lookupWijk", params: { plek: { kind: "postcode", text: "5662 AB" } } });
    r = c.finish("found", { wijkSlug: "noord" });
    expect(r.action).toEqual({ name: "setWijk", params: { wijk: "noord" } });
    r = c.finish("done", { "resident.wijk": "noord", "resident.wijkName": "Noord" });
    expect(texts(r)).toEqual(["Je wijk is Noord.", "Wat wil je melden?"]);
    expect(c.state).toMatchObject({ flow: "melden", step: "wat", resume: null });
  });

  it("keeps what the resident already said while the wijk is asked", () => {
    const c = chat({ consent: true });
    let r = c.say("er ligt afval naast de container");
    expect(texts(r)).toEqual(["Wat is je postcode?"]);
    // No postcode known: pick from the list an action makes.
    r = c.tap("skip");
    expect(r.action).toEqual({ name: "listWijken", params: {} });
    r = c.finish("done", {
      wijkOptions: [
        { value: "noord", label: "Noord" },
        { value: "zuid", label: "Zuid", synonyms: ["zuidkant"] },
      ],
    });
    expect(lastOutput(r)).toMatchObject({
      text: "Kies je wijk:",
      buttons: [
        { label: "Noord", value: "noord" },
        { label: "Zuid", value: "zuid" },
      ],
    });
    r = c.say("zuidkant");
    expect(r.action).toEqual({ name: "setWijk", params: { wijk: "zuid" } });
    r = c.finish("done", { "resident.wijk": "zuid", "resident.wijkName": "Zuid" });
    expect(texts(r)).toEqual(["Je wijk is Zuid."]);
    expect(r.action).toEqual({ name: "openConversation", params: { tekst: "Melding: er ligt afval naast de container", wijk: "zuid", spoed: false } });
  });

  it("does not carry the answers of an abandoned flow into the next one", () => {
    const c = chat({ consent: true });
    c.say("er ligt afval naast de container");
    expect(c.state).toMatchObject({ flow: "wijk", resume: "flow:melden" });
    expect(c.state.vars.initialText).toBe("er ligt afval naast de container");
    // At the postcode question the resident changes their mind, in a few words.
    c.say("ik heb een idee");
    expect(c.state).toMatchObject({ flow: "wijk", resume: "flow:idee" });
    c.say("5662 AB");
    c.finish("found", { wijkSlug: "noord" });
    const r = c.finish("done", { "resident.wijk": "noord", "resident.wijkName": "Noord" });
    // Not "Mooi idee: er ligt afval naast de container".
    expect(texts(r)).toEqual(["Je wijk is Noord.", "Wat is je idee?"]);
  });
});

describe("three tries", () => {
  it("after three answers that do not fit, offers the menu and a person", () => {
    const c = chat();
    c.start("flow:vragen#aantal");
    expect(texts(c.say("veel"))).toEqual(["Typ een getal van 1 tot 10."]);
    expect(texts(c.say("heel veel"))).toEqual(["Typ een getal van 1 tot 10."]);
    const r = c.say("weet ik niet");
    expect(lastOutput(r)).toEqual({
      text: "Het lukt niet, sorry.",
      buttons: [
        { label: "Menu", value: "menu" },
        { label: "Mens", value: "mens" },
      ],
    });
    expect(c.state).toMatchObject({ flow: null, step: null, waiting: null, tries: 0 });
  });
});

describe("changing the subject", () => {
  it("follows free text that clearly asks for another flow instead of answering", () => {
    const c = chat();
    c.start("flow:vragen#aantal");
    const r = c.say("ik heb een idee");
    expect(texts(r)).toEqual(["Wat is je idee?"]);
    expect(c.state).toMatchObject({ flow: "idee", step: "wat", tries: 0 });
  });

  it("does not switch when the question asks for free text: that is the answer", () => {
    const c = chat();
    c.start("flow:vragen");
    c.say("ik heb een idee voor het park");
    expect(c.state).toMatchObject({ flow: "vragen", step: "aantal" });
    expect(c.state.vars.naam).toBe("ik heb een idee voor het park");
  });

  it("starts the flow for free text when no question is open, carrying a text that says what it is about", () => {
    const c = chat();
    const r = c.say("er ligt afval op de stoep");
    expect(r.action).toMatchObject({ name: "openConversation", params: { tekst: "Melding: er ligt afval op de stoep" } });
    expect(c.state.vars).toMatchObject({ initialText: "er ligt afval op de stoep", suggestedTheme: "afval" });
  });

  it("shows the menu, saying it did not understand, for free text it cannot place", () => {
    const r = chat().say("blablabla");
    expect(texts(r)).toEqual(["Dat begrijp ik niet.", "Waarmee kan ik helpen?"]);
  });

  it("answers a greeting with the menu, without saying it did not understand", () => {
    expect(texts(chat().say("hallo daar"))).toEqual(["Waarmee kan ik helpen?"]);
  });

  it("follows a menu choice typed when no question is open", () => {
    const c = chat();
    expect(texts(c.say("3"))).toEqual(["Ik zet je door."]);
  });
});

describe("never a dead end", () => {
  it("gives the last message of a finished flow a menu and a person button", () => {
    const r = chat().start("flow:mens");
    expect(r.outputs).toEqual([
      {
        text: "Ik zet je door.",
        buttons: [
          { label: "Menu", value: "menu" },
          { label: "Mens", value: "mens" },
        ],
      },
    ]);
  });

  it("does not add them when the flow goes on (resume)", () => {
    const c = chat({ consent: true });
    c.start("flow:melden");
    c.say("5662 AB");
    c.finish("found", { wijkSlug: "noord" });
    const r = c.finish("done", { "resident.wijk": "noord", "resident.wijkName": "Noord" });
    expect(r.outputs.map((output) => output.buttons)).toEqual([[], []]);
  });

  it("shows the menu when a flow ends without a word", () => {
    const c = chat();
    c.start("flow:stil");
    const r = c.finish("done");
    expect(texts(r)).toEqual(["Waarmee kan ik helpen?"]);
    expect(buttonLabels(r)).toEqual(["Vragen", "Iets melden", "Een mens"]);
  });
});

describe("safety nets", () => {
  it("throws a clear error for a loop that never waits for the resident", () => {
    expect(() => chat().start("flow:lus")).toThrow(/flow lus loops without waiting for the resident/);
  });

  it("throws a clear error for a target that does not exist", () => {
    expect(() => chat().start("flow:bestaat-niet")).toThrow(/there is no flow bestaat-niet/);
  });

  it("passes the variables of a start event to the flow it starts", () => {
    const r = chat().start("flow:idee#bedankt", { idee: "een moestuin" });
    expect(texts(r)).toEqual(["Mooi idee: een moestuin"]);
  });

  it("does not change the state, the resident facts or the flows it is given", () => {
    const state = deepFreeze(handleEvent(initialState(), { type: "start", target: "flow:vragen" }, { flows, resident: {}, classify, today: [2026, 11, 26] }).state);
    const before = structuredClone(state);
    const resident = deepFreeze({ consent: true });
    const frozenFlows: FlowSet = { flows: new Map([...flows.flows].map(([id, flow]) => [id, deepFreeze(structuredClone(flow))])), globals: deepFreeze(structuredClone(globals)), settings };
    const context: EngineContext = { flows: frozenFlows, resident, classify, today: [2026, 11, 26] };
    for (const event of [
      { type: "message", text: "Fatima" },
      { type: "message", text: "menu" },
      { type: "message", text: "ik heb een idee" },
      { type: "message", media: { ref: "x", kind: "voice" } },
      { type: "start", target: "flow:melden", vars: { initialText: "kapotte stoep" } },
    ] satisfies EngineEvent[]) {
      const result = handleEvent(state, event, context);
      expect(result.state).not.toBe(state);
    }
    expect(state).toEqual(before);
    expect(resident).toEqual({ consent: true });
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe("an intent the triage is unsure of", () => {
  // The menu's own question stands in for globals `unclear` (flows/menu.yaml has a step of its own).
  const withUnclear: FlowSet = { ...flows, globals: { ...flows.globals, unclear: "flow:menu#kies" } };
  const guessing =
    (confidence: number) =>
    (input: string): TriageResult =>
      input === "iets over de weg" ? { intent: "melding", theme: "overig", emergency: null, possibleEmergency: null, confidence: { intent: confidence, theme: 0.1 }, language: "nl" } : classify(input);
  const say = (confidence: number) =>
    handleEvent(
      initialState(),
      { type: "message", text: "iets over de weg" },
      { flows: withUnclear, resident: { consent: true, wijk: "noord", wijkName: "Noord" }, classify: guessing(confidence), today: [2026, 11, 26] },
    );

  it(`asks what the resident means below INTENT_CONFIDENCE (${INTENT_CONFIDENCE}) instead of starting the flow`, () => {
    const r = say(INTENT_CONFIDENCE - 0.05);
    expect(texts(r)).toEqual(["Waarmee kan ik helpen?"]);
    expect(r.state).toMatchObject({ flow: "menu", step: "kies", waiting: "ask" });
  });

  it("follows the intent at or above it", () => {
    const r = say(INTENT_CONFIDENCE);
    expect(r.state.flow).toBe("melden");
  });
});
