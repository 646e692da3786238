import type { z } from 'zod';
import { gxError } from './errors';

/** Parses a JSON argument against its schema; GX_INVALID_ARGUMENT naming the argument and every bad field. */
export function parseJson<T>(field: string, text: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw gxError('GX_INVALID_ARGUMENT', `${field} is not JSON`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${[field, ...issue.path].join('.')}: ${issue.message}`);
    throw gxError('GX_INVALID_ARGUMENT', `invalid ${field}: ${issues.join('; ')}`);
  }
  return result.data;
}
