import { parseDocument } from "htmlparser2";
import type { ChildNode, Element } from "domhandler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import { createApiToken } from "../../src/db/staff.repo.ts";
import { createApp } from "../../src/http/app.ts";
import { w3cDateTime } from "../../src/open311/georeport.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { captureLogger } from "../helpers/logger.ts";

const settings = loadFlows("flows").settings;

/** GeoReport v2's service (GET services), every field and nothing else. */
const ServiceJson = z.strictObject({
  service_code: z.string().min(1),
  service_name: z.string().min(1),
  description: z.string(),
  metadata: z.boolean(),
  type: z.enum(["realtime", "batch", "blackbox"]),
  keywords: z.string(),
  group: z.string(),
});
const W3cDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/);
/** GeoReport v2's service request (GET requests), every field of the specification. */
const RequestJson = z.strictObject({
  service_request_id: z.string().min(1),
  status: z.enum(["open", "closed"]),
  status_notes: z.string().nullable(),
  service_name: z.string().nullable(),
  service_code: z.string().nullable(),
  description: z.string().nullable(),
  agency_responsible: z.string().nullable(),
  service_notice: z.string().nullable(),
  requested_datetime: W3cDateTime,
  updated_datetime: W3cDateTime.nullable(),
  expected_datetime: W3cDateTime.nullable(),
  address: z.string().nullable(),
  address_id: z.string().nullable(),
  zipcode: z.string().nullable(),
  lat: z.number().nullable(),
  long: z.number().nullable(),
  media_url: z.string().nullable(),
});
const ErrorsJson = z.array(z.strictObject({ code: z.number().int(), description: z.string().min(1) })).min(1);
const CreatedJson = z.array(z.strictObject({ service_request_id: z.string().min(1), service_notice: z.string().nullable(), account_id: z.string().nullable() })).length(1);

/** The element children of a node. */
function elements(node: { children: ChildNode[] }): Element[] {
  return node.children.filter((child): child is Element => child.type === "tag");
}
function textOf(node: Element): string {
  return node.children.map((child) => ("data" in child && typeof child.data === "string" ? child.data : "")).join("");
}

