/**
 * The tokens slice's tokenomics v2 read models: the system pools (cap, minted, balance), the countries (share,
 * treasury) with their genesis phases (slots, used), and wallet freezes. Treasury balances are wallets
 * (projection.ts), reported by the ledger after each genesis and transfer.
 *
 * Pools are the one place the read side adds up: the ledger keeps no global counter (docs/tokenomics.md, "No
 * hot keys"), so no event carries a pool's total. Each event adds what it minted or moved; the projector
 * applies every event exactly once (its checkpoint commits with the batch), and a rebuild starts from zero.
 */
import { type PoolName, poolIds } from '@gx/chaincode';
import { defineReadModel, type EventHandler, jsonRows } from '../../projector/projection.js';

interface PoolChange {
  pool: PoolName;
  /** Set by the bootstrap only. */
  cap?: string | undefined;
  /** Added to the pool's minted and balance (decimal strings; BigInt sums). */
  minted: string;
  balance: string;
  blockNumber: bigint;
}

const add = (a: string, b: string) => (BigInt(a) + BigInt(b)).toString();

/** `system_pool`: caps from the bootstrap; minted and balance summed from what each event reports. */
export const systemPools = defineReadModel<PoolChange>({
  name: 'system pools',
  ownedTable: {
    name: 'system_pool',
    key: ['pool'],
    values: ['account_id', 'cap', 'minted', 'balance', 'block_number'],
    updatedAt: true,
  },
  key: (change) => change.pool,
  merge: (earlier, later) => ({
    pool: later.pool,
    cap: later.cap ?? earlier.cap,
    minted: add(earlier.minted, later.minted),
    balance: add(earlier.balance, later.balance),
    blockNumber: later.blockNumber,
  }),
  async write(client, changes) {
    // The bootstrap's rows first (cap, nothing minted), then every change's amounts added: two statements, since
    // an upsert cannot tell a change without a cap from one that sets it.
    const bootstrapped = changes.filter((change) => change.cap !== undefined);
    if (bootstrapped.length > 0) {
      await client.query(
        `INSERT INTO system_pool (pool, account_id, cap, block_number)
         SELECT r.pool, r."accountId", r.cap, r."blockNumber"
           FROM jsonb_to_recordset($1::jsonb) AS r(pool text, "accountId" text, cap numeric, "blockNumber" bigint)
         ON CONFLICT (pool) DO UPDATE SET cap = EXCLUDED.cap, block_number = EXCLUDED.block_number, updated_at = now()`,
        [jsonRows(bootstrapped.map((change) => ({ ...change, accountId: poolIds[change.pool] })))],
      );
    }
    await client.query(
      `UPDATE system_pool p
          SET minted = p.minted + r.minted, balance = p.balance + r.balance, block_number = r."blockNumber",
              updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS r(pool text, minted numeric, balance numeric, "blockNumber" bigint)
        WHERE p.pool = r.pool AND (r.minted <> 0 OR r.balance <> 0)`,
      [jsonRows(changes)],
    );
  },
});

interface CountryChange {
  code: string;
  treasuryId: string;
  /** Set by the bootstrap only. */
  sharePpb?: number | undefined;
  treasuryStatus: 'LOCKED' | 'ACTIVE';
  blockNumber: bigint;
}

/**
 * `country`: share and treasury as bootstrapped, the treasury's status as last changed. A change without a
 * share (an activation) keeps the stored one: shares are positive, so 0 stands for "not given" in SQL.
 */
export const countries = defineReadModel<CountryChange>({
  name: 'countries',
  ownedTable: {
    name: 'country',
    key: ['code'],
    values: ['share_ppb', 'treasury_id', 'treasury_status', 'block_number'],
    updatedAt: true,
  },
  key: (change) => change.code,
  merge: (earlier, later) => ({ ...later, sharePpb: later.sharePpb ?? earlier.sharePpb }),
  async write(client, changes) {
    await client.query(
      `INSERT INTO country (code, share_ppb, treasury_id, treasury_status, block_number)
       SELECT r.code, COALESCE(r."sharePpb", 0), r."treasuryId", r."treasuryStatus", r."blockNumber"
         FROM jsonb_to_recordset($1::jsonb)
              AS r(code text, "sharePpb" bigint, "treasuryId" text, "treasuryStatus" text, "blockNumber" bigint)
       ON CONFLICT (code) DO UPDATE
          SET share_ppb = CASE WHEN EXCLUDED.share_ppb > 0 THEN EXCLUDED.share_ppb ELSE country.share_ppb END,
              treasury_status = EXCLUDED.treasury_status, block_number = EXCLUDED.block_number, updated_at = now()`,
      [jsonRows(changes)],
    );
  },
});

interface PhaseChange {
  code: string;
  phase: number;
  /** Set by the bootstrap only. */
  slots?: number | undefined;
  /** The country's users served in the phase so far, as the ledger counted them. */
  used: number;
  blockNumber: bigint;
}

/**
 * `country_phase`: slots as bootstrapped (written once: a later change without slots keeps them); used as the
 * latest registration of the phase reported it.
 */
