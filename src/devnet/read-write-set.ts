/**
 * What a simulated transaction read and wrote, and its encoding as Fabric's `TxReadWriteSet` (the bytes an
 * endorsement signs and the validator checks).
 */
import { ledger } from '@hyperledger/fabric-protos';
import type { Version } from './world-state.js';

const { kvrwset } = ledger.rwset;

/** A key read and the version it had (`undefined`: the key did not exist). */
export interface KeyRead {
  key: string;
  version: Version | undefined;
}

/** A range query and what it returned, so validation can detect phantoms. */
export interface RangeRead {
  start: string;
  end: string;
  exhausted: boolean;
  reads: KeyRead[];
}

/** A key written (`value` undefined: deleted). */
export interface KeyWrite {
  key: string;
  value: Uint8Array | undefined;
}

/** One namespace's reads and writes. */
export interface NamespaceReadWriteSet {
  namespace: string;
  reads: KeyRead[];
  ranges: RangeRead[];
  writes: KeyWrite[];
}

function encodeRead(read: KeyRead): InstanceType<typeof kvrwset.KVRead> {
  const message = new kvrwset.KVRead();
  message.setKey(read.key);
  if (read.version) {
    const version = new kvrwset.Version();
    version.setBlockNum(read.version.block);
    version.setTxNum(read.version.tx);
    message.setVersion(version);
  }
  return message;
}

function decodeRead(message: InstanceType<typeof kvrwset.KVRead>): KeyRead {
  const version = message.getVersion();
  return {
    key: message.getKey(),
    version: version ? { block: version.getBlockNum(), tx: version.getTxNum() } : undefined,
  };
}

/** Encodes namespaces as a `TxReadWriteSet` (data model KV). */
export function encodeReadWriteSet(sets: NamespaceReadWriteSet[]): Uint8Array {
  const tx = new ledger.rwset.TxReadWriteSet();
  tx.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);
  for (const set of sets) {
    const kv = new kvrwset.KVRWSet();
    kv.setReadsList(set.reads.map(encodeRead));
    kv.setRangeQueriesInfoList(
      set.ranges.map((range) => {
        const info = new kvrwset.RangeQueryInfo();
        info.setStartKey(range.start);
        info.setEndKey(range.end);
        info.setItrExhausted(range.exhausted);
        const raw = new kvrwset.QueryReads();
        raw.setKvReadsList(range.reads.map(encodeRead));
        info.setRawReads(raw);
        return info;
      }),
    );
    kv.setWritesList(
      set.writes.map((write) => {
        const message = new kvrwset.KVWrite();
        message.setKey(write.key);
        if (write.value === undefined) message.setIsDelete(true);
        else message.setValue(write.value);
        return message;
      }),
    );
    const ns = new ledger.rwset.NsReadWriteSet();
    ns.setNamespace(set.namespace);
    ns.setRwset(kv.serializeBinary());
    tx.addNsRwset(ns);
  }
  return tx.serializeBinary();
}

/** Decodes a `TxReadWriteSet`; throws on malformed bytes. */
export function decodeReadWriteSet(bytes: Uint8Array): NamespaceReadWriteSet[] {
  const tx = ledger.rwset.TxReadWriteSet.deserializeBinary(bytes);
  return tx.getNsRwsetList().map((ns) => {
    const kv = kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
    return {
      namespace: ns.getNamespace(),
      reads: kv.getReadsList().map(decodeRead),
      ranges: kv.getRangeQueriesInfoList().map((info) => ({
        start: info.getStartKey(),
        end: info.getEndKey(),
        exhausted: info.getItrExhausted(),
        reads: (info.getRawReads()?.getKvReadsList() ?? []).map(decodeRead),
      })),
      writes: kv.getWritesList().map((write) => ({
        key: write.getKey(),
        value: write.getIsDelete() ? undefined : write.getValue_asU8(),
      })),
    };
  });
}
