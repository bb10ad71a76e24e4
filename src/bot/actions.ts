/**
 * The actions flows ask for (flowSchema.ts ActionNameSchema): the bot's I/O, each a function of
 * its parameters and the turn, returning an outcome for the flow to branch on and variables for
 * its texts. All writes go through the turn's transaction.
 */
import { z } from "zod";
import { actionSpecs, PlaceSchema, type ActionOutcomes, type ActionParams } from "../conversation/actionSpecs.ts";
import type { FlowSet } from "../conversation/loadFlows.ts";
import type { ActionName, Language } from "../conversation/flowSchema.ts";
import { messageText } from "../conversation/messageText.ts";
import { findPlaceInText, namesStreet } from "../conversation/placeInText.ts";
import { chooseDialoogtafel } from "../conversation/dialoogtafelChoice.ts";
import { SMALL_COUNT } from "../public/wijkFigures.ts";
import { asksWhoIsThere } from "../conversation/asksWhoIsThere.ts";
import type { TriageResult } from "../conversation/triage.ts";
import type { Tx } from "../db/client.ts";
import type { Channel } from "../domain/vocabulary.ts";
import { addNote, changeStatus, createConversation, routeConversation } from "../db/conversation.repo.ts";
import { recordConsent, setResidentWijk } from "../db/resident.repo.ts";
import { findConversationStatus, recordConversationTopic } from "../db/turn.repo.ts";
import {
  findResidentWijk,
  findTandemBySlug,
  findWijkByLocation,
  findWijkByPostcode,
  findWijkRefBySlug,
  findWijkWithTandemBySlug,
  listSiblingWijkIds,
  listWijken,
  listWijkenForPostcode4,
  listWijkenWithKern,
} from "../db/wijk.repo.ts";
import { placeConcern, type PlaceWijken } from "../routing/concernWijk.ts";
import type { WijkSummary } from "../domain/wijk.ts";
import { foldText } from "../conversation/foldText.ts";
import { matchWijkName } from "../routing/matchWijkName.ts";
import { normalisePostcode, parsePostcode } from "../routing/postcode.ts";
import {
  cancelRegistration,
  countRecentByIntent,
  listCurrentNews,
  listMyRegistrations,
  listUpcomingDialoogtafels,
  listUpcomingDialoogtafelsOfGemeente,
  registerForDialoogtafel,
  listIdentitySubscriptions,
  subscribeToWijk,
  unsubscribeIdentity,
} from "../db/wijkContent.repo.ts";
import { joinWijkNames } from "../wijkberichten/renderWijkbericht.ts";
import { findExportGeneration, hasPrivacyConsent, listResidentCases } from "../db/residentData.repo.ts";
import { describeResidentCase, openCases } from "../privacy/residentCases.ts";
import { cancelQueuedDeliveries } from "../db/wijkbericht.repo.ts";
import { eraseResidentData, exportResidentData, signExportToken } from "../privacy/residentData.ts";
import { addWorkingHours, describeDeadline, isOfficeOpen } from "../routing/officeHours.ts";
import { routeResident } from "../routing/routeResident.ts";
import type { InboxEvent } from "../domain/events.ts";
import { calendarLink } from "../dialoogtafels/calendarLink.ts";
import { formatTafelWhen } from "../dialoogtafels/residentTexts.ts";
import { ACKNOWLEDGED_AT_VAR, HANDED_TO_WIJK_VAR } from "./staffHandling.ts";
import { signUpNumber } from "../dialoogtafels/signUpNumber.ts";
import { localDate } from "../domain/time.ts";

/** Everything an action may use. */
export interface ActionContext {
  tx: Tx;
  now: Date;
  gemeente: { id: string; name: string; timeZone: string };
  conversationId: string;
  residentId: string;
  channelIdentityId: string;
  channel: Channel;
  language: Language;
  flows: FlowSet;
  classify: (text: string) => TriageResult;
  publicUrl: string;
  secret: string;
  /** Where web chat photos are kept (DATA_DIR/media), for erasure. */
  mediaDir?: string | undefined;
}

