/**
 * A known week for digest tests: week 48 of 2026 (Monday 23 – Sunday 29 November) in two wijken
 * of Wethouder C, Luchen and Kerkakkers, with timestamps chosen so that every figure can be
 * worked out by hand (see buildWeeklyDigest.test.ts for the sums).
 */
import type { Settings } from "../../src/conversation/flowSchema.ts";
import type { DigestConversationInput, WeeklyDigestData } from "../../src/digests/buildWeeklyDigest.ts";
import { zonedTimeToDate } from "../../src/domain/time.ts";

/** Office hours as in flows/settings.yaml, written out so that the sums below do not drift with it. */
export const testSettings: Settings = {
  version: 1,
  officeHours: { mon: ["09:00", "17:00"], tue: ["09:00", "17:00"], wed: ["09:00", "17:00"], thu: ["09:00", "17:00"], fri: ["09:00", "16:00"] },
  holidays: ["2026-12-25", "2026-12-26"],
  responseTargetWorkingHours: 8,
  contact: { phone: "14 040", website: "https://www.geldrop-mierlo.nl" },
};

/** "2026-11-23 10:00" on the wall clock in Geldrop. */
export function local(text: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(text);
  if (!match) throw new Error(`bad local time ${text}`);
  const [, y, m, d, h, min] = match.map(Number);
  return zonedTimeToDate("Europe/Amsterdam", y ?? 0, m ?? 0, d ?? 0, h ?? 0, min ?? 0);
}

/** A conversation: created (bot), handed over at `open`, optional further status changes. */
export function conversation(input: {
  reference: string;
  wijkId: string | null;
  intent: string | null;
  theme: string | null;
  emergency?: string | null;
  created: string;
  open?: string;
  firstResponse?: string;
  later?: Array<[string | null, string, string]>;
  text?: string;
}): DigestConversationInput {
  const changes: DigestConversationInput["statusChanges"] = [{ from: null, to: "bot", at: local(input.created) }];
  if (input.open) changes.push({ from: "bot", to: "open", at: local(input.open) });
  for (const [from, to, at] of input.later ?? []) changes.push({ from, to, at: local(at) });
  const last = changes[changes.length - 1];
  return {
    id: input.reference,
    reference: input.reference,
    wijkId: input.wijkId,
    intent: input.intent,
    theme: input.theme,
    emergency: input.emergency ?? null,
    status: last?.to ?? "bot",
    createdAt: local(input.created),
    firstResponseAt: input.firstResponse ? local(input.firstResponse) : null,
    statusChanges: changes,
    residentText: input.text ?? null,
  };
}

export const LUCHEN = { id: "w-luchen", slug: "luchen", name: "Luchen", wethouder: "Wethouder C" };
export const KERKAKKERS = { id: "w-kerkakkers", slug: "kerkakkers", name: "Kerkakkers", wethouder: "Wethouder C" };

/** The resident texts that must never reach a digest unredacted. */
export const PERSONAL_DATA = ["Jan", "Vries", "Heuvelstraat", "06-12345678", "12-ABC-3", "Pietersen", "henk", "5731", "@example.nl", "Dorpsstraat", "Piet"];

