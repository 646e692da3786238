/**
 * Waits that follow the ledger's pace. On devnet a block is cut within milliseconds; on a real network a
 * transaction waits for its block (a 2 s batch timeout on Fabric's test network), so a test that commits N
 * transactions one after another (e.g. N transfers from one sender, which conflict unless they go one per
 * block) needs about N block intervals. The external run measures the interval once (global setup) and every
 * wait that depends on the number of blocks scales with it (`ledgerWaitMs`, ./ledger-wait.ts, in test files).
 * No vitest import here: the global setup uses this module.
 */
import type { LedgerClient } from '../../src/ledger/index.js';

/**
 * Time from submit to commit of a transaction, averaged over `samples` sequential transactions that write
 * nothing (`AdminContract:Ping`): each waits for a block of its own, so on a network that cuts blocks by
 * timeout this is the block interval.
 */
export async function measureBlockInterval(ledger: LedgerClient, samples = 3): Promise<number> {
  // The first submission opens connections and streams: not counted.
  await ledger.submit({ contract: 'AdminContract', fn: 'Ping', args: [], signer: 'registrar' });
  const started = performance.now();
  for (let i = 0; i < samples; i += 1) {
    await ledger.submit({ contract: 'AdminContract', fn: 'Ping', args: [], signer: 'registrar' });
  }
  return Math.round((performance.now() - started) / samples);
}

/** `baseMs` plus `blocks` block intervals with half again as margin: what waiting for `blocks` blocks takes. */
export function scaledWaitMs(baseMs: number, blocks: number, blockIntervalMs: number): number {
  return Math.round(baseMs + blocks * blockIntervalMs * 1.5);
}
