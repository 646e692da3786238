import { describe, expect, it } from 'vitest';
import { Batcher } from './micro-batcher.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('Batcher (group commit)', () => {
  it('sends a lone item at once, and items that arrive during a flush together in the next one', async () => {
    const batches: number[][] = [];
    const gate = deferred();
    const batcher = new Batcher<number, string>(
      async (items) => {
        batches.push(items);
        if (batches.length === 1) await gate.promise;
        return items.map((item) => `r${item}`);
      },
      { maxConcurrent: 1 },
    );
    const first = batcher.add(1);
    const later = [batcher.add(2), batcher.add(3), batcher.add(4)];
    expect(batches).toEqual([[1]]);
    gate.resolve();
    expect(await first).toBe('r1');
    expect(await Promise.all(later)).toEqual(['r2', 'r3', 'r4']);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('caps batch size and rejects every item of a failed batch', async () => {
    const sizes: number[] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        sizes.push(items.length);
        if (items.includes(13)) throw new Error('boom');
        return items;
      },
      { maxBatch: 2, maxConcurrent: 1 },
    );
    const results = await Promise.allSettled([1, 2, 13, 4, 5].map((item) => batcher.add(item)));
    // [1] goes at once; [2, 13] fails together; [4, 5] succeeds.
    expect(sizes).toEqual([1, 2, 2]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    await batcher.drained();
  });
});
