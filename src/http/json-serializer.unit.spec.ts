import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isoDate, jsonSerializerCompiler } from './json-serializer.js';

describe('isoDate', () => {
  it('writes what toJSON writes, for ordinary, extended and invalid dates', () => {
    const times = [
      0,
      1,
      999,
      Date.UTC(2026, 10, 22, 2, 51, 0, 877),
      Date.UTC(1999, 11, 31, 23, 59, 59, 9),
      Date.UTC(2000, 1, 29, 0, 0, 0, 90),
      Date.UTC(1000, 0, 1),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10_000, 0, 1),
      Date.UTC(999, 11, 31),
      -62_198_755_200_000,
      8.64e15,
      Number.NaN,
    ];
    for (let i = 0; i < 2000; i += 1) times.push(Math.floor(Math.random() * 4e12) - 1e12);
    for (const time of times) expect(isoDate(new Date(time))).toBe(new Date(time).toJSON());
  });
});

describe('jsonSerializerCompiler', () => {
  const schema = z.object({
    id: z.string(),
    createdAt: z.date(),
    lockedAt: z.date().nullable(),
    seenAt: z.date().optional(),
  });

  it('answers exactly JSON.stringify, extra fields and odd values included', () => {
    const serialize = jsonSerializerCompiler({ schema });
    const values: unknown[] = [
      { id: 'a', createdAt: new Date(1_700_000_000_123), lockedAt: null },
      { id: 'b', createdAt: new Date(5), lockedAt: new Date(Number.NaN), seenAt: new Date(Date.UTC(12_000, 0, 1)) },
      { id: 'c', createdAt: 'already text', lockedAt: undefined, extra: { nested: new Date(7) } },
      { id: 'd', createdAt: new Date(9), lockedAt: null, toJSON: () => 'custom' },
      [{ createdAt: new Date(1) }],
      null,
      'text',
      42,
    ];
    for (const value of values) expect(serialize(value)).toBe(JSON.stringify(value));
  });

  it('leaves the answer object untouched', () => {
    const createdAt = new Date(1_700_000_000_000);
    const value = { id: 'a', createdAt, lockedAt: null };
    jsonSerializerCompiler({ schema })(value);
    expect(value.createdAt).toBe(createdAt);
  });

  it('serializes schemas without dates, and non-object schemas, with JSON.stringify', () => {
    const value = { commandId: 'x', status: 'PENDING', at: new Date(3) };
    expect(jsonSerializerCompiler({ schema: z.object({ commandId: z.string() }) })(value)).toBe(JSON.stringify(value));
    expect(jsonSerializerCompiler({ schema: undefined })(value)).toBe(JSON.stringify(value));
  });
});
