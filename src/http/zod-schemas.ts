/**
 * Route schemas are zod schemas: one source per route for validation (this validator compiler), handler types
 * (the type provider) and the OpenAPI document (the swagger transform, which converts them to JSON Schema).
 */
import type { FastifySchema, FastifySchemaCompiler, FastifyTypeProvider } from 'fastify';
import { z } from 'zod';
import { type ErrorDetail, httpErrors } from './errors.js';

/** Types handler inputs from zod route schemas. */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

function isZod(value: unknown): value is z.ZodType {
  return value instanceof z.ZodType;
}

const partLabel: Record<string, string> = {
  body: '(body)',
  querystring: '(query)',
  params: '(path)',
  headers: '(headers)',
};

/** Turns zod issues into `details` entries naming each bad field (dotted path; unknown keys one by one). */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[], part = 'body'): ErrorDetail[] {
  const root = partLabel[part] ?? part;
  const all = issues.flatMap((issue): ErrorDetail[] => {
    const at = (key?: string) => [...issue.path.map(String), ...(key === undefined ? [] : [key])].join('.');
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({ field: at(key), message: 'unknown field' }));
    return [{ field: at() || root, message: issue.message }];
  });
  // One entry per field (its first problem); whole-object complaints only when no field is named.
  const named = all.some((detail) => detail.field !== root);
  const seen = new Set<string>();
  return all.filter((detail) => {
    if ((named && detail.field === root) || seen.has(detail.field)) return false;
    seen.add(detail.field);
    return true;
  });
}

// In unicode mode a surrogate pair is one code point, so only a lone surrogate matches.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The one string rule of every route: text must be storable. PostgreSQL refuses NUL in text and JSON
 * (`invalid byte sequence for encoding "UTF8": 0x00`) and a lone UTF-16 surrogate has no UTF-8 encoding, so
 * either would reach the database and fail there as a 500. Why, for a string that breaks it; else undefined.
 */
export function textProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (no lone surrogates)';
  return undefined;
}

/**
 * Applies {@link textProblem} to every string of a request part, keys included, whatever its schema says:
 * one rule for every string field of every route, so no route can forget it. Returns the bad fields.
 */
export function textIssues(data: unknown, path: readonly string[] = [], found: ErrorDetail[] = []): ErrorDetail[] {
  if (typeof data === 'string') {
    const problem = textProblem(data);
    if (problem) found.push({ field: path.join('.'), message: problem });
  } else if (Array.isArray(data)) {
    for (const [index, item] of data.entries()) textIssues(item, [...path, String(index)], found);
  } else if (data !== null && typeof data === 'object') {
    for (const [key, value] of Object.entries(data)) {
      const problem = textProblem(key);
      if (problem) found.push({ field: [...path, key].join('.'), message: `field name ${problem}` });
      else textIssues(value, [...path, key], found);
    }
  }
  return found;
}

/** Validates each request part with its zod schema; a failure is a 400 naming every bad field. */
export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  if (!isZod(schema)) throw new Error(`route schema for ${httpPart ?? 'a request part'} must be a zod schema`);
  const root = partLabel[httpPart ?? 'body'] ?? '(body)';
  return (data: unknown) => {
    // Headers are checked by the schemas that read them (unknown headers are not ours to refuse).
    const unstorable = httpPart === 'headers' ? [] : textIssues(data);
    if (unstorable.length > 0) {
      return {
        error: httpErrors.invalidInput(unstorable.map((issue) => ({ ...issue, field: issue.field || root }))),
      };
    }
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    return { error: httpErrors.invalidInput(issuesToDetails(result.error.issues, httpPart ?? 'body')) };
  };
};

function toJsonSchema(schema: unknown, io: 'input' | 'output'): unknown {
  if (!isZod(schema)) return schema;
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    unrepresentable: 'any',
    // Handlers return Date objects; the wire carries ISO-8601 strings.
    override: (context) => {
      if (context.zodSchema._zod.def.type === 'date') {
        context.jsonSchema.type = 'string';
        context.jsonSchema.format = 'date-time';
      }
    },
  }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

/** @fastify/swagger transform: the same zod schemas, as OpenAPI 3.0 schema objects. */
export function zodToOpenApi({ schema, url }: { schema: FastifySchema; url: string }): {
  schema: FastifySchema;
  url: string;
} {
  if (!schema) return { schema, url };
  const out: Record<string, unknown> = { ...schema };
  for (const part of ['body', 'querystring', 'params', 'headers'] as const) {
    if (schema[part] !== undefined) out[part] = toJsonSchema(schema[part], 'input');
  }
  if (schema.response && typeof schema.response === 'object') {
    out.response = Object.fromEntries(
      Object.entries(schema.response as Record<string, unknown>).map(([status, s]) => [
        status,
        toJsonSchema(s, 'output'),
      ]),
    );
  }
  return { schema: out as FastifySchema, url };
}
