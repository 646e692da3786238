import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same bytes whatever order the object was built in, dropping undefined', () => {
    const one = { amount: '5', from: 'A', memo: undefined, to: 'B' };
    const two = { to: 'B', from: 'A', amount: '5' };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
    expect(canonicalJson(one)).toBe('{"amount":"5","from":"A","to":"B"}');
  });

  it('passes scalars through as JSON', () => {
    expect(canonicalJson('1000')).toBe('"1000"');
    expect(canonicalJson(3)).toBe('3');
  });
});
