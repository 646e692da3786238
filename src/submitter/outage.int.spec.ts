/**
 * Outages lose no command (issue: networks of several organizations). On a two-organization devnet with the
 * MAJORITY policy, the second organization's peer is stopped for longer than the submitter's whole retry
 * budget: the submitter pauses claiming and probes, readiness reports that no write can be endorsed, and
 * when the peer returns every pending command commits with its first attempt, none dead-lettered.
 */
import { individual, roomyGenesis, systemParams } from '@gx/chaincode/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import {
  bootstrapTestLedger,
  devnetOnly,
  externalLedger,
  startTestLedger,
  type TestLedger,
} from '../../test/support/ledger.js';
import { createUserPayload, readRows, waitForRows } from '../../test/support/outbox.js';
import { loadConfig } from '../config.js';
import { createLedgerClient, type LedgerClient } from '../ledger/index.js';
import { ledgerHealth } from '../observability/health.js';
import { createLogger } from '../observability/logger.js';
import { registry } from '../observability/metrics.js';
import { enqueueCommand } from '../outbox/enqueue.js';
import { submitterReadiness } from './readiness.js';
import { type Submitter, startSubmitter } from './submitter.js';

const logger = createLogger({ level: 'silent', role: 'test' });

/** The retry budget under test: 3 attempts, 20 ms doubling to at most 100 ms apart (well under a second). */
const MAX_ATTEMPTS = 3;

let devnet: TestLedger;
let db: TestDatabase;
let ledger: LedgerClient;
let submitter: Submitter | undefined;

async function metric(name: string): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.reduce((sum, value) => sum + value.value, 0);
}

beforeAll(async () => {
  devnet = await startTestLedger({ devnet: { orgs: 2 } });
  db = await createTestDatabase({ migrated: true });
  ledger = await createLedgerClient(loadConfig(devnet.env()).fabric, { logger, name: 'outage-spec' });
  await bootstrapTestLedger(ledger, systemParams({ genesis: roomyGenesis('1000') }));
});

afterAll(async () => {
  await submitter?.stop();
  await ledger?.close();
  await db?.drop();
  await devnet?.stop();
});

describe.skipIf(externalLedger)(`an organization's peer down ${devnetOnly('stops a peer')}`, () => {
  it('pauses, reports the outage, and commits every command after recovery with none dead-lettered', async () => {
    submitter = await startSubmitter({
      pool: db.pool,
      clientConfig: { connectionString: db.url },
      ledger,
      logger,
      window: 64,
      batchSize: 16,
      maxAttempts: MAX_ATTEMPTS,
      backoffBaseMs: 20,
      backoffMaxMs: 100,
      maintenanceIntervalMs: 200,
      outageProbe: { initialMs: 50, maxMs: 500 },
    });
    const readyBefore = await submitterReadiness(db.pool, ledger, submitter);
    expect(readyBefore.status).toBe('ready');
    const pausesBefore = await metric('gx_submitter_outage_pauses_total');

    await devnet.faults.stopPeer('Org2MSP');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push(
        (
          await enqueueCommand(db.pool, {
            commandType: 'CREATE_USER',
            payload: createUserPayload(individual()),
            submittedBy: 'test',
          })
        ).commandId,
      );
    }
    // The first attempt met the outage: the submitter paused instead of spending attempts.
    await expect.poll(() => submitter?.ledgerUnavailable(), { timeout: 15_000 }).toBe(true);
    expect(await metric('gx_submitter_ledger_unavailable')).toBe(1);
    expect(await metric('gx_submitter_outage_pauses_total')).toBe(pausesBefore + 1);
    const during = await submitterReadiness(db.pool, ledger, submitter);
    expect(during.status).toBe('degraded');
    expect(during.checks.ledger).toMatchObject({ ok: false, reachable: true, endorsable: false, paused: true });
    expect(during.checks.ledger?.error).toContain('no peer combination can satisfy the endorsement policy');
    // The API's ledger check (its /readyz) asks the same question: a write endorsed, not one peer answering.
    expect(await ledgerHealth(ledger)).toMatchObject({ reachable: true, endorsable: false });
    await expect(ledger.evaluate('AdminContract', 'Ping', [])).resolves.toBeDefined();

    // Longer than the whole retry budget (3 attempts under a second apart): every command still waits, the
    // ones the outage met given back with their attempt uncounted and the reason on the row.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const waiting = await readRows(db.pool, ids);
    expect(waiting.map((row) => [row.status, row.attempts])).toEqual(ids.map(() => ['PENDING', 0]));
    expect(waiting.some((row) => row.error?.startsWith('waiting for the ledger to endorse again: '))).toBe(true);

    await devnet.faults.startPeer('Org2MSP');
    const rows = await waitForRows(db.pool, ids);
    expect(rows.map((row) => row.status)).toEqual(ids.map(() => 'COMMITTED'));
    expect(rows.every((row) => row.attempts === 1)).toBe(true);
    expect(submitter.ledgerUnavailable()).toBe(false);
    expect(await metric('gx_submitter_ledger_unavailable')).toBe(0);
    const after = await submitterReadiness(db.pool, ledger, submitter);
    expect(after.status).toBe('ready');
    expect(after.checks.ledger).toMatchObject({ ok: true, endorsable: true, paused: false });
    expect(await ledgerHealth(ledger)).toMatchObject({ reachable: true, endorsable: true });
  });
});
