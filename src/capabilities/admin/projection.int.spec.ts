import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { EventLedger, systemBootstrapped } from '../../../test/support/event-fixtures.js';
import { project, rows } from '../../../test/support/projection.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
});
afterAll(() => db?.drop());

describe('SystemBootstrapped', () => {
  it('stores the bootstrapped parameters and who bootstrapped the system', async () => {
    const ledger = new EventLedger(3n);
    const params = {
      tokenName: 'GX Coin',
      tokenSymbol: 'GXC',
      decimals: 6,
      genesisTiers: [
        { recipients: 10, amount: '5000' },
        { recipients: 100, amount: '500' },
      ],
      transferFee: { basisPoints: 25, collector: 'FEES' },
    };
    await project(
      db.pool,
      ledger.block(systemBootstrapped({ params, bootstrappedBy: 'root-admin', timestamp: '2026-01-01T00:00:00.000Z' })),
    );

    expect(await rows(db.pool, 'SELECT key, value, block_number FROM system_state ORDER BY key')).toEqual([
      {
        key: 'bootstrap',
        value: { bootstrappedBy: 'root-admin', bootstrappedAt: '2026-01-01T00:00:00.000Z' },
        block_number: '3',
      },
      { key: 'params', value: params, block_number: '3' },
    ]);
  });
});
