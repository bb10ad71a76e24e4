/**
 * The OpenAPI 3.1 document of Wijklijn's HTTP interface, served at /api/docs. Keep it true: a
 * test checks that every documented path answers and every /api/v1 route is documented.
 */
import { weeklyDigestJsonSchema } from "../digests/weeklyDigest.ts";
import { ChannelSchema, ConversationStatusSchema, DetectedLanguageSchema, IntentSchema, LanguageSchema, ThemeSchema } from "../domain/vocabulary.ts";

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

const isoDate = { type: "string", format: "date-time" } as const;
const nullableIsoDate = { type: ["string", "null"], format: "date-time" } as const;

const conversation = {
  type: "object",
  required: ["id", "reference", "channel", "wijk", "tandem", "status", "intent", "theme", "emergency", "createdAt", "lastMessageAt", "firstResponseAt", "resolvedAt", "assignee"],
  properties: {
    id: { type: "string" },
    reference: { type: "string", example: "WL-2026-00042", description: "What the resident is told." },
    channel: { enum: ChannelSchema.options },
    wijk: { type: ["string", "null"], example: "kerkakkers", description: "Slug; null while unknown." },
    tandem: { type: ["string", "null"], example: "mierlo", description: "Slug; null while unknown (then only admins see the conversation)." },
    status: { enum: ConversationStatusSchema.options },
    intent: { type: ["string", "null"], example: "melding" },
    theme: { type: ["string", "null"], example: "afval" },
    emergency: { enum: [null, "112", "113"], description: "Shown to staff first." },
    language: { enum: [null, ...DetectedLanguageSchema.options], description: "The language the resident writes in, as last recognised; null while unknown." },
    createdAt: isoDate,
    lastMessageAt: isoDate,
    firstResponseAt: nullableIsoDate,
    resolvedAt: nullableIsoDate,
    assignee: {
      oneOf: [{ type: "object", required: ["email", "name"], properties: { email: { type: "string" }, name: { type: "string" } } }, { type: "null" }],
    },
    channelAddress: {
      type: ["string", "null"],
      example: "+31 6 •••• 4321",
      description: "The resident's phone number or chat id, masked: the last four characters only. The full address is never shown to staff.",
    },
  },
} as const;

const conversationMessage = {
  type: "object",
  required: ["id", "direction", "text", "at", "author"],
  properties: {
    id: { type: "string" },
    direction: { enum: ["in", "out", "note"], description: "`in` from the resident, `out` to the resident (bot or staff), `note` internal, never sent." },
    text: { type: ["string", "null"] },
    at: isoDate,
    author: { type: "string", description: "`resident`, `bot`, or the display name of the staff user.", example: "Gebiedsregisseur Mierlo" },
    photo: { type: "object", required: ["mediaRef"], properties: { mediaRef: { type: "string", example: "telegram:AgACAgQAAxkBAAI" } }, description: "Present when the message carries media." },
    location: {
      type: "object",
      required: ["latitude", "longitude"],
      properties: { latitude: { type: "number" }, longitude: { type: "number" } },
      description: "Present when the resident shared a location.",
    },
  },
} as const;

const conversationDetail = {
  allOf: [
    { $ref: "#/components/schemas/Conversation" },
    {
      type: "object",
      required: ["messages", "feedback", "open311"],
      properties: {
        messages: { type: "array", items: { $ref: "#/components/schemas/ConversationMessage" } },
        feedback: {
          description: '"Voelde je je gehoord?" after resolution (null: never asked). The trust pulse is never given per conversation or person.',
          oneOf: [
            {
              type: "object",
              required: ["status", "score", "reopened", "commented", "askedAt", "scoredAt"],
              properties: {
                status: { enum: ["queued", "asked", "scored", "done", "ignored", "skipped"] },
                score: { type: ["integer", "null"], minimum: 1, maximum: 5 },
                reopened: { type: "boolean", description: "A score of 1–2 or an open answer put it back with the tandem." },
                commented: { type: "boolean", description: "The resident added an open answer (a message of the conversation)." },
                askedAt: nullableIsoDate,
                scoredAt: nullableIsoDate,
              },
            },
            { type: "null" },
          ],
        },
        open311: {
          description: "The forward to the gemeente's meldingen system over Open311 (OPEN311_FORWARD_*), null when not forwarded.",
          oneOf: [
            {
              type: "object",
              required: ["status", "serviceRequestId", "externalStatus", "statusNotes", "sentAt", "closedAt"],
              properties: {
                status: { enum: ["pending", "sending", "sent", "failed"] },
                serviceRequestId: { type: ["string", "null"] },
                externalStatus: { enum: [null, "open", "closed"] },
                statusNotes: { type: ["string", "null"] },
                sentAt: nullableIsoDate,
                closedAt: nullableIsoDate,
              },
            },
            { type: "null" },
          ],
        },
      },
    },
  ],
} as const;

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } }) as const;
const unauthorized = errorResponse("No valid credentials: send `Authorization: Bearer <token>`. The answer carries `WWW-Authenticate: Bearer`.");

