import { randomUUID } from 'node:crypto';
import { profileDigest } from '@gx/chaincode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { EventLedger, userCreated, userCreatedV2, userStatusChanged } from '../../../test/support/event-fixtures.js';
import { insertProfile, issueCreateUser, project, rows } from '../../../test/support/projection.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
});
afterAll(() => db?.drop());

describe('UserCreated', () => {
  it('registers the profile on chain and creates its wallet', async () => {
    const ledger = new EventLedger();
    const profileId = await insertProfile(db.pool);
    const requestId = await issueCreateUser(db.pool, profileId, 'MY A3F HBF934 0ABCD 1234');

    await project(
      db.pool,
      ledger.block(
        userCreated({
          profileId,
          fabricUserId: 'MY A3F HBF934 0ABCD 1234',
          requestId,
          timestamp: '2026-03-01T10:00:00.000Z',
        }),
      ),
    );

    const [profile] = await rows(
      db.pool,
      `SELECT fabric_user_id, onchain_status, onchain_registered_at, last_synced_at IS NOT NULL AS synced
         FROM user_profile WHERE profile_id = $1`,
      [profileId],
    );
    expect(profile).toEqual({
      fabric_user_id: 'MY A3F HBF934 0ABCD 1234',
      onchain_status: 'REGISTERED',
      onchain_registered_at: new Date('2026-03-01T10:00:00.000Z'),
      synced: true,
    });
    const wallets = await rows(db.pool, 'SELECT fabric_user_id, profile_id, balance, last_block FROM wallet');
    expect(wallets).toEqual([
      { fabric_user_id: 'MY A3F HBF934 0ABCD 1234', profile_id: profileId, balance: '0', last_block: '1' },
    ]);
  });

  it('creates an unlinked wallet for a user whose profile this database does not hold', async () => {
    const ledger = new EventLedger(10n);
    await project(
      db.pool,
      ledger.block(userCreated({ profileId: 'not-a-uuid', fabricUserId: 'US AAA BBB111 0AAAA 0001' })),
    );
    await project(
      db.pool,
      ledger.block(
        userCreated({ profileId: '00000000-0000-4000-8000-000000000000', fabricUserId: 'US AAA BBB111 0AAAA 0002' }),
      ),
    );

    const wallets = await rows(
      db.pool,
      `SELECT fabric_user_id, profile_id FROM wallet WHERE fabric_user_id LIKE 'US %' ORDER BY 1`,
    );
    expect(wallets).toEqual([
      { fabric_user_id: 'US AAA BBB111 0AAAA 0001', profile_id: null },
      { fabric_user_id: 'US AAA BBB111 0AAAA 0002', profile_id: null },
    ]);
  });
});

describe('UserStatusChanged', () => {
  it('locks and unlocks the profile, last status in a batch winning', async () => {
    const ledger = new EventLedger(20n);
    const profileId = await insertProfile(db.pool);
    const fabricUserId = 'DE XYZ ABC123 0QWER 5678';
    await registered(ledger, profileId, fabricUserId);

    await project(
      db.pool,
      ledger.block(
        userStatusChanged({
          fabricUserId,
          status: 'LOCKED',
          reason: 'fraud',
          timestamp: '2026-04-01T00:00:00.000Z',
          requestId: await statusCommand(fabricUserId, 'LOCKED'),
        }),
      ),
    );
    const locked = await rows(
      db.pool,
      'SELECT is_locked, lock_reason, locked_at FROM user_profile WHERE profile_id = $1',
      [profileId],
    );
    expect(locked).toEqual([
      { is_locked: true, lock_reason: 'fraud', locked_at: new Date('2026-04-01T00:00:00.000Z') },
    ]);

    await project(
      db.pool,
      ledger.block(
        userStatusChanged({
          fabricUserId,
          status: 'LOCKED',
          reason: 'again',
          requestId: await statusCommand(fabricUserId, 'LOCKED'),
        }),
        userStatusChanged({
          fabricUserId,
          status: 'ACTIVE',
          reason: 'cleared',
          requestId: await statusCommand(fabricUserId, 'ACTIVE'),
        }),
      ),
    );
    const unlocked = await rows(
      db.pool,
      'SELECT is_locked, lock_reason, locked_at FROM user_profile WHERE profile_id = $1',
      [profileId],
    );
    expect(unlocked).toEqual([{ is_locked: false, lock_reason: null, locked_at: null }]);
  });
});

