/**
 * The admin slice's projection: the system's state as the ledger reports it (`system_state`): the parameters
 * it was bootstrapped with, by whom, the total supply (version 1) and the pause; the governable parameters by
 * name (`system_parameter`); and the on-chain admin registry, as the role of the profile each digest names.
 */
import { transferScopes, transferTypes } from '@gx/chaincode';
import {
  defineReadModel,
  type EventHandler,
  type EventOrigin,
  eventOrigin,
  jsonRows,
  type Refusal,
} from '../../projector/projection.js';

/** `system_state` keys the projector writes. */
export const SystemStateKey = {
  /** The token and fee parameters (`SystemParams` of the chaincode). */
  params: 'params',
  /** Who bootstrapped the system, and when. */
  bootstrap: 'bootstrap',
  /** Total supply after the latest genesis allocation (decimal string; version 1 events only). */
  totalSupply: 'totalSupply',
  /** `{paused, reason, since}`: whether value movements are paused (SystemPauseChanged). */
  paused: 'paused',
} as const;

interface SystemStateChange {
  key: string;
  value: unknown;
  blockNumber: bigint;
}

/** `system_state`: one row per key, the last value in a batch winning. */
export const systemState = defineReadModel<SystemStateChange>({
  name: 'system state',
  ownedTable: { name: 'system_state', key: ['key'], values: ['value', 'block_number'], updatedAt: true },
  key: (change) => change.key,
  async write(client, changes) {
    await client.query(
      `INSERT INTO system_state (key, value, block_number)
       SELECT r.key, r.value, r."blockNumber" FROM jsonb_to_recordset($1::jsonb) AS r(key text, value jsonb, "blockNumber" bigint)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, block_number = EXCLUDED.block_number, updated_at = now()`,
      [jsonRows(changes)],
    );
  },
});

interface ParameterChange {
  name: string;
  value: unknown;
  blockNumber: bigint;
}

/** `system_parameter`: each governable parameter's current value, by its SetParameter name. */
export const systemParameters = defineReadModel<ParameterChange>({
  name: 'system parameters',
  ownedTable: { name: 'system_parameter', key: ['name'], values: ['value', 'block_number'], updatedAt: true },
  key: (change) => change.name,
  async write(client, changes) {
    await client.query(
      `INSERT INTO system_parameter (name, value, block_number)
       SELECT r.name, r.value, r."blockNumber" FROM jsonb_to_recordset($1::jsonb) AS r(name text, value jsonb, "blockNumber" bigint)
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, block_number = EXCLUDED.block_number, updated_at = now()`,
      [jsonRows(changes)],
    );
  },
});

interface ProfileRoleChange {
  /** The request id of the ledger transaction: the APPOINT_ADMIN or REVOKE_ADMIN command that asked for it. */
  requestId: string;
  digest: string;
  role: 'user' | 'admin' | 'super_admin';
  origin: EventOrigin;
}

/**
 * `user_profile.role` from the on-chain admin registry, found by the profile's digest (the ledger knows no
 * profile id). A revocation makes the account an ordinary user. Columns of the API's table: not rebuilt.
 *
 * The projector grants no access: a role changes only when the event's request id is that of an APPOINT_ADMIN
 * (or REVOKE_ADMIN) command this backend issued, after a four-eyes approval, for that very profile and role.
 * An appointment on the ledger that no command of ours asked for, naming one of our profiles, is refused:
 * quarantined and alerted on, as the identity slice does with registrations.
 */
