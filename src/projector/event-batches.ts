/**
 * Cuts the ledger's event stream into batches for {@link applyBatch}: everything that has already arrived,
 * in whole blocks. Live, that is usually one block; when the projector is behind, the gRPC stream has many
 * blocks buffered and one batch (one transaction) takes several of them.
 */
import type { PositionedEvent } from './apply-batch.js';
import type { SourceEvent } from './source.js';

const NOT_READY = Symbol('not ready');

/** Resolves on the next turn of the event loop: anything the stream has buffered is delivered before it. */
function nextTurn(): Promise<typeof NOT_READY> {
  return new Promise((resolve) => setImmediate(() => resolve(NOT_READY)));
}

function afterMs(ms: number): Promise<typeof NOT_READY> {
  return new Promise((resolve) => setTimeout(() => resolve(NOT_READY), ms).unref());
}

export interface EventBatchesOptions {
  /** A batch stops growing at this many events once its last block is complete. */
  maxEvents: number;
  /** When set, a wait longer than this for the next event yields an empty batch (the stream is idle). */
  idleMs?: number;
}

/**
 * Numbers each event within its block (the stream must start at the beginning of a block) and groups the
 * events into batches. An empty batch means the stream has been idle for `idleMs`. Ends when the stream ends.
 */
export async function* eventBatches(
  stream: AsyncIterable<SourceEvent>,
  options: EventBatchesOptions,
): AsyncGenerator<PositionedEvent[]> {
  const iterator = stream[Symbol.asyncIterator]();
  let block: bigint | undefined;
  let index = 0;
  const place = (event: SourceEvent): PositionedEvent => {
    if (event.blockNumber !== block) {
      block = event.blockNumber;
      index = 0;
    }
    return { ...event, eventIndex: index++ };
  };

  let pending = iterator.next();
  try {
    while (true) {
      const first =
        options.idleMs === undefined ? await pending : await Promise.race([pending, afterMs(options.idleMs)]);
      if (first === NOT_READY) {
        yield [];
        continue;
      }
      if (first.done) return;
      const batch = [place(first.value)];
      pending = iterator.next();
      let ended = false;
      // Take what has arrived by the next turn of the event loop; past maxEvents, only finish the block in
      // hand so a block never spans batches. One turn per batch, not per event: an event already delivered
      // wins the race (it settled first), so the turn only decides when the stream has nothing ready.
      const turn = nextTurn();
      while (true) {
        const next = await Promise.race([pending, turn]);
        if (next === NOT_READY) break;
        if (next.done) {
          ended = true;
          break;
        }
        if (batch.length >= options.maxEvents && next.value.blockNumber !== block) {
          // Starts the next batch: keep it as the already-resolved head.
          pending = Promise.resolve(next);
          break;
        }
        batch.push(place(next.value));
        pending = iterator.next();
      }
      yield batch;
      if (ended) return;
    }
  } finally {
    // Not awaited: the producer may be parked on a network read until the caller aborts the stream.
    iterator.return?.().catch(() => undefined);
  }
}
