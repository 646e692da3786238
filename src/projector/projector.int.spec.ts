import { randomUUID } from 'node:crypto';
/**
 * The projector in-process against a devnet over real gRPC (the production ledger client) and real
 * PostgreSQL: each handler's effect compared with the ledger's own state, resume after the stream is
 * dropped, and quarantine of invalid events between valid ones.
 */
import { treasuryIdOf } from '@gx/chaincode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import {
  devnetOnly,
  externalLedger,
  projectFromCurrentBlock,
  startTestLedger,
  type TestLedger,
} from '../../test/support/ledger.js';
import {
  LedgerScenario,
  RAW_EVENTS_CHAINCODE,
  type ScenarioUser,
  scenarioParams,
} from '../../test/support/ledger-scenario.js';
import { insertProfile, rows } from '../../test/support/projection.js';
import { loadConfig } from '../config.js';
import { createLedgerClient, type LedgerClient } from '../ledger/index.js';
import { createLogger } from '../observability/logger.js';
import { registry } from '../observability/metrics.js';
import { readCheckpoint } from './checkpoint.js';
import { createProjector, DEFAULT_PROJECTION } from './projector.js';

const logger = createLogger({ level: 'silent', role: 'projector-test' });
let db: TestDatabase;
let devnet: TestLedger;
let ledger: LedgerClient;
let scenario: LedgerScenario;
const stop = new AbortController();
let running: Promise<void>;

async function projectedUpTo(block: bigint): Promise<void> {
  await expect
    .poll(async () => (await readCheckpoint(db.pool, DEFAULT_PROJECTION))?.blockNumber ?? -1n, { timeout: 20_000 })
    .toBeGreaterThanOrEqual(block);
}

async function metricValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return Number(value?.value ?? 0);
}

beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
  devnet = await startTestLedger({ devnet: { chaincodes: [{ name: 'gxtv3', module: RAW_EVENTS_CHAINCODE }] } });
  ledger = await createLedgerClient(loadConfig(devnet.env()).fabric, {
    logger,
    reconnect: { initialMs: 50, maxMs: 500 },
  });
  scenario = new LedgerScenario(ledger, { outbox: db.pool });
  await projectFromCurrentBlock(db.pool, ledger);
  running = createProjector({ pool: db.pool, source: ledger, logger, reconnect: { initialMs: 50, maxMs: 500 } }).run(
    stop.signal,
  );
});

afterAll(async () => {
  stop.abort();
  await running;
  await ledger?.close();
  await devnet?.stop();
  await db?.drop();
});