export const profileRoles = defineReadModel<ProfileRoleChange>({
  name: 'profile roles',
  key: (change) => change.digest,
  async write(client, changes) {
    // The read of outbox_command is, with the identity slice's, the projector's only one outside src/outbox:
    // the command is the proof that this backend asked for the change.
    const facts = await client.query<{ i: number; profile_id: string | null; asked: boolean }>(
      `SELECT r.i, p.profile_id,
              EXISTS (SELECT 1 FROM outbox_command c
                       WHERE c.request_id = r."requestId"
                         AND c.payload->>'profileId' = p.profile_id::text
                         AND ((c.command_type = 'APPOINT_ADMIN' AND c.payload->>'role' = r.role)
                              OR (c.command_type = 'REVOKE_ADMIN' AND r.role = 'user'))) AS asked
         FROM jsonb_to_recordset($1::jsonb) AS r(i int, "requestId" text, digest text, role text)
         LEFT JOIN user_profile p ON p.profile_digest = r.digest`,
      [
        jsonRows(
          changes.map((change, i) => ({ i, requestId: change.requestId, digest: change.digest, role: change.role })),
        ),
      ],
    );
    const accepted: Array<{ profileId: string; role: string }> = [];
    const refusals: Refusal[] = [];
    for (const row of facts.rows) {
      const change = changes[row.i]!;
      // An admin of another backend sharing the ledger names no profile of ours: nothing to do.
      if (row.profile_id === null) continue;
      if (row.asked) accepted.push({ profileId: row.profile_id, role: change.role });
      else
        refusals.push({
          origin: change.origin,
          reason: `no command of request ${change.requestId} asked to make profile ${row.profile_id} ${change.role}`,
        });
    }
    if (accepted.length > 0) {
      await client.query(
        `UPDATE user_profile p SET role = r.role, updated_at = now()
           FROM jsonb_to_recordset($1::jsonb) AS r("profileId" uuid, role text)
          WHERE p.profile_id = r."profileId" AND p.role IS DISTINCT FROM r.role`,
        [jsonRows(accepted)],
      );
    }
    return refusals;
  },
});

export const systemBootstrapped: EventHandler<'SystemBootstrapped'> = {
  project(payload, context, changes) {
    if (payload.version === 2) {
      // The fee cells, each under the name SetParameter changes it by.
      for (const type of transferTypes) {
        for (const scope of transferScopes) {
          changes.record(systemParameters, {
            name: `fees.${type}.${scope}`,
            value: payload.params.fees[type][scope],
            blockNumber: context.blockNumber,
          });
        }
      }
    }
    changes.record(systemState, {
      key: SystemStateKey.params,
      value: payload.params,
      blockNumber: context.blockNumber,
    });
    changes.record(systemState, {
      key: SystemStateKey.bootstrap,
      value: { bootstrappedBy: payload.bootstrappedBy, bootstrappedAt: payload.timestamp },
      blockNumber: context.blockNumber,
    });
  },
};

/** Every genesis allocation reports the total supply after it. */
export const totalSupplyChanged: EventHandler<'GenesisDistributed'> = {
  project(payload, context, changes) {
    changes.record(systemState, {
      key: SystemStateKey.totalSupply,
      value: payload.totalSupply,
      blockNumber: context.blockNumber,
    });
  },
};

export const systemPauseChanged: EventHandler<'SystemPauseChanged'> = {
  project(payload, context, changes) {
    changes.record(systemState, {
      key: SystemStateKey.paused,
      value: { paused: payload.paused, reason: payload.reason, since: payload.timestamp },
      blockNumber: context.blockNumber,
    });
  },
};

export const parameterChanged: EventHandler<'ParameterChanged'> = {
  project(payload, context, changes) {
    changes.record(systemParameters, { name: payload.name, value: payload.newValue, blockNumber: context.blockNumber });
  },
};

export const adminAppointed: EventHandler<'AdminAppointed'> = {
  project(payload, context, changes) {
    changes.record(profileRoles, {
      requestId: payload.requestId,
      digest: payload.digest,
      role: payload.role,
      origin: eventOrigin('AdminAppointed', payload, context),
    });
  },
};

export const adminRevoked: EventHandler<'AdminRevoked'> = {
  project(payload, context, changes) {
    changes.record(profileRoles, {
      requestId: payload.requestId,
      digest: payload.digest,
      role: 'user',
      origin: eventOrigin('AdminRevoked', payload, context),
    });
  },
};