export const countryPhases = defineReadModel<PhaseChange>({
  name: 'country phases',
  ownedTable: {
    name: 'country_phase',
    key: ['code', 'phase'],
    values: ['slots', 'used', 'block_number'],
    updatedAt: true,
  },
  key: (change) => `${change.code}:${change.phase}`,
  merge: (earlier, later) => ({
    ...later,
    slots: later.slots ?? earlier.slots,
    used: Math.max(earlier.used, later.used),
  }),
  async write(client, changes) {
    await client.query(
      `INSERT INTO country_phase (code, phase, slots, used, block_number)
       SELECT r.code, r.phase, COALESCE(r.slots, 0), r.used, r."blockNumber"
         FROM jsonb_to_recordset($1::jsonb) AS r(code text, phase integer, slots bigint, used bigint, "blockNumber" bigint)
       ON CONFLICT (code, phase) DO UPDATE
          SET slots = CASE WHEN EXCLUDED.slots > 0 THEN EXCLUDED.slots ELSE country_phase.slots END,
              used = GREATEST(country_phase.used, EXCLUDED.used), block_number = EXCLUDED.block_number,
              updated_at = now()`,
      [jsonRows(changes)],
    );
  },
});

interface FreezeChange {
  fabricUserId: string;
  frozen: boolean;
  reason: string;
  notes: string;
  blockNumber: bigint;
}

/** `wallet_freeze`: a wallet's freeze as last changed (a wallet never frozen has no row). */
export const walletFreezes = defineReadModel<FreezeChange>({
  name: 'wallet freezes',
  ownedTable: {
    name: 'wallet_freeze',
    key: ['fabric_user_id'],
    values: ['frozen', 'reason', 'notes', 'block_number'],
    updatedAt: true,
  },
  key: (change) => change.fabricUserId,
  async write(client, changes) {
    await client.query(
      `INSERT INTO wallet_freeze (fabric_user_id, frozen, reason, notes, block_number)
       SELECT r."fabricUserId", r.frozen, r.reason, r.notes, r."blockNumber"
         FROM jsonb_to_recordset($1::jsonb)
              AS r("fabricUserId" text, frozen boolean, reason text, notes text, "blockNumber" bigint)
       ON CONFLICT (fabric_user_id) DO UPDATE
          SET frozen = EXCLUDED.frozen, reason = EXCLUDED.reason, notes = EXCLUDED.notes,
              block_number = EXCLUDED.block_number, updated_at = now()`,
      [jsonRows(changes)],
    );
  },
});

/** Version 2: every pool with its cap, every country with its treasury (locked) and its slots per phase. */
export const supplyBootstrapped: EventHandler<'SystemBootstrapped'> = {
  project(payload, context, changes) {
    if (payload.version !== 2) return;
    const { blockNumber } = context;
    for (const pool of payload.pools) {
      changes.record(systemPools, { pool: pool.pool, cap: pool.cap, minted: '0', balance: '0', blockNumber });
    }
    for (const country of payload.countries) {
      changes.record(countries, {
        code: country.code,
        treasuryId: country.treasuryId,
        sharePpb: country.sharePpb,
        treasuryStatus: 'LOCKED',
        blockNumber,
      });
      for (const [index, slots] of country.slots.entries()) {
        changes.record(countryPhases, { code: country.code, phase: index + 1, slots, used: 0, blockNumber });
      }
    }
  },
};

/** Version 3: an allocation mints from both genesis pools and takes one slot of the user's country's phase. */
export const genesisAllocated: EventHandler<'UserCreated'> = {
  project(payload, context, changes) {
    if (payload.version !== 3 || payload.genesis.outcome !== 'ALLOCATED') return;
    const { genesis } = payload;
    const { blockNumber } = context;
    // Genesis pools mint straight to users and treasuries: they hold nothing.
    changes.record(systemPools, { pool: 'USER_GENESIS', minted: genesis.userAmount, balance: '0', blockNumber });
    changes.record(systemPools, {
      pool: 'GOVERNMENT_GENESIS',
      minted: genesis.treasuryAmount,
      balance: '0',
      blockNumber,
    });
    if (genesis.phase !== null && genesis.phaseUsed !== null) {
      changes.record(countryPhases, {
        code: payload.countryCode,
        phase: genesis.phase,
        used: genesis.phaseUsed,
        blockNumber,
      });
    }
  },
};

/** Version 2: the fee accrues to the operations fund, which holds fees it did not mint. */
export const feeCollected: EventHandler<'TransferCompleted'> = {
  project(payload, context, changes) {
    if (payload.version !== 2 || payload.fee === '0') return;
    changes.record(systemPools, {
      pool: payload.feePool,
      minted: '0',
      balance: payload.fee,
      blockNumber: context.blockNumber,
    });
  },
};

export const treasuryActivated: EventHandler<'TreasuryActivated'> = {
  project(payload, context, changes) {
    changes.record(countries, {
      code: payload.countryCode,
      treasuryId: payload.treasuryId,
      treasuryStatus: 'ACTIVE',
      blockNumber: context.blockNumber,
    });
  },
};

export const walletFreezeChanged: EventHandler<'WalletFreezeChanged'> = {
  project(payload, context, changes) {
    changes.record(walletFreezes, {
      fabricUserId: payload.fabricUserId,
      frozen: payload.frozen,
      reason: payload.reason,
      notes: payload.notes,
      blockNumber: context.blockNumber,
    });
  },
};
