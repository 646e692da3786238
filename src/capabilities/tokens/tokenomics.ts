/**
 * Tokenomics v2 reads (docs/api.md, "Tokens and system"): supply, countries and the fee quote, from the read
 * models of supply-projection.ts and the fee cells the admin slice projects. The quote runs the chaincode's
 * own `quoteFee` on the projected schedule, so it is the fee the ledger charges under that schedule.
 */
import {
  type FeeQuote,
  type FeeSchedule,
  feeScheduleSchema,
  type PoolName,
  ppbScale,
  quoteFee,
  transferScopes,
  transferTypes,
} from '@gx/chaincode';
import type pg from 'pg';
import { decodeCursor, InvalidCursorError, keysetPage, type Page } from '../../db/cursor.js';

/** Raised before the ledger is bootstrapped: there is no supply, country or fee schedule yet. */
export class NotBootstrappedError extends Error {
  constructor() {
    super('the system is not bootstrapped yet');
    this.name = 'NotBootstrappedError';
  }
}

export interface Supply {
  maxSupply: string;
  minted: string;
  /** Minted − what the system pools hold (docs/tokenomics.md). */
  circulating: string;
  pools: { pool: PoolName; id: string; cap: string; minted: string; balance: string }[];
}

export async function readSupply(db: pg.Pool): Promise<Supply> {
  const [params, pools] = await Promise.all([
    db.query<{ max_supply: string | null }>(
      "SELECT value->>'maxSupply' AS max_supply FROM system_state WHERE key = 'params'",
    ),
    db.query<{ pool: PoolName; account_id: string; cap: string; minted: string; balance: string }>(
      `SELECT pool, account_id, cap::text AS cap, minted::text AS minted, balance::text AS balance
         FROM system_pool ORDER BY account_id`,
    ),
  ]);
  const maxSupply = params.rows[0]?.max_supply;
  if (!maxSupply || pools.rows.length === 0) throw new NotBootstrappedError();
  const minted = pools.rows.reduce((sum, row) => sum + BigInt(row.minted), 0n);
  const held = pools.rows.reduce((sum, row) => sum + BigInt(row.balance), 0n);
  return {
    maxSupply,
    minted: minted.toString(),
    circulating: (minted - held).toString(),
    pools: pools.rows.map((row) => ({
      pool: row.pool,
      id: row.account_id,
      cap: row.cap,
      minted: row.minted,
      balance: row.balance,
    })),
  };
}

export interface CountryView {
  code: string;
  /** The population share, as the ledger stores it (parts per billion) and as a fraction. */
  sharePpb: number;
  populationShare: number;
  /** The first phase with a free slot; null when every slot is used. */
  currentPhase: number | null;
  /** Free slots of the current phase (0 when none). */
  slotsLeft: number;
  phases: { phase: number; slots: number; used: number }[];
  treasury: { id: string; status: 'LOCKED' | 'ACTIVE'; balance: string };
}

interface CountryRow {
  code: string;
  share_ppb: string;
  treasury_id: string;
  treasury_status: 'LOCKED' | 'ACTIVE';
  treasury_balance: string;
  phases: { phase: number; slots: number; used: number }[];
}

const COUNTRY_SELECT = `SELECT c.code, c.share_ppb, c.treasury_id, c.treasury_status,
       COALESCE(w.balance, 0)::text AS treasury_balance,
       COALESCE((SELECT jsonb_agg(jsonb_build_object('phase', p.phase, 'slots', p.slots, 'used', p.used) ORDER BY p.phase)
                   FROM country_phase p WHERE p.code = c.code), '[]') AS phases
  FROM country c LEFT JOIN wallet w ON w.fabric_user_id = c.treasury_id`;

function toCountry(row: CountryRow): CountryView {
  const current = row.phases.find((phase) => phase.used < phase.slots);
  return {
    code: row.code,
    sharePpb: Number(row.share_ppb),
    populationShare: Number(row.share_ppb) / ppbScale,
    currentPhase: current?.phase ?? null,
    slotsLeft: current ? current.slots - current.used : 0,
    phases: row.phases,
    treasury: { id: row.treasury_id, status: row.treasury_status, balance: row.treasury_balance },
  };
}

export async function findCountry(db: pg.Pool, code: string): Promise<CountryView | undefined> {
  const result = await db.query<CountryRow>(`${COUNTRY_SELECT} WHERE c.code = $1`, [code]);
  const row = result.rows[0];
  return row === undefined ? undefined : toCountry(row);
}

/** Countries by code; keyset-paginated on the code. */
export async function listCountries(
  db: pg.Pool,
  options: { cursor?: string | undefined; limit: number },
): Promise<Page<CountryView>> {
  const after = decodeCursor(options.cursor, 1);
  if (after && !/^[A-Z]{2}$/.test(after[0] ?? '')) throw new InvalidCursorError();
  const result = await db.query<CountryRow>(
    `${COUNTRY_SELECT} WHERE ($1::text IS NULL OR c.code > $1) ORDER BY c.code LIMIT $2`,
    [after?.[0] ?? null, options.limit + 1],
  );
  return keysetPage(result.rows, options.limit, toCountry, (row) => [row.code]);
}

/** The fee schedule as the ledger last set it: the projected fee cells, assembled and checked. */
export async function readFeeSchedule(db: pg.Pool): Promise<FeeSchedule> {
  const result = await db.query<{ name: string; value: unknown }>(
    "SELECT name, value FROM system_parameter WHERE name LIKE 'fees.%'",
  );
  if (result.rows.length === 0) throw new NotBootstrappedError();
  const cells = new Map(result.rows.map((row) => [row.name, row.value]));
  const schedule = Object.fromEntries(
    transferTypes.map((type) => [
      type,
      Object.fromEntries(transferScopes.map((scope) => [scope, cells.get(`fees.${type}.${scope}`)])),
    ]),
  );
  return feeScheduleSchema.parse(schedule);
}

/** Whether the ledger knows `fabricUserId` as an account that holds a wallet (a user or a treasury). */
export async function walletExists(db: pg.Pool, fabricUserId: string): Promise<boolean> {
  const result = await db.query('SELECT 1 FROM wallet WHERE fabric_user_id = $1', [fabricUserId]);
  return (result.rowCount ?? 0) > 0;
}

export interface FeeQuoteView {
  type: FeeQuote['type'];
  scope: FeeQuote['scope'];
  feeBps: number;
  fee: string;
  /** What the sender is debited: amount + fee. */
  total: string;
}

/** The chaincode's quote on the projected schedule (its errors are GX_INVALID_ARGUMENT). */
export function quote(schedule: FeeSchedule, fromId: string, toId: string, amount: string): FeeQuoteView {
  const result = quoteFee(schedule, fromId, toId, BigInt(amount));
  return {
    type: result.type,
    scope: result.scope,
    feeBps: result.feeBps,
    fee: result.fee.toString(),
    total: (BigInt(amount) + result.fee).toString(),
  };
}