/** What an action reports back to the flow: one of its outcomes (conversation/actionSpecs.ts). */
export interface ActionResult<Outcome extends string = string> {
  outcome: Outcome;
  vars?: Record<string, unknown>;
  /** The turn continues in another conversation (a new topic while staff handle the old one). */
  switchToConversationId?: string;
  /** The resident's data was erased in this turn. */
  erased?: boolean;
  /** Tells staff after the turn commits (e.g. a conversation handed to a tandem). */
  event?: InboxEvent;
}

/** Each action takes the parameters its spec declares and ends with one of its declared outcomes. */
type Actions = { [N in ActionName]: (params: ActionParams[N], ctx: ActionContext) => Promise<ActionResult<ActionOutcomes[N]>> };

function formatWhen(date: Date, ctx: ActionContext): string {
  return formatTafelWhen(date, ctx.language, ctx.gemeente.timeZone);
}

/** How many local calendar days `then` is after `now` (0: the same day). */
function localDaysUntil(now: Date, then: Date, timeZone: string): number {
  const [ny, nm, nd] = localDate(now, timeZone);
  const [ty, tm, td] = localDate(then, timeZone);
  return Math.round((Date.UTC(ty, tm - 1, td) - Date.UTC(ny, nm - 1, nd)) / 86_400_000);
}

function themeLabel(theme: string, ctx: ActionContext): string {
  const label = ctx.flows.globals.themes[theme];
  return label ? label[ctx.language] : theme;
}

function expectedResponse(ctx: ActionContext): { text: string; open: boolean } {
  const settings = ctx.flows.settings;
  const deadline = addWorkingHours(ctx.now, settings.responseTargetWorkingHours, settings, ctx.gemeente.timeZone);
  return {
    text: describeDeadline(deadline, ctx.now, ctx.language, ctx.gemeente.timeZone, {
      today: ctx.flows.globals.messages.deadlineToday[ctx.language],
      tomorrow: ctx.flows.globals.messages.deadlineTomorrow[ctx.language],
      later: ctx.flows.globals.messages.deadlineLater[ctx.language],
    }),
    open: isOfficeOpen(ctx.now, settings, ctx.gemeente.timeZone),
  };
}

function residentWijk(ctx: ActionContext) {
  return findResidentWijk(ctx.tx, ctx.residentId);
}

/**
 * Routes the conversation to the tandem of the resident's wijk and hands it to staff. When the
 * current conversation is already with staff, the new topic gets a conversation of its own.
 */
async function routeToStaff(
  ctx: ActionContext,
  input: { intent: string; theme: string | null; summary: string[]; concern?: { wijk?: string | undefined; tandem?: string | undefined }; foundWijk?: string | undefined },
): Promise<ActionResult<ActionOutcomes["handover"]>> {
  // No wijk on record yet, but one found and waiting for "Klopt dat?" when a person was asked for: that wijk's tandem has it.
  const home = (await residentWijk(ctx)) ?? (input.foundWijk ? await findWijkWithTandemBySlug(ctx.tx, ctx.gemeente.id, input.foundWijk) : null);
  const concern = await concernRoute(ctx, input.concern);
  const wijk = concern ? concern.wijk : home;
  let conversationId = ctx.conversationId;
  if ((await findConversationStatus(ctx.tx, conversationId)) !== "bot") {
    const fresh = await createConversation(ctx.tx, {
      gemeenteId: ctx.gemeente.id,
      residentId: ctx.residentId,
      channelIdentityId: ctx.channelIdentityId,
      channel: ctx.channel,
      wijkId: wijk?.id ?? null,
      now: ctx.now,
    });
    conversationId = fresh.id;
  }
  const tandem = concern && !concern.wijk ? concern.tandem : (await routeResident({ wijk })).tandem;
  const topic = { wijkId: wijk?.id ?? null, tandemId: tandem?.id ?? null, intent: input.intent, theme: input.theme ?? "overig", now: ctx.now };
  const updated = await recordConversationTopic(ctx.tx, conversationId, topic);
  await changeStatus(ctx.tx, conversationId, "open", { now: ctx.now });
  // Sent to the wijk where it is: staff also read where the resident lives (the melding is not about their own street).
  const lives = ctx.flows.globals.handoverNote.labels.residentWijk;
  const summary = concern && home && lives && input.summary.length > 0 ? [...input.summary, `${lives}: ${home.name}`] : input.summary;
  if (summary.length > 0) await addNote(ctx.tx, { conversationId, channel: ctx.channel, text: summary.join("\n"), authorKind: "bot", now: ctx.now });
  const response = expectedResponse(ctx);
  return {
    outcome: tandem ? (response.open ? "open" : "closed") : "general",
    // Residents read their own wijk's name (wijkName); the tandem's name means nothing to them and stays for staff texts.
    // The handover text says who reads it and when (flows/contact.yaml): that counts as the acknowledgement in words, so an "ok" right after gets a 👍, not the same again.
    vars: {
      reference: updated.reference,
      tandemName: tandem?.name ?? "",
      // A melding routed to a tandem alone ("weet ik niet" of several wijken): its name, e.g. "Mierlo".
      wijkName: wijk?.name ?? (concern ? tandem?.name : "") ?? "",
      // The melding went to another wijk than the resident's own (flows/melding.yaml says which).
      routedElsewhere: concern !== null,
      expectedResponse: response.text,
      officeOpen: response.open,
      [ACKNOWLEDGED_AT_VAR]: ctx.now.toISOString(),
      [HANDED_TO_WIJK_VAR]: tandem ? (wijk?.name ?? "") : "",
    },
    event: { conversationId, tandemId: tandem?.id ?? null, kind: "handover" },
    ...(conversationId !== ctx.conversationId ? { switchToConversationId: conversationId } : {}),
  };
}

