/**
 * `gx verify`: compares the read models with the ledger — every user's status, every wallet's balance and
 * freeze (users, treasuries and organizations), the total supply, the tokenomics v2 read models
 * (verify-tokenomics.ts), organizations and payment requests (verify-organizations.ts) — and checks the supply
 * invariant on the ledger itself. Reports each drift and violation. Reads are evaluations (queries), never
 * transactions.
 */
import type { SupplyResult } from '@gx/chaincode';
import type pg from 'pg';
import type { LedgerClient } from '../ledger/index.js';
import { mapLimited } from './map-limited.js';
import { organizationDrift } from './verify-organizations.js';
import {
  countryDrift,
  type Drift,
  feeDrift,
  ledgerJson as json,
  poolDrift,
  supplyViolations,
  type Violation,
} from './verify-tokenomics.js';

export type { Drift, Violation } from './verify-tokenomics.js';

export interface VerifyReport {
  users: number;
  wallets: number;
  readModelSupply: string;
  ledgerSupply: string;
  /** Where the projector stood when the read models were read. */
  projectorBlock: string | null;
  drift: Drift[];
  /** Rules the ledger's own state breaks (the supply invariant, pool caps). */
  violations: Violation[];
}

function notFound(error: unknown): boolean {
  return error instanceof Error && /GX_NOT_FOUND/.test(`${error.message} ${JSON.stringify(error)}`);
}

export async function verifyReadModels(pool: pg.Pool, ledger: LedgerClient): Promise<VerifyReport> {
  const [users, wallets, projector] = await Promise.all([
    pool.query<{ fabric_user_id: string; is_locked: boolean; has_wallet: boolean }>(
      `SELECT p.fabric_user_id, p.is_locked, w.fabric_user_id IS NOT NULL AS has_wallet
         FROM user_profile p LEFT JOIN wallet w ON w.fabric_user_id = p.fabric_user_id
        WHERE p.fabric_user_id IS NOT NULL ORDER BY p.fabric_user_id`,
    ),
    pool.query<{ fabric_user_id: string; balance: string; frozen: boolean; freeze_reason: string | null }>(
      `SELECT w.fabric_user_id, w.balance::text AS balance, coalesce(f.frozen, false) AS frozen,
              CASE WHEN f.frozen THEN f.reason END AS freeze_reason
         FROM wallet w LEFT JOIN wallet_freeze f ON f.fabric_user_id = w.fabric_user_id
        ORDER BY w.fabric_user_id`,
    ),
    pool.query<{ last_block: string | null }>(`SELECT max(last_block)::text AS last_block FROM projector_state`),
  ]);
  const drift: Drift[] = [];

  await mapLimited(users.rows, async (user) => {
    if (!user.has_wallet) {
      drift.push({
        kind: 'wallet-missing',
        subject: user.fabric_user_id,
        readModel: 'no wallet row',
        ledger: 'user exists',
      });
    }
    try {
      const onLedger = json<{ status: string }>(
        await ledger.evaluate('IdentityContract', 'GetUser', [user.fabric_user_id]),
      );
      const readStatus = user.is_locked ? 'LOCKED' : 'ACTIVE';
      if (onLedger.status !== readStatus) {
        drift.push({
          kind: 'user-status',
          subject: user.fabric_user_id,
          readModel: readStatus,
          ledger: onLedger.status,
        });
      }
    } catch (error) {
      if (!notFound(error)) throw error;
      drift.push({
        kind: 'user-missing-on-ledger',
        subject: user.fabric_user_id,
        readModel: 'registered',
        ledger: 'absent',
      });
    }
  });

  await mapLimited(wallets.rows, async (wallet) => {
    let onLedger: { balance: string; frozen: boolean; freezeReason: string | null };
    try {
      onLedger = json(await ledger.evaluate('TokenomicsContract', 'GetWallet', [wallet.fabric_user_id]));
    } catch (error) {
      // A wallet the read model knows but the ledger does not: it holds nothing there.
      if (!notFound(error)) throw error;
      onLedger = { balance: '0', frozen: false, freezeReason: null };
    }
    if (onLedger.balance !== wallet.balance) {
      drift.push({
        kind: 'balance',
        subject: wallet.fabric_user_id,
        readModel: wallet.balance,
        ledger: onLedger.balance,
      });
    }
    const freeze = (frozen: boolean, reason: string | null) => (frozen ? `frozen (${reason})` : 'not frozen');
    const [readFreeze, ledgerFreeze] = [
      freeze(wallet.frozen, wallet.freeze_reason),
      freeze(onLedger.frozen, onLedger.freezeReason),
    ];
    if (readFreeze !== ledgerFreeze) {
      drift.push({ kind: 'freeze', subject: wallet.fabric_user_id, readModel: readFreeze, ledger: ledgerFreeze });
    }
  });

  const readModelSupply = wallets.rows.reduce((sum, wallet) => sum + BigInt(wallet.balance), 0n).toString();
  // The wallets (users and treasuries) hold what circulates: minted less what the pools hold (the fees in
  // the operations fund's shards).
  const supply = json<SupplyResult>(await ledger.evaluate('TokenomicsContract', 'GetSupply', []));
  const ledgerSupply = supply.circulating;
  if (readModelSupply !== ledgerSupply) {
    drift.push({ kind: 'total-supply', subject: 'all wallets', readModel: readModelSupply, ledger: ledgerSupply });
  }
  const [pools, countries, fees, organizations, violations] = await Promise.all([
    poolDrift(pool, supply),
    countryDrift(pool, ledger),
    feeDrift(pool, supply),
    organizationDrift(pool, ledger),
    supplyViolations(ledger, supply),
  ]);
  drift.push(...pools, ...countries, ...fees, ...organizations);
  drift.sort((a, b) => a.kind.localeCompare(b.kind) || a.subject.localeCompare(b.subject));
  return {
    users: users.rowCount ?? 0,
    wallets: wallets.rowCount ?? 0,
    readModelSupply,
    ledgerSupply,
    projectorBlock: projector.rows[0]?.last_block ?? null,
    drift,
    violations,
  };
}

export function formatVerifyReport(report: VerifyReport): string {
  const lines = [
    `Checked ${report.users} users and ${report.wallets} wallets (projector at block ${report.projectorBlock ?? 'none'}).`,
    `Total supply: read models ${report.readModelSupply}, ledger ${report.ledgerSupply}.`,
  ];
  if (report.drift.length === 0) lines.push('No drift: the read models match the ledger.');
  for (const d of report.drift)
    lines.push(`DRIFT ${d.kind} ${d.subject}: read model ${d.readModel}, ledger ${d.ledger}`);
  if (report.violations.length === 0) {
    lines.push('Supply invariant holds: wallets + pools = minted, every pool within its cap.');
  }
  for (const v of report.violations) lines.push(`VIOLATION ${v.rule} ${v.subject}: ${v.detail}`);
  return `${lines.join('\n')}\n`;
}
