/**
 * A minimal protobuf (proto3) encoder for the few messages devnet writes on every transaction (the read-write
 * set, the chaincode action, the endorsement and the prepared transaction). google-protobuf's generated
 * classes took ~10% of devnet's busy time for them (a message object per message, a writer that moves every
 * byte through JavaScript arrays, and a copy of each nested message into its parent). Here a message is a
 * tree of fields whose sizes are known as it is built, written in one pass into one buffer by {@link encode}.
 *
 * The bytes are those of the fabric-protos classes' `serializeBinary()` (the specs compare them): fields in
 * the order given (field-number order), proto3 scalars left out when they hold their default (0, '', false,
 * empty bytes), message fields written whenever present, even empty. A `bytes` field that holds a serialized
 * message (Fabric nests many that way) can take the message itself ({@link embeddedField}): on the wire the
 * two are the same.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

/** One encoded field of a message, or nothing (left out). */
export type Field =
  | { readonly key: number; readonly size: number; readonly varint: number }
  | { readonly key: number; readonly size: number; readonly bytes: Uint8Array }
  | { readonly key: number; readonly size: number; readonly message: Message }
  | undefined;

/** A message under construction: its fields and its encoded size. */
export interface Message {
  readonly fields: readonly Field[];
  readonly size: number;
}

function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    length++;
  }
  return length;
}

function writeVarint(target: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    target[offset++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  target[offset++] = value;
  return offset;
}

function delimited(field: number, bytes: Uint8Array): Field {
  const key = (field << 3) | WIRE_LENGTH_DELIMITED;
  return { key, size: varintLength(key) + varintLength(bytes.length) + bytes.length, bytes };
}

/** A `bytes` field; left out when empty. */
export function bytesField(field: number, value: Uint8Array | undefined): Field {
  return value === undefined || value.length === 0 ? undefined : delimited(field, value);
}

/** A `string` field; left out when empty. */
export function stringField(field: number, value: string): Field {
  return value === '' ? undefined : delimited(field, Buffer.from(value, 'utf8'));
}

/** An embedded message field; written even when the message is empty. */
export function messageField(field: number, value: Message): Field {
  const key = (field << 3) | WIRE_LENGTH_DELIMITED;
  return { key, size: varintLength(key) + varintLength(value.size) + value.size, message: value };
}

/** A `bytes` field holding a serialized message, given as the message; left out when it encodes to nothing. */
export function embeddedField(field: number, value: Message): Field {
  return value.size === 0 ? undefined : messageField(field, value);
}

/**
 * A varint field (`int32`, `uint64`, `bool` as 0/1, an enum); left out when 0. A negative value is written as
 * 64-bit two's complement (10 bytes), as protobuf writes a negative int32.
 */
export function varintField(field: number, value: number): Field {
  if (value === 0) return undefined;
  const key = (field << 3) | WIRE_VARINT;
  if (value < 0) {
    let rest = BigInt.asUintN(64, BigInt(Math.trunc(value)));
    const raw = new Uint8Array(10);
    for (let i = 0; i < 9; i++) {
      raw[i] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    raw[9] = Number(rest);
    // Stored as pre-encoded bytes after a varint key: see writeFields.
    return { key, size: varintLength(key) + 10, bytes: raw };
  }
  return { key, size: varintLength(key) + varintLength(value), varint: value };
}

/** A `bool` field; left out when false. */
export function boolField(field: number, value: boolean): Field {
  return value ? varintField(field, 1) : undefined;
}

/** A message of `fields` (in field-number order; undefined ones are left out). */
export function message(...fields: Field[]): Message {
  return messageOf(fields);
}

/** A message of a list of fields (say, a repeated field's elements). */
export function messageOf(fields: readonly Field[]): Message {
  let size = 0;
  for (const field of fields) if (field !== undefined) size += field.size;
  return { fields, size };
}

function writeFields(fields: readonly Field[], out: Uint8Array, start: number): number {
  let offset = start;
  for (const field of fields) {
    if (field === undefined) continue;
    offset = writeVarint(out, offset, field.key);
    if ('varint' in field) {
      offset = writeVarint(out, offset, field.varint);
    } else if ('bytes' in field) {
      // A negative varint's pre-encoded bytes follow its key directly; everything else is length-delimited.
      if ((field.key & 7) === WIRE_LENGTH_DELIMITED) offset = writeVarint(out, offset, field.bytes.length);
      out.set(field.bytes, offset);
      offset += field.bytes.length;
    } else {
      offset = writeVarint(out, offset, field.message.size);
      offset = writeFields(field.message.fields, out, offset);
    }
  }
  return offset;
}

/** The message's bytes, in one buffer. */
export function encode(value: Message): Uint8Array {
  const out = Buffer.allocUnsafe(value.size);
  const end = writeFields(value.fields, out, 0);
  if (end !== value.size) throw new Error(`protobuf writer: wrote ${end} bytes, expected ${value.size}`);
  return out;
}
