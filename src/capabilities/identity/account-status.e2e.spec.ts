/**
 * The arrows of the profile status machine that the ledger drives, over HTTP with the whole system: devnet
 * (real Fabric Gateway protocol, gxtv3), the submitter, the projector, one real PostgreSQL database.
 * A CREATE_USER dead-lettered by a devnet fault leaves the profile ONCHAIN_FAILED; the admin's re-drive
 * registers it exactly once; a projected registration makes it ACTIVE, a projected freeze FROZEN and back.
 */
import { freezeReasons } from '@gx/chaincode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestApi, type TestApi } from '../../../test/support/api-server.js';
import {
  devnetOnly,
  externalLedger,
  firstTierGenesis,
  ledgerParams,
  projectFromCurrentBlock,
  startTestLedger,
  type TestLedger,
} from '../../../test/support/ledger.js';
import { scenarioParams } from '../../../test/support/ledger-scenario.js';
import { loadConfig } from '../../config.js';
import { createLedgerClient, type LedgerClient } from '../../ledger/index.js';
import { createLogger } from '../../observability/logger.js';
import { createProjector } from '../../projector/projector.js';
import { type Submitter, startSubmitter } from '../../submitter/index.js';

const logger = createLogger({ level: process.env.GX_TEST_LOG_LEVEL ?? 'silent', role: 'account-status-e2e' });
let devnet: TestLedger;
let ledger: LedgerClient;
let api: TestApi;
let submitter: Submitter;
const stopProjector = new AbortController();
let projecting: Promise<void>;
let admin: Session;
let genesis = firstTierGenesis(scenarioParams());

beforeAll(async () => {
  devnet = await startTestLedger();
  ledger = await createLedgerClient(loadConfig(devnet.env()).fabric, { logger, name: 'account-status-e2e' });
  api = await startTestApi({ ledger });
  // Two attempts, then the dead letter: a fault that outlasts them fails the command for good.
  submitter = await startSubmitter({
    pool: api.db.pool,
    clientConfig: { connectionString: api.db.url },
    ledger,
    logger,
    window: 64,
    batchSize: 64,
    maxAttempts: 2,
    backoffBaseMs: 20,
    backoffMaxMs: 100,
  });
  await projectFromCurrentBlock(api.db.pool, ledger);
  projecting = createProjector({ pool: api.db.pool, source: ledger, logger }).run(stopProjector.signal);
  admin = await api.admin();
  if (externalLedger) genesis = firstTierGenesis(await ledgerParams(ledger));
  else {
    const boot = await api.request('POST', '/api/v1/bootstrap', {
      token: admin.accessToken,
      body: { params: scenarioParams() },
    });
    expect(boot.status).toBe(202);
    expect((await follow(boot.body.commandId)).event).toBe('projected');
  }
}, 120_000);

afterAll(async () => {
  if (!externalLedger) devnet?.faults.clear();
  stopProjector.abort();
  await projecting;
  await submitter?.stop();
  await api?.close();
  await ledger?.close();
  await devnet?.stop();
});

/** Follows the command's event stream to its end (projected, or failed for good). */
async function follow(commandId: string): Promise<{ event: string; data: Record<string, unknown> }> {
  const response = await fetch(`${api.url}/api/v1/commands/${commandId}/events`, {
    headers: { authorization: `Bearer ${admin.accessToken}` },
  });
  expect(response.status).toBe(200);
  const blocks = (await response.text()).split('\n\n').filter((block) => block.includes('event: '));
  const last = blocks.at(-1) ?? '';
  return {
    event: /^event: (.*)$/m.exec(last)?.[1] ?? '',
    data: JSON.parse(/^data: (.*)$/m.exec(last)?.[1] ?? '{}'),
  };
}

async function profileOf(user: Session) {
  return (await api.request('GET', `/api/v1/users/${user.profileId}`, { token: admin.accessToken })).body;
}

async function transitions(profileId: string): Promise<string[]> {
  const rows = await api.db.pool.query(
    `SELECT details->>'from' AS "from", details->>'to' AS "to" FROM audit_log
      WHERE action = 'user.status' AND target_id = $1 ORDER BY id`,
    [profileId],
  );
  return rows.rows.map((row) => `${row.from}>${row.to}`);
}

