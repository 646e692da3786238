/** System family: the parameters the ledger was bootstrapped with. */
import type { EventHandler } from './handler.js';

/** `system_state` keys the projector writes. */
export const SystemStateKey = {
  /** The token and fee parameters (`SystemParams` of the chaincode). */
  params: 'params',
  /** Who bootstrapped the system, and when. */
  bootstrap: 'bootstrap',
  /** Total supply after the latest genesis allocation (decimal string). */
  totalSupply: 'totalSupply',
} as const;

export const systemBootstrapped: EventHandler<'SystemBootstrapped'> = {
  event: 'SystemBootstrapped',
  project(payload, context, changes) {
    changes.setSystemState({ key: SystemStateKey.params, value: payload.params, blockNumber: context.blockNumber });
    changes.setSystemState({
      key: SystemStateKey.bootstrap,
      value: { bootstrappedBy: payload.bootstrappedBy, bootstrappedAt: payload.timestamp },
      blockNumber: context.blockNumber,
    });
    changes.markProjected(payload.requestId);
  },
};
