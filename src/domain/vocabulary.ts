/**
 * The vocabularies of CONTRACTS (intents, themes, emergencies, conversation statuses, channels,
 * languages, media kinds) and the one set of Dutch words for them that the inbox, the digest, the
 * notifications and the bot share. Each label table is typed by its vocabulary, so a new value does
 * not compile until it has its label. The label functions take any string, because rows read from
 * the database are strings: an unknown value is shown as it is rather than as nothing.
 */
import { z } from "zod";

// ── vocabularies ────────────────────────────────────────────────────────────

/** Every intent a resident's text can have; `onbekend` when the triage is unsure. */
export const IntentSchema = z.enum(["melding", "idee", "wijknieuws", "dialoogtafel", "abonneren", "contact", "privacy", "spoed", "crisis", "groet", "onbekend"]);
/** An intent from the CONTRACTS vocabulary. */
export type Intent = z.infer<typeof IntentSchema>;

/** Every theme a resident's text can be about; `overig` when none fits. */
export const ThemeSchema = z.enum(["afval", "groen", "verkeer", "veiligheid", "overlast", "onderhoud", "wonen", "jeugd", "zorg-welzijn", "gemeente", "overig"]);
/** A theme from the CONTRACTS vocabulary. */
export type Theme = z.infer<typeof ThemeSchema>;

/** The emergency number the resident must be pointed to, or null. */
export const EmergencySchema = z.enum(["112", "113"]).nullable();
/** `"112"` for spoed, `"113"` for crisis, null otherwise. */
export type Emergency = z.infer<typeof EmergencySchema>;

/** Conversation statuses of CONTRACTS. */
export const ConversationStatusSchema = z.enum(["bot", "open", "waiting", "snoozed", "resolved"]);
/** Where a conversation stands: with the bot, waiting for staff, for the resident, snoozed or done. */
export type ConversationStatus = z.infer<typeof ConversationStatusSchema>;

/** The statuses in which staff hold the conversation (not the bot, not done): the bot stays in the background. */
export const STAFF_STATUSES = ["open", "waiting", "snoozed"] as const satisfies readonly ConversationStatus[];

/** True while staff hold the conversation (STAFF_STATUSES). */
export function isWithStaff(status: string): boolean {
  return STAFF_STATUSES.some((held) => held === status);
}

/**
 * The channels of CONTRACTS, and `open311`: a melding the gemeente's website or app filed through
 * Open311 (src/open311), which has no chat to answer in.
 */
export const ChannelSchema = z.enum(["telegram", "whatsapp", "botframework", "webchat", "open311"]);
/** The platform a resident talks to Wijklijn on. */
export type Channel = z.infer<typeof ChannelSchema>;

/** The languages every bot text is written in (and a text is roughly recognised in); Dutch is the default. */
export const LanguageSchema = z.enum(["nl", "en"]);
/** `nl` or `en`. */
export type Language = z.infer<typeof LanguageSchema>;

/**
 * The languages Wijklijn recognises in a resident's message: the two it converses in (nl, en), the
 * ones it answers with a few set texts (OTHER_LANGUAGES: the 112/113 answers, "a person will help
 * you"), and `other` for anything else. Separate from Language, the conversation's (UI) language.
 */
export const DetectedLanguageSchema = z.enum(["nl", "en", "tr", "ar", "pl", "uk", "de", "other"]);
/** A language recognised in a resident's text. */
export type DetectedLanguage = z.infer<typeof DetectedLanguageSchema>;

/** The recognised languages the bot does not converse in, but answers with its set texts (flows/globals.yaml `otherLanguages`). */
export const OtherLanguageSchema = DetectedLanguageSchema.exclude(["nl", "en", "other"]);
/** tr, ar, pl, uk or de. */
export type OtherLanguage = z.infer<typeof OtherLanguageSchema>;

