import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { feeFor, parsePositiveAmount } from './amounts';
import { maxMemoLength } from './arguments';
import { canonicalJson } from './canonical-json';
import { gxError } from './errors';
import type { SystemParams } from './events';
import { nextGenesisTier } from './genesis-tiers';
import { runIdempotent } from './idempotent-request';
import { balanceOf, requireActiveUser, requireSystemParams, requireUser } from './lookups';
import { type GenesisRecord, keys, readRecord, type WalletRecord, writeRecord } from './world-state';

/**
 * Token supply and movement. Amounts are whole smallest units as decimal strings, computed with BigInt.
 *
 * Transfer fee rule (chosen here): the sender is debited exactly `amount`; the fee,
 * `floor(amount * basisPoints / 10000)`, is taken out of it, so the recipient receives `amount - fee` and the
 * fee collector `fee`. Transfers therefore never change the total supply; only genesis allocations do.
 */
@Info({ title: 'TokenomicsContract', description: 'GX genesis allocation, transfers and balances' })
export class TokenomicsContract extends Contract {
  constructor() {
    super('TokenomicsContract');
  }

  /**
   * Gives a user its genesis allocation, once. Tiers are consumed in order by the number of recipients so far
   * (tier 1 serves its first `recipients` users, then tier 2, ...); when every tier is used up the call fails
   * with GX_INSUFFICIENT_FUNDS. Locked users are refused (GX_ACCOUNT_LOCKED). Emits GenesisDistributed.
   */
  @Transaction()
  @Returns('string')
  async DistributeGenesis(ctx: Context, requestId: string, fabricUserId: string): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'TokenomicsContract:DistributeGenesis',
      requestId,
      args: [fabricUserId],
      event: 'GenesisDistributed',
      apply: async (timestamp) => {
        const params = await requireSystemParams(ctx);
        await requireActiveUser(ctx, 'fabricUserId', fabricUserId);
        if ((await readRecord<GenesisRecord>(ctx, keys.genesis(fabricUserId))) !== undefined) {
          throw gxError('GX_ALREADY_EXISTS', `user "${fabricUserId}" already received its genesis allocation`);
        }
        const served = (await readRecord<number>(ctx, keys.genesisRecipients)) ?? 0;
        const next = nextGenesisTier(params.genesisTiers, served);
        if (next === undefined) {
          throw gxError('GX_INSUFFICIENT_FUNDS', `the genesis allocation is exhausted (${served} recipients served)`);
        }
        const { tier, amount: allocation } = next;
        const amount = BigInt(allocation);
        const balance = (await balanceOf(ctx, fabricUserId)) + amount;
        const totalSupply = (await readSupply(ctx)) + amount;
        await writeRecord(ctx, keys.wallet(fabricUserId), {
          account: fabricUserId,
          balance: balance.toString(),
        } satisfies WalletRecord);
        await writeRecord(ctx, keys.totalSupply, totalSupply.toString());
        await writeRecord(ctx, keys.genesisRecipients, served + 1);
        await writeRecord(ctx, keys.genesis(fabricUserId), {
          fabricUserId,
          amount: allocation,
          tier,
          requestId,
          timestamp,
        } satisfies GenesisRecord);
        return {
          version: 1,
          requestId,
          fabricUserId,
          amount: allocation,
          tier,
          balance: balance.toString(),
          totalSupply: totalSupply.toString(),
          timestamp,
        };
      },
    });
  }

  /**
   * Moves `amount` from one user to another, less the fee (see the class comment). Rejects a non-positive or
   * malformed amount, a transfer to oneself, an unknown (GX_NOT_FOUND) or locked (GX_ACCOUNT_LOCKED) sender, a
   * sender holding less than `amount` (GX_INSUFFICIENT_FUNDS), then an unknown or locked recipient: the balance
   * comes first, so a refusal does not tell a sender who cannot pay anything about the recipient. Emits
   * TransferCompleted with every resulting balance.
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
        if (typeof memo !== 'string' || memo.length > maxMemoLength) {
          throw gxError('GX_INVALID_ARGUMENT', `memo must be at most ${maxMemoLength} characters`);
        }
        if (from === to) throw gxError('GX_INVALID_ARGUMENT', 'cannot transfer to the sending account');
        const params = await requireSystemParams(ctx);
        await requireActiveUser(ctx, 'from', from);
        const collector = params.transferFee.collector;
        const fee = feeFor(value, params.transferFee.basisPoints);

        // The sender's balance is checked before anything about the recipient: a sender who cannot pay is told
        // so whatever the recipient is, and cannot learn whether an unrelated account exists or is locked.
        const available = await balanceOf(ctx, from);
        if (available < value) {
          throw gxError('GX_INSUFFICIENT_FUNDS', `"${from}" holds ${available}, cannot send ${value}`);
        }
        await requireActiveUser(ctx, 'to', to);

        // Fabric reads never see this transaction's own writes, so read every balance first and apply the
        // movements to one map; that also handles a collector that is the sender or the recipient.
        const balances = new Map<string, bigint>([[from, available]]);
        for (const account of [to, collector]) {
          if (!balances.has(account)) balances.set(account, await balanceOf(ctx, account));
        }
        balances.set(from, balances.get(from)! - value);
        balances.set(to, balances.get(to)! + value - fee);
        balances.set(collector, balances.get(collector)! + fee);

        // The collector is written only when it changes: with a zero fee it stays out of the write set and
        // concurrent transfers do not conflict on it.
        const changed = fee > 0n || collector === from || collector === to ? [from, to, collector] : [from, to];
        for (const account of new Set(changed)) {
          await writeRecord(ctx, keys.wallet(account), {
            account,
            balance: balances.get(account)!.toString(),
          } satisfies WalletRecord);
        }
        return {
          version: 1,
          requestId,
          from,
          to,
          amount: value.toString(),
          fee: fee.toString(),
          feeCollector: collector,
          memo,
          fromBalance: balances.get(from)!.toString(),
          toBalance: balances.get(to)!.toString(),
          feeCollectorBalance: balances.get(collector)!.toString(),
          timestamp,
        };
      },
    });
  }

  /**
   * `{"balance":"<n>","fabricUserId":"<id>"}` for a user or for the fee collector (a system account, "0" until
   * its first fee); GX_INVALID_ARGUMENT for anything else that is not a user id, GX_NOT_FOUND for an unknown user.
   */
  @Transaction(false)
  @Returns('string')
  async GetBalance(ctx: Context, fabricUserId: string): Promise<string> {
    const wallet = await readRecord<WalletRecord>(ctx, keys.wallet(fabricUserId));
    if (wallet === undefined) {
      // The configured fee collector exists from bootstrap on, even before its first fee creates its wallet.
      const params = await readRecord<SystemParams>(ctx, keys.systemParams);
      if (params?.transferFee.collector === fabricUserId) return canonicalJson({ fabricUserId, balance: '0' });
      await requireUser(ctx, 'fabricUserId', fabricUserId);
      throw gxError('GX_NOT_FOUND', `account "${fabricUserId}" has no wallet`);
    }
    return canonicalJson({ fabricUserId, balance: wallet.balance });
  }

  /** `{"totalSupply":"<n>"}`: the sum of every genesis allocation so far ("0" before the first). */
  @Transaction(false)
  @Returns('string')
  async GetTotalSupply(ctx: Context): Promise<string> {
    return canonicalJson({ totalSupply: (await readSupply(ctx)).toString() });
  }
}

async function readSupply(ctx: Context): Promise<bigint> {
  return BigInt((await readRecord<string>(ctx, keys.totalSupply)) ?? '0');
}
