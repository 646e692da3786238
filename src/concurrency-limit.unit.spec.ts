import { describe, expect, it } from 'vitest';
import { createConcurrencyLimit, QueueDeadlineError } from './concurrency-limit.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('createConcurrencyLimit', () => {
  it('runs at most `concurrency` at once, the rest in order as slots free', async () => {
    const limit = createConcurrencyLimit({ concurrency: 2, maxWaitMs: 1_000 });
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      limit.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    expect(limit.waiting).toBe(1);
    gates[0]!.resolve();
    await runs[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    gates[1]!.resolve();
    gates[2]!.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(limit.active).toBe(0);
  });

  it('refuses work that waited past the deadline, without running it, and frees its place', async () => {
    const limit = createConcurrencyLimit({ concurrency: 1, maxWaitMs: 30 });
    const gate = deferred();
    const busy = limit.run(() => gate.promise);
    let ran = false;
    const late = limit.run(async () => {
      ran = true;
    });
    await expect(late).rejects.toBeInstanceOf(QueueDeadlineError);
    expect(limit.waiting).toBe(0);
    gate.resolve();
    await busy;
    expect(ran).toBe(false);
    await expect(limit.run(async () => 'next')).resolves.toBe('next');
  });

  it('frees the slot when the work fails', async () => {
    const limit = createConcurrencyLimit({ concurrency: 1, maxWaitMs: 100 });
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run(async () => 1)).resolves.toBe(1);
  });
});