describe('status arrows driven by the ledger', () => {
  it.skipIf(externalLedger)(
    `a dead-lettered CREATE_USER leaves the profile ONCHAIN_FAILED; the re-drive registers it exactly once ${devnetOnly('needs fault injection')}`,
    async () => {
      const user = await api.registerUser({ nationalityCountryCode: 'MY' });
      await api.passKyc(user);
      // A failure of the command itself (it loses every MVCC race): an unreachable endorser would be an outage,
      // which the submitter waits out without spending attempts.
      devnet.faults.forceMvccConflicts(1_000);
      const approval = await api.request('POST', `/api/v1/admin/users/${user.profileId}/approve`, {
        token: admin.accessToken,
      });
      expect(approval.status).toBe(202);
      const commandId: string = approval.body.commandId;
      expect((await follow(commandId)).event).toBe('failed');
      expect(await profileOf(user)).toMatchObject({
        accountStatus: 'ONCHAIN_FAILED',
        status: 'APPROVED',
        onchainStatus: 'FAILED',
      });

      devnet.faults.clear();
      const retried = await api.request('POST', `/api/v1/admin/users/${user.profileId}/retry-onchain`, {
        token: admin.accessToken,
      });
      expect(retried.status).toBe(202);
      // The same command (its request id, so its ledger transaction), queued again: never a second registration.
      expect(retried.body).toEqual({ commandId, status: 'PENDING' });
      expect((await follow(commandId)).event).toBe('projected');
      const registered = await profileOf(user);
      expect(registered).toMatchObject({
        accountStatus: 'ACTIVE',
        onchainStatus: 'REGISTERED',
        fabricUserId: approval.body.fabricUserId,
      });
      const wallet = await api.request('GET', '/api/v1/wallets/me', { token: user.accessToken });
      expect(wallet.body.balance).toBe(String(genesis));
      const creates = await api.db.pool.query(
        `SELECT count(*)::int AS n FROM outbox_command WHERE command_type = 'CREATE_USER' AND payload->>'profileId' = $1`,
        [user.profileId],
      );
      expect(creates.rows[0].n).toBe(1);

      const again = await api.request('POST', `/api/v1/admin/users/${user.profileId}/retry-onchain`, {
        token: admin.accessToken,
      });
      expect(again.status).toBe(409);
      expect(again.body.message).toContain('ACTIVE');
      expect(await transitions(user.profileId)).toEqual([
        'REGISTERED>KYC_SUBMITTED',
        'KYC_SUBMITTED>KYC_APPROVED',
        'KYC_APPROVED>PENDING_ONCHAIN',
        'PENDING_ONCHAIN>ONCHAIN_FAILED',
        'ONCHAIN_FAILED>PENDING_ONCHAIN',
        'PENDING_ONCHAIN>ACTIVE',
      ]);
    },
  );

  it('a projected registration makes the profile ACTIVE; a projected freeze FROZEN, an unfreeze ACTIVE again', async () => {
    const user = await api.registerUser({ nationalityCountryCode: 'SG', gender: 'male' });
    await api.passKyc(user);
    const approval = await api.request('POST', `/api/v1/admin/users/${user.profileId}/approve`, {
      token: admin.accessToken,
    });
    expect((await follow(approval.body.commandId)).event).toBe('projected');
    expect((await profileOf(user)).accountStatus).toBe('ACTIVE');

    for (const [action, expected] of [
      ['freeze', 'FROZEN'],
      ['unfreeze', 'ACTIVE'],
    ] as const) {
      const changed = await api.request('POST', `/api/v1/admin/users/${user.profileId}/${action}`, {
        token: admin.accessToken,
        body: { reason: freezeReasons[0] },
      });
      expect(changed.status, changed.text).toBe(202);
      expect((await follow(changed.body.commandId)).event).toBe('projected');
      expect((await profileOf(user)).accountStatus).toBe(expected);
    }
    expect((await transitions(user.profileId)).slice(-3)).toEqual([
      'PENDING_ONCHAIN>ACTIVE',
      'ACTIVE>FROZEN',
      'FROZEN>ACTIVE',
    ]);
  });
});
