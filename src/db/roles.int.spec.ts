/**
 * Least-privilege database roles (issue 29, migration 0007): each process's role can do its job, through the
 * real code, and cannot do another's. Sessions act as the role with SET ROLE, exactly as a login user that is
 * a member of it (README "Database roles").
 */
import { randomUUID } from 'node:crypto';
import {
  type EventName,
  type EventPayload,
  ledgerParamsSchema,
  organizationAccountIdOf,
  organizationIdOf,
  paymentIdOf,
  poolIds,
  poolNames,
  profileDigest,
  relationshipIdOf,
  treasuryIdOf,
  trustScoreOf,
} from '@gx/chaincode';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApi, type TestApi } from '../../test/support/api-server.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import {
  EventLedger,
  genesisDistributed,
  transferCompleted,
  userCreated,
  userStatusChanged,
} from '../../test/support/event-fixtures.js';
import { insertProfile, issueCreateUser, project } from '../../test/support/projection.js';
import { DEFAULT_SYSTEM_PARAMS } from '../capabilities/admin/default-system-params.js';
import { samplePng } from '../dev/sample-documents.js';
import { DevMailbox } from '../mail/dev-mailbox.js';
import { createLogger } from '../observability/logger.js';
import { readOutboxGauges } from '../outbox/backlog.js';
import { claimCommands } from '../outbox/claim.js';
import { enqueueCommand } from '../outbox/enqueue.js';
import { recordOutcomes, releaseCommands } from '../outbox/record-outcomes.js';
import { storeSignedTransactions } from '../outbox/store-signed.js';
import { adoptOrphanedCommands, registerWorker, unregisterWorker } from '../outbox/workers.js';
import { applyBatch } from '../projector/apply-batch.js';
import { assertSchemaCompatible } from './migrator.js';

const PERMISSION_DENIED = '42501';
const ROLES = ['gx_api', 'gx_submitter', 'gx_projector'] as const;

let db: TestDatabase;
const pools = new Map<string, pg.Pool>();
beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
  for (const role of ROLES) pools.set(role, db.poolAs(role));
});
afterAll(() => db?.drop());

function as(role: (typeof ROLES)[number]): pg.Pool {
  return pools.get(role)!;
}

async function refused(pool: pg.Pool, sql: string, values: unknown[] = []): Promise<string | undefined> {
  return pool.query(sql, values).then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );
}

describe('every role', () => {
  it.each(ROLES)('%s checks the schema and cannot change or empty audit_log', async (role) => {
    await expect(assertSchemaCompatible(as(role))).resolves.toMatchObject({ usable: true });
    await db.pool.query(`INSERT INTO audit_log (actor_id, actor_role, action) VALUES ('spec', 'admin', 'spec')`);
    expect(await refused(as(role), `UPDATE audit_log SET action = 'forged'`)).toBe(PERMISSION_DENIED);
    expect(await refused(as(role), 'DELETE FROM audit_log')).toBe(PERMISSION_DENIED);
    expect(await refused(as(role), 'TRUNCATE audit_log')).toBe(PERMISSION_DENIED);
    expect(await refused(as(role), 'CREATE TABLE public.intruder (id int)')).toBe(PERMISSION_DENIED);
  });

  it('the owner (gx migrate) still may', async () => {
    await expect(db.pool.query(`DELETE FROM audit_log WHERE actor_id = 'spec'`)).resolves.toBeDefined();
  });
});