const textBody = { type: "object", required: ["text"], properties: { text: { type: "string", maxLength: 4000 } } };

/** A POST /api/v1/conversations/{id}/<action> route: same parameters and errors for each. */
function conversationAction(action: string, success: 201 | 204, summary: string, description: string, schema: object) {
  return {
    [`/api/v1/conversations/{id}/${action}`]: {
      post: {
        summary,
        ...(description ? { description } : {}),
        security: [{ bearer: [] }],
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        requestBody: { required: true, content: { "application/json": { schema } } },
        responses: {
          [String(success)]: { description: "Done." },
          "400": errorResponse("A bad body; the message says what to send."),
          "401": errorResponse("No valid token or session (a session needs the X-CSRF-Token header)."),
          "403": errorResponse("Your role may not do this (a wethouder reads and notes)."),
          "404": errorResponse("No such conversation in your tandems."),
        },
      },
    },
  };
}

/** Open311 GeoReport v2 (src/open311): the same resource in JSON and XML, by suffix. */
function open311Paths() {
  const errors = (description: string) => ({
    description: `${description} Errors as the specification writes them: JSON \`[{ "code": 404, "description": "…" }]\`, XML \`<errors><error><code>…\`.`,
    content: {
      "application/json": { schema: { type: "array", items: { type: "object", required: ["code", "description"], properties: { code: { type: "integer" }, description: { type: "string" } } } } },
      "text/xml": { schema: { type: "string" } },
    },
  });
  const jurisdiction = { name: "jurisdiction_id", in: "query", schema: { type: "string", example: "geldrop-mierlo" }, description: "The gemeente's slug; optional (one jurisdiction)." } as const;
  const request = {
    type: "object",
    description:
      "A published service request: a melding or idea that reached staff, never a 112/113 conversation, listed only when its wijk had 5 or more of its service that calendar month. No resident text, place, photo or contact: description, lat, long, zipcode and media_url are null; address is the wijk; times are whole days.",
    properties: Object.fromEntries(
      [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
      ].map((name) => [name, {}]),
    ),
  } as const;
  const both = (format: "json" | "xml") => (format === "json" ? "application/json" : "text/xml");
  const paths: Record<string, unknown> = {
    "/open311/v2/discovery.json": {
      get: {
        summary: "Open311 service discovery",
        security: [],
        responses: { "200": { description: "The endpoint, its specification and formats.", content: { "application/json": { schema: { type: "object" } } } } },
      },
    },
  };
  for (const format of ["json", "xml"] as const) {
    paths[`/open311/v2/services.${format}`] = {
      get: {
        summary: `Open311: the services (the themes), ${format.toUpperCase()}`,
        security: [],
        parameters: [jurisdiction],
        responses: {
          "200": {
            description: "service_code, service_name, description, metadata (false), type (realtime), keywords, group.",
            content: { [both(format)]: { schema: { type: format === "json" ? "array" : "string" } } },
          },
          "404": errors("Unknown jurisdiction_id."),
        },
      },
    };
    paths[`/open311/v2/requests.${format}`] = {
      get: {
        summary: `Open311: published service requests, ${format.toUpperCase()}`,
        security: [],
        parameters: [
          jurisdiction,
          { name: "service_request_id", in: "query", schema: { type: "string" }, description: "Comma-separated ids (WL-2026-00042); the other filters are then ignored." },
          { name: "service_code", in: "query", schema: { type: "string" }, description: "Comma-separated themes." },
          { name: "start_date", in: "query", schema: { type: "string", format: "date-time" } },
          { name: "end_date", in: "query", schema: { type: "string", format: "date-time" }, description: "Default now; the range is at most 90 days (default the 90 days before end_date)." },
          { name: "status", in: "query", schema: { type: "string", enum: ["open", "closed", "open,closed"] } },
          { name: "api_key", in: "query", schema: { type: "string" }, description: "Optional: with a valid key, the requests filed through Open311 are shown even alone in their group." },
        ],
        responses: {
          "200": { description: "At most 1000 requests, newest first.", content: { [both(format)]: { schema: format === "json" ? { type: "array", items: request } : { type: "string" } } } },
          "400": errors("A bad date, range or status."),
        },
      },
      post: {
        summary: `Open311: file a melding (the gemeente's website or app), ${format.toUpperCase()}`,
        description:
          "A form (application/x-www-form-urlencoded) with api_key (an API token: `npm run cli -- token create --email <e>`), service_code (a theme), a location (lat and long, or address_string with a postcode, or address_id) and description (or media_url); optionally email, first_name, last_name, phone (kept as a staff-only note). The melding becomes a conversation on the open311 channel, routed to its wijk's tandem and straight with staff.",
        security: [],
        requestBody: {
          required: true,
          content: {
            "application/x-www-form-urlencoded": {
              schema: {
                type: "object",
                required: ["api_key", "service_code"],
                properties: Object.fromEntries(
                  [
                    "api_key",
                    "jurisdiction_id",
                    "service_code",
                    "lat",
                    "long",
                    "address_string",
                    "address_id",
                    "email",
                    "device_id",
                    "account_id",
                    "first_name",
                    "last_name",
                    "phone",
                    "description",
                    "media_url",
                  ].map((name) => [name, { type: "string" }]),
                ),
              },
            },
          },
        },
        responses: {
          "201": { description: "service_request_id, service_notice, account_id (null).", content: { [both(format)]: { schema: { type: format === "json" ? "array" : "string" } } } },
          "400": errors("A field is missing or not valid (the description names it)."),
          "403": errors("api_key absent or not valid."),
          "404": errors("Unknown jurisdiction_id."),
        },
      },
    };
    paths[`/open311/v2/requests/{service_request_id}.${format}`] = {
      get: {
        summary: `Open311: one published service request, ${format.toUpperCase()}`,
        security: [],
        parameters: [
          { name: "service_request_id", in: "path", required: true, schema: { type: "string", example: "WL-2026-00042" } },
          jurisdiction,
          { name: "api_key", in: "query", schema: { type: "string" } },
        ],
        responses: {
          "200": { description: "A list of one request.", content: { [both(format)]: { schema: format === "json" ? { type: "array", items: request } : { type: "string" } } } },
          "404": errors("No such request, or not published."),
        },
      },
    };
  }
  return paths;
}

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
    schemas: {
      Error: error,
      WijkSummary: wijkSummary,
      Conversation: conversation,
      ConversationMessage: conversationMessage,
      ConversationDetail: conversationDetail,
      WeeklyDigest: weeklyDigestJsonSchema(),
      RankedClasses: {
        type: "array",
        description: "Classes with their probability (0–1), best first.",
        items: { type: "object", required: ["label", "score"], properties: { label: { type: "string" }, score: { type: "number" } } },
      },
    },
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
    "/chat/api/messages": {
      get: {
        summary: "Web chat: the visitor's conversation after a cursor",
        description: "The visitor is the `wl_chat` cookie set by `/chat`. Returns messages in and out (with the buttons of bot messages) and a cursor for the next call.",
        security: [],
        parameters: [{ name: "after", in: "query", schema: { type: "string" } }],
        responses: {
          "200": {
            description: "Messages and the next cursor.",
            content: { "application/json": { schema: { type: "object", properties: { messages: { type: "array", items: { type: "object" } }, cursor: { type: ["string", "null"] } } } } },
          },
        },
      },
      post: {
        summary: "Web chat: send a message as the visitor",
        description: "Stored once per `clientMessageId` (a retry changes nothing), then answered by the bot; read the answer with GET or wait for an `update` event on `/chat/api/events`.",
        security: [],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["clientMessageId"],
                properties: {
                  clientMessageId: { type: "string", pattern: "^[\\w-]{8,64}$" },
                  text: { type: "string", maxLength: 2000 },
                  value: { type: "string", description: "The value of a tapped button." },
                  location: { type: "object", properties: { lat: { type: "number" }, lon: { type: "number" } } },
                },
              },
            },
          },
        },
        responses: {
          "202": { description: "Stored; `stored` is false for a repeat." },
          "400": { description: "Nothing to send, or a bad id.", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
        },
      },
    },
    "/chat/api/events": {
      get: { summary: "Web chat: server-sent events (`update`) when the conversation changed", security: [], responses: { "200": { description: "An event stream." } } },
    },
    "/privacy": {
      get: {
        summary: "The privacy statement for residents, generated from the configuration (channels on, retention, processors)",
        description: "HTML, in Dutch; English with `?lang=en` or `Accept-Language: en`.",
        security: [],
        parameters: [{ name: "lang", in: "query", schema: { type: "string", enum: ["nl", "en"] } }],
        responses: { "200": { description: "The statement (HTML).", content: { "text/html": { schema: { type: "string" } } } } },
      },
    },
    "/privacy/verwerkingsregister": {
      get: {
        summary: "The processing register entry (AVG art. 30): what is stored, why, on which legal basis, how long, who sees it",
        description: "HTML; JSON with `Accept: application/json` or at `/privacy/verwerkingsregister.json`. Dutch, or English with `?lang=en`.",
        security: [],
        parameters: [{ name: "lang", in: "query", schema: { type: "string", enum: ["nl", "en"] } }],
        responses: { "200": { description: "The register entry.", content: { "text/html": { schema: { type: "string" } }, "application/json": { schema: { type: "object" } } } } },
      },
    },
    "/privacy/verwerkingsregister.json": {
      get: {
        summary: "The processing register entry as JSON",
        security: [],
        parameters: [{ name: "lang", in: "query", schema: { type: "string", enum: ["nl", "en"] } }],
        responses: { "200": { description: "The register entry.", content: { "application/json": { schema: { type: "object" } } } } },
      },
    },
    "/privacy/export/{token}": {
      get: {
        summary: "A resident's own data, through the signed link the bot gave (valid 24 hours)",
        security: [],
        parameters: [{ name: "token", in: "path", required: true, schema: { type: "string" } }],
        responses: { "200": { description: "Everything stored about the resident, as JSON." }, "404": { description: "Unknown or expired link." } },
      },
    },
    "/metrics": {
      get: {
        summary: "Prometheus metrics: conversations by status, outbox by channel and status, unanswered messages",
        security: [],
        responses: { "200": { description: "Prometheus text format." } },
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
    "/api/v1/triage": {
      post: {
        summary: "What the bot makes of a text: intent, theme, emergency",
        description:
          "The same triage the bot uses (lexicon in flows/triage/lexicon.yaml, other languages' 112/113 cues in flows/triage/safety-languages.yaml). `confidence` tells how sure it is; the bot asks instead of guessing below 0.3.",
        security: [{ bearer: [] }],
        requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["text"], properties: { text: { type: "string", maxLength: 4000 } } } } } },
        responses: {
          "200": {
            description: "The triage.",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["intent", "theme", "emergency"],
                  properties: {
                    intent: { enum: IntentSchema.options },
                    theme: { enum: ThemeSchema.options },
                    emergency: { enum: [null, "112", "113"] },
                    confidence: { type: "object", properties: { intent: { type: "number" }, theme: { type: "number" } } },
                    language: { enum: LanguageSchema.options, description: "The conversation language the bot would answer in (nl or en)." },
                    detectedLanguage: { enum: DetectedLanguageSchema.options, description: "The language the text itself is in; `other` for a language Wijklijn does not recognise." },
                    possibleEmergency: { enum: [null, "112", "113"], description: '112 or 113 possible but not sure: the bot asks at once, with buttons: "Is er nu gevaar? Bel 112."' },
                    explanation: {
                      type: "object",
                      description:
                        "Why: the trained model's top classes per head with probabilities, the lexicon cues that matched (cue → weight, per intent and theme), and the safety layer (calm and now cues, 112/113 scores against the possible and sure thresholds).",
                      properties: {
                        model: {
                          type: "object",
                          properties: {
                            intent: { $ref: "#/components/schemas/RankedClasses" },
                            theme: { $ref: "#/components/schemas/RankedClasses" },
                            emergency: { $ref: "#/components/schemas/RankedClasses" },
                          },
                        },
                        cues: {
                          type: "object",
                          properties: {
                            intents: { type: "object", additionalProperties: { type: "object", additionalProperties: { type: "number" } } },
                            themes: { type: "object", additionalProperties: { type: "object", additionalProperties: { type: "number" } } },
                          },
                        },
                        safety: { type: "object" },
                      },
                    },
                  },
                },
              },
            },
          },
          "400": { description: "No text.", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
          "401": { description: "No valid token.", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
        },
      },
    },
    "/api/v1/conversations": {
      get: {
        summary: "The conversations the caller may see, most recent activity first",
        description:
          "A gebiedsregisseur or wethouder sees the conversations of their tandems; an admin sees every conversation, also those without a tandem. Pages are keyset-paginated: pass `nextCursor` as `cursor` until it is null.",
        security: [{ bearer: [] }],
        parameters: [
          { name: "status", in: "query", description: "One or more statuses, comma-separated.", schema: { type: "string" }, example: "open,waiting" },
          { name: "wijk", in: "query", description: "A wijk slug.", schema: { type: "string" }, example: "kerkakkers" },
          { name: "theme", in: "query", schema: { enum: ThemeSchema.options } },
          { name: "channel", in: "query", schema: { enum: ChannelSchema.options } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 25 } },
          { name: "cursor", in: "query", description: "The `nextCursor` of the previous page, unchanged.", schema: { type: "string" } },
        ],
        responses: {
          "200": {
            description: "One page.",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["items", "nextCursor"],
                  properties: { items: { type: "array", items: { $ref: "#/components/schemas/Conversation" } }, nextCursor: { type: ["string", "null"] } },
                },
              },
            },
          },
          "400": errorResponse("A query parameter is invalid; the message names it and says what it takes."),
          "401": unauthorized,
        },
      },
    },
    ...conversationAction(
      "messages",
      201,
      "Reply to the resident",
      "Sent to the resident's own channel through the outbox; the first reply sets firstResponseAt and the status becomes waiting. Gebiedsregisseurs and admins.",
      textBody,
    ),
    ...conversationAction("notes", 201, "Add an internal note", "Never sent to the resident. Every role of the tandem, wethouders included.", textBody),
    ...conversationAction("status", 204, "Change the status", "open (also: reopen), waiting, resolved, or snoozed with `until` (an ISO time; without it: until the resident writes again).", {
      type: "object",
      required: ["status"],
      properties: { status: { enum: ["open", "waiting", "snoozed", "resolved"] }, until: { type: "string", format: "date-time" } },
    }),
    ...conversationAction("assignee", 204, "Assign a colleague of the tandem (or nobody)", "", {
      type: "object",
      required: ["staffUserId"],
      properties: { staffUserId: { type: ["string", "null"] } },
    }),
    ...conversationAction("wijk", 204, "Move to another wijk (and its tandem)", "A note records the move; the old tandem no longer sees the conversation.", {
      type: "object",
      required: ["wijk"],
      properties: { wijk: { type: "string" } },
    }),
    ...conversationAction("theme", 204, "Set the theme", "One of the theme vocabulary of CONTRACTS.", { type: "object", required: ["theme"], properties: { theme: { type: "string" } } }),
    "/api/v1/conversations/{id}": {
      get: {
        summary: "One conversation with its messages, oldest first",
        security: [{ bearer: [] }],
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        responses: {
          "200": { description: "The conversation.", content: { "application/json": { schema: { $ref: "#/components/schemas/ConversationDetail" } } } },
          "401": unauthorized,
          "404": errorResponse("No such conversation, or one outside the caller's tandems: the two are not told apart."),
        },
      },
    },
    "/api/v1/digests": {
      get: {
        summary: "The weekly digest of a wethouder",
        description:
          "The digest of one ISO week (Monday 00:00 to Monday 00:00, Europe/Amsterdam) for the wijken of a wethouder: new conversations by intent and theme against the average of the four weeks before, hand-overs to staff, first response times in working hours against the service target, who waits longest, dialoogtafels, news and pseudonymised quotes. A week that was sent is returned as it was sent; otherwise it is built now (`complete` is false while the week is still going). A wethouder reads only their own (`wethouder` may be left out); an admin any wethouder's of the gemeente, or without `wethouder` the overview of every wijk, including wijken without a wethouder (`wijkenWithoutWethouder`); a gebiedsregisseur gets 403.",
        security: [{ bearer: [] }],
        parameters: [
          {
            name: "wethouder",
            in: "query",
            description: "The wethouder's e-mail address. Optional for a wethouder (their own) and for an admin (the gemeente overview).",
            schema: { type: "string", format: "email" },
            example: "wethouder.c@demo.wijklijn.nl",
          },
          {
            name: "week",
            in: "query",
            required: true,
            description: "An ISO week, e.g. 2026-W48 (week 53 exists in some years).",
            schema: { type: "string", pattern: "^\\d{4}-W\\d{2}$" },
            example: "2026-W48",
          },
        ],
        responses: {
          "200": { description: "The digest.", content: { "application/json": { schema: { $ref: "#/components/schemas/WeeklyDigest" } } } },
          "400": errorResponse("`week` is not an ISO week or has not started, or `wethouder` is not an e-mail address."),
          "401": unauthorized,
          "403": errorResponse("A gebiedsregisseur, or a wethouder asking for another wethouder's digest."),
          "404": errorResponse("No wethouder with this e-mail address in the admin's gemeente."),
        },
      },
    },
    ...open311Paths(),
  },
} as const;
