import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import {
  EventLedger,
  genesisDistributed,
  rawEvent,
  transferCompleted,
  userCreated,
} from '../../test/support/event-fixtures.js';
import { insertProfile, issueCreateUser, project, rows, SPEC_PROJECTION } from '../../test/support/projection.js';
import { readCheckpoint } from './checkpoint.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
});
afterAll(() => db?.drop());

/** UserCreated for a new approved profile, with the CREATE_USER command the API issued for it. */
async function registration(fabricUserId: string, profileId?: string) {
  const profile = profileId ?? (await insertProfile(db.pool));
  return userCreated({
    profileId: profile,
    fabricUserId,
    requestId: await issueCreateUser(db.pool, profile, fabricUserId),
  });
}

const alice = 'MY AAA AAA111 0AAAA 0001';
const bob = 'MY BBB BBB222 0BBBB 0002';

describe('applyBatch', () => {
  it('moves the checkpoint with the rows, and a replayed batch changes nothing', async () => {
    const ledger = new EventLedger();
    const first = ledger.block(await registration(alice), await registration(bob));
    const second = ledger.block(
      genesisDistributed({ fabricUserId: alice, amount: '100', balance: '100' }),
      transferCompleted({ from: alice, to: bob, amount: '40', fromBalance: '60', toBalance: '40' }),
    );

    expect(await project(db.pool, [...first, ...second])).toMatchObject({ applied: 4, rejected: 0, duplicates: 0 });
    expect(await readCheckpoint(db.pool, SPEC_PROJECTION)).toEqual({
      blockNumber: 2n,
      eventIndex: 1,
      transactionId: second[1]!.transactionId,
    });
    const before = await rows(
      db.pool,
      "SELECT fabric_user_id, balance FROM wallet WHERE fabric_user_id LIKE 'MY %' ORDER BY 1",
    );

    // A stream resumed from an older point delivers these again, and a later transfer sets alice lower.
    const third = ledger.block(
      transferCompleted({ from: alice, to: bob, amount: '10', fromBalance: '50', toBalance: '50' }),
    );
    expect(await project(db.pool, [...second, ...third])).toMatchObject({ applied: 1, duplicates: 2 });
    expect(await project(db.pool, [...first, ...second])).toMatchObject({ applied: 0, duplicates: 4 });

    expect(before).toEqual([
      { fabric_user_id: alice, balance: '60' },
      { fabric_user_id: bob, balance: '40' },
    ]);
    expect(
      await rows(db.pool, "SELECT fabric_user_id, balance FROM wallet WHERE fabric_user_id LIKE 'MY %' ORDER BY 1"),
    ).toEqual([
      { fabric_user_id: alice, balance: '50' },
      { fabric_user_id: bob, balance: '50' },
    ]);
    expect(await rows(db.pool, 'SELECT count(*)::int AS n FROM transaction_history')).toEqual([{ n: 5 }]);
  });

  it('quarantines invalid and unknown events and applies the events after them', async () => {
    const ledger = new EventLedger(100n);
    const events = ledger.block(
      rawEvent('TransferCompleted', '{"version":1,"amount":"-5"}'),
      rawEvent('SomethingNew', '{}'),
      rawEvent('UserCreated', 'not json'),
      genesisDistributed({ fabricUserId: bob, amount: '5', balance: '55' }),
    );

    expect(await project(db.pool, events)).toMatchObject({ applied: 1, rejected: 3 });

    const rejected = await rows(
      db.pool,
      'SELECT block_number, tx_id, event_name, reason FROM projector_rejected_event ORDER BY id',
    );
    expect(rejected.map((row) => [row.block_number, row.tx_id, row.event_name])).toEqual([
      ['100', events[0]!.transactionId, 'TransferCompleted'],
      ['100', events[1]!.transactionId, 'SomethingNew'],
      ['100', events[2]!.transactionId, 'UserCreated'],
    ]);
    expect(rejected[0]!.reason).toMatch(/invalid TransferCompleted: .*amount/);
    expect(rejected[1]!.reason).toBe('unknown event name "SomethingNew"');
    expect(await rows(db.pool, 'SELECT balance FROM wallet WHERE fabric_user_id = $1', [bob])).toEqual([
      { balance: '55' },
    ]);
    expect((await readCheckpoint(db.pool, SPEC_PROJECTION))?.blockNumber).toBe(100n);
  });

  it('quarantines an event whose rows break a constraint and still applies the rest of its batch', async () => {
    const ledger = new EventLedger(200n);
    const profileId = await insertProfile(db.pool);
    await project(db.pool, ledger.block(await registration('NZ ONE ONE111 0ONEE 0001', profileId)));

    // The same profile registered again under another user id: its wallet would be a second one for the profile.
    const events = ledger.block(
      await registration('NZ TWO TWO222 0TWOO 0002', profileId),
      genesisDistributed({ fabricUserId: alice, amount: '1', balance: '51' }),
    );
    expect(await project(db.pool, events)).toMatchObject({ applied: 1, rejected: 1 });

    expect(
      await rows(db.pool, 'SELECT reason FROM projector_rejected_event WHERE tx_id = $1', [events[0]!.transactionId]),
    ).toEqual([{ reason: expect.stringMatching(/^could not be applied: duplicate key/) }]);
    expect(await rows(db.pool, 'SELECT balance FROM wallet WHERE fabric_user_id = $1', [alice])).toEqual([
      { balance: '51' },
    ]);
  });

  it('marks the command projected and announces it on gx_command_status', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    try {
      const notified: string[] = [];
      listener.on('notification', (message) => notified.push(message.payload ?? ''));
      await listener.query('LISTEN gx_command_status');
      const profileId = await insertProfile(db.pool);
      const [command] = await rows<{ commandId: string; requestId: string }>(
        db.pool,
        `INSERT INTO outbox_command (command_type, request_id, payload, status)
         VALUES ('CREATE_USER', gen_random_uuid()::text, '{}', 'COMMITTED') RETURNING id AS "commandId", request_id AS "requestId"`,
      );
      if (!command) throw new Error('no outbox row');

      const ledger = new EventLedger(300n);
      await project(
        db.pool,
        ledger.block(
          userCreated({ profileId, fabricUserId: 'FR ABC DEF456 0GHIJ 7890', requestId: command.requestId }),
        ),
      );

      expect(
        await rows(db.pool, 'SELECT projected_at IS NOT NULL AS projected FROM outbox_command WHERE id = $1', [
          command.commandId,
        ]),
      ).toEqual([{ projected: true }]);
      await expect.poll(() => notified).toEqual([command.commandId]);
    } finally {
      await listener.end();
    }
  });
});
