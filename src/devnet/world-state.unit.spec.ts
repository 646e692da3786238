import { describe, expect, it } from 'vitest';
import { compareKeys, inRange, sameVersion, WorldState } from './world-state.js';

const entry = (value: string, block = 1, tx = 0) => ({ value: Buffer.from(value), version: { block, tx } });

describe('compareKeys', () => {
  it('orders by code point, as UTF-8 bytes (LevelDB) order, not by UTF-16 code unit', () => {
    const astral = '\u{1F600}'; // a surrogate pair in UTF-16
    const highBmp = '\uFFFD';
    expect(highBmp < astral).toBe(false); // JavaScript's own order disagrees with Fabric's
    expect(compareKeys(highBmp, astral)).toBeLessThan(0);
    expect(Buffer.compare(Buffer.from(highBmp), Buffer.from(astral))).toBeLessThan(0);
    expect(compareKeys('a', 'ab')).toBeLessThan(0);
    expect(compareKeys('b', 'ab')).toBeGreaterThan(0);
    expect(compareKeys('same', 'same')).toBe(0);
  });

  it('treats empty range bounds as unbounded', () => {
    expect(inRange('m', '', '')).toBe(true);
    expect(inRange('m', 'n', '')).toBe(false);
    expect(inRange('m', '', 'm')).toBe(false);
    expect(inRange('m', 'm', 'n')).toBe(true);
  });
});

describe('WorldState', () => {
  it('keeps namespaces apart and returns ranges in key order, end exclusive', () => {
    const state = new WorldState();
    for (const key of ['c', 'a', 'b', 'd']) state.set('one', key, entry(key));
    state.set('two', 'b', entry('other'));
    expect(state.range('one', 'b', 'd').map(([key]) => key)).toEqual(['b', 'c']);
    expect(state.range('one', '', '').map(([key]) => key)).toEqual(['a', 'b', 'c', 'd']);
    expect(Buffer.from(state.get('two', 'b')?.value ?? []).toString()).toBe('other');
    expect(state.range('three', '', '')).toEqual([]);
  });

  it('keeps a value in a buffer of its own, not the larger buffer it was cut from', () => {
    const state = new WorldState();
    const message = new Uint8Array(8192).fill(7);
    state.set('ns', 'slice', { value: message.subarray(100, 110), version: { block: 1, tx: 0 } });
    // Buffer.from of a short string is a slice of Node's shared 8 KiB pool.
    state.set('ns', 'pooled', entry('pooled'));
    const slice = state.get('ns', 'slice')?.value;
    expect(slice?.buffer.byteLength).toBe(10);
    expect([...(slice ?? [])]).toEqual(Array(10).fill(7));
    expect(state.get('ns', 'pooled')?.value.buffer.byteLength).toBe(6);
    const own = new Uint8Array([1, 2, 3]);
    state.set('ns', 'own', { value: own, version: { block: 1, tx: 1 } });
    expect(state.get('ns', 'own')?.value).toBe(own);
  });

  it('reflects deletes and inserts in later ranges', () => {
    const state = new WorldState();
    state.set('ns', 'a', entry('a'));
    state.set('ns', 'c', entry('c'));
    expect(state.range('ns', '', '').map(([key]) => key)).toEqual(['a', 'c']);
    state.set('ns', 'b', entry('b'));
    state.set('ns', 'a', undefined);
    expect(state.range('ns', '', '').map(([key]) => key)).toEqual(['b', 'c']);
  });

  it('compares versions, absent meaning "did not exist"', () => {
    expect(sameVersion({ block: 1, tx: 2 }, { block: 1, tx: 2 })).toBe(true);
    expect(sameVersion({ block: 1, tx: 2 }, { block: 1, tx: 3 })).toBe(false);
    expect(sameVersion(undefined, undefined)).toBe(true);
    expect(sameVersion(undefined, { block: 0, tx: 0 })).toBe(false);
  });
});
