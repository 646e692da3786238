/**
 * The identity slice's projection: on-chain registration and lock status of a user, written onto the
 * profile the API created (the projector owns only these columns of `user_profile`).
 */
import { isUuid } from '../../db/uuid.js';
import { defineReadModel, type EventHandler, jsonRows } from '../../projector/projection.js';

/**
 * A profile now registered on the ledger: named by its id (UserCreated version 1), or by the request id of the
 * CREATE_USER command that carried it and the digest the ledger recorded (versions 2 and 3).
 */
type ProfileRegistration = (
  | { profileId: string; requestId?: undefined; profileDigest?: undefined }
  | { profileId?: undefined; requestId: string; profileDigest: string }
) & { fabricUserId: string; registeredAt: string };

interface ProfileLockChange {
  fabricUserId: string;
  locked: boolean;
  reason: string;
  at: string;
}

/** `user_profile`: the Fabric user id and on-chain status, once the ledger has the user. */
export const profileRegistrations = defineReadModel<ProfileRegistration>({
  name: 'profile registrations',
  key: (change) => change.fabricUserId,
  async write(client, changes) {
    // A registration without a profile id (UserCreated version 2) finds it in the CREATE_USER command of its
    // request id, and counts only if the ledger's digest of it agrees (profile-digest.ts in the chaincode). The
    // one read of outbox_command outside src/outbox: it is part of this statement's join, not a separate query.
    await client.query(
      `UPDATE user_profile p
          SET fabric_user_id = r."fabricUserId", onchain_status = 'REGISTERED',
              onchain_registered_at = r."registeredAt", last_synced_at = now(), updated_at = now()
         FROM jsonb_to_recordset($1::jsonb)
              AS r("profileId" uuid, "requestId" text, "profileDigest" text, "fabricUserId" text, "registeredAt" timestamptz)
         LEFT JOIN outbox_command o
                ON r."profileId" IS NULL AND o.request_id = r."requestId" AND o.command_type = 'CREATE_USER'
        WHERE p.profile_id = COALESCE(r."profileId", (o.payload->>'profileId')::uuid)
          AND (r."profileDigest" IS NULL
               OR r."profileDigest" = p.profile_digest)`,
      [jsonRows(changes)],
    );
  },
});

/** `user_profile`: lock status as the ledger last reported it (found by Fabric user id). */
export const profileLocks = defineReadModel<ProfileLockChange>({
  name: 'profile locks',
  key: (change) => change.fabricUserId,
  async write(client, changes) {
    await client.query(
      `UPDATE user_profile p
          SET is_locked = r.locked,
              lock_reason = CASE WHEN r.locked THEN r.reason END,
              locked_at = CASE WHEN r.locked THEN r.at END,
              last_synced_at = now(), updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS r("fabricUserId" text, locked boolean, reason text, at timestamptz)
        WHERE p.fabric_user_id = r."fabricUserId"`,
      [jsonRows(changes)],
    );
  },
});

export const userCreated: EventHandler<'UserCreated'> = {
  project(payload, _context, changes) {
    if (payload.version !== 1) {
      // The ledger keeps only a digest of the profile id: the profile is the one of the CREATE_USER command this
      // backend issued under the event's request id, if its digest matches. A user created by other means
      // matches no command: its wallet exists, unlinked.
      changes.record(profileRegistrations, {
        requestId: payload.requestId,
        profileDigest: payload.profileDigest,
        fabricUserId: payload.fabricUserId,
        registeredAt: payload.timestamp,
      });
      return;
    }
    // Version 1 carried the profile id in clear. Users created on the ledger by other means carry a profile id
    // that is not ours: nothing to register.
    if (isUuid(payload.profileId)) {
      const profileId = payload.profileId.toLowerCase();
      changes.record(profileRegistrations, {
        profileId,
        fabricUserId: payload.fabricUserId,
        registeredAt: payload.timestamp,
      });
    }
  },
};

export const userStatusChanged: EventHandler<'UserStatusChanged'> = {
  project(payload, _context, changes) {
    changes.record(profileLocks, {
      fabricUserId: payload.fabricUserId,
      locked: payload.status === 'LOCKED',
      reason: payload.reason,
      at: payload.timestamp,
    });
  },
};
