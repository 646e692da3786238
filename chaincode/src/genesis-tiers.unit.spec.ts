import { describe, expect, it } from 'vitest';
import { nextGenesisTier } from './genesis-tiers';

describe('nextGenesisTier', () => {
  const tiers = [
    { recipients: 2, amount: '1000' },
    { recipients: 3, amount: '500' },
    { recipients: 1, amount: '1' },
  ];

  it('walks the tiers in order by recipients served', () => {
    expect([0, 1, 2, 3, 4, 5].map((served) => nextGenesisTier(tiers, served))).toEqual([
      { tier: 1, amount: '1000' },
      { tier: 1, amount: '1000' },
      { tier: 2, amount: '500' },
      { tier: 2, amount: '500' },
      { tier: 2, amount: '500' },
      { tier: 3, amount: '1' },
    ]);
  });

  it('is exhausted after the last tier', () => {
    expect(nextGenesisTier(tiers, 6)).toBeUndefined();
    expect(nextGenesisTier(tiers, 1_000)).toBeUndefined();
  });
});
