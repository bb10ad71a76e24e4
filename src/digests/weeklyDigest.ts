/**
 * The weekly digest as data: what buildWeeklyDigest produces, what the API returns, and what a
 * DigestRun stores (JSON text, parsed back with this schema for the inbox archive). Dates are
 * ISO 8601 strings, so the object survives a JSON round trip unchanged.
 */
import { z } from "zod";

/** A count this week against the average of the previous four weeks. */
export const ComparedCountSchema = z.object({
  count: z.number().int().min(0),
  /** The average of the previous 4 weeks (only weeks since Wijklijn started); null without history. */
  previousAverage: z.number().min(0).nullable(),
  /** count − previousAverage, one decimal. */
  change: z.number().nullable(),
  /** The change in whole percent; null without history or when the average was 0. */
  changePercent: z.number().int().nullable(),
});
export type ComparedCount = z.infer<typeof ComparedCountSchema>;

/** Scores 1–5 summarised (src/trust/pilotFigures.ts): below 5 answers only that they are few. */
export const ScoreSummarySchema = z.object({
  answers: z.number().int().min(0),
  tooFew: z.boolean(),
  average: z.number().min(1).max(5).nullable(),
  highShare: z.number().min(0).max(1).nullable(),
});

/** One row of a breakdown by intent or theme. */
export const BreakdownRowSchema = ComparedCountSchema.extend({ key: z.string(), label: z.string() });
export type BreakdownRow = z.infer<typeof BreakdownRowSchema>;

/** First response times (working hours, from hand-over to staff until the first staff reply). */
export const ResponseTimesSchema = z.object({
  /** Conversations whose first staff reply fell in the week. */
  answered: z.number().int().min(0),
  medianWorkingHours: z.number().min(0).nullable(),
  /** 90th percentile, nearest-rank: 9 in 10 answers came within this many working hours. */
  p90WorkingHours: z.number().min(0).nullable(),
  withinTarget: z.number().int().min(0),
  withinTargetShare: z.number().min(0).max(1).nullable(),
});
export type ResponseTimes = z.infer<typeof ResponseTimesSchema>;

/** The figures of one wijk, or of all of them together. */
export const DigestFiguresSchema = z.object({
  newConversations: ComparedCountSchema,
  meldingen: ComparedCountSchema,
  ideeen: ComparedCountSchema,
  /** New conversations flagged 112 or 113. */
  emergencies: z.number().int().min(0),
  byIntent: z.array(BreakdownRowSchema),
  /** Conversations without a theme (e.g. a greeting) are not in this list. */
  byTheme: z.array(BreakdownRowSchema),
  /** Conversations handed to staff this week, by their status at the end of the week. */
  escalations: z.object({
    count: z.number().int().min(0),
    byStatus: z.object({ open: z.number().int(), waiting: z.number().int(), snoozed: z.number().int(), resolved: z.number().int() }),
  }),
  responseTimes: ResponseTimesSchema,
  /** Conversations waiting for the gemeente at the end of the week, and how many past the target. */
  waiting: z.object({ count: z.number().int().min(0), overTarget: z.number().int().min(0) }),
  /** New conversations per week, the oldest of six weeks first, this week last. */
  trend: z.array(z.object({ week: z.string(), count: z.number().int().min(0) })),
});
export type DigestFigures = z.infer<typeof DigestFiguresSchema>;

/** One wijk's section. */
export const DigestWijkSectionSchema = DigestFiguresSchema.extend({
  slug: z.string(),
  name: z.string(),
  /** The wethouder of the wijk's tandem; null when the wijk has none. */
  wethouder: z.string().nullable(),
});
export type DigestWijkSection = z.infer<typeof DigestWijkSectionSchema>;

/** A conversation waiting for the gemeente. */
export const WaitingConversationSchema = z.object({
  reference: z.string(),
  wijk: z.string(),
  wijkName: z.string(),
  theme: z.string().nullable(),
  themeLabel: z.string(),
  waitingSince: z.iso.datetime(),
  workingHoursWaited: z.number().min(0),
  overTarget: z.boolean(),
});
export type WaitingConversation = z.infer<typeof WaitingConversationSchema>;

/** A dialoogtafel held this week or coming in the four weeks after. */
export const DigestDialoogtafelSchema = z.object({
  title: z.string(),
  topic: z.string(),
  location: z.string(),
  wijk: z.string(),
  wijkName: z.string(),
  startsAt: z.iso.datetime(),
  status: z.string(),
  capacity: z.number().int().min(0),
  registered: z.number().int().min(0),
  waitlist: z.number().int().min(0),
});
export type DigestDialoogtafel = z.infer<typeof DigestDialoogtafelSchema>;

/** The weekly digest. */
export const WeeklyDigestSchema = z.object({
  version: z.literal(1),
  week: z.string(),
  weekNumber: z.number().int().min(1).max(53),
  period: z.object({ start: z.iso.datetime(), end: z.iso.datetime(), label: z.string() }),
  timeZone: z.string(),
  generatedAt: z.iso.datetime(),
  /** False while the week is still going (the figures are then up to generatedAt). */
  complete: z.boolean(),
  audience: z.discriminatedUnion("kind", [z.object({ kind: z.literal("wethouder"), name: z.string(), email: z.string() }), z.object({ kind: z.literal("gemeente") })]),
  gemeente: z.string(),
  target: z.object({ workingHours: z.number().positive() }),
  /** The most important things first, as Dutch sentences. */
  highlights: z.array(z.string()),
  total: DigestFiguresSchema,
  wijken: z.array(DigestWijkSectionSchema),
  /** The longest-waiting conversations (at most five), longest first. */
  waitingLongest: z.array(WaitingConversationSchema),
  dialoogtafels: z.object({ held: z.array(DigestDialoogtafelSchema), coming: z.array(DigestDialoogtafelSchema) }),
  news: z.array(z.object({ title: z.string(), kind: z.string(), wijk: z.string(), wijkName: z.string(), publishedAt: z.iso.datetime() })),
  /** A few residents' words, pseudonymised by redactQuote. */
  quotes: z.array(z.object({ text: z.string(), wijk: z.string(), wijkName: z.string(), theme: z.string().nullable(), themeLabel: z.string() })),
  /**
   * The trust loop: "Voelde je je gehoord?" scores given in the week, and the trust pulse over the
   * 13 weeks up to its end, in the digest's wijken (src/trust/pilotFigures.ts: nothing but "few"
   * below 5 answers). `available` is false, with "nog niet beschikbaar", for data without them.
   */
  satisfaction: z.object({
    available: z.boolean(),
    text: z.string(),
    feedback: ScoreSummarySchema.optional(),
    trust: ScoreSummarySchema.optional(),
  }),
  /** Gemeente overview only: wijken whose tandem has no wethouder (they are in no wethouder's digest). */
  wijkenWithoutWethouder: z.array(z.object({ slug: z.string(), name: z.string() })),
});
export type WeeklyDigest = z.infer<typeof WeeklyDigestSchema>;

/** The digest's JSON Schema (2020-12, as OpenAPI 3.1 uses), generated from the zod schema so it stays true. */
export function weeklyDigestJsonSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(WeeklyDigestSchema, { target: "draft-2020-12", io: "output" });
  return schema;
}
