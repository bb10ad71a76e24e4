/**
 * Open311 GeoReport v2 at /open311/v2/ (https://wiki.open311.org/GeoReport_v2): discovery, the
 * service list (the themes), service requests (public, without personal data: publicRequests.ts)
 * and filing a new request with an `api_key` (an API token of a staff user, `npm run cli -- token
 * create`), which becomes a conversation routed to its wijk's tandem like any other. Every
 * resource in JSON and XML, chosen by its suffix; errors as the specification writes them.
 */
import { type Request, type Response, Router } from "express";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { recordAudit } from "../db/audit.repo.ts";
import { findDefaultGemeente, type GemeenteRef } from "../db/gemeente.repo.ts";
import { createFiledRequest, findOpen311RequestFact, listOpen311RequestFacts, type Open311RequestFact } from "../db/open311.repo.ts";
import { findApiTokenHolder } from "../db/staffAccount.repo.ts";
import { inTransaction } from "../db/transaction.ts";
import { findWijkByLocation, findWijkByPostcode, findWijkRefBySlug } from "../db/wijk.repo.ts";
import { emitInboxEvent } from "../domain/events.ts";
import { ThemeSchema } from "../domain/vocabulary.ts";
import { formBody } from "../http/bodyParsers.ts";
import { routeResident } from "../routing/routeResident.ts";
import { buildDiscovery, listServices, type Open311Document, type Open311Format, renderCreated, renderDiscovery, renderErrors, renderRequests, renderServices, splitFormat } from "./georeport.ts";
import { localMonthBounds, open311Status, publishableRequests, serviceCodeOf, toPublicRequest } from "./publicRequests.ts";

/** The prefix every resource lives under. */
export const OPEN311_PREFIX = "/open311/v2";

/** When this endpoint last changed in a way clients should notice (the discovery changeset). */
const CHANGESET = new Date("2026-12-04T00:00:00Z");

/** The most requests one GET returns, and the widest date range it searches (both from the specification). */
export const MAX_REQUESTS = 1000;
export const MAX_RANGE_DAYS = 90;
const DAY_MS = 24 * 3600 * 1000;

/** What the routes need. */
export interface Open311Deps {
  db: Db;
  /** PUBLIC_URL: the endpoint's address in the discovery document. */
  publicUrl: string;
  /** Who to contact about the endpoint (the gemeente's phone and website, flows/settings.yaml). */
  contact: () => string;
  now?: () => Date;
}

/** An Open311 error answer: the HTTP status and the error's description. */
class Open311Failure extends Error {
  constructor(
    readonly status: number,
    description: string,
  ) {
    super(description);
  }
}

function send(res: Response, status: number, doc: Open311Document): void {
  res.status(status).type(doc.contentType).send(doc.body);
}

const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((value) => (value?.trim() ? value.trim() : undefined));

/** A decimal coordinate as the form sends it ("51.4209"). */
const coordinate = (limit: number) =>
  z
    .string()
    .regex(/^-?\d{1,3}(\.\d{1,12})?$/)
    .transform(Number)
    .pipe(z.number().min(-limit).max(limit))
    .optional();

/** POST requests: the specification's fields (attribute[…] are not used: no service has metadata). */
const NewRequestSchema = z.object({
  api_key: z.string().optional(),
  jurisdiction_id: z.string().optional(),
  service_code: z.string().max(100),
  lat: coordinate(90),
  long: coordinate(180),
  address_string: optionalText(500),
  address_id: optionalText(200),
  email: optionalText(200),
  device_id: optionalText(200),
  account_id: optionalText(200),
  first_name: optionalText(200),
  last_name: optionalText(200),
  phone: optionalText(50),
  description: optionalText(4000),
  media_url: optionalText(2000).pipe(z.url({ protocol: /^https?$/ }).optional()),
});

const DateParam = z
  .string()
  .max(40)
  .refine((text) => /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) && Number.isFinite(Date.parse(text)))
  .transform((text) => new Date(text));

/** GET requests: the specification's filters. */
const ListQuerySchema = z.object({
  jurisdiction_id: z.string().optional(),
  api_key: z.string().optional(),
  service_request_id: z.string().max(2000).optional(),
  service_code: z.string().max(500).optional(),
  start_date: DateParam.optional(),
  end_date: DateParam.optional(),
  status: z.string().max(50).optional(),
});

