/**
 * `npm run bench -- --only fee-transfers`: transfers between disjoint pairs with the fee schedule on, as a
 * share of the same transfers with every fee cell at 0 bps, on the same ledger in the same run (goal ≥ 90%);
 * each the mean of two phases, taken off, on, on, off after an unmeasured warm-up.
 * A fee costs a transfer one more key, the sender's own fee shard, which no other pair writes
 * (docs/tokenomics.md, "No hot keys"), so it should cost little. Through the outbox, the submitter and devnet
 * (tokenomics-ledger.ts).
 */
import type { BenchOptions, BenchResult } from './harness.js';
import { defaultFeeCell, mean, type PhaseRate, startTokenomicsLedger, zeroFeeCell } from './tokenomics-ledger.js';

/** 10 GX: above the free tier, so every transfer pays (pairs are cross-border: 15 bps). */
const AMOUNT = 10_000_000n;
/** Users spread over this many countries: consecutive ids differ in country, so each pair is cross-border. */
const COUNTRIES = 64;

export async function benchFeeTransfers({ quick, serverUrl }: BenchOptions): Promise<BenchResult[]> {
  const users = quick ? 256 : 2_048;
  const perPair = quick ? 4 : 8;
  const ledger = await startTokenomicsLedger(serverUrl);
  try {
    const { ids } = await ledger.register(users, COUNTRIES);
    // Unmeasured: the first transfers warm the chaincode, the client and PostgreSQL up (a short warm-up left
    // the first measured phase a third slower than the last).
    await ledger.transfer(ids, 2 * perPair, AMOUNT);
    // Fees off, on, on, off: the rates still climb from phase to phase (the processes keep warming up), and
    // this order makes a steady climb weigh on both kinds alike (off, on, off, on favoured fees on by ~40%).
    const runs = { plain: [] as PhaseRate[], withFees: [] as PhaseRate[] };
    for (const fees of [false, true, true, false]) {
      await ledger.setFees(fees ? defaultFeeCell : zeroFeeCell);
      (fees ? runs.withFees : runs.plain).push(await ledger.transfer(ids, perPair, AMOUNT));
    }
    const [plain, withFees] = [mean(runs.plain), mean(runs.withFees)];
    const share = Math.round((withFees.perSecond / plain.perSecond) * 1000) / 10;
    const settings = { pairs: users / 2, transfersPerPair: perPair, amount: AMOUNT.toString() };
    // Each phase's own rate beside the mean: how far the two phases of a kind differ is the run's noise.
    const phases = (rates: PhaseRate[]) => rates.map((rate) => rate.perSecond).join(' / ');
    return [
      {
        scenario: 'fee-transfers (disjoint pairs, every fee cell 0 bps)',
        metric: 'plain transfers/s',
        value: plain.perSecond,
        unit: 'tx/s',
        settings: { ...settings, transfers: plain.commands, failed: plain.failed, phases: phases(runs.plain) },
      },
      {
        scenario: 'fee-transfers (disjoint pairs, default fee schedule)',
        metric: 'transfers/s with fees on between disjoint pairs',
        value: withFees.perSecond,
        unit: 'tx/s',
        goal: '≥ 90% of plain transfers/s',
        settings: {
          ...settings,
          transfers: withFees.commands,
          failed: withFees.failed,
          phases: phases(runs.withFees),
          shareOfPlain: share,
        },
      },
      {
        scenario: 'fee-transfers (disjoint pairs, default fee schedule)',
        metric: 'share of plain transfers/s',
        value: share,
        unit: '%',
        goal: '≥ 90%',
      },
    ];
  } finally {
    await ledger.close();
  }
}
