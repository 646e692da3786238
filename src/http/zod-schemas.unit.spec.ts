import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { issuesToDetails, zodToOpenApi } from './zod-schemas.js';

describe('issuesToDetails', () => {
  const schema = z.strictObject({ a: z.string().min(2).regex(/^x/), nested: z.strictObject({ b: z.number() }) });

  it('names each bad field once, dotted, and each unknown key', () => {
    const result = schema.safeParse({ a: 'y', nested: { b: 'no', c: 1 }, extra: true });
    expect(result.success).toBe(false);
    const details = issuesToDetails(result.error!.issues);
    expect(details.map((d) => d.field).sort()).toEqual(['a', 'extra', 'nested.b', 'nested.c']);
  });

  it('labels a whole-part problem by the part', () => {
    const result = schema.safeParse(null);
    expect(issuesToDetails(result.error!.issues, 'body')).toEqual([{ field: '(body)', message: expect.any(String) }]);
  });
});

describe('zodToOpenApi', () => {
  it('converts request parts and responses; dates become date-time strings', () => {
    const { schema } = zodToOpenApi({
      url: '/x',
      schema: {
        body: z.strictObject({ n: z.number().int() }),
        response: { 200: z.object({ at: z.date() }) },
      },
    });
    expect(schema.body).toMatchObject({ type: 'object', additionalProperties: false, required: ['n'] });
    expect((schema.response as Record<string, unknown>)[200]).toMatchObject({
      properties: { at: { type: 'string', format: 'date-time' } },
    });
  });
});