/**
 * The wijk (or, when only that is known, the tandem) a melding goes to because of where it is, when that
 * is not the resident's own wijk (locateConcern decided it); null: routed as the resident is.
 */
async function concernRoute(ctx: ActionContext, concern: { wijk?: string | undefined; tandem?: string | undefined } | undefined) {
  if (concern?.wijk) {
    const wijk = await findWijkWithTandemBySlug(ctx.tx, ctx.gemeente.id, concern.wijk);
    if (wijk) return { wijk, tandem: null };
  }
  if (concern?.tandem) {
    const tandem = await findTandemBySlug(ctx.tx, ctx.gemeente.id, concern.tandem);
    if (tandem) return { wijk: null, tandem };
  }
  return null;
}

/** The wijken the place of a melding may be in: a shared location, a postcode in the words, or a wijk or village named. */
async function wijkenOfPlace(ctx: ActionContext, text: string | null, point: { lat: number; lon: number } | null): Promise<PlaceWijken<WijkSummary>> {
  const { tx, gemeente } = ctx;
  if (point) {
    const found = await findWijkByLocation(tx, gemeente.id, point.lat, point.lon);
    return { wijken: found.wijk ? [found.wijk] : [] };
  }
  if (!text) return { wijken: [] };
  const postcode = parsePostcode(text);
  if (postcode?.letters) {
    const found = await findWijkByPostcode(tx, gemeente.id, postcode.formatted);
    if (found.wijk) return { wijken: [found.wijk] };
  } else if (postcode) {
    const wijken = await listWijkenForPostcode4(tx, gemeente.id, postcode.postcode4);
    if (wijken.length > 0) return { wijken };
  }
  const match = matchWijkName(text, await listWijkenWithKern(tx, gemeente.id));
  if (match.kind === "one") return { wijken: [match.wijk] };
  if (match.kind === "several") return { wijken: match.wijken };
  if (match.kind === "kern") return { wijken: match.wijken, core: match.wijken.filter((w) => w.kern !== null && foldText(w.kern) === foldText(match.kern)) };
  return { wijken: [] };
}

/** The handover note for staff: the answers the flow passed, labelled as flows/globals.yaml says (handoverNote). */
export function summarise(params: Record<string, unknown>, ctx: Pick<ActionContext, "flows">): string[] {
  const note = ctx.flows.globals.handoverNote;
  const lines = [note.heading];
  for (const [key, label] of Object.entries(note.labels)) {
    const value = params[key];
    if (value === undefined || value === null || value === "") continue;
    const place = PlaceSchema.safeParse(value);
    const address = z.object({ kind: z.literal("address"), text: z.string() }).safeParse(value);
    const text = place.success ? (place.data.kind === "location" ? `${place.data.lat}, ${place.data.lon}` : place.data.text) : address.success ? address.data.text : String(value);
    lines.push(`${label}: ${text}`);
  }
  return lines.length > 1 ? lines : [];
}

