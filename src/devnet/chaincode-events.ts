/**
 * The ChaincodeEvents stream: replays committed blocks from the requested start position, then follows new
 * blocks as they commit. Honours `after_transaction_id` in the start block, so a client's checkpoint (block
 * number + last transaction id) resumes with the very next event, even in the middle of a block.
 */
import { gateway, peer } from '@hyperledger/fabric-protos';
import type { BlockRecord, LedgerStore } from './ledger-store.js';

/** Fans committed blocks out to open streams. */
export class BlockFeed {
  readonly #listeners = new Set<(block: BlockRecord) => void>();

  publish(block: BlockRecord): void {
    for (const listener of this.#listeners) listener(block);
  }

  subscribe(listener: (block: BlockRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** Where a stream starts, decoded from the request's SeekPosition. */
export type StartPosition =
  | { kind: 'oldest' }
  | { kind: 'newest' }
  | { kind: 'nextCommit' }
  | { kind: 'block'; number: number };

/** The first block to send for `position` on a ledger of `height` blocks. */
export function firstBlock(position: StartPosition, height: number): number {
  switch (position.kind) {
    case 'oldest':
      return 0;
    case 'newest':
      return Math.max(0, height - 1);
    case 'nextCommit':
      return height;
    case 'block':
      return position.number;
  }
}

/** A response for `block`'s events of `chaincode` (none: `undefined`), skipping up to `afterTxId` if given. */
export function eventsResponse(
  block: BlockRecord,
  chaincode: string,
  afterTxId: string | undefined,
): InstanceType<typeof gateway.ChaincodeEventsResponse> | undefined {
  let transactions = block.transactions;
  if (afterTxId) {
    const index = transactions.findIndex((tx) => tx.txId === afterTxId);
    if (index >= 0) transactions = transactions.slice(index + 1);
  }
  const events: Array<InstanceType<typeof peer.ChaincodeEvent>> = [];
  for (const tx of transactions) {
    // Only committed, valid transactions' events are delivered; an invalid one's is on record for filtered blocks.
    if (tx.code !== 0 || !tx.event || tx.event.chaincode !== chaincode) continue;
    const event = new peer.ChaincodeEvent();
    event.setChaincodeId(tx.event.chaincode);
    event.setTxId(tx.txId);
    event.setEventName(tx.event.name);
    event.setPayload(tx.event.payload);
    events.push(event);
  }
  if (events.length === 0) return undefined;
  const response = new gateway.ChaincodeEventsResponse();
  response.setBlockNumber(block.number);
  response.setEventsList(events);
  return response;
}

/** A writable end of a stream: write returns false when the consumer should wait for `drain`. */
export interface EventSink {
  write(response: InstanceType<typeof gateway.ChaincodeEventsResponse>): Promise<void>;
  readonly closed: boolean;
}

/**
 * Sends events from `start` on, forever (until the sink closes or `stopped` resolves).
 */
export function streamEvents(
  store: LedgerStore,
  feed: BlockFeed,
  sink: EventSink,
  request: { chaincode: string; start: number; afterTxId: string | undefined },
  stopped: Promise<void>,
): Promise<void> {
  return followBlocks(
    store,
    feed,
    request.start,
    {
      get closed() {
        return sink.closed;
      },
      async send(block) {
        const response = eventsResponse(
          block,
          request.chaincode,
          block.number === request.start ? request.afterTxId : undefined,
        );
        if (response) await sink.write(response);
      },
    },
    stopped,
  );
}

/** Where {@link followBlocks} hands each block; `send` resolves once the consumer can take the next. */
export interface BlockSink {
  send(block: BlockRecord): Promise<void>;
  readonly closed: boolean;
}

/**
 * Hands every block from `start` on to `sink`, in order, forever (until the sink closes or `stopped`
 * resolves). Replays from the store, then switches to the live feed without a gap: the subscription is made
 * synchronously after the replay's last height check.
 */
export async function followBlocks(
  store: LedgerStore,
  feed: BlockFeed,
  start: number,
  sink: BlockSink,
  stopped: Promise<void>,
): Promise<void> {
  let next = start;
  const send = async (block: BlockRecord) => {
    await sink.send(block);
    next = block.number + 1;
  };
  while (next < store.height && !sink.closed) {
    const block = await store.block(next);
    if (!block) throw new Error(`block ${next} missing from the ledger`);
    await send(block);
  }
  const pending: BlockRecord[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = feed.subscribe((block) => {
    pending.push(block);
    wake?.();
  });
  let stop = false;
  stopped.then(() => {
    stop = true;
    wake?.();
  });
  try {
    while (!stop && !sink.closed) {
      const block = pending.shift();
      if (!block) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      if (block.number < next) continue;
      // A block published while the replay was finishing may be ahead: fill the gap from the store.
      while (next < block.number && !sink.closed) {
        const missing = await store.block(next);
        if (!missing) throw new Error(`block ${next} missing from the ledger`);
        await send(missing);
      }
      await send(block);
    }
  } finally {
    unsubscribe();
  }
}