describe(`projector on ${externalLedger ? 'an external' : 'a devnet'} ledger`, () => {
  let alice: ScenarioUser;
  let bob: ScenarioUser;
  let carol: ScenarioUser;

  it('applies every event family and ends with the ledger’s balances, users and parameters', async () => {
    const [aliceProfile, bobProfile, carolProfile] = [
      await insertProfile(db.pool),
      await insertProfile(db.pool),
      await insertProfile(db.pool),
    ];
    // Alice's command as the API would have stored it (the scenario records it): the projector finds her profile
    // through it and marks it projected.
    const aliceRequest = randomUUID();

    // An external ledger was bootstrapped once for the whole run (test/support/global-setup.ts).
    const bootstrapped = !externalLedger;
    if (bootstrapped) await scenario.bootstrap();
    alice = await scenario.createUser(aliceProfile, aliceRequest);
    bob = await scenario.createUser(bobProfile);
    carol = await scenario.createUser(carolProfile);
    await scenario.transfer(alice, bob, '250000', 'dinner');
    await scenario.transfer(bob, carol, '1000');
    const last = await scenario.setStatus(carol, 'LOCKED', 'suspicious');
    await projectedUpTo(last.blockNumber);

    const own = [alice.fabricUserId, bob.fabricUserId, carol.fabricUserId];
    // The treasury and the system parameters are this test's own only on its own devnet; on a shared ledger
    // other tests' registrations move the treasury's balance at the same time, and the bootstrap happened before.
    for (const account of externalLedger ? own : [...own, treasuryIdOf('MY')]) {
      const [wallet] = await rows(db.pool, 'SELECT balance FROM wallet WHERE fabric_user_id = $1', [account]);
      expect({ account, balance: wallet?.balance }).toEqual({ account, balance: await scenario.balance(account) });
    }
    expect(
      await rows(
        db.pool,
        `SELECT p.profile_id, p.fabric_user_id, p.onchain_status, p.is_locked, p.lock_reason, w.profile_id AS wallet_profile
           FROM user_profile p JOIN wallet w ON w.fabric_user_id = p.fabric_user_id ORDER BY p.fabric_user_id`,
      ),
    ).toEqual(
      [
        { profile_id: aliceProfile, fabric_user_id: alice.fabricUserId, is_locked: false, lock_reason: null },
        { profile_id: bobProfile, fabric_user_id: bob.fabricUserId, is_locked: false, lock_reason: null },
        { profile_id: carolProfile, fabric_user_id: carol.fabricUserId, is_locked: true, lock_reason: 'suspicious' },
      ]
        .map((p) => ({ ...p, onchain_status: 'REGISTERED', wallet_profile: p.profile_id }))
        .sort((a, b) => a.fabric_user_id.localeCompare(b.fabric_user_id)),
    );
    expect(
      await rows(
        db.pool,
        `SELECT type, count(*)::int AS n FROM transaction_history WHERE fabric_user_id = ANY($1)
          GROUP BY type ORDER BY type`,
        [own],
      ),
    ).toEqual([
      { type: 'GENESIS', n: 3 },
      { type: 'TRANSFER_IN', n: 2 },
      { type: 'TRANSFER_OUT', n: 2 },
    ]);
    if (bootstrapped) {
      const [params] = await rows(db.pool, `SELECT value FROM system_state WHERE key = 'params'`);
      expect(params?.value).toMatchObject({ version: 2, tokenSymbol: 'GX', fees: scenarioParams().fees });
    }
    expect(
      await rows(db.pool, 'SELECT projected_at IS NOT NULL AS projected FROM outbox_command WHERE request_id = $1', [
        aliceRequest,
      ]),
    ).toEqual([{ projected: true }]);
    // Three users (with their geneses), two transfers, one lock (and the bootstrap, when it happened here).
    expect(await metricValue('projector_events_processed_total', { status: 'applied' })).toBeGreaterThanOrEqual(
      6 + (bootstrapped ? 1 : 0),
    );
  });

  it.skipIf(externalLedger)(
    `resumes from the checkpoint when the devnet drops the event stream ${devnetOnly('needs fault injection')}`,
    async () => {
      const reconnectsBefore = await metricValue('projector_stream_reconnects_total');
      devnet.faults.dropStreams();
      const outcome = await scenario.transfer(alice, bob, '777');
      await projectedUpTo(outcome.blockNumber);

      expect(await metricValue('projector_stream_reconnects_total')).toBeGreaterThan(reconnectsBefore);
      const [wallet] = await rows(db.pool, 'SELECT balance FROM wallet WHERE fabric_user_id = $1', [bob.fabricUserId]);
      expect(wallet?.balance).toBe(await scenario.balance(bob.fabricUserId));
      expect(
        await rows(db.pool, 'SELECT tx_id, fabric_user_id FROM transaction_history GROUP BY 1, 2 HAVING count(*) > 1'),
      ).toEqual([]);
      expect(await rows(db.pool, 'SELECT count(*)::int AS n FROM transaction_history')).toEqual([{ n: 9 }]);
    },
  );

  it.skipIf(externalLedger)(
    `quarantines an invalid and an unknown event and still applies the events after them ${devnetOnly('needs the raw-events fixture chaincode')}`,
    async () => {
      const invalid = await scenario.emitRaw('TransferCompleted', '{"version":1,"amount":"lots"}');
      const unknown = await scenario.emitRaw('TokensBurned', '{"version":1}');
      const after = await scenario.transfer(bob, alice, '5');
      await projectedUpTo(after.blockNumber);

      expect(
        await rows(db.pool, 'SELECT tx_id, event_name, block_number FROM projector_rejected_event ORDER BY id'),
      ).toEqual([
        { tx_id: invalid.transactionId, event_name: 'TransferCompleted', block_number: String(invalid.blockNumber) },
        { tx_id: unknown.transactionId, event_name: 'TokensBurned', block_number: String(unknown.blockNumber) },
      ]);
      expect(await metricValue('projector_events_processed_total', { status: 'rejected' })).toBe(2);
      const [wallet] = await rows(db.pool, 'SELECT balance FROM wallet WHERE fabric_user_id = $1', [
        alice.fabricUserId,
      ]);
      expect(wallet?.balance).toBe(await scenario.balance(alice.fabricUserId));
    },
  );

  it('refuses and quarantines a user the ledger created for one of our profiles without a command of ours (issue 29)', async () => {
    const profileId = await insertProfile(db.pool);
    // Signed with the registrar identity, but not issued by this backend: no outbox row names its request id.
    const stranger = await new LedgerScenario(ledger).createUser(profileId);
    const refusedBefore = await metricValue('projector_events_refused_total');
    const after = await scenario.transfer(alice, bob, '1');
    await projectedUpTo(after.blockNumber);

    expect(
      await rows(db.pool, 'SELECT fabric_user_id, onchain_status FROM user_profile WHERE profile_id = $1', [profileId]),
    ).toEqual([{ fabric_user_id: null, onchain_status: 'PENDING' }]);
    expect(
      await rows(db.pool, 'SELECT profile_id FROM wallet WHERE fabric_user_id = $1', [stranger.fabricUserId]),
    ).toEqual([{ profile_id: null }]);
    const [quarantined] = await rows<{ reason: string }>(
      db.pool,
      `SELECT reason FROM projector_rejected_event WHERE event_name = 'UserCreated' ORDER BY id DESC LIMIT 1`,
    );
    expect(quarantined?.reason).toMatch(/^refused: no CREATE_USER command/);
    expect(await metricValue('projector_events_refused_total')).toBe(refusedBefore + 1);
  });
});
