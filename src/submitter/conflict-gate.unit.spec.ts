import { describe, expect, it } from 'vitest';
import { ConflictGate } from './conflict-gate.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('ConflictGate', () => {
  it('runs work on one key in arrival order, one at a time', async () => {
    const gate = new ConflictGate();
    const log: string[] = [];
    const first = deferred();
    const a = gate.run(['alice'], async () => {
      log.push('a start');
      await first.promise;
      log.push('a end');
    });
    const b = gate.run(['alice'], async () => {
      log.push('b');
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(log).toEqual(['a start']);
    first.resolve();
    await Promise.all([a, b]);
    expect(log).toEqual(['a start', 'a end', 'b']);
    expect(gate.busyKeys).toBe(0);
  });

  it('runs work on disjoint keys at once', async () => {
    const gate = new ConflictGate();
    const hold = deferred();
    const started: string[] = [];
    const a = gate.run(['alice', 'bob'], async () => {
      started.push('a');
      await hold.promise;
    });
    const c = gate.run(['carol'], async () => {
      started.push('c');
    });
    await c;
    expect(started).toEqual(['a', 'c']);
    hold.resolve();
    await a;
  });

  it('waits for every key a call names, and a failure still releases them', async () => {
    const gate = new ConflictGate();
    const order: string[] = [];
    const failing = gate.run(['alice'], async () => {
      order.push('alice fails');
      throw new Error('endorsement refused');
    });
    const other = gate.run(['bob'], async () => {
      order.push('bob');
    });
    const both = gate.run(['alice', 'bob'], async () => {
      order.push('both');
    });
    await expect(failing).rejects.toThrow('endorsement refused');
    await Promise.all([other, both]);
    expect(order.indexOf('both')).toBeGreaterThan(order.indexOf('alice fails'));
    expect(order.indexOf('both')).toBeGreaterThan(order.indexOf('bob'));
    expect(gate.busyKeys).toBe(0);
  });

  it('treats a repeated key as one', async () => {
    const gate = new ConflictGate();
    await expect(gate.run(['x', 'x'], async () => 42)).resolves.toBe(42);
  });
});
