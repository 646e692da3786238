/**
 * The row changes a batch of events makes to the read models, gathered in event order before any SQL runs.
 *
 * Handlers only describe changes; {@link ReadModelChanges} folds them (the last balance of a wallet in the
 * batch wins, history rows accumulate) and `write-read-model-changes.ts` writes each table with one
 * set-based statement. That is what lets a batch of thousands of events cost a handful of round trips.
 */

/** Where an event sits in the ledger: handlers copy it into the rows they write. */
export interface EventContext {
  blockNumber: bigint;
  transactionId: string;
}

export interface WalletChange {
  fabricUserId: string;
  /** Balance after the event, as the ledger reports it (never computed here). */
  balance: string;
  /** Only set by the event that creates the user's wallet (UserCreated version 1). */
  profileId?: string;
  /**
   * Set by UserCreated version 2, which names no profile: link the wallet to the profile registered for this
   * user in the same batch, if any.
   */
  linkRegisteredProfile?: boolean;
  lastBlock: bigint;
}

export interface HistoryRow {
  fabricUserId: string;
  txId: string;
  type: HistoryType;
  fromUserId: string | null;
  toUserId: string | null;
  amount: string;
  memo: string | null;
  blockNumber: bigint;
  txTimestamp: string;
}

/** `transaction_history.type` values written by the projector. */
export type HistoryType = 'GENESIS' | 'TRANSFER_OUT' | 'TRANSFER_IN';

/**
 * A profile now registered on the ledger: named by its id (UserCreated version 1), or by the request id of the
 * CREATE_USER command that carried it and the digest the ledger recorded (version 2).
 */
export type ProfileRegistration = (
  | { profileId: string; requestId?: undefined; profileDigest?: undefined }
  | { profileId?: undefined; requestId: string; profileDigest: string }
) & { fabricUserId: string; registeredAt: string };

export interface ProfileLockChange {
  fabricUserId: string;
  locked: boolean;
  reason: string;
  at: string;
}

export interface SystemStateChange {
  key: string;
  value: unknown;
  blockNumber: bigint;
}

/** Accumulates the changes of one batch; later changes to the same row replace earlier ones. */
export class ReadModelChanges {
  readonly wallets = new Map<string, WalletChange>();
  readonly history: HistoryRow[] = [];
  readonly registrations = new Map<string, ProfileRegistration>();
  readonly locks = new Map<string, ProfileLockChange>();
  readonly systemState = new Map<string, SystemStateChange>();
  /** Request ids of the commands whose events were applied (outbox rows to mark projected). */
  readonly projectedRequestIds = new Set<string>();

  setWallet(change: WalletChange): void {
    const previous = this.wallets.get(change.fabricUserId);
    // A later balance of the same wallet wins, but the profile link of its creation must survive.
    this.wallets.set(change.fabricUserId, {
      ...change,
      profileId: change.profileId ?? previous?.profileId,
      linkRegisteredProfile: change.linkRegisteredProfile ?? previous?.linkRegisteredProfile,
    });
  }

  addHistory(row: HistoryRow): void {
    this.history.push(row);
  }

  registerProfile(registration: ProfileRegistration): void {
    this.registrations.set(registration.fabricUserId, registration);
  }

  setLock(change: ProfileLockChange): void {
    this.locks.set(change.fabricUserId, change);
  }

  setSystemState(change: SystemStateChange): void {
    this.systemState.set(change.key, change);
  }

  markProjected(requestId: string): void {
    this.projectedRequestIds.add(requestId);
  }
}
