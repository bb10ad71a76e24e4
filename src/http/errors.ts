/** JSON error responses with a stable shape: { error: { code, message, details? } }. */
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "../log.ts";

/** An error that maps to an HTTP status and a message safe to show the caller. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** 404 for any route not matched before it. */
export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: "not_found", message: `No route for ${req.method} ${req.path}` } });
};

/**
 * What the body parsers and the router throw for input that cannot be read, as the answer the
 * caller gets: a 4xx in our own words, never the library's internal text.
 * (github.com/expressjs/body-parser#errors lists the types.)
 */
const CLIENT_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  "entity.parse.failed": { status: 400, code: "invalid_json", message: "The request body is not valid JSON." },
  "entity.too.large": { status: 413, code: "too_large", message: "The request body is too large." },
  "parameters.too.many": { status: 413, code: "too_many_fields", message: "The form has too many fields." },
  "charset.unsupported": { status: 415, code: "unsupported_charset", message: "Send the request body as UTF-8." },
  "encoding.unsupported": { status: 415, code: "unsupported_encoding", message: "Send the request body uncompressed, or gzip or deflate." },
  "request.aborted": { status: 400, code: "aborted", message: "The request was aborted before its body arrived." },
  "request.size.invalid": { status: 400, code: "invalid_length", message: "The request body does not match its Content-Length." },
  "entity.verify.failed": { status: 403, code: "verification_failed", message: "The request body could not be verified." },
};

/** The 4xx an error stands for, when it is the caller's input that is wrong; null for our own failures. */
export function clientErrorOf(error: unknown): { status: number; code: string; message: string } | null {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message };
  if (!error || typeof error !== "object") return null;
  if ("type" in error && typeof error.type === "string") {
    const known = CLIENT_ERRORS[error.type];
    if (known) return known;
  }
  // The router answers a path with broken percent-encoding (e.g. %E0%A4%A) with a URIError of status 400.
  if (error instanceof URIError) return { status: 400, code: "invalid_path", message: "The address has a malformed percent-encoding." };
  const status = "status" in error && typeof error.status === "number" ? error.status : "statusCode" in error && typeof error.statusCode === "number" ? error.statusCode : 0;
  if (status >= 400 && status < 500) return { status, code: "bad_request", message: "The request could not be read." };
  return null;
}

/** Turns thrown errors into JSON; unexpected ones are logged (redacted) and answered with 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const client = clientErrorOf(error);
    if (res.headersSent) {
      if (!client) logger.error({ err: error, method: req.method, path: req.path }, "request failed after the answer had started");
      res.end();
      return;
    }
    if (client) {
      const details = error instanceof HttpError && error.details ? { details: error.details } : {};
      res.status(client.status).json({ error: { code: client.code, message: client.message, ...details } });
      return;
    }
    logger.error({ err: error, method: req.method, path: req.path }, "request failed");
    res.status(500).json({ error: { code: "internal", message: "Something went wrong on our side. Please try again." } });
  };
}
