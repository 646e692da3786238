/**
 * Builds the few messages devnet writes on every transaction (the read-write set, the chaincode action, the
 * endorsement and the prepared transaction) as plain field lists, encoded in one pass by protobufjs's Writer.
 * google-protobuf's generated classes took ~10% of devnet's busy time for them (a message object per message,
 * a writer that moves every byte through JavaScript arrays, and a copy of each nested message into its parent).
 *
 * The bytes are those of the fabric-protos classes' `serializeBinary()` (the specs compare them): fields in
 * the order given (field-number order), proto3 scalars left out when they hold their default (0, '', false,
 * empty bytes), message fields written whenever present, even empty. A `bytes` field that holds a serialized
 * message (Fabric nests many that way) can take the message itself ({@link embeddedField}): on the wire the
 * two are the same.
 */
import protobuf from 'protobufjs/minimal.js';

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

/** One field of a message, or nothing (left out). */
export type Field =
  | { readonly key: number; readonly varint: number }
  | { readonly key: number; readonly bytes: Uint8Array }
  | { readonly key: number; readonly text: string }
  | { readonly key: number; readonly message: Message }
  | undefined;

/** A message under construction: its fields. */
export interface Message {
  readonly fields: readonly Field[];
}

const key = (field: number, wireType: number) => (field << 3) | wireType;

/** A `bytes` field; left out when empty. */
export function bytesField(field: number, value: Uint8Array | undefined): Field {
  return value === undefined || value.length === 0
    ? undefined
    : { key: key(field, WIRE_LENGTH_DELIMITED), bytes: value };
}

/** A `string` field; left out when empty. */
export function stringField(field: number, value: string): Field {
  return value === '' ? undefined : { key: key(field, WIRE_LENGTH_DELIMITED), text: value };
}

/** An embedded message field; written even when the message is empty. */
export function messageField(field: number, value: Message): Field {
  return { key: key(field, WIRE_LENGTH_DELIMITED), message: value };
}

/** A `bytes` field holding a serialized message, given as the message; left out when it encodes to nothing. */
export function embeddedField(field: number, value: Message): Field {
  // Every present field encodes to at least its key, so a message encodes to nothing only if all are absent.
  return value.fields.every((f) => f === undefined) ? undefined : messageField(field, value);
}

/**
 * A varint field (`int32`, `uint64`, `bool` as 0/1, an enum); left out when 0. A negative value is written as
 * 64-bit two's complement (10 bytes), as protobuf writes a negative int32.
 */
export function varintField(field: number, value: number): Field {
  return value === 0 ? undefined : { key: key(field, WIRE_VARINT), varint: value };
}

/** A `bool` field; left out when false. */
export function boolField(field: number, value: boolean): Field {
  return value ? varintField(field, 1) : undefined;
}

/** A message of `fields` (in field-number order; undefined ones are left out). */
export function message(...fields: Field[]): Message {
  return { fields };
}

/** A message of a list of fields (say, a repeated field's elements). */
export function messageOf(fields: readonly Field[]): Message {
  return { fields };
}

function writeFields(writer: protobuf.Writer, fields: readonly Field[]): void {
  for (const field of fields) {
    if (field === undefined) continue;
    writer.uint32(field.key);
    if ('varint' in field) writer.int64(field.varint);
    else if ('bytes' in field) writer.bytes(field.bytes);
    else if ('text' in field) writer.string(field.text);
    else {
      writer.fork();
      writeFields(writer, field.message.fields);
      writer.ldelim();
    }
  }
}

/** The message's bytes, in one buffer. */
export function encode(value: Message): Uint8Array {
  const writer = protobuf.Writer.create();
  writeFields(writer, value.fields);
  return writer.finish();
}
