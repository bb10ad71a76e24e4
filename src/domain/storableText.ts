/**
 * Text that every database can store. PostgreSQL refuses the NUL character in text columns, and
 * neither database can store half of a UTF-16 surrogate pair (a "lone surrogate", which broken
 * clients and truncated emoji produce) as UTF-8. Such input is made storable rather than refused:
 * a platform that gets an error redelivers the same message forever.
 */

const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text without NUL characters, with each lone surrogate replaced by U+FFFD (�). */
export function toStorableText(text: string): string {
  return text.replace(NUL, "").replace(LONE_SURROGATE, "\uFFFD");
}

/** Every string inside a parsed body (objects, arrays, nested) made storable; other values as they are. */
export function toStorableValue(value: unknown): unknown {
  if (typeof value === "string") return toStorableText(value);
  if (Array.isArray(value)) return value.map(toStorableValue);
  if (value && typeof value === "object") {
    const result: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) result[toStorableText(key)] = toStorableValue(inner);
    return result;
  }
  return value;
}
