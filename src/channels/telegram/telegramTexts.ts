/**
 * Resident-facing texts the Telegram channel needs before flows/globals.yaml has them. They are
 * defaults only: the service passes the globals' texts in once they exist (see createTelegramChannel).
 */

/** Sent once in a while to a group, supergroup or channel the bot was added to; nothing there is stored. */
export const GROUP_CHAT_REFUSAL_NL =
  "Hoi! Ik ben Wijklijn, de chatbot van de gemeente. Ik praat alleen één-op-één met bewoners, niet in groepen. Stuur me een privébericht, dan help ik je graag. Is er nu gevaar? Bel 112.";

/** The reply-keyboard button that shares the resident's location (Telegram asks for permission first). */
export const SHARE_LOCATION_LABEL_NL = "📍 Deel mijn locatie";