/** Week 48 of 2026 for Wethouder C (Luchen and Kerkakkers). */
export function weekOfWethouderC(overrides: Partial<WeeklyDigestData> = {}): WeeklyDigestData {
  const L = LUCHEN.id;
  const K = KERKAKKERS.id;
  return {
    audience: { kind: "wethouder", name: "Wethouder C", email: "wethouder.c@demo.wijklijn.nl" },
    gemeente: { name: "Geldrop-Mierlo", timeZone: "Europe/Amsterdam" },
    settings: testSettings,
    wijken: [KERKAKKERS, LUCHEN],
    conversations: [
      // Luchen
      conversation({
        reference: "WL-2026-00101",
        wijkId: L,
        intent: "melding",
        theme: "verkeer",
        created: "2026-11-23 10:00",
        open: "2026-11-23 10:00",
        firstResponse: "2026-11-23 13:00",
        later: [
          ["open", "waiting", "2026-11-23 13:00"],
          ["waiting", "resolved", "2026-11-23 14:00"],
        ],
        text: "Ik ben Jan de Vries van de Heuvelstraat 12. Er wordt hier veel te hard gereden langs de school, bel me op 06-12345678.",
      }),
      conversation({
        reference: "WL-2026-00102",
        wijkId: L,
        intent: "melding",
        theme: "verkeer",
        created: "2026-11-27 15:00",
        open: "2026-11-27 15:00",
        text: "Auto met kenteken 12-ABC-3 staat al dagen op de stoep, mijn buurman Pietersen ergert zich ook.",
      }),
      conversation({
        reference: "WL-2026-00090",
        wijkId: L,
        intent: "melding",
        theme: "afval",
        created: "2026-11-20 14:00",
        open: "2026-11-20 14:00",
        firstResponse: "2026-11-23 11:00",
        later: [
          ["open", "waiting", "2026-11-23 11:00"],
          ["waiting", "resolved", "2026-11-24 10:00"],
        ],
      }),
      conversation({
        reference: "WL-2026-00103",
        wijkId: L,
        intent: "idee",
        theme: "groen",
        created: "2026-11-24 09:00",
        open: "2026-11-24 09:00",
        firstResponse: "2026-11-25 12:00",
        later: [["open", "waiting", "2026-11-25 12:00"]],
        text: "Mijn naam is henk. Kunnen we op het grasveld bij 5731 BC een pluktuin maken? Mail naar henk@example.nl",
      }),
      conversation({ reference: "WL-2026-00104", wijkId: L, intent: "wijknieuws", theme: null, created: "2026-11-25 20:00", text: "Wat gebeurt er met het fietspad in de wijk?" }),
      conversation({
        reference: "WL-2026-00105",
        wijkId: L,
        intent: "melding",
        theme: "verkeer",
        emergency: "112",
        created: "2026-11-26 10:00",
        open: "2026-11-26 10:00",
        firstResponse: "2026-11-26 10:30",
        later: [
          ["open", "waiting", "2026-11-26 10:30"],
          ["waiting", "resolved", "2026-11-26 11:00"],
        ],
        text: "Er is net een ongeluk gebeurd op de kruising bij de school",
      }),
      // Kerkakkers
      conversation({
        reference: "WL-2026-00106",
        wijkId: K,
        intent: "melding",
        theme: "afval",
        created: "2026-11-23 09:30",
        open: "2026-11-23 09:30",
        firstResponse: "2026-11-23 11:30",
        later: [["open", "waiting", "2026-11-23 11:30"]],
      }),
      conversation({ reference: "WL-2026-00107", wijkId: K, intent: "melding", theme: "overlast", created: "2026-11-24 16:00", open: "2026-11-24 16:00" }),
      // Monday 00:30 local is Sunday 23:30 UTC: still week 48.
      conversation({ reference: "WL-2026-00100", wijkId: K, intent: "idee", theme: "groen", created: "2026-11-23 00:30", text: "Leuk idee: een bloemenlint langs de Dorpsstraat 5a. Groeten, Piet" }),
      // Sunday 23:59 local: the last minute of the week.
      conversation({ reference: "WL-2026-00108", wijkId: K, intent: "contact", theme: "gemeente", created: "2026-11-29 23:59", open: "2026-11-29 23:59" }),
      // Monday 30 November 00:00 local: next week, not this one.
      conversation({ reference: "WL-2026-00109", wijkId: K, intent: "melding", theme: "afval", created: "2026-11-30 00:00", open: "2026-11-30 00:00" }),
      // Answered and resolved in week 47, reopened by the resident on Thursday and not answered since.
      conversation({
        reference: "WL-2026-00080",
        wijkId: K,
        intent: "melding",
        theme: "afval",
        created: "2026-11-18 10:00",
        open: "2026-11-18 10:00",
        firstResponse: "2026-11-18 11:00",
        later: [
          ["open", "waiting", "2026-11-18 11:00"],
          ["waiting", "resolved", "2026-11-18 15:00"],
          ["resolved", "open", "2026-11-26 14:00"],
        ],
      }),
      // Out of scope: another wijk, and no wijk at all.
      conversation({ reference: "WL-2026-00110", wijkId: "w-centrum", intent: "melding", theme: "afval", created: "2026-11-24 10:00", open: "2026-11-24 10:00" }),
      conversation({ reference: "WL-2026-00111", wijkId: null, intent: "spoed", theme: null, emergency: "112", created: "2026-11-24 10:00", open: "2026-11-24 10:00" }),
    ],
    previousWeeks: [
      { week: "2026-W43", wijkId: L, intent: "melding", theme: "verkeer", count: 1 },
      { week: "2026-W44", wijkId: L, intent: "melding", theme: "verkeer", count: 2 },
      { week: "2026-W45", wijkId: L, intent: "melding", theme: "verkeer", count: 3 },
      { week: "2026-W45", wijkId: L, intent: "idee", theme: "groen", count: 1 },
      { week: "2026-W46", wijkId: L, intent: "melding", theme: "afval", count: 1 },
      { week: "2026-W47", wijkId: L, intent: "melding", theme: "afval", count: 1 },
      { week: "2026-W47", wijkId: L, intent: "melding", theme: "verkeer", count: 2 },
      ...["2026-W44", "2026-W45", "2026-W46", "2026-W47"].flatMap((week) => [
        { week, wijkId: K, intent: "melding", theme: "afval", count: 2 },
        { week, wijkId: K, intent: "idee", theme: "groen", count: 1 },
        { week, wijkId: K, intent: "contact", theme: "gemeente", count: 1 },
      ]),
      { week: "2026-W46", wijkId: "w-centrum", intent: "melding", theme: "afval", count: 9 },
    ],
    historyStartsAt: new Date("2026-06-01T08:00:00Z"),
    news: [
      { wijkId: L, title: "Fietspad Luchen wordt verbreed", kind: "werkzaamheden", publishedAt: local("2026-11-24 12:00") },
      { wijkId: L, title: "Oud bericht", kind: "bericht", publishedAt: local("2026-11-20 12:00") },
      { wijkId: K, title: "Bericht van volgende week", kind: "bericht", publishedAt: local("2026-11-30 00:00") },
    ],
    dialoogtafels: [
      {
        wijkId: L,
        title: "Dialoogtafel Luchen",
        topic: "Het fietspad",
        location: "Basisschool Luchen",
        startsAt: local("2026-11-25 19:30"),
        status: "held",
        capacity: 20,
        registered: 12,
        waitlist: 0,
      },
      { wijkId: K, title: "Afgelast", topic: "Parkeren", location: "Buurthuis", startsAt: local("2026-11-26 19:30"), status: "cancelled", capacity: 20, registered: 3, waitlist: 0 },
      {
        wijkId: K,
        title: "Dialoogtafel Kerkakkers",
        topic: "Groen in de wijk",
        location: "Buurthuis Kerkakkers",
        startsAt: local("2026-12-10 19:30"),
        status: "planned",
        capacity: 30,
        registered: 7,
        waitlist: 2,
      },
      { wijkId: L, title: "Te ver weg", topic: "Later", location: "Luchen", startsAt: local("2027-02-10 19:30"), status: "planned", capacity: 20, registered: 0, waitlist: 0 },
      { wijkId: "w-centrum", title: "Andere wijk", topic: "Centrum", location: "Geldrop", startsAt: local("2026-12-01 19:30"), status: "planned", capacity: 20, registered: 0, waitlist: 0 },
    ],
    generatedAt: new Date("2026-11-30T07:00:00Z"),
    ...overrides,
  };
}
