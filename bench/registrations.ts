/**
 * `npm run bench -- --only registrations`: registrations with genesis across countries, as a share of plain
 * transfers between disjoint pairs (every fee cell 0 bps) on the same ledger in the same run (goal ≥ 90%).
 * A registration writes its country's phase counter and treasury, so registrations of one country run one
 * after the other and those of different countries side by side (docs/tokenomics.md, "No hot keys"). Driven
 * through the outbox, the submitter and devnet (tokenomics-ledger.ts), not through HTTP admin approval.
 */
import type { BenchOptions, BenchResult } from './harness.js';
import { startTokenomicsLedger, zeroFeeCell } from './tokenomics-ledger.js';

/** Countries the registrations are spread over, round-robin (the default table's first ones). */
const COUNTRIES = 64;
const AMOUNT = 10_000_000n;

export async function benchRegistrations({ quick, serverUrl }: BenchOptions): Promise<BenchResult[]> {
  const users = quick ? 512 : 8_192;
  const perPair = quick ? 2 : 4;
  const ledger = await startTokenomicsLedger(serverUrl);
  try {
    // Unmeasured warm-ups of each kind first: the first commands warm the chaincode, the client and PostgreSQL.
    await ledger.register(users / 4, COUNTRIES);
    const registered = await ledger.register(users, COUNTRIES);
    await ledger.setFees(zeroFeeCell);
    await ledger.transfer(registered.ids, perPair, AMOUNT);
    const plain = await ledger.transfer(registered.ids, perPair, AMOUNT);
    const share = Math.round((registered.rate.perSecond / plain.perSecond) * 1000) / 10;
    return [
      {
        scenario: `registrations (${COUNTRIES} countries, genesis on)`,
        metric: 'registrations/s across countries',
        value: registered.rate.perSecond,
        unit: 'reg/s',
        goal: '≥ 90% of plain transfers/s',
        settings: { registrations: users, countries: COUNTRIES, failed: registered.rate.failed, shareOfPlain: share },
      },
      {
        scenario: 'registrations (baseline: disjoint pairs, every fee cell 0 bps)',
        metric: 'plain transfers/s',
        value: plain.perSecond,
        unit: 'tx/s',
        settings: { pairs: users / 2, transfersPerPair: perPair, transfers: plain.commands, failed: plain.failed },
      },
      {
        scenario: `registrations (${COUNTRIES} countries, genesis on)`,
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
