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
