/**
 * A minimal protobuf reader for the messages devnet decodes on every transaction (the signed proposal's
 * nested messages): walks a message's fields and hands out varints and length-delimited values (as views of
 * the input, never copies). Decoding with google-protobuf's generated classes built a message object per
 * nested message (seven per proposal). As with those classes, a field seen twice keeps its last value and
 * unknown fields are skipped; truncated or malformed input throws.
 */

/** One field: its number, and its value (a number for varints, bytes for length-delimited fields). */
export type WireField = { field: number; varint: number; bytes?: undefined } | { field: number; bytes: Uint8Array };

/** Calls `visit` for every varint and length-delimited field of `bytes` (fixed-width fields are skipped). */
export function readFields(bytes: Uint8Array, visit: (field: WireField) => void): void {
  let offset = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (offset >= bytes.length) throw new Error('truncated varint');
      const byte = bytes[offset++] as number;
      // Past 2^53 the value is not exact; devnet reads no such field (lengths, enums, timestamps, versions).
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    throw new Error('varint longer than 10 bytes');
  };
  while (offset < bytes.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 0) throw new Error('invalid field number 0');
    switch (wireType) {
      case 0:
        visit({ field, varint: varint() });
        break;
      case 1:
        offset += 8;
        break;
      case 2: {
        const length = varint();
        if (offset + length > bytes.length) throw new Error('truncated length-delimited field');
        visit({ field, bytes: bytes.subarray(offset, offset + length) });
        offset += length;
        break;
      }
      case 5:
        offset += 4;
        break;
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
    if (offset > bytes.length) throw new Error('truncated fixed-width field');
  }
}

const EMPTY: Uint8Array = new Uint8Array();
const decoder = new TextDecoder('utf-8');

/** The bytes of a length-delimited field (empty when the field is a varint, as a mismatched type reads). */
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
