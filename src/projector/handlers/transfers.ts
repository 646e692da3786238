/** Transfers family: a completed transfer moves three balances (sender, recipient, fee collector). */
import type { EventHandler } from './handler.js';

export const transferCompleted: EventHandler<'TransferCompleted'> = {
  event: 'TransferCompleted',
  project(payload, context, changes) {
    const row = {
      txId: context.transactionId,
      fromUserId: payload.from,
      toUserId: payload.to,
      amount: payload.amount,
      memo: payload.memo === '' ? null : payload.memo,
      blockNumber: context.blockNumber,
      txTimestamp: payload.timestamp,
    };
    changes.addHistory({ ...row, fabricUserId: payload.from, type: 'TRANSFER_OUT' });
    changes.addHistory({ ...row, fabricUserId: payload.to, type: 'TRANSFER_IN' });
    const lastBlock = context.blockNumber;
    changes.setWallet({ fabricUserId: payload.from, balance: payload.fromBalance, lastBlock });
    changes.setWallet({ fabricUserId: payload.to, balance: payload.toBalance, lastBlock });
    // The collector's balance is reported after the whole transfer, so it is written last: it is right even
    // when the collector is also the sender or the recipient.
    changes.setWallet({ fabricUserId: payload.feeCollector, balance: payload.feeCollectorBalance, lastBlock });
    changes.markProjected(payload.requestId);
  },
};