type UpcomingTafel = Awaited<ReturnType<typeof listUpcomingDialoogtafels>>[number];

/**
 * The upcoming dialoogtafels as the resident is shown them: those of their own tandem first (held per
 * tandem: the other wijken of the tandem too), soonest first; then the others in the gemeente.
 */
async function upcomingTafels(ctx: ActionContext): Promise<{ own: UpcomingTafel[]; others: UpcomingTafel[] }> {
  const wijk = await residentWijk(ctx);
  const own: UpcomingTafel[] = [];
  if (wijk) {
    const wijkIds = [wijk.id, ...(wijk.tandem ? await listSiblingWijkIds(ctx.tx, wijk.tandem.id, wijk.id) : [])];
    for (const wijkId of wijkIds) own.push(...(await listUpcomingDialoogtafels(ctx.tx, wijkId, ctx.now)));
    own.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  }
  const ownIds = new Set(own.map((t) => t.id));
  const others = (await listUpcomingDialoogtafelsOfGemeente(ctx.tx, ctx.gemeente.id, ctx.now)).filter((t) => !ownIds.has(t.id));
  return { own, others };
}

/** "1. Dialoogtafel Mierlo: Het nieuwe dorpshart. donderdag 17 december om 19:30, Ontmoetingscentrum, Mierlo." */
function tafelLine(tafel: UpcomingTafel, number: number, ctx: ActionContext): string {
  const full = tafel.registered >= tafel.capacity ? ` ${messageText(ctx.flows.globals, "tafelFull", ctx.language)}` : "";
  return `${number}. ${tafel.title}: ${tafel.topic}. ${formatWhen(tafel.startsAt, ctx)}, ${tafel.location}.${full}`;
}

