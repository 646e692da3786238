/**
 * The admin slice's projection: the system's state as the ledger reports it (`system_state`): the parameters
 * it was bootstrapped with, by whom, the total supply (version 1) and the pause; the governable parameters by
 * name (`system_parameter`); and the on-chain admin registry, as the role of the profile each digest names.
 */
import { transferScopes, transferTypes } from '@gx/chaincode';
import { defineReadModel, type EventHandler, jsonRows } from '../../projector/projection.js';

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
  digest: string;
  role: 'user' | 'admin' | 'super_admin';
}

/**
 * `user_profile.role` from the on-chain admin registry, found by the profile's digest (the ledger knows no
 * profile id). A revocation makes the account an ordinary user. Columns of the API's table: not rebuilt.
 */
export const profileRoles = defineReadModel<ProfileRoleChange>({
  name: 'profile roles',
  key: (change) => change.digest,
  async write(client, changes) {
    await client.query(
      `UPDATE user_profile p SET role = r.role, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS r(digest text, role text)
        WHERE p.profile_digest = r.digest AND p.role IS DISTINCT FROM r.role`,
      [jsonRows(changes)],
    );
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
  project(payload, _context, changes) {
    changes.record(profileRoles, { digest: payload.digest, role: payload.role });
  },
};

export const adminRevoked: EventHandler<'AdminRevoked'> = {
  project(payload, _context, changes) {
    changes.record(profileRoles, { digest: payload.digest, role: 'user' });
  },
};
