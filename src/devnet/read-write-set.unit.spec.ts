import { ledger } from '@hyperledger/fabric-protos';
import { expect, it } from 'vitest';
import { decodeReadWriteSet, encodeReadWriteSet, type NamespaceReadWriteSet } from './read-write-set.js';

const set: NamespaceReadWriteSet = {
  namespace: 'kv',
  reads: [
    { key: 'present', version: { block: 3, tx: 7 } },
    { key: 'absent', version: undefined },
  ],
  ranges: [{ start: 'a', end: 'z', exhausted: true, reads: [{ key: 'b', version: { block: 1, tx: 0 } }] }],
  writes: [
    { key: 'present', value: Buffer.from('new') },
    { key: 'gone', value: undefined },
  ],
};

it('encodes as Fabric KV read-write sets and decodes back unchanged', () => {
  const bytes = encodeReadWriteSet([set]);
  const tx = ledger.rwset.TxReadWriteSet.deserializeBinary(bytes);
  expect(tx.getDataModel()).toBe(ledger.rwset.TxReadWriteSet.DataModel.KV);
  expect(tx.getNsRwsetList().map((ns) => ns.getNamespace())).toEqual(['kv']);
  const [decoded] = decodeReadWriteSet(bytes);
  expect(decoded?.reads).toEqual(set.reads);
  expect(decoded?.ranges).toEqual(set.ranges);
  expect(decoded?.writes.map((w) => [w.key, w.value && Buffer.from(w.value).toString()])).toEqual([
    ['present', 'new'],
    ['gone', undefined],
  ]);
});

/** The encoding of the fabric-protos classes (devnet's earlier implementation), to compare bytes with. */
function referenceEncoding(sets: NamespaceReadWriteSet[]): Uint8Array {
  const { kvrwset } = ledger.rwset;
  const read = (r: NamespaceReadWriteSet['reads'][number]) => {
    const message = new kvrwset.KVRead();
    message.setKey(r.key);
    if (r.version) {
      const version = new kvrwset.Version();
      version.setBlockNum(r.version.block);
      version.setTxNum(r.version.tx);
      message.setVersion(version);
    }
    return message;
  };
  const tx = new ledger.rwset.TxReadWriteSet();
  tx.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);
  for (const s of sets) {
    const kv = new kvrwset.KVRWSet();
    kv.setReadsList(s.reads.map(read));
    kv.setRangeQueriesInfoList(
      s.ranges.map((range) => {
        const info = new kvrwset.RangeQueryInfo();
        info.setStartKey(range.start);
        info.setEndKey(range.end);
        info.setItrExhausted(range.exhausted);
        const raw = new kvrwset.QueryReads();
        raw.setKvReadsList(range.reads.map(read));
        info.setRawReads(raw);
        return info;
      }),
    );
    kv.setWritesList(
      s.writes.map((w) => {
        const message = new kvrwset.KVWrite();
        message.setKey(w.key);
        if (w.value === undefined) message.setIsDelete(true);
        else message.setValue(w.value);
        return message;
      }),
    );
    const ns = new ledger.rwset.NsReadWriteSet();
    ns.setNamespace(s.namespace);
    ns.setRwset(kv.serializeBinary());
    tx.addNsRwset(ns);
  }
  return tx.serializeBinary();
}

it('writes the same bytes as the fabric-protos classes', () => {
  const cases: NamespaceReadWriteSet[][] = [
    [set],
    [],
    [{ namespace: 'empty', reads: [], ranges: [], writes: [] }],
    [
      {
        namespace: 'ns',
        reads: [
          { key: '', version: { block: 0, tx: 0 } },
          { key: 'big', version: { block: 2 ** 31 + 5, tx: 70_000 } },
        ],
        ranges: [{ start: '', end: '\u{10ffff}', exhausted: false, reads: [] }],
        writes: [
          { key: 'ünïcode-键', value: new Uint8Array(300).fill(7) },
          { key: 'empty', value: new Uint8Array() },
        ],
      },
      set,
    ],
  ];
  for (const sets of cases) {
    expect(Buffer.from(encodeReadWriteSet(sets)).equals(referenceEncoding(sets))).toBe(true);
  }
});
