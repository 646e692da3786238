/**
 * The identity slice's projection: on-chain registration and lock status of a user, written onto the
 * profile the API created (the projector owns only these columns of `user_profile`).
 *
 * The projector grants no access (issue 29): an event changes a profile only when its request id is that of
 * a command this backend issued for that very profile (ids compared exactly) and the profile is approved.
 * Anything else that names one of our profiles is refused: the event is quarantined and alerted on. A lock an
 * administrator set is never cleared from the chain; only the API's unlock clears it.
 */
import { profileDigest } from '@gx/chaincode';
import {
  defineReadModel,
  type EventHandler,
  type EventOrigin,
  eventOrigin,
  jsonRows,
  type Refusal,
} from '../../projector/projection.js';

/**
 * A profile now registered on the ledger: named by its id (UserCreated version 1) or by the digest the ledger
 * recorded of it (versions 2 and 3), and by the request id of the CREATE_USER command that carried it.
 */
interface ProfileRegistration {
  requestId: string;
  /** Version 1: the profile id as the event carries it (any text; only our exact lower-case UUIDs match). */
  profileId?: string | undefined;
  /** Version 2: the ledger's digest of the profile id (profile-digest.ts in the chaincode). */
  profileDigest?: string | undefined;
  fabricUserId: string;
  registeredAt: string;
  origin: EventOrigin;
}

interface ProfileLockChange {
  requestId: string;
  fabricUserId: string;
  locked: boolean;
  reason: string;
  at: string;
  origin: EventOrigin;
}

/** What the database knows of a registration's command and of the profile that command names. */
interface RegistrationFacts {
  i: number;
  command_profile_id: string | null;
  command_fabric_user_id: string | null;
  profile_status: string | null;
  /**
   * The event names a profile of ours (version 1 by id, compared without case; version 2 by digest, through
   * user_profile_digest_idx): refusing it is worth an alert.
   */
  names_our_profile: boolean;
}

/** Why a registration may not change its profile, or undefined when it may (or names no profile of ours). */
function registrationVerdict(change: ProfileRegistration, facts: RegistrationFacts): string | 'ignore' | undefined {
  const commandProfile = facts.command_profile_id;
  if (commandProfile === null) {
    // A user created on the ledger by other means matches no command: its wallet exists, unlinked.
    return facts.names_our_profile
      ? `no CREATE_USER command of request ${change.requestId} names this profile`
      : 'ignore';
  }
  if (change.profileId !== undefined && change.profileId !== commandProfile) {
    return `the profile id differs from the one of CREATE_USER command ${change.requestId}`;
  }
  if (change.profileDigest !== undefined && change.profileDigest !== profileDigest(commandProfile)) {
    return `the profile digest differs from the one of CREATE_USER command ${change.requestId}`;
  }
  if (facts.command_fabric_user_id !== change.fabricUserId) {
    return `the Fabric user id differs from the one of CREATE_USER command ${change.requestId}`;
  }
  if (facts.profile_status !== 'APPROVED') return `profile ${commandProfile} is not approved`;
  return undefined;
}

/** `user_profile`: the Fabric user id and on-chain status, once the ledger has the user. */
export const profileRegistrations = defineReadModel<ProfileRegistration>({
  name: 'profile registrations',
  key: (change) => change.fabricUserId,
  async write(client, changes) {
    // The reads of outbox_command here and below are the projector's only ones outside src/outbox: the
    // command is the proof that this backend asked for the change.
    const facts = await client.query<RegistrationFacts>(
      `SELECT r.i, o.payload->>'profileId' AS command_profile_id, o.payload->>'fabricUserId' AS command_fabric_user_id,
              p.status AS profile_status,
              EXISTS (SELECT 1 FROM user_profile q
                       WHERE q.profile_id::text = lower(r."profileId")
                          OR q.profile_digest = r."profileDigest"
                     ) AS names_our_profile
         FROM jsonb_to_recordset($1::jsonb) AS r(i int, "requestId" text, "profileId" text, "profileDigest" text)
         LEFT JOIN LATERAL (SELECT payload FROM outbox_command c
                             WHERE c.request_id = r."requestId" AND c.command_type = 'CREATE_USER' LIMIT 1) o ON true
         LEFT JOIN user_profile p ON p.profile_id::text = o.payload->>'profileId'`,
      [
        jsonRows(
          changes.map((change, i) => ({
            i,
            requestId: change.requestId,
            profileId: change.profileId,
            profileDigest: change.profileDigest,
          })),
        ),
      ],
    );
    const accepted: Array<{ profileId: string; fabricUserId: string; registeredAt: string }> = [];
    const refusals: Refusal[] = [];
    for (const row of facts.rows) {
      const change = changes[row.i]!;
      const verdict = registrationVerdict(change, row);
      if (verdict === 'ignore') continue;
      if (verdict !== undefined) refusals.push({ origin: change.origin, reason: verdict });
      else accepted.push({ profileId: row.command_profile_id!, ...pick(change) });
    }
    if (accepted.length > 0) {
      await client.query(
        `UPDATE user_profile p
            SET fabric_user_id = r."fabricUserId", onchain_status = 'REGISTERED',
                onchain_registered_at = r."registeredAt", last_synced_at = now(), updated_at = now()
           FROM jsonb_to_recordset($1::jsonb) AS r("profileId" uuid, "fabricUserId" text, "registeredAt" timestamptz)
          WHERE p.profile_id = r."profileId" AND p.status = 'APPROVED'`,
        [jsonRows(accepted)],
      );
    }
    return refusals;
  },
});

