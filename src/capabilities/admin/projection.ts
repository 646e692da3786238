/**
 * The admin slice's projection: the system's state as the ledger reports it (`system_state`): the parameters
 * it was bootstrapped with, by whom, and the total supply.
 */
import { defineReadModel, type EventHandler, jsonRows } from '../../projector/projection.js';

/** `system_state` keys the projector writes. */
export const SystemStateKey = {
  /** The token and fee parameters (`SystemParams` of the chaincode). */
  params: 'params',
  /** Who bootstrapped the system, and when. */
  bootstrap: 'bootstrap',
  /** Total supply after the latest genesis allocation (decimal string). */
  totalSupply: 'totalSupply',
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

export const systemBootstrapped: EventHandler<'SystemBootstrapped'> = {
  project(payload, context, changes) {
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
