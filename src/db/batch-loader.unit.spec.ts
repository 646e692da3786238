import { describe, expect, it } from 'vitest';
import { createBatchLoader } from './batch-loader.js';

describe('createBatchLoader', () => {
  it('sends the first key alone and coalesces keys that arrive while queries are in flight', async () => {
    const calls: string[][] = [];
    const loader = createBatchLoader(
      async (keys: string[]) => {
        calls.push(keys);
        await new Promise((resolve) => setTimeout(resolve, 10));
        return new Map(keys.map((key) => [key, key.toUpperCase()]));
      },
      { maxConcurrent: 1 },
    );
    const keys = ['a', 'b', 'c', 'b', 'd'];
    const values = await Promise.all(keys.map((key) => loader.load(key)));
    expect(values).toEqual(['A', 'B', 'C', 'B', 'D']);
    expect(calls).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('answers undefined for a missing key and rejects the whole batch on failure', async () => {
    let fail = false;
    const loader = createBatchLoader(async (keys: string[]) => {
      if (fail) throw new Error('down');
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, 1]));
    });
    expect(await loader.load('missing')).toBeUndefined();
    fail = true;
    await expect(loader.load('x')).rejects.toThrow('down');
    fail = false;
    expect(await loader.load('x')).toBe(1);
  });

  it('respects maxBatch', async () => {
    const sizes: number[] = [];
    const loader = createBatchLoader(
      async (keys: number[]) => {
        sizes.push(keys.length);
        await Promise.resolve();
        return new Map(keys.map((k) => [k, k]));
      },
      { maxBatch: 3, maxConcurrent: 1 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => loader.load(i)));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
  });
});
