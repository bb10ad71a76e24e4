/**
 * The OpenAPI 3.1 document of Wijklijn's HTTP interface, served at /api/docs. Keep it true: a
 * test checks that every documented path answers and every /api/v1 route is documented.
 */

const error = {
  type: "object",
  required: ["error"],
  properties: { error: { type: "object", required: ["code", "message"], properties: { code: { type: "string" }, message: { type: "string" }, details: {} } } },
} as const;

const wijkSummary = {
  type: "object",
  required: ["slug", "name", "active", "tandem"],
  properties: {
    slug: { type: "string", example: "coevering" },
    name: { type: "string", example: "Coevering" },
    active: { type: "boolean", description: "False while the wijk is not (yet) part of Wijklijn." },
    tandem: { type: ["string", "null"], example: "geldrop-noord" },
  },
} as const;

/** The OpenAPI document. */
export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "Wijklijn API",
    version: "1",
    description:
      "The JSON interface of Wijklijn, the chat channel of a municipality's wijkdialoog. The two `wijken` routes are public; the others need `Authorization: Bearer <token>` (create one with `npm run cli -- token create --email <e>`).",
  },
  servers: [{ url: "/" }],
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    schemas: { Error: error, WijkSummary: wijkSummary },
  },
  paths: {
    "/healthz": {
      get: { summary: "Liveness", responses: { "200": { description: "The process runs.", content: { "application/json": { schema: { type: "object" } } } } } },
    },
    "/readyz": {
      get: {
        summary: "Readiness: database reachable and migrations applied",
        responses: {
          "200": { description: "Ready.", content: { "application/json": { schema: { type: "object" } } } },
          "503": { description: "Not ready; `checks` says why.", content: { "application/json": { schema: { type: "object" } } } },
        },
      },
    },
    "/api/v1/wijken": {
      get: {
        summary: "Every wijk of the gemeente",
        security: [],
        responses: { "200": { description: "The wijken.", content: { "application/json": { schema: { type: "array", items: { $ref: "#/components/schemas/WijkSummary" } } } } } },
      },
    },
    "/api/v1/wijken/lookup": {
      get: {
        summary: "Find the wijk of a postcode or a location",
        description: "Give either `postcode` (any form residents type: 5662AB, 5662 ab, 5662-AB, 5662, or a sentence containing it) or `lat` and `lon` (WGS84).",
        security: [],
        parameters: [
          { name: "postcode", in: "query", schema: { type: "string" }, example: "5662 AB" },
          { name: "lat", in: "query", schema: { type: "number" }, example: 51.43 },
          { name: "lon", in: "query", schema: { type: "number" }, example: 5.55 },
        ],
        responses: {
          "200": {
            description: "`reason` is `found`, `outside` (not in this gemeente), `no-wijk` (e.g. a post-office box postcode) or `invalid`.",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["wijk", "reason"],
                  properties: { wijk: { oneOf: [{ $ref: "#/components/schemas/WijkSummary" }, { type: "null" }] }, reason: { enum: ["found", "outside", "no-wijk", "invalid"] } },
                },
              },
            },
          },
          "400": { description: "Neither a postcode nor a location given.", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
        },
      },
    },
  },
} as const;
