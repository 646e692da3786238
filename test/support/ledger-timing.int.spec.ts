/**
 * Waits scale with the ledger's block interval: measured on a devnet that holds every block back as a real
 * network's batch timeout does, then applied to the SIGKILL end-to-end test's 40 one-per-block transfers
 * (on a real peer with 2 s blocks they took ~82 s against a fixed 60 s wait).
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLedgerClient } from '../../src/ledger/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { startTestDevnet } from './devnet.js';
import { devnetOnly, externalLedger } from './ledger.js';
import { measureBlockInterval, scaledWaitMs } from './ledger-timing.js';
import { ledgerWaitMs } from './ledger-wait.js';

describe('ledger-paced waits', () => {
  it('allow 40 blocks of 2 s (82 s measured on a real peer) where a fixed 60 s did not', () => {
    const wait = scaledWaitMs(60_000, 40, 2_000);
    expect(wait).toBeGreaterThan(82_000);
    expect(scaledWaitMs(60_000, 40, 0)).toBe(60_000);
  });

  it.skipIf(externalLedger)('add nothing on this run’s devnets', () => {
    expect(ledgerWaitMs(60_000, 40)).toBe(60_000);
  });

  it.skipIf(externalLedger)(
    `measure the interval from submit to commit ${devnetOnly('needs a set commit latency')}`,
    async () => {
      const devnet = await startTestDevnet({ commitLatencyMs: 250 });
      const ledger = await createLedgerClient(loadConfig(devnet.env()).fabric, {
        logger: createLogger({ level: 'silent', role: 'timing-test' }),
      });
      try {
        const interval = await measureBlockInterval(ledger, 2);
        expect(interval).toBeGreaterThanOrEqual(240);
        expect(interval).toBeLessThan(2_000);
        expect(scaledWaitMs(60_000, 40, interval)).toBeGreaterThanOrEqual(60_000 + 40 * 240);
      } finally {
        await ledger.close();
        await devnet.stop();
      }
    },
  );
});
