/**
 * Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): the documents Wijklijn answers
 * with, as pure functions: the service list (the themes), service requests, the answer to a new
 * request, errors, and discovery; each in JSON and in XML, with the field names and order of the
 * specification. Which conversations may be published is decided in publicRequests.ts.
 */
import { localDate, zonedTimeToDate, zoneOffsetMinutes } from "../domain/time.ts";
import { THEME_LABELS, ThemeSchema, type Theme } from "../domain/vocabulary.ts";

/** The two formats of the specification: the suffix of every resource (`services.xml`). */
export type Open311Format = "json" | "xml";

/** Splits `services.json` into the resource and its format; null without a known suffix. */
export function splitFormat(file: string): { name: string; format: Open311Format } | null {
  const match = /^(.+)\.(json|xml)$/.exec(file);
  if (!match?.[1]) return null;
  return { name: match[1], format: match[2] === "xml" ? "xml" : "json" };
}

/** What a service is about, in B1 Dutch (the service list's `description`). */
const SERVICE_DESCRIPTIONS: Readonly<Record<Theme, string>> = {
  afval: "Afval en containers: vol, kapot, gedumpt, niet opgehaald.",
  groen: "Bomen, planten, gras en parken.",
  verkeer: "Wegen, fietspaden, verkeerslichten en parkeren.",
  veiligheid: "Onveilige plekken, verlichting, een onveilig gevoel. Bij gevaar: bel 112.",
  overlast: "Geluid, stank, hondenpoep, overlast van mensen.",
  onderhoud: "Stoepen, straten, bankjes, speeltoestellen en putten die kapot zijn.",
  wonen: "Wonen in de wijk: woningen, buren, leefbaarheid.",
  jeugd: "Jongeren, spelen en jeugdactiviteiten.",
  "zorg-welzijn": "Zorg, welzijn en meedoen in de wijk.",
  gemeente: "Over de gemeente zelf: contact, dienstverlening.",
  overig: "Alles wat niet in een ander onderwerp past.",
};

/** Search words per service (the service list's `keywords`). */
const SERVICE_KEYWORDS: Readonly<Record<Theme, string>> = {
  afval: "afval,container,vuilnis,zwerfafval,dumping",
  groen: "boom,bomen,gras,park,plantsoen",
  verkeer: "weg,fietspad,verkeer,parkeren,verkeerslicht",
  veiligheid: "verlichting,lantaarnpaal,onveilig",
  overlast: "geluid,stank,hondenpoep,overlast",
  onderhoud: "stoep,straat,bankje,speeltuin,put,riool",
  wonen: "woning,buren,leefbaarheid",
  jeugd: "jongeren,spelen,jeugd",
  "zorg-welzijn": "zorg,welzijn,eenzaamheid",
  gemeente: "gemeente,contact,dienstverlening",
  overig: "overig",
};

/** The group a service is listed under (the service list's `group`). */
const SERVICE_GROUPS: Readonly<Record<Theme, string>> = {
  afval: "Openbare ruimte",
  groen: "Openbare ruimte",
  verkeer: "Openbare ruimte",
  onderhoud: "Openbare ruimte",
  veiligheid: "Veiligheid en overlast",
  overlast: "Veiligheid en overlast",
  wonen: "Wonen en samenleven",
  jeugd: "Wonen en samenleven",
  "zorg-welzijn": "Wonen en samenleven",
  gemeente: "Gemeente",
  overig: "Overig",
};

/** A service of the service list (GET services). */
export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: "realtime" | "batch" | "blackbox";
  keywords: string;
  group: string;
}

/** Every theme as a service: its code is the theme (src/domain/vocabulary.ts), its name the theme's label. */
export function listServices(): Open311Service[] {
  return ThemeSchema.options.map((theme) => ({
    service_code: theme,
    service_name: THEME_LABELS[theme],
    description: SERVICE_DESCRIPTIONS[theme],
    // No extra questions per service: a service definition would have nothing to say.
    metadata: false,
    // A filed request is stored and routed at once and gets its service_request_id in the answer.
    type: "realtime",
    keywords: SERVICE_KEYWORDS[theme],
    group: SERVICE_GROUPS[theme],
  }));
}

/** A service request as published (GET requests, GET requests/:id): every field of the specification, in its order. */
export interface Open311Request {
  service_request_id: string;
  status: "open" | "closed";
  status_notes: string | null;
  service_name: string | null;
  service_code: string | null;
  description: string | null;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string | null;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
}

/** The answer to POST requests: the new request's id. */
export interface Open311Created {
  service_request_id: string;
  service_notice: string | null;
  account_id: string | null;
}

/** An error of the specification: `[{ "code": 404, "description": "…" }]`. */
export interface Open311Error {
  code: number;
  description: string;
}

/**
 * A W3C date-time with the zone's offset (the specification wants "Z" or ±HH:MM), to the second:
 * 2026-11-30T00:00:00+01:00.
 */
