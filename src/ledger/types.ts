/** The ledger client's public contract: what the submitter, projector and API rely on. */
import type { FabricRole, SigningRole } from '../config.js';

export type { FabricRole, SigningRole };

/** A chaincode call: `contract:fn(args)` signed by one of the backend's identities. */
export interface LedgerCallRequest {
  contract: string;
  fn: string;
  args: string[];
  /**
   * Fabric transient data (key → UTF-8 text): sent to the endorsers with the proposal, never written to a
   * block, so private facts that the chaincode must check (CreateUser's) go here rather than into `args`.
   */
  transient?: Readonly<Record<string, string>> | undefined;
  /** The role whose identity signs; the chaincode refuses the call unless it is the function's role. */
  signer: SigningRole;
}

/**
 * An endorsed, signed transaction not yet sent to the orderer. Its id is fixed; storing `signedTransaction`
 * before submitting is what makes exactly-once submission possible (resubmitting these same bytes can never
 * produce a second transaction).
 */
export interface EndorsedTransaction {
  transactionId: string;
  signedTransaction: Uint8Array;
  /** What the chaincode returned at endorsement (says nothing about validity). */
  result: Uint8Array;
}

/** How a submitted transaction ended: committed in `blockNumber`, valid (`code` 0) or not. */
export interface CommitOutcome {
  transactionId: string;
  blockNumber: bigint;
  /** Fabric transaction validation code: 0 VALID, 11 MVCC_READ_CONFLICT, … */
  code: number;
  successful: boolean;
  result: Uint8Array;
}

/** How a transaction is submitted. */
export interface SubmitOptions {
  /**
   * The bytes may already be on the ledger (stored before a crash and sent again): the outcome is asked by
   * transaction id (CommitStatus), which reports the first commit, rather than read from the block stream,
   * where a resubmission shows as DUPLICATE_TXID. A fresh transaction needs nothing here.
   */
  resubmission?: boolean;
}

/** A transaction the orderer has accepted; its commit status can be awaited (long: a block's time). */
export interface SubmittedTransaction {
  transactionId: string;
  /** Waits for the transaction's block; an invalid commit resolves with `successful: false`. */
  status(): Promise<CommitOutcome>;
}

/** One committed chaincode event. */
export interface LedgerEvent {
  blockNumber: bigint;
  transactionId: string;
  eventName: string;
  payload: Uint8Array;
}

export interface LedgerEventsOptions {
  /** First block to read (inclusive). Without it the stream starts at the next block to commit. */
  startBlock?: bigint;
  /** Resume after this transaction of `startBlock` (a projector's checkpoint); needs `startBlock`. */
  afterTransactionId?: string;
  /** Aborting ends the iteration normally. */
  signal?: AbortSignal;
}

export interface LedgerHealth {
  /** The peer answered (even if only to say the endorsement policy cannot be satisfied now). */
  reachable: boolean;
  /**
   * A write can be endorsed now: the gateway collected the endorsements the chaincode's policy needs (of every
   * organization it needs, not only the peer the client talks to).
   */
  endorsable: boolean;
  latencyMs: number;
  error?: string;
}

export interface LedgerClient {
  /** Runs a query on one peer (not ordered, not committed). Chaincode errors throw a GatewayError. */
  /** Signed by the reader identity unless `signer` names another (queries need no particular role). */
  evaluate(contract: string, fn: string, args: string[], options?: { signer?: FabricRole }): Promise<Uint8Array>;
  /** Endorses a call and returns the signed transaction, without submitting it. */
  endorse(request: LedgerCallRequest): Promise<EndorsedTransaction>;
  /**
   * Submits signed transaction bytes (fresh from {@link endorse}, or stored and sent again after a crash) and
   * waits for the commit status. Resubmitting bytes the ledger already committed is safe: the status reports
   * the original outcome. An invalid commit (e.g. MVCC conflict) resolves with `successful: false`.
   */
  commit(signer: SigningRole, signedTransaction: Uint8Array, options?: SubmitOptions): Promise<CommitOutcome>;
  /**
   * Sends signed transaction bytes to the orderer without waiting for the block, so a caller can bound how
   * many sends run at once while many more transactions wait for their commit status.
   */
  submitSigned(
    signer: SigningRole,
    signedTransaction: Uint8Array,
    options?: SubmitOptions,
  ): Promise<SubmittedTransaction>;
  /** endorse + commit in one call; throws CommitError when the transaction commits invalid. */
  submit(request: LedgerCallRequest): Promise<CommitOutcome>;
  /**
   * Committed chaincode events from a start block or from a checkpoint (exclusive). Not resumed on failure:
   * the iteration throws and the caller (the projector) resumes from its own checkpoint; the next call uses a
   * fresh gRPC channel if the old one broke.
   */
  chaincodeEvents(options?: LedgerEventsOptions): AsyncIterable<LedgerEvent>;
  /**
   * The channel's height (blocks committed), from the peer's query system chaincode (`qscc` GetChainInfo):
   * every block counts, whichever chaincode wrote it, unlike a height inferred from this chaincode's events.
   */
  ledgerHeight(): Promise<bigint>;
  /**
   * Every block from `startBlock` on (the filtered-block stream), each with the number of its valid
   * transactions carrying an event of the configured chaincode. Throws when the stream breaks; the caller
   * resumes. Aborting `signal` ends the iteration normally.
   */
  blockSummaries(options: { startBlock: bigint; signal?: AbortSignal }): AsyncIterable<{
    blockNumber: bigint;
    events: number;
  }>;
  /**
   * Endorses `AdminContract:Ping` with a short deadline, without submitting it (nothing is written): the
   * gateway collects the endorsements the policy needs, so this tells whether a write can be endorsed, not
   * only whether one peer answers. Never throws.
   */
  health(): Promise<LedgerHealth>;
  close(): Promise<void>;
}
