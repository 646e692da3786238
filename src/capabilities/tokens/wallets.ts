/**
 * Token read models: a user's wallet and transaction history, as projected from the ledger.
 */
import type { FreezeReason, TransferScope, TransferType } from '@gx/chaincode';
import type pg from 'pg';
import { decodeCursor, keysetPage, type Page } from '../../db/cursor.js';

export interface WalletView {
  fabricUserId: string;
  /** Whole smallest units, as a decimal string. */
  balance: string;
  updatedAt: Date;
  /** Frozen wallets can neither send nor receive (docs/domain.md, System controls). */
  frozen: boolean;
  freezeReason: FreezeReason | null;
}

export async function findWalletOfProfile(db: pg.Pool, profileId: string): Promise<WalletView | undefined> {
  const result = await db.query<{
    fabric_user_id: string;
    balance: string;
    updated_at: Date;
    frozen: boolean | null;
    reason: FreezeReason | null;
  }>(
    `SELECT w.fabric_user_id, w.balance::text AS balance, w.updated_at, f.frozen, f.reason
       FROM wallet w LEFT JOIN wallet_freeze f ON f.fabric_user_id = w.fabric_user_id
      WHERE w.profile_id = $1`,
    [profileId],
  );
  const row = result.rows[0];
  return row === undefined
    ? undefined
    : {
        fabricUserId: row.fabric_user_id,
        balance: row.balance,
        updatedAt: row.updated_at,
        frozen: row.frozen === true,
        freezeReason: row.frozen === true ? row.reason : null,
      };
}

/** Whether a wallet is frozen now, as the ledger last reported it. */
export async function isWalletFrozen(db: pg.Pool | pg.ClientBase, fabricUserId: string): Promise<boolean> {
  const result = await db.query<{ frozen: boolean }>('SELECT frozen FROM wallet_freeze WHERE fabric_user_id = $1', [
    fabricUserId,
  ]);
  return result.rows[0]?.frozen === true;
}

export interface TransactionView {
  txId: string;
  type: string;
  from: string | null;
  to: string | null;
  amount: string;
  memo: string | null;
  blockNumber: number;
  timestamp: Date;
  fee: string | null;
  feeBps: number | null;
  transferType: TransferType | null;
  scope: TransferScope | null;
}

/** A user's transactions, newest first; keyset-paginated on (block_number, id). */
export async function listTransactions(
  db: pg.Pool,
  fabricUserId: string,
  options: { cursor?: string | undefined; limit: number },
): Promise<Page<TransactionView>> {
  const after = decodeCursor(options.cursor, 2);
  const result = await db.query<{
    id: string;
    tx_id: string;
    type: string;
    from_user_id: string | null;
    to_user_id: string | null;
    amount: string;
    memo: string | null;
    block_number: string;
    tx_timestamp: Date;
    fee: string | null;
    fee_bps: number | null;
    transfer_type: TransferType | null;
    scope: TransferScope | null;
  }>(
    `SELECT id, tx_id, type, from_user_id, to_user_id, amount::text AS amount, memo, block_number, tx_timestamp,
            fee::text AS fee, fee_bps, transfer_type, scope
       FROM transaction_history
      WHERE fabric_user_id = $1
        AND ($2::bigint IS NULL OR (block_number, id) < ($2::bigint, $3::bigint))
      ORDER BY block_number DESC, id DESC
      LIMIT $4`,
    [fabricUserId, after?.[0] ?? null, after?.[1] ?? null, options.limit + 1],
  );
  return keysetPage(
    result.rows,
    options.limit,
    (row) => ({
      txId: row.tx_id,
      type: row.type,
      from: row.from_user_id,
      to: row.to_user_id,
      amount: row.amount,
      memo: row.memo,
      blockNumber: Number(row.block_number),
      timestamp: row.tx_timestamp,
      fee: row.fee,
      feeBps: row.fee_bps,
      transferType: row.transfer_type,
      scope: row.scope,
    }),
    (row) => [row.block_number, row.id],
  );
}
