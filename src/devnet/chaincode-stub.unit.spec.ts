import { describe, expect, it } from 'vitest';
import { SimulationStub, type StubContext } from './chaincode-stub.js';
import { WorldState } from './world-state.js';

const context: StubContext = {
  channel: 'ch',
  namespace: 'kv',
  txId: 'tx1',
  args: [Buffer.from('fn'), Buffer.from('a1')],
  creator: { mspid: 'M', idBytes: Buffer.from('cert') },
  peerMspId: 'PeerMSP',
  transient: new Map([['secret', Buffer.from('s')]]),
  timestamp: { seconds: 1_700_000_000, nanos: 500_000_000 },
  nonce: Buffer.from('nonce'),
  signedProposal: {},
};

function stateWith(entries: Record<string, string>): WorldState {
  const state = new WorldState();
  let tx = 0;
  for (const [key, value] of Object.entries(entries))
    state.set('kv', key, { value: Buffer.from(value), version: { block: 1, tx: tx++ } });
  return state;
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('SimulationStub', () => {
  it('reads committed state (not its own writes, as on a peer) and records each read once with its version', async () => {
    const stub = new SimulationStub(context, stateWith({ a: '1' }));
    await stub.putState('a', Buffer.from('2'));
    expect(text(await stub.getState('a'))).toBe('1');
    expect(text(await stub.getState('missing'))).toBe('');
    await stub.getState('a');
    const rwset = stub.readWriteSet();
    expect(rwset.reads).toEqual([
      { key: 'a', version: { block: 1, tx: 0 } },
      { key: 'missing', version: undefined },
    ]);
    expect(rwset.writes.map((w) => [w.key, w.value && text(w.value)])).toEqual([['a', '2']]);
  });

  it('keeps only the last write of a key and records deletes', async () => {
    const stub = new SimulationStub(context, stateWith({}));
    await stub.putState('k', 'first');
    await stub.putState('k', 'second');
    await stub.deleteState('gone');
    expect(stub.readWriteSet().writes.map((w) => [w.key, w.value && text(w.value)])).toEqual([
      ['k', 'second'],
      ['gone', undefined],
    ]);
  });

  it('keeps the last event only', () => {
    const stub = new SimulationStub(context, stateWith({}));
    stub.setEvent('First', Buffer.from('1'));
    stub.setEvent('Second', Buffer.from('2'));
    expect(stub.event()?.name).toBe('Second');
  });

  it('serves composite-key queries as async iterables and awaitable iterators, recording the range', async () => {
    const state = new WorldState();
    const stub = new SimulationStub(context, state);
    for (const [owner, id] of [
      ['alice', '1'],
      ['alice', '2'],
      ['bob', '3'],
    ] as const) {
      state.set('kv', stub.createCompositeKey('asset', [owner, id]), {
        value: Buffer.from(id),
        version: { block: 1, tx: 0 },
      });
    }
    state.set('kv', 'plain', { value: Buffer.from('p'), version: { block: 1, tx: 0 } });
    const ids: string[] = [];
    for await (const kv of stub.getStateByPartialCompositeKey('asset', ['alice'])) ids.push(text(kv.value));
    expect(ids).toEqual(['1', '2']);
    const iterator = await stub.getStateByRange('', '');
    const first = await iterator.next();
    expect(first.value?.key).toBe('plain'); // plain range queries skip composite keys
    expect(stub.splitCompositeKey(stub.createCompositeKey('asset', ['bob', '3']))).toEqual({
      objectType: 'asset',
      attributes: ['bob', '3'],
    });
    expect(stub.readWriteSet().ranges).toHaveLength(2);
  });

  it('pages a range with a bookmark', async () => {
    const stub = new SimulationStub(context, stateWith({ a: '1', b: '2', c: '3' }));
    const page = await stub.getStateByRangeWithPagination('', '', 2);
    expect(page.metadata).toEqual({ fetchedRecordsCount: 2, bookmark: 'c' });
    const rest = await stub.getStateByRangeWithPagination('', '', 2, page.metadata.bookmark);
    expect(rest.metadata).toEqual({ fetchedRecordsCount: 1, bookmark: '' });
  });

  it('exposes the proposal: arguments, transaction id, creator, transient data and timestamp', () => {
    const stub = new SimulationStub(context, stateWith({}));
    expect(stub.getFunctionAndParameters()).toEqual({ fcn: 'fn', params: ['a1'] });
    expect(stub.getBufferArgs().map(text)).toEqual(['fn', 'a1']);
    expect(stub.getTxID()).toBe('tx1');
    expect(stub.getMspID()).toBe('PeerMSP');
    expect(text(stub.getTransient().get('secret') ?? new Uint8Array())).toBe('s');
    expect(stub.getDateTimestamp().toISOString()).toBe('2023-11-14T22:13:20.500Z');
    expect(() => stub.getHistoryForKey()).toThrow('not supported by devnet');
  });
});
