import { describe, expect, it } from 'vitest';
import { fabricUserIdPattern } from './fabric-user-id';
import {
  poolIds,
  poolOfId,
  type SystemParams,
  sharePpb,
  slotsOf,
  systemParamsSchema,
  treasuryIdOf,
} from './system-params';
import { systemParams } from './testing/fixtures';

/** The issues of parsing `params`, as `path: message`. */
function issues(params: unknown): string[] {
  const result = systemParamsSchema.safeParse(params);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

function withFees(cell: unknown): SystemParams {
  const params = systemParams();
  return { ...params, fees: { ...params.fees, MERCHANT: { ...params.fees.MERCHANT, LOCAL: cell } } } as SystemParams;
}

describe('system parameters, version 2', () => {
  it('accepts the test parameters', () => {
    expect(issues(systemParams())).toEqual([]);
  });

  it('gives pools and treasuries ids of the Fabric id format, pools under the reserved XX', () => {
    for (const id of [...Object.values(poolIds), treasuryIdOf('MY')]) expect(id).toMatch(fabricUserIdPattern);
    expect(poolIds.OPERATIONS).toBe('XX 000 AAA000 FPOOL 0006');
    expect(poolOfId('XX 000 AAA000 FPOOL 0001')).toBe('USER_GENESIS');
    expect(poolOfId(treasuryIdOf('MY'))).toBeUndefined();
    expect(treasuryIdOf('MY')).toBe('MY 000 AAA000 6TRSY 0001');
  });

  it('stores shares in parts per billion and rounds slots down, exactly beyond 2^53', () => {
    expect(sharePpb(0.1787)).toBe(178_700_000);
    expect(sharePpb(1)).toBe(1_000_000_000);
    expect(slotsOf(100_000_000, 178_700_000)).toBe(17_870_000);
    expect(slotsOf(7, 333_333_333)).toBe(2);
    // 2,450,000,000 × 999,999,999 = 2.45e18 > 2^53: a float would round it.
    expect(slotsOf(2_450_000_000, 999_999_999)).toBe(2_449_999_997);
  });

  it('refuses a rate above 1,000 bps, bands not from "0" or not ascending, naming the field', () => {
    expect(issues(withFees([{ minAmount: '0', bps: 1001 }]))).toEqual([
      'fees.MERCHANT.LOCAL.0.bps: Too big: expected number to be <=1000',
    ]);
    expect(issues(withFees([{ minAmount: '0', bps: 1000 }]))).toEqual([]);
    expect(issues(withFees([{ minAmount: '5', bps: 10 }]))).toEqual([
      'fees.MERCHANT.LOCAL.0.minAmount: the first band must start at "0"',
    ]);
    expect(
      issues(
        withFees([
          { minAmount: '0', bps: 10 },
          { minAmount: '0', bps: 20 },
        ]),
      ),
    ).toEqual(['fees.MERCHANT.LOCAL.1.minAmount: bands must ascend by minAmount']);
    expect(issues(withFees([{ minAmount: '0', bps: 1.5 }]))[0]).toMatch(/^fees\.MERCHANT\.LOCAL\.0\.bps: /);
  });

  it('refuses country tables that are not unique upper-case codes, use XX, or do not sum to 1', () => {
    const params = systemParams();
    expect(issues({ ...params, countries: [...params.countries, { code: 'MY', populationShare: 0 }] })).toEqual(
      expect.arrayContaining(['countries.3.populationShare: Too small: expected number to be >0']),
    );
    expect(
      issues({
        ...params,
        countries: [
          { code: 'MY', populationShare: 0.5 },
          { code: 'MY', populationShare: 0.5 },
        ],
      }),
    ).toEqual(['countries.1.code: MY is listed twice']);
    expect(issues({ ...params, countries: [{ code: 'XX', populationShare: 1 }] })).toEqual([
      'countries.0.code: XX is reserved for the system pools',
    ]);
    expect(issues({ ...params, countries: [{ code: 'my', populationShare: 1 }] })[0]).toMatch(/^countries\.0\.code: /);
    expect(
      issues({
        ...params,
        countries: [
          { code: 'MY', populationShare: 0.5 },
          { code: 'SG', populationShare: 0.49 },
        ],
      }),
    ).toEqual(['countries: population shares sum to 0.99, not 1 (±0.000001)']);
    expect(
      issues({
        ...params,
        countries: [
          { code: 'MY', populationShare: 0.5 },
          { code: 'SG', populationShare: 0.5000009 },
        ],
      }),
    ).toEqual([]);
  });

  it('refuses caps above the maximum supply and phases that could mint past a genesis cap', () => {
    const params = systemParams();
    expect(issues({ ...params, maxSupply: '1' })[0]).toMatch(/^pools: caps sum to \d+, above maxSupply 1$/);
    const userCap = BigInt(params.pools.USER_GENESIS);
    expect(issues({ ...params, pools: { ...params.pools, USER_GENESIS: (userCap - 1n).toString() } })).toEqual([
      `genesis.phases: the phases can mint ${userCap} Qirat of USER_GENESIS, above its cap ${userCap - 1n}`,
    ]);
    const treasuryCap = BigInt(params.pools.GOVERNMENT_GENESIS) - 1n;
    expect(issues({ ...params, pools: { ...params.pools, GOVERNMENT_GENESIS: treasuryCap.toString() } })[0]).toMatch(
      /^genesis\.phases: .* of GOVERNMENT_GENESIS, above its cap/,
    );
  });

  it('refuses ages out of order or range, no or too many phases, non-positive limits', () => {
    const params = systemParams();
    const genesis = params.genesis;
    expect(issues({ ...params, genesis: { ...genesis, minAge: 74, maxAge: 73 } })).toEqual([
      'genesis.maxAge: must not be below minAge',
    ]);
    expect(issues({ ...params, genesis: { ...genesis, maxAge: 151 } })[0]).toMatch(/^genesis\.maxAge: /);
    expect(issues({ ...params, genesis: { ...genesis, phases: [] } })[0]).toMatch(/^genesis\.phases: /);
    const phase = genesis.phases[0]!;
    expect(issues({ ...params, genesis: { ...genesis, phases: Array(17).fill(phase) } })[0]).toMatch(
      /^genesis\.phases: Too big/,
    );
    expect(issues({ ...params, genesis: { ...genesis, phases: [{ ...phase, limit: 0 }] } })[0]).toMatch(
      /^genesis\.phases\.0\.limit: /,
    );
    expect(issues({ ...params, version: 1 })[0]).toMatch(/^version: /);
  });
});
