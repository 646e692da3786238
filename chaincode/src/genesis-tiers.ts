import type { SystemParams } from './events';

/**
 * The tier serving the next genesis recipient when `served` users have already received theirs: tiers are
 * consumed in order, tier i serving `recipients` users after every earlier tier's. `undefined` once all are used.
 */
export function nextGenesisTier(
  tiers: SystemParams['genesisTiers'],
  served: number,
): { tier: number; amount: string } | undefined {
  let capacity = 0;
  for (const [index, candidate] of tiers.entries()) {
    capacity += candidate.recipients;
    if (served < capacity) return { tier: index + 1, amount: candidate.amount };
  }
  return undefined;
}
