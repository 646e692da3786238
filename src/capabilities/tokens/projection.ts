/**
 * The tokens slice's projection: wallets (balances as the ledger reports them, never computed here) and
 * each user's transaction history.
 */

import { defineReadModel, type EventHandler, jsonRows } from '../../projector/projection.js';

interface WalletChange {
  fabricUserId: string;
  /** Balance after the event, as the ledger reports it. */
  balance: string;
  /**
   * Set by UserCreated: link the wallet to the profile registered for this user, if the identity slice accepted
   * the registration (profile registrations are written first, see `src/capabilities/index.ts`). Never the
   * profile id the event names: the projector grants no access the backend did not ask for.
   */
  linkRegisteredProfile?: boolean | undefined;
  lastBlock: bigint;
}

/** `transaction_history.type` values written by the projector. */
type HistoryType = 'GENESIS' | 'TRANSFER_OUT' | 'TRANSFER_IN';

interface HistoryRow {
  fabricUserId: string;
  txId: string;
  type: HistoryType;
  fromUserId: string | null;
  toUserId: string | null;
  amount: string;
  memo: string | null;
  blockNumber: bigint;
  txTimestamp: string;
  /** From TransferCompleted version 2: what the sender paid on top, its rate, type and scope. */
  fee?: string | undefined;
  feeBps?: number | undefined;
  transferType?: string | undefined;
  scope?: string | undefined;
}

/** `wallet`: the last balance of each account in a batch wins. */
export const wallets = defineReadModel<WalletChange>({
  name: 'wallets',
  ownedTable: {
    name: 'wallet',
    key: ['fabric_user_id'],
    values: ['profile_id', 'balance', 'last_block'],
    updatedAt: true,
  },
  key: (change) => change.fabricUserId,
  // A later balance of the same wallet wins, but the profile link of its creation must survive.
  merge: (earlier, later) => ({
    ...later,
    linkRegisteredProfile: later.linkRegisteredProfile ?? earlier.linkRegisteredProfile,
  }),
  async write(client, changes) {
    // A user created on the ledger by other means has no registered profile: its wallet exists, unlinked.
    await client.query(
      `INSERT INTO wallet (fabric_user_id, profile_id, balance, last_block)
       SELECT r."fabricUserId", q.profile_id, r.balance, r."lastBlock"
         FROM jsonb_to_recordset($1::jsonb)
              AS r("fabricUserId" text, "linkRegisteredProfile" boolean, balance numeric, "lastBlock" bigint)
         LEFT JOIN user_profile q ON r."linkRegisteredProfile" AND q.fabric_user_id = r."fabricUserId"
       ON CONFLICT (fabric_user_id) DO UPDATE
          SET balance = EXCLUDED.balance, last_block = EXCLUDED.last_block,
              profile_id = COALESCE(EXCLUDED.profile_id, wallet.profile_id), updated_at = now()`,
      [jsonRows(changes)],
    );
  },
});

/** `transaction_history`: one row per user a movement concerns. */
export const history = defineReadModel<HistoryRow>({
  name: 'transaction history',
  ownedTable: {
    name: 'transaction_history',
    key: ['tx_id', 'fabric_user_id'],
    values: [
      'type',
      'from_user_id',
      'to_user_id',
      'amount',
      'memo',
      'block_number',
      'tx_timestamp',
      'fee',
      'fee_bps',
      'transfer_type',
      'scope',
    ],
    updatedAt: false,
  },
  async write(client, changes) {
    // The unique (tx_id, fabric_user_id) makes a replayed event a no-op here.
    await client.query(
      `INSERT INTO transaction_history
              (fabric_user_id, tx_id, type, from_user_id, to_user_id, amount, memo, block_number, tx_timestamp,
               fee, fee_bps, transfer_type, scope)
       SELECT r."fabricUserId", r."txId", r.type, r."fromUserId", r."toUserId", r.amount, r.memo,
              r."blockNumber", r."txTimestamp", r.fee, r."feeBps", r."transferType", r.scope
         FROM jsonb_to_recordset($1::jsonb) AS r("fabricUserId" text, "txId" text, type text, "fromUserId" text,
              "toUserId" text, amount numeric, memo text, "blockNumber" bigint, "txTimestamp" timestamptz,
              fee numeric, "feeBps" integer, "transferType" text, scope text)
       ON CONFLICT (tx_id, fabric_user_id) DO NOTHING`,
      [jsonRows(changes)],
    );
  },
});

/** A user's wallet is created with the user (one event per transaction, so it rides along). */
export const walletOpened: EventHandler<'UserCreated'> = {
  project(payload, context, changes) {
    changes.record(wallets, {
      fabricUserId: payload.wallet.fabricUserId,
      balance: payload.wallet.balance,
      linkRegisteredProfile: true,
      lastBlock: context.blockNumber,
    });
    // From version 3 the user's genesis rides along (the wallet's balance includes it): the user's allocation
    // (in its history, as a separate genesis was before) and its country's treasury's share.
    if (payload.version === 3 && payload.genesis.outcome === 'ALLOCATED') {
      changes.record(history, {
        fabricUserId: payload.fabricUserId,
        txId: context.transactionId,
        type: 'GENESIS',
        fromUserId: null,
        toUserId: payload.fabricUserId,
        amount: payload.genesis.userAmount,
        memo: `genesis phase ${payload.genesis.phase}`,
        blockNumber: context.blockNumber,
        txTimestamp: payload.timestamp,
      });
      changes.record(wallets, {
        fabricUserId: payload.genesis.treasuryId,
        balance: payload.genesis.treasuryBalance,
        lastBlock: context.blockNumber,
      });
    }
  },
};

/** The tiered initial allocation of tokens to a user. */
export const genesisDistributed: EventHandler<'GenesisDistributed'> = {
  project(payload, context, changes) {
    changes.record(wallets, {
      fabricUserId: payload.fabricUserId,
      balance: payload.balance,
      lastBlock: context.blockNumber,
    });
    changes.record(history, {
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
  },
};

/** A completed transfer moves three balances (sender, recipient, fee collector). */
export const transferCompleted: EventHandler<'TransferCompleted'> = {
  project(payload, context, changes) {
    const row = {
      txId: context.transactionId,
      fromUserId: payload.from,
      toUserId: payload.to,
      amount: payload.amount,
      memo: payload.memo === '' ? null : payload.memo,
      blockNumber: context.blockNumber,
      txTimestamp: payload.timestamp,
      ...(payload.version === 2
        ? { fee: payload.fee, feeBps: payload.feeBps, transferType: payload.type, scope: payload.scope }
        : {}),
    };
    changes.record(history, { ...row, fabricUserId: payload.from, type: 'TRANSFER_OUT' });
    changes.record(history, { ...row, fabricUserId: payload.to, type: 'TRANSFER_IN' });
    const lastBlock = context.blockNumber;
    changes.record(wallets, { fabricUserId: payload.from, balance: payload.fromBalance, lastBlock });
    changes.record(wallets, { fabricUserId: payload.to, balance: payload.toBalance, lastBlock });
    // Version 1 named a fee collector and its balance after the whole transfer, so it is written last: it is
    // right even when the collector is also the sender or the recipient. From version 2 the fee accrues to
    // the operations fund in the sender's fee shard, whose balance no single event carries.
    if (payload.version === 1) {
      changes.record(wallets, { fabricUserId: payload.feeCollector, balance: payload.feeCollectorBalance, lastBlock });
    }
  },
};