describe('UserCreated version 2 (profile digest only)', () => {
  it('registers the profile of the command it issued under the request id, and links the wallet', async () => {
    const ledger = new EventLedger(1_000n);
    const profileId = await insertProfile(db.pool);
    const requestId = await issueCreateUser(db.pool, profileId, 'MY A3F HBF934 0ABCD 7000');
    const fabricUserId = 'MY A3F HBF934 0ABCD 7000';

    await project(
      db.pool,
      ledger.block(userCreatedV2({ fabricUserId, requestId, profileDigest: profileDigest(profileId) })),
    );

    const [profile] = await rows(
      db.pool,
      'SELECT fabric_user_id, onchain_status FROM user_profile WHERE profile_id = $1',
      [profileId],
    );
    expect(profile).toEqual({ fabric_user_id: fabricUserId, onchain_status: 'REGISTERED' });
    const [wallet] = await rows(db.pool, 'SELECT profile_id FROM wallet WHERE fabric_user_id = $1', [fabricUserId]);
    expect(wallet).toEqual({ profile_id: profileId });
  });

  it("links nothing when the digest does not match the command's profile, or no command has the request id", async () => {
    const ledger = new EventLedger(2_000n);
    const profileId = await insertProfile(db.pool);
    const requestId = await issueCreateUser(db.pool, profileId, 'MY A3F HBF934 0ABCD 7101');

    await project(
      db.pool,
      ledger.block(
        userCreatedV2({
          fabricUserId: 'MY A3F HBF934 0ABCD 7101',
          requestId,
          profileDigest: profileDigest(randomUUID()),
        }),
        userCreatedV2({
          fabricUserId: 'MY A3F HBF934 0ABCD 7102',
          requestId: randomUUID(),
          profileDigest: profileDigest(profileId),
        }),
      ),
    );

    const [profile] = await rows(
      db.pool,
      'SELECT fabric_user_id, onchain_status FROM user_profile WHERE profile_id = $1',
      [profileId],
    );
    expect(profile?.fabric_user_id).toBeNull();
    const wallets = await rows(
      db.pool,
      `SELECT fabric_user_id, profile_id FROM wallet WHERE fabric_user_id LIKE 'MY A3F HBF934 0ABCD 71%' ORDER BY 1`,
    );
    expect(wallets).toEqual([
      { fabric_user_id: 'MY A3F HBF934 0ABCD 7101', profile_id: null },
      { fabric_user_id: 'MY A3F HBF934 0ABCD 7102', profile_id: null },
    ]);
  });
});

/** The UPDATE_USER_STATUS command this backend issued under `requestId`. */
async function issueStatusChange(fabricUserId: string, status: 'ACTIVE' | 'LOCKED', requestId: string): Promise<void> {
  await db.pool.query(
    `INSERT INTO outbox_command (command_type, request_id, payload, submitted_by)
     VALUES ('UPDATE_USER_STATUS', $1, $2, 'spec')`,
    [requestId, { fabricUserId, status, reason: 'spec' }],
  );
}

/** Issues an UPDATE_USER_STATUS command; returns its request id. */
async function statusCommand(fabricUserId: string, status: 'ACTIVE' | 'LOCKED'): Promise<string> {
  const requestId = randomUUID();
  await issueStatusChange(fabricUserId, status, requestId);
  return requestId;
}

async function quarantined(txId: string): Promise<string | undefined> {
  const [row] = await rows<{ reason: string }>(
    db.pool,
    'SELECT reason FROM projector_rejected_event WHERE tx_id = $1',
    [txId],
  );
  return row?.reason;
}

async function profileState(profileId: string): Promise<Record<string, unknown> | undefined> {
  const [row] = await rows(
    db.pool,
    'SELECT fabric_user_id, onchain_status, is_locked, lock_reason FROM user_profile WHERE profile_id = $1',
    [profileId],
  );
  return row;
}

/** Registers `profileId` on chain through a command this backend issued, as the running system does. */
async function registered(ledger: EventLedger, profileId: string, fabricUserId: string): Promise<void> {
  const requestId = await issueCreateUser(db.pool, profileId, fabricUserId);
  await project(db.pool, ledger.block(userCreated({ profileId, fabricUserId, requestId })));
}

