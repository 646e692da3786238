/**
 * Token read models: a user's wallet and transaction history, as projected from the ledger.
 */
import type pg from 'pg';
import { decodeCursor, keysetPage, type Page } from '../../db/cursor.js';

export interface WalletView {
  fabricUserId: string;
  /** Whole smallest units, as a decimal string. */
  balance: string;
  updatedAt: Date;
}

export async function findWalletOfProfile(db: pg.Pool, profileId: string): Promise<WalletView | undefined> {
  const result = await db.query<{ fabric_user_id: string; balance: string; updated_at: Date }>(
    'SELECT fabric_user_id, balance::text AS balance, updated_at FROM wallet WHERE profile_id = $1',
    [profileId],
  );
  const row = result.rows[0];
  return row === undefined
    ? undefined
    : { fabricUserId: row.fabric_user_id, balance: row.balance, updatedAt: row.updated_at };
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
  }>(
    `SELECT id, tx_id, type, from_user_id, to_user_id, amount::text AS amount, memo, block_number, tx_timestamp
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
    }),
    (row) => [row.block_number, row.id],
  );
}
