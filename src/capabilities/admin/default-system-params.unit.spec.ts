import { poolNames, sharePpb, shareSumTolerance, systemParamsSchema } from '@gx/chaincode';
import { describe, expect, it } from 'vitest';
import { COUNTRY_POPULATIONS, defaultCountryTable, isAssignedCountryCode } from './country-populations.js';
import { DEFAULT_SYSTEM_PARAMS } from './default-system-params.js';

const GX = 1_000_000n;

describe('the default country table', () => {
  const table = DEFAULT_SYSTEM_PARAMS.countries;

  it('lists every code once, each an assigned ISO 3166-1 alpha-2 code of a country', () => {
    const codes = table.map((country) => country.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(isAssignedCountryCode(code), code).toBe(true);
    // The 193 UN member states, the two observer states and Taiwan.
    expect(codes).toHaveLength(196);
  });

  it('has shares proportional to population that sum to 1 within 1e-6, in whole parts per billion', () => {
    const total = COUNTRY_POPULATIONS.reduce((sum, [, population]) => sum + population, 0);
    expect(total).toBeGreaterThan(7.9e9);
    expect(total).toBeLessThan(8.1e9);
    const sum = table.reduce((acc, country) => acc + country.populationShare, 0);
    expect(Math.abs(sum - 1)).toBeLessThanOrEqual(shareSumTolerance);
    expect(table.reduce((acc, country) => acc + sharePpb(country.populationShare), 0)).toBe(1_000_000_000);
    for (const [code, population] of COUNTRY_POPULATIONS) {
      const share = table.find((country) => country.code === code)?.populationShare ?? 0;
      expect(Math.abs(share - population / total), code).toBeLessThanOrEqual(1e-9);
      expect(share, code).toBeGreaterThan(0);
    }
    const india = table.find((country) => country.code === 'IN')?.populationShare ?? 0;
    expect(india).toBeGreaterThan(0.17);
    expect(india).toBeLessThan(0.19);
  });

  it('normalizes any table to exactly 10⁹ parts per billion, however its populations round', () => {
    const table3 = defaultCountryTable([
      ['AA', 1],
      ['BB', 1],
      ['CC', 1],
    ]);
    expect(table3.map((country) => sharePpb(country.populationShare)).reduce((a, b) => a + b, 0)).toBe(1_000_000_000);
  });
});

describe('isAssignedCountryCode', () => {
  it.each([
    ['MY', true],
    ['TW', true],
    ['QQ', false],
    ['XX', false],
    ['UK', false],
    ['ZZ', false],
    ['my', false],
    ['MYS', false],
  ])('%s → %s', (code, assigned) => {
    expect(isAssignedCountryCode(code)).toBe(assigned);
  });
});

describe('DEFAULT_SYSTEM_PARAMS', () => {
  it("is a valid version 2 bootstrap for the chaincode's own schema (caps hold for every slot)", () => {
    const parsed = systemParamsSchema.safeParse(DEFAULT_SYSTEM_PARAMS);
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it("carries docs/domain.md's supply, pool caps, phases and fee table", () => {
    const params = DEFAULT_SYSTEM_PARAMS;
    expect(BigInt(params.maxSupply)).toBe(1_250_000_000_000n * GX);
    expect(poolNames.map((pool) => BigInt(params.pools[pool]) / GX)).toEqual([
      577_500_000_000n,
      312_500_000_000n,
      158_000_000_000n,
      152_000_000_000n,
      31_250_000_000n,
      18_750_000_000n,
    ]);
    expect(poolNames.reduce((sum, pool) => sum + BigInt(params.pools[pool]), 0n)).toBe(BigInt(params.maxSupply));
    expect(
      params.genesis.phases.map((phase) => [
        phase.limit,
        BigInt(phase.userAmount) / GX,
        BigInt(phase.treasuryAmount) / GX,
      ]),
    ).toEqual([
      [100_000_000, 500n, 50n],
      [200_000_000, 400n, 50n],
      [300_000_000, 300n, 50n],
      [400_000_000, 200n, 50n],
      [1_550_000_000, 100n, 50n],
      [2_450_000_000, 50n, 10n],
    ]);
    expect([params.genesis.minAge, params.genesis.maxAge]).toEqual([13, 73]);
    expect(params.fees.P2P.LOCAL).toEqual([
      { minAmount: '0', bps: 0 },
      { minAmount: '3000000', bps: 5 },
      { minAmount: '100000001', bps: 10 },
    ]);
    expect(params.fees.P2P.CROSS_BORDER).toEqual([
      { minAmount: '0', bps: 15 },
      { minAmount: '100000001', bps: 25 },
    ]);
    const flat = (type: 'MERCHANT' | 'GOVERNMENT' | 'B2B') =>
      [params.fees[type].LOCAL, params.fees[type].CROSS_BORDER].map((bands) => bands.map((band) => band.bps));
    expect([flat('MERCHANT'), flat('GOVERNMENT'), flat('B2B')]).toEqual([
      [[15], [30]],
      [[10], [20]],
      [[20], [40]],
    ]);
  });
});
