/**
 * Walks the fields of the messages devnet decodes on every transaction (the signed proposal's nested
 * messages) with protobufjs's Reader, handing out varints and length-delimited values as views of the input,
 * never copies. Decoding with google-protobuf's generated classes built a message object per nested message
 * (seven per proposal). As with those classes, a field seen twice keeps its last value (the visitor's last
 * assignment) and unknown fields are skipped; truncated or malformed input throws.
 */
import protobuf from 'protobufjs/minimal.js';

/** One field: its number, and its value (a number for varints, bytes for length-delimited fields). */
export type WireField = { field: number; varint: number; bytes?: undefined } | { field: number; bytes: Uint8Array };

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

/** Calls `visit` for every varint and length-delimited field of `bytes` (other wire types are skipped). */
export function readFields(bytes: Uint8Array, visit: (field: WireField) => void): void {
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const key = reader.uint32();
    const field = key >>> 3;
    const wireType = key & 7;
    if (field === 0) throw new Error('invalid field number 0');
    if (wireType === WIRE_VARINT) {
      // Exact up to 2^53; devnet reads no larger field (lengths, enums, timestamps, versions).
      const value = reader.uint64();
      visit({ field, varint: typeof value === 'number' ? value : Number(value.toString()) });
    } else if (wireType === WIRE_LENGTH_DELIMITED) {
      visit({ field, bytes: reader.bytes() });
    } else {
      reader.skipType(wireType);
    }
  }
}

const EMPTY: Uint8Array = new Uint8Array();
const decoder = new TextDecoder('utf-8');

/** The bytes of a length-delimited field. */
export function bytesOf(field: WireField): Uint8Array {
  if (field.bytes === undefined) throw new Error(`field ${field.field} is not length-delimited`);
  return field.bytes;
}

/** A string field's text. */
export function stringOf(field: WireField): string {
  return decoder.decode(bytesOf(field));
}

/** A varint field's value. */
export function varintOf(field: WireField): number {
  if (field.bytes !== undefined) throw new Error(`field ${field.field} is not a varint`);
  return field.varint;
}

export { EMPTY as emptyBytes };
