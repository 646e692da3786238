/**
 * The response serializer: exactly `JSON.stringify(data)`, made cheaper for answers with dates. Responses are
 * plain JSON; their zod schemas document them (OpenAPI) rather than filter them.
 *
 * `JSON.stringify` turns a Date into text through `toJSON` → `toISOString`, about 4 µs a date on this
 * machine: a profile with four dates spent more time there than in the rest of its serialization (10 % of a
 * read's CPU). When a response schema is an object with date fields, those fields are formatted here
 * first (~0.5 µs each), on a shallow copy, so the answer is byte for byte what `JSON.stringify` would write.
 */
import { z } from 'zod';

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** `date.toJSON()`, without its cost for years 0–9999. */
export function isoDate(date: Date): string | null {
  const year = date.getUTCFullYear();
  // Other years (extended formats) and invalid dates (NaN; toJSON gives null) take the built-in path.
  if (!(year >= 1000 && year <= 9999)) return date.toJSON();
  const ms = date.getUTCMilliseconds();
  return `${year}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}T${pad2(date.getUTCHours())}:${pad2(
    date.getUTCMinutes(),
  )}:${pad2(date.getUTCSeconds())}.${ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : ms}Z`;
}

/** The keys of an object schema whose values are dates (possibly nullable or optional). */
function dateKeys(schema: unknown): string[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>)
    .filter(([, field]) => {
      let inner: z.core.$ZodType = field;
      while (inner._zod.def.type === 'nullable' || inner._zod.def.type === 'optional') {
        inner = (inner._zod.def as z.core.$ZodNullableDef | z.core.$ZodOptionalDef).innerType;
      }
      return inner._zod.def.type === 'date';
    })
    .map(([key]) => key);
}

/** Fastify serializer compiler: one serializer per route response schema. */
export function jsonSerializerCompiler({ schema }: { schema: unknown }): (data: unknown) => string {
  const keys = dateKeys(schema);
  if (keys.length === 0) return (data) => JSON.stringify(data);
  return (data) => {
    // Anything but a plain record (say, an object with its own toJSON) is left to JSON.stringify.
    if (data === null || typeof data !== 'object' || Array.isArray(data) || 'toJSON' in data) {
      return JSON.stringify(data);
    }
    const wire: Record<string, unknown> = { ...data };
    for (const key of keys) {
      const value = wire[key];
      // A Date with its own toJSON keeps it: JSON.stringify would call that.
      if (value instanceof Date && !Object.hasOwn(value, 'toJSON')) wire[key] = isoDate(value);
    }
    return JSON.stringify(wire);
  };
}
