import { randomUUID } from 'node:crypto';
import { profileDigest } from '@gx/chaincode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { EventLedger, userCreated, userCreatedV2, userStatusChanged } from '../../../test/support/event-fixtures.js';
import { insertProfile, project, rows } from '../../../test/support/projection.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
});
afterAll(() => db?.drop());

/** The CREATE_USER command this backend issued for `profileId` under `requestId` (what version 2 links by). */
async function issueCreateUser(profileId: string, requestId: string): Promise<void> {
  await db.pool.query(
    `INSERT INTO outbox_command (command_type, request_id, payload, submitted_by)
     VALUES ('CREATE_USER', $1, $2, 'spec')`,
    [requestId, { profileId, fabricUserId: 'ignored by the projector' }],
  );
}

describe('UserCreated', () => {
  it('registers the profile on chain and creates its wallet', async () => {
    const ledger = new EventLedger();
    const profileId = await insertProfile(db.pool);

    await project(
      db.pool,
      ledger.block(
        userCreated({ profileId, fabricUserId: 'MY A3F HBF934 0ABCD 1234', timestamp: '2026-03-01T10:00:00.000Z' }),
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
    await project(db.pool, ledger.block(userCreated({ profileId, fabricUserId })));

    await project(
      db.pool,
      ledger.block(
        userStatusChanged({ fabricUserId, status: 'LOCKED', reason: 'fraud', timestamp: '2026-04-01T00:00:00.000Z' }),
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
        userStatusChanged({ fabricUserId, status: 'LOCKED', reason: 'again' }),
        userStatusChanged({ fabricUserId, status: 'ACTIVE', reason: 'cleared' }),
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
    const requestId = randomUUID();
    await issueCreateUser(profileId, requestId);
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
    const requestId = randomUUID();
    await issueCreateUser(profileId, requestId);

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