describe('the projector grants no access (issue 29, item 3)', () => {
  it('ignores a UserCreated naming a profile without a CREATE_USER command of its request id, and quarantines it', async () => {
    const ledger = new EventLedger(3_000n);
    const profileId = await insertProfile(db.pool);
    const [event] = ledger.block(userCreated({ profileId, fabricUserId: 'MY A3F HBF934 0ABCD 8001' }));

    const outcome = await project(db.pool, [event!]);

    expect(await profileState(profileId)).toMatchObject({ fabric_user_id: null, onchain_status: 'PENDING' });
    const [wallet] = await rows(db.pool, 'SELECT profile_id FROM wallet WHERE fabric_user_id = $1', [
      'MY A3F HBF934 0ABCD 8001',
    ]);
    expect(wallet).toEqual({ profile_id: null });
    expect(await quarantined(event!.transactionId)).toMatch(/no CREATE_USER command/);
    expect(outcome.refused).toBe(1);
  });

  it('quarantines a version 2 UserCreated whose digest names one of our profiles without a command of ours', async () => {
    const ledger = new EventLedger(3_050n);
    const profileId = await insertProfile(db.pool);
    const [event] = ledger.block(
      userCreatedV2({
        fabricUserId: 'MY A3F HBF934 0ABCD 8051',
        requestId: randomUUID(),
        profileDigest: profileDigest(profileId),
      }),
    );

    expect(await project(db.pool, [event!])).toMatchObject({ refused: 1 });

    expect(await profileState(profileId)).toMatchObject({ fabric_user_id: null });
    expect(await quarantined(event!.transactionId)).toMatch(/no CREATE_USER command/);
  });

  it('compares profile ids exactly: an upper-case id matches no command', async () => {
    const ledger = new EventLedger(3_100n);
    const profileId = await insertProfile(db.pool);
    const requestId = await issueCreateUser(db.pool, profileId, 'MY A3F HBF934 0ABCD 8101');
    const [event] = ledger.block(
      userCreated({ profileId: profileId.toUpperCase(), fabricUserId: 'MY A3F HBF934 0ABCD 8101', requestId }),
    );

    await project(db.pool, [event!]);

    expect(await profileState(profileId)).toMatchObject({ fabric_user_id: null });
    expect(await quarantined(event!.transactionId)).toMatch(/profile id/);
  });

  it('registers no profile that is not approved, even with its command', async () => {
    const ledger = new EventLedger(3_200n);
    const profileId = await insertProfile(db.pool);
    await db.pool.query(`UPDATE user_profile SET status = 'DENIED' WHERE profile_id = $1`, [profileId]);
    const requestId = await issueCreateUser(db.pool, profileId, 'MY A3F HBF934 0ABCD 8201');
    const [event] = ledger.block(
      userCreatedV2({ fabricUserId: 'MY A3F HBF934 0ABCD 8201', requestId, profileDigest: profileDigest(profileId) }),
    );

    await project(db.pool, [event!]);

    expect(await profileState(profileId)).toMatchObject({ fabric_user_id: null });
    expect(await quarantined(event!.transactionId)).toMatch(/not approved/);
  });

  it('refuses a status change the backend did not issue: neither a lock nor an unlock comes from the chain alone', async () => {
    const ledger = new EventLedger(3_300n);
    const profileId = await insertProfile(db.pool);
    const fabricUserId = 'MY A3F HBF934 0ABCD 8301';
    await registered(ledger, profileId, fabricUserId);
    await db.pool.query(
      `UPDATE user_profile SET is_locked = true, lock_reason = 'fraud', locked_by = $1, locked_at = now()
        WHERE profile_id = $1`,
      [profileId],
    );

    const [unlock] = ledger.block(userStatusChanged({ fabricUserId, status: 'ACTIVE', reason: 'cleared' }));
    await project(db.pool, [unlock!]);

    expect(await profileState(profileId)).toMatchObject({ is_locked: true, lock_reason: 'fraud' });
    expect(await quarantined(unlock!.transactionId)).toMatch(/no UPDATE_USER_STATUS command/);
  });

  it('never clears an admin lock from the chain, even through a status command of its own', async () => {
    const ledger = new EventLedger(3_400n);
    const profileId = await insertProfile(db.pool);
    const fabricUserId = 'MY A3F HBF934 0ABCD 8401';
    await registered(ledger, profileId, fabricUserId);
    await db.pool.query(
      `UPDATE user_profile SET is_locked = true, lock_reason = 'fraud', locked_by = $1, locked_at = now()
        WHERE profile_id = $1`,
      [profileId],
    );
    const requestId = randomUUID();
    await issueStatusChange(fabricUserId, 'ACTIVE', requestId);

    await project(db.pool, ledger.block(userStatusChanged({ fabricUserId, status: 'ACTIVE', requestId })));

    expect(await profileState(profileId)).toMatchObject({ is_locked: true, lock_reason: 'fraud' });
  });

  it('applies a lock the backend issued, and its later unlock', async () => {
    const ledger = new EventLedger(3_500n);
    const profileId = await insertProfile(db.pool);
    const fabricUserId = 'MY A3F HBF934 0ABCD 8501';
    await registered(ledger, profileId, fabricUserId);
    const lockId = randomUUID();
    await issueStatusChange(fabricUserId, 'LOCKED', lockId);
    await project(
      db.pool,
      ledger.block(userStatusChanged({ fabricUserId, status: 'LOCKED', reason: 'review', requestId: lockId })),
    );
    expect(await profileState(profileId)).toMatchObject({ is_locked: true, lock_reason: 'review' });

    const unlockId = randomUUID();
    await issueStatusChange(fabricUserId, 'ACTIVE', unlockId);
    const [unlock] = ledger.block(userStatusChanged({ fabricUserId, status: 'ACTIVE', requestId: unlockId }));
    await project(db.pool, [unlock!]);
    expect(await profileState(profileId)).toMatchObject({ is_locked: false, lock_reason: null });
    expect(await quarantined(unlock!.transactionId)).toBeUndefined();
  });
});
