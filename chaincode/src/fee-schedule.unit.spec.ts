import { describe, expect, it } from 'vitest';
import { gxError } from './errors';
import { quoteFee, transferTypeOf } from './fee-schedule';
import { domainFees } from './testing/fixtures';

/** An id of a country and account type (hex digit); the rest is irrelevant to the schedule. */
const id = (country: string, type: string): string => `${country} 1A2 HBF934 ${type}ABCD 1234`;
const fees = domainFees();

describe('transferTypeOf', () => {
  it('types every pair of party account types, GOVERNMENT first', () => {
    const cases: Array<[number, number, string | undefined]> = [
      [0, 0, 'P2P'],
      [0, 1, 'MERCHANT'],
      [0, 2, 'MERCHANT'], // decision: a person paying a non-profit
      [1, 0, 'MERCHANT'], // decision: a business paying a person
      [2, 0, 'MERCHANT'],
      [1, 1, 'B2B'],
      [1, 2, 'B2B'],
      [2, 1, 'B2B'],
      [2, 2, 'B2B'],
      [0, 6, 'GOVERNMENT'],
      [6, 0, 'GOVERNMENT'],
      [1, 7, 'GOVERNMENT'],
      [7, 2, 'GOVERNMENT'],
      [6, 7, 'GOVERNMENT'],
      [0, 15, undefined], // system pools move only by the protocol
      [15, 0, undefined],
      [3, 0, undefined], // reserved
      [0, 9, undefined],
    ];
    for (const [from, to, type] of cases) expect(transferTypeOf(from, to), `${from} → ${to}`).toBe(type);
  });
});

describe('quoteFee', () => {
  it('charges every cell of the table its rate, LOCAL when the country codes match', () => {
    const amount = 1_000_000_000n; // 1,000 GX: above every band boundary
    const cases: Array<[string, string, string, string, number]> = [
      [id('MY', '0'), id('MY', '0'), 'P2P', 'LOCAL', 10],
      [id('MY', '0'), id('SG', '0'), 'P2P', 'CROSS_BORDER', 25],
      [id('MY', '0'), id('MY', '1'), 'MERCHANT', 'LOCAL', 15],
      [id('MY', '0'), id('SG', '1'), 'MERCHANT', 'CROSS_BORDER', 30],
      [id('MY', '0'), id('MY', '6'), 'GOVERNMENT', 'LOCAL', 10],
      [id('MY', '7'), id('SG', '0'), 'GOVERNMENT', 'CROSS_BORDER', 20],
      [id('MY', '1'), id('MY', '2'), 'B2B', 'LOCAL', 20],
      [id('MY', '2'), id('ID', '1'), 'B2B', 'CROSS_BORDER', 40],
    ];
    for (const [from, to, type, scope, feeBps] of cases) {
      expect(quoteFee(fees, from, to, amount), `${from} → ${to}`).toEqual({
        type,
        scope,
        feeBps,
        fee: (amount * BigInt(feeBps)) / 10_000n,
      });
    }
  });

  it('chooses the P2P band by the amount at the 3 GX and 100 GX boundaries', () => {
    const local = (amount: bigint) => quoteFee(fees, id('MY', '0'), id('MY', '0'), amount);
    const cross = (amount: bigint) => quoteFee(fees, id('MY', '0'), id('SG', '0'), amount);
    expect(local(2_999_999n)).toMatchObject({ feeBps: 0, fee: 0n });
    expect(local(3_000_000n)).toMatchObject({ feeBps: 5, fee: 1_500n });
    expect(local(100_000_000n)).toMatchObject({ feeBps: 5, fee: 50_000n });
    expect(local(100_000_001n)).toMatchObject({ feeBps: 10, fee: 100_000n });
    expect(cross(2_999_999n)).toMatchObject({ feeBps: 15, fee: 4_499n });
    expect(cross(100_000_000n)).toMatchObject({ feeBps: 15, fee: 150_000n });
    expect(cross(100_000_001n)).toMatchObject({ feeBps: 25, fee: 250_000n });
  });

  it('rounds the fee down: 50 GX local P2P pays 25,000 Qirat (domain.md example), 1 Qirat at 30 bps pays 0', () => {
    expect(quoteFee(fees, id('MY', '0'), id('MY', '0'), 50_000_000n).fee).toBe(25_000n);
    expect(quoteFee(fees, id('MY', '0'), id('SG', '1'), 1n).fee).toBe(0n);
    expect(quoteFee(fees, id('MY', '0'), id('SG', '1'), 334n).fee).toBe(1n);
  });

  it('refuses pools, reserved types and negative amounts', () => {
    expect(() => quoteFee(fees, id('MY', '0'), 'XX 000 AAA000 FPOOL 0006', 10n)).toThrow(
      gxError('GX_INVALID_ARGUMENT', 'no transfer type between account types 0 and F (from, to)'),
    );
    expect(() => quoteFee(fees, id('MY', '3'), id('MY', '0'), 10n)).toThrow(/GX_INVALID_ARGUMENT/);
    expect(() => quoteFee(fees, id('MY', '0'), id('MY', '0'), -1n)).toThrow(/GX_INVALID_ARGUMENT: amount/);
  });
});
