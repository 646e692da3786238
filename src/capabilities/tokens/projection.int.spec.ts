import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import {
  EventLedger,
  genesisDistributed,
  transferCompleted,
  userCreated,
} from '../../../test/support/event-fixtures.js';
import { insertProfile, issueCreateUser, project, rows } from '../../../test/support/projection.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
});
afterAll(() => db?.drop());

/** UserCreated for a new approved profile, with the CREATE_USER command the API issued for it. */
async function registration(fabricUserId: string) {
  const profileId = await insertProfile(db.pool);
  return userCreated({ profileId, fabricUserId, requestId: await issueCreateUser(db.pool, profileId, fabricUserId) });
}

const alice = 'MY AAA AAA111 0AAAA 0001';
const bob = 'MY BBB BBB222 0BBBB 0002';

describe('TransferCompleted', () => {
  it('sets both balances and the fee collector’s from the event and writes an out and an in row', async () => {
    const ledger = new EventLedger();
    const given = ledger.block(
      await registration(alice),
      await registration(bob),
      genesisDistributed({ fabricUserId: alice, amount: '1000', balance: '1000' }),
    );
    await project(db.pool, given);

    const [transfer] = ledger.block(
      transferCompleted({
        from: alice,
        to: bob,
        amount: '300',
        fee: '3',
        feeCollector: 'SYSTEM_FEES',
        fromBalance: '697',
        toBalance: '300',
        feeCollectorBalance: '3',
        memo: 'rent',
        timestamp: '2026-05-05T05:05:05.000Z',
      }),
    );
    await project(db.pool, [transfer!]);

    expect(await rows(db.pool, 'SELECT fabric_user_id, balance, last_block FROM wallet ORDER BY 1')).toEqual([
      { fabric_user_id: alice, balance: '697', last_block: '2' },
      { fabric_user_id: bob, balance: '300', last_block: '2' },
      { fabric_user_id: 'SYSTEM_FEES', balance: '3', last_block: '2' },
    ]);
    expect(
      await rows(
        db.pool,
        `SELECT fabric_user_id, type, from_user_id, to_user_id, amount, memo, block_number
           FROM transaction_history WHERE tx_id = $1 ORDER BY type`,
        [transfer!.transactionId],
      ),
    ).toEqual([
      {
        fabric_user_id: bob,
        type: 'TRANSFER_IN',
        from_user_id: alice,
        to_user_id: bob,
        amount: '300',
        memo: 'rent',
        block_number: '2',
      },
      {
        fabric_user_id: alice,
        type: 'TRANSFER_OUT',
        from_user_id: alice,
        to_user_id: bob,
        amount: '300',
        memo: 'rent',
        block_number: '2',
      },
    ]);
  });

  it('keeps the last balance when one batch moves a wallet several times', async () => {
    const ledger = new EventLedger(10n);
    await project(db.pool, [
      ...ledger.block(transferCompleted({ from: alice, to: bob, amount: '100', fromBalance: '597', toBalance: '400' })),
      ...ledger.block(
        transferCompleted({ from: bob, to: alice, amount: '50', fromBalance: '350', toBalance: '647' }),
        transferCompleted({ from: alice, to: bob, amount: '7', fromBalance: '640', toBalance: '357' }),
      ),
    ]);

    expect(
      await rows(
        db.pool,
        'SELECT fabric_user_id, balance, last_block FROM wallet WHERE fabric_user_id <> $1 ORDER BY 1',
        ['SYSTEM_FEES'],
      ),
    ).toEqual([
      { fabric_user_id: alice, balance: '640', last_block: '11' },
      { fabric_user_id: bob, balance: '357', last_block: '11' },
    ]);
    expect(await rows(db.pool, 'SELECT count(*)::int AS n FROM transaction_history')).toEqual([{ n: 9 }]);
  });
});
