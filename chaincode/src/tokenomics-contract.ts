import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { balanceOfAccount, poolState, requireTreasuryCountry } from './accounts';
import { parsePositiveAmount } from './amounts';
import { canonicalJson } from './canonical-json';
import { gxError } from './errors';
import { quoteFee } from './fee-schedule';
import { runIdempotent } from './idempotent-request';
import { requireSystemParams, requireUser, requireUserIdFormat } from './lookups';
import {
  type CountryRecord,
  type FreezeReason,
  freezeReasons,
  type LedgerParams,
  poolIds,
  poolNames,
  slotsOf,
  treasuryIdPattern,
} from './system-params';
import { applyTransfer, planTransfer } from './transfers';
import {
  type GenesisRecord,
  keys,
  readRange,
  readRecord,
  sumRange,
  type WalletRecord,
  writeRecord,
} from './world-state';

const maxNotesLength = 500;

/**
 * Token supply, movement and the controls on wallets and treasuries. Amounts are integer Qirat as decimal
 * strings, BigInt inside.
 *
 * Transfers (docs/tokenomics.md): the sender pays amount + fee, the recipient receives the amount, and the fee
 * accrues to the operations fund in the sender's own fee shard, so a transfer writes only keys of its two
 * parties and transfers between disjoint pairs never conflict.
 */
@Info({ title: 'TokenomicsContract', description: 'GX transfers, supply, treasuries and wallet controls' })
export class TokenomicsContract extends Contract {
  constructor() {
    super('TokenomicsContract');
  }

