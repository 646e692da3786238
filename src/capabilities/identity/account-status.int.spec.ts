/**
 * The ledger-driven arrows of the status machine are triggers (migration 0009); this checks them against the
 * transition table of account-status.ts, from every status: the fact that proves an arrow moves exactly the
 * profiles the table allows, leaves every other status as it is, audits each move, and keeps a suspended
 * profile's remembered status in step.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testFabricUserId } from '../../../test/support/api-server.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { type AccountEvent, type AccountStatus, accountStatuses, transitions } from './account-status.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
});
afterAll(() => db?.drop());

interface Profile {
  profileId: string;
  fabricUserId: string;
}

async function profileIn(status: AccountStatus, previous: AccountStatus | null): Promise<Profile> {
  const fabricUserId = testFabricUserId();
  const row = await db.pool.query<{ profile_id: string }>(
    `INSERT INTO user_profile (email, password_hash, first_name, last_name, status, onchain_status, account_status,
       status_before_suspend, fabric_user_id)
     VALUES ($1, 'x', 'A', 'B', 'APPROVED', 'PENDING', $2, $3, $4) RETURNING profile_id`,
    [`${randomUUID()}@gx.test`, status, previous, fabricUserId],
  );
  return { profileId: row.rows[0]!.profile_id, fabricUserId };
}

async function createUserCommand(profile: Profile, dead: boolean): Promise<string> {
  const row = await db.pool.query<{ id: string }>(
    `INSERT INTO outbox_command (command_type, request_id, payload, status, next_attempt_at)
     VALUES ('CREATE_USER', $1, $2, $3, $4) RETURNING id`,
    [randomUUID(), { profileId: profile.profileId }, dead ? 'FAILED' : 'PENDING', dead ? null : new Date()],
  );
  return row.rows[0]!.id;
}

/** Sets up and then records the fact behind each ledger-driven event, as the submitter or projector would. */
const facts: Partial<Record<AccountEvent, { setUp: (p: Profile) => Promise<() => Promise<void>> }>> = {
  CREATE_USER_FAILED: {
    async setUp(profile) {
      const id = await createUserCommand(profile, false);
      return async () => {
        await db.pool.query(
          `UPDATE outbox_command SET status = 'FAILED', next_attempt_at = NULL, error = 'spec' WHERE id = $1`,
          [id],
        );
      };
    },
  },
  RETRY_ONCHAIN: {
    async setUp(profile) {
      const id = await createUserCommand(profile, true);
      return async () => {
        await db.pool.query(`UPDATE outbox_command SET status = 'PENDING', next_attempt_at = now() WHERE id = $1`, [
          id,
        ]);
      };
    },
  },
  REGISTERED_ONCHAIN: {
    async setUp(profile) {
      return async () => {
        await db.pool.query(`UPDATE user_profile SET onchain_status = 'REGISTERED' WHERE profile_id = $1`, [
          profile.profileId,
        ]);
      };
    },
  },
  WALLET_FROZEN: {
    async setUp(profile) {
      return async () => {
        await db.pool.query(
          `INSERT INTO wallet_freeze (fabric_user_id, frozen, reason, notes) VALUES ($1, true, 'spec', '')`,
          [profile.fabricUserId],
        );
      };
    },
  },
  WALLET_UNFROZEN: {
    async setUp(profile) {
      // Recorded before the profile's status is set, so only the unfreeze is under test.
      await db.pool.query(
        `INSERT INTO wallet_freeze (fabric_user_id, frozen, reason, notes) VALUES ($1, true, 'spec', '')`,
        [profile.fabricUserId],
      );
      return async () => {
        await db.pool.query(`UPDATE wallet_freeze SET frozen = false WHERE fabric_user_id = $1`, [
          profile.fabricUserId,
        ]);
      };
    },
  },
};

const ledgerEvents = (Object.keys(transitions) as AccountEvent[]).filter((event) => transitions[event].by === 'ledger');

describe('ledger-driven arrows (migration 0009 triggers) against the transition table', () => {
  it('every ledger-driven arrow of the table has a fact here', () => {
    expect(ledgerEvents.sort()).toEqual(Object.keys(facts).sort());
  });

  const cases = ledgerEvents.flatMap((event) => accountStatuses.map((status) => [event, status] as const));
  it.each(cases)('%s from %s', async (event, status) => {
    const arrow = transitions[event];
    const from: readonly AccountStatus[] = arrow.from;
    const to = arrow.to as AccountStatus;
    const previous = status === 'SUSPENDED' ? from[0]! : null;
    // A placeholder status while the fact is set up (WALLET_UNFROZEN's freeze must not move it).
    const profile = await profileIn('CLOSED', null);
    const record = await facts[event]!.setUp(profile);
    await db.pool.query(
      'UPDATE user_profile SET account_status = $2, status_before_suspend = $3 WHERE profile_id = $1',
      [profile.profileId, status, previous],
    );
    await record();
    const after = await db.pool.query(
      'SELECT account_status, status_before_suspend FROM user_profile WHERE profile_id = $1',
      [profile.profileId],
    );
    const moves = from.includes(status);
    expect(after.rows[0]).toEqual({
      account_status: moves ? to : status,
      status_before_suspend: status === 'SUSPENDED' ? to : null,
    });
    const audit = await db.pool.query(
      `SELECT actor_id, details->>'from' AS "from", details->>'to' AS "to" FROM audit_log
        WHERE action = 'user.status' AND target_id = $1`,
      [profile.profileId],
    );
    expect(audit.rows).toEqual(moves ? [{ actor_id: 'system:ledger', from: status, to }] : []);
  });
});
