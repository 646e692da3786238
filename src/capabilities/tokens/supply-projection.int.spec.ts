/**
 * Tokenomics v2 events through the projector's apply path on real PostgreSQL: the bootstrap's pools,
 * countries, phases and fee cells; genesis in UserCreated v3; fees in TransferCompleted v2; treasury
 * activation, freezes, the pause, parameter changes and the admin registry.
 */
import { randomUUID } from 'node:crypto';
import {
  type EventName,
  type EventPayload,
  ledgerParamsSchema,
  poolIds,
  poolNames,
  profileDigest,
  treasuryIdOf,
} from '@gx/chaincode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { EventLedger, type UnplacedEvent } from '../../../test/support/event-fixtures.js';
import { insertProfile, project, rows } from '../../../test/support/projection.js';
import { DEFAULT_SYSTEM_PARAMS } from '../admin/default-system-params.js';

const TIMESTAMP = '2026-03-01T00:00:00.000Z';
const event = <N extends EventName>(name: N, payload: EventPayload<N>): UnplacedEvent => ({
  eventName: name,
  payload: Buffer.from(JSON.stringify(payload)),
});
const header = () => ({ version: 1 as const, requestId: randomUUID(), timestamp: TIMESTAMP });

const { countries: _table, ...ledgerParams } = DEFAULT_SYSTEM_PARAMS;
const alice = 'MY A3F HBF934 0ABCD 1234';
const bob = 'MY 0B1 AAA123 0WXYZ 9876';

function bootstrapped(): UnplacedEvent {
  return event('SystemBootstrapped', {
    version: 2,
    requestId: randomUUID(),
    params: ledgerParamsSchema.parse(ledgerParams),
    countries: [
      { code: 'MY', sharePpb: 600_000_000, treasuryId: treasuryIdOf('MY'), slots: [2, 5] },
      { code: 'SG', sharePpb: 400_000_000, treasuryId: treasuryIdOf('SG'), slots: [1, 3] },
    ],
    pools: poolNames.map((pool) => ({ pool, id: poolIds[pool], cap: DEFAULT_SYSTEM_PARAMS.pools[pool] })),
    bootstrappedBy: 'admin',
    timestamp: TIMESTAMP,
  });
}

function registered(fabricUserId: string, phaseUsed: number, treasuryBalance: string): UnplacedEvent {
  return event('UserCreated', {
    version: 3,
    requestId: randomUUID(),
    fabricUserId,
    profileDigest: profileDigest(randomUUID()),
    countryCode: 'MY',
    accountType: 0,
    status: 'ACTIVE',
    wallet: { fabricUserId, balance: '500000000' },
    genesis: {
      outcome: 'ALLOCATED',
      phase: 1,
      userAmount: '500000000',
      treasuryAmount: '50000000',
      treasuryId: treasuryIdOf('MY'),
      treasuryBalance,
      phaseUsed,
    },
    timestamp: TIMESTAMP,
  });
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
});
afterAll(() => db?.drop());

