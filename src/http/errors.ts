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

/** Turns thrown errors into JSON; unexpected ones are logged (redacted) and answered with 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (error instanceof HttpError) {
      res.status(error.status).json({ error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } });
      return;
    }
    if (error && typeof error === "object" && "type" in error && error.type === "entity.parse.failed") {
      res.status(400).json({ error: { code: "invalid_json", message: "The request body is not valid JSON." } });
      return;
    }
    if (error && typeof error === "object" && "type" in error && error.type === "entity.too.large") {
      res.status(413).json({ error: { code: "too_large", message: "The request body is too large." } });
      return;
    }
    logger.error({ err: error, method: req.method, path: req.path }, "request failed");
    res.status(500).json({ error: { code: "internal", message: "Something went wrong on our side. Please try again." } });
  };
}
