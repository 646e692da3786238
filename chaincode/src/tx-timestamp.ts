import type { ChaincodeStub } from 'fabric-shim-api';

/** The seconds field as fabric-shim (a `Long`), a protobuf object or a hand-made stub may give it. */
type Seconds = number | bigint | string | { toNumber(): number };

/**
 * The transaction's timestamp as an ISO-8601 UTC string (millisecond precision). It comes from the proposal's
 * channel header, so every endorser computes the same value; the wall clock would not.
 */
export function txTimestampIso(stub: Pick<ChaincodeStub, 'getTxTimestamp'>): string {
  const timestamp = stub.getTxTimestamp() as unknown as { seconds: Seconds; nanos: number };
  const { seconds, nanos } = timestamp;
  const wholeSeconds = typeof seconds === 'object' ? seconds.toNumber() : Number(seconds);
  return new Date(wholeSeconds * 1000 + Math.floor((nanos ?? 0) / 1_000_000)).toISOString();
}
