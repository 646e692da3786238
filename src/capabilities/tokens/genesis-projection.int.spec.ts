import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { EventLedger, genesisDistributed, userCreated } from '../../../test/support/event-fixtures.js';
import { insertProfile, issueCreateUser, project, rows } from '../../../test/support/projection.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
});
afterAll(() => db?.drop());

describe('GenesisDistributed', () => {
  it('sets the balance from the event, writes one history row and the total supply', async () => {
    const ledger = new EventLedger();
    const profileId = await insertProfile(db.pool);
    const user = 'MY A3F HBF934 0ABCD 1234';
    const requestId = await issueCreateUser(db.pool, profileId, user);
    await project(db.pool, ledger.block(userCreated({ profileId, fabricUserId: user, requestId })));

    const [genesis] = ledger.block(
      genesisDistributed({
        fabricUserId: user,
        amount: '500000000000000000000000',
        balance: '500000000000000000000000',
        tier: 2,
        totalSupply: '900000000000000000000000',
        timestamp: '2026-02-02T00:00:00.000Z',
      }),
    );
    await project(db.pool, [genesis!]);

    expect(await rows(db.pool, 'SELECT balance, last_block FROM wallet')).toEqual([
      { balance: '500000000000000000000000', last_block: '2' },
    ]);
    expect(
      await rows(
        db.pool,
        `SELECT fabric_user_id, tx_id, type, from_user_id, to_user_id, amount, memo, block_number, tx_timestamp
           FROM transaction_history`,
      ),
    ).toEqual([
      {
        fabric_user_id: user,
        tx_id: genesis!.transactionId,
        type: 'GENESIS',
        from_user_id: null,
        to_user_id: user,
        amount: '500000000000000000000000',
        memo: 'genesis tier 2',
        block_number: '2',
        tx_timestamp: new Date('2026-02-02T00:00:00.000Z'),
      },
    ]);
    expect(await rows(db.pool, `SELECT value FROM system_state WHERE key = 'totalSupply'`)).toEqual([
      { value: '900000000000000000000000' },
    ]);
  });
});
