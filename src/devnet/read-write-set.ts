/**
 * What a simulated transaction read and wrote, and its encoding as Fabric's `TxReadWriteSet` (the bytes an
 * endorsement signs and the validator checks).
 */
import { ledger } from '@hyperledger/fabric-protos';
import {
  boolField,
  bytesField,
  embeddedField,
  encode,
  type Field,
  type Message,
  message,
  messageField,
  messageOf,
  stringField,
  varintField,
} from './protobuf-writer.js';
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

function encodeRead(read: KeyRead): Message {
  return message(
    stringField(1, read.key),
    read.version
      ? messageField(2, message(varintField(1, read.version.block), varintField(2, read.version.tx)))
      : undefined,
  );
}

function decodeRead(message: InstanceType<typeof kvrwset.KVRead>): KeyRead {
  const version = message.getVersion();
  return {
    key: message.getKey(),
    version: version ? { block: version.getBlockNum(), tx: version.getTxNum() } : undefined,
  };
}

/**
 * Namespaces as a `TxReadWriteSet` message (data model KV), for {@link encode} or to embed in a chaincode action:
 * TxReadWriteSet { data_model 1 (KV = 0, left out), ns_rwset 2: [NsReadWriteSet { namespace 1, rwset 2 }] },
 * KVRWSet { reads 1, range_queries_info 2, writes 3 }, KVRead { key 1, version 2: { block_num 1, tx_num 2 } },
 * RangeQueryInfo { start_key 1, end_key 2, itr_exhausted 3, raw_reads 4: { kv_reads 1 } },
 * KVWrite { key 1, is_delete 2, value 3 }.
 */
export function readWriteSetMessage(sets: NamespaceReadWriteSet[]): Message {
  return messageOf(
    sets.map((set) => {
      const kv: Field[] = [];
      for (const read of set.reads) kv.push(messageField(1, encodeRead(read)));
      for (const range of set.ranges) {
        kv.push(
          messageField(
            2,
            message(
              stringField(1, range.start),
              stringField(2, range.end),
              boolField(3, range.exhausted),
              messageField(4, messageOf(range.reads.map((read) => messageField(1, encodeRead(read))))),
            ),
          ),
        );
      }
      for (const write of set.writes) {
        kv.push(
          messageField(
            3,
            message(
              stringField(1, write.key),
              boolField(2, write.value === undefined),
              write.value === undefined ? undefined : bytesField(3, write.value),
            ),
          ),
        );
      }
      return messageField(2, message(stringField(1, set.namespace), embeddedField(2, messageOf(kv))));
    }),
  );
}

/** Encodes namespaces as a `TxReadWriteSet`, byte for byte as the fabric-protos classes would. */
export function encodeReadWriteSet(sets: NamespaceReadWriteSet[]): Uint8Array {
  return encode(readWriteSetMessage(sets));
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
