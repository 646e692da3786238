import { describe, expect, it } from 'vitest';
import { eventsResponse, firstBlock } from './chaincode-events.js';
import type { BlockRecord } from './ledger-store.js';

const event = (name: string) => ({ chaincode: 'kv', name, payload: Buffer.from(name) });
const block: BlockRecord = {
  number: 7,
  timestampMs: 0,
  transactions: [
    { txId: 't1', code: 0, event: event('one') },
    { txId: 't2', code: 11 },
    { txId: 't3', code: 0, event: { ...event('other'), chaincode: 'other' } },
    { txId: 't4', code: 0, event: event('four') },
    { txId: 't5', code: 0, event: event('five') },
  ],
};

describe('firstBlock', () => {
  it('maps start positions on a ledger of 10 blocks', () => {
    expect(firstBlock({ kind: 'oldest' }, 10)).toBe(0);
    expect(firstBlock({ kind: 'newest' }, 10)).toBe(9);
    expect(firstBlock({ kind: 'nextCommit' }, 10)).toBe(10);
    expect(firstBlock({ kind: 'block', number: 4 }, 10)).toBe(4);
  });
});

describe('eventsResponse', () => {
  it("holds the block's events of the chaincode, in block order, with the block number", () => {
    const response = eventsResponse(block, 'kv', undefined);
    expect(response?.getBlockNumber()).toBe(7);
    expect(response?.getEventsList().map((e) => e.getTxId())).toEqual(['t1', 't4', 't5']);
  });

  it('resumes after a checkpointed transaction in the middle of the block', () => {
    expect(
      eventsResponse(block, 'kv', 't4')
        ?.getEventsList()
        .map((e) => e.getTxId()),
    ).toEqual(['t5']);
    expect(
      eventsResponse(block, 'kv', 't2')
        ?.getEventsList()
        .map((e) => e.getTxId()),
    ).toEqual(['t4', 't5']);
  });

  it('sends nothing when no event is left', () => {
    expect(eventsResponse(block, 'kv', 't5')).toBeUndefined();
    expect(eventsResponse(block, 'nobody', undefined)).toBeUndefined();
  });
});