describe('gx_api', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({}, { databaseRole: 'gx_api' });
  });
  afterAll(() => api?.close());

  it('serves registration, login, refresh, review, locks, KYC, transfers with idempotency and the audit log', async () => {
    const admin = await api.admin();
    const user = await api.registerUser();
    const refresh = await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(refresh.status).toBe(200);
    const kyc = await api.request('POST', `/api/v1/users/${user.profileId}/kyc`, {
      token: user.accessToken,
      body: { documentType: 'PASSPORT', documentNumber: 'X1234567', documentCountry: 'MY' },
    });
    expect(kyc.status).toBe(201);
    const kycApproved = await api.request('POST', `/api/v1/admin/kyc/${user.profileId}/approve`, {
      token: admin.accessToken,
    });
    expect(kycApproved.status).toBe(200);
    const approve = await api.request('POST', `/api/v1/admin/users/${user.profileId}/approve`, {
      token: admin.accessToken,
    });
    expect(approve.status).toBe(202);
    const lock = await api.request('POST', `/api/v1/admin/users/${user.profileId}/lock`, {
      token: admin.accessToken,
      body: { reason: 'review' },
    });
    expect(lock.status).toBe(200);
    expect(
      (await api.request('POST', `/api/v1/admin/users/${user.profileId}/unlock`, { token: admin.accessToken })).status,
    ).toBe(200);

    // Identity v2: a document upload (kyc_file, kyc_blob), a file read, a rejection, suspend and close.
    const uploader = await api.registerUser();
    const form = new FormData();
    for (const [field, value] of Object.entries({
      documentType: 'PASSPORT',
      documentNumber: 'X7654321',
      documentCountry: 'MY',
    })) {
      form.append(field, value);
    }
    form.append('idFront', new Blob([samplePng('front')], { type: 'image/png' }), 'f.png');
    form.append('idBack', new Blob([samplePng('back')], { type: 'image/png' }), 'b.png');
    const uploaded = await fetch(`${api.url}/api/v1/users/${uploader.profileId}/kyc`, {
      method: 'POST',
      headers: { authorization: `Bearer ${uploader.accessToken}` },
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const { files } = (await uploaded.json()) as { files: Array<{ fileId: string }> };
    const file = await fetch(`${api.url}/api/v1/admin/kyc/${uploader.profileId}/files/${files[0]!.fileId}`, {
      headers: { authorization: `Bearer ${admin.accessToken}` },
    });
    expect(file.status).toBe(200);
    const rejected = await api.request('POST', `/api/v1/admin/kyc/${uploader.profileId}/reject`, {
      token: admin.accessToken,
      body: { reason: 'unreadable' },
    });
    expect(rejected.status).toBe(200);
    for (const action of ['suspend', 'reinstate', 'close']) {
      const changed = await api.request('POST', `/api/v1/admin/users/${uploader.profileId}/${action}`, {
        token: admin.accessToken,
      });
      expect(changed.status).toBe(200);
    }

    const sender = await api.registerUser();
    await api.putOnLedger(sender);
    const transfer = await api.request('POST', '/api/v1/transfers', {
      token: sender.accessToken,
      body: { toFabricUserId: 'SG 1B2 CDE123 1WXYZ 9876', amount: '5' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(transfer.status).toBe(202);
    expect((await api.request('GET', '/api/v1/wallets/me', { token: sender.accessToken })).status).toBe(200);
    expect((await api.request('GET', '/api/v1/admin/system', { token: admin.accessToken })).status).toBe(200);
    expect((await api.request('GET', '/readyz')).status).toBe(200);
  });

  it('serves relationships, trust scores and password reset through the real routes', async () => {
    const mailbox = new DevMailbox();
    const withMail = await startTestApi({ mailer: mailbox, devMailbox: mailbox }, { databaseRole: 'gx_api' });
    try {
      const [alice, bob] = [await withMail.registerUser(), await withMail.registerUser()];
      await withMail.putOnLedger(alice);
      const bobId = await withMail.putOnLedger(bob);
      const requested = await withMail.request('POST', '/api/v1/relationships', {
        token: alice.accessToken,
        body: { toFabricUserId: bobId, type: 'FRIEND' },
      });
      expect(requested.status, requested.text).toBe(202);
      for (const path of ['/api/v1/relationships', '/api/v1/users/me/trust']) {
        expect((await withMail.request('GET', path, { token: alice.accessToken })).status).toBe(200);
      }
      expect(
        (await withMail.request('POST', '/api/v1/auth/password-reset', { body: { email: alice.email } })).status,
      ).toBe(202);
      const mail = await vi.waitFor(() => {
        const [first] = mailbox.messages(alice.email);
        if (!first) throw new Error('no mail yet');
        return first;
      });
      const token = /^([A-Za-z0-9_-]{43})$/m.exec(mail.text)?.[1];
      const confirmed = await withMail.request('POST', '/api/v1/auth/password-reset/confirm', {
        body: { token, newPassword: 'Quiet harbour lanterns 94!' },
      });
      expect(confirmed.status, confirmed.text).toBe(204);
    } finally {
      await withMail.close();
    }
  });

  it('cannot write the read models, take commands from the submitter or read its registry', async () => {
    const pool = api.db.poolAs('gx_api');
    expect(await refused(pool, `INSERT INTO wallet (fabric_user_id, balance) VALUES ('X', 1)`)).toBe(PERMISSION_DENIED);
    expect(await refused(pool, `UPDATE trust_score SET score = 100`)).toBe(PERMISSION_DENIED);
    expect(await refused(pool, `DELETE FROM relationship`)).toBe(PERMISSION_DENIED);
    expect(await refused(pool, `UPDATE organization SET status = 'VERIFIED'`)).toBe(PERMISSION_DENIED);
    expect(await refused(pool, `DELETE FROM organization_payment_approval`)).toBe(PERMISSION_DENIED);
    expect(await pool.query('SELECT count(*) FROM organization_payment')).toBeDefined();
    expect(await refused(pool, `UPDATE projector_state SET last_block = 0`)).toBe(PERMISSION_DENIED);
    expect(await refused(pool, 'DELETE FROM outbox_command')).toBe(PERMISSION_DENIED);
    expect(await refused(pool, 'SELECT * FROM submitter_worker')).toBe(PERMISSION_DENIED);
  });
});

describe('gx_submitter', () => {
  it('registers, claims, records outcomes, releases and unregisters through the real outbox code', async () => {
    const pool = as('gx_submitter');
    const enqueued = await enqueueCommand(db.pool, {
      commandType: 'DISTRIBUTE_GENESIS',
      payload: { fabricUserId: 'MY A3F HBF934 0ABCD 9001' },
      submittedBy: 'spec',
    });
    const workerId = `spec-${randomUUID()}`;
    const connection = await pool.connect();
    try {
      await registerWorker(connection, workerId);
      const claimed = await claimCommands(pool, workerId, 10);
      expect(claimed.map((command) => command.id)).toContain(enqueued.commandId);
      const fabricTxId = randomUUID();
      const stored = await storeSignedTransactions(pool, workerId, [
        { id: enqueued.commandId, fabricTxId, signedTx: Buffer.from('signed') },
      ]);
      expect([...stored]).toEqual([enqueued.commandId]);
      await recordOutcomes(
        pool,
        workerId,
        [{ id: enqueued.commandId, outcome: 'COMMITTED', fabricTxId, blockNumber: 1n }],
        { maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 100 },
      );
      await releaseCommands(pool, workerId, []);
      await adoptOrphanedCommands(pool, workerId, 10);
      await expect(readOutboxGauges(pool)).resolves.toBeDefined();
    } finally {
      connection.release();
    }
    await unregisterWorker(pool, workerId);
  });

  it('dead-letters a CREATE_USER: its profile becomes ONCHAIN_FAILED (migration 0009 trigger, as the owner)', async () => {
    const pool = as('gx_submitter');
    const profileId = await insertProfile(db.pool);
    await issueCreateUser(db.pool, profileId, 'MY A3F HBF934 0ABCD 9002');
    const workerId = `spec-${randomUUID()}`;
    const connection = await pool.connect();
    try {
      await registerWorker(connection, workerId);
      const claimed = await claimCommands(pool, workerId, 100);
      const ours = claimed.filter((command) => JSON.stringify(command.payload).includes(profileId));
      expect(ours).toHaveLength(1);
      await recordOutcomes(
        pool,
        workerId,
        [{ id: ours[0]!.id, outcome: 'FAILED', errorKind: 'PERMANENT', error: 'GX_SPEC refused', keepSignedTx: false }],
        { maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 100 },
      );
      await releaseCommands(
        pool,
        workerId,
        claimed.filter((command) => command.id !== ours[0]!.id).map((command) => command.id),
      );
    } finally {
      connection.release();
    }
    await unregisterWorker(pool, workerId);
    const [profile] = (
      await db.pool.query('SELECT account_status, onchain_status FROM user_profile WHERE profile_id = $1', [profileId])
    ).rows;
    expect(profile).toEqual({ account_status: 'ONCHAIN_FAILED', onchain_status: 'FAILED' });
  });

  it('cannot enqueue commands or read profiles, credentials or the read models', async () => {
    const pool = as('gx_submitter');
    expect(
      await refused(pool, `INSERT INTO outbox_command (command_type, request_id, payload) VALUES ('X', 'r', '{}')`),
    ).toBe(PERMISSION_DENIED);
    expect(await refused(pool, 'SELECT email FROM user_profile')).toBe(PERMISSION_DENIED);
    expect(await refused(pool, 'SELECT token_hash FROM refresh_token')).toBe(PERMISSION_DENIED);
    expect(await refused(pool, 'SELECT * FROM wallet')).toBe(PERMISSION_DENIED);
  });
});

describe('gx_projector', () => {
  it('applies every event family, marks commands projected and quarantines refusals through the real projector', async () => {
    const pool = as('gx_projector');
    const ledger = new EventLedger(50_000n);
    const profileId = await insertProfile(db.pool);
    const alice = 'MY AAA AAA111 0AAAA 5001';
    const requestId = await issueCreateUser(db.pool, profileId, alice);
    await db.pool.query(`INSERT INTO projector_state (name) VALUES ('main') ON CONFLICT DO NOTHING`);

    const outcome = await applyAs(pool, [
      ...ledger.block(
        userCreated({ profileId, fabricUserId: alice, requestId }),
        genesisDistributed({ fabricUserId: alice, amount: '100', balance: '100' }),
        transferCompleted({
          from: alice,
          to: 'MY BBB BBB222 0BBBB 5002',
          amount: '1',
          fromBalance: '99',
          toBalance: '1',
        }),
        userStatusChanged({ fabricUserId: alice, status: 'LOCKED' }),
      ),
    ]);

    expect(outcome).toMatchObject({ applied: 4, rejected: 0, refused: 1 });
    const [profile] = (
      await db.pool.query('SELECT fabric_user_id, account_status FROM user_profile WHERE profile_id = $1', [profileId])
    ).rows;
    // PENDING_ONCHAIN → ACTIVE and its audit entry: migration 0009's trigger, acting as the owner.
    expect(profile).toEqual({ fabric_user_id: alice, account_status: 'ACTIVE' });
    const [command] = (
      await db.pool.query('SELECT projected_at IS NOT NULL AS projected FROM outbox_command WHERE request_id = $1', [
        requestId,
      ])
    ).rows;
    expect(command).toEqual({ projected: true });
    // `gx projector rebuild` works in a schema of its own.
    await pool.query('CREATE SCHEMA gx_rebuild_probe');
    await pool.query('DROP SCHEMA gx_rebuild_probe');
  });

  it('applies every tokenomics v2 event: pools, countries, fees, freezes, the pause, parameters, admin roles', async () => {
    const pool = as('gx_projector');
    const ledger = new EventLedger(60_000n);
    const timestamp = '2026-03-01T00:00:00.000Z';
    const event = <N extends EventName>(name: N, payload: EventPayload<N>) => ({
      eventName: name,
      payload: Buffer.from(JSON.stringify(payload)),
    });
    const header = (requestId: string = randomUUID()) => ({ version: 1 as const, requestId, timestamp });
    const { countries: _table, ...params } = DEFAULT_SYSTEM_PARAMS;
    const [registrant, appointee] = [await insertProfile(db.pool), await insertProfile(db.pool)];
    const carol = 'MY CCC CCC333 0CCCC 6001';
    const registration = await issueCreateUser(db.pool, registrant, carol);
    const appointment = randomUUID();
    await db.pool.query(
      `INSERT INTO outbox_command (command_type, request_id, payload, submitted_by) VALUES ('APPOINT_ADMIN', $1, $2, 'spec')`,
      [appointment, { profileId: appointee, role: 'admin', appointedBy: registrant }],
    );
    await db.pool.query(`INSERT INTO projector_state (name) VALUES ('main') ON CONFLICT DO NOTHING`);

    const outcome = await applyAs(pool, [
      ...ledger.block(
        event('SystemBootstrapped', {
          version: 2,
          requestId: randomUUID(),
          params: ledgerParamsSchema.parse(params),
          countries: [{ code: 'MY', sharePpb: 1_000_000_000, treasuryId: treasuryIdOf('MY'), slots: [10] }],
          pools: poolNames.map((name) => ({ pool: name, id: poolIds[name], cap: DEFAULT_SYSTEM_PARAMS.pools[name] })),
          bootstrappedBy: 'admin',
          timestamp,
        }),
        event('UserCreated', {
          version: 3,
          requestId: registration,
          fabricUserId: carol,
          profileDigest: profileDigest(registrant),
          countryCode: 'MY',
          accountType: 0,
          status: 'ACTIVE',
          wallet: { fabricUserId: carol, balance: '500000000' },
          genesis: {
            outcome: 'ALLOCATED',
            phase: 1,
            userAmount: '500000000',
            treasuryAmount: '50000000',
            treasuryId: treasuryIdOf('MY'),
            treasuryBalance: '50000000',
            phaseUsed: 1,
          },
          timestamp,
        }),
        event('TransferCompleted', {
          version: 2,
          requestId: randomUUID(),
          from: carol,
          to: treasuryIdOf('MY'),
          amount: '1000000',
          fee: '1000',
          feeBps: 10,
          type: 'GOVERNMENT',
          scope: 'LOCAL',
          feePool: 'OPERATIONS',
          memo: '',
          fromBalance: '498999000',
          toBalance: '51000000',
          timestamp,
        }),
        event('TreasuryActivated', { ...header(), countryCode: 'MY', treasuryId: treasuryIdOf('MY') }),
        event('WalletFreezeChanged', {
          ...header(),
          fabricUserId: carol,
          frozen: true,
          reason: 'COURT_ORDER',
          notes: '',
        }),
        event('SystemPauseChanged', { ...header(), paused: true, reason: 'drill' }),
        event('ParameterChanged', {
          ...header(),
          name: 'fees.B2B.LOCAL',
          previousValue: [{ minAmount: '0', bps: 20 }],
          newValue: [{ minAmount: '0', bps: 25 }],
        }),
        event('AdminAppointed', {
          ...header(appointment),
          digest: profileDigest(appointee),
          role: 'admin',
          by: profileDigest(registrant),
        }),
      ),
    ]);

    expect(outcome).toMatchObject({ applied: 8, rejected: 0, refused: 0 });
    const [frozen] = (
      await db.pool.query('SELECT account_status FROM user_profile WHERE profile_id = $1', [registrant])
    ).rows;
    expect(frozen).toEqual({ account_status: 'FROZEN' });
    const [appointed] = (await db.pool.query('SELECT role FROM user_profile WHERE profile_id = $1', [appointee])).rows;
    expect(appointed).toEqual({ role: 'admin' });
    const [fund] = (await db.pool.query(`SELECT balance::text FROM system_pool WHERE pool = 'OPERATIONS'`)).rows;
    expect(fund).toEqual({ balance: '1000' });
  });

  it('applies relationship events: the relationship and both trust scores', async () => {
    const pool = as('gx_projector');
    const ledger = new EventLedger(70_000n);
    const timestamp = '2026-03-02T00:00:00.000Z';
    const [from, to] = ['MY AAA AAA111 0AAAA 7001', 'SG BBB BBB222 0BBBB 7002'];
    const requestId = randomUUID();
    const relationship = {
      relationshipId: relationshipIdOf(requestId),
      type: 'SPOUSE' as const,
      from,
      to,
      requestedAt: timestamp,
      updatedAt: timestamp,
      endedBy: null,
    };
    const sums = { family: 25, business: 0, friends: 0 };
    const event = <N extends EventName>(name: N, payload: EventPayload<N>) => ({
      eventName: name,
      payload: Buffer.from(JSON.stringify(payload)),
    });
    await db.pool.query(`INSERT INTO projector_state (name) VALUES ('main') ON CONFLICT DO NOTHING`);
    const outcome = await applyAs(pool, [
      ...ledger.block(
        event('RelationshipRequested', {
          version: 1,
          requestId,
          timestamp,
          relationship: { ...relationship, status: 'PENDING' },
          by: from,
          trust: [],
        }),
        event('RelationshipConfirmed', {
          version: 1,
          requestId: randomUUID(),
          timestamp,
          relationship: { ...relationship, status: 'CONFIRMED' },
          by: to,
          trust: [trustScoreOf(from, sums), trustScoreOf(to, sums)],
        }),
      ),
    ]);
    expect(outcome).toMatchObject({ applied: 2, rejected: 0, refused: 0 });
    const stored = await db.pool.query('SELECT status FROM relationship WHERE relationship_id = $1', [
      relationship.relationshipId,
    ]);
    expect(stored.rows).toEqual([{ status: 'CONFIRMED' }]);
    const scores = await db.pool.query(
      'SELECT fabric_user_id, score, family FROM trust_score WHERE fabric_user_id = ANY($1) ORDER BY fabric_user_id',
      [[from, to]],
    );
    expect(scores.rows).toEqual([
      { fabric_user_id: from, score: 35, family: 25 },
      { fabric_user_id: to, score: 35, family: 25 },
    ]);
  });

  it('applies organization events: organization, stakeholders, the wallet, a 2-of-2 payment and its transfer', async () => {
    const pool = as('gx_projector');
    const ledger = new EventLedger(80_000n);
    const [alice, bob] = ['MY AAA AAA111 0AAAA 8001', 'MY BBB BBB222 0BBBB 8002'];
    const [proposal, first, second] = [randomUUID(), '2026-03-03T00:00:00.000Z', '2026-03-03T00:01:00.000Z'];
    const orgId = organizationIdOf(proposal);
    const account = organizationAccountIdOf(orgId, 'BUSINESS', 'MY');
    const rule = { minAmount: '1', requiredApprovals: 2, approvers: [alice, bob] };
    const organization = {
      orgId,
      name: 'Acme',
      type: 'BUSINESS' as const,
      countryCode: 'MY',
      proposer: alice,
      stakeholders: [alice, bob],
      endorsements: [{ by: alice, at: first }],
      status: 'PENDING' as const,
      fabricUserId: null,
      rules: [],
      createdAt: first,
      updatedAt: first,
    };
    const verified = {
      ...organization,
      endorsements: [...organization.endorsements, { by: bob, at: second }],
      status: 'VERIFIED' as const,
      fabricUserId: account,
      rules: [rule],
      updatedAt: second,
    };
    const payment = {
      paymentId: paymentIdOf(randomUUID()),
      orgId,
      from: account,
      to: bob,
      amount: '1000',
      memo: 'rent',
      initiator: alice,
      rule,
      approvals: [{ by: alice, at: second }],
      status: 'PENDING' as const,
      failure: null,
      createdAt: second,
      expiresAt: '2026-03-06T00:01:00.000Z',
      updatedAt: second,
    };
    const event = <N extends EventName>(name: N, payload: EventPayload<N>) => ({
      eventName: name,
      payload: Buffer.from(JSON.stringify(payload)),
    });
    const header = (timestamp: string) => ({ version: 1 as const, requestId: randomUUID(), timestamp });
    await db.pool.query(`INSERT INTO projector_state (name) VALUES ('main') ON CONFLICT DO NOTHING`);
    const outcome = await applyAs(pool, [
      ...ledger.block(
        event('OrganizationProposed', { ...header(first), organization, by: alice }),
        event('OrganizationEndorsed', { ...header(second), organization: { ...verified, rules: [] }, by: bob }),
        event('ApprovalRulesSet', { ...header(second), organization: verified, by: alice }),
        event('PaymentInitiated', { ...header(second), payment, by: alice, transfer: null }),
      ),
      ...ledger.block(
        event('PaymentApproved', {
          ...header(second),
          payment: { ...payment, status: 'EXECUTED', approvals: [...payment.approvals, { by: bob, at: second }] },
          by: bob,
          transfer: {
            from: account,
            to: bob,
            amount: '1000',
            fee: '1',
            feeBps: 15,
            type: 'MERCHANT',
            scope: 'LOCAL',
            feePool: 'OPERATIONS',
            memo: 'rent',
            fromBalance: '4999',
            toBalance: '7000',
          },
        }),
      ),
    ]);
    expect(outcome).toMatchObject({ applied: 5, rejected: 0, refused: 0 });
    const rows = async (sql: string) => (await db.pool.query(sql, [orgId])).rows;
    expect(await rows('SELECT status, fabric_user_id, rules FROM organization WHERE org_id = $1')).toEqual([
      { status: 'VERIFIED', fabric_user_id: account, rules: [rule] },
    ]);
    expect(
      await rows(
        `SELECT fabric_user_id, endorsed_at IS NOT NULL AS endorsed FROM organization_stakeholder
          WHERE org_id = $1 ORDER BY fabric_user_id`,
      ),
    ).toEqual([
      { fabric_user_id: alice, endorsed: true },
      { fabric_user_id: bob, endorsed: true },
    ]);
    expect(
      await rows('SELECT status, amount::text, required_approvals FROM organization_payment WHERE org_id = $1'),
    ).toEqual([{ status: 'EXECUTED', amount: '1000', required_approvals: 2 }]);
    const approvals = await db.pool.query(
      'SELECT approver FROM organization_payment_approval WHERE payment_id = $1 ORDER BY approver',
      [payment.paymentId],
    );
    expect(approvals.rows).toEqual([{ approver: alice }, { approver: bob }]);
    const wallet = await db.pool.query('SELECT balance::text FROM wallet WHERE fabric_user_id = $1', [account]);
    expect(wallet.rows).toEqual([{ balance: '4999' }]);
    const history = await db.pool.query(
      'SELECT type, amount::text, fee::text FROM transaction_history WHERE fabric_user_id = $1',
      [account],
    );
    expect(history.rows).toEqual([{ type: 'TRANSFER_OUT', amount: '1000', fee: '1' }]);
  });

  it('cannot read credentials or personal data, approve a profile, enqueue or audit', async () => {
    const pool = as('gx_projector');
    expect(await refused(pool, 'SELECT token_hash FROM refresh_token')).toBe(PERMISSION_DENIED);
    expect(await refused(pool, 'SELECT token_hash FROM password_reset_token')).toBe(PERMISSION_DENIED);
    expect(await refused(pool, 'SELECT password_hash FROM user_profile')).toBe(PERMISSION_DENIED);
    expect(await refused(pool, 'SELECT email FROM user_profile')).toBe(PERMISSION_DENIED);
    expect(await refused(pool, 'SELECT * FROM kyc_verification')).toBe(PERMISSION_DENIED);
    // The role is the projector's to set, from the admin registry and only for a command of ours (admin
    // projection); the credentials are not.
    expect(await refused(pool, `UPDATE user_profile SET password_hash = 'x'`)).toBe(PERMISSION_DENIED);
    expect(await refused(pool, `UPDATE user_profile SET status = 'APPROVED'`)).toBe(PERMISSION_DENIED);
    expect(
      await refused(pool, `INSERT INTO outbox_command (command_type, request_id, payload) VALUES ('X', 'r', '{}')`),
    ).toBe(PERMISSION_DENIED);
    expect(
      await refused(pool, `INSERT INTO audit_log (actor_id, actor_role, action) VALUES ('p', 'projector', 'x')`),
    ).toBe(PERMISSION_DENIED);
    expect(await refused(pool, 'SELECT * FROM idempotency_key')).toBe(PERMISSION_DENIED);
  });
});

/** Applies events as the running projector does, on a pool acting as the projector's role. */
function applyAs(pool: pg.Pool, events: Parameters<typeof project>[1]) {
  return applyBatch(pool, events, { projection: 'main', logger: createLogger({ level: 'silent', role: 'spec' }) });
}