  /**
   * The re-drive of a genesis allocation. Genesis is decided inside CreateUser, exactly once, so for every
   * user this fails: GX_ALREADY_EXISTS once decided, GX_NOT_FOUND for an unknown user or one without a
   * decision (a user created before tokenomics v2, which no ledger runs). Kept so a retried command gets the
   * definite answer.
   */
  @Transaction()
  @Returns('string')
  async DistributeGenesis(ctx: Context, requestId: string, fabricUserId: string): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'TokenomicsContract:DistributeGenesis',
      requestId,
      args: [fabricUserId],
      event: 'GenesisDistributed',
      apply: async () => {
        await requireUser(ctx, 'fabricUserId', fabricUserId);
        const decision = await readRecord<GenesisRecord>(ctx, keys.genesis(fabricUserId));
        if (decision !== undefined) {
          throw gxError(
            'GX_ALREADY_EXISTS',
            `the genesis of "${fabricUserId}" was decided at its creation (${decision.outcome})`,
          );
        }
        throw gxError('GX_NOT_FOUND', `user "${fabricUserId}" has no genesis decision (created before tokenomics v2)`);
      },
    });
  }

  /**
   * Moves `amount` from one account (user or active treasury) to another and charges the sender the fee of
   * the schedule on top (quoteFee). Rejects: a paused system (GX_SYSTEM_PAUSED), a malformed amount or memo,
   * a self-transfer, a pool (GX_INVALID_ARGUMENT), unknown parties (GX_NOT_FOUND), a locked user
   * (GX_ACCOUNT_LOCKED), a frozen wallet (GX_ACCOUNT_FROZEN), a treasury not yet activated sending
   * (GX_TREASURY_LOCKED), a sender holding less than amount + fee (GX_INSUFFICIENT_FUNDS). Emits
   * TransferCompleted v2. The sender's balance is checked before anything about the recipient but its id's
   * format, so a sender who cannot pay learns nothing about whether another account exists or is locked.
   */
  @Transaction()
  @Returns('string')
  async TransferTokens(
    ctx: Context,
    requestId: string,
    from: string,
    to: string,
    amount: string,
    memo: string,
  ): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'TokenomicsContract:TransferTokens',
      requestId,
      args: [from, to, amount, memo],
      event: 'TransferCompleted',
      apply: async (timestamp) => {
        const value = parsePositiveAmount('amount', amount);
        const plan = await planTransfer(ctx, { from, to, value, memo });
        await applyTransfer(ctx, plan);
        return { version: 2, requestId, ...plan.outcome, timestamp };
      },
    });
  }

  /** Lets a country's treasury spend (it is created LOCKED). GX_NOT_FOUND for an unknown country. */
  @Transaction()
  @Returns('string')
  async ActivateTreasury(ctx: Context, requestId: string, countryCode: string): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'TokenomicsContract:ActivateTreasury',
      requestId,
      args: [countryCode],
      event: 'TreasuryActivated',
      apply: async (timestamp) => {
        const country = await requireCountry(ctx, countryCode);
        if (country.treasuryStatus === 'ACTIVE') {
          throw gxError('GX_ALREADY_EXISTS', `the treasury of ${countryCode} is already active`);
        }
        await writeRecord(ctx, keys.country(countryCode), {
          ...country,
          treasuryStatus: 'ACTIVE',
        } satisfies CountryRecord);
        return { version: 1, requestId, countryCode, treasuryId: country.treasuryId, timestamp };
      },
    });
  }

  /** Freezes a user's, treasury's or organization's wallet with a reason: it can then neither send nor receive. */
  @Transaction()
  @Returns('string')
  async FreezeWallet(
    ctx: Context,
    requestId: string,
    fabricUserId: string,
    reason: string,
    notes: string,
  ): Promise<string> {
    return setFrozen(ctx, 'TokenomicsContract:FreezeWallet', { requestId, fabricUserId, reason, notes, frozen: true });
  }

  /** Lifts a freeze (the reason says why). Unfreezing a wallet that is not frozen records the reason again. */
  @Transaction()
  @Returns('string')
  async UnfreezeWallet(
    ctx: Context,
    requestId: string,
    fabricUserId: string,
    reason: string,
    notes: string,
  ): Promise<string> {
    return setFrozen(ctx, 'TokenomicsContract:UnfreezeWallet', {
      requestId,
      fabricUserId,
      reason,
      notes,
      frozen: false,
    });
  }

  /** `{"balance","fabricUserId"}` of a user, a treasury or a pool (the operations fund: Σ of its fee shards). */
  @Transaction(false)
  @Returns('string')
  async GetBalance(ctx: Context, account: string): Promise<string> {
    return canonicalJson({ fabricUserId: account, balance: (await balanceOfAccount(ctx, account)).toString() });
  }

  /**
   * A user's or treasury's wallet: balance and freeze (`{"balance","fabricUserId","freezeReason","frozen"}`), so
   * a consistency check can compare every wallet's state, not its balance alone. GX_NOT_FOUND without a wallet.
   */
  @Transaction(false)
  @Returns('string')
  async GetWallet(ctx: Context, account: string): Promise<string> {
    requireUserIdFormat('account', account);
    const wallet = await readRecord<WalletRecord>(ctx, keys.wallet(account));
    if (wallet === undefined) throw gxError('GX_NOT_FOUND', `account "${account}" has no wallet`);
    return canonicalJson({
      fabricUserId: account,
      balance: wallet.balance,
      frozen: wallet.frozen !== undefined,
      freezeReason: wallet.frozen?.reason ?? null,
    });
  }

  /**
   * The supply invariant's terms from one snapshot of the world state: Σ of every wallet's balance (users and
   * treasuries) and their count, what the pools hold, and what was minted; wallets + held = minted when the
   * ledger is consistent. One query, so no transfer or registration committing in between can skew it. A
   * range read over every wallet: a query for audits, never part of a transaction.
   */
  @Transaction(false)
  @Returns('string')
  async AuditSupply(ctx: Context): Promise<string> {
    const params = await requireSystemParams(ctx);
    let wallets = 0;
    const walletTotal = await sumRange(ctx, keys.walletPrefix, (_key, value) => {
      wallets += 1;
      return BigInt((value as WalletRecord).balance);
    });
    let minted = 0n;
    let held = 0n;
    for (const pool of poolNames) {
      const state = await poolState(ctx, params, pool);
      minted += state.minted;
      held += state.balance;
    }
    return canonicalJson({
      wallets,
      walletTotal: walletTotal.toString(),
      held: held.toString(),
      minted: minted.toString(),
    });
  }

  /** Maximum supply, minted, circulating (minted − what pools hold) and every pool's cap, minted and balance. */
  @Transaction(false)
  @Returns('string')
  async GetSupply(ctx: Context): Promise<string> {
    const params = await requireSystemParams(ctx);
    const pools = [];
    let minted = 0n;
    let held = 0n;
    for (const pool of poolNames) {
      const state = await poolState(ctx, params, pool);
      minted += state.minted;
      held += state.balance;
      pools.push({
        pool,
        id: poolIds[pool],
        cap: params.pools[pool],
        minted: state.minted.toString(),
        balance: state.balance.toString(),
      });
    }
    return canonicalJson({
      maxSupply: params.maxSupply,
      minted: minted.toString(),
      circulating: (minted - held).toString(),
      pools,
    });
  }

  /** A country: share, treasury (status, balance), its slots and used slots per phase, the current phase. */
  @Transaction(false)
  @Returns('string')
  async GetCountry(ctx: Context, code: string): Promise<string> {
    const params = await requireSystemParams(ctx);
    return canonicalJson(await countryView(ctx, params, await requireCountry(ctx, code)));
  }

  /** Every bootstrapped country, as GetCountry, by code: `{"countries":[…]}`. */
  @Transaction(false)
  @Returns('string')
  async ListCountries(ctx: Context): Promise<string> {
    const params = await requireSystemParams(ctx);
    const countries = [];
    for (const { value } of await readRange(ctx, keys.countryPrefix)) {
      countries.push(await countryView(ctx, params, value as CountryRecord));
    }
    return canonicalJson({ countries });
  }

  /** The fee a transfer would pay: `{type, scope, feeBps, fee, total}` (total = amount + fee, the debit). */
  @Transaction(false)
  @Returns('string')
  async QuoteFee(ctx: Context, from: string, to: string, amount: string): Promise<string> {
    requireUserIdFormat('from', from);
    requireUserIdFormat('to', to);
    const value = parsePositiveAmount('amount', amount);
    const quote = quoteFee((await requireSystemParams(ctx)).fees, from, to, value);
    return canonicalJson({
      type: quote.type,
      scope: quote.scope,
      feeBps: quote.feeBps,
      fee: quote.fee.toString(),
      total: (value + quote.fee).toString(),
    });
  }
}