/** Parses an XML answer: its declaration, root element, and each item as field → text (an empty element: ""). */
function readXml(body: string): { root: string; items: Array<{ name: string; fields: Record<string, string>; order: string[] }> } {
  expect(body.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
  const doc = parseDocument(body, { xmlMode: true });
  const roots = elements(doc);
  expect(roots).toHaveLength(1);
  const root = roots[0];
  if (!root) throw new Error("no root element");
  return {
    root: root.name,
    items: elements(root).map((item) => ({
      name: item.name,
      fields: Object.fromEntries(elements(item).map((field) => [field.name, textOf(field)])),
      order: elements(item).map((field) => field.name),
    })),
  };
}

/** The XML text of a JSON value as the specification writes it (null: an empty element). */
function asXmlText(value: unknown): string {
  return value === null ? "" : String(value);
}

describe("W3C date-times", () => {
  it("carry the zone's offset, winter and summer", () => {
    expect(w3cDateTime(new Date("2026-11-30T09:15:30.400Z"), "Europe/Amsterdam")).toBe("2026-11-30T10:15:30+01:00");
    expect(w3cDateTime(new Date("2026-07-01T09:15:30Z"), "Europe/Amsterdam")).toBe("2026-07-01T11:15:30+02:00");
  });
});

describeEachDatabase("Open311 GeoReport v2", (provider) => {
  let t: TestDatabase;
  let server: Awaited<ReturnType<typeof listen>>;
  let gemeenteId = "";
  let apiKey = "";
  const refs = { afval: [] as string[], closed: "", single: "", emergency: "", bot: "" };
  const OCTOBER = "start_date=2026-10-01T00:00:00%2B02:00&end_date=2026-10-31T23:59:59%2B01:00";
  const SECRET_WORDS = "Jan Jansen van nummer 14 laat zijn hond steeds poepen";

  /** A conversation in a wijk that (unless `bot`) reached staff, with the resident's own words and where they were. */
  async function conversation(input: { wijk: string; theme: string; at: string; status?: string; emergency?: string; bot?: boolean; text?: string }) {
    const wijk = await t.db.wijk.findFirstOrThrow({ where: { slug: input.wijk } });
    const resident = await t.db.resident.create({ data: { gemeenteId, wijkId: wijk.id } });
    const identity = await t.db.channelIdentity.create({ data: { residentId: resident.id, channel: "telegram", externalId: `chat-${Math.random()}` } });
    const createdAt = new Date(input.at);
    const status = input.status ?? "open";
    const row = await t.db.conversation.create({
      data: {
        reference: `WL-2026-${String(Math.floor(Math.random() * 900000) + 100000)}`,
        gemeenteId,
        residentId: resident.id,
        channelIdentityId: identity.id,
        channel: "telegram",
        wijkId: wijk.id,
        tandemId: wijk.tandemId,
        status: input.bot ? "bot" : status,
        intent: "melding",
        theme: input.theme,
        emergency: input.emergency ?? null,
        createdAt,
        lastMessageAt: createdAt,
        resolvedAt: status === "resolved" ? new Date(createdAt.getTime() + 2 * 24 * 3600 * 1000) : null,
        statusChanges: {
          create: [
            { toStatus: "bot", at: createdAt },
            ...(input.bot ? [] : [{ fromStatus: "bot", toStatus: "open", at: new Date(createdAt.getTime() + 60_000) }]),
            ...(status === "resolved" ? [{ fromStatus: "open", toStatus: "resolved", at: new Date(createdAt.getTime() + 2 * 24 * 3600 * 1000) }] : []),
          ],
        },
        messages: { create: [{ direction: "in", authorKind: "resident", text: input.text ?? SECRET_WORDS, latitude: 51.4478, longitude: 5.6201, channel: "telegram", createdAt }] },
      },
    });
    return row;
  }

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    gemeenteId = (await t.db.gemeente.findFirstOrThrow()).id;
    apiKey = (await createApiToken(t.db, { email: "admin@demo.wijklijn.nl" })).token;
    for (let day = 5; day < 10; day++) refs.afval.push((await conversation({ wijk: "luchen", theme: "afval", at: `2026-10-${String(day).padStart(2, "0")}T14:37:00+02:00` })).reference);
    const closed = await conversation({ wijk: "luchen", theme: "afval", at: "2026-10-12T08:05:00+02:00", status: "resolved" });
    refs.closed = closed.reference;
    await t.db.wijDedenItem.create({
      data: {
        gemeenteId,
        wijkId: closed.wijkId ?? "",
        conversationId: closed.id,
        theme: "afval",
        said: "Vaak volle containers",
        did: "Extra lediging op vrijdag",
        publishedAt: new Date("2026-10-15T10:00:00Z"),
      },
    });
    refs.single = (await conversation({ wijk: "luchen", theme: "overlast", at: "2026-10-20T21:12:00+02:00" })).reference;
    refs.emergency = (await conversation({ wijk: "luchen", theme: "afval", at: "2026-10-21T03:00:00+02:00", emergency: "112" })).reference;
    refs.bot = (await conversation({ wijk: "luchen", theme: "afval", at: "2026-10-22T10:00:00+02:00", bot: true })).reference;
    server = await listen(createApp({ db: t.db, provider, logger: captureLogger().logger, settings: () => settings, timeZone: "Europe/Amsterdam", publicUrl: "https://wijklijn.example.nl" }));
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  const get = async (path: string) => {
    const response = await fetch(`${server.url}/open311/v2/${path}`);
    return { status: response.status, type: response.headers.get("content-type") ?? "", body: await response.text() };
  };
  const post = async (path: string, fields: Record<string, string>) => {
    const response = await fetch(`${server.url}/open311/v2/${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
    return { status: response.status, type: response.headers.get("content-type") ?? "", body: await response.text() };
  };

  it("answers discovery with the endpoint, its specification and both formats", async () => {
    const answer = await get("discovery.json");
    expect(answer.status).toBe(200);
    const discovery = z
      .strictObject({
        changeset: W3cDateTime,
        contact: z.string(),
        key_service: z.string(),
        endpoints: z.array(z.strictObject({ specification: z.string(), url: z.string(), changeset: W3cDateTime, type: z.enum(["production", "test"]), formats: z.array(z.string()) })),
      })
      .parse(JSON.parse(answer.body));
    expect(discovery.endpoints).toEqual([
      expect.objectContaining({ specification: "http://wiki.open311.org/GeoReport_v2", url: "https://wijklijn.example.nl/open311/v2/", formats: ["text/xml", "application/json"] }),
    ]);
    expect(discovery.contact).toContain("14 040");
    const xml = await get("discovery.xml");
    expect(xml.type).toContain("text/xml");
    expect(xml.body).toContain("<specification>http://wiki.open311.org/GeoReport_v2</specification>");
    expect(xml.body).toContain("<format>application/json</format>");
  });

  it("lists every theme as a service, field by field the same in JSON and XML", async () => {
    const json = await get("services.json");
    expect(json.status).toBe(200);
    expect(json.type).toContain("application/json");
    const services = z.array(ServiceJson).parse(JSON.parse(json.body));
    expect(services.map((service) => service.service_code)).toEqual(["afval", "groen", "verkeer", "veiligheid", "overlast", "onderhoud", "wonen", "jeugd", "zorg-welzijn", "gemeente", "overig"]);
    expect(services[0]).toMatchObject({ service_name: "Afval", metadata: false, type: "realtime" });

    const xml = await get("services.xml");
    expect(xml.status).toBe(200);
    expect(xml.type).toContain("text/xml");
    const doc = readXml(xml.body);
    expect(doc.root).toBe("services");
    expect(doc.items.map((item) => item.name)).toEqual(services.map(() => "service"));
    doc.items.forEach((item, i) => {
      const service = services[i];
      if (!service) throw new Error("missing service");
      expect(item.order).toEqual(Object.keys(service));
      for (const [field, value] of Object.entries(service)) expect(item.fields[field]).toBe(asXmlText(value));
    });
  });

  it("publishes the requests of a wijk's month from 5 of a kind on, open and closed, without the resident's words, place or time of day", async () => {
    const json = await get(`requests.json?${OCTOBER}`);
    expect(json.status).toBe(200);
    const requests = z.array(RequestJson).parse(JSON.parse(json.body));
    expect(requests.map((request) => request.service_request_id).sort()).toEqual([...refs.afval, refs.closed].sort());
    for (const request of requests) {
      expect(request).toMatchObject({ service_code: "afval", service_name: "Afval", description: null, lat: null, long: null, zipcode: null, media_url: null, address: "Luchen, Geldrop-Mierlo" });
      expect(request.requested_datetime).toMatch(/T00:00:00\+0[12]:00$/);
    }
    expect(requests.find((request) => request.service_request_id === refs.closed)).toMatchObject({
      status: "closed",
      status_notes: "Extra lediging op vrijdag",
      updated_datetime: "2026-10-14T00:00:00+02:00",
    });
    expect(requests.find((request) => request.service_request_id === refs.afval[0])).toMatchObject({
      status: "open",
      status_notes: "In behandeling bij de gemeente.",
      requested_datetime: "2026-10-05T00:00:00+02:00",
    });
    expect(json.body).not.toContain("Jansen");
    expect(json.body).not.toContain("51.44");

    const xml = await get(`requests.xml?${OCTOBER}`);
    expect(xml.status).toBe(200);
    const doc = readXml(xml.body);
    expect(doc.root).toBe("service_requests");
    expect(doc.items).toHaveLength(requests.length);
    doc.items.forEach((item, i) => {
      const request = requests[i];
      if (!request) throw new Error("missing request");
      expect(item.name).toBe("request");
      expect(item.order).toEqual(Object.keys(RequestJson.shape));
      for (const [field, value] of Object.entries(request)) expect(item.fields[field]).toBe(asXmlText(value));
    });
  });

  it("keeps a single melding, a 112 conversation and one the bot handled alone out of every answer", async () => {
    for (const ref of [refs.single, refs.emergency, refs.bot]) {
      for (const format of ["json", "xml"]) {
        const one = await get(`requests/${ref}.${format}`);
        expect(one.status).toBe(404);
        if (format === "json") expect(ErrorsJson.parse(JSON.parse(one.body))[0]?.code).toBe(404);
        else expect(readXml(one.body)).toMatchObject({ root: "errors", items: [{ name: "error", fields: { code: "404" } }] });
      }
      expect(z.array(RequestJson).parse(JSON.parse((await get(`requests.json?service_request_id=${ref}`)).body))).toEqual([]);
    }
    const overlast = await get(`requests.json?${OCTOBER}&service_code=overlast`);
    expect(JSON.parse(overlast.body)).toEqual([]);
  });

  it("gives one request by id in both formats, and filters by status and service", async () => {
    const json = await get(`requests/${refs.closed}.json`);
    expect(json.status).toBe(200);
    const [request] = z.array(RequestJson).length(1).parse(JSON.parse(json.body));
    expect(request?.status).toBe("closed");
    const xml = readXml((await get(`requests/${refs.closed}.xml`)).body);
    expect(xml.items[0]?.fields.service_request_id).toBe(refs.closed);
    expect(xml.items[0]?.fields.status_notes).toBe("Extra lediging op vrijdag");

    const closed = z.array(RequestJson).parse(JSON.parse((await get(`requests.json?${OCTOBER}&status=closed`)).body));
    expect(closed.map((r) => r.service_request_id)).toEqual([refs.closed]);
    const several = z.array(RequestJson).parse(JSON.parse((await get(`requests.json?service_request_id=${refs.afval[0]},${refs.closed},${refs.single}`)).body));
    expect(several.map((r) => r.service_request_id)).toEqual([refs.afval[0], refs.closed]);
  });

  it("answers wrong input with the specification's errors", async () => {
    const wrongJurisdiction = await get("services.json?jurisdiction_id=eindhoven");
    expect(wrongJurisdiction.status).toBe(404);
    expect(ErrorsJson.parse(JSON.parse(wrongJurisdiction.body))[0]?.description).toContain("jurisdiction_id");
    expect((await get("services.json?jurisdiction_id=geldrop-mierlo")).status).toBe(200);
    const tooWide = await get("requests.xml?start_date=2026-01-01T00:00:00Z&end_date=2026-10-01T00:00:00Z");
    expect(tooWide.status).toBe(400);
    expect(readXml(tooWide.body)).toMatchObject({ root: "errors", items: [{ fields: { code: "400" } }] });
    expect((await get("requests.json?start_date=gisteren")).status).toBe(400);
    expect((await get("requests.json?status=pending")).status).toBe(400);
    const unknown = await get("nothing.json");
    expect(unknown.status).toBe(404);
    ErrorsJson.parse(JSON.parse(unknown.body));
  });

  it("files a melding from the gemeente's website with an api_key, routed to the wijk's tandem and straight with staff", async () => {
    const fields = {
      api_key: apiKey,
      jurisdiction_id: "geldrop-mierlo",
      service_code: "groen",
      lat: "51.4501",
      long: "5.6202",
      description: "Omgewaaide boom over het fietspad",
      email: "melder@example.nl",
      first_name: "Piet",
      media_url: "https://www.geldrop-mierlo.nl/foto/123.jpg",
    };
    const noKey = await post("requests.json", { ...fields, api_key: "" });
    expect(noKey.status).toBe(403);
    expect(ErrorsJson.parse(JSON.parse(noKey.body))[0]?.code).toBe(403);
    const wrongKey = await post("requests.xml", { ...fields, api_key: "wl_wrong" });
    expect(wrongKey.status).toBe(403);
    expect(readXml(wrongKey.body).items[0]?.fields.code).toBe("403");
    const badService = await post("requests.json", { ...fields, service_code: "potholes" });
    expect(badService.status).toBe(400);
    expect(ErrorsJson.parse(JSON.parse(badService.body))[0]?.description).toContain("service_code");
    const { lat: _lat, long: _long, ...nowhere } = fields;
    expect((await post("requests.json", nowhere)).status).toBe(400);

    const created = await post("requests.json", fields);
    expect(created.status).toBe(201);
    const [answer] = CreatedJson.parse(JSON.parse(created.body));
    const id = answer?.service_request_id ?? "";
    expect(id).toMatch(/^WL-\d{4}-\d{5}$/);
    const conversation = await t.db.conversation.findUniqueOrThrow({ where: { reference: id }, include: { wijk: true, tandem: true, messages: true, statusChanges: true } });
    expect(conversation).toMatchObject({ channel: "open311", status: "open", intent: "melding", theme: "groen", residentId: null });
    expect(conversation.wijk?.slug).toBe("luchen");
    expect(conversation.tandem?.slug).toBe("mierlo");
    expect(conversation.statusChanges.map((change) => change.toStatus)).toEqual(["open"]);
    expect(conversation.messages.find((m) => m.direction === "in")).toMatchObject({ text: "Omgewaaide boom over het fietspad", latitude: 51.4501, processedAt: expect.any(Date) });
    expect(conversation.messages.find((m) => m.direction === "note")?.text).toContain("melder@example.nl");

    // By address: the postcode in address_string decides the wijk.
    const byAddress = await post("requests.xml", { ...nowhere, address_string: "Dorpsstraat 1, 5731 AA Mierlo" });
    expect(byAddress.status).toBe(201);
    const xmlId = readXml(byAddress.body).items[0]?.fields.service_request_id ?? "";
    expect(await t.db.conversation.findUnique({ where: { reference: xmlId } })).not.toBeNull();

    // One filed melding alone is not public; the website that filed it sees it with its key.
    expect((await get(`requests/${id}.json`)).status).toBe(404);
    const own = await get(`requests/${id}.json?api_key=${apiKey}`);
    expect(own.status).toBe(200);
    const [mine] = z.array(RequestJson).parse(JSON.parse(own.body));
    expect(mine).toMatchObject({ service_request_id: id, status: "open", service_code: "groen", description: null });
    expect(own.body).not.toContain("melder@example.nl");
  });
});
