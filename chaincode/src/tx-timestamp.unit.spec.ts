import type { ChaincodeStub } from 'fabric-shim-api';
import { describe, expect, it } from 'vitest';
import { txTimestampIso } from './tx-timestamp';

const stubWith = (seconds: unknown, nanos: number) =>
  ({ getTxTimestamp: () => ({ seconds, nanos }) }) as unknown as Pick<ChaincodeStub, 'getTxTimestamp'>;

describe('txTimestampIso', () => {
  it('reads the seconds however the host represents them (Long, number, bigint, string)', () => {
    const expected = '2026-03-04T05:06:07.089Z';
    const seconds = Date.parse('2026-03-04T05:06:07Z') / 1000;
    for (const value of [{ toNumber: () => seconds }, seconds, BigInt(seconds), String(seconds)]) {
      expect(txTimestampIso(stubWith(value, 89_999_999))).toBe(expected);
    }
  });
});
