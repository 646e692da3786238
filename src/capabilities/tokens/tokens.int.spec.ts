import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestApi, type TestApi, testFabricUserId } from '../../../test/support/api-server.js';

let api: TestApi;
let sender: Session;
let senderId: string;
const recipient = 'SG 1B2 CDE123 1WXYZ 9876';

beforeAll(async () => {
  api = await startTestApi();
  sender = await api.registerUser();
  senderId = await api.putOnLedger(sender, '5000');
});
afterAll(() => api?.close());

const transfer = (body: unknown, headers: Record<string, string> = {}, token = sender.accessToken) =>
  api.request('POST', '/api/v1/transfers', { token, body, headers });

describe('GET /api/v1/wallets/me', () => {
  it('answers 404 before on-chain registration and the wallet after', async () => {
    const fresh = await api.registerUser();
    const before = await api.request('GET', '/api/v1/wallets/me', { token: fresh.accessToken });
    expect(before.status).toBe(404);
    const mine = await api.request('GET', '/api/v1/wallets/me', { token: sender.accessToken });
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({
      fabricUserId: senderId,
      balance: '5000',
      updatedAt: expect.any(String),
      frozen: false,
      freezeReason: null,
    });
  });
});

describe('POST /api/v1/transfers', () => {
  it('answers 202 {commandId, PENDING} and writes one TRANSFER_TOKENS row', async () => {
    const response = await transfer({ toFabricUserId: recipient, amount: '1500', memo: 'rent' });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ commandId: expect.any(String), status: 'PENDING' });
    const row = await api.db.pool.query(
      'SELECT command_type, payload, submitted_by FROM outbox_command WHERE id = $1',
      [response.body.commandId],
    );
    expect(row.rows[0]).toEqual({
      command_type: 'TRANSFER_TOKENS',
      payload: { fromFabricUserId: senderId, toFabricUserId: recipient, amount: '1500', memo: 'rent' },
      submitted_by: sender.profileId,
    });
  });

  it.each([['0'], ['-5'], ['1.5'], ['abc'], ['01'], [''], [15]])('answers 400 for amount %j', async (amount) => {
    const response = await transfer({ toFabricUserId: recipient, amount });
    expect(response.status).toBe(400);
    expect(response.body.details.map((d: { field: string }) => d.field)).toEqual(['amount']);
  });

  it('answers 400 for a malformed recipient, a transfer to oneself, and unknown fields', async () => {
    expect((await transfer({ toFabricUserId: 'bob', amount: '1' })).body.details[0].field).toBe('toFabricUserId');
    expect((await transfer({ toFabricUserId: senderId, amount: '1' })).status).toBe(400);
    const unknown = await transfer({ toFabricUserId: recipient, amount: '1', fromFabricUserId: recipient });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([{ field: 'fromFabricUserId', message: 'unknown field' }]);
  });

  it('answers 403 for a user not registered on the ledger', async () => {
    const fresh = await api.registerUser();
    const response = await transfer({ toFabricUserId: recipient, amount: '1' }, {}, fresh.accessToken);
    expect(response.status).toBe(403);
  });

  it('answers 403 for a sender on the ledger whose profile is not approved off-chain (issue 29)', async () => {
    const user = await api.registerUser();
    await api.putOnLedger(user);
    await api.db.pool.query(`UPDATE user_profile SET status = 'DENIED' WHERE profile_id = $1`, [user.profileId]);
    const response = await transfer({ toFabricUserId: recipient, amount: '1' }, {}, user.accessToken);
    expect(response.status).toBe(403);
    const written = await api.db.pool.query(
      `SELECT count(*)::int AS n FROM outbox_command WHERE command_type = 'TRANSFER_TOKENS' AND submitted_by = $1`,
      [user.profileId],
    );
    expect(written.rows).toEqual([{ n: 0 }]);
  });

  it('many concurrent transfers are each written once (group commit)', async () => {
    const before = await api.db.pool.query(
      "SELECT count(*)::int AS n FROM outbox_command WHERE command_type = 'TRANSFER_TOKENS'",
    );
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => transfer({ toFabricUserId: recipient, amount: String(i + 1) })),
    );
    expect(responses.every((r) => r.status === 202)).toBe(true);
    const ids = new Set(responses.map((r) => r.body.commandId));
    expect(ids.size).toBe(60);
    const after = await api.db.pool.query(
      "SELECT count(*)::int AS n FROM outbox_command WHERE command_type = 'TRANSFER_TOKENS'",
    );
    expect(after.rows[0].n - before.rows[0].n).toBe(60);
    const rows = await api.db.pool.query('SELECT id, payload FROM outbox_command WHERE id = ANY($1::uuid[])', [
      [...ids],
    ]);
    const amounts = rows.rows.map((row) => Number(row.payload.amount)).sort((a, b) => a - b);
    expect(amounts).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });
});

