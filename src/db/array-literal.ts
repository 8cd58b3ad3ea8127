/**
 * PostgreSQL array literals, built here and sent as one text parameter (`$1::text::float8[]`).
 * node-postgres would build the same text, but it converts and regex-escapes every element on its own;
 * for the thousands of numbers of an ingestion batch that was a seventh of the service's CPU. The
 * `::text::` cast keeps the parameter a plain string for both drivers (pg and PGlite).
 */

/** Numbers or booleans; null → NULL. Callers pass finite numbers only (NaN/Infinity would need quoting). */
export function scalarArray(values: readonly (number | boolean | null)[]): string {
  let text = "{";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) text += ",";
    text += v === null || v === undefined ? "NULL" : String(v);
  }
  return `${text}}`;
}

/** Every element quoted, so commas, braces, spaces and the word NULL stay data; null → NULL. */
export function textArray(values: readonly (string | null)[]): string {
  let text = "{";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) text += ",";
    text += v === null || v === undefined ? "NULL" : quoteElement(v);
  }
  return `${text}}`;
}

export function quoteElement(value: string): string {
  return `"${value.replace(/[\\"]/g, "\\$&")}"`;
}
