/**
 * The transfer rule: who may send, checked against the sender's profile before TRANSFER_TOKENS enters the
 * outbox. The ledger remains the judge of balances (insufficient funds ends the command FAILED), so a sender
 * state up to the sender cache's TTL old can never overspend.
 */
import type { EnqueuedCommand } from '../../outbox/enqueue.js';
import type { OutboxBatcher } from '../../outbox/group-commit.js';
import type { SenderCache } from './sender-cache.js';

/** Why a transfer was refused before it reached the outbox. */
export type TransferRefusal =
  /** The caller's profile no longer exists. */
  | 'UNKNOWN_SENDER'
  | 'SENDER_LOCKED'
  /**
   * The sender's profile is not approved off-chain: being on the ledger is not enough (issue 29), since only
   * the backend's own approval grants access.
   */
  | 'SENDER_NOT_APPROVED'
  /** The sender has no account on the ledger (admins included). */
  | 'SENDER_NOT_ON_LEDGER'
  | 'TO_SELF';

export class TransferRefusedError extends Error {
  readonly refusal: TransferRefusal;

  constructor(refusal: TransferRefusal) {
    super(`transfer refused: ${refusal}`);
    this.name = 'TransferRefusedError';
    this.refusal = refusal;
  }
}

export interface TransferRequest {
  toFabricUserId: string;
  /** Whole smallest units, as a decimal string. */
  amount: string;
  memo?: string | undefined;
}

/** Checks the rule and enqueues TRANSFER_TOKENS for `profileId`; throws {@link TransferRefusedError}. */
export async function requestTransfer(
  outbox: OutboxBatcher,
  senders: SenderCache,
  profileId: string,
  transfer: TransferRequest,
): Promise<EnqueuedCommand> {
  const sender = await senders.get(profileId);
  if (!sender) throw new TransferRefusedError('UNKNOWN_SENDER');
  if (sender.isLocked) throw new TransferRefusedError('SENDER_LOCKED');
  if (sender.status !== 'APPROVED') throw new TransferRefusedError('SENDER_NOT_APPROVED');
  if (!sender.fabricUserId || sender.onchainStatus !== 'REGISTERED') {
    throw new TransferRefusedError('SENDER_NOT_ON_LEDGER');
  }
  if (sender.fabricUserId === transfer.toFabricUserId) throw new TransferRefusedError('TO_SELF');
  return outbox.enqueue({
    commandType: 'TRANSFER_TOKENS',
    payload: {
      fromFabricUserId: sender.fabricUserId,
      toFabricUserId: transfer.toFabricUserId,
      amount: transfer.amount,
      memo: transfer.memo ?? '',
    },
    submittedBy: sender.profileId,
  });
}
