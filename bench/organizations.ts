/**
 * The cost of a second organization: devnet with one and with two organizations (MAJORITY: both endorse, each
 * peer running the chaincode on its own instance and signing its endorsement, and validation checking both
 * signatures), driven alike through the real client with outcomes from one filtered-block stream.
 * Both rows run here, in turn, so they share the machine's conditions.
 */
import { benchDevnet } from './devnet.js';
import type { BenchOptions, BenchResult } from './harness.js';

export async function organizationScenarios({ quick }: BenchOptions): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const orgs of [1, 2]) {
    const run = await benchDevnet({
      transactions: quick ? 2_000 : 10_000,
      inFlight: 256,
      commits: 'block-stream',
      orgs,
    });
    results.push({
      scenario:
        orgs === 1
          ? 'devnet, one organization (real client, commits from the block stream)'
          : 'devnet, two organizations, MAJORITY endorsement (real client, commits from the block stream)',
      metric: 'transactions/s',
      value: Math.round(run.tps),
      unit: 'tx/s',
      p50: run.p50,
      p95: run.p95,
      p99: run.p99,
      settings: {
        orgs,
        inFlight: run.inFlight,
        transactions: run.transactions,
        failures: run.failures,
        mode: run.mode,
        clientCpuMsPerTx: run.clientCpuMsPerTx,
        ...(run.devnetCpuMsPerTx === undefined ? {} : { devnetCpuMsPerTx: run.devnetCpuMsPerTx }),
      },
    });
  }
  return results;
}
