/**
 * `gx verify`'s tokenomics v2 checks: the supply invariant on the ledger's own state (every wallet + what the
 * pools hold = minted; no pool past its cap, nothing past the maximum supply), and the v2 read models (pools,
 * countries with their phases, the fees in history) against the ledger. Reads are evaluations, never
 * transactions.
 */
import type { AuditSupplyResult, SupplyResult } from '@gx/chaincode';
import type pg from 'pg';
import type { LedgerClient } from '../ledger/index.js';

/** A read model that disagrees with the ledger. */
export interface Drift {
  kind:
    | 'user-missing-on-ledger'
    | 'user-status'
    | 'wallet-missing'
    | 'balance'
    | 'freeze'
    | 'total-supply'
    | 'pool'
    | 'country'
    | 'fees'
    | 'organization'
    | 'payment';
  subject: string;
  readModel: string;
  ledger: string;
}

/** A rule the ledger's own state breaks: no read model involved, so nothing a rebuild could repair. */
export interface Violation {
  rule: 'supply' | 'pool-cap' | 'max-supply';
  subject: string;
  detail: string;
}

interface LedgerCountry {
  code: string;
  sharePpb: number;
  treasuryStatus: string;
  phases: { phase: number; slots: number; used: number }[];
}

export function ledgerJson<T>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}

/**
 * The invariant on the ledger alone: wallets + what the pools hold = minted (its terms from one AuditSupply
 * query, one snapshot, so writes committing meanwhile cannot fake a violation); each pool within its cap.
 */
export async function supplyViolations(ledger: LedgerClient, supply: SupplyResult): Promise<Violation[]> {
  const audit = ledgerJson<AuditSupplyResult>(await ledger.evaluate('TokenomicsContract', 'AuditSupply', []));
  const violations: Violation[] = [];
  if (BigInt(audit.walletTotal) + BigInt(audit.held) !== BigInt(audit.minted)) {
    violations.push({
      rule: 'supply',
      subject: 'wallets + pools',
      detail: `${audit.wallets} wallets hold ${audit.walletTotal} and the pools ${audit.held}, but ${audit.minted} was minted`,
    });
  }
  for (const pool of supply.pools) {
    if (BigInt(pool.minted) > BigInt(pool.cap)) {
      violations.push({ rule: 'pool-cap', subject: pool.pool, detail: `minted ${pool.minted} > cap ${pool.cap}` });
    }
  }
  if (BigInt(supply.minted) > BigInt(supply.maxSupply)) {
    violations.push({
      rule: 'max-supply',
      subject: 'minted',
      detail: `minted ${supply.minted} > maximum supply ${supply.maxSupply}`,
    });
  }
  return violations;
}

/** `system_pool` (cap, minted, balance) against GetSupply. */
export async function poolDrift(pool: pg.Pool, supply: SupplyResult): Promise<Drift[]> {
  const rows = await pool.query<{ pool: string; cap: string; minted: string; balance: string }>(
    'SELECT pool, cap::text AS cap, minted::text AS minted, balance::text AS balance FROM system_pool',
  );
  const read = new Map(rows.rows.map((row) => [row.pool, row]));
  const drift: Drift[] = [];
  for (const onLedger of supply.pools) {
    const row = read.get(onLedger.pool);
    for (const field of ['cap', 'minted', 'balance'] as const) {
      const value = row?.[field] ?? 'absent';
      if (value !== onLedger[field]) {
        drift.push({ kind: 'pool', subject: `${onLedger.pool}.${field}`, readModel: value, ledger: onLedger[field] });
      }
    }
  }
  return drift;
}

/** `country` and `country_phase` (share, treasury status, slots and used per phase) against ListCountries. */
export async function countryDrift(pool: pg.Pool, ledger: LedgerClient): Promise<Drift[]> {
  const [countries, phases, onLedger] = await Promise.all([
    pool.query<{ code: string; share_ppb: string; treasury_status: string }>(
      'SELECT code, share_ppb::text AS share_ppb, treasury_status FROM country',
    ),
    pool.query<{ code: string; phase: number; slots: string; used: string }>(
      'SELECT code, phase, slots::text AS slots, used::text AS used FROM country_phase',
    ),
    ledger.evaluate('TokenomicsContract', 'ListCountries', []),
  ]);
  // One flat "field → value" view per side, so a country or phase missing on either side is a drift too.
  const readView = new Map<string, string>();
  for (const row of countries.rows) {
    readView.set(`${row.code}.sharePpb`, row.share_ppb);
    readView.set(`${row.code}.treasuryStatus`, row.treasury_status);
  }
  for (const row of phases.rows) {
    readView.set(`${row.code}.phase${row.phase}.slots`, row.slots);
    readView.set(`${row.code}.phase${row.phase}.used`, row.used);
  }
  const ledgerView = new Map<string, string>();
  for (const country of ledgerJson<{ countries: LedgerCountry[] }>(onLedger).countries) {
    ledgerView.set(`${country.code}.sharePpb`, String(country.sharePpb));
    ledgerView.set(`${country.code}.treasuryStatus`, country.treasuryStatus);
    for (const phase of country.phases) {
      ledgerView.set(`${country.code}.phase${phase.phase}.slots`, String(phase.slots));
      ledgerView.set(`${country.code}.phase${phase.phase}.used`, String(phase.used));
    }
  }
  const drift: Drift[] = [];
  for (const subject of new Set([...readView.keys(), ...ledgerView.keys()])) {
    const [readModel, onChain] = [readView.get(subject) ?? 'absent', ledgerView.get(subject) ?? 'absent'];
    if (readModel !== onChain) drift.push({ kind: 'country', subject, readModel, ledger: onChain });
  }
  return drift;
}

/** The fees in history (each transfer's sender row) against what the operations fund holds on the ledger. */
export async function feeDrift(pool: pg.Pool, supply: SupplyResult): Promise<Drift[]> {
  const history = await pool.query<{ fees: string }>(
    "SELECT coalesce(sum(fee), 0)::text AS fees FROM transaction_history WHERE type = 'TRANSFER_OUT'",
  );
  const fund = supply.pools.find((entry) => entry.pool === 'OPERATIONS')?.balance ?? '0';
  const fees = history.rows[0]?.fees ?? '0';
  return fees === fund ? [] : [{ kind: 'fees', subject: 'operations fund', readModel: fees, ledger: fund }];
}