function pick(change: ProfileRegistration): { fabricUserId: string; registeredAt: string } {
  return { fabricUserId: change.fabricUserId, registeredAt: change.registeredAt };
}

interface LockFacts {
  i: number;
  command_fabric_user_id: string | null;
  command_status: string | null;
  profile_status: string | null;
}

/** `user_profile`: lock status as the ledger last reported it, for status changes this backend issued. */
export const profileLocks = defineReadModel<ProfileLockChange>({
  name: 'profile locks',
  key: (change) => change.fabricUserId,
  async write(client, changes) {
    const facts = await client.query<LockFacts>(
      `SELECT r.i, o.payload->>'fabricUserId' AS command_fabric_user_id, o.payload->>'status' AS command_status,
              p.status AS profile_status
         FROM jsonb_to_recordset($1::jsonb) AS r(i int, "requestId" text, "fabricUserId" text)
         JOIN user_profile p ON p.fabric_user_id = r."fabricUserId"
         LEFT JOIN LATERAL (SELECT payload FROM outbox_command c
                             WHERE c.request_id = r."requestId" AND c.command_type = 'UPDATE_USER_STATUS' LIMIT 1) o
                ON true`,
      [jsonRows(changes.map((change, i) => ({ i, requestId: change.requestId, fabricUserId: change.fabricUserId })))],
    );
    // Users the database has no profile for are not ours: nothing to change, nothing to refuse.
    const accepted: ProfileLockChange[] = [];
    const refusals: Refusal[] = [];
    for (const row of facts.rows) {
      const change = changes[row.i]!;
      const status = change.locked ? 'LOCKED' : 'ACTIVE';
      const reason =
        row.command_status === null
          ? `no UPDATE_USER_STATUS command of request ${change.requestId}`
          : row.command_fabric_user_id !== change.fabricUserId || row.command_status !== status
            ? `the user or status differs from UPDATE_USER_STATUS command ${change.requestId}`
            : row.profile_status !== 'APPROVED'
              ? `the profile of ${change.fabricUserId} is not approved`
              : undefined;
      if (reason !== undefined) refusals.push({ origin: change.origin, reason });
      else accepted.push(change);
    }
    if (accepted.length > 0) {
      // A lock keeps the reason it already has (the administrator's, set by the API at once); an unlock clears
      // only a lock that came from the ledger (locked_by NULL), never one an administrator set.
      await client.query(
        `UPDATE user_profile p
            SET is_locked = CASE WHEN r.locked THEN true WHEN p.locked_by IS NULL THEN false ELSE p.is_locked END,
                lock_reason = CASE WHEN r.locked THEN CASE WHEN p.is_locked THEN p.lock_reason ELSE r.reason END
                                   WHEN p.locked_by IS NULL THEN NULL ELSE p.lock_reason END,
                locked_at = CASE WHEN r.locked THEN CASE WHEN p.is_locked THEN p.locked_at ELSE r.at END
                                 WHEN p.locked_by IS NULL THEN NULL ELSE p.locked_at END,
                last_synced_at = now(), updated_at = now()
           FROM jsonb_to_recordset($1::jsonb) AS r("fabricUserId" text, locked boolean, reason text, at timestamptz)
          WHERE p.fabric_user_id = r."fabricUserId"`,
        [jsonRows(accepted.map(({ origin: _origin, ...change }) => change))],
      );
    }
    return refusals;
  },
});

export const userCreated: EventHandler<'UserCreated'> = {
  project(payload, context, changes) {
    const common = {
      requestId: payload.requestId,
      fabricUserId: payload.fabricUserId,
      registeredAt: payload.timestamp,
      origin: eventOrigin('UserCreated', payload, context),
    };
    changes.record(
      profileRegistrations,
      payload.version === 1
        ? { ...common, profileId: payload.profileId }
        : { ...common, profileDigest: payload.profileDigest },
    );
  },
};

export const userStatusChanged: EventHandler<'UserStatusChanged'> = {
  project(payload, context, changes) {
    changes.record(profileLocks, {
      requestId: payload.requestId,
      fabricUserId: payload.fabricUserId,
      locked: payload.status === 'LOCKED',
      reason: payload.reason,
      at: payload.timestamp,
      origin: eventOrigin('UserStatusChanged', payload, context),
    });
  },
};