/** The kinds of media a resident can send; a stored media reference starts with its kind ("photo:…"). */
export const MediaKindSchema = z.enum(["photo", "voice", "video", "document", "sticker"]);
/** A kind of media. */
export type MediaKind = z.infer<typeof MediaKindSchema>;

// ── Dutch labels ────────────────────────────────────────────────────────────

/** What kind of question a conversation is, as staff read it ("Soort"). */
export const INTENT_LABELS: Readonly<Record<Intent, string>> = {
  melding: "Melding",
  idee: "Idee",
  wijknieuws: "Vraag over wijknieuws",
  dialoogtafel: "Vraag over een dialoogtafel",
  abonneren: "Wijkberichten aan of uit",
  contact: "Contact met een medewerker",
  privacy: "Privacyvraag",
  spoed: "Spoed (112)",
  crisis: "Crisis (113)",
  groet: "Alleen een groet",
  onbekend: "Niet herkend",
};

/** The same words for a count of conversations ("Meldingen: 5"), as the digest groups them. */
export const INTENT_GROUP_LABELS: Readonly<Record<Intent, string>> = {
  melding: "Meldingen",
  idee: "Ideeën",
  wijknieuws: "Vragen over wijknieuws",
  dialoogtafel: "Vragen over dialoogtafels",
  abonneren: "Wijkberichten aan of uit",
  contact: "Contact met een medewerker",
  privacy: "Privacyvragen",
  spoed: "Spoed (112)",
  crisis: "Crisis (113)",
  groet: "Alleen een groet",
  onbekend: "Niet herkend",
};

/**
 * The themes. The bot's Dutch texts (flows/globals.yaml `themes`) use the same words in lower case,
 * sometimes followed by examples for residents: "groen (bomen, planten, parken)".
 */
export const THEME_LABELS: Readonly<Record<Theme, string>> = {
  afval: "Afval",
  groen: "Groen",
  verkeer: "Verkeer en parkeren",
  veiligheid: "Veiligheid",
  overlast: "Overlast",
  onderhoud: "Onderhoud",
  wonen: "Wonen",
  jeugd: "Jeugd",
  "zorg-welzijn": "Zorg en welzijn",
  gemeente: "De gemeente zelf",
  overig: "Overig",
};

/** The statuses as staff read them, on their own ("Status: Wacht op bewoner"). */
export const STATUS_LABELS: Readonly<Record<ConversationStatus, string>> = {
  bot: "Bij de bot",
  open: "Open",
  waiting: "Wacht op bewoner",
  snoozed: "Uitgesteld",
  resolved: "Afgehandeld",
};

/** The statuses after a count, in a sentence ("3 wacht op de gemeente, 2 afgehandeld"): "open" alone says too little there. */
export const STATUS_DESCRIPTIONS: Readonly<Record<ConversationStatus, string>> = {
  bot: "bij de bot",
  open: "wacht op de gemeente",
  waiting: "wacht op de bewoner",
  snoozed: "uitgesteld",
  resolved: "afgehandeld",
};

/** The channels as staff read them. */
export const CHANNEL_LABELS: Readonly<Record<Channel, string>> = {
  telegram: "Telegram",
  whatsapp: "WhatsApp",
  botframework: "Teams / Bot Framework",
  webchat: "Webchat",
  open311: "Website (Open311)",
};

/** The languages, in Dutch. */
export const LANGUAGE_LABELS: Readonly<Record<Language, string>> = { nl: "Nederlands", en: "Engels" };

/** The recognised languages, in Dutch, as the inbox labels a conversation. */
export const DETECTED_LANGUAGE_LABELS: Readonly<Record<DetectedLanguage, string>> = {
  nl: "Nederlands",
  en: "Engels",
  tr: "Turks",
  ar: "Arabisch",
  pl: "Pools",
  uk: "Oekraïens",
  de: "Duits",
  other: "Andere taal",
};

/** The media kinds, in Dutch. */
export const MEDIA_KIND_LABELS: Readonly<Record<MediaKind, string>> = { photo: "Foto", voice: "Spraakbericht", video: "Video", document: "Document", sticker: "Sticker" };