describe('tokenomics v2 projection', () => {
  const ledger = new EventLedger();

  it('SystemBootstrapped v2: every pool with its cap, countries with locked treasuries and slots, fee cells', async () => {
    await project(db.pool, ledger.block(bootstrapped()));
    expect(
      await rows(db.pool, 'SELECT pool, account_id, cap, minted, balance FROM system_pool ORDER BY account_id'),
    ).toEqual(
      poolNames.map((pool) => ({
        pool,
        account_id: poolIds[pool],
        cap: DEFAULT_SYSTEM_PARAMS.pools[pool],
        minted: '0',
        balance: '0',
      })),
    );
    expect(
      await rows(db.pool, 'SELECT code, share_ppb, treasury_id, treasury_status FROM country ORDER BY code'),
    ).toEqual([
      { code: 'MY', share_ppb: '600000000', treasury_id: treasuryIdOf('MY'), treasury_status: 'LOCKED' },
      { code: 'SG', share_ppb: '400000000', treasury_id: treasuryIdOf('SG'), treasury_status: 'LOCKED' },
    ]);
    expect(await rows(db.pool, 'SELECT code, phase, slots, used FROM country_phase ORDER BY code, phase')).toEqual([
      { code: 'MY', phase: 1, slots: '2', used: '0' },
      { code: 'MY', phase: 2, slots: '5', used: '0' },
      { code: 'SG', phase: 1, slots: '1', used: '0' },
      { code: 'SG', phase: 2, slots: '3', used: '0' },
    ]);
    const parameters = await rows<{ name: string; value: unknown }>(
      db.pool,
      'SELECT name, value FROM system_parameter',
    );
    expect(parameters).toHaveLength(8);
    expect(parameters.find((row) => row.name === 'fees.P2P.LOCAL')?.value).toEqual(
      DEFAULT_SYSTEM_PARAMS.fees.P2P.LOCAL,
    );
  });

  it('UserCreated v3: genesis mints from both genesis pools, takes a slot, credits the treasury, shows in history', async () => {
    // Two registrations in one batch: the pools add both, the phase keeps the later count.
    await project(db.pool, ledger.block(registered(alice, 1, '50000000'), registered(bob, 2, '100000000')));
    expect(
      await rows(db.pool, "SELECT pool, minted, balance FROM system_pool WHERE pool LIKE '%GENESIS' ORDER BY pool"),
    ).toEqual([
      { pool: 'GOVERNMENT_GENESIS', minted: '100000000', balance: '0' },
      { pool: 'USER_GENESIS', minted: '1000000000', balance: '0' },
    ]);
    expect(await rows(db.pool, "SELECT used FROM country_phase WHERE code = 'MY' AND phase = 1")).toEqual([
      { used: '2' },
    ]);
    expect(await rows(db.pool, 'SELECT balance FROM wallet WHERE fabric_user_id = $1', [treasuryIdOf('MY')])).toEqual([
      { balance: '100000000' },
    ]);
    expect(
      await rows(
        db.pool,
        "SELECT fabric_user_id, amount, memo FROM transaction_history WHERE type = 'GENESIS' ORDER BY id",
      ),
    ).toEqual([
      { fabric_user_id: alice, amount: '500000000', memo: 'genesis phase 1' },
      { fabric_user_id: bob, amount: '500000000', memo: 'genesis phase 1' },
    ]);
  });

  it('TransferCompleted v2: history carries fee, rate, type and scope; the fee accrues to the operations fund', async () => {
    const transfer = (amount: string, fee: string) =>
      event('TransferCompleted', {
        version: 2,
        requestId: randomUUID(),
        from: alice,
        to: bob,
        amount,
        fee,
        feeBps: 5,
        type: 'P2P',
        scope: 'LOCAL',
        feePool: 'OPERATIONS',
        memo: '',
        fromBalance: '1',
        toBalance: '2',
        timestamp: TIMESTAMP,
      });
    await project(db.pool, ledger.block(transfer('50000000', '25000'), transfer('10000000', '5000')));
    expect(
      await rows(
        db.pool,
        `SELECT type, amount, fee, fee_bps, transfer_type, scope FROM transaction_history
          WHERE type LIKE 'TRANSFER%' ORDER BY id`,
      ),
    ).toEqual([
      { type: 'TRANSFER_OUT', amount: '50000000', fee: '25000', fee_bps: 5, transfer_type: 'P2P', scope: 'LOCAL' },
      { type: 'TRANSFER_IN', amount: '50000000', fee: '25000', fee_bps: 5, transfer_type: 'P2P', scope: 'LOCAL' },
      { type: 'TRANSFER_OUT', amount: '10000000', fee: '5000', fee_bps: 5, transfer_type: 'P2P', scope: 'LOCAL' },
      { type: 'TRANSFER_IN', amount: '10000000', fee: '5000', fee_bps: 5, transfer_type: 'P2P', scope: 'LOCAL' },
    ]);
    expect(await rows(db.pool, "SELECT cap, minted, balance FROM system_pool WHERE pool = 'OPERATIONS'")).toEqual([
      { cap: DEFAULT_SYSTEM_PARAMS.pools.OPERATIONS, minted: '0', balance: '30000' },
    ]);
  });

  it('TreasuryActivated, WalletFreezeChanged, SystemPauseChanged, ParameterChanged', async () => {
    const bands = [
      { minAmount: '0', bps: 7 },
      { minAmount: '5000000', bps: 9 },
    ];
    await project(
      db.pool,
      ledger.block(
        event('TreasuryActivated', { ...header(), countryCode: 'MY', treasuryId: treasuryIdOf('MY') }),
        event('WalletFreezeChanged', {
          ...header(),
          fabricUserId: alice,
          frozen: true,
          reason: 'COURT_ORDER',
          notes: 'case 7',
        }),
        event('SystemPauseChanged', { ...header(), paused: true, reason: 'incident' }),
        event('ParameterChanged', {
          ...header(),
          name: 'fees.P2P.LOCAL',
          previousValue: DEFAULT_SYSTEM_PARAMS.fees.P2P.LOCAL,
          newValue: bands,
        }),
      ),
    );
    expect(await rows(db.pool, "SELECT share_ppb, treasury_status FROM country WHERE code = 'MY'")).toEqual([
      { share_ppb: '600000000', treasury_status: 'ACTIVE' },
    ]);
    expect(await rows(db.pool, 'SELECT fabric_user_id, frozen, reason, notes FROM wallet_freeze')).toEqual([
      { fabric_user_id: alice, frozen: true, reason: 'COURT_ORDER', notes: 'case 7' },
    ]);
    expect(await rows(db.pool, "SELECT value FROM system_state WHERE key = 'paused'")).toEqual([
      { value: { paused: true, reason: 'incident', since: TIMESTAMP } },
    ]);
    expect(await rows(db.pool, "SELECT value FROM system_parameter WHERE name = 'fees.P2P.LOCAL'")).toEqual([
      { value: bands },
    ]);
    await project(
      db.pool,
      ledger.block(
        event('WalletFreezeChanged', {
          ...header(),
          fabricUserId: alice,
          frozen: false,
          reason: 'ADMIN_ACTION',
          notes: '',
        }),
        event('SystemPauseChanged', { ...header(), paused: false, reason: 'resolved' }),
      ),
    );
    expect(await rows(db.pool, 'SELECT frozen, reason FROM wallet_freeze')).toEqual([
      { frozen: false, reason: 'ADMIN_ACTION' },
    ]);
    expect(await rows(db.pool, "SELECT value->>'paused' AS paused FROM system_state WHERE key = 'paused'")).toEqual([
      { paused: 'false' },
    ]);
  });

  it('AdminAppointed and AdminRevoked set the role of the profile the digest names, for a command of ours only', async () => {
    const [appointee, bystander, appointer] = [
      await insertProfile(db.pool),
      await insertProfile(db.pool),
      await insertProfile(db.pool),
    ];
    const roles = () =>
      rows(
        db.pool,
        'SELECT profile_id, role FROM user_profile WHERE profile_id = ANY($1::uuid[]) ORDER BY profile_id',
        [[appointee, bystander]],
      );
    /** The command the API enqueues when a four-eyes request is approved; returns its request id. */
    const issued = async (commandType: 'APPOINT_ADMIN' | 'REVOKE_ADMIN', payload: Record<string, string>) => {
      const requestId = randomUUID();
      await db.pool.query(
        `INSERT INTO outbox_command (command_type, request_id, payload, submitted_by) VALUES ($1, $2, $3, 'spec')`,
        [commandType, requestId, payload],
      );
      return requestId;
    };
    const quarantined = async (txId: string) =>
      (
        await rows<{ reason: string }>(db.pool, 'SELECT reason FROM projector_rejected_event WHERE tx_id = $1', [txId])
      )[0]?.reason;
    const by = profileDigest(appointer);

    // An appointment on the ledger that no command of ours asked for grants nothing: quarantined.
    const [forged] = ledger.block(
      event('AdminAppointed', { ...header(), digest: profileDigest(bystander), role: 'super_admin', by }),
    );
    expect((await project(db.pool, [forged!])).refused).toBe(1);
    expect(await quarantined(forged!.transactionId)).toMatch(/no command of request .* asked/);
    // Nor does a command for another role than the ledger's event names.
    const adminOnly = await issued('APPOINT_ADMIN', { profileId: appointee, role: 'admin', appointedBy: appointer });
    const [mismatched] = ledger.block(
      event('AdminAppointed', {
        ...header(),
        requestId: adminOnly,
        digest: profileDigest(appointee),
        role: 'super_admin',
        by,
      }),
    );
    expect((await project(db.pool, [mismatched!])).refused).toBe(1);
    expect((await roles()).map((row) => row.role)).toEqual(['user', 'user']);

    const appointment = await issued('APPOINT_ADMIN', {
      profileId: appointee,
      role: 'super_admin',
      appointedBy: appointer,
    });
    await project(
      db.pool,
      ledger.block(
        event('AdminAppointed', {
          ...header(),
          requestId: appointment,
          digest: profileDigest(appointee),
          role: 'super_admin',
          by,
        }),
      ),
    );
    expect(await roles()).toEqual(
      [
        { profile_id: appointee, role: 'super_admin' },
        { profile_id: bystander, role: 'user' },
      ].sort((a, b) => a.profile_id.localeCompare(b.profile_id)),
    );
    const revocation = await issued('REVOKE_ADMIN', { profileId: appointee, revokedBy: appointer });
    await project(
      db.pool,
      ledger.block(
        event('AdminRevoked', {
          ...header(),
          requestId: revocation,
          digest: profileDigest(appointee),
          role: 'super_admin',
          by,
        }),
      ),
    );
    expect((await roles()).map((row) => row.role)).toEqual(['user', 'user']);
  });
});
