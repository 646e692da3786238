import { describe, expect, it } from 'vitest';
import { eventBatches } from './event-batches.js';
import type { SourceEvent } from './source.js';

function event(blockNumber: number, tx: string): SourceEvent {
  return { blockNumber: BigInt(blockNumber), transactionId: tx, eventName: 'E', payload: new Uint8Array() };
}

/** A stream that delivers `groups` one after another, each group in one go, with a pause of `pauseMs` between. */
async function* delivered(groups: SourceEvent[][], pauseMs: number): AsyncGenerator<SourceEvent> {
  for (const group of groups) {
    yield* group;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

async function collect(stream: AsyncIterable<SourceEvent>, maxEvents: number, idleMs?: number) {
  const batches: Array<Array<[number, number, string]>> = [];
  for await (const batch of eventBatches(stream, { maxEvents, idleMs })) {
    batches.push(batch.map((e) => [Number(e.blockNumber), e.eventIndex, e.transactionId]));
  }
  return batches;
}

describe('eventBatches', () => {
  it('takes everything that has arrived as one batch, numbering events within their block', async () => {
    const batches = await collect(
      delivered(
        [
          [event(4, 'a'), event(4, 'b'), event(5, 'c')],
          [event(6, 'd'), event(6, 'e')],
        ],
        20,
      ),
      100,
    );
    expect(batches).toEqual([
      [
        [4, 0, 'a'],
        [4, 1, 'b'],
        [5, 0, 'c'],
      ],
      [
        [6, 0, 'd'],
        [6, 1, 'e'],
      ],
    ]);
  });

  it('stops a batch at maxEvents only at a block boundary', async () => {
    const burst = [event(1, 'a'), event(1, 'b'), event(1, 'c'), event(2, 'd'), event(3, 'e'), event(3, 'f')];
    const batches = await collect(delivered([burst], 0), 2);
    expect(batches.map((batch) => batch.map(([block, , tx]) => `${block}${tx}`))).toEqual([
      ['1a', '1b', '1c'],
      ['2d', '3e', '3f'],
    ]);
  });

  it('yields an empty batch while the stream has nothing, and goes on when events come', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    async function* stalled(): AsyncGenerator<SourceEvent> {
      yield event(1, 'a');
      await gate;
      yield event(2, 'b');
    }
    const sizes: number[] = [];
    for await (const batch of eventBatches(stalled(), { maxEvents: 10, idleMs: 5 })) {
      sizes.push(batch.length);
      // The stream delivers its next event only once the consumer has seen it idle.
      if (batch.length === 0) open();
    }
    expect(sizes.filter((size) => size > 0)).toEqual([1, 1]);
    expect(sizes.indexOf(0)).toBe(1);
  });
});
