/**
 * One value movement between two accounts with the fee of the schedule (docs/tokenomics.md), split in two so
 * that TransferTokens and an executed multi-signature payment (docs/organizations.md) are the same code:
 * {@link planTransfer} makes every check and reads, writing nothing, and {@link applyTransfer} writes. A caller
 * that must record a refusal instead of throwing it (a FAILED payment) catches the plan's error, knowing that
 * nothing was written.
 */
import type { Context } from 'fabric-contract-api';
import { requireNotPaused, requireTransferParty } from './accounts';
import { maxMemoLength } from './arguments';
import { gxError } from './errors';
import type { EventPayload } from './events';
import { quoteFee } from './fee-schedule';
import { requireSystemParams, requireUserIdFormat } from './lookups';
import { poolOfId } from './system-params';
import { keys, readRecord, type WalletRecord, writeRecord } from './world-state';

/** The fields of TransferCompleted v2 but its request id and timestamp: what one transfer did. */
export type TransferOutcome = Omit<
  Extract<EventPayload<'TransferCompleted'>, { version: 2 }>,
  'version' | 'requestId' | 'timestamp'
>;

/** A checked transfer: the wallets to write and what the event reports. */
export interface TransferPlan {
  outcome: TransferOutcome;
  sender: WalletRecord;
  recipient: WalletRecord;
}

/**
 * Checks a transfer of `value` and computes its effect, writing nothing. Rejects: a malformed memo, a
 * self-transfer, a pool recipient (GX_INVALID_ARGUMENT), a paused system (GX_SYSTEM_PAUSED), what
 * requireTransferParty refuses, a sender holding less than amount + fee (GX_INSUFFICIENT_FUNDS). The sender's
 * balance is checked before anything about the recipient but its id's format, so a sender who cannot pay learns
 * nothing about whether another account exists or is locked.
 */
export async function planTransfer(
  ctx: Context,
  transfer: { from: string; to: string; value: bigint; memo: string; organizationMaySend?: boolean },
): Promise<TransferPlan> {
  const { from, to, value, memo } = transfer;
  if (typeof memo !== 'string' || memo.length > maxMemoLength) {
    throw gxError('GX_INVALID_ARGUMENT', `memo must be at most ${maxMemoLength} characters`);
  }
  if (from === to) throw gxError('GX_INVALID_ARGUMENT', 'to: cannot transfer to the sending account');
  const params = await requireSystemParams(ctx);
  await requireNotPaused(ctx);
  const sender = await requireTransferParty(ctx, 'from', from, transfer.organizationMaySend ?? false);
  // The fee depends on the recipient's id alone (its type and country digits), not on its state.
  requireUserIdFormat('to', to);
  if (poolOfId(to) !== undefined) {
    throw gxError('GX_INVALID_ARGUMENT', `to: system pool "${to}" moves only by the protocol`);
  }
  const quote = quoteFee(params.fees, from, to, value);
  const debit = value + quote.fee;
  const available = BigInt(sender.balance);
  if (available < debit) {
    throw gxError(
      'GX_INSUFFICIENT_FUNDS',
      `"${from}" holds ${available}, cannot send ${value} plus a fee of ${quote.fee}`,
    );
  }
  const recipient = await requireTransferParty(ctx, 'to', to);
  return {
    sender,
    recipient,
    outcome: {
      from,
      to,
      amount: value.toString(),
      fee: quote.fee.toString(),
      feeBps: quote.feeBps,
      type: quote.type,
      scope: quote.scope,
      feePool: 'OPERATIONS',
      memo,
      fromBalance: (available - debit).toString(),
      toBalance: (BigInt(recipient.balance) + value).toString(),
    },
  };
}

/** Writes a planned transfer: both wallets and, for a fee, the sender's fee shard. */
export async function applyTransfer(ctx: Context, plan: TransferPlan): Promise<void> {
  const { outcome } = plan;
  await writeRecord(ctx, keys.wallet(outcome.from), {
    ...plan.sender,
    balance: outcome.fromBalance,
  } satisfies WalletRecord);
  await writeRecord(ctx, keys.wallet(outcome.to), {
    ...plan.recipient,
    balance: outcome.toBalance,
  } satisfies WalletRecord);
  const fee = BigInt(outcome.fee);
  if (fee > 0n) {
    // The sender's own shard: only this sender's transfers write it, and they already conflict on its wallet,
    // so the fee adds no contention (chaincode/README.md, "Contention").
    const shard = BigInt((await readRecord<string>(ctx, keys.feeShard(outcome.from))) ?? '0');
    await writeRecord(ctx, keys.feeShard(outcome.from), (shard + fee).toString());
  }
}
