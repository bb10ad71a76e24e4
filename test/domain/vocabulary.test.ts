/**
 * The vocabularies and their Dutch labels (src/domain/vocabulary.ts): every value has a label,
 * a value read from an old database row still shows, the old import places hand out the same
 * schemas, and the bot's Dutch theme words (flows/globals.yaml) agree with the inbox and digest.
 */
import { describe, expect, it } from "vitest";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import * as flowSchema from "../../src/conversation/flowSchema.ts";
import * as triage from "../../src/conversation/triage.ts";
import * as messages from "../../src/domain/messages.ts";
import {
  CHANNEL_LABELS,
  ChannelSchema,
  ConversationStatusSchema,
  describeStatus,
  INTENT_GROUP_LABELS,
  INTENT_LABELS,
  IntentSchema,
  LANGUAGE_LABELS,
  LanguageSchema,
  labelChannel,
  labelIntent,
  labelIntentGroup,
  labelLanguage,
  labelMediaKind,
  labelStatus,
  labelTheme,
  MEDIA_KIND_LABELS,
  MediaKindSchema,
  parseChannel,
  parseConversationStatus,
  parseIntent,
  parseLanguage,
  parseMediaKind,
  parseTheme,
  STATUS_DESCRIPTIONS,
  STATUS_LABELS,
  THEME_LABELS,
  ThemeSchema,
} from "../../src/domain/vocabulary.ts";
import * as digestLabels from "../../src/digests/digestLabels.ts";
import * as inboxFormat from "../../src/inbox/pages/format.ts";

const vocabularies = [
  { name: "intents", values: IntentSchema.options, tables: [INTENT_LABELS, INTENT_GROUP_LABELS], label: labelIntent, parse: parseIntent },
  { name: "themes", values: ThemeSchema.options, tables: [THEME_LABELS], label: labelTheme, parse: parseTheme },
  { name: "statuses", values: ConversationStatusSchema.options, tables: [STATUS_LABELS, STATUS_DESCRIPTIONS], label: labelStatus, parse: parseConversationStatus },
  { name: "channels", values: ChannelSchema.options, tables: [CHANNEL_LABELS], label: labelChannel, parse: parseChannel },
  { name: "languages", values: LanguageSchema.options, tables: [LANGUAGE_LABELS], label: labelLanguage, parse: parseLanguage },
  { name: "media kinds", values: MediaKindSchema.options, tables: [MEDIA_KIND_LABELS], label: labelMediaKind, parse: parseMediaKind },
];

describe("the vocabularies", () => {
  it("are the ones CONTRACTS lists", () => {
    expect(IntentSchema.options).toEqual(["melding", "idee", "wijknieuws", "dialoogtafel", "abonneren", "contact", "privacy", "spoed", "crisis", "groet", "onbekend"]);
    expect(ThemeSchema.options).toEqual(["afval", "groen", "verkeer", "veiligheid", "overlast", "onderhoud", "wonen", "jeugd", "zorg-welzijn", "gemeente", "overig"]);
    expect(ConversationStatusSchema.options).toEqual(["bot", "open", "waiting", "snoozed", "resolved"]);
    expect(ChannelSchema.options).toEqual(["telegram", "whatsapp", "botframework", "webchat", "open311"]);
  });

  for (const vocabulary of vocabularies) {
    it(`gives every one of the ${vocabulary.name} a label of its own in every table`, () => {
      for (const table of vocabulary.tables) {
        expect(Object.keys(table).sort()).toEqual([...vocabulary.values].sort());
        for (const value of vocabulary.values) expect(table[value as keyof typeof table]).toMatch(/\S/);
        expect(new Set(Object.values(table)).size).toBe(vocabulary.values.length);
      }
      for (const value of vocabulary.values) expect(vocabulary.label(value)).toBe(vocabulary.tables[0]?.[value as keyof (typeof vocabulary.tables)[0]]);
    });

    it(`parses the ${vocabulary.name} and nothing else`, () => {
      for (const value of vocabulary.values) expect(vocabulary.parse(value)).toBe(value);
      for (const other of ["", "Verkeer", "onbekende-waarde", null, undefined, 3]) expect(vocabulary.parse(other)).toBeNull();
    });
  }

  it("shows a value it does not know as it is, so that an old database row is not blank", () => {
    expect(labelIntent("klacht")).toBe("klacht");
    expect(labelIntentGroup("klacht")).toBe("klacht");
    expect(labelTheme("parkeren")).toBe("parkeren");
    expect(labelStatus("archived")).toBe("archived");
    expect(describeStatus("archived")).toBe("archived");
    expect(labelChannel("signal")).toBe("signal");
    expect(labelLanguage("de")).toBe("de");
  });

  it('calls a media kind it does not know a "Bijlage"', () => {
    expect(labelMediaKind("gif")).toBe("Bijlage");
    expect(labelMediaKind("voice")).toBe("Spraakbericht");
  });

  it("words a theme once for inbox, digest and notifications", () => {
    expect(labelTheme("verkeer")).toBe("Verkeer en parkeren");
    expect(inboxFormat.themeLabel("verkeer")).toBe("Verkeer en parkeren");
    expect(digestLabels.themeLabel("verkeer")).toBe("Verkeer en parkeren");
    expect(inboxFormat.themeLabel(null)).toBe("—");
    expect(inboxFormat.intentLabel("contact")).toBe(labelIntent("contact"));
    expect(digestLabels.intentLabel("melding")).toBe("Meldingen");
    expect(digestLabels.statusLabel("open")).toBe("wacht op de gemeente");
  });

  it("uses the staff's status words in the digest's sentences too", () => {
    for (const status of ConversationStatusSchema.options) {
      if (status === "open") continue; // "3 open" says too little to a wethouder
      expect(STATUS_DESCRIPTIONS[status].replace(/^wacht op de /, "wacht op ")).toBe(STATUS_LABELS[status].toLowerCase());
    }
  });

  it("is what the old import places hand out", () => {
    expect(messages.ChannelSchema).toBe(ChannelSchema);
    expect(messages.ConversationStatusSchema).toBe(ConversationStatusSchema);
    expect(messages.MediaKindSchema).toBe(MediaKindSchema);
    expect(triage.IntentSchema).toBe(IntentSchema);
    expect(triage.ThemeSchema).toBe(ThemeSchema);
    expect(triage.LanguageSchema).toBe(LanguageSchema);
    expect(flowSchema.LanguageSchema).toBe(LanguageSchema);
    expect(inboxFormat.STATUS_LABELS).toBe(STATUS_LABELS);
    expect(inboxFormat.CHANNEL_LABELS).toBe(CHANNEL_LABELS);
  });
});

describe("the bot's theme words (flows/globals.yaml)", () => {
  const themes = loadFlows().globals.themes;

  it("has a Dutch and an English text for every theme, and no other", () => {
    expect(Object.keys(themes).sort()).toEqual([...ThemeSchema.options].sort());
  });

  it("says in Dutch what the inbox and the digest say, in lower case, with examples for residents at most", () => {
    for (const theme of ThemeSchema.options) {
      const label = THEME_LABELS[theme].toLowerCase();
      const bot = themes[theme]?.nl ?? "";
      expect(bot === label || bot.startsWith(`${label} (`), `${theme}: the bot says "${bot}", staff read "${THEME_LABELS[theme]}"`).toBe(true);
    }
  });
});
