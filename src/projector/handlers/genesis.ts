/** Genesis family: the tiered initial allocation of tokens to a user. */
import type { EventHandler } from './handler.js';
import { SystemStateKey } from './system.js';

export const genesisDistributed: EventHandler<'GenesisDistributed'> = {
  event: 'GenesisDistributed',
  project(payload, context, changes) {
    changes.setWallet({ fabricUserId: payload.fabricUserId, balance: payload.balance, lastBlock: context.blockNumber });
    changes.addHistory({
      fabricUserId: payload.fabricUserId,
      txId: context.transactionId,
      type: 'GENESIS',
      fromUserId: null,
      toUserId: payload.fabricUserId,
      amount: payload.amount,
      memo: `genesis tier ${payload.tier}`,
      blockNumber: context.blockNumber,
      txTimestamp: payload.timestamp,
    });
    changes.setSystemState({
      key: SystemStateKey.totalSupply,
      value: payload.totalSupply,
      blockNumber: context.blockNumber,
    });
    changes.markProjected(payload.requestId);
  },
};
