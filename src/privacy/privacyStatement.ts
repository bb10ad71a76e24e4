/**
 * The privacy statement (`/privacy`, for residents, B1 Dutch and English) and the processing
 * register entry (`/privacy/verwerkingsregister`, the record of processing of AVG art. 30, for the
 * gemeente's FG), both generated from what this installation actually runs: the channels that are
 * on, the mail server, staff sign-in, the retention periods, and the gemeente from the database.
 * A channel that is off is not mentioned, so the statement never promises or warns about a
 * platform the gemeente does not use. Pure: the routes gather the facts (privacyStatement.routes.ts).
 */
import type { RetentionSettings } from "./retentionSettings.ts";

/** What the statement is generated from. */
export interface PrivacyFacts {
  gemeente: { name: string } | null;
  /** How residents reach the gemeente (flows/settings.yaml `contact`). */
  contact: { phone: string; website: string; privacyOfficer?: string | undefined } | null;
  channels: {
    telegram: boolean;
    whatsappWeb: boolean;
    whatsappCloud: boolean;
    /** Bot Framework with an app id: Web Chat and Teams through Microsoft's Azure Bot Service. */
    botFrameworkAzure: boolean;
    webchat: boolean;
  };
  /** The mail server's host name (never its credentials), when mail is on. */
  mailHost: string | null;
  /** The OpenID Connect provider's host for staff sign-in, when on. */
  staffSignInHost: string | null;
  /** The host of the gemeente's meldingen system that meldingen are forwarded to over Open311 (OPEN311_FORWARD_URL), when on. */
  open311ForwardHost?: string | null;
  database: "sqlite" | "postgresql";
  retention: RetentionSettings;
}

export type PrivacyLanguage = "nl" | "en";

/** One kind of data in the register: what, why, on which legal ground, how long, who sees it. */
export interface RegisterCategory {
  id: string;
  data: string;
  purpose: string;
  legalBasis: string;
  retention: string;
  recipients: string;
}

/** A party outside the gemeente that handles data for a channel or service that is on. */
export interface RegisterProcessor {
  id: string;
  name: string;
  role: string;
  data: string;
  location: string;
}

/** The processing register entry (AVG art. 30(1)), in one language. */
export interface ProcessingRegister {
  language: PrivacyLanguage;
  name: string;
  controller: { name: string | null; phone: string | null; website: string | null; privacyOfficer: string | null };
  purposes: string[];
  dataSubjects: string[];
  categories: RegisterCategory[];
  specialCategories: string;
  recipients: Array<{ role: string; sees: string }>;
  processors: RegisterProcessor[];
  channels: Array<{ id: keyof PrivacyFacts["channels"]; name: string; on: boolean }>;
  retention: RetentionSettings;
  security: string[];
  rights: string[];
}

const CHANNEL_NAMES: Record<keyof PrivacyFacts["channels"], { nl: string; en: string }> = {
  whatsappCloud: { nl: "WhatsApp (Business Cloud API)", en: "WhatsApp (Business Cloud API)" },
  whatsappWeb: { nl: "WhatsApp (WhatsApp Web, een telefoon van de gemeente)", en: "WhatsApp (WhatsApp Web, a phone of the municipality)" },
  telegram: { nl: "Telegram", en: "Telegram" },
  botFrameworkAzure: { nl: "Microsoft Teams en Web Chat (Azure Bot Service)", en: "Microsoft Teams and Web Chat (Azure Bot Service)" },
  webchat: { nl: "De web chat op deze website", en: "The web chat on this website" },
};

/** The channels in the order the register lists them. */
const CHANNEL_ORDER: ReadonlyArray<keyof PrivacyFacts["channels"]> = ["whatsappCloud", "whatsappWeb", "telegram", "botFrameworkAzure", "webchat"];