/** What an unknown media kind is called. */
export const UNKNOWN_MEDIA_LABEL = "Bijlage";

// ── parsing and labelling any string ────────────────────────────────────────

function parseWith<K extends string>(schema: z.ZodType<K>, value: unknown): K | null {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The intent `value` names, or null when it names none (e.g. a database row from an older version). */
export function parseIntent(value: unknown): Intent | null {
  return parseWith(IntentSchema, value);
}

/** The theme `value` names, or null. */
export function parseTheme(value: unknown): Theme | null {
  return parseWith(ThemeSchema, value);
}

/** The conversation status `value` names, or null. */
export function parseConversationStatus(value: unknown): ConversationStatus | null {
  return parseWith(ConversationStatusSchema, value);
}

/** The channel `value` names, or null. */
export function parseChannel(value: unknown): Channel | null {
  return parseWith(ChannelSchema, value);
}

/** The language `value` names, or null. */
export function parseLanguage(value: unknown): Language | null {
  return parseWith(LanguageSchema, value);
}

/** The recognised language `value` names, or null. */
export function parseDetectedLanguage(value: unknown): DetectedLanguage | null {
  return parseWith(DetectedLanguageSchema, value);
}

/** The other language (tr, ar, pl, uk, de) `value` names, or null. */
export function parseOtherLanguage(value: unknown): OtherLanguage | null {
  return parseWith(OtherLanguageSchema, value);
}

/** The media kind `value` names, or null. */
export function parseMediaKind(value: unknown): MediaKind | null {
  return parseWith(MediaKindSchema, value);
}

/** An intent in Dutch ("contact" → "Contact met een medewerker"); an unknown value as it is. */
export function labelIntent(intent: string): string {
  const known = parseIntent(intent);
  return known ? INTENT_LABELS[known] : intent;
}

/** A count's intent in Dutch ("melding" → "Meldingen"); an unknown value as it is. */
export function labelIntentGroup(intent: string): string {
  const known = parseIntent(intent);
  return known ? INTENT_GROUP_LABELS[known] : intent;
}

/** A theme in Dutch ("verkeer" → "Verkeer en parkeren"); an unknown value as it is. */
export function labelTheme(theme: string): string {
  const known = parseTheme(theme);
  return known ? THEME_LABELS[known] : theme;
}

/** A status in Dutch ("waiting" → "Wacht op bewoner"); an unknown value as it is. */
export function labelStatus(status: string): string {
  const known = parseConversationStatus(status);
  return known ? STATUS_LABELS[known] : status;
}

/** A status after a count ("open" → "wacht op de gemeente"); an unknown value as it is. */
export function describeStatus(status: string): string {
  const known = parseConversationStatus(status);
  return known ? STATUS_DESCRIPTIONS[known] : status;
}

/** A channel in Dutch ("botframework" → "Teams / Bot Framework"); an unknown value as it is. */
export function labelChannel(channel: string): string {
  const known = parseChannel(channel);
  return known ? CHANNEL_LABELS[known] : channel;
}

/** A language in Dutch ("en" → "Engels"); an unknown value as it is. */
export function labelLanguage(language: string): string {
  const known = parseLanguage(language);
  return known ? LANGUAGE_LABELS[known] : language;
}

/** A recognised language in Dutch ("tr" → "Turks"); an unknown value as it is. */
export function labelDetectedLanguage(language: string): string {
  const known = parseDetectedLanguage(language);
  return known ? DETECTED_LANGUAGE_LABELS[known] : language;
}

/** A media kind in Dutch ("voice" → "Spraakbericht"); "Bijlage" for a kind Wijklijn does not know. */
export function labelMediaKind(kind: string): string {
  const known = parseMediaKind(kind);
  return known ? MEDIA_KIND_LABELS[known] : UNKNOWN_MEDIA_LABEL;
}