async function requireCountry(ctx: Context, code: string): Promise<CountryRecord> {
  if (typeof code !== 'string' || !/^[A-Z]{2}$/.test(code)) {
    throw gxError('GX_INVALID_ARGUMENT', `countryCode "${String(code)}" is not an upper-case ISO 3166-1 alpha-2 code`);
  }
  const country = await readRecord<CountryRecord>(ctx, keys.country(code));
  if (country === undefined) throw gxError('GX_NOT_FOUND', `countryCode: no country "${code}" was bootstrapped`);
  return country;
}

async function countryView(ctx: Context, params: LedgerParams, country: CountryRecord) {
  const phases = [];
  let currentPhase: number | null = null;
  for (const [index, phase] of params.genesis.phases.entries()) {
    const slots = slotsOf(phase.limit, country.sharePpb);
    const used = (await readRecord<number>(ctx, keys.genesisCount(country.code, index + 1))) ?? 0;
    if (currentPhase === null && used < slots) currentPhase = index + 1;
    phases.push({ phase: index + 1, slots, used });
  }
  const treasury = await readRecord<WalletRecord>(ctx, keys.wallet(country.treasuryId));
  return { ...country, treasuryBalance: treasury?.balance ?? '0', phases, currentPhase };
}

async function setFrozen(
  ctx: Context,
  fn: 'TokenomicsContract:FreezeWallet' | 'TokenomicsContract:UnfreezeWallet',
  change: { requestId: string; fabricUserId: string; reason: string; notes: string; frozen: boolean },
): Promise<string> {
  const { requestId, fabricUserId, reason, notes, frozen } = change;
  return runIdempotent(ctx, {
    fn,
    requestId,
    args: [fabricUserId, reason, notes],
    event: 'WalletFreezeChanged',
    apply: async (timestamp) => {
      if (!freezeReasons.includes(reason as FreezeReason)) {
        throw gxError('GX_INVALID_ARGUMENT', `reason must be one of ${freezeReasons.join(', ')}, got "${reason}"`);
      }
      if (typeof notes !== 'string' || notes.length > maxNotesLength) {
        throw gxError('GX_INVALID_ARGUMENT', `notes must be at most ${maxNotesLength} characters`);
      }
      requireUserIdFormat('fabricUserId', fabricUserId);
      if (treasuryIdPattern.test(fabricUserId)) {
        await requireTreasuryCountry(ctx, 'fabricUserId', fabricUserId);
      } else if ((await readRecord<string>(ctx, keys.organizationAccount(fabricUserId))) === undefined) {
        // An organization's account has a wallet but no user record; anything else must be a user.
        await requireUser(ctx, 'fabricUserId', fabricUserId);
      }
      const wallet = await readRecord<WalletRecord>(ctx, keys.wallet(fabricUserId));
      if (wallet === undefined) throw gxError('GX_NOT_FOUND', `fabricUserId: "${fabricUserId}" has no wallet`);
      const { frozen: _previous, ...rest } = wallet;
      const next: WalletRecord = frozen
        ? { ...rest, frozen: { reason: reason as FreezeReason, notes, since: timestamp } }
        : rest;
      await writeRecord(ctx, keys.wallet(fabricUserId), next);
      return { version: 1, requestId, fabricUserId, frozen, reason: reason as FreezeReason, notes, timestamp };
    },
  });
}