export function w3cDateTime(instant: Date, zone: string): string {
  const offset = zoneOffsetMinutes(instant, zone);
  const local = new Date(Math.floor(instant.getTime() / 1000) * 1000 + offset * 60_000);
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const zoneText = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${local.toISOString().slice(0, 19)}${zoneText}`;
}

/** The start of the instant's day in the zone: published times are whole days, so a time of day gives no one away. */
export function startOfLocalDay(instant: Date, zone: string): Date {
  const [year, month, day] = localDate(instant, zone);
  return zonedTimeToDate(zone, year, month, day);
}

/** Escapes text for an XML element. */
function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[char] ?? char);
}

type XmlValue = string | number | boolean | null;

function xmlFields(fields: Readonly<Record<string, XmlValue>>, indent: string): string {
  return Object.entries(fields)
    .map(([name, value]) => (value === null ? `${indent}<${name}/>` : `${indent}<${name}>${escapeXml(String(value))}</${name}>`))
    .join("\n");
}

function xmlList(root: string, item: string, items: ReadonlyArray<Readonly<Record<string, XmlValue>>>): string {
  const body = items.map((fields) => `  <${item}>\n${xmlFields(fields, "    ")}\n  </${item}>`).join("\n");
  return `<?xml version="1.0" encoding="utf-8"?>\n<${root}>${body ? `\n${body}\n` : ""}</${root}>\n`;
}

/** A document in one format: the body and its content type. */
export interface Open311Document {
  contentType: string;
  body: string;
}

const JSON_TYPE = "application/json; charset=utf-8";
const XML_TYPE = "text/xml; charset=utf-8";

function document(format: Open311Format, json: unknown, xml: () => string): Open311Document {
  return format === "json" ? { contentType: JSON_TYPE, body: JSON.stringify(json) } : { contentType: XML_TYPE, body: xml() };
}

/** The service list: JSON an array, XML `<services><service>…`. */
export function renderServices(services: readonly Open311Service[], format: Open311Format): Open311Document {
  return document(format, services, () =>
    xmlList(
      "services",
      "service",
      services.map((service) => ({ ...service })),
    ),
  );
}

/** Service requests: JSON an array, XML `<service_requests><request>…`. */
export function renderRequests(requests: readonly Open311Request[], format: Open311Format): Open311Document {
  return document(format, requests, () =>
    xmlList(
      "service_requests",
      "request",
      requests.map((request) => ({ ...request })),
    ),
  );
}

/** The answer to a new request: JSON an array of one, XML `<service_requests><request>…`. */
export function renderCreated(created: Open311Created, format: Open311Format): Open311Document {
  return document(format, [created], () => xmlList("service_requests", "request", [{ ...created }]));
}

/** Errors: JSON `[{ code, description }]`, XML `<errors><error>…`. */
export function renderErrors(errors: readonly Open311Error[], format: Open311Format): Open311Document {
  return document(format, errors, () =>
    xmlList(
      "errors",
      "error",
      errors.map((error) => ({ ...error })),
    ),
  );
}

/** The discovery document (https://wiki.open311.org/Service_Discovery). */
export interface Open311Discovery {
  changeset: string;
  contact: string;
  key_service: string;
  endpoints: Array<{ specification: string; url: string; changeset: string; type: "production" | "test"; formats: string[] }>;
}

/** Builds the discovery document for the endpoint at `endpointUrl`. */
export function buildDiscovery(input: { endpointUrl: string; changeset: Date; contact: string; keyService: string }): Open311Discovery {
  const changeset = input.changeset.toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    changeset,
    contact: input.contact,
    key_service: input.keyService,
    endpoints: [{ specification: "http://wiki.open311.org/GeoReport_v2", url: input.endpointUrl, changeset, type: "production", formats: ["text/xml", "application/json"] }],
  };
}

/** The discovery document in one format. */
export function renderDiscovery(discovery: Open311Discovery, format: Open311Format): Open311Document {
  return document(format, discovery, () => {
    const endpoints = discovery.endpoints
      .map((endpoint) => {
        const formats = endpoint.formats.map((value) => `        <format>${escapeXml(value)}</format>`).join("\n");
        const fields = xmlFields({ specification: endpoint.specification, url: endpoint.url, changeset: endpoint.changeset, type: endpoint.type }, "      ");
        return `    <endpoint>\n${fields}\n      <formats>\n${formats}\n      </formats>\n    </endpoint>`;
      })
      .join("\n");
    const head = xmlFields({ changeset: discovery.changeset, contact: discovery.contact, key_service: discovery.key_service }, "  ");
    return `<?xml version="1.0" encoding="utf-8"?>\n<discovery>\n${head}\n  <endpoints>\n${endpoints}\n  </endpoints>\n</discovery>\n`;
  });
}