/** A query or body field given once, as text (a repeated field is a mistake, not a list). */
function single(value: unknown): unknown {
  return Array.isArray(value) ? value[value.length - 1] : value;
}
function fields(source: unknown): Record<string, unknown> {
  if (!source || typeof source !== "object") return {};
  return Object.fromEntries(Object.entries(source).map(([key, value]) => [key, single(value)]));
}

/** The routes. */
export function open311Routes(deps: Open311Deps): Router {
  const router = Router();
  const now = deps.now ?? (() => new Date());
  const endpointUrl = `${deps.publicUrl.replace(/\/$/, "")}${OPEN311_PREFIX}/`;

  /** The gemeente a request is about: the installation's, when jurisdiction_id is absent or names it. */
  async function jurisdiction(jurisdictionId: unknown): Promise<GemeenteRef> {
    const gemeente = await findDefaultGemeente(deps.db);
    if (!gemeente) throw new Open311Failure(404, "No gemeente is set up yet.");
    if (jurisdictionId !== undefined && jurisdictionId !== "" && jurisdictionId !== gemeente.slug) {
      throw new Open311Failure(404, `jurisdiction_id not found: this endpoint serves "${gemeente.slug}".`);
    }
    return gemeente;
  }

  /** The staff user behind an api_key of this gemeente, or null when the key is absent, unknown, revoked or of an inactive user. */
  async function apiKeyHolder(apiKey: unknown, gemeente: GemeenteRef): Promise<{ staffUserId: string } | null> {
    if (typeof apiKey !== "string" || !/^[\x21-\x7e]{1,512}$/.test(apiKey)) return null;
    const holder = await findApiTokenHolder(deps.db, apiKey);
    if (!holder || holder.revoked || !holder.staff.active || holder.staff.gemeenteId !== gemeente.id) return null;
    return { staffUserId: holder.staff.id };
  }

  /** Runs one resource's handler; an Open311Failure (or anything unexpected) is answered in the resource's format. */
  const handle =
    (work: (req: Request, res: Response, format: Open311Format, name: string) => Promise<void>, pattern: RegExp) => async (req: Request, res: Response, next: (error?: unknown) => void) => {
      const file = typeof req.params.file === "string" ? req.params.file : "";
      const split = splitFormat(file);
      if (!split || !pattern.test(split.name)) return next();
      res.setHeader("Access-Control-Allow-Origin", "*");
      try {
        await work(req, res, split.format, split.name);
      } catch (error) {
        if (error instanceof Open311Failure) return send(res, error.status, renderErrors([{ code: error.status, description: error.message }], split.format));
        next(error);
      }
    };

  router.get(
    `${OPEN311_PREFIX}/:file`,
    handle(async (_req, res, format) => {
      send(res, 200, renderDiscovery(buildDiscovery({ endpointUrl, changeset: CHANGESET, contact: deps.contact(), keyService: "Vraag een API-sleutel aan bij de beheerder van Wijklijn." }), format));
    }, /^discovery$/),
  );

  router.get(
    `${OPEN311_PREFIX}/:file`,
    handle(async (req, res, format) => {
      await jurisdiction(single(req.query.jurisdiction_id));
      send(res, 200, renderServices(listServices(), format));
    }, /^services$/),
  );

  router.get(
    `${OPEN311_PREFIX}/services/:file`,
    handle(async (req, _res, _format, code) => {
      await jurisdiction(single(req.query.jurisdiction_id));
      // No service has metadata (extra questions), so there is no service definition to give.
      throw new Open311Failure(404, `service_code ${ThemeSchema.safeParse(code).success ? "has no service definition (metadata is false)" : "not found"}.`);
    }, /^.{1,100}$/),
  );

  router.get(
    `${OPEN311_PREFIX}/:file`,
    handle(async (req, res, format) => {
      const query = ListQuerySchema.safeParse(fields(req.query));
      if (!query.success) throw new Open311Failure(400, "A parameter is not valid: start_date and end_date are W3C date-times (2026-11-30T00:00:00+01:00), status is open or closed.");
      const gemeente = await jurisdiction(query.data.jurisdiction_id);
      const holder = await apiKeyHolder(query.data.api_key, gemeente);
      const context = { gemeenteName: gemeente.name, zone: gemeente.timeZone };
      const alsoShow = holder ? (fact: Open311RequestFact) => fact.channel === "open311" : undefined;

      if (query.data.service_request_id) {
        const ids = query.data.service_request_id
          .split(",")
          .map((id) => id.trim())
          .filter((id) => id.length > 0)
          .slice(0, 100);
        const found: Open311RequestFact[] = [];
        for (const id of ids) {
          const fact = await publishedFact(gemeente, id, alsoShow);
          if (fact) found.push(fact);
        }
        return send(
          res,
          200,
          renderRequests(
            found.map((fact) => toPublicRequest(fact, context)),
            format,
          ),
        );
      }

      const at = now();
      const end = query.data.end_date ?? at;
      const start = query.data.start_date ?? new Date(end.getTime() - MAX_RANGE_DAYS * DAY_MS);
      if (start > end) throw new Open311Failure(400, "start_date is after end_date.");
      if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * DAY_MS) throw new Open311Failure(400, `start_date and end_date may not span more than ${MAX_RANGE_DAYS} days.`);
      const codes = query.data.service_code ? new Set(query.data.service_code.split(",").map((code) => code.trim())) : null;
      const statuses = query.data.status ? query.data.status.split(",").map((status) => status.trim()) : null;
      if (statuses?.some((status) => status !== "open" && status !== "closed")) throw new Open311Failure(400, "status is open or closed (or both, comma-separated).");

      // Whole months, so that the group rule sees every request of each month the range touches.
      const facts = await listOpen311RequestFacts(deps.db, gemeente.id, localMonthBounds(start, gemeente.timeZone).start, localMonthBounds(end, gemeente.timeZone).end);
      const shown = publishableRequests(facts, gemeente.timeZone, alsoShow)
        .filter((fact) => fact.createdAt >= start && fact.createdAt <= end)
        .filter((fact) => !codes || codes.has(serviceCodeOf(fact)))
        .filter((fact) => !statuses || statuses.includes(open311Status(fact.status)))
        .slice(0, MAX_REQUESTS);
      send(
        res,
        200,
        renderRequests(
          shown.map((fact) => toPublicRequest(fact, context)),
          format,
        ),
      );
    }, /^requests$/),
  );

  router.get(
    `${OPEN311_PREFIX}/requests/:file`,
    handle(async (req, res, format, id) => {
      const gemeente = await jurisdiction(single(req.query.jurisdiction_id));
      const holder = await apiKeyHolder(single(req.query.api_key), gemeente);
      const fact = await publishedFact(gemeente, id, holder ? (found) => found.channel === "open311" : undefined);
      if (!fact) throw new Open311Failure(404, `service_request_id ${id} not found (or not published: too few requests of its kind in its wijk that month).`);
      send(res, 200, renderRequests([toPublicRequest(fact, { gemeenteName: gemeente.name, zone: gemeente.timeZone })], format));
    }, /^[A-Za-z0-9-]{1,40}$/),
  );

  /** A request by its id, when the publication rule lets it through. */
  async function publishedFact(gemeente: GemeenteRef, id: string, alsoShow?: (fact: Open311RequestFact) => boolean): Promise<Open311RequestFact | null> {
    if (!/^[A-Za-z0-9-]{1,40}$/.test(id)) return null;
    const fact = await findOpen311RequestFact(deps.db, gemeente.id, id);
    if (!fact) return null;
    const month = localMonthBounds(fact.createdAt, gemeente.timeZone);
    const monthFacts = await listOpen311RequestFacts(deps.db, gemeente.id, month.start, month.end);
    return publishableRequests(monthFacts, gemeente.timeZone, alsoShow).find((published) => published.reference === id) ?? null;
  }

  router.post(
    `${OPEN311_PREFIX}/:file`,
    ...formBody("64kb", 50),
    handle(async (req, res, format) => {
      const body = fields(req.body);
      const gemeente = await jurisdiction(body.jurisdiction_id ?? single(req.query.jurisdiction_id));
      const holder = await apiKeyHolder(body.api_key ?? single(req.query.api_key), gemeente);
      if (!holder) throw new Open311Failure(403, "api_key was not provided or is not valid (create one with: npm run cli -- token create --email <e>).");
      const parsed = NewRequestSchema.safeParse(body);
      if (!parsed.success) {
        const field = parsed.error.issues[0]?.path[0];
        throw new Open311Failure(400, `${typeof field === "string" ? field : "A field"} is missing or not valid.`);
      }
      const input = parsed.data;
      const theme = ThemeSchema.safeParse(input.service_code);
      if (!theme.success) throw new Open311Failure(400, `service_code not found: use one of ${ThemeSchema.options.join(", ")} (GET services).`);
      if ((input.lat === undefined) !== (input.long === undefined)) throw new Open311Failure(400, "lat and long go together.");
      if (input.lat === undefined && !input.address_string && !input.address_id) throw new Open311Failure(400, "A location is required: lat and long, address_string or address_id.");
      if (!input.description && !input.media_url) throw new Open311Failure(400, "description is required (or a media_url).");

      // Routed like any other melding: the wijk from the point, else from a postcode in the address.
      const lookup =
        input.lat !== undefined && input.long !== undefined
          ? await findWijkByLocation(deps.db, gemeente.id, input.lat, input.long)
          : input.address_string
            ? await findWijkByPostcode(deps.db, gemeente.id, input.address_string)
            : { wijk: null, reason: "invalid" as const };
      const wijkRef = lookup.wijk ? await findWijkRefBySlug(deps.db, gemeente.id, lookup.wijk.slug) : null;
      const route = await routeResident({ wijk: wijkRef });
      const at = now();
      const created = await inTransaction(deps.db, async (tx) => {
        const conversation = await createFiledRequest(tx, {
          gemeenteId: gemeente.id,
          wijkId: route.wijk?.id ?? null,
          tandemId: route.tandem?.id ?? null,
          theme: theme.data,
          description: input.description ?? null,
          lat: input.lat ?? null,
          lon: input.long ?? null,
          note: filedNote(input),
          staffUserId: holder.staffUserId,
          now: at,
        });
        await recordAudit(tx, {
          gemeenteId: gemeente.id,
          actorStaffId: holder.staffUserId,
          actorKind: "staff",
          action: "open311.filed",
          subjectType: "conversation",
          subjectId: conversation.id,
          data: { serviceCode: theme.data, routed: route.reason },
          at,
        });
        return conversation;
      });
      emitInboxEvent({ conversationId: created.id, tandemId: created.tandemId, kind: "handover" });
      send(
        res,
        201,
        renderCreated({ service_request_id: created.reference, service_notice: "De melding staat bij de gemeente. Het team van de wijk neemt contact op als dat nodig is.", account_id: null }, format),
      );
    }, /^requests$/),
  );

  // Any other resource under the prefix: an Open311 error, not the JSON API's.
  router.use(OPEN311_PREFIX, (req, res) => {
    const path = `${OPEN311_PREFIX}${req.path}`;
    const last = path.split("/").pop() ?? "";
    send(res, 404, renderErrors([{ code: 404, description: `No Open311 resource ${req.method} ${path}: see ${OPEN311_PREFIX}/discovery.json.` }], splitFormat(last)?.format ?? "json"));
  });
  return router;
}

/**
 * The staff-only note beside a filed melding: where, the photo, and the contact the filer gave
 * (there is no chat to answer in). Null when there is nothing to note.
 */
function filedNote(input: z.infer<typeof NewRequestSchema>): string | null {
  const lines = ["Binnengekomen via de website of app van de gemeente (Open311). Antwoorden in de chat kan niet."];
  if (input.address_string) lines.push(`Adres: ${input.address_string}`);
  if (input.address_id) lines.push(`Adres-id: ${input.address_id}`);
  if (input.media_url) lines.push(`Foto: ${input.media_url}`);
  const name = [input.first_name, input.last_name].filter((part) => part !== undefined).join(" ");
  const contact = [name, input.email, input.phone].filter((part) => part !== undefined && part !== "");
  if (contact.length > 0) lines.push(`Contact dat de melder gaf: ${contact.join(", ")}`);
  return lines.join("\n");
}