/** Builds the register entry from the facts. The statement page reads the same entry, so the two never disagree. */
export function buildProcessingRegister(facts: PrivacyFacts, language: PrivacyLanguage): ProcessingRegister {
  const nl = language === "nl";
  const r = facts.retention;
  const months = (n: number) => (nl ? `${n} ${n === 1 ? "maand" : "maanden"}` : `${n} ${n === 1 ? "month" : "months"}`);
  const addresses = [
    facts.channels.whatsappCloud || facts.channels.whatsappWeb ? (nl ? "telefoonnummer (WhatsApp)" : "phone number (WhatsApp)") : null,
    facts.channels.telegram ? (nl ? "chat-id (Telegram)" : "chat id (Telegram)") : null,
    facts.channels.botFrameworkAzure ? (nl ? "gespreks-id (Teams, Web Chat)" : "conversation id (Teams, Web Chat)") : null,
    facts.channels.webchat ? (nl ? "een willekeurige code in je browser (web chat)" : "a random code in your browser (web chat)") : null,
  ].filter((item): item is string => item !== null);
  const staffRecipients = nl ? "de gebiedsregisseur en wethouder van de wijk; beheerders" : "the area manager and alderman of the neighbourhood; administrators";
  const categories: RegisterCategory[] = [
    {
      id: "messages",
      data: nl
        ? "Je berichten in de chat, en de foto's en locaties die je stuurt; je meldingen en ideeën met hun kenmerk (WL-…)."
        : "Your messages in the chat, and the photos and locations you send; your reports and ideas with their reference (WL-…).",
      purpose: nl ? "Je vraag beantwoorden en naar de juiste medewerker van je wijk sturen." : "To answer your question and pass it to the right member of staff for your neighbourhood.",
      legalBasis: nl
        ? "Publieke taak (AVG art. 6 lid 1e): de wijkdialoog van de gemeente. De bot vraagt eerst of hij je berichten mag bewaren; zeg je nee, dan bewaart hij niets van wat je schrijft."
        : "Public task (GDPR art. 6(1)(e)): the municipality's neighbourhood dialogue. The bot first asks whether it may keep your messages; if you say no, it keeps nothing you write.",
      retention: nl
        ? `De tekst wordt anoniem gemaakt ${months(r.messageTextMonths)} nadat je vraag is afgehandeld. Daarna blijven alleen tellingen over.`
        : `The text is anonymised ${months(r.messageTextMonths)} after your question was resolved. After that only counts remain.`,
      recipients: staffRecipients,
    },
    {
      id: "identity",
      data: nl
        ? `Je adres op het kanaal: ${addresses.join(", ")}. Geen naam, tenzij je die zelf schrijft.`
        : `Your address on the channel: ${addresses.join(", ")}. No name, unless you write it yourself.`,
      purpose: nl ? "Je antwoord terugsturen op het kanaal waarop je schreef." : "To send the answer back on the channel you wrote on.",
      legalBasis: nl ? "Publieke taak (AVG art. 6 lid 1e)." : "Public task (GDPR art. 6(1)(e)).",
      retention: nl
        ? `Tot ${months(r.inactiveResidentMonths)} na je laatste bericht, of tot je alles laat wissen.`
        : `Until ${months(r.inactiveResidentMonths)} after your last message, or until you have everything deleted.`,
      recipients: nl
        ? "Alleen het systeem. Medewerkers zien je nummer of chat-id niet: de inbox toont alleen de laatste cijfers."
        : "Only the system. Staff do not see your number or chat id: the inbox shows only the last digits.",
    },
    {
      id: "profile",
      data: nl ? "Je wijk, je taal (Nederlands of Engels), je aanmeldingen voor dialoogtafels." : "Your neighbourhood, your language (Dutch or English), your sign-ups for dialogue meetings.",
      purpose: nl
        ? "Je vraag bij de tandem van je wijk krijgen, je in je eigen taal antwoorden, je plek aan tafel bewaren."
        : "To get your question to your neighbourhood's team, answer in your language, keep your seat at the table.",
      legalBasis: nl ? "Publieke taak (AVG art. 6 lid 1e)." : "Public task (GDPR art. 6(1)(e)).",
      retention: nl ? `Tot ${months(r.inactiveResidentMonths)} na je laatste bericht.` : `Until ${months(r.inactiveResidentMonths)} after your last message.`,
      recipients: staffRecipients,
    },
    {
      id: "wijkberichten",
      data: nl ? "Dat je wijkberichten wilt krijgen, en op welk kanaal." : "That you want neighbourhood news, and on which channel.",
      purpose: nl ? "Je af en toe nieuws uit je wijk sturen." : "To send you news from your neighbourhood now and then.",
      legalBasis: nl ? "Toestemming (AVG art. 6 lid 1a). Stoppen kan altijd: typ 'wijkberichten'." : "Consent (GDPR art. 6(1)(a)). You can stop at any time: type 'wijkberichten'.",
      retention: nl ? "Tot je stopt met wijkberichten." : "Until you stop the news.",
      recipients: nl ? "Beheerders en de tandem zien hoeveel mensen meedoen, niet wie." : "Administrators and the team see how many take part, not who.",
    },
    {
      id: "consent",
      data: nl ? "Of je ja of nee zei tegen het bewaren, bij welke tekst, en wanneer." : "Whether you said yes or no to keeping your messages, to which text, and when.",
      purpose: nl ? "Kunnen laten zien wat je koos." : "To be able to show what you chose.",
      legalBasis: nl ? "Wettelijke plicht (AVG art. 7 lid 1)." : "Legal obligation (GDPR art. 7(1)).",
      retention: nl ? "Zolang we andere gegevens van je hebben." : "As long as we hold other data about you.",
      recipients: nl ? "Beheerders." : "Administrators.",
    },
    {
      id: "feedback",
      data: nl
        ? 'Je cijfer op "Voelde je je gehoord?" (1 tot 5) en wat je erbij schreef; en, als je ja zei, je cijfer voor vertrouwen in de gemeente (1 tot 5, hooguit één keer per kwartaal).'
        : 'Your score for "Did you feel heard?" (1 to 5) and what you added; and, if you said yes, your score for trust in the municipality (1 to 5, at most once a quarter).',
      purpose: nl
        ? "Leren of bewoners zich gehoord voelen en of het vertrouwen in de gemeente groeit, per wijk en in de tijd. Een laag cijfer zet je vraag weer open."
        : "To learn whether residents feel heard and whether trust in the municipality grows, per neighbourhood and over time. A low score reopens your question.",
      legalBasis: nl ? "Publieke taak (AVG art. 6 lid 1e). Antwoorden hoeft niet." : "Public task (GDPR art. 6(1)(e)). You do not have to answer.",
      retention: nl
        ? "Zoals je berichten; het cijfer blijft daarna alleen als anoniem getal van je wijk."
        : "As your messages; after that the score stays only as an anonymous figure of your neighbourhood.",
      recipients: nl
        ? 'De tandem ziet je cijfer voor "gehoord" bij je vraag. Je vertrouwenscijfer ziet niemand apart: alleen gemiddelden per wijk, van minstens 5 antwoorden.'
        : 'The team sees your "heard" score with your question. Nobody sees your trust score on its own: only averages per neighbourhood, of at least 5 answers.',
    },
    {
      id: "website-meldingen",
      data: nl
        ? "Een melding via de website of app van de gemeente (Open311): de beschrijving, de plek, een fotolink, en de contactgegevens die je daar gaf."
        : "A report through the municipality's website or app (Open311): the description, the place, a photo link, and the contact details you gave there.",
      purpose: nl ? "Je melding bij de tandem van de wijk krijgen en je zo nodig bellen of mailen." : "To get your report to the neighbourhood's team and call or e-mail you if needed.",
      legalBasis: nl ? "Publieke taak (AVG art. 6 lid 1e)." : "Public task (GDPR art. 6(1)(e)).",
      retention: nl ? "Zoals je berichten." : "As your messages.",
      recipients: nl
        ? "De tandem van je wijk. Openbaar (Open311) is alleen onderwerp, wijk, dag en status, nooit je tekst, plek of naam, en alleen als er die maand minstens 5 meldingen van dat soort in je wijk waren."
        : "Your neighbourhood's team. Public (Open311) are only the topic, neighbourhood, day and status, never your text, place or name, and only when there were at least 5 reports of that kind in your neighbourhood that month.",
    },
    {
      id: "emergency",
      data: nl
        ? "Een teken van nood in je bericht (112 of 113), en wat je in dat gesprek schrijft, ook als je nee zei tegen het bewaren."
        : "A sign of an emergency in your message (112 or 113), and what you write in that conversation, also if you said no to keeping your messages.",
      purpose: nl
        ? "Je meteen het juiste nummer geven, en een medewerker laten lezen wat er is zodat die je kan helpen."
        : "To give you the right number at once, and let a member of staff read what is going on so they can help you.",
      legalBasis: nl ? "Vitaal belang (AVG art. 6 lid 1d)." : "Vital interests (GDPR art. 6(1)(d)).",
      retention: nl ? "Zoals je berichten." : "As your messages.",
      recipients: nl ? "Gebiedsregisseurs (als je wijk niet bekend is: allemaal) en beheerders." : "Area managers (all of them when your neighbourhood is not known) and administrators.",
    },
    {
      id: "staff",
      data: nl
        ? "Van medewerkers: naam, e-mailadres, rol, inlogpogingen (als hash) en wat ze deden (auditlog, zonder berichttekst)."
        : "Of staff: name, e-mail address, role, sign-in attempts (as a hash) and what they did (audit log, without message text).",
      purpose: nl ? "Inloggen, beveiliging, en kunnen nagaan wie wat deed." : "Signing in, security, and being able to check who did what.",
      legalBasis: nl ? "Wettelijke plicht tot beveiliging (AVG art. 32) en publieke taak." : "Legal obligation to secure the data (GDPR art. 32) and public task.",
      retention: nl
        ? `Inlogpogingen ${r.loginAttemptDays} dagen; auditlog ${months(r.auditMonths)}; een sessie stopt na ${r.staffSessionIdleHours} uur zonder gebruik en na ${r.staffSessionMaxDays} dagen.`
        : `Sign-in attempts ${r.loginAttemptDays} days; audit log ${months(r.auditMonths)}; a session ends after ${r.staffSessionIdleHours} hours unused and after ${r.staffSessionMaxDays} days.`,
      recipients: nl ? "Beheerders." : "Administrators.",
    },
  ];

  const processors: RegisterProcessor[] = [];
  const hosting = facts.database === "postgresql" ? "PostgreSQL" : "SQLite";
  processors.push({
    id: "hosting",
    name: nl ? "De server van de gemeente of haar hostingpartij" : "The server of the municipality or its hosting provider",
    role: nl ? `Verwerker: bewaart de database (${hosting}).` : `Processor: stores the database (${hosting}).`,
    data: nl ? "Alles hierboven." : "All of the above.",
    location: nl ? "Zoals afgesproken in de verwerkersovereenkomst." : "As agreed in the processing agreement.",
  });
  if (facts.channels.whatsappCloud) {
    processors.push({
      id: "meta-cloud",
      name: "Meta Platforms Ireland Ltd. (WhatsApp Business Cloud API)",
      role: nl ? "Verwerker: verstuurt en ontvangt de WhatsApp-berichten voor de gemeente." : "Processor: sends and receives the WhatsApp messages for the municipality.",
      data: nl ? "Telefoonnummer, berichten, foto's en locaties die via WhatsApp gaan." : "Phone number, messages, photos and locations sent over WhatsApp.",
      location: nl ? "EU en VS (Meta's servers); doorgifte onder het EU-VS Data Privacy Framework." : "EU and US (Meta's servers); transfers under the EU-US Data Privacy Framework.",
    });
  }
  if (facts.channels.whatsappWeb) {
    processors.push({
      id: "meta-web",
      name: "WhatsApp (Meta), via WhatsApp Web",
      role: nl
        ? "Eigen verantwoordelijkheid van WhatsApp: berichten gaan versleuteld tussen je telefoon en de telefoon van de gemeente; Wijklijn leest ze via een gekoppeld apparaat."
        : "WhatsApp's own responsibility: messages travel encrypted between your phone and the municipality's phone; Wijklijn reads them as a linked device.",
      data: nl ? "Telefoonnummer en berichten; de sessie van het gekoppelde apparaat staat op de server." : "Phone number and messages; the linked device's session is kept on the server.",
      location: nl ? "WhatsApp: EU en VS." : "WhatsApp: EU and US.",
    });
  }
  if (facts.channels.telegram) {
    processors.push({
      id: "telegram",
      name: "Telegram (Telegram Messenger Inc. / Telegram FZ-LLC)",
      role: nl
        ? "Eigen verantwoordelijkheid van Telegram: berichten aan een bot zijn niet end-to-end versleuteld en staan ook bij Telegram."
        : "Telegram's own responsibility: messages to a bot are not end-to-end encrypted and are also stored by Telegram.",
      data: nl ? "Chat-id, berichten, foto's en locaties die via Telegram gaan." : "Chat id, messages, photos and locations sent over Telegram.",
      location: nl ? "Buiten de EU (onder meer de Verenigde Arabische Emiraten)." : "Outside the EU (among others the United Arab Emirates).",
    });
  }
  if (facts.channels.botFrameworkAzure) {
    processors.push({
      id: "microsoft",
      name: "Microsoft Ireland Operations Ltd. (Azure Bot Service)",
      role: nl ? "Verwerker: brengt berichten van Teams en Web Chat naar Wijklijn en terug." : "Processor: carries messages from Teams and Web Chat to Wijklijn and back.",
      data: nl ? "Gespreks-id en berichten via Teams of Web Chat." : "Conversation id and messages via Teams or Web Chat.",
      location: nl ? "EU Data Boundary van Microsoft, volgens de afspraken met de gemeente." : "Microsoft's EU Data Boundary, as agreed with the municipality.",
    });
  }
  if (facts.mailHost) {
    processors.push({
      id: "mail",
      name: nl ? `De mailserver (${facts.mailHost})` : `The mail server (${facts.mailHost})`,
      role: nl
        ? "Verwerker: stuurt e-mail aan medewerkers: een nieuw gesprek (alleen kenmerk, wijk en thema, geen berichttekst) en het weekoverzicht van de wethouder."
        : "Processor: sends e-mail to staff: a new conversation (only reference, neighbourhood and theme, no message text) and the alderman's weekly digest.",
      data: nl
        ? "E-mailadressen van medewerkers; in het weekoverzicht een paar citaten zonder namen, nummers, adressen en gezondheid."
        : "Staff e-mail addresses; in the weekly digest a few quotes without names, numbers, addresses or health details.",
      location: nl ? "Zoals afgesproken met de mailprovider." : "As agreed with the mail provider.",
    });
  }
  if (facts.open311ForwardHost) {
    processors.push({
      id: "open311-forward",
      name: nl ? `Het meldingensysteem van de gemeente (${facts.open311ForwardHost})` : `The municipality's reports system (${facts.open311ForwardHost})`,
      role: nl
        ? "Ontvangt meldingen over sommige onderwerpen (Open311), zodat ze niet overgetypt worden; de status komt terug in je chat."
        : "Receives reports on some topics (Open311), so they are not retyped; the status comes back in your chat.",
      data: nl
        ? "Het onderwerp, wat je over je melding schreef met het kenmerk, en de plek die je deelde. Geen naam, nummer of chat-id."
        : "The topic, what you wrote about your report with its reference, and the place you shared. No name, number or chat id.",
      location: nl ? "Bij de gemeente of haar leverancier, volgens de afspraken." : "At the municipality or its supplier, as agreed.",
    });
  }
  if (facts.staffSignInHost) {
    processors.push({
      id: "oidc",
      name: nl ? `Inloggen voor medewerkers (${facts.staffSignInHost})` : `Staff sign-in (${facts.staffSignInHost})`,
      role: nl ? "Verwerker: controleert wie een medewerker is. Ziet geen gegevens van bewoners." : "Processor: checks who a member of staff is. Sees no residents' data.",
      data: nl ? "E-mailadres en naam van medewerkers." : "Staff e-mail address and name.",
      location: nl ? "Zoals afgesproken met de gemeente." : "As agreed with the municipality.",
    });
  }

  const phone = facts.contact?.phone ?? null;
  return {
    language,
    name: nl ? "Wijklijn: het chatkanaal van de wijkdialoog" : "Wijklijn: the chat channel of the neighbourhood dialogue",
    controller: { name: facts.gemeente?.name ?? null, phone, website: facts.contact?.website ?? null, privacyOfficer: facts.contact?.privacyOfficer ?? null },
    purposes: nl
      ? [
          "Vragen, meldingen en ideeën van bewoners beantwoorden en bij de tandem van hun wijk krijgen.",
          "Bewoners laten weten wat er speelt in hun wijk en hen aanmelden voor dialoogtafels.",
          "De wethouder elke week een overzicht geven van wat er speelt.",
        ]
      : [
          "To answer residents' questions, reports and ideas and get them to their neighbourhood's team.",
          "To tell residents what is happening in their neighbourhood and sign them up for dialogue meetings.",
          "To give the alderman a weekly overview of what is happening.",
        ],
    dataSubjects: nl
      ? ["Bewoners die de chatbot een bericht sturen", "Medewerkers van de gemeente die de inbox gebruiken"]
      : ["Residents who send the chatbot a message", "Municipal staff who use the inbox"],
    categories,
    specialCategories: nl
      ? "De bot vraagt nooit naar je BSN, je rekeningnummer of je gezondheid. Stuur je die toch, dan zegt hij dat het niet nodig is en haalt hij het weg als je dat wilt (overal waar het stond)."
      : "The bot never asks for your citizen service number (BSN), your bank account number or your health. If you send them anyway, it says this is not needed and removes them if you want (everywhere they were stored).",
    recipients: nl
      ? [
          { role: "Gebiedsregisseur van je wijk", sees: "Je gesprek, om je te antwoorden." },
          {
            role: "Wethouder van je wijk",
            sees: "Kan je gesprek lezen en een notitie maken. Krijgt elke week een overzicht met cijfers en een paar citaten zonder namen, nummers, adressen en gezondheid.",
          },
          { role: "Beheerders van Wijklijn bij de gemeente", sees: "Alle gesprekken, om het systeem te laten werken en gesprekken zonder wijk te verdelen." },
        ]
      : [
          { role: "Area manager of your neighbourhood", sees: "Your conversation, to answer you." },
          {
            role: "Alderman of your neighbourhood",
            sees: "Can read your conversation and add a note. Gets a weekly overview with figures and a few quotes without names, numbers, addresses or health details.",
          },
          { role: "Wijklijn administrators at the municipality", sees: "All conversations, to keep the system working and to assign conversations without a neighbourhood." },
        ],
    processors,
    channels: CHANNEL_ORDER.map((id) => ({ id, name: CHANNEL_NAMES[id][language], on: facts.channels[id] })),
    retention: r,
    security: nl
      ? [
          "Alleen medewerkers met een account zien gesprekken, en alleen die van hun eigen wijken.",
          "Berichttekst en telefoonnummers komen nooit in de logbestanden.",
          "Wachtwoorden worden versleuteld opgeslagen (argon2id); elke actie van een medewerker staat in het auditlog.",
          "Verbindingen gaan via HTTPS; pagina's hebben een strikte Content-Security-Policy.",
        ]
      : [
          "Only staff with an account see conversations, and only those of their own neighbourhoods.",
          "Message text and phone numbers never go into the log files.",
          "Passwords are stored hashed (argon2id); every staff action is in the audit log.",
          "Connections use HTTPS; pages have a strict Content-Security-Policy.",
        ],
    rights: nl
      ? [
          "Zien wat we van je hebben: typ 'privacy' in de chat en kies 'Mijn gegevens opvragen'. Je krijgt een samenvatting en een bestand.",
          "Alles laten wissen: typ 'privacy' en kies 'Alles wissen'.",
          "Iets laten verbeteren: schrijf het in de chat; de medewerker past het aan.",
          "Bezwaar maken of je toestemming intrekken: typ 'mens' in de chat of bel de gemeente. Geen wijkberichten meer? Stuur 'stop' (of 'afmelden').",
          "Een klacht? Laat het de gemeente weten. Je mag ook een klacht indienen bij de Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl).",
        ]
      : [
          "See what we hold about you: type 'privacy' in the chat and choose 'Get a copy of my data'. You get a summary and a file.",
          "Have everything deleted: type 'privacy' and choose 'Delete everything'.",
          "Have something corrected: write it in the chat; the member of staff will correct it.",
          "Object or withdraw your consent: type 'human' in the chat or call the municipality. No more neighbourhood news? Send 'stop' (or 'unsubscribe').",
          "A complaint? Let the municipality know. You can also complain to the Dutch Data Protection Authority (autoriteitpersoonsgegevens.nl).",
        ],
  };
}