describe('Idempotency-Key on transfers', () => {
  it('same key + same body → the first answer, one command', async () => {
    const key = `key-${Date.now()}`;
    const body = { toFabricUserId: recipient, amount: '42', memo: key };
    const first = await transfer(body, { 'idempotency-key': key });
    const second = await transfer(body, { 'idempotency-key': key });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.commandId).toBe(first.body.commandId);
    const count = await api.db.pool.query(
      "SELECT count(*)::int AS n FROM outbox_command WHERE submitted_by = $1 AND payload->>'memo' = $2",
      [sender.profileId, key],
    );
    expect(count.rows[0].n).toBe(1);
  });

  it('same key + different body → 409', async () => {
    const key = `key-diff-${Date.now()}`;
    expect((await transfer({ toFabricUserId: recipient, amount: '7' }, { 'idempotency-key': key })).status).toBe(202);
    const conflict = await transfer({ toFabricUserId: recipient, amount: '8' }, { 'idempotency-key': key });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toBe('IdempotencyKeyReused');
  });

  it('concurrent requests with one key create one command', async () => {
    const key = `key-race-${Date.now()}`;
    const body = { toFabricUserId: recipient, amount: '99' };
    const results = await Promise.all(Array.from({ length: 5 }, () => transfer(body, { 'idempotency-key': key })));
    const accepted = results.filter((r) => r.status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(results.every((r) => r.status === 202 || r.status === 409)).toBe(true);
    expect(new Set(accepted.map((r) => r.body.commandId)).size).toBe(1);
  });

  it('keys are per user: another user may use the same key', async () => {
    const other = await api.registerUser();
    await api.putOnLedger(other);
    const key = `shared-${Date.now()}`;
    const mine = await transfer({ toFabricUserId: recipient, amount: '3' }, { 'idempotency-key': key });
    const theirs = await transfer(
      { toFabricUserId: recipient, amount: '3' },
      { 'idempotency-key': key },
      other.accessToken,
    );
    expect(mine.status).toBe(202);
    expect(theirs.status).toBe(202);
    expect(theirs.body.commandId).not.toBe(mine.body.commandId);
  });

  it('a failed request releases the key', async () => {
    const key = `key-fail-${Date.now()}`;
    const fresh = await api.registerUser();
    const refused = await transfer(
      { toFabricUserId: recipient, amount: '5' },
      { 'idempotency-key': key },
      fresh.accessToken,
    );
    expect(refused.status).toBe(403);
    await api.putOnLedger(fresh);
    const accepted = await transfer(
      { toFabricUserId: recipient, amount: '5' },
      { 'idempotency-key': key },
      fresh.accessToken,
    );
    expect(accepted.status).toBe(202);
  });
});

describe('GET /api/v1/transactions', () => {
  it('lists the caller’s transactions newest first, paginated', async () => {
    const user = await api.registerUser();
    const me = await api.putOnLedger(user);
    for (let block = 1; block <= 5; block += 1) {
      await api.db.pool.query(
        `INSERT INTO transaction_history (fabric_user_id, tx_id, type, from_user_id, to_user_id, amount, memo, block_number, tx_timestamp)
         VALUES ($1, $2, 'TRANSFER', $1, $3, $4, 'm', $5, now())`,
        [me, `tx-${block}-${me}`, testFabricUserId(), String(block * 10), block],
      );
    }
    const first = await api.request('GET', '/api/v1/transactions?limit=2', { token: user.accessToken });
    expect(first.status).toBe(200);
    expect(first.body.items.map((t: { blockNumber: number }) => t.blockNumber)).toEqual([5, 4]);
    expect(first.body.items[0]).toMatchObject({
      txId: `tx-5-${me}`,
      type: 'TRANSFER',
      from: me,
      amount: '50',
      memo: 'm',
    });
    const second = await api.request('GET', `/api/v1/transactions?limit=2&cursor=${first.body.nextCursor}`, {
      token: user.accessToken,
    });
    expect(second.body.items.map((t: { blockNumber: number }) => t.blockNumber)).toEqual([3, 2]);
    const third = await api.request('GET', `/api/v1/transactions?limit=2&cursor=${second.body.nextCursor}`, {
      token: user.accessToken,
    });
    expect(third.body.items.map((t: { blockNumber: number }) => t.blockNumber)).toEqual([1]);
    expect(third.body.nextCursor).toBeNull();
    // Someone else sees none of them.
    const other = await api.request('GET', '/api/v1/transactions', { token: sender.accessToken });
    expect(other.body.items.some((t: { txId: string }) => t.txId.endsWith(me))).toBe(false);
  });

  it('answers 400 for a bad cursor', async () => {
    const response = await api.request('GET', '/api/v1/transactions?cursor=%7B', { token: sender.accessToken });
    expect(response.status).toBe(400);
    expect(response.body.details[0].field).toBe('cursor');
  });
});