/** Every action, by name. */
export const actions: Actions = {
  async recordConsent(params, ctx) {
    const granted = params.granted === true;
    const kind = params.kind ?? "privacy";
    await recordConsent(ctx.tx, { residentId: ctx.residentId, kind, granted, version: "2026-11", at: ctx.now });
    return { outcome: granted ? "granted" : "declined", vars: { "resident.consent": granted } };
  },

  async lookupWijk(params, ctx) {
    const place = params.place;
    if (!place) return { outcome: "invalid" };
    const { tx, gemeente } = ctx;
    if (place.kind === "text") {
      // "Is daar iemand?": no wijk name, but who the resident is talking to (flows/wijk.yaml says it is a bot).
      if (asksWhoIsThere(place.text)) return { outcome: "who" };
      // A wijk's name, typed (without hyphens, with a typo): confirmed like a postcode's wijk.
      const match = matchWijkName(place.text, await listWijkenWithKern(tx, gemeente.id));
      if (match.kind === "kern") {
        // A place in a village ("bij de kerk in mierlo"): that village's wijken to pick from, and the place kept for the melding.
        const named = findPlaceInText(place.text);
        const options = match.wijken.map((w) => ({ value: w.slug, label: w.name }));
        return { outcome: "kern", vars: { wijkOptions: options, kernName: match.kern, ...(named ? { streetPlace: named } : {}) } };
      }
      if (match.kind === "none") {
        // A street or place in a sentence ("it's on the Heuvel in Geldrop", "op de Molenstraat"): said kindly, with the wijk buttons.
        // The place goes back to the flow (flows/wijk.yaml keeps it for the melding, which then asks "Is het bij …?").
        const named = findPlaceInText(place.text);
        // A landmark alone ("bij de rotonde") is no street either: the wijk question is explained as for other words.
        if ((!named || named.landmark) && !namesStreet(place.text)) return { outcome: "unclear" };
        return { outcome: "street", ...(named ? { vars: { streetPlace: named } } : {}) };
      }
      if (match.kind === "several") return { outcome: "several", vars: { wijkOptions: match.wijken.map((w) => ({ value: w.slug, label: w.name })), postcode: place.text } };
      return { outcome: match.wijk.active ? "found" : "inactive", vars: { wijkSlug: match.wijk.slug, wijkName: match.wijk.name } };
    }
    if (place.kind === "postcode") {
      // Four digits alone that reach several wijken ("5731"): ask which, rather than take one silently.
      const parsed = normalisePostcode(place.text) ?? parsePostcode(place.text);
      if (parsed && !parsed.letters) {
        const wijken = await listWijkenForPostcode4(tx, gemeente.id, parsed.postcode4);
        if (wijken.length > 1) return { outcome: "several", vars: { wijkOptions: wijken.map((w) => ({ value: w.slug, label: w.name })), postcode: parsed.postcode4 } };
      }
    }
    const route = await routeResident(
      place.kind === "postcode"
        ? { postcode: place.text, findByPostcode: (text) => findWijkByPostcode(tx, gemeente.id, text) }
        : { point: { lat: place.lat, lon: place.lon }, findByPoint: (point) => findWijkByLocation(tx, gemeente.id, point.lat, point.lon) },
    );
    if (!route.wijk) return { outcome: route.reason };
    return { outcome: route.reason === "inactive" ? "inactive" : "found", vars: { wijkSlug: route.wijk.slug, wijkName: route.wijk.name } };
  },

  async setWijk(params, ctx) {
    const slug = params.wijk;
    const { tx, gemeente } = ctx;
    const route = slug ? await routeResident({ wijkSlug: slug, findBySlug: (chosen) => findWijkRefBySlug(tx, gemeente.id, chosen) }) : null;
    if (!route?.wijk) return { outcome: "unknown" };
    const wijk = route.wijk;
    await setResidentWijk(ctx.tx, ctx.residentId, wijk.id);
    const status = await findConversationStatus(ctx.tx, ctx.conversationId);
    if (status === "bot") await routeConversation(ctx.tx, ctx.conversationId, { wijkId: wijk.id, tandemId: route.tandem?.id ?? null });
    return { outcome: "ok", vars: { "resident.wijk": wijk.slug, "resident.wijkName": wijk.name } };
  },

  async listWijken(_params, ctx) {
    const wijken = await listWijken(ctx.tx, ctx.gemeente.id);
    return { outcome: "ok", vars: { wijkOptions: wijken.map((wijk) => ({ value: wijk.slug, label: wijk.name })) } };
  },

  async triage(params, ctx) {
    const text = params.text ?? "";
    const result = ctx.classify(text);
    // Sure enough to file it under that theme without asking the resident (staff can change it in the inbox).
    const confident = result.theme !== "overig" && result.confidence.theme >= 0.5;
    return { outcome: confident ? "confident" : "unsure", vars: { theme: result.theme, themeLabel: themeLabel(result.theme, ctx), triageIntent: result.intent } };
  },

  async openConversation(params, ctx) {
    const intent = params.intent ?? "melding";
    const result = await routeToStaff(ctx, { intent, theme: params.theme ?? null, summary: summarise(params, ctx), concern: { wijk: params.wijk, tandem: params.tandem } });
    return { ...result, outcome: result.outcome === "general" ? "general" : "routed" };
  },

  async locateConcern(params, ctx) {
    const place = params.place;
    const point = place?.kind === "location" ? { lat: place.lat, lon: place.lon } : null;
    // No place given (skipped): the description may still name one ("de boom die in Luchen is omgevallen").
    const text = place && place.kind !== "location" ? place.text : place ? null : (params.description ?? null);
    const home = await residentWijk(ctx);
    const decided = placeConcern(home ? { slug: home.slug, tandem: home.tandem?.slug ?? null } : null, await wijkenOfPlace(ctx, text, point));
    if (decided.kind === "home") return { outcome: "home" };
    if (decided.kind === "elsewhere") return { outcome: "elsewhere", vars: { concernWijk: decided.wijk.slug, concernWijkName: decided.wijk.name } };
    const options = decided.wijken.map((w) => ({ value: w.slug, label: w.name }));
    return { outcome: "several", vars: { wijkOptions: options, ...(decided.tandem ? { concernTandem: decided.tandem } : {}) } };
  },

  async handover(params, ctx) {
    return routeToStaff(ctx, { intent: "contact", theme: params.question ? ctx.classify(params.question).theme : "overig", summary: summarise(params, ctx), foundWijk: params.wijk });
  },

  async subscribe(params, ctx) {
    const wijk = await residentWijk(ctx);
    if (!wijk) return { outcome: "no-wijk" };
    const outcome = await subscribeToWijk(ctx.tx, {
      residentId: ctx.residentId,
      wijkId: wijk.id,
      channelIdentityId: ctx.channelIdentityId,
      ...(params.frequency ? { frequency: params.frequency } : {}),
      now: ctx.now,
    });
    await recordConsent(ctx.tx, { residentId: ctx.residentId, kind: "wijkberichten", granted: true, version: "2026-11", at: ctx.now });
    return { outcome };
  },

  async unsubscribe(_params, ctx) {
    const count = await unsubscribeIdentity(ctx.tx, ctx.channelIdentityId, ctx.now);
    // A wijkbericht still on its way to this resident stops too (what a platform already has, has gone).
    await cancelQueuedDeliveries(ctx.tx, { channelIdentityId: ctx.channelIdentityId }, "unsubscribed", ctx.now);
    if (count > 0) await recordConsent(ctx.tx, { residentId: ctx.residentId, kind: "wijkberichten", granted: false, version: "2026-11", at: ctx.now });
    return { outcome: count > 0 ? "unsubscribed" : "none" };
  },

  async subscriptionStatus(_params, ctx) {
    const subscriptions = await listIdentitySubscriptions(ctx.tx, ctx.channelIdentityId);
    if (subscriptions.length === 0) {
      // "Ben ik aangemeld?" may be about a dialoogtafel: then that is said too.
      const tafels = await listMyRegistrations(ctx.tx, ctx.residentId, ctx.now);
      if (tafels.length === 0) return { outcome: "none" };
      const onWaitlist = messageText(ctx.flows.globals, "onWaitlist", ctx.language);
      const tafelList = tafels.map((r) => `• ${r.dialoogtafel.title}, ${formatWhen(r.dialoogtafel.startsAt, ctx)}${r.status === "waitlist" ? ` ${onWaitlist}` : ""}`);
      return { outcome: "none-tafels", vars: { tafelList } };
    }
    const wijk = await residentWijk(ctx);
    const list = subscriptions.map((s) => `${s.wijkName} (${messageText(ctx.flows.globals, s.frequency === "weekly" ? "subscriptionWeekly" : "subscriptionEach", ctx.language)})`);
    return {
      outcome: wijk && subscriptions.some((s) => s.wijkId === wijk.id) ? "this-wijk" : "other-wijk",
      vars: { subscriptionList: joinWijkNames(list, ctx.language) },
    };
  },

  async listDialoogtafels(params, ctx) {
    if (params.mine === true) {
      const mine = await listMyRegistrations(ctx.tx, ctx.residentId, ctx.now);
      if (mine.length === 0) return { outcome: "none" };
      const onWaitlist = messageText(ctx.flows.globals, "onWaitlist", ctx.language);
      // Title, date and time, place, and whether it is a place or the waitlist: what the resident wants to look up.
      const line = (r: (typeof mine)[number]) => `${r.dialoogtafel.title}, ${formatWhen(r.dialoogtafel.startsAt, ctx)}, ${r.dialoogtafel.location}${r.status === "waitlist" ? ` ${onWaitlist}` : ""}`;
      const [only] = mine;
      if (mine.length === 1 && only) {
        return { outcome: "one", vars: { tafel: only.dialoogtafel.id, tafelTitle: only.dialoogtafel.title, tafelWhen: formatWhen(only.dialoogtafel.startsAt, ctx), tafelList: [`• ${line(only)}`] } };
      }
      return {
        outcome: "some",
        vars: {
          tafelOptions: mine.map((r) => ({ value: r.dialoogtafel.id, label: r.dialoogtafel.title })),
          tafelList: mine.map((r, i) => `${i + 1}. ${line(r)}`),
        },
      };
    }
    const { own, others } = await upcomingTafels(ctx);
    if (own.length === 0 && others.length === 0) return { outcome: "none", vars: { tafelCount: 0, otherTafelCount: 0 } };
    const line = (t: UpcomingTafel, i: number) => tafelLine(t, i + 1, ctx);
    const all = [...own, ...others];
    return {
      outcome: own.length > 0 ? "some" : "elsewhere",
      vars: {
        tafelCount: own.length,
        otherTafelCount: others.length,
        // One numbering over both lists: "3" and "de derde" mean the same tafel as the buttons' order.
        tafelOptions: all.map((t) => ({ value: t.id, label: t.title })),
        tafelList: own.map(line),
        otherTafelList: others.map((t, i) => line(t, own.length + i)),
        tafelDates: all.map((t) => `• ${t.title}: ${formatWhen(t.startsAt, ctx)}, ${t.location}.`),
      },
    };
  },

  async chooseDialoogtafel(params, ctx) {
    const { own, others } = await upcomingTafels(ctx);
    const id = params.said ? chooseDialoogtafel(params.said, [...own, ...others], ctx.gemeente.timeZone) : null;
    return id ? { outcome: "one", vars: { tafel: id } } : { outcome: "none" };
  },

  async describeDialoogtafel(params, ctx) {
    const id = params.tafel;
    if (!id) return { outcome: "gone" };
    const { own, others } = await upcomingTafels(ctx);
    const tafel = [...own, ...others].find((t) => t.id === id);
    if (!tafel) return { outcome: "gone" };
    const vars = {
      tafelTitle: tafel.title,
      tafelWhen: formatWhen(tafel.startsAt, ctx),
      tafelWhere: tafel.location,
      tafelFullNote: tafel.registered >= tafel.capacity ? ` ${messageText(ctx.flows.globals, "tafelFull", ctx.language)}` : "",
    };
    const mine = await listMyRegistrations(ctx.tx, ctx.residentId, ctx.now);
    return { outcome: mine.some((r) => r.dialoogtafel.id === id) ? "already" : "found", vars };
  },

  async registerDialoogtafel(params, ctx) {
    const id = params.tafel;
    if (!id) return { outcome: "gone" };
    const result = await registerForDialoogtafel(ctx.tx, id, ctx.residentId, ctx.now, ctx.channelIdentityId);
    if (!result.tafel) return { outcome: "gone" };
    // The confirmation to keep: the calendar file of this sign-up, at a link only the resident has.
    const link = result.outcome === "registered" && result.registrationId ? calendarLink(ctx.publicUrl, result.registrationId, ctx.secret) : "";
    return {
      outcome: result.outcome,
      vars: {
        tafelTitle: result.tafel.title,
        tafelWhen: formatWhen(result.tafel.startsAt, ctx),
        tafelWhere: result.tafel.location,
        waitlistPosition: result.position,
        tafelCalendarLink: link,
        tafelNumber: result.registrationId ? signUpNumber(result.registrationId) : "",
        // Today or tomorrow: no "de dag ervoor krijg je een herinnering" (the day before has begun or passed).
        tafelSoon: localDaysUntil(ctx.now, result.tafel.startsAt, ctx.gemeente.timeZone) <= 1,
      },
    };
  },

  async cancelRegistration(params, ctx) {
    const id = params.tafel;
    if (!id) return { outcome: "none" };
    // A freed place goes to the first on the waitlist; src/jobs/dialoogtafelNotices.ts tells them.
    const result = await cancelRegistration(ctx.tx, id, ctx.residentId, ctx.now);
    return result.cancelled && result.tafel ? { outcome: "cancelled", vars: { tafelTitle: result.tafel.title } } : { outcome: "none" };
  },

  async showNews(_params, ctx) {
    const wijk = await residentWijk(ctx);
    if (!wijk) return { outcome: "none", vars: { tafelCount: 0, meldingCount: 0, ideeCount: 0 } };
    const news = await listCurrentNews(ctx.tx, wijk.id, ctx.now);
    // The wijk news shows the tafels of the resident's own tandem only; the dialoogtafel flow shows the rest too.
    const { own } = await upcomingTafels(ctx);
    const ownTafels = own.map((t, i) => tafelLine(t, i + 1, ctx));
    const figures = await countRecentByIntent(ctx.tx, wijk.id, new Date(ctx.now.getTime() - 30 * 86_400_000));
    const subscriptions = await listIdentitySubscriptions(ctx.tx, ctx.channelIdentityId);
    return {
      outcome: news.length > 0 ? "some" : "none",
      vars: {
        // Already gets this wijk's berichten here: the choices do not offer them again.
        subscribed: subscriptions.some((s) => s.wijkId === wijk.id),
        newsList: news.map((item) => `• ${item.title}: ${item.body}`),
        tafelCount: ownTafels.length,
        tafelList: ownTafels,
        // The same tafels as buttons, in the list's order ("1" is the first), so that one can be picked right here.
        tafelOptions: own.map((t) => ({ value: t.id, label: t.title })),
        // As on the public wijk pages: 1 to 4 is shown as "fewer than 5", so no single resident is recognisable.
        meldingCount: chatCount(figures.melding, ctx.language),
        ideeCount: chatCount(figures.idee, ctx.language),
      },
    };
  },

  async exportData(_params, ctx) {
    const data = await exportResidentData(ctx.tx, ctx.residentId);
    // What the resident sent, and apart from it what they got (the bot's and staff's replies).
    const sent = data?.conversations.flatMap((c) => c.messages) ?? [];
    const messages = sent.filter((m) => m.direction === "in").length;
    const replies = sent.filter((m) => m.direction === "out").length;
    const token = signExportToken(ctx.residentId, (await findExportGeneration(ctx.tx, ctx.residentId)) ?? 0, new Date(ctx.now.getTime() + 24 * 3600 * 1000), ctx.secret);
    const { globals } = ctx.flows;
    const summary = messageText(globals, "exportSummary", ctx.language, {
      wijk: data?.resident.wijk ?? "-",
      language: messageText(globals, "languageName", data?.resident.language === "en" ? "en" : "nl"),
      conversations: data?.conversations.length ?? 0,
      messages,
      replies,
      signUps: data?.registrations.length ?? 0,
      wijkberichten: messageText(globals, data?.subscriptions.length ? "exportSubscribed" : "exportNotSubscribed", ctx.language),
    }).split("\n");
    const cases = await describeCases(ctx, false);
    const caseLines = cases.length > 0 ? [messageText(globals, "exportCases", ctx.language), ...cases] : [messageText(globals, "exportNoCases", ctx.language)];
    return { outcome: "ok", vars: { exportSummary: [...summary, ...caseLines], exportLink: `${ctx.publicUrl}/privacy/export/${token}` } };
  },

  async listMyCases(_params, ctx) {
    const lines = await describeCases(ctx, true);
    return lines.length > 0 ? { outcome: "some", vars: { caseList: lines } } : { outcome: "none" };
  },

  async eraseData(_params, ctx) {
    await eraseResidentData(ctx.tx, ctx.residentId, { conversationId: ctx.conversationId, channelIdentityId: ctx.channelIdentityId }, ctx.now, { mediaDir: ctx.mediaDir });
    return { outcome: "erased", erased: true, vars: { "resident.wijk": null, "resident.wijkName": null, "resident.consent": null } };
  },
};

/** The resident's cases as lines for the chat: `onlyOpen`, those still with the gemeente; what they wrote only with consent. */
async function describeCases(ctx: ActionContext, onlyOpen: boolean): Promise<string[]> {
  const all = await listResidentCases(ctx.tx, ctx.residentId);
  const cases = onlyOpen ? openCases(all) : all;
  if (cases.length === 0) return [];
  const withText = await hasPrivacyConsent(ctx.tx, ctx.residentId);
  return cases.flatMap((item) => describeResidentCase(ctx.flows.globals, item, { language: ctx.language, timeZone: ctx.gemeente.timeZone, withText }));
}

/** A count for the chat, small numbers suppressed as on the public pages (src/public/wijkFigures.ts). */
function chatCount(value: number, language: Language): number | string {
  if (value === 0 || value >= SMALL_COUNT) return value;
  return language === "en" ? "fewer than 5" : "minder dan 5";
}

/** Carries out an action the engine asked for: its parameters are read with the action's schema first. */
export function runAction<N extends ActionName>(name: N, params: Record<string, unknown>, ctx: ActionContext): Promise<ActionResult<ActionOutcomes[N]>> {
  return actions[name](actionSpecs[name].read(params), ctx);
}
