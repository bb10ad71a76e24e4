/**
 * What each flow action takes and can answer: per action (flowSchema.ts ActionNameSchema) a zod
 * schema of its `with:` parameters and the outcomes a step's `next:` can branch on. Pure data, so
 * that the flow check (loadFlows.ts) refuses a misspelt parameter or outcome at startup, and
 * src/bot/actions.ts takes its parameter and outcome types from here.
 */
import { z } from "zod";
import type { ActionName } from "./flowSchema.ts";
import { IntentSchema } from "./triage.ts";

/** A text that is not blank. */
const TextSchema = z.string().regex(/\S/, "must not be empty");

/** A postcode or shared location, as a postcode question saves it (engine.ts parseInput). */
export const PlaceSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("postcode"), text: z.string() }),
  z.object({ kind: z.literal("location"), lat: z.number(), lon: z.number() }),
  /** Typed words without a postcode: perhaps a wijk's name ("braakhuizen zuid"), perhaps a question. */
  z.object({ kind: z.literal("text"), text: z.string() }),
]);

/** A place as a location question saves it: a shared location or a described address. */
const WhereSchema = z.union([PlaceSchema, z.object({ kind: z.literal("address"), text: z.string() })]);

/** The resident's answers that go into the note for staff (bot/actions.ts summarise). */
const summaryParams = {
  description: TextSchema.optional(),
  question: TextSchema.optional(),
  /** The media reference a photo question saves. */
  photo: TextSchema.optional(),
  location: WhereSchema.optional(),
  involvement: TextSchema.optional(),
  support: TextSchema.optional(),
  contactWish: TextSchema.optional(),
};

/**
 * One action: its parameters (a key whose schema accepts undefined may be left out of `with:`;
 * the others are required) and its outcomes.
 */
function defineAction<const Shape extends z.ZodRawShape, const Outcomes extends readonly [string, ...string[]]>(shape: Shape, outcomes: Outcomes) {
  const params = z.object(shape).strict();
  const atRunTime = params.partial();
  return {
    params,
    outcomes,
    /**
     * The parameters as the action receives them, after the engine filled in {{templates}} and
     * { var } references. A variable may be unset at run time (a skipped question), so any value
     * may be absent: a value that does not fit its schema is left out, as if it were unset.
     */
    read(values: Record<string, unknown>) {
      const fitting: Record<string, unknown> = {};
      for (const [key, schema] of Object.entries(shape)) {
        const value = values[key];
        if (value !== undefined && z.safeParse(schema, value).success) fitting[key] = value;
      }
      return atRunTime.parse(fitting);
    },
  };
}

const specs = {
  recordConsent: defineAction({ kind: TextSchema.optional(), granted: z.boolean() }, ["granted", "declined"]),
  // A lookup has a wijk or says why not (routing/routeResident.ts RouteReason).
  // "several": a postcode without letters (or a name) that fits more than one wijk; "unclear": typed words that name no wijk; "street": words that name a street, not a wijk.
  lookupWijk: defineAction({ place: PlaceSchema }, ["found", "inactive", "outside", "no-wijk", "invalid", "unknown", "no-tandem", "several", "kern", "unclear", "street", "who"]),
  setWijk: defineAction({ wijk: TextSchema }, ["ok", "unknown"]),
  listWijken: defineAction({}, ["ok"]),
  triage: defineAction({ text: TextSchema }, ["confident", "unsure"]),
  // wijk / tandem: where the melding is when that is not the resident's own wijk (locateConcern); a tandem alone when the wijk is not known.
  openConversation: defineAction({ intent: IntentSchema, theme: TextSchema.optional(), wijk: TextSchema.optional(), tandem: TextSchema.optional(), ...summaryParams }, ["routed", "general"]),
  // Which wijk the place of a melding is in (routing/concernWijk.ts): the resident's own (or none found), one other ({{concernWijk}}),
  // or several to choose from ({{wijkOptions}}; {{concernTandem}}: the tandem they share, if one).
  locateConcern: defineAction({ place: WhereSchema.optional(), description: TextSchema.optional() }, ["home", "elsewhere", "several"]),
  // open / closed: a tandem takes it, now or after office hours; general: no tandem, the general team.
  // wijk: the slug of a wijk found but not confirmed yet ("mens" at "Klopt dat?"), used when the resident has none on record.
  handover: defineAction({ ...summaryParams, wijk: TextSchema.optional() }, ["open", "closed", "general"]),
  // changed: already subscribed, now with the other frequency (each bericht, or the weekly bundle).
  subscribe: defineAction({ frequency: z.enum(["each", "weekly"]).optional() }, ["subscribed", "already", "changed", "no-wijk"]),
  unsubscribe: defineAction({}, ["unsubscribed", "none"]),
  // Whether this chat gets wijkberichten: for the resident's own wijk, only for another one, or not at all ({{subscriptionList}}: the wijken and how often).
  // none-tafels: none, but the resident is signed up for a dialoogtafel ({{tafelList}}).
  subscriptionStatus: defineAction({}, ["this-wijk", "other-wijk", "none", "none-tafels"]),
  // some: in the resident's own tandem (and maybe elsewhere too); elsewhere: only in the rest of the gemeente.
  listDialoogtafels: defineAction({ mine: z.boolean().optional() }, ["some", "elsewhere", "one", "none"]),
  // A tafel from the list named in words ("die in mierlo", "de eerste", "die van donderdag").
  chooseDialoogtafel: defineAction({ said: TextSchema }, ["one", "none"]),
  // The chosen tafel's title, date, time and place, to confirm before signing up.
  describeDialoogtafel: defineAction({ tafel: TextSchema }, ["found", "already", "gone"]),
  registerDialoogtafel: defineAction({ tafel: TextSchema }, ["registered", "waitlist", "already", "gone"]),
  cancelRegistration: defineAction({ tafel: TextSchema }, ["cancelled", "none"]),
  showNews: defineAction({}, ["some", "none"]),
  exportData: defineAction({}, ["ok"]),
  // The resident's cases still with the gemeente ({{caseList}}), or none ("wat heb ik gemeld?").
  listMyCases: defineAction({}, ["some", "none"]),
  eraseData: defineAction({}, ["erased"]),
} satisfies Record<ActionName, { params: z.ZodObject; outcomes: readonly string[] }>;

/** The parameters each action receives at run time (any may be absent, see `read`). */
export type ActionParams = { [N in ActionName]: ReturnType<(typeof specs)[N]["read"]> };

/** The outcomes each action can end with. */
export type ActionOutcomes = { [N in ActionName]: (typeof specs)[N]["outcomes"][number] };

/** What an action takes and can answer. */
export interface ActionSpec<N extends ActionName> {
  /** The `with:` parameters a flow may write. */
  params: z.ZodObject;
  outcomes: ReadonlyArray<ActionOutcomes[N]>;
  read: (values: Record<string, unknown>) => ActionParams[N];
}

/** Every action's spec, by name (a mapped type, so that a caller can dispatch on a generic name). */
export const actionSpecs: { [N in ActionName]: ActionSpec<N> } = specs;

/** The answers openConversation and handover put in the note for staff: each needs its label in globals.yaml (handoverNote.labels). */
export const summaryParamNames: readonly string[] = Object.keys(summaryParams);
