/** Helpers for outbox submitter tests: command fixtures, waiting on rows, reading devnet's commit counters. */

import { type NewUserFixture, newUser } from '@gx/chaincode/testing';
import type pg from 'pg';
import type { CommandPayload } from '../../src/commands/catalogue.js';
import { registry } from '../../src/observability/metrics.js';

export interface OutboxRow {
  id: string;
  command_type: string;
  status: 'PENDING' | 'SUBMITTED' | 'COMMITTED' | 'FAILED';
  attempts: number;
  fabric_tx_id: string | null;
  signed_tx: Buffer | null;
  block_number: string | null;
  validation_code: number | null;
  error: string | null;
  error_kind: 'PERMANENT' | 'TRANSIENT' | null;
  retrying: boolean;
  locked_by: string | null;
}

/** A valid CREATE_USER payload for a fresh user (a business, registered without genesis, unless given another). */
export function createUserPayload(fixture: NewUserFixture = newUser()): CommandPayload<'CREATE_USER'> {
  return { fabricUserId: fixture.fabricUserId, countryCode: fixture.fabricUserId.slice(0, 2), ...fixture.user };
}

export async function readRows(pool: pg.Pool, ids: readonly string[]): Promise<OutboxRow[]> {
  const result = await pool.query<OutboxRow>(
    `SELECT id, command_type, status, attempts, fabric_tx_id, signed_tx, block_number, validation_code, error,
            error_kind, next_attempt_at IS NOT NULL AS retrying, locked_by
       FROM outbox_command WHERE id = ANY($1::uuid[]) ORDER BY created_at, id`,
    [ids],
  );
  return result.rows;
}

/** A row is settled when it is committed, or failed with no retry scheduled. */
export function isSettled(row: OutboxRow): boolean {
  return row.status === 'COMMITTED' || (row.status === 'FAILED' && !row.retrying);
}

/** Polls until every row satisfies `done` (default: settled); fails with the rows' states after `timeoutMs`. */
export async function waitForRows(
  pool: pg.Pool,
  ids: readonly string[],
  options: { done?: (row: OutboxRow) => boolean; timeoutMs?: number } = {},
): Promise<OutboxRow[]> {
  const done = options.done ?? isSettled;
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const rows = await readRows(pool, ids);
    if (rows.length === ids.length && rows.every(done)) return rows;
    if (Date.now() > deadline) {
      const states = rows.reduce<Record<string, number>>((counts, row) => {
        const key = `${row.status}${row.retrying ? '(retrying)' : ''}`;
        counts[key] = (counts[key] ?? 0) + 1;
        return counts;
      }, {});
      throw new Error(`rows not done after ${options.timeoutMs ?? 20_000} ms: ${JSON.stringify(states)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Transactions devnet (in this process) has committed with a validation code, e.g. `VALID`. */
export async function devnetTransactionCount(code = 'VALID'): Promise<number> {
  const metric = await registry.getSingleMetric('gx_devnet_transactions_total')?.get();
  return (
    metric?.values.filter((value) => value.labels.validation_code === code).reduce((sum, v) => sum + v.value, 0) ?? 0
  );
}
