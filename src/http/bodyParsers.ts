/**
 * The request body parsers every route uses: express's JSON and form parsers with explicit limits,
 * whose strings come out storable (no NUL, no lone surrogates: src/domain/storableText.ts), so a
 * staff reply, a login or a web chat message with such characters never reaches the database as
 * something it refuses. Their errors (bad JSON, charset, too many fields) become clear 4xx answers
 * in src/http/errors.ts.
 */
import express, { type RequestHandler } from "express";
import { toStorableText, toStorableValue } from "../domain/storableText.ts";

/** JSON bodies up to `limit` (e.g. "64kb"); `strict: false` also accepts a bare string or number. */
export function jsonBody(limit: string, options: { strict?: boolean } = {}): RequestHandler {
  return express.json({ limit, strict: options.strict ?? true, reviver: (_key, value: unknown) => (typeof value === "string" ? toStorableText(value) : value) });
}

/** HTML form bodies up to `limit`, with at most `fields` fields (more answers 413). */
export function formBody(limit: string, fields = 100): RequestHandler[] {
  const parse = express.urlencoded({ extended: false, limit, parameterLimit: fields });
  const clean: RequestHandler = (req, _res, next) => {
    if (req.body && typeof req.body === "object") req.body = toStorableValue(req.body);
    next();
  };
  return [parse, clean];
}
