import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createLogger } from '../observability/logger.js';
import { purgeExpired, scheduleExpiryPurge } from './expiry-purge.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
});
afterAll(() => db?.drop());

async function seed(): Promise<void> {
  const [profile] = (
    await db.pool.query<{ profile_id: string }>(
      `INSERT INTO user_profile (email, password_hash, first_name, last_name)
       VALUES (gen_random_uuid()::text || '@example.com', 'x', 'A', 'B') RETURNING profile_id`,
    )
  ).rows;
  for (const [suffix, expires] of [
    ['old', "now() - interval '1 minute'"],
    ['live', "now() + interval '1 hour'"],
  ] as const) {
    await db.pool.query(
      `INSERT INTO idempotency_key (principal, key, request_hash, response_status, response_body, expires_at)
       VALUES ('p', gen_random_uuid()::text || '-${suffix}', 'h', 202, '{}', ${expires})`,
    );
    await db.pool.query(
      `INSERT INTO refresh_token (profile_id, family_id, token_hash, expires_at)
       VALUES ($1, gen_random_uuid(), gen_random_uuid()::text || '-${suffix}', ${expires})`,
      [profile!.profile_id],
    );
  }
}

async function remaining(): Promise<{ keys: string[]; tokens: string[] }> {
  const keys = await db.pool.query<{ key: string }>('SELECT key FROM idempotency_key');
  const tokens = await db.pool.query<{ token_hash: string }>('SELECT token_hash FROM refresh_token');
  return {
    keys: keys.rows.map((row) => row.key.replace(/^.*-/, '')),
    tokens: tokens.rows.map((row) => row.token_hash.replace(/^.*-/, '')),
  };
}

describe('expired idempotency keys and refresh tokens (issue 29)', () => {
  it('are deleted by the API role, and live ones kept', async () => {
    await seed();
    expect(await purgeExpired(db.poolAs('gx_api'))).toEqual({ idempotencyKeys: 1, refreshTokens: 1 });
    expect(await remaining()).toEqual({ keys: ['live'], tokens: ['live'] });
  });

  it('are deleted on a schedule, at once and then every interval', async () => {
    const stop = scheduleExpiryPurge(db.pool, 50, createLogger({ level: 'silent', role: 'spec' }));
    try {
      await seed();
      await expect.poll(remaining, { timeout: 2_000 }).toEqual({ keys: ['live', 'live'], tokens: ['live', 'live'] });
    } finally {
      stop();
    }
  });
});
