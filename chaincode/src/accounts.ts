/**
 * The accounts value moves between (users, treasuries, pools) and the checks every movement makes: the system
 * is not paused, neither party is locked or frozen, a treasury spends only once activated.
 */
import type { Context } from 'fabric-contract-api';
import { gxError } from './errors';
import { requireSystemParams, requireUser, requireUserIdFormat } from './lookups';
import { type CountryRecord, type LedgerParams, type PoolName, poolOfId, treasuryIdPattern } from './system-params';
import { keys, type PauseRecord, type PoolRecord, readRecord, sumRange, type WalletRecord } from './world-state';

/** GX_SYSTEM_PAUSED while a super admin has paused the system (every value movement calls this). */
export async function requireNotPaused(ctx: Context): Promise<void> {
  const pause = await readRecord<PauseRecord>(ctx, keys.paused);
  if (pause?.paused === true) throw gxError('GX_SYSTEM_PAUSED', `the system is paused: ${pause.reason}`);
}

/** The country a treasury id belongs to; GX_NOT_FOUND when no such country was bootstrapped. */
export async function requireTreasuryCountry(ctx: Context, field: string, treasuryId: string): Promise<CountryRecord> {
  const country = await readRecord<CountryRecord>(ctx, keys.country(treasuryId.slice(0, 2)));
  if (country === undefined) throw gxError('GX_NOT_FOUND', `${field}: no treasury "${treasuryId}"`);
  return country;
}

/**
 * The wallet of a party to a transfer, after the party checks: a user must exist and not be locked
 * (GX_ACCOUNT_LOCKED), a treasury must exist and, to send, be active (GX_TREASURY_LOCKED); neither may be
 * frozen (GX_ACCOUNT_FROZEN). Pools are no party to ordinary transfers (GX_INVALID_ARGUMENT). An
 * organization's account receives like any account but sends only through an executed payment request
 * (`organizationMaySend`), never by TransferTokens (GX_FORBIDDEN; docs/organizations.md).
 */
export async function requireTransferParty(
  ctx: Context,
  field: 'from' | 'to',
  account: string,
  organizationMaySend = false,
): Promise<WalletRecord> {
  requireUserIdFormat(field, account);
  if (poolOfId(account) !== undefined) {
    throw gxError('GX_INVALID_ARGUMENT', `${field}: system pool "${account}" moves only by the protocol`);
  }
  const organization = await readRecord<string>(ctx, keys.organizationAccount(account));
  if (organization !== undefined) {
    if (field === 'from' && !organizationMaySend) {
      throw gxError('GX_FORBIDDEN', `from: organization "${organization}" pays only through payment requests`);
    }
  } else if (treasuryIdPattern.test(account)) {
    const country = await requireTreasuryCountry(ctx, field, account);
    if (field === 'from' && country.treasuryStatus !== 'ACTIVE') {
      throw gxError('GX_TREASURY_LOCKED', `treasury "${account}" is not activated yet`);
    }
  } else {
    const user = await requireUser(ctx, field, account);
    if (user.status !== 'ACTIVE') throw gxError('GX_ACCOUNT_LOCKED', `user "${account}" is locked`);
  }
  const wallet = await readRecord<WalletRecord>(ctx, keys.wallet(account));
  if (wallet === undefined) throw gxError('GX_NOT_FOUND', `${field}: account "${account}" has no wallet`);
  if (wallet.frozen !== undefined) {
    throw gxError('GX_ACCOUNT_FROZEN', `${field}: account "${account}" is frozen (${wallet.frozen.reason})`);
  }
  return wallet;
}

/** What a pool has minted and holds. Genesis pools mint straight to wallets, so they hold nothing. */
export async function poolState(
  ctx: Context,
  params: LedgerParams,
  pool: PoolName,
): Promise<{ minted: bigint; balance: bigint }> {
  switch (pool) {
    case 'USER_GENESIS':
    case 'GOVERNMENT_GENESIS': {
      // Σ over countries and phases of the users served × the phase's amount.
      const minted = await sumRange(ctx, keys.genesisCountPrefix, (key, value) => {
        const phase = params.genesis.phases[Number(key.slice(key.lastIndexOf('/') + 1)) - 1];
        if (phase === undefined) throw new Error(`internal error: genesis count of an unknown phase (${key})`);
        return BigInt(value as number) * BigInt(pool === 'USER_GENESIS' ? phase.userAmount : phase.treasuryAmount);
      });
      return { minted, balance: 0n };
    }
    case 'OPERATIONS':
      // Fees move existing tokens: the fund mints nothing, and holds the sum of its shards.
      return {
        minted: 0n,
        balance: await sumRange(ctx, keys.feeShardPrefix, (_key, value) => BigInt(value as string)),
      };
    default: {
      const record = await readRecord<PoolRecord>(ctx, keys.pool(pool));
      return { minted: BigInt(record?.minted ?? '0'), balance: BigInt(record?.balance ?? '0') };
    }
  }
}

/** The balance of any account: a pool's, or a user's or treasury's wallet; GX_NOT_FOUND without one. */
export async function balanceOfAccount(ctx: Context, account: string): Promise<bigint> {
  const pool = poolOfId(account);
  if (pool !== undefined) return (await poolState(ctx, await requireSystemParams(ctx), pool)).balance;
  requireUserIdFormat('account', account);
  const wallet = await readRecord<WalletRecord>(ctx, keys.wallet(account));
  if (wallet === undefined) throw gxError('GX_NOT_FOUND', `account "${account}" has no wallet`);
  return BigInt(wallet.balance);
}
