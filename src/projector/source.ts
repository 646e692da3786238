/**
 * Where the projector reads committed chaincode events from. The ledger client (`src/ledger`) satisfies this
 * shape; keeping the projector's need this narrow lets the bench feed it a prepared stream.
 */

/** One committed chaincode event, in block order, as the ledger delivers it. */
export interface SourceEvent {
  blockNumber: bigint;
  transactionId: string;
  eventName: string;
  payload: Uint8Array;
}

/** Options for reading the event stream. */
export interface EventStreamOptions {
  /** First block to deliver (every event of it); 0 when omitted. */
  startBlock?: bigint;
  /** Ends the stream when aborted. */
  signal?: AbortSignal;
}

/** A source of committed chaincode events: the ledger client, or a stand-in for benchmarks. */
export interface ChaincodeEventSource {
  /** Every committed event of the chaincode from `startBlock` on, in ledger order; never ends by itself. */
  chaincodeEvents(options: EventStreamOptions): AsyncIterable<SourceEvent>;
  /** The ledger's height (number of blocks), when the source can tell; used for lag. */
  ledgerHeight?(): Promise<bigint>;
  /**
   * Every block from `startBlock` on, with how many of its valid transactions carry an event of the chaincode
   * (the filtered-block stream), when the source can tell: blocks without such events count as read, so lag is
   * true on a channel shared with other chaincodes. Never ends by itself.
   */
  blockSummaries?(options: { startBlock: bigint; signal: AbortSignal }): AsyncIterable<BlockSummary>;
}

/** One block as the projector needs to know it: its number and whether it carries events of the chaincode. */
export interface BlockSummary {
  blockNumber: bigint;
  /** Valid transactions of the block carrying an event of the chaincode. */
  events: number;
}
