/**
 * The identity slice's projection: on-chain registration and lock status of a user, written onto the
 * profile the API created (the projector owns only these columns of `user_profile`).
 */
import { isUuid } from '../../db/uuid.js';
import { defineReadModel, type EventHandler, jsonRows } from '../../projector/projection.js';

interface ProfileRegistration {
  profileId: string;
  fabricUserId: string;
  registeredAt: string;
}

interface ProfileLockChange {
  fabricUserId: string;
  locked: boolean;
  reason: string;
  at: string;
}

/** `user_profile`: the Fabric user id and on-chain status, once the ledger has the user. */
export const profileRegistrations = defineReadModel<ProfileRegistration>({
  name: 'profile registrations',
  key: (change) => change.profileId,
  async write(client, changes) {
    await client.query(
      `UPDATE user_profile p
          SET fabric_user_id = r."fabricUserId", onchain_status = 'REGISTERED',
              onchain_registered_at = r."registeredAt", last_synced_at = now(), updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS r("profileId" uuid, "fabricUserId" text, "registeredAt" timestamptz)
        WHERE p.profile_id = r."profileId"`,
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
    // Users created on the ledger by other means carry a profile id that is not ours: nothing to register.
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
